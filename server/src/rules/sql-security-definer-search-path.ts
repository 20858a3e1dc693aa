import type { SqlRule } from './rule';
import { byteRange, codeTokens, historyNodesOfType, listNameAt, quoteIdent, replaceBytes, stringTokenAfter, type HistoryNode, type Node } from './sql-helpers';
import type { Fix, TextEdit } from '../engine/types';
import { parseSql } from '../engine/sql/parser';
import { FUNCTION_READS, rangeVarOf } from '../engine/sql/model';
import { ROUTINE_OBJECTS } from '../engine/sql/carry-over';
import type { SqlAnalysis } from '../engine/sql';
import { pushTo } from '../engine/map-lists';
import { RecentMap } from '../engine/recent';

const SECURITY_DOCS = 'https://www.postgresql.org/docs/current/sql-createfunction.html#SQL-CREATEFUNCTION-SECURITY';
const SAFE_PATH = 'pg_catalog, pg_temp';
/** Schemas other roles can usually create objects in: public (everyone, before PostgreSQL 15 and in upgraded databases) and each user's own. */
const WRITABLE = new Set(['public', '$user']);

interface FunctionState {
  /** schema.name, unqualified names in the schema search_path gave them (schemaAt). */
  name: string;
  /** Input argument types, normalized as the parser spells them (int4, varchar…); undefined when unknown. */
  args?: string;
  /** The statement and option that made it SECURITY DEFINER. */
  definer?: { n: HistoryNode; option: Node };
  /** The statement and option whose SET search_path is in force. */
  path?: { n: HistoryNode; option: Node };
  /** The last statement that removed its search_path (RESET, SET … TO DEFAULT). */
  pathRemoved?: HistoryNode;
}

/** schema.name of a function a statement names, unqualified names where search_path puts them there. */
const functionName = (n: HistoryNode, names: Node[]) => listNameAt(n, (names ?? []).map((x: Node) => x.String?.sval));

/** A type as the parser gives it (int and integer are both pg_catalog.int4), without pg_catalog. */
const typeKey = (t: Node) =>
  (t?.names ?? []).map((x: Node) => x.String?.sval).filter((x: string) => x !== 'pg_catalog').join('.') + '[]'.repeat(t?.arrayBounds?.length ?? 0);

/** CREATE FUNCTION's input argument types (OUT and TABLE columns are not part of the signature). */
const createArgs = (params: Node[]) =>
  (params ?? [])
    .map((p: Node) => p.FunctionParameter)
    .filter((p: Node) => p?.mode !== 'FUNC_PARAM_OUT' && p?.mode !== 'FUNC_PARAM_TABLE')
    .map((p: Node) => typeKey(p.argType))
    .join(',');

/** ALTER/DROP/RENAME's argument types, undefined when the statement names the function without them. */
const objectArgs = (o: Node) => (o?.args_unspecified ? undefined : (o?.objargs ?? []).map((t: Node) => typeKey(t.TypeName ?? t)).join(','));

/** SECURITY DEFINER functions and procedures at the end of the history, with their search_path (ALTER FUNCTION, RENAME, DROP followed; overloads apart). */
/** Replayed once per history, not once per file of it. */
const replayed = new WeakMap<SqlAnalysis[], Map<SqlAnalysis, FunctionState[]>>();

/** The functions by the file of the statement a finding would point at: the rule runs once per file. */
function functionsByFile(functions: FunctionState[]): Map<SqlAnalysis, FunctionState[]> {
  const byFile = new Map<SqlAnalysis, FunctionState[]>();
  for (const f of functions) {
    const a = (f.path ?? f.definer)?.n.analysis;
    if (a) pushTo(byFile, a, f);
  }
  return byFile;
}

/**
 * The functions known at a point of the history: by name, overloads together, so a statement finds
 * the ones it names without walking all of them (a history of 2,700 functions copied its whole list
 * at each CREATE FUNCTION: 100 MB of garbage); listed in the order they were made.
 */
class KnownFunctions {
  private byName = new Map<string, FunctionState[]>();
  private made = new Map<FunctionState, number>();
  named(name: string): readonly FunctionState[] {
    return this.byName.get(name) ?? [];
  }
  add(f: FunctionState): void {
    this.made.set(f, this.made.size);
    pushTo(this.byName, f.name, f);
  }
  remove(f: FunctionState): void {
    const same = this.byName.get(f.name)!;
    same.splice(same.indexOf(f), 1);
  }
  rename(f: FunctionState, name: string): void {
    this.remove(f);
    f.name = name;
    pushTo(this.byName, name, f);
  }
  all(): FunctionState[] {
    return [...this.byName.values()].flat().sort((a, b) => this.made.get(a)! - this.made.get(b)!);
  }
}

