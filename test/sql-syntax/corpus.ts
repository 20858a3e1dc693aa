// The sql-syntax differential corpus: statements in real .sql files, PostgreSQL's verdict on each,
// and the comparison with our engine's `sql-syntax` findings.
//
// Corpus files (corpus/*.sql). Every statement follows a marker line:
//   -- @ok     [note]   PostgreSQL's parser accepts the statement (what the author meant)
//   -- @error  [note]   PostgreSQL's parser rejects it
// The statement is the text from the line after the marker up to the next marker line, the next
// psql meta-command line (a line starting with `\`), or the end of the file: exactly as written,
// with its semicolon, trailing newlines and all. Outside statements only blank lines, `--`
// comments and meta-command lines are allowed. Boundaries are ours, not the engine's splitter's:
// a file must be written so that psql would send each marked statement on its own (so a
// forgotten semicolon puts both statements after one marker, and an unterminated string,
// comment, dollar quote or parenthesis only ever appears in a file's last statement).
//
// The oracle. Every statement is sent, in a fresh transaction that is rolled back, as one simple
// query behind a guard:  `SELECT 'sql-syntax-oracle: parsed'::pg_catalog.int4;\n<statement>`.
// PostgreSQL's simple query protocol runs the raw parser (scan.l + gram.y) over the whole string
// before it analyses or executes anything. So:
//   - the raw parser rejects the statement: that error comes back (its SQLSTATE may be 42601,
//     0A000, 42939, 22023, 42P20, ...), with `position` counted in characters from the start of the
//     string: subtract the guard;
//   - the raw parser accepts it: the guard fails first, in parse analysis, with its own
//     unmistakable message, and the statement itself is never analysed nor run (nothing in the
//     corpus ever executes: not COPY ... PROGRAM, not ALTER SYSTEM, not DO).
// So "parsed" is what libpg-query decides: raw parsing only, no catalog look-ups, no PL/pgSQL
// body validation (which does raise 42601 syntax errors, but when CREATE FUNCTION or DO runs).
//
// psql variables. A file with `\set name value` lines gets psql's substitution before the
// statement is sent (:name raw, :'name' as a literal, :"name" as an identifier); positions in the
// substituted text map back to the file (a position inside a substitution maps to its colon).

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hideUnterminated } from '../../server/src/rules/sql-syntax';

export const SQL_SYNTAX_DIR = path.dirname(fileURLToPath(import.meta.url));
export const CORPUS_DIR = path.join(SQL_SYNTAX_DIR, 'corpus');
export const SNAPSHOT_FILE = path.join(SQL_SYNTAX_DIR, 'expected', 'pg18.json');
export const ORACLE_MAJOR = 18;

/** Sent first in every query: fails in parse analysis, i.e. only when the whole string parsed. */
export const GUARD = "SELECT 'sql-syntax-oracle: parsed'::pg_catalog.int4;\n";
const GUARD_MESSAGE = 'invalid input syntax for type integer: "sql-syntax-oracle: parsed"';

/** Zero-based line and UTF-16 character in the file. */
export interface Pos {
  line: number;
  character: number;
}

export interface CorpusStatement {
  /** `<file>:<1-based line of the statement's first line>` */
  id: string;
  file: string;
  /** What the corpus author meant. */
  expect: 'ok' | 'error';
  note: string;
  /** UTF-16 offsets in the file: the statement's text is file.text.slice(start, end). */
  start: number;
  end: number;
  text: string;
  /** What psql would send (variables substituted). */
  sent: string;
  /** sent offset (UTF-16, 0..sent.length) -> offset in `text`. */
  toText: number[];
}

export interface CorpusFile {
  name: string;
  abs: string;
  text: string;
  statements: CorpusStatement[];
  /** Problems with the file's layout (text outside statements, ...). */
  problems: string[];
}

export type Verdict =
  | { parsed: true }
  | {
      parsed: false;
      sqlstate: string;
      message: string;
      hint?: string;
      /** 1-based character position in the statement as sent, as the server reported it (guard removed). */
      serverPosition: number | null;
      /** Where that is in the file. */
      position: Pos | null;
    };

