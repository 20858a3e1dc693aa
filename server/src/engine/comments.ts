// Where a comment starts on a line of each kind of file: the suppression comments and the
// pg_hba.conf formatter both need it.
import type { FileKind } from './types';

/** Where a line's comment starts, outside quotes; -1 when it has none. */
export function commentStart(line: string, kind: FileKind): number {
  const marker = kind === 'sql' ? '--' : '#';
  // hba quotes with "…"; postgresql.conf and SQL with '…' (SQL's "…" names hold no comment either).
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || (c === "'" && kind !== 'hba')) {
      quote = c;
    } else if (line.startsWith(marker, i)) {
      return i;
    }
  }
  return -1;
}
