import type { ScanToken } from 'libpg-query';
import type { SqlRule } from './rule';
import { byteRange, codeTokens, historyNodesOfType, nodesOf, removeListItem, replaceBytes, type HistoryNode, type Node } from './sql-helpers';
import type { Fix } from '../engine/types';
import { CIS_POSTGRES } from './hba-helpers';
import { pushTo } from '../engine/map-lists';

export const GRANT_DOCS = 'https://www.postgresql.org/docs/current/sql-grant.html';
export const PRIVILEGES_DOCS = 'https://www.postgresql.org/docs/current/ddl-priv.html';

/** The placeholder role the fix grants to instead of PUBLIC: it does not exist, so the GRANT fails until someone names a real role. */
const PLACEHOLDER_ROLE = 'todo_role';

const OBJECT_WORDS: Record<string, string> = {
  OBJECT_TABLE: 'table',
  OBJECT_SEQUENCE: 'sequence',
  OBJECT_FUNCTION: 'function',
  OBJECT_PROCEDURE: 'procedure',
  OBJECT_ROUTINE: 'routine',
  OBJECT_SCHEMA: 'schema',
  OBJECT_DATABASE: 'database',
  OBJECT_TYPE: 'type',
  OBJECT_DOMAIN: 'domain',
  OBJECT_LANGUAGE: 'language',
  OBJECT_LARGEOBJECT: 'large object',
  OBJECT_TABLESPACE: 'tablespace',
  OBJECT_FDW: 'foreign-data wrapper',
  OBJECT_FOREIGN_SERVER: 'foreign server',
  OBJECT_PARAMETER_ACL: 'parameter',
};

/** The names of a GrantStmt's objects, as written (schema.name). */
export function grantObjects(g: Node): string[] {
  return (g.objects ?? []).map((o: Node) => {
    if (o.RangeVar) return [o.RangeVar.schemaname, o.RangeVar.relname].filter(Boolean).join('.');
    if (o.ObjectWithArgs) return (o.ObjectWithArgs.objname ?? []).map((x: Node) => x.String?.sval).join('.');
    if (o.String) return o.String.sval;
    if (o.Integer) return String(o.Integer.ival);
    if (o.List) return (o.List.items ?? []).map((x: Node) => x.String?.sval).join('.');
    return '?';
  });
}

/** SELECT, INSERT (a, b)… or ALL. */
export function grantPrivileges(g: Node): string {
  if (!g.privileges) return 'ALL privileges';
  return g.privileges
    .map((p: Node) => {
      const a = p.AccessPriv ?? {};
      const cols = (a.cols ?? []).map((c: Node) => c.String?.sval);
      return `${a.priv_name ? a.priv_name.toUpperCase() : 'ALL'}${cols.length ? ` (${cols.join(', ')})` : ''}`;
    })
    .join(', ');
}

/** What a GRANT gives, in words: "SELECT on table accounts", "ALL privileges on every table in schema app". */
function grantWhat(g: Node, defaults: boolean): string {
  const word = OBJECT_WORDS[g.objtype] ?? 'object';
  const objects = grantObjects(g);
  if (defaults) return `${grantPrivileges(g)} on every ${word} created later`;
  if (g.targtype === 'ACL_TARGET_ALL_IN_SCHEMA') return `${grantPrivileges(g)} on every ${word} in schema ${objects.join(', ')}`;
  return `${grantPrivileges(g)} on ${word} ${objects.join(', ')}`;
}

const isPublic = (r: Node) => r?.RoleSpec?.roletype === 'ROLESPEC_PUBLIC';
const GRANTS = ['GrantStmt', 'AlterDefaultPrivilegesStmt', 'GrantRoleStmt'];
/** Whether any role the statement names is PUBLIC, read off its JSON: most GRANTs name none, and are not decoded. */
const namesPublic = (n: HistoryNode) => n.stmt.jsonIncludes('"ROLESPEC_PUBLIC"');

/** A REVOKE … FROM PUBLIC: what it takes back, on which objects. */
interface PublicRevoke {
  node: HistoryNode;
  objects: Set<string>;
  /** The privileges it names; undefined for ALL. */
  privileges?: Set<string>;
}

/** A key for the revokes that can take back a GRANT's privileges on `object`. */
const revokeKey = (g: Node, object: string) => `${g.objtype}\0${g.targtype}\0${object}`;

const revokesCache = new WeakMap<HistoryNode[], Map<string, PublicRevoke[]>>();
/**
 * The history's REVOKE … FROM PUBLIC statements, found once and filed under each object they name:
 * a history has thousands of GRANTs, and each looks up only the revokes of its own first object.
 */
function publicRevokes(grants: HistoryNode[]): Map<string, PublicRevoke[]> {
  let byObject = revokesCache.get(grants);
  if (!byObject) {
    byObject = new Map();
    for (const n of grants) {
      if (!namesPublic(n) || n.node.is_grant || n.node.grant_option || !(n.node.grantees ?? []).some(isPublic)) continue;
      const r = n.node;
      const revoke: PublicRevoke = { node: n, objects: new Set(grantObjects(r)), privileges: r.privileges && new Set(r.privileges.map((p: Node) => p.AccessPriv?.priv_name)) };
      for (const o of revoke.objects) pushTo(byObject, revokeKey(r, o), revoke);
    }
    revokesCache.set(grants, byObject);
  }
  return byObject;
}

