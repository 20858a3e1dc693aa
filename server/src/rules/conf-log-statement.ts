import type { ConfRule } from './rule';
import { PG_LOGGING_DOCS, reportParam, setParamFix } from './conf-helpers';

export const confLogStatement: ConfRule = {
  id: 'conf-log-statement',
  kind: 'conf',
  severity: 'information',
  fix: 'manual',
  docs: {
    summary: "log_statement none (PostgreSQL's default): schema changes leave no trace.",
    why:
      'With log_statement = none, CREATE, ALTER, DROP, GRANT and the like are not logged: a new superuser role or a ' +
      'dropped policy can appear without a record. ddl logs them at little cost.',
    bad: 'log_statement = none\n',
    good: 'log_statement = ddl\n',
    fixNotes: 'ddl logs every DDL statement, including the text of CREATE/ALTER ROLE (passwords included, unless set as SCRAM verifiers). Check who can read the logs.',
    references: [{ title: 'PostgreSQL: log_statement', url: `${PG_LOGGING_DOCS}#GUC-LOG-STATEMENT` }],
  },
  check(ctx, report) {
    reportParam(
      ctx,
      report,
      'log_statement',
      (s) => !s || s.value.toLowerCase() === 'none',
      (s) => ({
        message: `log_statement is ${s ? s.rawValue : 'not set (none)'}: role, grant and schema changes are not logged. Consider ddl.`,
        fixes: [setParamFix(ctx.analysis, 'log_statement', 'ddl', 'Log DDL statements (log_statement = ddl; their text, passwords included, lands in the log)', 'manual')!],
      }),
    );
  },
};