function replayFunctions(history: SqlAnalysis[]): FunctionState[] {
  const functions = new KnownFunctions();
  /** The functions an ALTER/DROP/RENAME names: the overload with these arguments, or every overload when none are given. */
  const named = (n: HistoryNode, o: Node) => {
    const args = objectArgs(o);
    return functions.named(functionName(n, o?.objname)).filter((f) => args === undefined || f.args === args || f.args === undefined);
  };
  const apply = (f: FunctionState, n: HistoryNode, options: Node[]) => {
    for (const o of options ?? []) {
      const d = o.DefElem;
      if (d?.defname === 'security') f.definer = d.arg?.Boolean?.boolval ? { n, option: d } : undefined;
      if (d?.defname !== 'set') continue;
      const set = d.arg?.VariableSetStmt;
      if (set?.kind === 'VAR_RESET_ALL' || (set?.name === 'search_path' && (set.kind === 'VAR_RESET' || set.kind === 'VAR_SET_DEFAULT'))) {
        f.path = undefined;
        f.pathRemoved = n;
      } else if (set?.name === 'search_path') f.path = { n, option: d };
    }
  };
  const FUNCTION_TYPES = ['CreateFunctionStmt', 'AlterFunctionStmt', 'RenameStmt', 'DropStmt'];
  for (const n of historyNodesOfType(history, ...FUNCTION_TYPES)) {
    const { type } = n;
    const node = n.node;
    if (type === 'CreateFunctionStmt') {
      // CREATE OR REPLACE replaces every attribute, the configuration included.
      const f: FunctionState = { name: functionName(n, node.funcname), args: createArgs(node.parameters) };
      for (const g of functions.named(f.name).filter((g) => g.args === f.args)) functions.remove(g);
      apply(f, n, node.options);
      functions.add(f);
    } else if (type === 'AlterFunctionStmt') {
      let targets = named(n, node.func);
      if (!targets.length) {
        // Created outside the history: nothing known about it but what this statement says.
        const f: FunctionState = { name: functionName(n, node.func?.objname), args: objectArgs(node.func) };
        functions.add(f);
        targets = [f];
      }
      for (const f of targets) apply(f, n, node.actions);
    } else if (type === 'RenameStmt' && ROUTINE_OBJECTS.has(node.renameType)) {
      for (const f of named(n, node.object?.ObjectWithArgs)) functions.rename(f, `${f.name.split('.').slice(0, -1).join('.')}.${node.newname}`);
    } else if (type === 'DropStmt' && ROUTINE_OBJECTS.has(node.removeType)) {
      for (const o of node.objects ?? []) for (const f of named(n, o.ObjectWithArgs)) functions.remove(f);
    }
  }
  return functions.all().filter((f) => f.definer);
}

/**
 * PostgreSQL checks a LANGUAGE sql body when the function is created, with the function's own
 * search_path: once that is pg_catalog, pg_temp, the body's unqualified tables (and the history's
 * own functions) are no longer found. These edits qualify them with the schema they were meant
 * in. Undefined when the body cannot be edited safely (not dollar-quoted, or does not parse);
 * PL/pgSQL bodies are only checked when they run, so they are left to the person.
 */
function qualifyBody(n: HistoryNode, schema: string, known: Set<string>): TextEdit[] | undefined {
  const options: Node[] = n.node.options ?? [];
  const option = (name: string) => options.find((o) => o.DefElem?.defname === name)?.DefElem;
  if (option('language')?.arg?.String?.sval?.toLowerCase() !== 'sql') return [];
  const as = option('as');
  if (!as) return []; // BEGIN ATOMIC / RETURN bodies are bound when created, whatever the path says later
  const token = stringTokenAfter(n.stmt, as.location);
  const tag = token && /^\$[^$]*\$/.exec(token.text)?.[0];
  if (!token || !tag) return undefined;
  const names = unqualifiedIn(token.text.slice(tag.length, token.text.length - tag.length));
  if (!names) return undefined;
  const base = token.start + Buffer.byteLength(tag);
  return names
    .filter((spot) => spot.call === undefined || known.has(`${schema}.${spot.call}`))
    .map((spot) => replaceBytes(n.analysis, n.stmt, base + spot.location, base + spot.location, `${quoteIdent(schema)}.`));
}

/** The byte offsets of a body's unqualified tables (CTEs aside) and one-part function calls (with their names). */
type BodyNames = { location: number; call?: string }[];

/** Bodies read before: the rule runs again at keystrokes that edit a statement the model reads. */
const bodies = new RecentMap<string, BodyNames | null>(512);

