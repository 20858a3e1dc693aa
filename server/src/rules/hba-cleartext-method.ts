import type { HbaRule } from './rule';
import { PG_AUTH_METHODS_DOCS, hostsslFix, isRemote } from './hba-helpers';

const CLEARTEXT = new Set(['ldap', 'radius', 'pam', 'bsd']);

export const hbaCleartextMethod: HbaRule = {
  id: 'hba-cleartext-method',
  kind: 'hba',
  severity: 'warning',
  fix: 'manual',
  docs: {
    summary: 'ldap, radius, pam or bsd on a record for remote clients that does not require TLS.',
    why:
      'These methods ask the client for its password in clear text and check it elsewhere. Without TLS on the ' +
      'connection (hostssl) the password crosses the network readable by anyone on the path, and it is usually a ' +
      'single-sign-on password worth more than the database.',
    bad: 'host all all 10.0.0.0/8 ldap ldapserver=ldap.example.com ldapprefix="cn=" ldapsuffix=",dc=example,dc=com"\n',
    good: 'hostssl all all 10.0.0.0/8 ldap ldapserver=ldap.example.com ldapprefix="cn=" ldapsuffix=",dc=example,dc=com"\n',
    fixNotes:
      'hostssl records need ssl = on in postgresql.conf, or PostgreSQL refuses the whole file; clients without TLS lose access. ' +
      'Unix-socket (local), loopback and GSSAPI-encrypted (hostgssenc) records are not flagged: the password does not cross the network in clear.',
    references: [
      { title: 'PostgreSQL: Authentication Methods', url: PG_AUTH_METHODS_DOCS },
      { title: 'PostgreSQL: LDAP Authentication', url: 'https://www.postgresql.org/docs/current/auth-ldap.html' },
    ],
  },
  check({ analysis }, report) {
    for (const r of analysis.records) {
      if (!CLEARTEXT.has(r.method)) continue;
      if (r.type === 'hostssl' || r.type === 'hostgssenc' || !isRemote(r)) continue;
      report({
        file: r.source.file,
        range: r.methodToken.range,
        message: `${r.method} receives the password in clear text, and this record does not require TLS, so the password can be read on the network. Use hostssl.`,
        fixes: [hostsslFix(r)],
      });
    }
  },
};
