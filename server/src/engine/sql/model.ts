// Replays a migration history into the end state of the schema: tables and their RLS, policies,
// SECURITY DEFINER functions and who may execute them, views. Each fact remembers the statement
// that established it, so rules can point there.
import type { ParsedStatement, SqlAnalysis } from './index';
import { nodeAt } from './node-at';
import { splitIdentifierString } from '../conf/values';
import { ROUTINE_GRANT_TYPE, ROUTINE_OBJECTS, SET_CONFIG_TYPE, mentionsSetConfig } from './carry-over';
import { LayeredMap, LayeredSet } from './layered';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Node = any;

export interface Origin {
  /** The file's newest analysis (see FileSlot). */
  readonly analysis: SqlAnalysis;
  stmt: ParsedStatement;
  node: Node;
  /** The ALTER TABLE sub-command, for ENABLE/FORCE. */
  cmd?: Node;
}

/**
 * The newest analysis of one file of the history. The facts made from the file point here, not at
 * one analysis of it: while the file is edited, facts an incremental build keeps from an earlier
 * build (incremental-model.ts) then name the file's newest analysis with no walk over them.
 */
export interface FileSlot {
  analysis: SqlAnalysis;
}

class FactOrigin implements Origin {
  constructor(
    private readonly slot: FileSlot,
    public stmt: ParsedStatement,
    readonly node: Node,
    readonly cmd?: Node,
  ) {}

  get analysis(): SqlAnalysis {
    return this.slot.analysis;
  }
}

export interface TableFact {
  name: string; // schema.table
  created: Origin;
  columns: readonly string[];
  /** Type of each column as a cast can name it (int8, uuid, text). */
  columnTypes: ReadonlyMap<string, string>;
  rlsEnabled?: Origin;
  rlsForced?: Origin;
  /** The DISABLE ROW LEVEL SECURITY that left it off, when one did. */
  rlsDisabled?: Origin;
  policies: PolicyFact[];
}

export interface PolicyFact {
  name: string;
  table: string;
  origin: Origin;
}

export interface FunctionFact {
  name: string; // schema.name
  signature: string; // name(argtypes) as written for REVOKE
  origin: Origin;
  securityDefiner: boolean;
  publicExecuteRevoked: boolean;
}

export interface ViewFact {
  name: string;
  origin: Origin;
  tables: string[];
  securityInvoker: boolean;
}

export interface SchemaModel {
  tables: Map<string, TableFact>;
  /** Policies whose table the history never created (created elsewhere): RLS state unknown. */
  functions: Map<string, FunctionFact>;
  /** schema.name of every function the history creates, overloads and all. */
  functionNames: Set<string>;
  views: Map<string, ViewFact>;
}

const nameOf = (rv: Node, searchPath: string) => `${rv?.schemaname ?? searchPath}.${rv?.relname}`;

/** A qualified name from a list of String nodes (function names, DROP objects). */
const listName = (items: Node[], searchPath: string) => {
  const parts = (items ?? []).map((n: Node) => n?.String?.sval).filter(Boolean);
  return parts.length > 1 ? parts.join('.') : `${searchPath}.${parts[0]}`;
};

export const MODEL_TYPES: ReadonlySet<string> = new Set([
  'VariableSetStmt',
  'SelectStmt',
  'CreateStmt',
  'AlterTableStmt',
  'RenameStmt',
  'DropStmt',
  'CreatePolicyStmt',
  'CreateFunctionStmt',
  'GrantStmt',
  'AlterDefaultPrivilegesStmt',
  'ViewStmt',
]);

/**
 * What the model reads, as rules declare it (SqlRule.reads): a SELECT counts only when it calls
 * set_config (pg_dump's search_path), and any statement that does counts; a GRANT only when it is
 * on functions or procedures.
 */
export const MODEL_READS: readonly string[] = [...MODEL_TYPES]
  .filter((t) => t !== 'SelectStmt' && t !== 'GrantStmt')
  .concat(SET_CONFIG_TYPE, ROUTINE_GRANT_TYPE);

/**
 * What one statement does to the model, read from its tree once: while a statement the model
 * follows is edited, the model is built again at each keystroke, and the steps of the statements
 * the edit did not touch are kept (SqlAnalysis.readStatements). Names stay unresolved here; the
 * schema they fall in depends on the search_path in force.
 */
export interface Step {
  type: string;
  node: Node;
  /** SET search_path, or pg_dump's set_config: where unqualified names are created from here on. */
  searchPath?: string;
  table?: Pick<TableFact, 'columns' | 'columnTypes'>;
  commands?: AlterCommand[];
  fn?: { definer: boolean; args: string };
  view?: { invoker: boolean; relations: Node[] };
  /** What the step did the last time an incremental build applied it. */
  last?: Applied;
}

