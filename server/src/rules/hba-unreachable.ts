import type { HbaRule } from './rule';
import type { HbaRecord } from '../engine/hba/record';
import type { TextEdit } from '../engine/types';
import { findShadowing } from '../engine/hba/coverage';
import { PG_HBA_DOCS, fix, isReject, recordLabel } from './hba-helpers';

export const hbaUnreachable: HbaRule = {
  id: 'hba-unreachable',
  kind: 'hba',
  severity: 'warning',
  fix: 'manual',
  docs: {
    summary: 'A record no connection can reach, because an earlier record matches every connection it would.',
    why:
      'PostgreSQL uses the first record that matches a connection\'s type, database, user and address, and never ' +
      'looks further. A record below a broader one is dead: when it is a reject or a stricter method, the protection ' +
      'you wrote is not in force.',
    bad: 'hostssl all all 10.0.0.0/8 scram-sha-256\nhostssl all intern 10.0.0.0/8 reject\n',
    good: 'hostssl all intern 10.0.0.0/8 reject\nhostssl all all 10.0.0.0/8 scram-sha-256\n',
    fixNotes:
      'Moving the record above the one that shadows it changes which method applies to the connections both match; ' +
      'deleting it removes a rule someone meant to have. Decide which one is right.',
    references: [{ title: 'PostgreSQL: The pg_hba.conf File (records are examined in order)', url: PG_HBA_DOCS }],
  },
  check({ analysis }, report) {
    let lines: string[] | undefined; // split once, and only when something is unreachable
    for (const [b, a] of findShadowing(analysis.records)) {
      const where = a.source.file === b.source.file ? recordLabel(a) : `${recordLabel(a)} of ${a.source.file}`;
      const message =
        isReject(b) && !isReject(a)
          ? `This reject never takes effect: ${where} already accepts (${a.method}) every connection it would block, and the first matching record wins. Move it above ${recordLabel(a)}.`
          : `This record is unreachable: ${where} matches every connection it would, and the first matching record wins. Move it above ${recordLabel(a)} or delete it.`;
      report({
        file: b.source.file,
        range: b.source.range,
        message,
        fixes: fixesFor(a, b, (lines ??= analysis.text.split('\n')), analysis.file),
      });
    }
  },
};

function fixesFor(a: HbaRecord, b: HbaRecord, lines: string[], mainFile: string) {
  if (b.source.file !== mainFile) return [];
  const wholeLines = {
    start: { line: b.source.line, character: 0 },
    end: b.source.endLine + 1 < lines.length ? { line: b.source.endLine + 1, character: 0 } : { line: b.source.endLine, character: lines[b.source.endLine].length },
  };
  const remove: TextEdit = { file: mainFile, range: wholeLines, newText: '' };
  const fixes = [fix('Delete this unreachable record', 'manual', [remove])];
  if (a.source.file === mainFile && b.source.endLine + 1 < lines.length) {
    const recordText = lines.slice(b.source.line, b.source.endLine + 1).join('\n') + '\n';
    const at = { line: a.source.line, character: 0 };
    fixes.push(
      fix(`Move this record above ${recordLabel(a)} (connections both match will use this record's method)`, 'manual', [
        { file: mainFile, range: { start: at, end: at }, newText: recordText },
        remove,
      ]),
    );
  }
  return fixes;
}