export interface Snapshot {
  server: string;
  guard: string;
  statements: Record<string, { sha1: string; verdict: Verdict }>;
}

// ---------------------------------------------------------------------------------------------
// Corpus

const MARKER = /^-- @(ok|error)\b[ \t]*(.*?)\r?$/;
const META = /^\\/;
const OUTSIDE_OK = /^[ \t]*(--.*)?\r?$/;

export function loadCorpus(): CorpusFile[] {
  return fs
    .readdirSync(CORPUS_DIR)
    .filter((n) => n.endsWith('.sql'))
    .sort()
    .map((name) => parseCorpusFile(name, fs.readFileSync(path.join(CORPUS_DIR, name), 'utf8')));
}

export function parseCorpusFile(name: string, text: string): CorpusFile {
  const lines: { start: number; end: number; content: string }[] = [];
  for (let start = 0; start <= text.length; ) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl + 1;
    lines.push({ start, end, content: text.slice(start, nl < 0 ? text.length : nl) });
    if (nl < 0) break;
    start = end;
  }
  const statements: CorpusStatement[] = [];
  const problems: string[] = [];
  const vars = new Map<string, string>();
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const marker = MARKER.exec(line.content);
    if (marker) {
      let j = i + 1;
      while (j < lines.length && !MARKER.test(lines[j]!.content) && !META.test(lines[j]!.content)) j++;
      const start = lines[i + 1]?.start ?? text.length;
      const end = j < lines.length ? lines[j]!.start : text.length;
      const body = text.slice(start, end);
      if (!/\S/.test(body)) problems.push(`${name}:${i + 1}: marker without a statement`);
      const { sent, toText } = substitute(body, vars);
      statements.push({ id: `${name}:${i + 2}`, file: name, expect: marker[1] as 'ok' | 'error', note: marker[2] ?? '', start, end, text: body, sent, toText });
      i = j;
      continue;
    }
    if (META.test(line.content)) {
      const set = /^\\set[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]+(.*?)[ \t]*\r?$/.exec(line.content);
      if (set) vars.set(set[1]!, set[2]!.startsWith("'") && set[2]!.endsWith("'") ? set[2]!.slice(1, -1).replace(/''/g, "'") : set[2]!);
    } else if (!OUTSIDE_OK.test(line.content)) {
      problems.push(`${name}:${i + 1}: text outside a marked statement: ${JSON.stringify(line.content)}`);
    }
    i++;
  }
  return { name, abs: path.join(CORPUS_DIR, name), text, statements, problems };
}

/** psql's variable substitution (the subset the corpus uses: only variables set with \set above). */
function substitute(body: string, vars: Map<string, string>): { sent: string; toText: number[] } {
  let sent = '';
  const toText: number[] = [];
  let last = 0;
  const re = /(?<!:):(?:'([A-Za-z_][A-Za-z0-9_]*)'|"([A-Za-z_][A-Za-z0-9_]*)"|([A-Za-z_][A-Za-z0-9_]*))/g;
  const copy = (from: number, to: number) => {
    for (let k = from; k < to; k++) toText.push(k);
    sent += body.slice(from, to);
  };
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const name = m[1] ?? m[2] ?? m[3]!;
    const value = vars.get(name);
    if (value === undefined) continue; // psql leaves unknown variables alone
    const replacement = m[1] !== undefined ? `'${value.replace(/'/g, "''")}'` : m[2] !== undefined ? `"${value.replace(/"/g, '""')}"` : value;
    copy(last, m.index);
    for (let k = 0; k < replacement.length; k++) toText.push(m.index);
    sent += replacement;
    last = m.index + m[0].length;
  }
  copy(last, body.length);
  toText.push(body.length);
  return { sent, toText };
}

export const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');

