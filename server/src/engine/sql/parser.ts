// PostgreSQL's own parser (libpg-query, compiled to WASM). It loads asynchronously once; the
// engine is synchronous, so the fronts await initSqlParser() before checking SQL.
import { loadModule, parseSync, scanSync, type ParseResult, type ScanToken } from 'libpg-query';

let loaded: Promise<void> | undefined;
let ready = false;

export function initSqlParser(): Promise<void> {
  loaded ??= loadModule().then(() => {
    ready = true;
  });
  return loaded;
}

export type ParseOutcome = { ok: true; result: ParseResult } | { ok: false; message: string; cursor: number };

/** Parses one statement. `cursor` is the error's 0-based position in code points, as PostgreSQL counts. */
export function parseSql(text: string): ParseOutcome {
  if (!ready) throw new Error('the SQL parser is not loaded yet (initSqlParser was not awaited)');
  try {
    return { ok: true, result: parseSync(text) };
  } catch (e) {
    const details = (e as { sqlDetails?: { message: string; cursorPosition: number } }).sqlDetails;
    return { ok: false, message: details?.message ?? (e as Error).message, cursor: details?.cursorPosition ?? 0 };
  }
}

/** The scanner's tokens of a statement that parsed: byte offsets, keyword kinds. */
export function scanSql(text: string): ScanToken[] {
  if (!ready) throw new Error('the SQL parser is not loaded yet (initSqlParser was not awaited)');
  return scanSync(text).tokens;
}