function unqualifiedIn(body: string): BodyNames | null {
  if (bodies.has(body)) return bodies.get(body)!;
  const parsed = parseSql(body);
  let names: BodyNames | null = null;
  if (parsed.ok) {
    const ctes = new Set<string>();
    const spots: { location: number; relation?: string; call?: string }[] = [];
    const walk = (x: Node): void => {
      if (!x || typeof x !== 'object') return;
      if (Array.isArray(x)) return x.forEach(walk);
      if (x.CommonTableExpr?.ctename) ctes.add(x.CommonTableExpr.ctename);
      const rv = rangeVarOf(x);
      if (rv && !rv.schemaname) spots.push({ location: rv.location, relation: rv.relname });
      const fn = x.FuncCall?.funcname;
      if (fn?.length === 1) spots.push({ location: x.FuncCall.location, call: fn[0].String?.sval ?? '' });
      for (const v of Object.values(x)) walk(v);
    };
    walk(JSON.parse(parsed.json));
    names = spots.filter((spot) => !(spot.relation && ctes.has(spot.relation))).map(({ location, call }) => ({ location, call }));
  }
  bodies.set(body, names);
  return names;
}

/** What is wrong with a SET search_path, and the path to use instead; undefined when it is safe. */
function judgePath(set: Node): { problem: string; replacement: string[] } | undefined {
  if (set.kind === 'VAR_SET_CURRENT')
    return { problem: 'is copied FROM CURRENT, the path of the session that ran this statement (by default "$user", public)', replacement: SAFE_PATH.split(', ') };
  const items: string[] = (set.args ?? []).map((a: Node) => String(a.A_Const?.sval?.sval ?? a.A_Const?.ival?.ival ?? ''));
  const keep = items.flatMap((s) => s.split(',').map((x) => x.trim())).filter((s) => s && !WRITABLE.has(s) && s !== 'pg_temp' && !/^pg_temp_\d+$/.test(s));
  const replacement = [...(keep.length ? keep : ['pg_catalog']), 'pg_temp'];
  const list = items.find((s) => s.includes(','));
  if (list !== undefined) return { problem: `is the single schema "${list}" (quotes make the list one name), so pg_temp is not listed and is searched first`, replacement };
  const writable = items.filter((s) => WRITABLE.has(s));
  if (writable.length)
    return { problem: `lists ${writable.map((s) => `"${s}"`).join(' and ')}, where other roles can create objects that take the place of the ones the function means`, replacement };
  const last = items[items.length - 1];
  if (last !== 'pg_temp' && !/^pg_temp_\d+$/.test(last ?? '')) {
    const listed = items.some((s) => s === 'pg_temp');
    return {
      problem: listed
        ? "does not end with pg_temp, so the caller's temporary schema is searched before the schemas after it"
        : "does not list pg_temp, so the caller's temporary schema is searched first for tables, views and types",
      replacement,
    };
  }
  return undefined;
}