/** A later REVOKE … FROM PUBLIC in the history takes back at least what this GRANT gave. */
function revokedLater(grants: HistoryNode[], grant: HistoryNode, g: Node): boolean {
  const objects = grantObjects(g);
  const privileges: string[] | undefined = g.privileges?.map((p: Node) => p.AccessPriv?.priv_name ?? '');
  // A revoke that covers every object of the GRANT names its first one.
  const candidates = objects.length ? publicRevokes(grants).get(revokeKey(g, objects[0])) ?? [] : [];
  return candidates.some(
    (r) =>
      r.node.index > grant.index &&
      objects.every((o) => r.objects.has(o)) &&
      (!r.privileges || (privileges !== undefined && privileges.every((p) => p && r.privileges!.has(p)))),
  );
}

export const sqlGrantPublic: SqlRule = {
  id: 'sql-grant-public',
  kind: 'sql',
  reads: GRANTS,
  severity: 'warning',
  fix: 'manual',
  docs: {
    summary: 'GRANT … TO PUBLIC (any privilege, any object, default privileges too), and GRANT role TO PUBLIC.',
    why:
      'PUBLIC is every role in the cluster, including roles created later and roles of other applications sharing the ' +
      'server. A privilege granted to PUBLIC cannot be withheld from anyone who can log in, so it defeats the point of ' +
      'separate roles. (Role membership cannot go to PUBLIC at all: PostgreSQL rejects GRANT role TO PUBLIC, so the ' +
      'migration fails there.)',
    bad: 'GRANT SELECT ON accounts TO PUBLIC;\n',
    good: 'GRANT SELECT ON accounts TO reporting;\n',
    fixNotes:
      `Roles that used the privilege through PUBLIC lose it. When PUBLIC is one grantee among others the fix removes it; ` +
      `when it is the only one the fix grants to ${PLACEHOLDER_ROLE} instead, a placeholder that does not exist, so the ` +
      'GRANT fails until it names the role that needs the privilege. A later REVOKE of the same privileges from PUBLIC ' +
      'in the migration history silences the finding.',
    references: [
      { title: 'PostgreSQL: GRANT', url: GRANT_DOCS },
      { title: 'PostgreSQL: Privileges (PUBLIC)', url: PRIVILEGES_DOCS },
      { title: 'CIS PostgreSQL Benchmark: privileges granted to PUBLIC', url: CIS_POSTGRES },
    ],
  },
  check(ctx, report) {
    const nodes = historyNodesOfType(ctx.history, 'GrantStmt');
    for (const n of nodesOf(ctx, GRANTS)) {
      if (!namesPublic(n)) continue;
      let grantees: Node[] | undefined;
      let message: string;
      if (n.type === 'GrantStmt' || n.type === 'AlterDefaultPrivilegesStmt') {
        const g = n.type === 'GrantStmt' ? n.node : n.node.action;
        if (!g?.is_grant || !(g.grantees ?? []).some(isPublic)) continue;
        if (n.type === 'GrantStmt' && revokedLater(nodes, n, g)) continue;
        grantees = g.grantees;
        message = `PUBLIC is every role, present and future: this gives ${grantWhat(g, n.type !== 'GrantStmt')} to all of them. Grant it to the roles that need it.`;
      } else if (n.type === 'GrantRoleStmt') {
        if (!n.node.is_grant || !(n.node.grantee_roles ?? []).some(isPublic)) continue;
        grantees = n.node.grantee_roles;
        const roles = (n.node.granted_roles ?? []).map((r: Node) => r.AccessPriv?.priv_name).join(', ');
        message = `Membership in ${roles} cannot be granted to PUBLIC: PostgreSQL rejects this statement (role "public" does not exist), so the migration fails here. Grant it to the roles that need it.`;
      } else continue;
      const code = codeTokens(n.stmt);
      const tokens = grantees!.map((r: Node) => code.find((t) => t.start >= (r.RoleSpec?.location ?? 0))).filter((t): t is ScanToken => !!t);
      const i = grantees!.findIndex(isPublic);
      const token = tokens[i];
      if (!token || tokens.length !== grantees!.length) continue;
      const remove = removeListItem(n.analysis, n.stmt, tokens, i);
      const fix: Fix = remove
        ? { title: 'Remove PUBLIC from the grantees (roles that relied on PUBLIC lose the privilege)', safety: 'manual', edits: [remove] }
        : {
            title: `Grant to a named role instead (replace the placeholder ${PLACEHOLDER_ROLE}; every other role loses the privilege)`,
            safety: 'manual',
            edits: [replaceBytes(n.analysis, n.stmt, token.start, token.end, PLACEHOLDER_ROLE)],
            placeholder: true,
          };
      report({ file: ctx.analysis.file, range: byteRange(n.analysis, n.stmt, token.start, token.end), message, fixes: [fix] });
    }
  },
};
