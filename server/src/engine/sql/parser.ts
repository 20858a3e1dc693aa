// PostgreSQL's own parser and scanner (libpg-query's WebAssembly build of them), called directly:
// the parse tree comes back as PostgreSQL's JSON text, decoded only for the statements a rule or
// the schema model reads (most INSERTs, indexes and comments never are). It loads asynchronously
// once; the engine is synchronous, so the fronts await initSqlParser() before checking SQL.
import type { ParseResult, ScanToken } from 'libpg-query';

interface PgModule {
  /** The WASM memory; emscripten replaces the view when memory grows, so it is read at each use. */
  HEAPU8: Uint8Array;
  getValue(ptr: number, type: 'i32'): number;
  _malloc(n: number): number;
  _free(ptr: number): void;
  _wasm_parse_query_raw(ptr: number): number;
  _wasm_free_parse_result(ptr: number): void;
  _wasm_scan(ptr: number): number;
  _wasm_free_string(ptr: number): void;
}

let loaded: Promise<void> | undefined;
let mod: PgModule | undefined;

export function initSqlParser(): Promise<void> {
  // Required here, not at load: a check of configuration files alone never needs the parser.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= (require('libpg-query/wasm/libpg-query.js') as () => Promise<PgModule>)().then((m) => {
    mod = m;
  });
  return loaded;
}

function ready(): PgModule {
  if (!mod) throw new Error('the SQL parser is not loaded yet (initSqlParser was not awaited)');
  return mod;
}

/**
 * A NUL would end the C string, hiding the rest of the statement from every check. It is read as a
 * blank (one byte either way, so offsets hold); the analysis reports the NUL itself.
 */
function withCString<T>(m: PgModule, raw: string, fn: (ptr: number) => T): T {
  const text = raw.includes('\0') ? raw.replace(/\0/g, ' ') : raw;
  const len = Buffer.byteLength(text) + 1;
  const ptr = m._malloc(len);
  try {
    encoder.encodeInto(text, m.HEAPU8.subarray(ptr, ptr + len - 1));
    m.HEAPU8[ptr + len - 1] = 0;
    return fn(ptr);
  } finally {
    m._free(ptr);
  }
}

// Emscripten's own string helpers walk the bytes in JavaScript; parse trees are megabytes of JSON.
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The NUL-terminated UTF-8 string at ptr. */
function readCString(m: PgModule, ptr: number): string {
  const heap = m.HEAPU8;
  return decoder.decode(heap.subarray(ptr, heap.indexOf(0, ptr)));
}

/** A statement PostgreSQL's parser read: its tree as JSON text, and the node type of each statement in it. */
export type ParseOutcome = { ok: true; json: string; types: string[]; tree?: ParseResult } | { ok: false; message: string; cursor: number };

/**
 * Top-level statement types, read off the JSON without decoding it: {"stmts":[{"stmt":{"CreateStmt":…
 * (found with indexOf: a regex over the 9 MB of JSON a 1 MB migration parses into cost a cold run
 * more than the lookups).
 */
const STMT = '{"stmt":{"';
function statementTypes(json: string): string[] {
  const out: string[] = [];
  for (let at = json.indexOf(STMT); at >= 0; at = json.indexOf(STMT, at + STMT.length)) {
    const start = at + STMT.length;
    out.push(json.slice(start, json.indexOf('"', start)));
  }
  return out;
}

/** Parses one statement. `cursor` is the error's 0-based position in code points, as PostgreSQL counts. */
export function parseSql(text: string): ParseOutcome {
  const m = ready();
  return withCString(m, text, (queryPtr) => {
    const result = m._wasm_parse_query_raw(queryPtr);
    if (!result) throw new Error('the SQL parser ran out of memory');
    try {
      const tree = m.getValue(result, 'i32');
      const error = m.getValue(result + 8, 'i32');
      if (error) {
        const message = m.getValue(error, 'i32');
        const cursorpos = m.getValue(error + 16, 'i32');
        return { ok: false, message: message ? readCString(m, message) : 'unknown error', cursor: cursorpos > 0 ? cursorpos - 1 : 0 };
      }
      const json = tree ? readCString(m, tree) : '{"stmts":[]}';
      return { ok: true, json, types: statementTypes(json) };
    } finally {
      m._wasm_free_parse_result(result);
    }
  });
}

/** The scanner's tokens of a statement that parsed: byte offsets, keyword kinds. */
export function scanSql(text: string): ScanToken[] {
  const m = ready();
  return withCString(m, text, (queryPtr) => {
    const result = m._wasm_scan(queryPtr);
    try {
      const json = readCString(m, result);
      // The scanner refuses a text of blanks only; it has no tokens.
      if (!json.startsWith('{')) {
        if (/^[\s\0]*$/.test(text)) return [];
        throw new Error(json);
      }
      return (JSON.parse(json) as { tokens: ScanToken[] }).tokens;
    } finally {
      if (result) m._wasm_free_string(result);
    }
  });
}
