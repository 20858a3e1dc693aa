import type { ScanToken } from 'libpg-query';
import type { SqlRule } from './rule';
import { byteRange, codeTokens, deleteStatement, historyNodesOfType, lastIndexByKey, namedLater, nodesOf, removeListItem, roleName, tokenRange, type HistoryNode, type Node, ROLE_STATEMENTS } from './sql-helpers';
import type { Fix, Range } from '../engine/types';
import { GRANT_DOCS } from './sql-grant-public';
import { CIS_POSTGRES } from './hba-helpers';

/** The predefined roles that reach past the database's own permission system, and what membership gives. */
export const DANGEROUS_ROLES: Record<string, string> = {
  pg_read_server_files: 'read any file the database server can read (COPY FROM a file, pg_read_file): its configuration, keys and data files',
  pg_write_server_files: 'write any file the database server can write (COPY TO a file), which is enough to take the server over',
  pg_execute_server_program: 'run any program on the database server as its operating-system user (COPY … PROGRAM)',
  pg_read_all_data: 'read every table, view and sequence, whatever the grants on them say',
  pg_write_all_data: 'insert, update and delete rows in every table, whatever the grants on them say',
};

const isPublic = (r: Node) => (r?.RoleSpec ?? r)?.roletype === 'ROLESPEC_PUBLIC';

/** What a statement does that undoes a membership: `DROP` of a role, or a full `REVOKE` of a role from a member. */
function* undoings(n: HistoryNode): Iterable<string> {
  if (n.type === 'DropRoleStmt') for (const r of n.node.roles ?? []) yield `DROP\0${roleName(r)}`;
  // REVOKE ADMIN/INHERIT/SET OPTION FOR keeps the membership.
  if (n.type !== 'GrantRoleStmt' || n.node.is_grant || n.node.opt?.length) return;
  for (const g of n.node.granted_roles ?? []) for (const r of n.node.grantee_roles ?? []) yield `REVOKE\0${g.AccessPriv?.priv_name}\0${roleName(r)}`;
}

/** A later REVOKE role FROM grantee, or DROP ROLE grantee, for every grantee. */
function revokedLater(nodes: HistoryNode[], after: HistoryNode, role: string, grantees: string[]): boolean {
  const last = lastIndexByKey(nodes, undoings);
  return grantees.every((grantee) => namedLater(last, after, `DROP\0${grantee}`, `REVOKE\0${role}\0${grantee}`));
}

const tokenNamed = (code: ScanToken[], name: string, from = 0) =>
  code.find((t) => t.start >= from && (t.text.toLowerCase() === name || t.text === `"${name}"`));

export const sqlDangerousRoleGrant: SqlRule = {
  id: 'sql-dangerous-role-grant',
  kind: 'sql',
  reads: ['GrantRoleStmt', ...ROLE_STATEMENTS],
  severity: 'warning',
  fix: 'manual',
  docs: {
    summary:
      'Membership in pg_read_server_files, pg_write_server_files, pg_execute_server_program, pg_read_all_data or pg_write_all_data (GRANT, CREATE ROLE … IN ROLE, ALTER GROUP … ADD USER).',
    why:
      'These predefined roles reach past the permission system. The first three give access to the server\'s ' +
      'file system and shell as the operating-system user PostgreSQL runs as, which is equivalent to superuser; the ' +
      'last two read or write every table of every schema, whatever its grants say. An application role that is a ' +
      'member turns one SQL injection into all of that.',
    bad: 'GRANT pg_read_server_files TO app;\n',
    good: 'GRANT SELECT ON import_staging TO app;\n',
    fixNotes:
      'The grantee loses what the role gave it, and whatever depended on that fails: grant the specific privileges it ' +
      'needs instead (SELECT on the tables it reads, a SECURITY DEFINER function for one file it must load). The fix ' +
      'removes the role from the GRANT, or deletes the GRANT when it grants nothing else. A later REVOKE of the role ' +
      'from every grantee, or DROP ROLE, in the migration history silences the finding.',
    references: [
      { title: 'PostgreSQL: Predefined Roles', url: 'https://www.postgresql.org/docs/current/predefined-roles.html' },
      { title: 'PostgreSQL: GRANT (roles)', url: GRANT_DOCS },
      { title: 'CIS PostgreSQL Benchmark: excessive administrative privileges', url: CIS_POSTGRES },
    ],
  },
  check(ctx, report) {
    const nodes = historyNodesOfType(ctx.history, 'DropRoleStmt', 'GrantRoleStmt');
    const flag = (n: HistoryNode, role: string, grantees: string[], range: Range, fixes: Fix[]) => {
      if (revokedLater(nodes, n, role, grantees)) return;
      report({
        file: ctx.analysis.file,
        range,
        message: `Membership in ${role} lets ${grantees.join(', ')} ${DANGEROUS_ROLES[role]}. Grant the specific privileges needed instead.`,
        fixes,
      });
    };
    for (const n of nodesOf(ctx, ['GrantRoleStmt', 'CreateRoleStmt', 'AlterRoleStmt'])) {
      const code = codeTokens(n.stmt);
      if (n.type === 'GrantRoleStmt' && n.node.is_grant) {
        // GRANT role TO PUBLIC fails outright; sql-grant-public says so.
        const grantees = (n.node.grantee_roles ?? []).filter((r: Node) => !isPublic(r)).map(roleName);
        if (!grantees.length) continue;
        const granted: string[] = (n.node.granted_roles ?? []).map((r: Node) => r.AccessPriv?.priv_name);
        const tokens = granted.map((name) => tokenNamed(code, name));
        if (tokens.some((t) => !t)) continue;
        granted.forEach((role, i) => {
          if (!DANGEROUS_ROLES[role]) return;
          const t = tokens[i]!;
          const remove = removeListItem(n.analysis, n.stmt, tokens as ScanToken[], i);
          flag(n, role, grantees, byteRange(n.analysis, n.stmt, t.start, t.end), [
            remove
              ? { title: `Remove ${role} from this GRANT (${grantees.join(', ')} can no longer ${DANGEROUS_ROLES[role].split(' (')[0]})`, safety: 'manual', edits: [remove] }
              : { title: `Delete this GRANT (${grantees.join(', ')} can no longer ${DANGEROUS_ROLES[role].split(' (')[0]})`, safety: 'manual', edits: [deleteStatement(n.analysis, n.stmt)] },
          ]);
        });
      } else if (n.type === 'CreateRoleStmt') {
        for (const o of n.node.options ?? []) {
          if (o.DefElem?.defname !== 'addroleto') continue;
          for (const r of o.DefElem.arg?.List?.items ?? []) {
            const role = roleName(r);
            if (DANGEROUS_ROLES[role]) flag(n, role, [n.node.role], tokenRange(n.analysis, n.stmt, r.RoleSpec?.location), []);
          }
        }
      } else if (n.type === 'AlterRoleStmt' && n.node.action === 1) {
        const role = roleName(n.node.role);
        if (!DANGEROUS_ROLES[role]) continue;
        const members = (n.node.options ?? []).filter((o: Node) => o.DefElem?.defname === 'rolemembers').flatMap((o: Node) => o.DefElem.arg?.List?.items ?? []);
        if (members.length) flag(n, role, members.map(roleName), tokenRange(n.analysis, n.stmt, n.node.role?.location), []);
      }
    }
  },
};