/** Zero-based line / UTF-16 character of a UTF-16 offset (lines end at \n; a \r is a character). */
export function positionAt(text: string, offset: number): Pos {
  let line = 0;
  let lineStart = 0;
  for (let k = text.indexOf('\n'); k >= 0 && k < offset; k = text.indexOf('\n', k + 1)) {
    line++;
    lineStart = k + 1;
  }
  return { line, character: offset - lineStart };
}

export function offsetAt(text: string, pos: Pos): number {
  let start = 0;
  for (let l = 0; l < pos.line; l++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return text.length + 1; // past the end: never a statement's
    start = nl + 1;
  }
  return start + pos.character;
}

/** UTF-16 offset of the code point with index `cp` (PostgreSQL's positions count characters). */
export function utf16OfCodePoint(s: string, cp: number): number {
  let off = 0;
  for (let n = 0; n < cp; n++) {
    if (off >= s.length) return s.length + (cp - n);
    off += s.codePointAt(off)! > 0xffff ? 2 : 1;
  }
  return off;
}

// ---------------------------------------------------------------------------------------------
// Oracle

export interface QueryServer {
  query(sql: string): Promise<unknown>;
}

interface PgError {
  code?: string;
  message: string;
  position?: string;
  hint?: string;
}

/** PostgreSQL's verdict on one statement (a fresh transaction, rolled back; nothing runs). */
export async function askServer(server: QueryServer, file: CorpusFile, stmt: CorpusStatement): Promise<Verdict> {
  await server.query('BEGIN');
  let error: PgError;
  try {
    await server.query(GUARD + stmt.sent);
    throw new Error(`${stmt.id}: the guarded query succeeded: the guard is broken`);
  } catch (e) {
    error = e as PgError;
    if (!error || typeof error.code !== 'string') throw e; // not a server error (connection lost, ...)
  } finally {
    await server.query('ROLLBACK');
  }
  if (error.code === '22P02' && error.message === GUARD_MESSAGE) return { parsed: true };
  let serverPosition: number | null = null;
  let position: Pos | null = null;
  if (error.position !== undefined) {
    serverPosition = Number(error.position) - [...GUARD].length;
    if (!(serverPosition >= 1)) throw new Error(`${stmt.id}: error position ${error.position} falls in the guard: ${error.message}`);
    const inSent = utf16OfCodePoint(stmt.sent, serverPosition - 1);
    const inText = stmt.toText[Math.min(inSent, stmt.toText.length - 1)]! + Math.max(0, inSent - (stmt.toText.length - 1));
    position = positionAt(file.text, stmt.start + inText);
  }
  return {
    parsed: false,
    sqlstate: error.code!,
    message: error.message,
    ...(error.hint ? { hint: error.hint } : {}),
    serverPosition,
    position,
  };
}

export async function askAll(server: QueryServer, files: CorpusFile[]): Promise<Record<string, Verdict>> {
  const out: Record<string, Verdict> = {};
  for (const f of files) for (const s of f.statements) out[s.id] = await askServer(server, f, s);
  return out;
}

export function readSnapshot(): Snapshot | undefined {
  return fs.existsSync(SNAPSHOT_FILE) ? (JSON.parse(fs.readFileSync(SNAPSHOT_FILE, 'utf8')) as Snapshot) : undefined;
}

export function makeSnapshot(server: string, files: CorpusFile[], verdicts: Record<string, Verdict>): Snapshot {
  const statements: Snapshot['statements'] = {};
  for (const f of files) for (const s of f.statements) statements[s.id] = { sha1: sha1(s.sent), verdict: verdicts[s.id]! };
  return { server, guard: GUARD, statements };
}

/** Statements whose recorded verdict is missing or was recorded for another text. */
export function staleInSnapshot(files: CorpusFile[], snap: Snapshot): string[] {
  const ids = new Set<string>();
  const out: string[] = [];
  for (const f of files)
    for (const s of f.statements) {
      ids.add(s.id);
      const rec = snap.statements[s.id];
      if (!rec) out.push(`${s.id}: not recorded`);
      else if (rec.sha1 !== sha1(s.sent)) out.push(`${s.id}: recorded for another text`);
    }
  for (const id of Object.keys(snap.statements)) if (!ids.has(id)) out.push(`${id}: recorded but no longer in the corpus`);
  return out;
}

