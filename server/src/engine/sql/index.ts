import type { ParseResult } from 'libpg-query';
import type { Position } from '../types';
import { parseAll, parseSql, scanSql, type ParseOutcome } from './parser';
import { splitEdited, splitStatements, type SplitEdit, type SqlStatement } from './split';
import { lineStarts, lineStartsAfterEdit, offsetIn, positionIn } from '../lines';
import { EDITED_FILES, footprint, footprintIndex, forgetCheck } from './carry-over';
import { RecentMap } from '../recent';

export interface ParsedStatement extends SqlStatement {
  /** The node type of each statement PostgreSQL read here (CreateStmt, GrantStmt…); empty on an error. */
  types: string[];
  /** The parse tree, decoded on first use. */
  readonly ast?: ParseResult;
  error?: { message: string; position: Position };
  /**
   * Whether PostgreSQL's JSON of the statement contains `fragment` (a key or a value, quoted as in
   * the JSON, such as '"ROLESPEC_PUBLIC"'), read without decoding the tree: false means no node of
   * it has that. False for a statement that did not parse.
   */
  jsonIncludes(fragment: string): boolean;
}

/** A statement and its parse; the tree is decoded from PostgreSQL's JSON only when something reads it. */
class Statement implements ParsedStatement {
  start: number;
  end: number;
  text: string;
  types: string[];
  error?: { message: string; position: Position };
  private tree?: ParseResult;
  /** PostgreSQL's JSON of the statement; undefined when it did not parse. */
  private readonly json?: string;
  /**
   * The cached parse, when this is a file being edited: the decoded tree is kept there for the next
   * check of this text. A one-shot check keeps only the JSON: the parse's own object per statement
   * would live as long as the check, for the collector to move.
   */
  private readonly shared?: { json: string; types: string[]; tree?: ParseResult };
  /** Where the error is, from the statement's start: a moved statement works its position out again. */
  private errorOffset = 0;
  constructor(
    s: SqlStatement,
    parsed?: { json: string; types: string[]; tree?: ParseResult },
    error?: { message: string; offset: number },
    positionAt?: (offset: number) => Position,
    share = false,
  ) {
    this.start = s.start;
    this.end = s.end;
    this.text = s.text;
    this.types = parsed?.types ?? [];
    this.json = parsed?.json;
    this.tree = parsed?.tree;
    if (share) this.shared = parsed;
    if (error) {
      this.error = { message: error.message, position: positionAt!(s.start + error.offset) };
      this.errorOffset = error.offset;
    }
  }

  /** The same statement at another place in the file (an edit before it changed the text's length or lines). */
  movedTo(s: SqlStatement, positionAt: (offset: number) => Position): Statement {
    const error = this.error && { message: this.error.message, offset: this.errorOffset };
    const parsed = this.shared ?? (this.json === undefined ? undefined : { json: this.json, types: this.types });
    const moved = new Statement(s, parsed, error, positionAt, this.shared !== undefined);
    moved.tree = this.tree;
    return moved;
  }

  jsonIncludes(fragment: string): boolean {
    return this.json !== undefined && this.json.includes(fragment);
  }

  get ast(): ParseResult | undefined {
    if (this.tree === undefined && this.json !== undefined) {
      this.tree = this.shared?.tree ?? (JSON.parse(this.json) as ParseResult);
      if (this.shared) this.shared.tree = this.tree;
    }
    return this.tree;
  }
}

export interface SqlAnalysis {
  file: string;
  text: string;
  statements: ParsedStatement[];
  /** Zero-based line/character of a UTF-16 offset in the file. */
  positionAt(offset: number): Position;
  /** The UTF-16 offset of a line/character in the file (the inverse of positionAt). */
  offsetAt(position: Position): number;
  /**
   * The indices of the statements whose footprint (carry-over.ts) has one of `types`, in order, and
   * what `read` makes of each. Kept per reader and list of types; for a file being edited, made from
   * the previous analysis's by reading only the statements the edit replaced and moving the later
   * ones, so a keystroke does not walk every statement again. `read` must depend on the statement's
   * text alone.
   */
  readStatements<T>(types: readonly string[], read: (s: ParsedStatement) => T): StatementsRead<T>;
  /** For a file being edited: what changed since the previous analysis of it. */
  edit?: SqlEdit;
}

export interface StatementsRead<T> {
  indices: readonly number[];
  values: readonly T[];
}

export interface SqlEdit extends SplitEdit {
  /** The previous analysis's statements [from, oldTo): the ones the edit replaced. */
  replaced: ParsedStatement[];
}

