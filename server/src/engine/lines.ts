// Offsets to line/character positions, with lines ended by \n as PostgreSQL ends them.
import type { Position } from './types';

/** The offset at which each line of `text` starts. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** The zero-based line and UTF-16 character of `offset`, given the line starts. */
export function positionIn(starts: number[], offset: number): Position {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - starts[lo] };
}

/** The UTF-16 offset of a line and character, given the line starts (the end of the text at most). */
export function offsetIn(starts: number[], p: Position, length: number): number {
  return Math.min(length, (starts[p.line] ?? length) + p.character);
}
