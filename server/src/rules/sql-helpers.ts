// Shared vocabulary for the SQL rules: walking statements, and turning the parser's byte offsets
// (libpg-query counts UTF-8 bytes within a statement) into the editor's ranges.
import type { ScanToken } from 'libpg-query';
import { utf16OfByte, type ParsedStatement, type SqlAnalysis } from '../engine/sql';

export { utf16OfByte };
import { scanSql } from '../engine/sql/parser';
import type { Range, TextEdit } from '../engine/types';

/** A parse-tree node. The tree's shape is @pgsql/types'; rules read a few fields of it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Node = any;

export interface StatementNode {
  stmt: ParsedStatement;
  /** The statement's node type, e.g. CreatePolicyStmt. */
  type: string;
  node: Node;
}

/** Every statement that parsed, with its node. */
export function statementNodes(a: SqlAnalysis): StatementNode[] {
  const out: StatementNode[] = [];
  for (const stmt of a.statements) {
    for (const raw of stmt.ast?.stmts ?? []) {
      const wrapper = raw.stmt as Node;
      if (!wrapper) continue;
      const type = Object.keys(wrapper)[0];
      out.push({ stmt, type, node: wrapper[type] });
    }
  }
  return out;
}

const tokenCache = new WeakMap<ParsedStatement, ScanToken[]>();
export function tokens(stmt: ParsedStatement): ScanToken[] {
  let t = tokenCache.get(stmt);
  if (!t) {
    t = scanSql(stmt.text);
    tokenCache.set(stmt, t);
  }
  return t;
}

/** The range of statement bytes [start, end) in the file. */
export function byteRange(a: SqlAnalysis, stmt: ParsedStatement, start: number, end: number): Range {
  return {
    start: a.positionAt(stmt.start + utf16OfByte(stmt.text, start)),
    end: a.positionAt(stmt.start + utf16OfByte(stmt.text, end)),
  };
}

/** The range of the token that starts at a node's location (a keyword, a name, a literal). */
export function tokenRange(a: SqlAnalysis, stmt: ParsedStatement, location: number | undefined): Range {
  const t = tokens(stmt).find((x) => x.start >= (location ?? 0));
  return t ? byteRange(a, stmt, t.start, t.end) : statementRange(a, stmt);
}

/** The first token at or after `location` for which `match` holds. */
export function findToken(a: SqlAnalysis, stmt: ParsedStatement, location: number, match: (t: ScanToken) => boolean): Range | undefined {
  const t = tokens(stmt).find((x) => x.start >= location && match(x));
  return t ? byteRange(a, stmt, t.start, t.end) : undefined;
}

/** The statement without leading blanks and comments. */
export function statementRange(a: SqlAnalysis, stmt: ParsedStatement): Range {
  const first = tokens(stmt)[0];
  const last = tokens(stmt)[tokens(stmt).length - 1];
  if (!first || !last) return { start: a.positionAt(stmt.start), end: a.positionAt(stmt.end) };
  return byteRange(a, stmt, first.start, last.end);
}

/** Inserts SQL on the line after a statement (after its semicolon). */
export function insertAfter(a: SqlAnalysis, stmt: ParsedStatement, sql: string): TextEdit {
  const semicolon = a.text[stmt.end] === ';' ? stmt.end + 1 : stmt.end;
  const pos = a.positionAt(semicolon);
  return { file: a.file, range: { start: pos, end: pos }, newText: `\n${sql}` };
}

/** schema.name of a RangeVar, unqualified names in public (search_path handling comes with the history). */
export function qualifiedName(rv: Node): string {
  return `${rv?.schemaname ?? 'public'}.${rv?.relname ?? '?'}`;
}

/** Quotes an identifier only when PostgreSQL needs it. */
export const quoteIdent = (s: string) => (/^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`);

/** The range of the first token spelled `word` (case-insensitive) from `location` on; the statement when absent. */
export function wordRange(a: SqlAnalysis, stmt: ParsedStatement, word: string, location = 0): Range {
  const w = word.toLowerCase();
  return findToken(a, stmt, location, (t) => t.text.toLowerCase() === w || t.text === `"${word}"`) ?? statementRange(a, stmt);
}

export const RLS_DOCS = 'https://www.postgresql.org/docs/current/ddl-rowsecurity.html';
export const POLICY_DOCS = 'https://www.postgresql.org/docs/current/sql-createpolicy.html';