export const sqlSecurityDefinerSearchPath: SqlRule = {
  id: 'sql-security-definer-search-path',
  kind: 'sql',
  // The functions it replays, and the model's function names; table and policy edits leave them be.
  reads: [...FUNCTION_READS, 'AlterFunctionStmt', 'RenameStmt', 'DropStmt'],
  severity: 'error',
  fix: 'manual',
  docs: {
    summary:
      'A SECURITY DEFINER function or procedure without SET search_path, or whose search_path lists public or "$user", does not end with pg_temp, or comes FROM CURRENT.',
    why:
      'A SECURITY DEFINER function runs with its owner\'s privileges but resolves unqualified names (tables, ' +
      'functions, operators, types) through the search_path, which the caller controls unless the function sets its ' +
      'own. A caller who creates a better-matching function or operator in a schema on that path (public, their own ' +
      'schema) or a temporary table, which pg_temp offers first unless it is listed last, gets their code run as the ' +
      'owner. PostgreSQL\'s advice: SET search_path to trusted schemas, ending with pg_temp. We cannot know who may ' +
      'create objects in a schema: public and "$user" are taken as writable by others, every other named schema as ' +
      'trusted.',
    bad: 'CREATE FUNCTION purge_tenant(t bigint) RETURNS void LANGUAGE sql SECURITY DEFINER\n  AS $$ DELETE FROM app.notes WHERE tenant_id = t $$;\nREVOKE EXECUTE ON FUNCTION purge_tenant(bigint) FROM PUBLIC;\n',
    good: 'CREATE FUNCTION purge_tenant(t bigint) RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp\n  AS $$ DELETE FROM app.notes WHERE tenant_id = t $$;\nREVOKE EXECUTE ON FUNCTION purge_tenant(bigint) FROM PUBLIC;\n',
    fixNotes:
      'With search_path = pg_catalog, pg_temp (or the trusted schemas the function already listed, then pg_temp), every ' +
      'name the body leaves unqualified and that lived in public or another dropped schema must be schema-qualified ' +
      '(public.accounts, public.my_func()), or the function fails with "relation does not exist". The history is ' +
      'replayed: a later ALTER FUNCTION … SET search_path fixes a function created without one, and CREATE OR REPLACE ' +
      'starts over. ALTER FUNCTION … SECURITY DEFINER on a function the history does not create is judged by that ' +
      'history alone.',
    references: [
      { title: 'PostgreSQL: Writing SECURITY DEFINER Functions Safely', url: SECURITY_DOCS },
      { title: 'PostgreSQL: Schemas and the search path (pg_temp)', url: 'https://www.postgresql.org/docs/current/ddl-schemas.html#DDL-SCHEMAS-PATH' },
      { title: 'PostgreSQL: search_path', url: 'https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-SEARCH-PATH' },
    ],
  },
  check(ctx, report) {
    let byFile = replayed.get(ctx.history);
    if (!byFile) replayed.set(ctx.history, (byFile = functionsByFile(replayFunctions(ctx.history))));
    for (const f of byFile.get(ctx.analysis) ?? []) {
      const short = f.name.startsWith('public.') ? f.name.slice(7) : f.name;
      if (!f.path) {
        const { n, option } = f.definer!;
        if (n.analysis !== ctx.analysis) continue;
        const code = codeTokens(n.stmt);
        const first = code.find((t) => t.start >= option.location);
        const definer = code.find((t) => t.start >= option.location && t.text.toUpperCase() === 'DEFINER');
        if (!first || !definer) continue;
        // A later RESET search_path would undo an edit here: then say what to do without editing.
        const resetLater = f.pathRemoved && f.pathRemoved.index > n.index;
        const schema = f.name.split('.').slice(0, -1).join('.');
        const qualify = n.type === 'CreateFunctionStmt' ? qualifyBody(n, schema, ctx.model.functionNames) : undefined;
        const fix: Fix = {
          title: qualify?.length
            ? `Add SET search_path = ${SAFE_PATH} and qualify the ${qualify.length} name${qualify.length === 1 ? '' : 's'} the body finds in ${schema} (names inside dynamic SQL are not seen)`
            : `Add SET search_path = ${SAFE_PATH} (unqualified names in the body must then be schema-qualified, e.g. public.accounts)`,
          safety: 'manual',
          edits: resetLater ? [] : [replaceBytes(n.analysis, n.stmt, definer.end, definer.end, ` SET search_path = ${SAFE_PATH}`), ...(qualify ?? [])],
        };
        report({
          file: ctx.analysis.file,
          range: byteRange(n.analysis, n.stmt, first.start, definer.end),
          message:
            `${short} runs with its owner's privileges but has no SET search_path, so it resolves unqualified names through the caller's search_path: a caller can put their own function, operator or table first and have it run as the owner. ` +
            `Add SET search_path = ${SAFE_PATH}.`,
          fixes: [fix],
        });
        continue;
      }
      const { n, option } = f.path;
      if (n.analysis !== ctx.analysis) continue;
      const verdict = judgePath(option.arg.VariableSetStmt);
      if (!verdict) continue;
      const code = codeTokens(n.stmt);
      const start = code.find((t) => t.start >= option.location && t.text.toLowerCase() === 'search_path');
      // The option ends before the next function option keyword; its last token is the last value (or CURRENT).
      const args = option.arg.VariableSetStmt.args ?? [];
      const lastArg = args.length ? code.find((t) => t.start >= args[args.length - 1].A_Const?.location) : code.find((t) => start && t.start > start.start && t.text.toUpperCase() === 'CURRENT');
      if (!start || !lastArg) continue;
      const replacement = verdict.replacement.map(quoteIdent).join(', ');
      report({
        file: ctx.analysis.file,
        range: byteRange(n.analysis, n.stmt, start.start, lastArg.end),
        message: `${short} runs with its owner's privileges and its search_path ${verdict.problem}: a caller can have their own code run as the owner. Use SET search_path = ${replacement}.`,
        fixes: [
          {
            title: `Set search_path = ${replacement} (names the body found in the schemas dropped from the path must then be schema-qualified)`,
            safety: 'manual',
            edits: [replaceBytes(n.analysis, n.stmt, start.start, lastArg.end, `search_path = ${replacement}`)],
          },
        ],
      });
    }
  },
};
