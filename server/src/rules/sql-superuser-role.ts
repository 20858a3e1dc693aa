import type { Report, SqlContext, SqlRule } from './rule';
import { codeTokens, historyNodesOfType, lastIndexByKey, namedLater, nodesOf, replaceBytes, roleName, type HistoryNode, ROLE_STATEMENTS } from './sql-helpers';
import { CIS_POSTGRES } from './hba-helpers';

export const ROLE_ATTRIBUTES_DOCS = 'https://www.postgresql.org/docs/current/role-attributes.html';
export const CREATE_ROLE_DOCS = 'https://www.postgresql.org/docs/current/sql-createrole.html';

/** The role a CREATE/ALTER ROLE (USER, GROUP) statement is about. */
export const roleOf = (n: HistoryNode): string => (n.type === 'CreateRoleStmt' ? n.node.role : roleName(n.node.role));

/** What a statement does that undoes a role attribute: `DROP` of a role, an attribute set to false, or any password set (the option). */
function* undoings(n: HistoryNode): Iterable<string> {
  if (n.type === 'DropRoleStmt') for (const r of n.node.roles ?? []) yield `DROP\0${roleName(r)}`;
  if (n.type !== 'AlterRoleStmt') return;
  for (const o of n.node.options ?? []) {
    const d: { defname: string; arg?: { Boolean?: { boolval?: boolean } } } | undefined = o.DefElem;
    if (d && (d.defname === 'password' || !d.arg?.Boolean?.boolval)) yield `${d.defname}\0${roleOf(n)}`;
  }
}

/** A later statement of the history drops `role`, or sets `attribute` back to false (or, for 'password', sets any password). */
export const undoneLater = (ctx: SqlContext, after: HistoryNode, role: string, attribute: string): boolean =>
  namedLater(lastIndexByKey(historyNodesOfType(ctx.history, 'AlterRoleStmt', 'DropRoleStmt'), undoings), after, `${attribute}\0${role}`, `DROP\0${role}`);

/**
 * Findings for CREATE/ALTER ROLE options that turn `attribute` on (SUPERUSER, BYPASSRLS) in the
 * checked file, unless a later statement turns it off again or drops the role.
 */
export function checkRoleAttribute(
  ctx: SqlContext,
  report: (r: Report) => void,
  attribute: string,
  describe: (role: string, created: boolean) => { message: string; fixTitle: string },
): void {
  for (const n of nodesOf(ctx, ['CreateRoleStmt', 'AlterRoleStmt'])) {
    const role = roleOf(n);
    for (const o of n.node.options ?? []) {
      const d = o.DefElem;
      if (d?.defname !== attribute || !d.arg?.Boolean?.boolval || undoneLater(ctx, n, role, attribute)) continue;
      const token = codeTokens(n.stmt).find((t) => t.start >= d.location);
      if (!token) continue;
      const { message, fixTitle } = describe(role, n.type === 'CreateRoleStmt');
      const no = token.text === token.text.toLowerCase() ? 'no' : 'NO';
      const edit = replaceBytes(n.analysis, n.stmt, token.start, token.end, `${no}${token.text}`);
      report({ file: ctx.analysis.file, range: edit.range, message, fixes: [{ title: fixTitle, safety: 'manual', edits: [edit] }] });
    }
  }
}

export const sqlSuperuserRole: SqlRule = {
  id: 'sql-superuser-role',
  kind: 'sql',
  reads: ROLE_STATEMENTS,
  severity: 'error',
  fix: 'manual',
  docs: {
    summary: 'CREATE/ALTER ROLE (or USER, GROUP) … SUPERUSER.',
    why:
      'A superuser skips every permission check and every row-level security policy, and can read and write files ' +
      'and run programs on the database server as its operating-system user. An application or migration role that is ' +
      'a superuser turns any SQL injection into control of the server. Superuser access belongs to the few people who ' +
      'administer the cluster, not to roles created by migrations.',
    bad: 'CREATE ROLE migrator LOGIN SUPERUSER;\n',
    good: 'CREATE ROLE migrator LOGIN NOSUPERUSER;\nGRANT CREATE ON SCHEMA app TO migrator;\n',
    fixNotes:
      'NOSUPERUSER takes away everything the role could do only as a superuser: grant it the privileges it actually ' +
      'uses (on its tables, schemas, functions), or the application fails where it relied on them. A later ALTER ROLE … ' +
      'NOSUPERUSER or DROP ROLE in the migration history silences the finding.',
    references: [
      { title: 'PostgreSQL: Role Attributes', url: ROLE_ATTRIBUTES_DOCS },
      { title: 'PostgreSQL: CREATE ROLE', url: CREATE_ROLE_DOCS },
      { title: 'CIS PostgreSQL Benchmark: excessive administrative privileges', url: CIS_POSTGRES },
    ],
  },
  check(ctx, report) {
    checkRoleAttribute(ctx, report, 'superuser', (role, created) => ({
      message:
        `Role ${role} is ${created ? 'created as' : 'made'} a superuser: it bypasses every permission check and row-level security, and can read files and run programs on the server. ` +
        'Make it NOSUPERUSER and grant only the privileges it needs.',
      fixTitle: `Make ${role} NOSUPERUSER (it loses every superuser power: grant it the privileges it uses)`,
    }));
  },
};
