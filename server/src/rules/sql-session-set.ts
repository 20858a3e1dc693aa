import type { ScanToken } from 'libpg-query';
import type { SqlRule } from './rule';
import { byteRange, callArguments, codeTokens, nodesOf, isStringToken, replaceBytes, type HistoryNode, type Node } from './sql-helpers';
import { scanSql } from '../engine/sql/parser';
import { parseBool } from '../engine/conf/values';
import type { Fix, Range } from '../engine/types';
import { SET_CONFIG_TYPE, mentionsSetConfig } from '../engine/sql/carry-over';

const SET_DOCS = 'https://www.postgresql.org/docs/current/sql-set.html';
const SET_CONFIG_DOCS = 'https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADMIN-SET';

/** The value of a string constant token ('…', E'…' without escapes, $$…$$), or undefined. */
function stringValue(t: ScanToken): string | undefined {
  const quoted = /^'((?:[^']|'')*)'$/.exec(t.text);
  if (quoted) return quoted[1].replace(/''/g, "'");
  const dollar = /^(\$[^$]*\$)([\s\S]*)\1$/.exec(t.text);
  return dollar ? dollar[2] : undefined;
}

/** boolin's reading of a string: blanks around, then PostgreSQL's boolean spellings. */
const stringIsFalse = (s: string) => parseBool(s.trim()) === false;

/** A parse-tree expression that is the constant false: false, 'f', 'off'::boolean… */
function isConstantFalse(e: Node): boolean {
  const c = e?.A_Const ?? e?.TypeCast?.arg?.A_Const;
  if (!c) return false;
  if (e.TypeCast) {
    const type = e.TypeCast.typeName?.names?.at(-1)?.String?.sval;
    if (type !== 'bool' && type !== 'boolean') return false;
    if (c.ival !== undefined) return !c.ival.ival;
  }
  if (c.boolval !== undefined) return !c.boolval.boolval;
  return c.sval !== undefined && stringIsFalse(c.sval.sval ?? '');
}

const isCustom = (name: unknown): name is string => typeof name === 'string' && name.includes('.');

/** Every FuncCall node in a tree. */
function funcCalls(node: Node, out: Node[] = []): Node[] {
  if (!node || typeof node !== 'object') return out;
  if (Array.isArray(node)) {
    for (const x of node) funcCalls(x, out);
    return out;
  }
  if (node.FuncCall) out.push(node.FuncCall);
  for (const v of Object.values(node)) funcCalls(v, out);
  return out;
}

const isSetConfig = (names: string[]) =>
  names.at(-1)?.toLowerCase() === 'set_config' && (names.length === 1 || (names.length === 2 && names[0].toLowerCase() === 'pg_catalog'));

/**
 * set_config('x.y', …, false) calls inside a dollar-quoted function or DO body, found with the
 * scanner (PL/pgSQL bodies are not parsed): statement byte ranges of their third argument.
 */
function bodyCalls(n: HistoryNode): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  const options = n.type === 'CreateFunctionStmt' ? n.node.options : n.type === 'DoStmt' ? n.node.args : undefined;
  const as = (options ?? []).find((o: Node) => o.DefElem?.defname === 'as');
  if (!as) return out;
  for (const body of codeTokens(n.stmt).filter((t) => t.start >= as.DefElem.location && t.tokenName === 'SCONST' && t.text.startsWith('$'))) {
    const delimiter = /^\$[^$]*\$/.exec(body.text)![0];
    const base = body.start + Buffer.byteLength(delimiter);
    let toks: ScanToken[];
    try {
      toks = scanSql(body.text.slice(delimiter.length, body.text.length - delimiter.length)).filter((t) => !/COMMENT$/.test(t.tokenName));
    } catch {
      continue;
    }
    toks.forEach((t, i) => {
      const qualified = toks[i - 1]?.text === '.';
      const names = qualified ? [toks[i - 2]?.text ?? '', t.text] : [t.text];
      if (!isSetConfig(names) || toks[i + 1]?.text !== '(') return;
      const args = callArguments(toks, t.start);
      if (args?.length !== 3 || args[0].length !== 1 || args[2].length !== 1 || !isStringToken(args[0][0])) return;
      const name = stringValue(args[0][0]);
      const third = args[2][0];
      const value = third.text.toLowerCase() === 'false' ? 'false' : isStringToken(third) ? stringValue(third) : undefined;
      if (isCustom(name) && value !== undefined && stringIsFalse(value)) out.push({ start: base + third.start, end: base + third.end });
    });
  }
  return out;
}

/** SET, and pg_dump's set_config: what the rule reads and walks. */
const SETS = ['VariableSetStmt', SET_CONFIG_TYPE];

