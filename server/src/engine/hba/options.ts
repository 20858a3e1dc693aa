// parse_hba_auth_opt and the checks after it: name=value options, which methods accept them,
// their values, and the arguments some methods require.
import { effectiveMethod, type AuthOption, type HbaError, type HbaRecord, type Method } from './record';
import type { Token } from './tokenize';
import { GAI_NONAME_TEXT, parseNumericHost } from './address';
import { splitGucList } from '../conf/values';

/** Options valid for only some methods, with the method list PostgreSQL names in its message. */
function methodRestriction(name: string, pgVersion: number): { methods: Method[]; text: string } | undefined {
  const oauth = pgVersion >= 18;
  switch (name) {
    case 'map':
      return oauth
        ? { methods: ['ident', 'peer', 'gss', 'sspi', 'cert', 'oauth'], text: 'ident, peer, gssapi, sspi, cert, and oauth' }
        : { methods: ['ident', 'peer', 'gss', 'sspi', 'cert'], text: 'ident, peer, gssapi, sspi, and cert' };
    case 'pamservice':
    case 'pam_use_hostname':
      return { methods: ['pam'], text: 'pam' };
    case 'ldapurl':
    case 'ldaptls':
    case 'ldapscheme':
    case 'ldapserver':
    case 'ldapport':
    case 'ldapbinddn':
    case 'ldapbindpasswd':
    case 'ldapsearchattribute':
    case 'ldapsearchfilter':
    case 'ldapbasedn':
    case 'ldapprefix':
    case 'ldapsuffix':
      return { methods: ['ldap'], text: 'ldap' };
    case 'krb_realm':
    case 'include_realm':
      return { methods: ['gss', 'sspi'], text: 'gssapi and sspi' };
    case 'compat_realm':
    case 'upn_username':
      return { methods: ['sspi'], text: 'sspi' };
    case 'radiusservers':
    case 'radiussecrets':
    case 'radiusidentifiers':
    case 'radiusports':
      return { methods: ['radius'], text: 'radius' };
    case 'issuer':
    case 'scope':
    case 'validator':
    case 'delegate_ident_mapping':
      return oauth ? { methods: ['oauth'], text: 'oauth' } : undefined;
    default:
      return undefined;
  }
}

const knownUnrestricted = (name: string, pgVersion: number) =>
  name === 'clientcert' || (name === 'clientname' && pgVersion >= 14);

/** Whether PostgreSQL accepts the option with that method (fixes that change a method drop the rest). */
export function optionAllowed(name: string, method: Method, pgVersion: number): boolean {
  const restriction = methodRestriction(name, pgVersion);
  if (!restriction) return knownUnrestricted(name, pgVersion) && !(name === 'clientcert' && method === 'cert');
  return restriction.methods.includes(method);
}

export function parseAuthOptions(record: HbaRecord, fields: Token[][], pgVersion: number): HbaError | undefined {
  const method = effectiveMethod(record.type, record.method);
  // Most records have no options, and only these methods require some: nothing to look at.
  if (fields.length === 0 && method !== 'ldap' && method !== 'radius' && method !== 'oauth') return undefined;
  const lists: Record<string, string[]> = {};
  /** Effective option values, including those an ldapurl sets. */
  const seen = new Map<string, string>();
  const options: AuthOption[] = [];
  for (const field of fields) {
    for (const token of field) {
      const fail = (message: string): HbaError => ({ message, range: token.range });
      const eq = token.text.indexOf('=');
      if (eq < 0) return fail(`authentication option not in name=value format: ${token.text}`);
      const name = token.text.slice(0, eq);
      const value = token.text.slice(eq + 1);
      const restriction = methodRestriction(name, pgVersion);
      if (!restriction && !knownUnrestricted(name, pgVersion))
        return fail(`unrecognized authentication option name: "${name}"`);
      if (restriction && !restriction.methods.includes(method))
        return fail(`authentication option "${name}" is only valid for authentication methods ${restriction.text}`);
      const problem = checkValue(name, value, record, method, pgVersion, lists);
      if (problem) return fail(problem);
      const option: AuthOption = { name, value, token };
      options.push(option);
      seen.set(name, value);
      if (name === 'ldapurl') for (const [k, v] of ldapUrlSettings(value)) seen.set(k, v);
    }
  }
  record.options = options;
  const problem = requiredArguments(method, seen, lists, pgVersion);
  return problem ? { message: problem, range: record.source.range } : undefined;
}

