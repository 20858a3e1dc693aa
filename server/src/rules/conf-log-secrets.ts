import type { ConfRule } from './rule';
import { PG_LOGGING_DOCS, setValueFix } from './conf-helpers';
import { parseBool } from '../engine/conf/values';
import type { ConfSetting } from '../engine/conf/parse';
import type { Fix } from '../engine/types';

export const confLogSecrets: ConfRule = {
  id: 'conf-log-secrets',
  kind: 'conf',
  severity: 'information',
  fix: 'manual',
  docs: {
    summary: 'Settings that copy passwords into the logs: log_statement all, pgaudit.log_parameter on, log_min_duration_statement 0.',
    why:
      'These log the text (or parameters) of every statement, so CREATE/ALTER ROLE … PASSWORD and application ' +
      'secrets end up in log files, log shippers and backups, readable by far more people than the database.',
    bad: 'log_statement = all\n',
    good: 'log_statement = ddl\n',
    fixNotes: 'Logging less means less to investigate with; ddl still logs role and schema changes.',
    references: [
      { title: 'PostgreSQL: What to Log', url: `${PG_LOGGING_DOCS}#RUNTIME-CONFIG-LOGGING-WHAT` },
      { title: 'pgaudit: pgaudit.log_parameter', url: 'https://github.com/pgaudit/pgaudit/blob/main/README.md' },
    ],
  },
  check({ analysis, pgVersion }, report) {
    const flag = (name: string, when: (s: ConfSetting) => boolean, what: string, fix: (s: ConfSetting) => Fix) => {
      const s = analysis.effective.get(name);
      if (!s || !when(s)) return;
      report({
        file: s.file,
        range: s.range,
        message: `${s.name} = ${s.rawValue} ${what}, so passwords and other secrets in statements land in the logs. Log less, or restrict who reads the logs.`,
        fixes: [fix(s)],
      });
    };
    flag('log_statement', (s) => s.value.toLowerCase() === 'all', 'logs every statement', (s) =>
      setValueFix(s, 'ddl', 'Log DDL only (log_statement = ddl)', 'manual'),
    );
    flag('pgaudit.log_parameter', (s) => parseBool(s.value, pgVersion) === true, 'logs statement parameters', (s) =>
      setValueFix(s, 'off', 'Stop logging parameters (pgaudit.log_parameter = off)', 'manual'),
    );
    flag('log_min_duration_statement', (s) => /^\s*[+]?0+\s*(us|ms|s|min|h|d)?\s*$/.test(s.value), 'logs every statement with its duration', (s) =>
      setValueFix(s, "'1s'", 'Log only statements slower than 1 s', 'manual'),
    );
  },
};
