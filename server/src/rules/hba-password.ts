import type { HbaRule } from './rule';
import { PG_AUTH_METHODS_DOCS, methodFix } from './hba-helpers';

export const hbaPassword: HbaRule = {
  id: 'hba-password',
  kind: 'hba',
  severity: 'error',
  fix: 'manual',
  docs: {
    summary: 'Records with method password: the password crosses the connection in clear text.',
    why:
      'With password, the client sends the password itself. Without TLS anyone on the path reads it; with TLS a server ' +
      'impersonator or a log still can. scram-sha-256 never sends the password and proves both sides know it.',
    bad: 'hostssl app app 10.0.0.0/8 password\n',
    good: 'hostssl app app 10.0.0.0/8 scram-sha-256\n',
    fixNotes:
      'scram-sha-256 only works for roles whose password is stored as a SCRAM verifier: roles with an md5-stored ' +
      'password must set their password again (with password_encryption = scram-sha-256) before the change.',
    references: [
      { title: 'PostgreSQL: Password Authentication', url: 'https://www.postgresql.org/docs/current/auth-password.html' },
      { title: 'PostgreSQL: Authentication Methods', url: PG_AUTH_METHODS_DOCS },
    ],
  },
  check({ analysis }, report) {
    for (const r of analysis.records) {
      if (r.method !== 'password') continue;
      report({
        file: r.source.file,
        range: r.methodToken.range,
        message:
          'password sends the password in clear text on every login. Use scram-sha-256 (roles whose password is stored as md5 must set it again first).',
        fixes: [
          methodFix(r, 'scram-sha-256', 'Use scram-sha-256 (roles with md5-stored passwords must set them again first)'),
        ],
      });
    }
  },
};