/**
 * A step that makes a fact from what it reads (a table's fact, or nothing) makes the same fact again
 * under the same search_path from the same input. While a statement early in a large migration is
 * edited, the incremental build folds every later statement again; with this, those statements
 * hand back their facts instead of making them anew (a keystroke made about 2 MB of them), and only
 * the facts downstream of the edit are new.
 */
interface Applied {
  slot: FileSlot;
  searchPath: string;
  /** The name the step's fact is kept under. */
  key: string;
  /** What the step read to make it: the table's previous fact, a flag, or undefined. */
  before: unknown;
  after: unknown;
  /** The origins in `after` this step made: pointed at the statement as it is now when handed back (an edit before it moves it). */
  origins: FactOrigin[];
}

interface AlterCommand {
  cmd: Node;
  subtype: string;
  added?: [string, string];
}

function modelSteps(stmt: ParsedStatement): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i < stmt.types.length; i++) {
    const type = stmt.types[i];
    if (!MODEL_TYPES.has(type) || (type === 'SelectStmt' && !mentionsSetConfig(stmt.text))) continue;
    const node = nodeAt(stmt, i);
    const step = node && stepOf(type, node);
    if (step) steps.push(step);
  }
  return steps;
}

/** A statement's step, or undefined when it leaves the model as it is. */
function stepOf(type: string, node: Node): Step | undefined {
  switch (type) {
    case 'VariableSetStmt':
    case 'SelectStmt': {
      const searchPath = searchPathOf(type, node);
      return searchPath ? { type, node, searchPath } : undefined;
    }
    case 'CreateStmt': {
      const defs = (node.tableElts ?? []).map((e: Node) => e.ColumnDef).filter((d: Node) => d?.colname);
      const columnTypes = new Map<string, string>(defs.map((d: Node) => [d.colname, castType(d.typeName)]));
      return { type, node, table: { columns: [...columnTypes.keys()], columnTypes } };
    }
    case 'AlterTableStmt': {
      const commands = (node.cmds ?? [])
        .map((c: Node) => c.AlterTableCmd)
        .filter((cmd: Node) => ALTER_SUBTYPES.has(cmd?.subtype))
        .map((cmd: Node): AlterCommand => {
          const def = cmd.subtype === 'AT_AddColumn' ? cmd.def?.ColumnDef : undefined;
          return { cmd, subtype: cmd.subtype, added: def?.colname ? [def.colname, castType(def.typeName)] : undefined };
        });
      return { type, node, commands };
    }
    case 'CreateFunctionStmt': {
      const definer = (node.options ?? []).some((o: Node) => o.DefElem?.defname === 'security' && o.DefElem.arg?.Boolean?.boolval);
      const args = (node.parameters ?? [])
        .filter((p: Node) => p.FunctionParameter?.mode !== 'FUNC_PARAM_OUT' && p.FunctionParameter?.mode !== 'FUNC_PARAM_TABLE')
        .map((p: Node) => typeName(p.FunctionParameter?.argType));
      return { type, node, fn: { definer, args: args.join(', ') } };
    }
    case 'GrantStmt': {
      // Only REVOKE EXECUTE … FROM PUBLIC on routines changes the model.
      if (node.is_grant || !ROUTINE_OBJECTS.has(node.objtype)) return undefined;
      const toPublic = (node.grantees ?? []).some((g: Node) => g.RoleSpec?.roletype === 'ROLESPEC_PUBLIC');
      const executes = !node.privileges || node.privileges.some((p: Node) => p.AccessPriv?.priv_name === 'execute');
      return toPublic && executes ? { type, node } : undefined;
    }
    case 'ViewStmt': {
      const invoker = (node.options ?? []).some((o: Node) => o.DefElem?.defname === 'security_invoker' && truthy(o.DefElem.arg));
      return { type, node, view: { invoker, relations: relationsIn(node.query) } };
    }
    default:
      return { type, node };
  }
}

/**
 * The schema a SET search_path (or pg_dump's SELECT pg_catalog.set_config('search_path', '…',
 * false)) makes unqualified names fall in from the next statement on; undefined for other nodes.
 */