/** Statements where PostgreSQL does not do what the marker says. */
export function intentMismatches(files: CorpusFile[], verdicts: Record<string, Verdict>): string[] {
  return files.flatMap((f) =>
    f.statements
      .filter((s) => verdicts[s.id] && verdicts[s.id]!.parsed !== (s.expect === 'ok'))
      .map((s) => `${s.id}: marked @${s.expect} but PostgreSQL ${describe(verdicts[s.id]!)}`),
  );
}

export function diffVerdicts(files: CorpusFile[], live: Record<string, Verdict>, recorded: Record<string, Verdict>): string[] {
  return files.flatMap((f) =>
    f.statements
      .filter((s) => JSON.stringify(live[s.id]) !== JSON.stringify(recorded[s.id]))
      .map((s) => `${s.id}\n    live:     ${JSON.stringify(live[s.id])}\n    recorded: ${JSON.stringify(recorded[s.id])}`),
  );
}

export function describe(v: Verdict): string {
  if (v.parsed) return 'parses it';
  const at = v.position ? `${v.position.line + 1}:${v.position.character + 1}` : 'no position';
  return `rejects it: ${v.sqlstate} ${JSON.stringify(v.message)} at ${at}`;
}

// ---------------------------------------------------------------------------------------------
// Comparison with our engine

/** The part of a Finding this test looks at. */
export interface SyntaxFinding {
  file?: string;
  rule: string;
  range: { start: Pos };
  pgError?: string;
  message?: string;
}

export interface Comparison {
  compared: number;
  agreed: number;
  agreedParsed: number;
  agreedRejected: number;
  disagreements: string[];
}

/**
 * The statements we flag must be the ones PostgreSQL rejects, each with exactly one finding, the
 * same text and the same start position. Findings outside every marked statement disagree too.
 */
export function compare(
  files: CorpusFile[],
  oracle: Record<string, Verdict>,
  findingsOf: (f: CorpusFile) => SyntaxFinding[],
  /** Statements where libpg-query itself, given the exact text, disagrees with the server: marked as such. */
  parserDisagrees: ReadonlySet<string> = new Set(),
): Comparison {
  const acc: Comparison = { compared: 0, agreed: 0, agreedParsed: 0, agreedRejected: 0, disagreements: [] };
  for (const file of files) {
    const ours = findingsOf(file).filter((x) => x.rule === 'sql-syntax' && (x.file === undefined || x.file === file.abs));
    const byStmt = new Map<CorpusStatement, SyntaxFinding[]>();
    for (const x of ours) {
      const off = offsetAt(file.text, x.range.start);
      const stmt = file.statements.find((s) => s.start <= off && off <= s.end);
      if (!stmt) {
        acc.disagreements.push(`${file.name}:${x.range.start.line + 1}:${x.range.start.character + 1}: we flag ${JSON.stringify(x.pgError)} outside every corpus statement`);
        continue;
      }
      byStmt.set(stmt, [...(byStmt.get(stmt) ?? []), x]);
    }
    for (const s of file.statements) {
      const v = oracle[s.id];
      if (!v) {
        acc.disagreements.push(`${s.id}: no oracle verdict`);
        continue;
      }
      acc.compared++;
      const found = byStmt.get(s) ?? [];
      const where = (p: Pos | null) => (p ? `${p.line + 1}:${p.character + 1}` : '(no position)');
      const tag = parserDisagrees.has(s.id) ? '  [libpg-query itself disagrees with PostgreSQL here]' : '';
      const head = `${s.id}${s.note ? ` (${s.note})` : ''}${tag}\n    ${excerpt(s.text)}`;
      if (v.parsed) {
        if (found.length === 0) {
          acc.agreed++;
          acc.agreedParsed++;
        } else {
          acc.disagreements.push(`${head}\n    PostgreSQL parses it; we flag: ${found.map((x) => `${JSON.stringify(x.pgError)} at ${where(x.range.start)}`).join('; ')}`);
        }
        continue;
      }
      // PostgreSQL names no position for a few errors (bytes that are not UTF-8 made with E'' escapes):
      // we then expect the finding at the statement's first token.
      const expected = v.position ?? positionAt(file.text, s.start + firstTokenOffset(s.text));
      const pg = `PostgreSQL: ${v.sqlstate} ${JSON.stringify(v.message)} at ${v.position ? where(v.position) : `(no position; expected at the statement's first token, ${where(expected)})`}`;
      if (found.length === 0) {
        acc.disagreements.push(`${head}\n    ${pg}\n    we: no sql-syntax finding`);
      } else if (found.length > 1) {
        acc.disagreements.push(`${head}\n    ${pg}\n    we: ${found.length} findings: ${found.map((x) => `${JSON.stringify(x.pgError)} at ${where(x.range.start)}`).join('; ')}`);
      } else {
        const x = found[0]!;
        const samePos = x.range.start.line === expected.line && x.range.start.character === expected.character;
        // The one difference by design: an unterminated literal (perhaps a password) is not repeated.
        if (x.pgError === hideUnterminated(v.message) && samePos) {
          acc.agreed++;
          acc.agreedRejected++;
        } else {
          acc.disagreements.push(`${head}\n    ${pg}\n    we:         ${JSON.stringify(x.pgError)} at ${where(x.range.start)}`);
        }
      }
    }
  }
  return acc;
}

/** UTF-16 offset of the first token: after whitespace, -- comments and (nested) block comments. */
export function firstTokenOffset(text: string): number {
  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (text.startsWith('--', i)) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (text.startsWith('/*', i)) {
      let depth = 0;
      do {
        if (text.startsWith('/*', i)) (depth++, (i += 2));
        else if (text.startsWith('*/', i)) (depth--, (i += 2));
        else i++;
      } while (depth > 0 && i < text.length);
    } else return i;
  }
}

