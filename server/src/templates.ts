// Hardening templates: complete, commented starting points that the command palette inserts and
// that ship as snippets. Bodies are in VS Code snippet syntax (${1:name} placeholders, \$ for a
// literal dollar); tests expand them with their defaults and run the result on real PostgreSQL.

export type TemplateLanguage = 'pg-hba' | 'pg-conf' | 'sql';

export interface Template {
  id: string;
  /** The command that inserts it. */
  command: string;
  title: string;
  language: TemplateLanguage;
  /** Snippet prefix. */
  prefix: string;
  description: string;
  body: string;
}

const HBA = `# Hardened pg_hba.conf. PostgreSQL uses the first record that matches a connection,
# so the order matters: narrow allows first, explicit rejects last.
# TYPE   DATABASE        USER            ADDRESS                 METHOD
# The superuser, only over the local socket, as the operating-system user of the same name.
local    all             postgres                                peer
# Other local users give their password.
local    all             all                                     scram-sha-256
# The application: TLS required, SCRAM password, from its own network only.
hostssl  \${1:appdb}          \${2:app}             \${3:10.0.1.0/24}             scram-sha-256
# Streaming replication from the standbys' own range, with TLS and SCRAM.
hostssl  replication     \${4:replicator}      \${5:10.0.2.0/24}             scram-sha-256
# Everything else is refused, over IPv4 and IPv6, with and without TLS.
host     all             all             0.0.0.0/0               reject
host     all             all             ::/0                    reject
`;

const TLS = `# TLS: encrypt connections (hostssl records in pg_hba.conf then require it).
ssl = on
ssl_cert_file = '\${1:server.crt}'         # relative to the data directory
ssl_key_file = '\${2:server.key}'          # readable by the server's user only (mode 0600)
#ssl_ca_file = 'root.crt'              # to verify client certificates (clientcert=verify-full)
ssl_min_protocol_version = '\${3|TLSv1.2,TLSv1.3|}'
ssl_ciphers = 'HIGH:!aNULL:!eNULL:!MD5:!3DES:!RC4'   # TLS 1.2 and older; OpenSSL picks TLS 1.3 suites
ssl_prefer_server_ciphers = on
`;

const LOGGING = `# Logging: who connected, from where, and what changed the schema.
log_connections = on
log_disconnections = on
log_statement = 'ddl'                  # 'mod' adds data changes; logged statements can hold secrets
log_line_prefix = '%m [%p] user=%u db=%d client=%h app=%a '
# pgaudit: an audit trail of DDL and role changes. Install the pgaudit package, then restart.
shared_preload_libraries = 'pgaudit'   # keep any libraries you already preload in this list
pgaudit.log = '\${1:ddl, role}'
pgaudit.log_catalog = off
pgaudit.log_parameter = off            # bind parameters can carry passwords
pgaudit.log_relation = on
`;

const ROLES = `-- Least privilege: an owner nobody logs in as, and one role per way the application connects.
-- Login roles get their passwords separately (command: Insert Role with a SCRAM Password).
CREATE ROLE \${1:app}_owner NOLOGIN;
CREATE SCHEMA \${2:app} AUTHORIZATION \${1:app}_owner;
CREATE ROLE \${1:app}_rw NOLOGIN;
CREATE ROLE \${1:app}_ro NOLOGIN;
CREATE ROLE \${1:app}_user LOGIN IN ROLE \${1:app}_rw;        -- the application
CREATE ROLE \${1:app}_reader LOGIN IN ROLE \${1:app}_ro;      -- reports, read-only
CREATE ROLE \${1:app}_migrator LOGIN IN ROLE \${1:app}_owner; -- migrations: SET ROLE \${1:app}_owner first
-- Nobody creates objects in public; only the granted roles reach the application's schema.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON SCHEMA \${2:app} FROM PUBLIC;
GRANT USAGE ON SCHEMA \${2:app} TO \${1:app}_rw, \${1:app}_ro;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA \${2:app} TO \${1:app}_rw;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA \${2:app} TO \${1:app}_rw;
GRANT SELECT ON ALL TABLES IN SCHEMA \${2:app} TO \${1:app}_ro;
-- The same for tables and sequences the owner creates later.
ALTER DEFAULT PRIVILEGES FOR ROLE \${1:app}_owner IN SCHEMA \${2:app}
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO \${1:app}_rw;
ALTER DEFAULT PRIVILEGES FOR ROLE \${1:app}_owner IN SCHEMA \${2:app}
  GRANT USAGE, SELECT ON SEQUENCES TO \${1:app}_rw;
ALTER DEFAULT PRIVILEGES FOR ROLE \${1:app}_owner IN SCHEMA \${2:app}
  GRANT SELECT ON TABLES TO \${1:app}_ro;
-- New functions are not callable by everyone.
ALTER DEFAULT PRIVILEGES FOR ROLE \${1:app}_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
`;