function searchPathOf(type: string, node: Node): string | undefined {
  if (type === 'VariableSetStmt') return node.name === 'search_path' ? creationSchema(node.args?.map((a: Node) => a.A_Const?.sval?.sval ?? '')) : undefined;
  if (type !== 'SelectStmt') return undefined;
  const call = node.targetList?.[0]?.ResTarget?.val?.FuncCall;
  const fn = call?.funcname?.map((n: Node) => n.String?.sval).pop();
  const [name, value] = (call?.args ?? []).map((a: Node) => a.A_Const?.sval?.sval);
  return fn === 'set_config' && name === 'search_path' && typeof value === 'string' ? creationSchema(splitIdentifierString(value)) : undefined;
}

/** The statement types that can set search_path, as SqlAnalysis.readStatements takes them. */
export const SEARCH_PATH_TYPES: readonly string[] = ['VariableSetStmt', SET_CONFIG_TYPE];

/**
 * What the model's functions (functions, functionNames) are made of, as rules declare it: a rule
 * that reads only those keeps its findings while a table or a policy is edited.
 */
export const FUNCTION_READS: readonly string[] = ['CreateFunctionStmt', ROUTINE_GRANT_TYPE, 'AlterDefaultPrivilegesStmt', ...SEARCH_PATH_TYPES];

/** The schema unqualified names fall in after this statement, when it sets search_path. */
export function searchPathSetBy(stmt: ParsedStatement): string | undefined {
  let out: string | undefined;
  stmt.types.forEach((type, i) => {
    if (type === 'VariableSetStmt' || (type === 'SelectStmt' && mentionsSetConfig(stmt.text))) out = searchPathOf(type, nodeAt(stmt, i)) ?? out;
  });
  return out;
}

const ALTER_SUBTYPES = new Set(['AT_EnableRowSecurity', 'AT_DisableRowSecurity', 'AT_ForceRowSecurity', 'AT_NoForceRowSecurity', 'AT_AddColumn']);

/**
 * The fold's state after some statements of the history: the model so far, and whether default
 * privileges revoke EXECUTE from PUBLIC.
 */
export interface FoldState {
  tables: Map<string, TableFact>;
  functions: Map<string, FunctionFact>;
  functionNames: Set<string>;
  views: Map<string, ViewFact>;
  revokeFunctionsByDefault: boolean;
}

export const emptyFoldState = (): FoldState => ({ tables: new Map(), functions: new Map(), functionNames: new Set(), views: new Map(), revokeFunctionsByDefault: false });

/**
 * A state to go on from, over one that is never changed again (a kept state): what the fold changes
 * stays in the layer (layered.ts).
 */
export const layerOver = (s: FoldState): FoldState => ({
  tables: new LayeredMap(s.tables),
  functions: new LayeredMap(s.functions),
  functionNames: new LayeredSet(s.functionNames),
  views: new LayeredMap(s.views),
  revokeFunctionsByDefault: s.revokeFunctionsByDefault,
});

/** A state to go on from while the one it was copied from goes on too: facts are shared, never changed. */
export const copyFoldState = (s: FoldState): FoldState => ({
  tables: new Map(s.tables),
  functions: new Map(s.functions),
  functionNames: new Set(s.functionNames),
  views: new Map(s.views),
  revokeFunctionsByDefault: s.revokeFunctionsByDefault,
});

export const modelOf = (s: FoldState): SchemaModel => ({ tables: s.tables, functions: s.functions, functionNames: s.functionNames, views: s.views });

/** The statements of a file the model follows (indices), and what each does (values). */
export const modelStepsOf = (analysis: SqlAnalysis) => analysis.readStatements(MODEL_READS, modelSteps);

export function buildModel(history: SqlAnalysis[]): SchemaModel {
  const fold = new Fold(emptyFoldState());
  for (const analysis of history) {
    fold.searchPath = 'public';
    fold.slot = { analysis };
    // Only the statements of the types the model reads: most of a migration is neither seen nor decoded.
    const { indices, values } = modelStepsOf(analysis);
    for (let k = 0; k < indices.length; k++) {
      fold.stmt = analysis.statements[indices[k]];
      fold.apply(values[k]);
    }
  }
  return modelOf(fold.state);
}

/**
 * Folds statements' steps into a state, one statement after another: set `slot` and `stmt`, then
 * `apply`. A fact, once made, is never changed: a step that changes one puts a changed copy in its
 * place, so a state copied along the way (incremental-model.ts) stays as it was. Written without
 * closures: an incremental build applies every statement after the edit at each keystroke, and
 * closures made per statement were most of what a keystroke allocated.
 */
export class Fold {
  slot!: FileSlot;
  stmt!: ParsedStatement;
  /** The search_path in force: 'public' at the start of each file. */
  searchPath = 'public';
  /** The origins the step being applied makes, while it is remembered (Applied). */
  private made: FactOrigin[] | undefined;