/** libpg-query's verdict on the statement's exact text (as sent), in the oracle's terms. */
export function parserVerdict(
  parse: (sql: string) => unknown,
  file: CorpusFile,
  stmt: CorpusStatement,
): { parsed: true } | { parsed: false; message: string; position: Pos } {
  try {
    parse(stmt.sent);
    return { parsed: true };
  } catch (e) {
    const d = (e as { sqlDetails?: { message: string; cursorPosition: number } }).sqlDetails;
    const message = d?.message ?? (e as Error).message;
    const inSent = utf16OfCodePoint(stmt.sent, d?.cursorPosition ?? 0);
    const inText = stmt.toText[Math.min(inSent, stmt.toText.length - 1)]!;
    return { parsed: false, message, position: positionAt(file.text, stmt.start + inText) };
  }
}

/** Where libpg-query, given each statement's exact text, does not say what the server says. */
export function compareParser(files: CorpusFile[], oracle: Record<string, Verdict>, parse: (sql: string) => unknown): { compared: number; disagreements: Map<string, string> } {
  const disagreements = new Map<string, string>();
  let compared = 0;
  for (const file of files)
    for (const s of file.statements) {
      const v = oracle[s.id];
      if (!v) continue;
      compared++;
      const p = parserVerdict(parse, file, s);
      const where = (x: Pos) => `${x.line + 1}:${x.character + 1}`;
      const pgSays = v.parsed ? 'parses it' : `${JSON.stringify(v.message)} at ${v.position ? where(v.position) : '(no position)'}`;
      const libSays = p.parsed ? 'parses it' : `${JSON.stringify(p.message)} at ${where(p.position)}`;
      if (v.parsed !== p.parsed || (!v.parsed && !p.parsed && (v.message !== p.message || (v.position && where(v.position) !== where(p.position)))))
        disagreements.set(s.id, `${s.id}\n    ${excerpt(s.text)}\n    PostgreSQL:  ${pgSays}\n    libpg-query: ${libSays}`);
    }
  return { compared, disagreements };
}

function excerpt(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 110 ? `${one.slice(0, 107)}...` : one;
}
