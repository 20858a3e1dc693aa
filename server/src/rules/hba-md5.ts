import type { HbaRule } from './rule';
import { PG_AUTH_METHODS_DOCS, methodFix } from './hba-helpers';

export const hbaMd5: HbaRule = {
  id: 'hba-md5',
  kind: 'hba',
  severity: 'warning',
  fix: 'manual',
  docs: {
    summary: 'Records with method md5: a weak, deprecated challenge-response.',
    why:
      'The md5 method lets a stolen password hash log in without knowing the password (pass-the-hash), and MD5 ' +
      'passwords are deprecated since PostgreSQL 18. scram-sha-256 stores salted, iterated verifiers and resists both.',
    bad: 'hostssl app app 10.0.0.0/8 md5\n',
    good: 'hostssl app app 10.0.0.0/8 scram-sha-256\n',
    fixNotes:
      'Roles whose password is stored as md5 cannot log in over scram-sha-256: set their passwords again with ' +
      'password_encryption = scram-sha-256 first (while md5 is in place, md5 already accepts SCRAM-stored passwords).',
    references: [
      { title: 'PostgreSQL: Password Authentication', url: 'https://www.postgresql.org/docs/current/auth-password.html' },
      { title: 'PostgreSQL 18 release notes: MD5 passwords deprecated', url: 'https://www.postgresql.org/docs/release/18.0/' },
      { title: 'PostgreSQL: Authentication Methods', url: PG_AUTH_METHODS_DOCS },
    ],
  },
  check({ analysis }, report) {
    for (const r of analysis.records) {
      if (r.method !== 'md5') continue;
      report({
        file: r.source.file,
        range: r.methodToken.range,
        message:
          'md5 is weak and deprecated: a leaked password hash is enough to log in. Use scram-sha-256; roles whose passwords are stored as md5 must set them again first.',
        fixes: [
          methodFix(r, 'scram-sha-256', 'Use scram-sha-256 (roles with md5-stored passwords must set them again first)'),
        ],
      });
    }
  },
};
