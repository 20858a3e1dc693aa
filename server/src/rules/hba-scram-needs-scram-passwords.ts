import type { HbaRule } from './rule';
import { PG_AUTH_METHODS_DOCS } from './hba-helpers';
import { setParamFix } from './conf-helpers';
import { isMd5 } from './conf-password-encryption';

export const hbaScramNeedsScramPasswords: HbaRule = {
  id: 'hba-scram-needs-scram-passwords',
  kind: 'hba',
  severity: 'warning',
  fix: 'safe',
  docs: {
    summary: 'scram-sha-256 records while the postgresql.conf beside pg_hba.conf stores new passwords as md5.',
    why:
      'scram-sha-256 authentication needs a SCRAM verifier. With password_encryption = md5, every password set from ' +
      'now on is stored as MD5, and its role can no longer log in through these records.',
    bad: 'hostssl app app 10.0.0.0/8 scram-sha-256\n',
    good: 'hostssl app app 10.0.0.0/8 scram-sha-256\n',
    companion: { file: 'postgresql.conf', bad: 'password_encryption = md5\n', good: 'password_encryption = scram-sha-256\n' },
    references: [
      { title: 'PostgreSQL: Password Authentication', url: 'https://www.postgresql.org/docs/current/auth-password.html' },
      { title: 'PostgreSQL: Authentication Methods', url: PG_AUTH_METHODS_DOCS },
    ],
  },
  check({ analysis, serverConf, pgVersion }, report) {
    if (!serverConf) return;
    const s = serverConf.effective.get('password_encryption');
    if (s ? !isMd5(s.value, pgVersion) : pgVersion >= 14) return;
    const fix = setParamFix(serverConf, 'password_encryption', 'scram-sha-256', 'Store new passwords as SCRAM-SHA-256 (password_encryption in postgresql.conf)', 'safe');
    for (const r of analysis.records) {
      if (r.method !== 'scram-sha-256') continue;
      report({
        file: r.source.file,
        range: r.methodToken.range,
        message: 'The postgresql.conf beside this file stores new passwords as md5, so roles whose passwords are set from now on cannot log in with scram-sha-256 here. Set password_encryption = scram-sha-256 there.',
        fixes: fix ? [fix] : [],
      });
    }
  },
};
