// Replays a migration history into the end state of the schema: tables and their RLS, policies,
// SECURITY DEFINER functions and who may execute them, views. Each fact remembers the statement
// that established it, so rules can point there.
import type { ParsedStatement, SqlAnalysis } from './index';
import { splitIdentifierString } from '../conf/values';
import { ROUTINE_GRANT_TYPE, ROUTINE_OBJECTS, SET_CONFIG_TYPE, mentionsSetConfig } from './carry-over';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Node = any;

export interface Origin {
  analysis: SqlAnalysis;
  stmt: ParsedStatement;
  node: Node;
  /** The ALTER TABLE sub-command, for ENABLE/FORCE. */
  cmd?: Node;
}

export interface TableFact {
  name: string; // schema.table
  created: Origin;
  columns: string[];
  /** Type of each column as a cast can name it (int8, uuid, text). */
  columnTypes: Map<string, string>;
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

export function buildModel(history: SqlAnalysis[]): SchemaModel {
  const model: SchemaModel = { tables: new Map(), functions: new Map(), functionNames: new Set(), views: new Map() };
  let revokeFunctionsByDefault = false;
  for (const analysis of history) {
    let searchPath = 'public';
    for (const stmt of analysis.statements) {
      // Indexed, not entries(): this loop meets every statement of the history at every build.
      for (let i = 0; i < stmt.types.length; i++) {
        const type = stmt.types[i];
        // Only the statements the model follows are decoded.
        if (!MODEL_TYPES.has(type) || (type === 'SelectStmt' && !mentionsSetConfig(stmt.text))) continue;
        const node = (stmt.ast?.stmts?.[i]?.stmt as Node)?.[type];
        if (!node) continue;
        const origin: Origin = { analysis, stmt, node };
        switch (type) {
          case 'VariableSetStmt':
            if (node.name === 'search_path') searchPath = creationSchema(node.args?.map((a: Node) => a.A_Const?.sval?.sval ?? '')) ?? searchPath;
            break;
          case 'SelectStmt': {
            // pg_dump's SELECT pg_catalog.set_config('search_path', '…', false);
            const call = node.targetList?.[0]?.ResTarget?.val?.FuncCall;
            const fn = call?.funcname?.map((n: Node) => n.String?.sval).pop();
            const [name, value] = (call?.args ?? []).map((a: Node) => a.A_Const?.sval?.sval);
            if (fn === 'set_config' && name === 'search_path' && typeof value === 'string')
              searchPath = creationSchema(splitIdentifierString(value)) ?? searchPath;
            break;
          }
          case 'CreateStmt': {
            const name = nameOf(node.relation, searchPath);
            const defs = (node.tableElts ?? []).map((e: Node) => e.ColumnDef).filter((d: Node) => d?.colname);
            const columnTypes = new Map<string, string>(defs.map((d: Node) => [d.colname, castType(d.typeName)]));
            model.tables.set(name, { name, created: origin, columns: [...columnTypes.keys()], columnTypes, policies: [] });
            break;
          }
          case 'AlterTableStmt': {
            const t = model.tables.get(nameOf(node.relation, searchPath));
            if (!t) break;
            for (const c of node.cmds ?? []) {
              const cmd = c.AlterTableCmd;
              const at: Origin = { analysis, stmt, node, cmd };
              if (cmd?.subtype === 'AT_EnableRowSecurity') [t.rlsEnabled, t.rlsDisabled] = [at, undefined];
              if (cmd?.subtype === 'AT_DisableRowSecurity') [t.rlsEnabled, t.rlsDisabled] = [undefined, at];
              if (cmd?.subtype === 'AT_ForceRowSecurity') t.rlsForced = at;
              if (cmd?.subtype === 'AT_NoForceRowSecurity') t.rlsForced = undefined;
              const added = cmd?.subtype === 'AT_AddColumn' ? cmd.def?.ColumnDef : undefined;
              if (added?.colname) {
                t.columns.push(added.colname);
                t.columnTypes.set(added.colname, castType(added.typeName));
              }
            }
            break;
          }
          case 'RenameStmt': {
            if (node.renameType !== 'OBJECT_TABLE') break;
            const from = nameOf(node.relation, searchPath);
            const t = model.tables.get(from);
            if (!t) break;
            model.tables.delete(from);
            t.name = `${from.split('.')[0]}.${node.newname}`;
            for (const p of t.policies) p.table = t.name;
            model.tables.set(t.name, t);
            break;
          }
          case 'DropStmt': {
            for (const obj of node.objects ?? []) {
              const items = obj.List?.items ?? [];
              if (node.removeType === 'OBJECT_TABLE') model.tables.delete(listName(items, searchPath));
              if (node.removeType === 'OBJECT_VIEW') model.views.delete(listName(items, searchPath));
              if (node.removeType === 'OBJECT_POLICY') {
                const parts = items.map((n: Node) => n?.String?.sval);
                const policy = parts.pop();
                const t = model.tables.get(parts.length > 1 ? parts.join('.') : `${searchPath}.${parts[0]}`);
                if (t) t.policies = t.policies.filter((p) => p.name !== policy);
              }
            }
            break;
          }
          case 'CreatePolicyStmt': {
            const table = nameOf(node.table, searchPath);
            const t = model.tables.get(table);
            t?.policies.push({ name: node.policy_name, table, origin });
            break;
          }
          case 'CreateFunctionStmt': {
            const name = listName(node.funcname, searchPath);
            const definer = (node.options ?? []).some((o: Node) => o.DefElem?.defname === 'security' && o.DefElem.arg?.Boolean?.boolval);
            const args = (node.parameters ?? [])
              .filter((p: Node) => p.FunctionParameter?.mode !== 'FUNC_PARAM_OUT' && p.FunctionParameter?.mode !== 'FUNC_PARAM_TABLE')
              .map((p: Node) => typeName(p.FunctionParameter?.argType));
            const signature = `${name}(${args.join(', ')})`;
            model.functions.set(name, { name, signature, origin, securityDefiner: definer, publicExecuteRevoked: revokeFunctionsByDefault });
            model.functionNames.add(name);
            break;
          }
          case 'GrantStmt': {
            if (node.is_grant || !ROUTINE_OBJECTS.has(node.objtype)) break;
            const toPublic = (node.grantees ?? []).some((g: Node) => g.RoleSpec?.roletype === 'ROLESPEC_PUBLIC');
            const executes = !node.privileges || node.privileges.some((p: Node) => p.AccessPriv?.priv_name === 'execute');
            if (!toPublic || !executes) break;
            if (node.targtype === 'ACL_TARGET_ALL_IN_SCHEMA') {
              const schemas = (node.objects ?? []).map((o: Node) => o.String?.sval);
              for (const f of model.functions.values()) if (schemas.includes(f.name.split('.')[0])) f.publicExecuteRevoked = true;
            } else {
              for (const o of node.objects ?? []) {
                const f = model.functions.get(listName(o.ObjectWithArgs?.objname, searchPath));
                if (f) f.publicExecuteRevoked = true;
              }
            }
            break;
          }
          case 'AlterDefaultPrivilegesStmt': {
            const a = node.action?.GrantStmt ?? node.action;
            if (a && !a.is_grant && (a.objtype === 'OBJECT_FUNCTION' || a.objtype === 'OBJECT_ROUTINE'))
              revokeFunctionsByDefault = (a.grantees ?? []).some((g: Node) => g.RoleSpec?.roletype === 'ROLESPEC_PUBLIC');
            break;
          }
          case 'ViewStmt': {
            const name = nameOf(node.view, searchPath);
            const invoker = (node.options ?? []).some(
              (o: Node) => o.DefElem?.defname === 'security_invoker' && truthy(o.DefElem.arg),
            );
            model.views.set(name, { name, origin, tables: relationsIn(node.query, searchPath), securityInvoker: invoker });
            break;
          }
        }
      }
    }
  }
  return model;
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

/** Every table a query reads (RangeVar nodes anywhere in it). */
function relationsIn(query: Node, searchPath: string): string[] {
  const out = new Set<string>();
  const walk = (n: Node) => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(walk);
    const rv = rangeVarOf(n);
    if (rv) out.add(nameOf(rv, searchPath));
    for (const v of Object.values(n)) walk(v);
  };
  walk(query);
  return [...out];
}