/** The tenant template for one table and column (the command asks for both; the snippet has placeholders). */
export function tenantRlsBody(table = '${1:accounts}', column = '${2:tenant_id}'): string {
  const tenant = `NULLIF(current_setting('app.tenant_id', true), '')::\${3:bigint}`;
  const policy = table.startsWith('${') ? '${1:accounts}_tenant_isolation' : quoteIdent(`${table.replace(/^.*\./, '').replace(/"/g, '')}_tenant_isolation`);
  return `-- Tenant isolation for ${table}: each transaction sees and writes the rows of one tenant only.
ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
-- FORCE: the table's owner (often the application's own role) obeys the policy too.
ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
CREATE POLICY ${policy} ON ${table}
  USING (${column} = ${tenant})
  WITH CHECK (${column} = ${tenant});
-- The application sets the tenant per transaction, never per session: behind a connection
-- pooler (PgBouncer in transaction mode) a session setting leaks to the next client.
--   BEGIN;
--   SET LOCAL app.tenant_id = '42';   -- or SELECT set_config('app.tenant_id', '42', true);
--   ... queries ...
--   COMMIT;
-- SET LOCAL outside a transaction block does nothing (PostgreSQL only warns), and without a
-- tenant every query sees no rows: the NULLIF makes an unset tenant match nothing, not fail.
`;
}

const DEFINER = `-- A SECURITY DEFINER function runs with its owner's privileges: keep it small and pin its search_path.
CREATE FUNCTION \${1:app}.\${2:close_account}(\${3:p_id bigint})
  RETURNS \${4:void}
  LANGUAGE plpgsql
  SECURITY DEFINER
  -- Trusted schemas only, pg_temp last, so callers cannot put their own objects first.
  -- Names in the body must then be schema-qualified: app.accounts, not accounts.
  SET search_path = pg_catalog, pg_temp
AS \\$\\$
BEGIN
  \${0:NULL; -- the body}
END;
\\$\\$;
-- Nobody may call it but the roles you name.
REVOKE EXECUTE ON FUNCTION \${1:app}.\${2:close_account}(\${3:p_id bigint}) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION \${1:app}.\${2:close_account}(\${3:p_id bigint}) TO \${5:app_rw};
`;

/** The SCRAM role statement (command only: it needs the password, which never reaches a file). */
export function scramRoleSql(role: string, verifier: string): string {
  return `-- The password is stored as a SCRAM-SHA-256 verifier: neither this file nor the server log holds it.
CREATE ROLE ${quoteIdent(role)} LOGIN PASSWORD '${verifier}';
`;
}

export const quoteIdent = (s: string) => (/^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`);

export const TEMPLATES: readonly Template[] = [
  { id: 'hardened-hba', command: 'pg-hardening.insertHardenedHba', title: 'Hardened pg_hba.conf', language: 'pg-hba', prefix: 'pghard-hba', description: 'peer for the local superuser, SCRAM everywhere else, hostssl with narrow networks, replication from its own range, explicit rejects', body: HBA },
  { id: 'tls', command: 'pg-hardening.insertTlsSettings', title: 'TLS settings', language: 'pg-conf', prefix: 'pghard-tls', description: 'ssl on, certificate and key, TLS 1.2 floor (or 1.3), strong ciphers', body: TLS },
  { id: 'logging-audit', command: 'pg-hardening.insertLoggingAudit', title: 'Logging and audit', language: 'pg-conf', prefix: 'pghard-logging', description: 'connections, disconnections, DDL, a prefix with user, database and client, pgaudit', body: LOGGING },
  { id: 'least-privilege-roles', command: 'pg-hardening.insertLeastPrivilegeRoles', title: 'Least-privilege roles', language: 'sql', prefix: 'pghard-roles', description: 'owner (NOLOGIN), read-write, read-only and migration roles; no CREATE on public; grants and default privileges', body: ROLES },
  { id: 'tenant-rls', command: 'pg-hardening.insertTenantRls', title: 'Tenant isolation with row-level security', language: 'sql', prefix: 'pghard-tenant-rls', description: 'ENABLE and FORCE, a tenant policy with USING and WITH CHECK, SET LOCAL in the application', body: tenantRlsBody() },
  { id: 'security-definer', command: 'pg-hardening.insertSecurityDefinerFunction', title: 'SECURITY DEFINER function', language: 'sql', prefix: 'pghard-definer', description: 'pinned search_path, EXECUTE revoked from PUBLIC and granted by name', body: DEFINER },
];

/** A snippet body with each placeholder replaced by its default (the first choice of a choice list). */
export function expandSnippet(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\' && (body[i + 1] === '$' || body[i + 1] === '\\' || body[i + 1] === '}')) {
      out += body[++i];
    } else if (c === '$' && body[i + 1] === '{') {
      const end = matchingBrace(body, i + 1);
      const inner = body.slice(i + 2, end);
      const choice = /^\d+\|([^,|]*)/.exec(inner);
      const withDefault = /^\d+:([\s\S]*)$/.exec(inner);
      out += choice ? choice[1] : withDefault ? expandSnippet(withDefault[1]) : '';
      i = end;
    } else if (c === '$' && /\d/.test(body[i + 1] ?? '')) {
      while (/\d/.test(body[i + 1] ?? '')) i++;
    } else {
      out += c;
    }
  }
  return out;
}

function matchingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '{') depth++;
    else if (s[i] === '}' && --depth === 0) return i;
  }
  return s.length - 1;
}

/** VS Code snippet files, one per language, from the templates. */
export function snippetFiles(): Map<TemplateLanguage, Record<string, { prefix: string; description: string; body: string[] }>> {
  const files = new Map<TemplateLanguage, Record<string, { prefix: string; description: string; body: string[] }>>();
  for (const t of TEMPLATES) {
    if (!files.has(t.language)) files.set(t.language, {});
    files.get(t.language)![`PostgreSQL Hardening: ${t.title}`] = { prefix: t.prefix, description: t.description, body: t.body.replace(/\n$/, '').split('\n') };
  }
  return files;
}
