import type { SqlRule } from './rule';
import { RLS_DOCS, ROLE_STATEMENTS } from './sql-helpers';
import { CREATE_ROLE_DOCS, ROLE_ATTRIBUTES_DOCS, checkRoleAttribute } from './sql-superuser-role';

export const sqlBypassrlsRole: SqlRule = {
  id: 'sql-bypassrls-role',
  kind: 'sql',
  reads: ROLE_STATEMENTS,
  severity: 'warning',
  fix: 'manual',
  docs: {
    summary: 'CREATE/ALTER ROLE … BYPASSRLS: every row-level security policy is ignored for the role.',
    why:
      'Row-level security is what keeps one tenant from reading another\'s rows. A role with BYPASSRLS skips every ' +
      'policy on every table: when the application, a reporting tool or a leaked credential uses it, one query reads ' +
      'every tenant\'s data.',
    bad: 'CREATE ROLE reporting LOGIN BYPASSRLS;\n',
    good: 'CREATE ROLE reporting LOGIN NOBYPASSRLS;\n',
    fixNotes:
      'With NOBYPASSRLS the policies apply to the role again: rows they do not admit disappear for it. Jobs that ' +
      'really need every row should run as a separate, tightly held role. A later ALTER ROLE … NOBYPASSRLS or DROP ROLE ' +
      'in the migration history silences the finding.',
    references: [
      { title: 'PostgreSQL: Role Attributes (BYPASSRLS)', url: ROLE_ATTRIBUTES_DOCS },
      { title: 'PostgreSQL: Row Security Policies', url: RLS_DOCS },
      { title: 'PostgreSQL: CREATE ROLE', url: CREATE_ROLE_DOCS },
    ],
  },
  check(ctx, report) {
    checkRoleAttribute(ctx, report, 'bypassrls', (role, created) => ({
      message:
        `Role ${role} is ${created ? 'created with' : 'given'} BYPASSRLS: no row-level security policy applies to it, so it reads and changes every tenant's rows. ` +
        'Keep it NOBYPASSRLS.',
      fixTitle: `Make ${role} NOBYPASSRLS (policies apply to it again: rows they do not admit disappear for it)`,
    }));
  },
};