/**
 * `shareTrees`: the file is being edited and will be checked again soon, so its decoded trees are
 * kept with the cached parses (a keystroke then decodes only the statement it changed), and the
 * statements the edit did not touch are carried over from the previous analysis.
 */
export function analyzeSql(file: string, text: string, shareTrees = false): SqlAnalysis {
  const before = shareTrees ? lastSplits.get(file) : undefined;
  // Split and parsed on the worker thread, or split here.
  const fresh = before ? undefined : preparsed?.(file, text);
  const { statements: split, edit } = before ? splitEdited(before, text) : { statements: fresh?.statements ?? splitStatements(text).statements, edit: undefined };
  const starts = before && edit ? lineStartsAfterEdit(before.starts, edit, text) : lineStarts(text);
  // PostgreSQL puts "at end of input" one past the last character.
  const positionAt = (offset: number): Position => positionIn(starts, Math.max(0, Math.min(offset, text.length)));
  const offsetAt = (p: Position): number => offsetIn(starts, p, text.length);
  // With no parses kept (a one-shot check), parsed here in batches.
  const parses = fresh?.parses ?? (parseCache.limit <= 0 && !before ? parseAll(split.map((s) => s.text)) : undefined);
  const statements = split.map((s, i): ParsedStatement => {
    // An error after the edit is placed again: even a same-length edit can move a line break.
    if (s instanceof Statement) return edit && i >= edit.newTo && s.error ? s.movedTo(s, positionAt) : s;
    const old = edit && i >= edit.newTo ? before!.statements[i - edit.newTo + edit.oldTo] : undefined;
    if (old instanceof Statement) return old.movedTo(s, positionAt);
    // A statement an edit made gets a text of its own: a slice of the document would keep that
    // whole version of it alive for as long as the statement is not edited again (one version,
    // 1 MB for a 1 MB file, for each statement edited in a session).
    return parsedStatement(edit ? { start: s.start, end: s.end, text: ownCopy(s.text) } : s, positionAt, shareTrees, parses?.[i]);
  });
  const reads: Reads = new Map();
  const previous = edit && before!.reads;
  let having: ((type: string) => readonly number[]) | undefined;
  const readStatements = <T>(types: readonly string[], read: (s: ParsedStatement) => T): StatementsRead<T> => {
    const key = types.join(' ');
    let byTypes = reads.get(read);
    if (!byTypes) reads.set(read, (byTypes = new Map()));
    let list = byTypes.get(key) as StatementsRead<T> | undefined;
    if (!list) {
      const out = { indices: [] as number[], values: [] as T[] };
      const take = (i: number) => {
        out.indices.push(i);
        out.values.push(read(statements[i]));
      };
      const old = previous?.get(read)?.get(key) as StatementsRead<T> | undefined;
      // After an edit: the replaced statements looked at again, by the same footprint the index uses.
      const ifWanted = (i: number) => {
        if (footprint(statements[i]).some((t) => types.includes(t))) take(i);
      };
      if (old) readAfterEdit(old, edit!, ifWanted, out);
      else {
        // From scratch: the statements of each type, found in one pass for every list of types.
        having ??= footprintIndex(statements);
        const marked = new Uint8Array(statements.length);
        for (const t of types) for (const i of having(t)) marked[i] = 1;
        for (let i = 0; i < statements.length; i++) if (marked[i]) take(i);
      }
      byTypes.set(key, (list = out));
    }
    return list;
  };
  if (shareTrees) lastSplits.set(file, { text, statements, reads, starts });
  const replaced = edit ? before!.statements.slice(edit.from, edit.oldTo) : [];
  return { file, text, statements, positionAt, offsetAt, readStatements, ...(edit && { edit: { ...edit, replaced } }) };
}

/** A copy of `text` that shares no memory with the string it was sliced from. */
function ownCopy(text: string): string {
  return Buffer.from(text, 'utf16le').toString('utf16le');
}

/** Each reader's results, by the list of types they were read for. */
type Reads = Map<(s: ParsedStatement) => unknown, Map<string, StatementsRead<unknown>>>;

/** The previous analysis's results, after an edit: the statements it replaced read again (`add`), the later ones moved. */
function readAfterEdit<T>(old: StatementsRead<T>, edit: SplitEdit, add: (i: number) => void, out: { indices: number[]; values: T[] }) {
  let k = 0;
  for (; k < old.indices.length && old.indices[k] < edit.from; k++) {
    out.indices.push(old.indices[k]);
    out.values.push(old.values[k]);
  }
  for (let i = edit.from; i < edit.newTo; i++) add(i);
  while (k < old.indices.length && old.indices[k] < edit.oldTo) k++;
  for (const shift = edit.newTo - edit.oldTo; k < old.indices.length; k++) {
    out.indices.push(old.indices[k] + shift);
    out.values.push(old.values[k]);
  }
}

