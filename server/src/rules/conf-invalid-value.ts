import type { ConfRule } from './rule';
import { PG_CONFIG_DOCS, confString, setValueFix } from './conf-helpers';
import { validateSettings, type ValueProblem } from '../engine/conf/values';
import type { ConfSetting } from '../engine/conf/parse';
import type { Fix } from '../engine/types';
import { closestWord, lookupParam } from '../engine/conf/catalog';

/** An enum value one or two letters off a valid one: offer the closest ("did you mean"). */
function enumFix(s: ConfSetting, pgVersion: number): Fix | undefined {
  const p = lookupParam(s.name, pgVersion);
  const best = p?.type === 'enum' ? closestWord(s.value, p.enumValues ?? []) : undefined;
  if (best === undefined) return undefined;
  return setValueFix(s, confString(best), `Did you mean ${confString(best)}? (check it is the value you meant)`, 'manual');
}

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
    fixNotes:
      'A unit written in the wrong case is corrected to the unit it spells, and a misspelt enum value to the closest ' +
      'allowed one; check that the value is the one you meant.',
    references: [{ title: 'PostgreSQL: Setting Parameters (numeric units, booleans, enums)', url: PG_CONFIG_DOCS }],
  },
  check({ analysis, pgVersion }, report) {
    // validateSettings checks what PostgreSQL checks, in its order: of occurrences spelled alike only
    // the last; settings that depend on earlier ones.
    const settings = analysis.settings;
    for (const { index, problem } of validateSettings(settings, pgVersion)) {
      const s = settings[index];
      const fix = unitCaseFix(s, problem) ?? enumFix(s, pgVersion);
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
