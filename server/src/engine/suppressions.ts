// Suppression comments, the same in every kind of file:
//   # pg-harden-disable-next-line hba-md5 -- the reason     (-- in SQL files)
//   # pg-harden-disable-file hba-trust, hba-no-ssl -- the reason
// A suppression that hides nothing, or names no known rule, is itself reported (a hint), so stale
// ones do not pile up.
import type { FileKind, Finding, Range } from './types';
import { commentStart } from './comments';

export const UNUSED_SUPPRESSION_RULE = 'unused-suppression';

export interface Suppression {
  scope: 'next-line' | 'file';
  ids: string[];
  /** Zero-based line of the comment. */
  line: number;
  range: Range;
  /** What removing it deletes: the whole line when the comment is all there is on it. */
  removal: Range;
  hasNul: boolean;
}

const DIRECTIVE = /pg-harden-disable-(next-line|file)\b([^\n]*)/;

const MARK = 'pg-harden-disable-';

export function parseSuppressions(text: string, kind: FileKind): Suppression[] {
  const out: Suppression[] = [];
  // Only lines that mention a directive are read: most files have none, and a keystroke in a 1 MB
  // migration should not split it into lines.
  let line = 0;
  let counted = 0;
  for (let hit = text.indexOf(MARK); hit >= 0; ) {
    const lineStart = text.lastIndexOf('\n', hit) + 1;
    for (let nl = text.indexOf('\n', counted); nl >= 0 && nl < lineStart; nl = text.indexOf('\n', nl + 1)) line++;
    const newline = text.indexOf('\n', hit);
    const lineEnd = newline < 0 ? text.length : newline;
    counted = lineStart;
    hit = newline < 0 ? -1 : text.indexOf(MARK, newline);
    const s = text.slice(lineStart, lineEnd);
    const at = commentStart(s, kind);
    if (at < 0) continue;
    const m = DIRECTIVE.exec(s.slice(at));
    if (!m) continue;
    // The rule list ends at "--" (the reason), another '#' comment, or the end of the line.
    const list = m[2].split(/\s--(?:\s|$)|#/)[0];
    const ids = list.split(/[\s,]+/).filter(Boolean);
    const start = at + m.index;
    const end = s.replace(/\r$/, '').length;
    const before = s.slice(0, at).trimEnd().length;
    // A whole line goes with its line end; the last line, which has none, is emptied.
    const last = newline < 0;
    const removal: Range =
      before === 0
        ? { start: { line, character: 0 }, end: last ? { line, character: s.length } : { line: line + 1, character: 0 } }
        : { start: { line, character: before }, end: { line, character: end } };
    out.push({ scope: m[1] as Suppression['scope'], ids, line, range: { start: { line, character: start }, end: { line, character: end } }, removal, hasNul: s.includes('\0') });
  }
  return out;
}

/**
 * Drops the findings the file's suppressions cover. With `reportUnused`, adds a hint for each
 * suppression (or rule id in it) that covered nothing or names no rule. `suppressions` are the
 * text's, when the caller already has them.
 */
export function applySuppressions(
  file: string,
  text: string,
  kind: FileKind,
  findings: Finding[],
  knownIds: ReadonlySet<string>,
  reportUnused: boolean,
  suppressions = parseSuppressions(text, kind),
): Finding[] {
  if (!suppressions.length) return findings;
  const used = new Set<string>();
  const key = (s: Suppression, id: string) => `${s.line}:${id}`;
  const covering = (f: Finding) =>
    suppressions.find((s) => s.ids.includes(f.rule) && (s.scope === 'file' || s.line + 1 === f.range.start.line));
  const kept = findings.filter((f) => {
    if (f.file !== file || !knownIds.has(f.rule)) return true;
    const s = covering(f);
    if (!s) return true;
    used.add(key(s, f.rule));
    return false;
  });
  if (!reportUnused) return kept;
  for (const s of suppressions) {
    const problems = s.ids.length === 0 ? ['names no rule'] : [];
    for (const id of s.ids) {
      if (!knownIds.has(id)) problems.push(`names ${id}, which is not a rule`);
      else if (!used.has(key(s, id))) problems.push(s.scope === 'file' ? `${id} reports nothing in this file` : `${id} reports nothing on the next line`);
    }
    if (!problems.length) continue;
    kept.push({
      file,
      rule: UNUSED_SUPPRESSION_RULE,
      severity: 'hint',
      range: s.range,
      message: `This suppression ${problems.join('; ')}: remove it or fix the rule list.`,
      // Removing a comment changes nothing PostgreSQL does; unless it holds a NUL, where the parser stops reading.
      fixes: s.hasNul ? [] : [{ title: 'Remove this suppression comment', safety: 'safe', edits: [{ file, range: s.removal, newText: '' }] }],
    });
  }
  return kept;
}
