import type { ConfRule } from './rule';
import { PG_CONFIG_DOCS } from './conf-helpers';
import { linesOfFiles } from '../engine/lines';

export const confDuplicate: ConfRule = {
  id: 'conf-duplicate',
  kind: 'conf',
  severity: 'warning',
  fix: 'manual',
  docs: {
    summary: 'A parameter set more than once: every occurrence but the last has no effect.',
    why:
      'PostgreSQL applies the last occurrence of a parameter (postgresql.auto.conf, written by ALTER SYSTEM, comes ' +
      'last of all). A hardening line followed by an older one further down, or in an included file, is silently undone.',
    bad: "ssl = on\nssl = off\n",
    good: 'ssl = on\n',
    fixNotes: 'Deleting the earlier line changes nothing at run time; but decide which value you meant, the later one wins.',
    references: [{ title: 'PostgreSQL: Setting Parameters via the Configuration File', url: PG_CONFIG_DOCS }],
  },
  check({ analysis }, report) {
    const linesOf = linesOfFiles(analysis.texts);
    for (const [s, winner] of analysis.overridden) {
      const where = winner.file === s.file ? `line ${winner.line + 1}` : `line ${winner.line + 1} of ${winner.file}`;
      const lines = linesOf(s.file) ?? [];
      const lineEnd = s.line + 1 < lines.length ? { line: s.line + 1, character: 0 } : { line: s.line, character: (lines[s.line] ?? '').length };
      report({
        file: s.file,
        range: s.range,
        message: `${s.name} is set again at ${where} (${winner.rawValue}), so this line has no effect. Keep one of them.`,
        related: [{ file: winner.file, range: winner.range, message: `${winner.name} takes effect here` }],
        fixes: [
          {
            title: `Delete this line (${winner.rawValue} at ${where} stays in effect)`,
            safety: 'manual',
            edits: [{ file: s.file, range: { start: { line: s.line, character: 0 }, end: lineEnd }, newText: '' }],
          },
        ],
      });
    }
  },
};