  constructor(
    readonly state: FoldState,
    /** Hand back the facts a step made in the previous build when it reads the same (Applied). */
    private readonly reuse = false,
  ) {}

  apply(steps: readonly Step[]): void {
    const { tables, functions, views } = this.state;
    for (const step of steps) {
      const { node } = step;
      const searchPath = this.searchPath;
      switch (step.type) {
        case 'VariableSetStmt':
        case 'SelectStmt':
          this.searchPath = step.searchPath!;
          break;
        case 'CreateStmt': {
          const name = this.keptKey(step) ?? nameOf(node.relation, searchPath);
          // Shared with the step, and so with later builds of the model: never changed in place.
          const { columns, columnTypes } = step.table!;
          tables.set(name, this.handBack(step, name, undefined) ?? this.keep(step, name, undefined, { name, created: this.origin(node), columns, columnTypes, policies: [] }));
          break;
        }
        case 'AlterTableStmt': {
          const name = this.keptKey(step) ?? nameOf(node.relation, searchPath);
          const before = tables.get(name);
          if (before) tables.set(name, this.handBack(step, name, before) ?? this.keep(step, name, before, this.altered(before, node, step.commands!)));
          break;
        }
        case 'RenameStmt': {
          if (node.renameType !== 'OBJECT_TABLE') break;
          const from = nameOf(node.relation, searchPath);
          const t = tables.get(from);
          if (!t) break;
          tables.delete(from);
          const name = `${from.split('.')[0]}.${node.newname}`;
          tables.set(name, { ...t, name, policies: t.policies.map((p) => ({ ...p, table: name })) });
          break;
        }
        case 'DropStmt': {
          for (const obj of node.objects ?? []) {
            const items = obj.List?.items ?? [];
            if (node.removeType === 'OBJECT_TABLE') tables.delete(listName(items, searchPath));
            if (node.removeType === 'OBJECT_VIEW') views.delete(listName(items, searchPath));
            if (node.removeType === 'OBJECT_POLICY') {
              const parts = items.map((n: Node) => n?.String?.sval);
              const policy = parts.pop();
              const key = parts.length > 1 ? parts.join('.') : `${searchPath}.${parts[0]}`;
              const t = tables.get(key);
              if (t) tables.set(key, { ...t, policies: t.policies.filter((p) => p.name !== policy) });
            }
          }
          break;
        }
        case 'CreatePolicyStmt': {
          const table = this.keptKey(step) ?? nameOf(node.table, searchPath);
          const t = tables.get(table);
          if (t) tables.set(table, this.handBack(step, table, t) ?? this.keep(step, table, t, { ...t, policies: [...t.policies, { name: node.policy_name, table, origin: this.origin(node) }] }));
          break;
        }
        case 'CreateFunctionStmt': {
          const name = this.keptKey(step) ?? listName(node.funcname, searchPath);
          const { definer, args } = step.fn!;
          const revoked = this.state.revokeFunctionsByDefault;
          const fact = this.handBack<FunctionFact>(step, name, revoked);
          functions.set(name, fact ?? this.keep(step, name, revoked, { name, signature: `${name}(${args})`, origin: this.origin(node), securityDefiner: definer, publicExecuteRevoked: revoked }));
          this.state.functionNames.add(name);
          break;
        }
        case 'GrantStmt': {
          if (node.targtype === 'ACL_TARGET_ALL_IN_SCHEMA') {
            const schemas = (node.objects ?? []).map((o: Node) => o.String?.sval);
            for (const f of [...functions.values()]) if (schemas.includes(f.name.split('.')[0])) revokeExecute(functions, f);
          } else {
            for (const o of node.objects ?? []) revokeExecute(functions, functions.get(listName(o.ObjectWithArgs?.objname, searchPath)));
          }
          break;
        }
        case 'AlterDefaultPrivilegesStmt': {
          const a = node.action?.GrantStmt ?? node.action;
          if (a && !a.is_grant && (a.objtype === 'OBJECT_FUNCTION' || a.objtype === 'OBJECT_ROUTINE'))
            this.state.revokeFunctionsByDefault = (a.grantees ?? []).some((g: Node) => g.RoleSpec?.roletype === 'ROLESPEC_PUBLIC');
          break;
        }
        case 'ViewStmt': {
          const name = this.keptKey(step) ?? nameOf(node.view, searchPath);
          const { invoker, relations } = step.view!;
          const fact = this.handBack<ViewFact>(step, name, undefined);
          views.set(name, fact ?? this.keep(step, name, undefined, { name, origin: this.origin(node), tables: [...new Set(relations.map((rv) => nameOf(rv, searchPath)))], securityInvoker: invoker }));
          break;
        }
      }
    }
  }