function parsedStatement(s: SqlStatement, positionAt: (offset: number) => Position, shareTrees: boolean, parsed?: ParseOutcome): Statement {
  const r = parsed ?? cachedParse(s.text);
  const junk = r.ok ? trailingJunkAfterParameter(s.text) : undefined;
  if (junk) return new Statement(s, undefined, junk, positionAt);
  const nul = s.text.indexOf('\0');
  // PostgreSQL's wording for a NUL in text; the rest of the statement is still checked.
  if (r.ok && nul >= 0) return new Statement(s, r, { message: 'invalid byte sequence for encoding "UTF8": 0x00', offset: nul }, positionAt, shareTrees);
  if (r.ok) return new Statement(s, r, undefined, undefined, shareTrees);
  // Errors PostgreSQL gives no position (invalid bytes from an E'' escape) point at the statement itself.
  const offset = r.cursor > 0 ? utf16Offset(s.text, r.cursor) : leadingTrivia(s.text);
  return new Statement(s, undefined, { message: r.message, offset }, positionAt);
}

/** The last analysis of each file being edited: a keystroke splits again only around the change. */
const lastSplits = new RecentMap<string, { text: string; statements: ParsedStatement[]; reads: Reads; starts: readonly number[] }>(EDITED_FILES);

const forgetters: ((file: string) => void)[] = [];

/** What else keeps state for a file while it is edited (a rule's helpers) forgets it with the file. */
export function onForgetEdited(forget: (file: string) => void): void {
  forgetters.push(forget);
}

/** A file no longer edited (closed) keeps nothing here. */
export function forgetEdited(file: string): void {
  lastSplits.delete(file);
  forgetCheck(file);
  for (const forget of forgetters) forget(file);
}

/**
 * A file split and parsed on another thread (parallel.ts): asked for before the file is split here;
 * the parses are in the order of the statements.
 */
let preparsed: ((file: string, text: string) => { statements: SqlStatement[]; parses: ParseOutcome[] } | undefined) | undefined;

export function setPreparsed(source: typeof preparsed): void {
  preparsed = source;
}

/** Whether another thread is parsing files for the analysis (parallel.ts). */
export const parsingInParallel = (): boolean => preparsed !== undefined;

/**
 * Parses by statement text: an edit reparses the statement it touched, and the other files of a
 * migration history are not parsed again for each keystroke. Bounded by the JSON it holds; a
 * long-lived server also sweeps out what no recent check used (old versions of edited statements),
 * so its memory does not creep up over a session.
 *
 * Two generations: the parses used since the last sweep, and those used only in the round before.
 * A sweep drops the older one whole, so it costs the same however many parses it drops (opening a
 * 1 MB file puts 15,000 here; dropping them one by one took 9 ms of a keystroke).
 */
class ParseCache {
  private recent = new Map<string, ParseOutcome>();
  private older = new Map<string, ParseOutcome>();
  private recentChars = 0;
  private olderChars = 0;
  limit = 32 * 1024 * 1024;
  /** Where eviction goes on in `recent`: entries are only ever added at its end. */
  private evictFrom?: Iterator<[string, ParseOutcome]>;

  get(text: string): ParseOutcome | undefined {
    const hit = this.recent.get(text);
    if (hit) return hit;
    const old = this.older.get(text);
    if (old) {
      this.older.delete(text);
      this.olderChars -= sizeOf(text, old);
      this.add(text, old);
    }
    return old;
  }

  add(text: string, r: ParseOutcome): void {
    const size = sizeOf(text, r);
    if (size > this.limit / 8 || this.recent.has(text)) return;
    this.recent.set(text, r);
    this.recentChars += size;
    if (this.recentChars + this.olderChars <= this.limit) return;
    // The least recently used go first: the older generation, then the first added of this one.
    this.older = new Map();
    this.olderChars = 0;
    // One iterator for the whole generation: a Map keeps the places of deleted entries until it
    // shrinks, and a walk from its start stepped over all of them for each parse added (3 s of
    // parsing a 1,000-file history whose JSON is larger than the bound).
    this.evictFrom ??= this.recent.entries();
    while (this.recentChars > this.limit) {
      const next = this.evictFrom.next();
      if (next.done) {
        this.evictFrom = undefined;
        break;
      }
      this.recent.delete(next.value[0]);
      this.recentChars -= sizeOf(next.value[0], next.value[1]);
    }
  }

