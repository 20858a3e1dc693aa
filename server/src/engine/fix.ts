// Applying fixes: edits to text, and fix-all, which applies only safe fixes until nothing changes.
import type { CheckOptions, FileKind, Finding, Fix, Position, TextEdit } from './types';
import { checkFile } from './check';
import { offsetsIn } from './lines';

/** Offset of a zero-based line/UTF-16 character position in text; clamps to the text. */
export const offsetAt = (text: string, pos: Position): number => offsetsIn(text)(pos);

/**
 * Applies non-overlapping edits to one text, in one pass from its start: slicing the whole text
 * again for each edit took the square of their number (10,000 fixes: 73 s). Edits at the same
 * place go in the reverse of their order, as when each was applied from the end of the text.
 */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const offsetAt = offsetsIn(text);
  const spans = edits
    .map((e, i) => ({ start: offsetAt(e.range.start), end: offsetAt(e.range.end), newText: e.newText, i }))
    .sort((a, b) => a.start - b.start || a.end - b.end || b.i - a.i);
  const parts: string[] = [];
  let pos = 0;
  for (const s of spans) {
    parts.push(text.slice(pos, Math.max(pos, s.start)), s.newText);
    pos = Math.max(pos, s.end);
  }
  parts.push(text.slice(pos));
  return parts.join('');
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) =>
  a.start < b.end && b.start < a.end;

export interface FixOutcome {
  text: string;
  applied: { rule: string; title: string }[];
}

/**
 * Applies fixes to one file, re-checking after each round, until a round changes nothing.
 * Only safe fixes unless `unsafe`; then manual fixes with concrete edits in this file too.
 * A fix whose edits touch another file, or overlap an edit already chosen this round, waits.
 */
export function fixFile(file: string, text: string, kind: FileKind, opts: CheckOptions, unsafe = false): FixOutcome {
  const applied: FixOutcome['applied'] = [];
  // A fix that did not silence its finding would come back every round: each is applied once.
  const done = new Set<string>();
  let current = text;
  for (let round = 0; round < 10; round++) {
    const chosen: { fix: Fix; finding: Finding }[] = [];
    const spans: { start: number; end: number }[] = [];
    const offsetAt = offsetsIn(current);
    for (const finding of checkFile(file, current, kind, opts)) {
      const fix = finding.fixes.find((f) => isApplicable(f, file, unsafe) && !done.has(fixKey(finding, f)));
      if (!fix) continue;
      const mine = fix.edits.map((e) => ({ start: offsetAt(e.range.start), end: offsetAt(e.range.end) }));
      if (mine.some((m) => spans.some((s) => overlaps(m, s) || (m.start === m.end && m.start === s.start)))) continue;
      spans.push(...mine);
      chosen.push({ fix, finding });
    }
    if (chosen.length === 0) break;
    const next = applyEdits(current, chosen.flatMap((c) => c.fix.edits));
    if (next === current) break;
    current = next;
    for (const c of chosen) {
      done.add(fixKey(c.finding, c.fix));
      applied.push({ rule: c.finding.rule, title: c.fix.title });
    }
  }
  return { text: current, applied };
}

const fixKey = (finding: Finding, fix: Fix) => JSON.stringify([finding.rule, fix.title, fix.edits.map((e) => e.newText)]);

export function isApplicable(fix: Fix, file: string, unsafe: boolean): boolean {
  if (fix.edits.length === 0 || fix.edits.some((e) => e.file !== file)) return false;
  return fix.safety === 'safe' || (unsafe && !fix.placeholder);
}
