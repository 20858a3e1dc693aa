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
  const first = json.indexOf(STMT);
  if (first < 0) return NO_TYPES;
  const start = first + STMT.length;
  const end = json.indexOf('"', start);
  if (json.indexOf(STMT, end) < 0) {
    const name = json.slice(start, end);
    let types = ONE_TYPE.get(name);
    if (!types) ONE_TYPE.set(name, (types = Object.freeze([name]) as string[]));
    return types;
  }
  const out: string[] = [];
  for (let at = first; at >= 0; at = json.indexOf(STMT, at + STMT.length)) {
    const from = at + STMT.length;
    out.push(json.slice(from, json.indexOf('"', from)));
  }
  return out;
}

/**
 * The types of a statement that is one statement, shared (and frozen): a check keeps every
 * statement of a history, and one array and one name for each of them was 270,000 objects more for
 * the collector to move in a 1,000-file history.
 */
const ONE_TYPE = new Map<string, string[]>();
const NO_TYPES = Object.freeze([]) as unknown as string[];

/** Parses one statement. `cursor` is the error's 0-based position in code points, as PostgreSQL counts. */
export function parseSql(text: string): ParseOutcome {
  const m = ready();
  let json = EMPTY;
  const error = parseRaw(m, text, (ptr) => {
    if (ptr) json = readCString(m, ptr);
  });
  return error ? { ok: false, ...error } : { ok: true, json, types: statementTypes(json) };
}

/** What PostgreSQL's parser makes of a text with no statement in it. */
const EMPTY = '{"stmts":[]}';

/** Runs PostgreSQL's parser; `take` gets the address of the JSON (0 for no statement) while it is valid. */
function parseRaw(m: PgModule, text: string, take: (ptr: number) => void): { message: string; cursor: number } | undefined {
  return withCString(m, text, (queryPtr) => {
    const result = m._wasm_parse_query_raw(queryPtr);
    if (!result) throw new Error('the SQL parser ran out of memory');
    try {
      const error = m.getValue(result + 8, 'i32');
      if (error) {
        const message = m.getValue(error, 'i32');
        const cursorpos = m.getValue(error + 16, 'i32');
        return { message: message ? readCString(m, message) : 'unknown error', cursor: cursorpos > 0 ? cursorpos - 1 : 0 };
      }
      take(m.getValue(result, 'i32'));
      return undefined;
    } finally {
      m._wasm_free_parse_result(result);
    }
  });
}

/**
 * Statements parsed in a row, their JSON in one string: `spans` holds each statement's start and
 * end in it, or -1 and the index of its error. One large string instead of one per statement is
 * less for the collector to move, and, from a worker thread, one copy.
 */
export interface ParsedBatch {
  json: string;
  spans: Int32Array;
  errors: { message: string; cursor: number }[];
}

let bytes = new Uint8Array(1 << 16);

export function parseBatch(texts: readonly string[]): ParsedBatch {
  const m = ready();
  const spans = new Int32Array(texts.length * 2);
  const errors: ParsedBatch['errors'] = [];
  let used = 0;
  texts.forEach((text, i) => {
    const error = parseRaw(m, text, (ptr) => {
      const heap = m.HEAPU8;
      const json = ptr ? heap.subarray(ptr, heap.indexOf(0, ptr)) : encoder.encode(EMPTY);
      if (used + json.length > bytes.length) {
        const grown = new Uint8Array(Math.max(bytes.length * 2, used + json.length));
        grown.set(bytes.subarray(0, used));
        bytes = grown;
      }
      bytes.set(json, used);
      spans[2 * i] = used;
      spans[2 * i + 1] = used += json.length;
    });
    if (error) {
      spans[2 * i] = -1;
      spans[2 * i + 1] = errors.push(error) - 1;
    }
  });
  let json = decoder.decode(bytes.subarray(0, used));
  // Multi-byte characters make the string shorter than its bytes: then each JSON is decoded alone
  // and the spans are counted in UTF-16 units.
  if (json.length !== used) {
    const parts: string[] = [];
    let at = 0;
    for (let i = 0; i < texts.length; i++) {
      if (spans[2 * i] < 0) continue;
      const part = decoder.decode(bytes.subarray(spans[2 * i], spans[2 * i + 1]));
      parts.push(part);
      spans[2 * i] = at;
      spans[2 * i + 1] = at += part.length;
    }
    json = parts.join('');
  }
  // A batch of a whole large file must not keep its buffer for the rest of the run.
  if (bytes.length > 1 << 22) bytes = new Uint8Array(1 << 16);
  return { json, spans, errors };
}

/** Statements parsed in one batch: a size whose JSON stays in a buffer of about 1 MB. */
export const BATCH_STATEMENTS = 1024;

/** Parses statements in batches of BATCH_STATEMENTS. */
export function parseAll(texts: readonly string[]): ParseOutcome[] {
  const size = BATCH_STATEMENTS;
  if (texts.length <= size) return outcomesOf(parseBatch(texts));
  const out: ParseOutcome[] = [];
  for (let i = 0; i < texts.length; i += size) for (const r of outcomesOf(parseBatch(texts.slice(i, i + size)))) out.push(r);
  return out;
}

/** The batch's statements, each JSON a slice of the batch's string. */
export function outcomesOf(batch: ParsedBatch): ParseOutcome[] {
  const out = new Array<ParseOutcome>(batch.spans.length / 2);
  for (let i = 0; i < out.length; i++) {
    const start = batch.spans[2 * i];
    const end = batch.spans[2 * i + 1];
    if (start < 0) {
      out[i] = { ok: false, ...batch.errors[end] };
    } else {
      const json = batch.json.slice(start, end);
      out[i] = { ok: true, json, types: statementTypes(json) };
    }
  }
  return out;
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
