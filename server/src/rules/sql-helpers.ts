// Shared vocabulary for the SQL rules: walking statements, and turning the parser's byte offsets
// (libpg-query counts UTF-8 bytes within a statement) into the editor's ranges.
import type { ScanToken } from 'libpg-query';
import { onForgetEdited, utf16OfByte, type ParsedStatement, type SqlAnalysis } from '../engine/sql';
import { EDITED_FILES } from '../engine/sql/carry-over';
import { RecentMap } from '../engine/recent';
import { LayeredMap } from '../engine/sql/layered';
import { nodeAt } from '../engine/sql/node-at';

export { utf16OfByte };
import { scanSql } from '../engine/sql/parser';
import type { Range, RelatedLocation, TextEdit } from '../engine/types';
import { SEARCH_PATH_TYPES, searchPathSetBy, type Origin } from '../engine/sql/model';
import { pushTo } from '../engine/map-lists';
import type { SqlContext } from './rule';

/** A parse-tree node. The tree's shape is @pgsql/types'; rules read a few fields of it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Node = any;

export interface StatementNode {
  stmt: ParsedStatement;
  /** The statement's node type, e.g. CreatePolicyStmt. */
  type: string;
  node: Node;
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

/** Quotes an identifier only when PostgreSQL needs it. */
export const quoteIdent = (s: string) => (/^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`);

/** The range of the first token spelled `word` (case-insensitive) from `location` on; the statement when absent. */
export function wordRange(a: SqlAnalysis, stmt: ParsedStatement, word: string, location = 0): Range {
  const w = word.toLowerCase();
  return findToken(a, stmt, location, (t) => t.text.toLowerCase() === w || t.text === `"${word}"`) ?? statementRange(a, stmt);
}

/** The condition that admits only the current tenant's rows, when the table has a tenant column. */
export function tenantCondition(ctx: SqlContext, table: string): { column: string; expr: string } | undefined {
  const t = ctx.model.tables.get(table);
  const column = t?.columns.find((c) => ctx.config.tenantColumns.includes(c));
  if (!t || !column) return undefined;
  const type = t.columnTypes.get(column) || 'text';
  return { column, expr: `${quoteIdent(column)} = current_setting('app.tenant_id', true)::${type}` };
}

/** A related location at the statement a model fact came from. */
export function relatedAt(o: Origin, message: string): RelatedLocation {
  return { file: o.analysis.file, range: statementRange(o.analysis, o.stmt), message };
}

/** What the rules about role attributes read (SqlRule.reads): the role statements and their undoing. */
export const ROLE_STATEMENTS: readonly string[] = ['CreateRoleStmt', 'AlterRoleStmt', 'DropRoleStmt'];

export const RLS_DOCS = 'https://www.postgresql.org/docs/current/ddl-rowsecurity.html';
export const POLICY_DOCS = 'https://www.postgresql.org/docs/current/sql-createpolicy.html';

// ---------------------------------------------------------------------------------------------
// Added with the role, grant, policy and function rules.

/** A statement of a migration history: its file, and its place in the order the history runs. */
export interface HistoryNode extends StatementNode {
  analysis: SqlAnalysis;
  /** Position in the whole history (later statements have larger numbers; see positionsIn). */
  index: number;
  /** The statement's index in its file. */
  at: number;
}

/**
 * One node of a statement's parse tree, decoded when a rule first reads it. It depends on the text
 * alone, so a file being edited keeps it for the statements an edit did not replace
 * (SqlAnalysis.readStatements), decoded once across keystrokes.
 */
class TreeNode {
  private decoded?: { node: Node };
  constructor(
    /** The statement it was read from: possibly an earlier copy, at another place, with the same tree. */
    protected readonly source: ParsedStatement,
    readonly type: string,
    readonly i: number,
  ) {}
  get node(): Node {
    this.decoded ??= { node: nodeAt(this.source, this.i) };
    return this.decoded.node;
  }
}

const treeNodes = (stmt: ParsedStatement): TreeNode[] => stmt.types.map((type, i) => new TreeNode(stmt, type, i));

/** A history node over a tree node kept with the file's analysis (historyNodesOfType). */
class LazyHistoryNode implements HistoryNode {
  constructor(
    private readonly tree: TreeNode,
    readonly stmt: ParsedStatement,
    readonly analysis: SqlAnalysis,
    readonly at: number,
    readonly index: number,
  ) {}
  get type(): string {
    return this.tree.type;
  }
  get node(): Node {
    return this.tree.node;
  }
}

/**
 * Where each file's statements start in the history's order: statement k of a file is at its start
 * plus k, and node i of that statement's n nodes at i/n more. Nodes found apart (of some types, of
 * one file) then still compare by their place in the history.
 */
function positionsIn(history: SqlAnalysis[]): Map<SqlAnalysis, number> {
  let starts = positionsCache.get(history);
  if (!starts) {
    starts = new Map();
    let at = 0;
    for (const a of history) {
      starts.set(a, at);
      at += a.statements.length;
    }
    positionsCache.set(history, starts);
  }
  return starts;
}
const positionsCache = new WeakMap<SqlAnalysis[], Map<SqlAnalysis, number>>();

/** The place of node i (of `count`) of statement k in a file whose statements start at `start`. */
const placeOf = (start: number, k: number, i: number, count: number) => start + k + i / count;

/**
 * The nodes of one file's statements of these types (read with readStatements), as history nodes from
 * `start` on: those of these types, or with `every`, every node of those statements.
 */
function nodesOfTypes(analysis: SqlAnalysis, start: number, types: readonly string[], out: HistoryNode[], every = false) {
  const { indices, values } = analysis.readStatements(types, treeNodes);
  for (let j = 0; j < indices.length; j++) {
    const k = indices[j];
    const nodes = values[j];
    for (const t of nodes) if (every || types.includes(t.type)) out.push(new LazyHistoryNode(t, analysis.statements[k], analysis, k, placeOf(start, k, t.i, nodes.length)));
  }
}

/**
 * The schema an unqualified name falls in at a statement: the first of the search_path that an
 * earlier SET (or pg_dump's set_config) of its file left, as the schema model follows it; public
 * when none did.
 */
export function schemaAt(n: HistoryNode): string {
  const { indices, values } = n.analysis.readStatements(SEARCH_PATH_TYPES, searchPathSetBy);
  let lo = 0;
  let hi = indices.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (indices[mid] < n.at) lo = mid + 1;
    else hi = mid;
  }
  for (let j = lo - 1; j >= 0; j--) if (values[j] !== undefined) return values[j]!;
  return 'public';
}

/** schema.name of a RangeVar at a statement, as the schema model names tables. */
export const nameAt = (n: HistoryNode, rv: Node): string => `${rv?.schemaname ?? schemaAt(n)}.${rv?.relname ?? '?'}`;

/** schema.name from a list of name parts (DROP objects, function names) at a statement. */
export const listNameAt = (n: HistoryNode, parts: string[]): string => (parts.length > 1 ? parts.join('.') : `${schemaAt(n)}.${parts[0]}`);

const typeCache = new WeakMap<SqlAnalysis[], Map<string, HistoryNode[]>>();
/**
 * The history's statements of the given types, in the order they run. Rules that look for a later
 * statement undoing an earlier one search these, not every statement of the history. Found from
 * each file's list of statements of these types, without a node for every statement: the policy
 * and function rules ask for these at each keystroke that edits a policy or function.
 */
export function historyNodesOfType(history: SqlAnalysis[], ...types: string[]): HistoryNode[] {
  let byKey = typeCache.get(history);
  if (!byKey) typeCache.set(history, (byKey = new Map()));
  const key = types.join(' ');
  let nodes = byKey.get(key);
  if (!nodes) {
    nodes = [];
    for (const [analysis, start] of positionsIn(history)) nodesOfTypes(analysis, start, types, nodes);
    byKey.set(key, nodes);
  }
  return nodes;
}

const lastCache = new WeakMap<HistoryNode[], Map<(n: HistoryNode) => Iterable<string>, Map<string, number>>>();
/**
 * Where among `nodes` (statements of the history, in order) each key was last named, as `keysOf`
 * names the keys of each statement; found once per list and `keysOf`. Rules that ask whether a
 * later statement undoes a finding (a later DROP, REVOKE or ENABLE of the same object) look its key
 * up here: a scan of the history for each finding made thousands of findings cost their square.
 */
export function lastIndexByKey(nodes: HistoryNode[], keysOf: (n: HistoryNode) => Iterable<string>): Map<string, number> {
  let byReader = lastCache.get(nodes);
  if (!byReader) lastCache.set(nodes, (byReader = new Map()));
  let last = byReader.get(keysOf);
  if (!last) {
    last = new Map();
    // In history order, so each key ends up with its last statement.
    for (const n of nodes) for (const key of keysOf(n)) last.set(key, n.index);
    byReader.set(keysOf, last);
  }
  return last;
}

/** Whether a statement after `after` names one of `keys` (see lastIndexByKey). */
export const namedLater = (last: Map<string, number>, after: HistoryNode, ...keys: string[]): boolean =>
  keys.some((key) => (last.get(key) ?? -1) > after.index);

/**
 * The checked file's nodes of these types, in order; with `everyNode`, every node of the statements
 * that have one of the types, which may then be pseudo-types of carry-over.ts (set_config). Rules
 * run once per file of the history, so they walk these, not the whole history (which made a history
 * of n files cost n squared), nor the file's other statements (a node for each statement of a
 * 1,000-file history was 136,000 objects).
 */
export function nodesOf(ctx: { history: SqlAnalysis[]; analysis: SqlAnalysis }, types: readonly string[], everyNode = false): HistoryNode[] {
  const out: HistoryNode[] = [];
  nodesOfTypes(ctx.analysis, positionsIn(ctx.history).get(ctx.analysis) ?? 0, types, out, everyNode);
  return out;
}

/** Tokens without comments and without the statement's terminating semicolon. */
const codeCache = new WeakMap<ParsedStatement, ScanToken[]>();
export function codeTokens(stmt: ParsedStatement): ScanToken[] {
  let code = codeCache.get(stmt);
  if (!code) {
    code = tokens(stmt).filter((t) => t.tokenName !== 'SQL_COMMENT' && t.tokenName !== 'C_COMMENT');
    if (code[code.length - 1]?.text === ';') code.pop();
    codeCache.set(stmt, code);
  }
  return code;
}

/** A string constant token: '…', E'…', $tag$…$tag$, U&'…'. */
export const isStringToken = (t: ScanToken) => t.tokenName === 'SCONST' || /^[Uu]&'/.test(t.text);

/** The first string constant at or after `location` (a DefElem's keyword, say). */
export function stringTokenAfter(stmt: ParsedStatement, location: number): ScanToken | undefined {
  return codeTokens(stmt).find((t) => t.start >= location && isStringToken(t));
}

/** True when the literal at statement byte `byte` stood for a psql variable (:'name') in the file: its value is not in the file. */
export function isPsqlVariable(a: SqlAnalysis, stmt: ParsedStatement, byte: number): boolean {
  const i = utf16OfByte(stmt.text, byte);
  return i > 0 && stmt.text[i - 1] === ' ' && a.text[stmt.start + i - 1] === ':';
}

/** UTF-16 offset in the file of statement byte `byte`. */
export const fileOffset = (stmt: ParsedStatement, byte: number) => stmt.start + utf16OfByte(stmt.text, byte);

/** The file's own text of statement bytes [start, end): as written, psql variables included. */
export function sourceText(a: SqlAnalysis, stmt: ParsedStatement, start: number, end: number): string {
  return a.text.slice(fileOffset(stmt, start), fileOffset(stmt, end));
}

/** Replaces statement bytes [start, end) with `newText`. */
export function replaceBytes(a: SqlAnalysis, stmt: ParsedStatement, start: number, end: number, newText: string): TextEdit {
  return { file: a.file, range: byteRange(a, stmt, start, end), newText };
}

/** Removes the whole statement, its semicolon included. */
export function deleteStatement(a: SqlAnalysis, stmt: ParsedStatement): TextEdit {
  const code = codeTokens(stmt);
  const start = code.length ? fileOffset(stmt, code[0].start) : stmt.start;
  const end = a.text[stmt.end] === ';' ? stmt.end + 1 : stmt.end;
  return { file: a.file, range: { start: a.positionAt(start), end: a.positionAt(end) }, newText: '' };
}

/**
 * Removes item `i` of a comma-separated list of one-token items (role names), with the comma that
 * joins it to its neighbour. Undefined when the list has one item (remove the clause instead).
 */
export function removeListItem(a: SqlAnalysis, stmt: ParsedStatement, items: ScanToken[], i: number): TextEdit | undefined {
  if (items.length < 2) return undefined;
  return i < items.length - 1
    ? replaceBytes(a, stmt, items[i].start, items[i + 1].start, '')
    : replaceBytes(a, stmt, items[i - 1].end, items[i].end, '');
}

/** A clause `WORDS ( … )` at parenthesis depth 0: its first keyword, and the parentheses around its expression. */
export interface ParenClause {
  keyword: ScanToken;
  open: ScanToken;
  close: ScanToken;
}

/** Finds `words` (e.g. ['WITH', 'CHECK']) at depth 0 followed by a parenthesized expression. */
export function parenClause(stmt: ParsedStatement, words: string[]): ParenClause | undefined {
  const code = codeTokens(stmt);
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    const t = code[i];
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    if (depth !== 0 || !words.every((w, k) => code[i + k]?.text.toUpperCase() === w)) continue;
    const open = code[i + words.length];
    if (open?.text !== '(') continue;
    let d = 0;
    for (let j = i + words.length; j < code.length; j++) {
      if (code[j].text === '(') d++;
      else if (code[j].text === ')' && --d === 0) return { keyword: t, open, close: code[j] };
    }
    return undefined;
  }
  return undefined;
}

/** The tokens of a call's arguments (`name(a, b, c)` from the token at `location`), one array per argument. */
export function callArguments(code: ScanToken[], location: number): ScanToken[][] | undefined {
  const i = code.findIndex((t) => t.start >= location && t.text === '(');
  if (i < 0) return undefined;
  const args: ScanToken[][] = [[]];
  let depth = 0;
  for (let j = i; j < code.length; j++) {
    const t = code[j];
    if (t.text === '(' || t.text === '[') {
      if (depth++ === 0) continue;
    } else if (t.text === ')' || t.text === ']') {
      if (--depth === 0) return args[0].length ? args : [];
    } else if (t.text === ',' && depth === 1) {
      args.push([]);
      continue;
    }
    args[args.length - 1].push(t);
  }
  return undefined;
}

/** The name a RoleSpec stands for: its name, PUBLIC, CURRENT_USER… */
export function roleName(spec: Node): string {
  const r = spec?.RoleSpec ?? spec;
  switch (r?.roletype) {
    case 'ROLESPEC_PUBLIC':
      return 'PUBLIC';
    case 'ROLESPEC_CURRENT_USER':
      return 'CURRENT_USER';
    case 'ROLESPEC_SESSION_USER':
      return 'SESSION_USER';
    case 'ROLESPEC_CURRENT_ROLE':
      return 'CURRENT_ROLE';
    default:
      return r?.rolename ?? '?';
  }
}

/** The replayed state of one policy of the history. */
export interface PolicyState {
  /** schema.table, unqualified names in the schema search_path gave them (schemaAt). */
  readonly table: string;
  readonly name: string;
  /** all, select, insert, update or delete. */
  readonly command: string;
  readonly created: HistoryNode;
  /** The statement whose USING expression is in force, when there is one. */
  readonly using?: HistoryNode;
  /** The statement whose WITH CHECK expression is in force, when there is one. */
  readonly check?: HistoryNode;
}

const POLICY_TYPES = ['CreatePolicyStmt', 'AlterPolicyStmt', 'RenameStmt', 'DropStmt'];
const policyCache = new WeakMap<SqlAnalysis[], PolicyState[]>();

/**
 * The replay's policies at the start of a file being edited, for the next keystroke's replay of a
 * history with the same files before it: it replays that file and the ones after it, not the whole
 * history. One per edited file, forgotten with it: a state holds the analyses of the files before.
 */
interface ReplayState {
  before: readonly SqlAnalysis[];
  policies: ReadonlyMap<string, PolicyState>;
}
const replayStates = new RecentMap<string, ReplayState>(EDITED_FILES);
onForgetEdited((file) => replayStates.delete(file));

/** The file being edited (its analysis says what the keystroke changed), or -1. */
const editedIn = (history: SqlAnalysis[]) => history.findIndex((a) => a.edit !== undefined);

/** Where a replay can start: the kept state of the edited file, when the history still has the files it was made from. */
function replayStart(history: SqlAnalysis[], edited: number): { from: number; policies: Map<string, PolicyState> } {
  const s = edited > 0 ? replayStates.get(history[edited].file) : undefined;
  // The kept state is never changed: the replay goes on in a layer over it.
  if (s && s.before.length === edited && s.before.every((a, j) => a === history[j])) return { from: edited, policies: new LayeredMap(s.policies) };
  return { from: 0, policies: new Map() };
}

/**
 * Every policy the history creates and does not drop, with the statements whose USING and WITH CHECK
 * are in force at its end: ALTER POLICY replaces only the clauses it names; renames of the policy
 * and its table, and DROP TABLE, are followed. A policy's state is replaced, never changed, so a
 * kept state (ReplayState) stays as it was.
 */
export function replayPolicies(history: SqlAnalysis[]): PolicyState[] {
  const cached = policyCache.get(history);
  if (cached) return cached;
  const edited = editedIn(history);
  const { from, policies } = replayStart(history, edited);
  const key = (table: string, name: string) => `${table}\u0000${name}`;
  const starts = positionsIn(history);
  for (let i = from; i < history.length; i++) {
    if (i === edited && i > from) replayStates.set(history[i].file, { before: history.slice(0, i), policies: new Map(policies) });
    const nodes: HistoryNode[] = [];
    nodesOfTypes(history[i], starts.get(history[i])!, POLICY_TYPES, nodes);
    for (const n of nodes) {
      const { type, node } = n;
      if (type === 'CreatePolicyStmt') {
        const table = nameAt(n, node.table);
        policies.set(key(table, node.policy_name), {
          table,
          name: node.policy_name,
          command: node.cmd_name ?? 'all',
          created: n,
          using: node.qual ? n : undefined,
          check: node.with_check ? n : undefined,
        });
      } else if (type === 'AlterPolicyStmt') {
        const k = key(nameAt(n, node.table), node.policy_name);
        const p = policies.get(k);
        if (p) policies.set(k, { ...p, using: node.qual ? n : p.using, check: node.with_check ? n : p.check });
      } else if (type === 'RenameStmt' && node.renameType === 'OBJECT_POLICY') {
        const table = nameAt(n, node.relation);
        const p = policies.get(key(table, node.subname));
        if (!p) continue;
        policies.delete(key(table, node.subname));
        policies.set(key(table, node.newname), { ...p, name: node.newname });
      } else if (type === 'RenameStmt' && node.renameType === 'OBJECT_TABLE') {
        const from = nameAt(n, node.relation);
        const to = `${from.split('.')[0]}.${node.newname}`;
        for (const [k, p] of [...policies]) {
          if (p.table !== from) continue;
          policies.delete(k);
          policies.set(key(to, p.name), { ...p, table: to });
        }
      } else if (type === 'DropStmt' && (node.removeType === 'OBJECT_POLICY' || node.removeType === 'OBJECT_TABLE')) {
        for (const obj of node.objects ?? []) {
          const parts: string[] = (obj.List?.items ?? []).map((x: Node) => x?.String?.sval);
          if (node.removeType === 'OBJECT_POLICY') {
            const name = parts.pop()!;
            policies.delete(key(listNameAt(n, parts), name));
          } else {
            const table = listNameAt(n, parts);
            for (const [k, p] of [...policies]) if (p.table === table) policies.delete(k);
          }
        }
      }
    }
  }
  const out = [...policies.values()];
  policyCache.set(history, out);
  return out;
}

const policiesByFile = new WeakMap<SqlAnalysis[], Map<SqlAnalysis, PolicyState[]>>();
/**
 * The replayed policies whose CREATE, USING or WITH CHECK statement is in the checked file. Rules
 * run once per file: walking every policy of the history each time made a long history quadratic.
 */
export function policiesIn(ctx: { history: SqlAnalysis[]; analysis: SqlAnalysis }): PolicyState[] {
  let byFile = policiesByFile.get(ctx.history);
  if (!byFile) {
    byFile = new Map();
    // Without a Set per policy: this runs at every keystroke in a policy, over every policy.
    for (const p of replayPolicies(ctx.history)) {
      const [a, b, c] = [p.created.analysis, p.using?.analysis, p.check?.analysis];
      pushTo(byFile, a, p);
      if (b && b !== a) pushTo(byFile, b, p);
      if (c && c !== a && c !== b) pushTo(byFile, c, p);
    }
    policiesByFile.set(ctx.history, byFile);
  }
  return byFile.get(ctx.analysis) ?? [];
}
