import type { ConfRule } from './rule';
import { PG_CONFIG_DOCS, confString } from './conf-helpers';
import type { Fix } from '../engine/types';
import { linesOfFiles } from '../engine/lines';

/**
 * The usual syntax error is a value that needs quotes (1.5GB, 64 MB, a list with spaces): offer to
 * quote everything between the name and the comment, when that is unambiguous.
 */
export function quoteValueFix(file: string, line: number, text: string): Fix | undefined {
  const m = /^(\s*[A-Za-z_\u0080-\uffff][\w.\u0080-\uffff]*(?:\s*=\s*|\s+))([^'#=]*?)\s*(#.*)?$/.exec(text.replace(/\r$/, ''));
  if (!m || !/\s|\d\.\d*[A-Za-z]/.test(m[2].trim()) || m[2].trim() === '') return undefined;
  const start = m[1].length;
  const value = m[2].trim();
  return {
    title: `Quote the value: ${confString(value)} (PostgreSQL will then read it; check it is what you meant)`,
    safety: 'manual',
    edits: [{ file, range: { start: { line, character: start }, end: { line, character: start + value.length } }, newText: confString(value) }],
  };
}

export const confSyntax: ConfRule = {
  id: 'conf-syntax',
  kind: 'conf',
  severity: 'error',
  fix: 'manual',
  docs: {
    summary: 'A line PostgreSQL\'s configuration lexer rejects, or an include it cannot follow, with PostgreSQL\'s message.',
    why:
      'A postgresql.conf with a syntax error stops the server from starting, and a reload with one applies nothing ' +
      'from that file: the setting you meant to change keeps its old value.',
    bad: "shared_buffers = 1.5GB\n",
    good: "shared_buffers = '1.5GB'\n",
    fixNotes: 'Quoting a value makes PostgreSQL read it as written: check that it is the value you meant.',
    references: [{ title: 'PostgreSQL: Setting Parameters (parameter interaction via the configuration file)', url: PG_CONFIG_DOCS }],
  },
  check({ analysis }, report) {
    const linesOf = linesOfFiles(analysis.texts);
    for (const e of analysis.errors) {
      const lineText = linesOf(e.file)?.[e.line] ?? '';
      const fix = e.message.startsWith('syntax error') ? quoteValueFix(e.file, e.line, lineText) : undefined;
      report({
        file: e.file,
        range: e.range,
        message: `${e.message}. PostgreSQL will not start with this file, and a reload ignores it: fix the line.`,
        pgError: e.message,
        pgLine: e.line,
        fixes: fix ? [fix] : [],
      });
    }
  },
};
