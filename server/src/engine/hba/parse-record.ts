// parse_hba_line: turns a tokenized line into a record, or into the error PostgreSQL reports for it.
// Checks run in PostgreSQL's order, because only the first error of a line is reported.
import { GAI_NONAME_TEXT, cidrMask, makeRange, parseNumericHost } from './address';
import { parseAuthOptions } from './options';
import { regexError } from './regex';
import {
  CONNECTION_TYPES,
  METHODS,
  type Address,
  type AuthOption,
  type ConnectionType,
  type HbaError,
  type HbaRecord,
  type Method,
  effectiveMethod,
  isKeyword,
} from './record';
import type { SourceLine } from './read';
import type { Token } from './tokenize';

const NO_OPTIONS: readonly AuthOption[] = Object.freeze([]);

const METHODS_BEFORE_18 = METHODS.filter((m) => m !== 'oauth');

export function methodsFor(pgVersion: number): readonly Method[] {
  return pgVersion >= 18 ? METHODS : METHODS_BEFORE_18;
}

export function parseRecord(line: SourceLine, pgVersion: number): HbaRecord | HbaError {
  const fail = (message: string, at?: Token): HbaError => ({ message, range: at?.range ?? line.range });
  // Fields are read off the line one by one: a record keeps only its database and role lists.
  const count = line.count;
  let i = 0;

  if (line.size(i) > 1) return fail('multiple values specified for connection type', line.at(i, 1));
  const typeToken = line.at(i++);
  if (!(CONNECTION_TYPES as readonly string[]).includes(typeToken.text))
    return fail(`invalid connection type "${typeToken.text}"`, typeToken);
  const type = typeToken.text as ConnectionType;

  if (i >= count) return fail('end-of-line before database specification');
  const databases = line.field(i++);
  const badDb = pgVersion >= 16 && regexProblem(databases);
  if (badDb) return badDb;

  if (i >= count) return fail('end-of-line before role specification');
  const users = line.field(i++);
  const badUser = pgVersion >= 16 && regexProblem(users);
  if (badUser) return badUser;

  let address: Address | undefined;
  if (type !== 'local') {
    if (i >= count) return fail('end-of-line before IP address specification');
    if (line.size(i) > 1) return fail('multiple values specified for host address', line.at(i, 1));
    const token = line.at(i++);
    if (isKeyword(token, 'all') || isKeyword(token, 'samehost') || isKeyword(token, 'samenet')) {
      address = { kind: token.text as 'all' | 'samehost' | 'samenet', token };
    } else {
      const slash = token.text.indexOf('/');
      const host = slash >= 0 ? token.text.slice(0, slash) : token.text;
      const ip = parseNumericHost(host);
      if (typeof ip === 'object' && 'gaiError' in ip) return fail(`invalid IP address "${host}": ${ip.gaiError}`, token);
      if (ip === 'hostname') {
        if (slash >= 0) return fail(`specifying both host name and CIDR mask is invalid: "${token.text}"`, token);
        address = { kind: 'hostname', token, name: host };
      } else if (slash >= 0) {
        const mask = cidrMask(token.text.slice(slash + 1), ip.family);
        if (!mask) return fail(`invalid CIDR mask in address "${token.text}"`, token);
        address = { kind: 'ip', token, range: makeRange(ip, mask) };
      } else {
        if (i >= count) return fail('end-of-line before netmask specification', token);
        if (line.size(i) > 1) return fail('multiple values specified for netmask', line.at(i, 1));
        const maskToken = line.at(i++);
        const mask = parseNumericHost(maskToken.text);
        if (typeof mask !== 'object' || 'gaiError' in mask) {
          const why = mask === 'hostname' ? GAI_NONAME_TEXT : mask.gaiError;
          return fail(`invalid IP mask "${maskToken.text}": ${why}`, maskToken);
        }
        if (mask.family !== ip.family) return fail('IP address and mask do not match', maskToken);
        address = { kind: 'ip', token, range: makeRange(ip, mask.bytes), maskToken };
      }
    }
  }

  if (i >= count) return fail('end-of-line before authentication method');
  if (line.size(i) > 1) return fail('multiple values specified for authentication type', line.at(i, 1));
  const methodToken = line.at(i++);
  if (!methodsFor(pgVersion).includes(methodToken.text as Method))
    return fail(`invalid authentication method "${methodToken.text}"`, methodToken);
  const method = methodToken.text as Method;
  const effective = effectiveMethod(type, method);

  if (type === 'local' && effective === 'gss')
    return fail('gssapi authentication is not supported on local sockets', methodToken);
  if (type !== 'local' && effective === 'peer')
    return fail('peer authentication is only supported on local sockets', methodToken);
  if (type !== 'hostssl' && effective === 'cert')
    return fail('cert authentication is only supported on hostssl connections', methodToken);

  const record: HbaRecord = {
    source: line,
    type,
    typeToken,
    databases,
    users,
    address,
    method,
    methodToken,
    options: NO_OPTIONS,
  };
  const optionFields: Token[][] = [];
  while (i < count) optionFields.push(line.field(i++));
  const optionError = parseAuthOptions(record, optionFields, pgVersion);
  return optionError ?? record;
}

/** Database and role tokens starting with '/' are regular expressions from 16 on, quoted or not. */
function regexProblem(tokens: Token[]): HbaError | undefined {
  for (const t of tokens) {
    if (!t.text.startsWith('/')) continue;
    const err = regexError(t.text.slice(1));
    if (err) return { message: `invalid regular expression "${t.text.slice(1)}": ${err}`, range: t.range };
  }
  return undefined;
}

export const isHbaError = (r: HbaRecord | HbaError): r is HbaError => 'message' in r;
