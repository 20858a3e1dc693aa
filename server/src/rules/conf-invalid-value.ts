import type { ConfRule } from './rule';
import { PG_CONFIG_DOCS, confString, setValueFix } from './conf-helpers';
import { lookupParam } from '../engine/conf/catalog';
import { validateValue, type ValueProblem } from '../engine/conf/values';
import type { ConfSetting } from '../engine/conf/parse';
import type { Fix } from '../engine/types';

/** A unit written in the wrong case (64mb, 5S): units are case-sensitive, the intent is plain. */
function unitCaseFix(s: ConfSetting, problem: ValueProblem): Fix | undefined {
  const units = [...(problem.hint?.matchAll(/"([A-Za-z]+)"/g) ?? [])].map((m) => m[1]);
  const m = /^(\s*[-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?\s*)([A-Za-z]+)\s*$/.exec(s.value);
  const unit = m && units.find((u) => u.toLowerCase() === m[2].toLowerCase() && u !== m[2]);
  if (!m || !unit) return undefined;
  const value = `${m[1].trim()}${unit}`;
  return setValueFix(s, confString(value), `Write the unit as PostgreSQL spells it: ${confString(value)}`, 'manual');
}

export const confInvalidValue: ConfRule = {
  id: 'conf-invalid-value',
  kind: 'conf',
  severity: 'error',
  fix: 'manual',
  docs: {
    summary: 'A value PostgreSQL rejects for the parameter\'s type, unit, allowed values or range, with PostgreSQL\'s message.',
    why:
      'PostgreSQL refuses to start when a setting in postgresql.conf has an invalid value, and a reload keeps the old ' +
      'value: the protection you configured is not in force.',
    bad: 'ssl_min_protocol_version = \'TLSv1.4\'\n',
    good: 'ssl_min_protocol_version = \'TLSv1.3\'\n',
    fixNotes: 'A unit written in the wrong case is corrected to the unit it spells; check that the value is the one you meant.',
    references: [{ title: 'PostgreSQL: Setting Parameters (numeric units, booleans, enums)', url: PG_CONFIG_DOCS }],
  },
  check({ analysis, pgVersion }, report) {
    // PostgreSQL only validates the occurrence that takes effect; earlier ones are conf-duplicate's business.
    for (const s of analysis.effective.values()) {
      const param = lookupParam(s.key, pgVersion);
      if (!param) continue;
      const problem = validateValue(param, s.value, pgVersion, s.name);
      if (!problem) continue;
      const fix = unitCaseFix(s, problem);
      const later = problem.stage === 'start';
      report({
        file: s.file,
        range: s.valueRange,
        message: `${problem.message}${problem.detail ? ` ${problem.detail.replace(/\.$/, '')}.` : ''}${problem.hint ? ` (${problem.hint.replace(/\.$/, '')})` : ''}. ${
          later && !problem.fatal ? `PostgreSQL ${pgVersion} reads the file but fails on this value as it starts.` : `PostgreSQL ${pgVersion} will not start with it.`
        }`,
        // Problems found while reading the file are the ones PostgreSQL reports in the configuration check.
        ...(later ? {} : { pgError: problem.message, pgLine: s.line }),
        fixes: fix ? [fix] : [],
      });
    }
  },
};
