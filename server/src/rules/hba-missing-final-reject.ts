import type { HbaRule } from './rule';
import type { HbaRecord } from '../engine/hba/record';
import { recordCovers } from '../engine/hba/coverage';
import { parseRecord, isHbaError } from '../engine/hba/parse-record';
import { logicalLines, tokenizeFields } from '../engine/hba/tokenize';
import { SourceLine } from '../engine/hba/read';
import { CIS_POSTGRES, PG_HBA_DOCS, fix, isReject } from './hba-helpers';

const CATCH_ALL = ['host all all 0.0.0.0/0 reject', 'host all all ::/0 reject'];

function probe(text: string): HbaRecord {
  const [l] = logicalLines(text, false);
  const r = parseRecord(new SourceLine('', l.line, l.endLine, tokenizeFields(l, () => []).fields), 17);
  if (isHbaError(r)) throw new Error(`bad probe record: ${text}`);
  return r;
}

export const hbaMissingFinalReject: HbaRule = {
  id: 'hba-missing-final-reject',
  kind: 'hba',
  severity: 'hint',
  fix: 'safe',
  docs: {
    summary: 'The file does not end with explicit catch-all rejects for IPv4 and IPv6.',
    why:
      'PostgreSQL rejects a connection no record matches, but the file does not say so. Explicit final rejects make ' +
      'the policy auditable, show reviewers where allowed access ends, and keep a later record appended below them ' +
      'from silently opening access (hba-unreachable then reports it).',
    bad: 'hostssl app app 10.0.0.0/8 scram-sha-256\n',
    good: 'hostssl app app 10.0.0.0/8 scram-sha-256\nhost all all 0.0.0.0/0 reject\nhost all all ::/0 reject\n',
    references: [
      { title: 'PostgreSQL: The pg_hba.conf File', url: PG_HBA_DOCS },
      { title: 'CIS PostgreSQL Benchmark', url: CIS_POSTGRES },
    ],
  },
  check({ analysis, isMainFile }, report) {
    if (!isMainFile || analysis.records.length === 0) return;
    const trailing: HbaRecord[] = [];
    for (let i = analysis.records.length - 1; i >= 0 && isReject(analysis.records[i]); i--)
      trailing.push(analysis.records[i]);
    const missing = CATCH_ALL.filter((line) => !trailing.some((r) => recordCovers(r, probe(line))));
    if (missing.length === 0) return;
    const text = analysis.text;
    const lines = text.split('\n');
    const lastLine = lines.length - 1;
    const end = { line: lastLine, character: lines[lastLine].length };
    const endsLine = text.length === 0 || text.endsWith('\n');
    // A last line ending in a backslash continues onto the next (PostgreSQL 16+): a blank line ends it first.
    const continued = /\\\r?$/.test(lines[endsLine ? Math.max(0, lastLine - 1) : lastLine]);
    const prefix = (endsLine ? '' : '\n') + (continued ? '\n' : '');
    let shown = lastLine;
    while (shown > 0 && lines[shown].trim() === '') shown--;
    report({
      file: analysis.file,
      range: { start: { line: shown, character: 0 }, end: { line: shown, character: lines[shown].replace(/\r$/, '').length } },
      message: `No explicit catch-all reject at the end (${missing.join('; ')}). PostgreSQL rejects unmatched connections anyway; saying so makes the policy auditable. Append the reject records.`,
      fixes: [fix('Append catch-all reject records (changes nothing about who can connect)', 'safe', [
        { file: analysis.file, range: { start: end, end }, newText: `${prefix}${missing.join('\n')}\n` },
      ])],
    });
  },
};