export const sqlSessionSet: SqlRule = {
  id: 'sql-session-set',
  kind: 'sql',
  reads: SETS,
  severity: 'warning',
  fix: 'manual',
  docs: {
    summary: "SET [SESSION] app.x = … or set_config('app.x', …, false): a custom setting (a tenant id, a user id) set for the whole session.",
    why:
      'Row-level security policies commonly read the tenant from a custom setting (current_setting(\'app.tenant_id\')). ' +
      'Set at session level it outlives the transaction: behind a connection pool (PgBouncer, the application\'s own ' +
      'pool) the next request that borrows the connection, possibly for another tenant, runs with it, and sees that ' +
      'tenant\'s rows if it fails to set its own. SET LOCAL and set_config(…, true) end with the transaction.',
    bad: "SET app.tenant_id = '42';\nSELECT set_config('app.user_id', '7', false);\n",
    good: "BEGIN;\nSET LOCAL app.tenant_id = '42';\nSELECT set_config('app.user_id', '7', true);\nCOMMIT;\n",
    fixNotes:
      'A transaction-local setting disappears at COMMIT or ROLLBACK, so the code must set it inside the same ' +
      'transaction as the queries that read it. Outside a transaction block SET LOCAL only warns and does nothing, and ' +
      'set_config(…, true) lasts for its own statement: code that relied on the setting surviving between statements ' +
      'without a transaction stops seeing it. Also found: set_config calls with false in dollar-quoted function and DO ' +
      'bodies (PL/pgSQL ones too). Not checked: SET statements inside PL/pgSQL bodies.',
    references: [
      { title: 'PostgreSQL: SET (SESSION and LOCAL)', url: SET_DOCS },
      { title: 'PostgreSQL: set_config', url: SET_CONFIG_DOCS },
      { title: 'PgBouncer: features by pool mode (SET in transaction pooling)', url: 'https://www.pgbouncer.org/features.html' },
    ],
  },
  check(ctx, report) {
    const flag = (range: Range, what: string, fix: Fix) =>
      report({
        file: ctx.analysis.file,
        range,
        message: `${what} lasts for the whole session: behind a connection pool the next client of this connection, maybe another tenant, inherits it. Make it transaction-local.`,
        fixes: [fix],
      });
    const setConfigFix = (n: HistoryNode, start: number, end: number): Fix => ({
      title: 'Pass true as is_local (the setting ends with the transaction; outside a transaction block it lasts only for this statement)',
      safety: 'manual',
      edits: [replaceBytes(n.analysis, n.stmt, start, end, 'true')],
    });
    for (const n of nodesOf(ctx, SETS, true)) {
      if (n.type === 'VariableSetStmt' && n.node.kind === 'VAR_SET_VALUE' && !n.node.is_local && isCustom(n.node.name)) {
        const code = codeTokens(n.stmt);
        const set = code[0];
        const session = code[1]?.text.toUpperCase() === 'SESSION' ? code[1] : undefined;
        if (set?.text.toUpperCase() !== 'SET') continue;
        const local = set.text === 'set' ? 'local' : 'LOCAL';
        const target = session ?? set;
        flag(byteRange(n.analysis, n.stmt, target.start, target.end), `SET ${session ? 'SESSION ' : ''}${n.node.name}`, {
          title: 'Use SET LOCAL (the setting ends with the transaction; outside a transaction block SET LOCAL does nothing)',
          safety: 'manual',
          edits: [session ? replaceBytes(n.analysis, n.stmt, session.start, session.end, local) : replaceBytes(n.analysis, n.stmt, set.end, set.end, ` ${local}`)],
        });
        continue;
      }
      // Most statements never mention set_config: skip the walk and the scan for them.
      if (!mentionsSetConfig(n.stmt.text)) continue;
      const code = codeTokens(n.stmt);
      for (const call of funcCalls(n.node)) {
        const names = (call.funcname ?? []).map((x: Node) => x.String?.sval ?? '');
        const args = call.args ?? [];
        if (!isSetConfig(names) || args.length !== 3 || !isCustom(args[0]?.A_Const?.sval?.sval) || !isConstantFalse(args[2])) continue;
        const third = callArguments(code, call.location)?.[2];
        if (!third?.length) continue;
        const { start } = third[0];
        const { end } = third[third.length - 1];
        flag(byteRange(n.analysis, n.stmt, start, end), `set_config('${args[0].A_Const.sval.sval}', …, false)`, setConfigFix(n, start, end));
      }
      for (const { start, end } of bodyCalls(n)) flag(byteRange(n.analysis, n.stmt, start, end), 'set_config(…, false) in this body', setConfigFix(n, start, end));
    }
  },
};
