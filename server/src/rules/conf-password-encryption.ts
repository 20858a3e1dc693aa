import type { ConfRule } from './rule';
import { PG_CONNECTION_DOCS, reportParam, setParamFix } from './conf-helpers';
import { parseBool } from '../engine/conf/values';

export const confPasswordEncryption: ConfRule = {
  id: 'conf-password-encryption',
  kind: 'conf',
  severity: 'error',
  fix: 'safe',
  docs: {
    summary: 'password_encryption = md5 (or a legacy on/off): new passwords are stored as MD5 hashes.',
    why:
      'An MD5-stored password hash is enough to log in with md5 authentication, and MD5 passwords are deprecated ' +
      'since PostgreSQL 18. scram-sha-256 stores salted, iterated verifiers; it is the default since PostgreSQL 14.',
    bad: 'password_encryption = md5\n',
    good: 'password_encryption = scram-sha-256\n',
    references: [
      { title: 'PostgreSQL: password_encryption', url: `${PG_CONNECTION_DOCS}#GUC-PASSWORD-ENCRYPTION` },
      { title: 'PostgreSQL: Password Authentication', url: 'https://www.postgresql.org/docs/current/auth-password.html' },
    ],
  },
  check(ctx, report) {
    reportParam(
      ctx,
      report,
      'password_encryption',
      (s) => (s ? isMd5(s.value, ctx.pgVersion) : ctx.pgVersion < 14),
      (s) => ({
        message: s
          ? `password_encryption ${s.rawValue} stores every password set from now on as an MD5 hash, which is deprecated and enough to log in with. Use scram-sha-256.`
          : 'password_encryption is not set, and PostgreSQL 13 then stores passwords as MD5 hashes. Set scram-sha-256.',
        fixes: [setParamFix(ctx.analysis, 'password_encryption', 'scram-sha-256', 'Store new passwords as SCRAM-SHA-256 (existing ones are unchanged)', 'safe')!],
      }),
    );
  },
};

/** md5, or the boolean spellings older servers took to mean md5 (on) or plain text (off). */
export function isMd5(value: string, pgVersion: number): boolean {
  return value.toLowerCase() === 'md5' || parseBool(value, pgVersion) !== undefined;
}
