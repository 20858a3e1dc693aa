import type { ConfRule } from './rule';
import { PG_CONFIG_DOCS } from './conf-helpers';
import { isValidCustomName, lookupParam, suggestParam } from '../engine/conf/catalog';

export const confUnknownParameter: ConfRule = {
  id: 'conf-unknown-parameter',
  kind: 'conf',
  severity: 'error',
  fix: 'manual',
  docs: {
    summary: 'A parameter name the target PostgreSQL version does not know, and that is not a dotted custom name.',
    why:
      'PostgreSQL refuses to start when postgresql.conf names a parameter it does not know, and a reload with one ' +
      'applies nothing: a typo in a security setting leaves the server on its default.',
    bad: 'listen_adresses = \'localhost\'\n',
    good: 'listen_addresses = \'localhost\'\n',
    fixNotes: 'The suggestion is the closest known name; check that it is the parameter you meant before renaming.',
    references: [{ title: 'PostgreSQL: Server Configuration', url: PG_CONFIG_DOCS }],
  },
  check({ analysis, pgVersion }, report) {
    for (const s of analysis.settings) {
      if (lookupParam(s.key, pgVersion) || isValidCustomName(s.name)) continue;
      const pgError = `unrecognized configuration parameter "${s.name}" in file "${s.file}" line ${s.line + 1}`;
      const suggestion = suggestParam(s.key, pgVersion);
      report({
        file: s.file,
        range: s.nameRange,
        message: `${pgError}. PostgreSQL ${pgVersion} refuses to start with it${suggestion ? `; did you mean "${suggestion}"?` : '.'}`,
        pgError,
        pgLine: s.line,
        fixes: suggestion
          ? [{ title: `Rename to ${suggestion} (check that this is the parameter you meant)`, safety: 'manual', edits: [{ file: s.file, range: s.nameRange, newText: suggestion }] }]
          : [],
      });
    }
  },
};
