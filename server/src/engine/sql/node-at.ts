// A module of its own: carry-over.ts needs it, and index.ts imports carry-over.ts at load.
import type { ParsedStatement } from './index';

/** The parse-tree node of a statement's i-th top-level statement (of type `types[i]`), decoded on first use. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function nodeAt(s: ParsedStatement, i: number): any {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (s.ast?.stmts?.[i]?.stmt as any)?.[s.types[i]];
}