function checkValue(
  name: string,
  value: string,
  record: HbaRecord,
  method: Method,
  pgVersion: number,
  lists: Record<string, string[]>,
): string | undefined {
  switch (name) {
    case 'clientcert':
      if (record.type !== 'hostssl') return 'clientcert can only be configured for "hostssl" rows';
      if (pgVersion < 14) {
        if (value === '0' || value === 'no-verify') {
          if (method === 'cert') return 'clientcert cannot be set to "no-verify" when using "cert" authentication';
          return undefined;
        }
        if (value === '1' || value === 'verify-ca' || value === 'verify-full') return undefined;
        return `invalid value for clientcert: "${value}"`;
      }
      if (value === 'verify-full') return undefined;
      if (value === 'verify-ca') {
        if (method === 'cert') return 'clientcert can only be set to "verify-full" when using "cert" authentication';
        return undefined;
      }
      return `invalid value for clientcert: "${value}"`;
    case 'clientname':
      if (record.type !== 'hostssl') return 'clientname can only be configured for "hostssl" rows';
      if (value === 'CN' || value === 'DN') return undefined;
      return `invalid value for clientname: "${value}"`;
    case 'ldapport':
      if (atoi(value) === 0) return `invalid LDAP port number: "${value}"`;
      return undefined;
    case 'ldapurl':
      return ldapUrlProblem(value);
    case 'radiusservers': {
      const servers = splitGucList(value, pgVersion);
      if (!servers) return `could not parse RADIUS server list "${value}"`;
      for (const s of servers) {
        // Whether a host name resolves needs DNS, which a static check cannot ask; a name no
        // resolver accepts (quotes, spaces, a dotted number that is no address) fails everywhere.
        if (parseNumericHost(s) === 'hostname' && (!/^[A-Za-z0-9_.-]+$/.test(s) || /^[\d.]+$/.test(s)))
          return `could not translate RADIUS server name "${s}" to address: ${GAI_NONAME_TEXT}`;
      }
      lists.radiusservers = servers;
      return undefined;
    }
    case 'radiusports': {
      // An unparsable port list is not reported as such: its one element fails as a port number.
      const ports = splitGucList(value, pgVersion) ?? [value];
      for (const p of ports) if (atoi(p) === 0) return `invalid RADIUS port number: "${value}"`;
      lists.radiusports = ports;
      return undefined;
    }
    case 'radiussecrets': {
      const secrets = splitGucList(value, pgVersion);
      if (!secrets) return `could not parse RADIUS secret list "${value}"`;
      lists.radiussecrets = secrets;
      return undefined;
    }
    case 'radiusidentifiers': {
      const ids = splitGucList(value, pgVersion);
      if (!ids) return `could not parse RADIUS identifiers list "${value}"`;
      lists.radiusidentifiers = ids;
      return undefined;
    }
    default:
      return undefined;
  }
}

function requiredArguments(method: Method, seen: Map<string, string>, lists: Record<string, string[]>, pgVersion: number) {
  const has = (n: string) => seen.has(n);
  if (method === 'ldap') {
    // ldapserver is optional with OpenLDAP (DNS SRV discovery), which Unix builds use.
    if (has('ldapprefix') || has('ldapsuffix')) {
      if (['ldapbasedn', 'ldapbinddn', 'ldapbindpasswd', 'ldapsearchattribute', 'ldapsearchfilter'].some(has))
        return pgVersion >= 18
          ? 'cannot mix options for simple bind and search+bind modes'
          : 'cannot use ldapbasedn, ldapbinddn, ldapbindpasswd, ldapsearchattribute, ldapsearchfilter, or ldapurl together with ldapprefix';
    } else if (!has('ldapbasedn')) {
      return 'authentication method "ldap" requires argument "ldapbasedn", "ldapprefix", or "ldapsuffix" to be set';
    }
    if (has('ldapsearchattribute') && has('ldapsearchfilter'))
      return 'cannot use ldapsearchattribute together with ldapsearchfilter';
  }
  if (method === 'radius') {
    // An empty list is stored as no list at all, so it reads as a missing argument.
    const n = (k: string) => lists[k]?.length ?? 0;
    if (n('radiusservers') === 0) return 'authentication method "radius" requires argument "radiusservers" to be set';
    if (n('radiussecrets') === 0) return 'authentication method "radius" requires argument "radiussecrets" to be set';
    const servers = n('radiusservers');
    for (const [key, label, zeroOk] of [
      ['radiussecrets', 'secrets', false],
      ['radiusports', 'ports', true],
      ['radiusidentifiers', 'identifiers', true],
    ] as const) {
      const count = n(key);
      if (!((zeroOk && count === 0) || count === 1 || count === servers))
        return `the number of RADIUS ${label} (${count}) must be 1 or the same as the number of RADIUS servers (${servers})`;
    }
  }
  if (method === 'oauth') {
    if (!has('scope')) return 'authentication method "oauth" requires argument "scope" to be set';
    if (!has('issuer')) return 'authentication method "oauth" requires argument "issuer" to be set';
    if (has('map') && seen.get('delegate_ident_mapping') === '1')
      return 'map cannot be used in combination with delegate_ident_mapping';
  }
  return undefined;
}

/** C atoi: optional blanks and sign, then digits; anything else stops it. */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m ? parseInt(m[1], 10) | 0 : 0;
}

/** What an ldapurl sets (OpenLDAP's ldap_url_parse): base DN after '/', first attribute, filter. */
function ldapUrlSettings(url: string): [string, string][] {
  const rest = url.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/, '');
  if (!rest.startsWith('/')) return [];
  const [dn, attrs = '', , filter = ''] = rest.slice(1).split('?');
  const out: [string, string][] = [['ldapbasedn', decodeURIComponentSafe(dn)]];
  if (attrs) out.push(['ldapsearchattribute', attrs.split(',')[0]]);
  if (filter) out.push(['ldapsearchfilter', decodeURIComponentSafe(filter)]);
  return out;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function ldapUrlProblem(url: string): string | undefined {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url);
  if (!m) return `could not parse LDAP URL "${url}": Bad parameter to an ldap routine`;
  const scheme = m[1].toLowerCase();
  if (scheme !== 'ldap' && scheme !== 'ldaps') return `unsupported LDAP URL scheme: ${m[1]}`;
  return undefined;
}