  sweep(): void {
    this.older = this.recent;
    this.olderChars = this.recentChars;
    this.recent = new Map();
    this.recentChars = 0;
    this.evictFrom = undefined;
  }
}

const parseCache = new ParseCache();

/**
 * A one-shot check (the CLI) sets 0: it parses each statement once, so keeping the parses would
 * only cost (the cache's bookkeeping took 0.3 s of a 1,000-file check). A long-lived server keeps
 * the default bound.
 */
export function setParseCacheLimit(chars: number): void {
  parseCache.limit = chars;
}

const sizeOf = (text: string, r: ParseOutcome) => text.length + (r.ok ? r.json.length : 0);

export function cachedParse(text: string): ParseOutcome {
  if (parseCache.limit <= 0) return parseSql(text);
  const hit = parseCache.get(text);
  if (hit) return hit;
  const r = parseSql(text);
  parseCache.add(text, r);
  return r;
}

/** Starts a new round of checks: parses used in neither this round nor the last are dropped. */
export function sweepParseCache(): void {
  parseCache.sweep();
}

/** The UTF-16 offset of the code point at index `codePoints` (PostgreSQL counts characters). */
export function utf16Offset(text: string, codePoints: number): number {
  let offset = 0;
  for (let n = 0; n < codePoints && offset < text.length; n++) {
    const c = text.charCodeAt(offset);
    offset += c >= 0xd800 && c <= 0xdbff && offset + 1 < text.length ? 2 : 1;
  }
  return offset;
}

/**
 * UTF-16 offset within `text` of a UTF-8 byte offset; an offset inside a character counts the whole
 * character. Findings in one statement ask about its text in a row, so the multi-byte characters of
 * the last text asked about are kept, and each question is a binary search over them: counting
 * from the start for each finding took the square of the statement's size (50 s for 20,000
 * findings in one statement).
 */
export function utf16OfByte(text: string, byte: number): number {
  const m = multiByteMarks(text);
  // The multi-byte characters that start before `byte` are counted whole; ASCII follows the last.
  let lo = 0;
  let hi = m.starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (m.starts[mid] < byte) lo = mid + 1;
    else hi = mid;
  }
  const offset = lo === 0 ? byte : m.unitsAfter[lo - 1] + Math.max(0, byte - m.bytesAfter[lo - 1]);
  return Math.min(offset, text.length);
}

/** Where each multi-byte character of a text starts (in UTF-8 bytes), and where it ends, in bytes and in UTF-16 units. */
interface MultiByteMarks {
  starts: number[];
  bytesAfter: number[];
  unitsAfter: number[];
}

let lastText = '';
let lastMarks: MultiByteMarks = { starts: [], bytesAfter: [], unitsAfter: [] };

function multiByteMarks(text: string): MultiByteMarks {
  if (text === lastText) return lastMarks;
  const m: MultiByteMarks = { starts: [], bytesAfter: [], unitsAfter: [] };
  let bytes = 0;
  for (let i = 0; i < text.length; ) {
    const c = text.codePointAt(i)!;
    const size = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    i += c >= 0x10000 ? 2 : 1;
    if (size > 1) {
      m.starts.push(bytes);
      m.bytesAfter.push(bytes + size);
      m.unitsAfter.push(i);
    }
    bytes += size;
  }
  lastText = text;
  lastMarks = m;
  return m;
}

/** Length of the blanks and comments a statement starts with. */
function leadingTrivia(text: string): number {
  const m = /^(?:\s+|--[^\n]*|\/\*[\s\S]*?\*\/)*/.exec(text);
  return m ? m[0].length : 0;
}

/**
 * PostgreSQL's scanner rejects a parameter glued to a name ($1abc); the libpg-query build reads it
 * as `$1 AS abc`. Checked only where the text has the shape.
 */
function trailingJunkAfterParameter(text: string): { message: string; offset: number } | undefined {
  if (!/\$\d+[A-Za-z_\u0080-\uffff]/.test(text)) return undefined;
  const tokens = scanSql(text);
  for (let i = 0; i + 1 < tokens.length; i++) {
    const t = tokens[i];
    const next = tokens[i + 1];
    if (t.tokenName === 'PARAM' && next.start === t.end && /^[A-Za-z_\u0080-\uffff]/.test(next.text)) {
      const junk = `${t.text}${/^[A-Za-z_0-9\u0080-\uffff]*/.exec(next.text)![0]}`;
      return { message: `trailing junk after parameter at or near "${junk}"`, offset: utf16OfByte(text, t.start) };
    }
  }
  return undefined;
}