  private origin(node: Node, cmd?: Node): Origin {
    const o = new FactOrigin(this.slot, this.stmt, node, cmd);
    this.made?.push(o);
    return o;
  }

  /** The name the step kept its fact under when it was last applied under this search_path. */
  private keptKey(step: Step): string | undefined {
    return this.reuse && step.last?.searchPath === this.searchPath ? step.last.key : undefined;
  }

  /**
   * The fact the step made last time, pointed at this statement, when it reads the same now.
   * Otherwise undefined, and the origins made next are collected for `keep`.
   */
  private handBack<T>(step: Step, key: string, before: unknown): T | undefined {
    if (!this.reuse) return undefined;
    const last = step.last;
    if (last && last.slot === this.slot && last.searchPath === this.searchPath && last.key === key && last.before === before) {
      for (const o of last.origins) o.stmt = this.stmt;
      return last.after as T;
    }
    this.made = [];
    return undefined;
  }

  /** Remembers the fact a step made (when handBack was asked first), and returns it. */
  private keep<T>(step: Step, key: string, before: unknown, after: T): T {
    if (this.made) step.last = { slot: this.slot, searchPath: this.searchPath, key, before, after, origins: this.made };
    this.made = undefined;
    return after;
  }

  private altered(before: TableFact, node: Node, commands: readonly AlterCommand[]): TableFact {
    const t = { ...before };
    for (const { cmd, subtype, added } of commands) {
      const at = this.origin(node, cmd);
      if (subtype === 'AT_EnableRowSecurity') [t.rlsEnabled, t.rlsDisabled] = [at, undefined];
      if (subtype === 'AT_DisableRowSecurity') [t.rlsEnabled, t.rlsDisabled] = [undefined, at];
      if (subtype === 'AT_ForceRowSecurity') t.rlsForced = at;
      if (subtype === 'AT_NoForceRowSecurity') t.rlsForced = undefined;
      if (added) [t.columns, t.columnTypes] = [[...t.columns, added[0]], new Map(t.columnTypes).set(added[0], added[1])];
    }
    return t;
  }
}

/** REVOKE EXECUTE … FROM PUBLIC on one function: a changed copy of its fact. */
function revokeExecute(functions: Map<string, FunctionFact>, f: FunctionFact | undefined) {
  if (f && !f.publicExecuteRevoked) functions.set(f.name, { ...f, publicExecuteRevoked: true });
}

function truthy(arg: Node): boolean {
  if (!arg) return true; // WITH (security_invoker) alone means true
  const v = arg.String?.sval ?? arg.Boolean?.boolval ?? arg.Integer?.ival;
  return v === true || v === 1 || (typeof v === 'string' && ['true', 'on', '1', 'yes'].includes(v.toLowerCase()));
}

function typeName(t: Node): string {
  const names = (t?.names ?? []).map((n: Node) => n.String?.sval).filter((s: string) => s && s !== 'pg_catalog');
  return names.join('.') + ((t?.arrayBounds?.length ?? 0) > 0 ? '[]' : '');
}

/**
 * Where CREATE puts an unqualified name under this search_path: the first schema listed, passing
 * over "$user" (a schema named after the role seldom exists in migrations) and pg_temp.
 */
function creationSchema(items: string[] | undefined): string | undefined {
  return items?.map((s) => s.trim()).find((s) => s && s !== '$user' && s !== 'pg_temp');
}

const SERIALS: Record<string, string> = { smallserial: 'int2', serial2: 'int2', serial: 'int4', serial4: 'int4', bigserial: 'int8', serial8: 'int8' };

/** A column's type as a cast names it: serial columns hold integers. */
function castType(t: Node): string {
  const name = typeName(t);
  return SERIALS[name] ?? name;
}

/**
 * The RangeVar a parse-tree node is, if any: wrapped ({RangeVar: …}) where the field holds any
 * node (FROM items), bare where it can only hold a RangeVar (INSERT/UPDATE/DELETE targets).
 */
export function rangeVarOf(x: Node): Node | undefined {
  if (x?.RangeVar) return x.RangeVar;
  return typeof x?.relname === 'string' && typeof x.relpersistence === 'string' ? x : undefined;
}

/** Every RangeVar in a query: the tables it reads. */
function relationsIn(query: Node): Node[] {
  const out: Node[] = [];
  const walk = (n: Node) => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(walk);
    const rv = rangeVarOf(n);
    if (rv) out.push(rv);
    for (const v of Object.values(n)) walk(v);
  };
  walk(query);
  return out;
}
