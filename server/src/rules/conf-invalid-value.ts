import type { ConfRule } from './rule';
import { PG_CONFIG_DOCS } from './conf-helpers';
import { lookupParam } from '../engine/conf/catalog';
import { validateValue } from '../engine/conf/values';

export const confInvalidValue: ConfRule = {
  id: 'conf-invalid-value',
  kind: 'conf',
  severity: 'error',
  fix: 'none',
  docs: {
    summary: 'A value PostgreSQL rejects for the parameter\'s type, unit, allowed values or range, with PostgreSQL\'s message.',
    why:
      'PostgreSQL refuses to start when a setting in postgresql.conf has an invalid value, and a reload keeps the old ' +
      'value: the protection you configured is not in force.',
    bad: 'ssl_min_protocol_version = \'TLSv1.4\'\n',
    good: 'ssl_min_protocol_version = \'TLSv1.3\'\n',
    references: [{ title: 'PostgreSQL: Setting Parameters (numeric units, booleans, enums)', url: PG_CONFIG_DOCS }],
  },
  check({ analysis, pgVersion }, report) {
    // PostgreSQL only validates the occurrence that takes effect; earlier ones are conf-duplicate's business.
    for (const s of analysis.effective.values()) {
      const param = lookupParam(s.key, pgVersion);
      if (!param) continue;
      const problem = validateValue(param, s.value, pgVersion, s.name);
      if (!problem) continue;
      report({
        file: s.file,
        range: s.valueRange,
        message: `${problem.message}${problem.hint ? ` (${problem.hint.replace(/\.$/, '')})` : ''}. PostgreSQL ${pgVersion} will not start with it.`,
        pgError: problem.message,
        pgLine: s.line,
      });
    }
  },
};
