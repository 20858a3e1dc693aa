// Offsets to line/character positions, with lines ended by \n as PostgreSQL ends them.
import type { Position } from './types';

/**
 * The lines (split at \n) of each file of `texts`, split when first asked for and kept: findings
 * show or measure their lines one by one, and splitting the file for each one took the square of
 * their number.
 */
export function linesOfFiles(texts: ReadonlyMap<string, string>): (file: string) => string[] | undefined {
  const split = new Map<string, string[] | undefined>();
  return (file) => {
    if (!split.has(file)) split.set(file, texts.get(file)?.split('\n'));
    return split.get(file);
  };
}

/** The offset at which each line of `text` starts. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/**
 * The line starts of `text`, made from `old` by replacing [changeStart, oldChangeEnd), from old's:
 * the same array when the edit moved no line break and kept the length (a keystroke within a line
 * of a large file), shifted when it kept the line breaks, and scanned again otherwise.
 */
export function lineStartsAfterEdit(
  starts: readonly number[],
  edit: { before: string; changeStart: number; oldChangeEnd: number; delta: number },
  text: string,
): readonly number[] {
  const { before: old, changeStart, oldChangeEnd, delta } = edit;
  const newlineIn = (s: string, from: number, to: number) => {
    const i = s.indexOf('\n', from);
    return i >= 0 && i < to;
  };
  if (newlineIn(old, changeStart, oldChangeEnd) || newlineIn(text, changeStart, oldChangeEnd + delta)) return lineStarts(text);
  if (delta === 0) return starts;
  // A line break before the change keeps its place; one after it moves with the text.
  return starts.map((s) => (s > changeStart ? s + delta : s));
}

/** The zero-based line and UTF-16 character of `offset`, given the line starts. */
export function positionIn(starts: readonly number[], offset: number): Position {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - starts[lo] };
}

/**
 * Offsets of zero-based line/UTF-16 character positions in `text`, its line starts found once; a
 * position past the end of its line or of the text clamps to it.
 */
export function offsetsIn(text: string): (pos: Position) => number {
  const starts = lineStarts(text);
  return (pos) => {
    const line = Math.max(0, pos.line);
    if (line >= starts.length) return text.length;
    const lineEnd = line + 1 < starts.length ? starts[line + 1] - 1 : text.length;
    return Math.min(starts[line] + pos.character, lineEnd);
  };
}

/** The UTF-16 offset of a line and character, given the line starts (the end of the text at most). */
export function offsetIn(starts: readonly number[], p: Position, length: number): number {
  return Math.min(length, (starts[p.line] ?? length) + p.character);
}
