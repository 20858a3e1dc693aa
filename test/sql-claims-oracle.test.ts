// The security claims the SQL rules' messages make, each shown true (and its fix shown to work)
// against real PostgreSQL servers. One test per claim; every check runs as ordinary LOGIN roles
// connected over TCP (the harness's pg_hba.conf trusts 127.0.0.1), never as the superuser, unless
// the claim is about what the superuser sets up.
//
// Servers: 14, 15, 17 and 18 (started once, in parallel, ssl off; every claim runs on each, except
// where a feature is newer: security_invoker exists from 15). Each claim works in its own schemas
// and roles, named after the claim, and drops them afterwards.
import { after, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PgUnavailableError, startPostgres, type PgMajor, type PgServer } from './support/postgres';

const MAJORS: readonly PgMajor[] = [14, 15, 17, 18];

// ---------------------------------------------------------------------------------------------
// Servers (one per major, shared by the claims)

const servers = new Map<PgMajor, Promise<PgServer | PgUnavailableError>>();
function server(major: PgMajor): Promise<PgServer | PgUnavailableError> {
  let s = servers.get(major);
  if (!s) {
    s = startPostgres(major, { ssl: false }).catch((e: unknown) => {
      if (e instanceof PgUnavailableError) return e;
      throw e;
    });
    servers.set(major, s);
  }
  return s;
}
for (const m of MAJORS) void server(m).catch(() => undefined); // start them all now, side by side

after(async () => {
  for (const s of servers.values()) {
    const srv = await s.catch(() => null);
    if (srv && !(srv instanceof Error)) await srv.stop();
  }
});

// ---------------------------------------------------------------------------------------------
// Sandboxes: roles, schemas and client connections of one claim on one server

interface PgErr {
  code: string;
  message: string;
}

class Conn {
  readonly notices: { severity: string; code: string; message: string }[] = [];
  constructor(
    readonly client: pg.Client,
    readonly role: string,
  ) {
    client.on('notice', (n) => this.notices.push({ severity: n.severity ?? '', code: n.code ?? '', message: n.message ?? '' }));
  }
  async q<R extends pg.QueryResultRow = any>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.client.query<R>(sql, params);
  }
  /** The single value of a one-row, one-column query. */
  async one(sql: string, params?: unknown[]): Promise<unknown> {
    const r = await this.client.query({ text: sql, values: params, rowMode: 'array' });
    assert.equal(r.rows.length, 1, `${sql}: expected one row, got ${r.rows.length}`);
    return (r.rows[0] as unknown[])[0];
  }
  async count(sql: string): Promise<number> {
    return Number(await this.one(`SELECT count(*) FROM (${sql}) AS x`));
  }
  /** Number of rows an INSERT/UPDATE/DELETE touched. */
  async affected(sql: string): Promise<number> {
    return (await this.client.query(sql)).rowCount ?? -1;
  }
  /** The statement must fail: its SQLSTATE and message. */
  async fails(sql: string): Promise<PgErr> {
    return failure(this.client.query(sql), `${this.role}: ${sql}`);
  }
  /** What the statement did: rows touched, or the error (for comparing policy variants). */
  async outcome(sql: string): Promise<string> {
    try {
      const r = await this.client.query(sql);
      return `ok ${r.rowCount}`;
    } catch (e) {
      if (e instanceof pg.DatabaseError) return `error ${e.code}: ${e.message}`;
      throw e;
    }
  }
}

async function failure(p: Promise<unknown>, what: string): Promise<PgErr> {
  try {
    await p;
  } catch (e) {
    if (e instanceof pg.DatabaseError) return { code: e.code ?? '', message: e.message };
    throw e;
  }
  assert.fail(`${what}: succeeded, expected an error`);
}

const RLS_VIOLATION = '42501';
const INSUFFICIENT_PRIVILEGE = '42501';
const rlsViolation = (table: string) => new RegExp(`^new row violates row-level security policy for table "${table}"$`);

class Sandbox {
  private readonly roles: string[] = [];
  private readonly schemas: string[] = [];
  private readonly conns: Conn[] = [];
  constructor(
    readonly pg: PgServer,
    readonly prefix: string,
  ) {}

  /** A LOGIN role (no superuser, no BYPASSRLS); returns its name. */
  async role(name: string): Promise<string> {
    const r = `${this.prefix}_${name}`;
    await this.pg.query(`CREATE ROLE ${r} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB`);
    this.roles.push(r);
    return r;
  }
  /** A schema owned by `owner` (default: the superuser); returns its name. */
  async schema(name: string, owner?: string): Promise<string> {
    const s = `${this.prefix}_${name}`;
    await this.pg.query(`CREATE SCHEMA ${s}${owner ? ` AUTHORIZATION ${owner}` : ''}`);
    this.schemas.push(s);
    return s;
  }
  /** A fresh session logged in as `role` (a new backend: no settings left from earlier sessions). */
  async connect(role: string): Promise<Conn> {
    const client = new pg.Client({ host: '127.0.0.1', port: this.pg.port, user: role, database: 'postgres', connectionTimeoutMillis: 10_000 });
    client.on('error', () => undefined);
    await client.connect();
    const c = new Conn(client, role);
    this.conns.push(c);
    return c;
  }
  /** Runs `sql` as the superuser. */
  su(sql: string): Promise<pg.QueryResult> {
    return this.pg.query(sql);
  }
  async cleanup(): Promise<void> {
    for (const c of this.conns) await c.client.end().catch(() => undefined);
    for (const s of this.schemas) await this.pg.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    for (const r of this.roles.reverse()) {
      await this.pg.query(`DROP OWNED BY ${r} CASCADE`);
      await this.pg.query(`DROP ROLE ${r}`);
    }
  }
}

/** One sub-test per major: a sandbox on that major's server, cleaned up afterwards. */
async function onMajors(t: TestContext, claim: string, majors: readonly PgMajor[], fn: (sb: Sandbox, major: PgMajor) => Promise<void>): Promise<void> {
  for (const major of majors) {
    await t.test(`PostgreSQL ${major}`, async (st) => {
      const srv = await server(major);
      if (srv instanceof PgUnavailableError) {
        st.skip(`PostgreSQL ${major} binaries unavailable: ${srv.message.split('\n')[0]}`);
        return;
      }
      const sb = new Sandbox(srv, claim);
      const t0 = Date.now();
      try {
        await fn(sb, major);
      } finally {
        await sb.cleanup();
      }
      st.diagnostic(`PostgreSQL ${srv.version}: ${Date.now() - t0} ms`);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Shared fixtures

/** Four rows: tenant 1 owns ids 1 and 2, tenant 2 owns id 3, tenant 3 owns id 4. */
const NOTES = (table: string) => `
  CREATE TABLE ${table} (id int PRIMARY KEY, tenant_id int NOT NULL, body text);
  INSERT INTO ${table} VALUES (1, 1, 'a'), (2, 1, 'b'), (3, 2, 'c'), (4, 3, 'd');`;

/** The tenant predicate the issue uses: NULL (so no row) when app.tenant_id was never set. */
const TENANT = `tenant_id = current_setting('app.tenant_id', true)::int`;

async function rlsFlags(sb: Sandbox, table: string): Promise<{ enabled: boolean; forced: boolean }> {
  const r = await sb.su(`SELECT relrowsecurity AS enabled, relforcerowsecurity AS forced FROM pg_class WHERE oid = '${table}'::regclass`);
  return r.rows[0] as { enabled: boolean; forced: boolean };
}

async function tenantsSeen(c: Conn, table: string): Promise<number[]> {
  return (await c.q<{ tenant_id: number }>(`SELECT tenant_id FROM ${table} ORDER BY id`)).rows.map((r) => r.tenant_id);
}

// ---------------------------------------------------------------------------------------------
// 1. sql-rls-not-forced

test('sql-rls-not-forced: the table owner bypasses ENABLEd (not FORCEd) row-level security; FORCE makes it obey', { timeout: 60_000 }, async (t) => {
  await onMajors(t, 'c1', MAJORS, async (sb) => {
    const owner = await sb.role('owner');
    const s = await sb.schema('app', owner);
    const notes = `${s}.notes`;
    const o = await sb.connect(owner);
    await o.q(`${NOTES(notes)}
      ALTER TABLE ${notes} ENABLE ROW LEVEL SECURITY;
      CREATE POLICY tenant ON ${notes} USING (${TENANT});`);
    assert.deepEqual(await rlsFlags(sb, notes), { enabled: true, forced: false });
    const attrs = (await sb.su(`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = '${owner}'`)).rows[0];
    assert.deepEqual(attrs, { rolsuper: false, rolbypassrls: false }, 'the owner is an ordinary role');

    // Not forced: the owner reads (and writes) every tenant's rows, with or without a tenant.
    assert.equal(await o.one(`SELECT current_setting('app.tenant_id', true)`), null, 'fresh session: no tenant set');
    assert.deepEqual(await tenantsSeen(o, notes), [1, 1, 2, 3]);
    await o.q(`SET app.tenant_id = '1'`);
    assert.deepEqual(await tenantsSeen(o, notes), [1, 1, 2, 3], 'the policy does not apply to the owner');
    assert.equal(await o.affected(`INSERT INTO ${notes} VALUES (5, 2, 'other tenant')`), 1, 'the owner writes another tenant\'s row');
    assert.equal(await o.affected(`DELETE FROM ${notes} WHERE id = 5`), 1);

    // The fix.
    await o.q(`ALTER TABLE ${notes} FORCE ROW LEVEL SECURITY`);
    assert.deepEqual(await rlsFlags(sb, notes), { enabled: true, forced: true });
    const fresh = await sb.connect(owner);
    assert.equal(await fresh.one(`SELECT current_setting('app.tenant_id', true)`), null);
    assert.deepEqual(await tenantsSeen(fresh, notes), [], 'forced, no tenant set: the owner reads nothing');
    await fresh.q(`SET app.tenant_id = '1'`);
    assert.deepEqual(await tenantsSeen(fresh, notes), [1, 1], 'forced: only tenant 1');
    await fresh.q(`SET app.tenant_id = '2'`);
    assert.deepEqual(await tenantsSeen(fresh, notes), [2]);
    const e = await fresh.fails(`INSERT INTO ${notes} VALUES (5, 3, 'other tenant')`);
    assert.equal(e.code, RLS_VIOLATION);
    assert.match(e.message, rlsViolation('notes'));

    // The rule's own example writes current_setting('app.tenant_id') without missing_ok: forced,
    // with no tenant set, that is an error rather than an empty result (still fails closed).
    await o.q(`CREATE TABLE ${s}.strict_notes (id int, tenant_id int);
      INSERT INTO ${s}.strict_notes VALUES (1, 1), (2, 2);
      ALTER TABLE ${s}.strict_notes ENABLE ROW LEVEL SECURITY;
      CREATE POLICY tenant ON ${s}.strict_notes USING (tenant_id = current_setting('app.tenant_id')::int);`);
    const unset = await sb.connect(owner);
    assert.equal(await unset.count(`SELECT * FROM ${s}.strict_notes`), 2, 'not forced: the owner never evaluates the policy');
    await o.q(`ALTER TABLE ${s}.strict_notes FORCE ROW LEVEL SECURITY`);
    const e2 = await unset.fails(`SELECT * FROM ${s}.strict_notes`);
    assert.equal(e2.code, '42704');
    assert.equal(e2.message, 'unrecognized configuration parameter "app.tenant_id"');

    // FORCE binds the owner's queries, not its DDL: the owner may still switch it off.
    await fresh.q(`ALTER TABLE ${notes} NO FORCE ROW LEVEL SECURITY`);
    assert.deepEqual(await tenantsSeen(fresh, notes), [1, 1, 2, 3]);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. sql-policy-missing-with-check

test('sql-policy-missing-with-check: USING doubles as WITH CHECK for FOR ALL / FOR UPDATE; a FOR INSERT policy without WITH CHECK admits no row', { timeout: 60_000 }, async (t) => {
  await onMajors(t, 'c2', MAJORS, async (sb) => {
    const owner = await sb.role('owner');
    const app = await sb.role('app');
    const s = await sb.schema('app', owner);
    const o = await sb.connect(owner);
    await o.q(`GRANT USAGE ON SCHEMA ${s} TO ${app}`);

    // (a) Same operations under four policy sets: FOR ALL / FOR UPDATE, each without and with WITH CHECK.
    const variants: Record<string, string> = {
      'all, USING only': `CREATE POLICY p ON %T FOR ALL TO ${app} USING (${TENANT});`,
      'all, USING + WITH CHECK': `CREATE POLICY p ON %T FOR ALL TO ${app} USING (${TENANT}) WITH CHECK (${TENANT});`,
      'update, USING only': `CREATE POLICY r ON %T FOR SELECT TO ${app} USING (${TENANT});
        CREATE POLICY p ON %T FOR UPDATE TO ${app} USING (${TENANT});`,
      'update, USING + WITH CHECK': `CREATE POLICY r ON %T FOR SELECT TO ${app} USING (${TENANT});
        CREATE POLICY p ON %T FOR UPDATE TO ${app} USING (${TENANT}) WITH CHECK (${TENANT});`,
    };
    const outcomes: Record<string, string[]> = {};
    let n = 0;
    for (const [name, policy] of Object.entries(variants)) {
      const table = `${s}.notes${++n}`;
      await o.q(`${NOTES(table)}
        ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
        ${policy.replaceAll('%T', table)}
        GRANT SELECT, INSERT, UPDATE ON ${table} TO ${app};`);
      const withCheck = (await sb.su(`SELECT with_check FROM pg_policies WHERE schemaname = '${s}' AND tablename = 'notes${n}' AND policyname = 'p'`)).rows[0]?.with_check;
      assert.equal(withCheck === null, name.endsWith('USING only'), `${name}: pg_policies.with_check is ${withCheck}`);
      const a = await sb.connect(app);
      await a.q(`SET app.tenant_id = '1'`);
      const rel = `notes${n}`;
      outcomes[name] = [
        `visible: ${(await tenantsSeen(a, table)).join(',')}`,
        // moving one of its rows to tenant 2: the new row fails the USING expression
        (await a.outcome(`UPDATE ${table} SET tenant_id = 2 WHERE id = 1`)).replaceAll(rel, 'T'),
        (await a.outcome(`UPDATE ${table} SET body = 'edited' WHERE id = 1`)).replaceAll(rel, 'T'),
        (await a.outcome(`UPDATE ${table} SET body = 'edited' WHERE id = 3`)).replaceAll(rel, 'T'),
        (await a.outcome(`INSERT INTO ${table} VALUES (10, 1, 'own')`)).replaceAll(rel, 'T'),
        (await a.outcome(`INSERT INTO ${table} VALUES (11, 2, 'foreign')`)).replaceAll(rel, 'T'),
      ];
      assert.deepEqual(await tenantsSeen(await sb.connect(owner), table), name.startsWith('all') ? [1, 1, 2, 3, 1] : [1, 1, 2, 3], `${name}: nothing moved to tenant 2`);
    }
    const violation = `error 42501: new row violates row-level security policy for table "T"`;
    assert.deepEqual(outcomes['all, USING only'], ['visible: 1,1', violation, 'ok 1', 'ok 0', 'ok 1', violation]);
    assert.deepEqual(outcomes['update, USING only'], ['visible: 1,1', violation, 'ok 1', 'ok 0', violation, violation]);
    // Adding WITH CHECK (same expression) changes nothing.
    assert.deepEqual(outcomes['all, USING + WITH CHECK'], outcomes['all, USING only']);
    assert.deepEqual(outcomes['update, USING + WITH CHECK'], outcomes['update, USING only']);

    // (b) FOR INSERT with neither USING nor WITH CHECK: PostgreSQL accepts the CREATE POLICY,
    // stores no expression, and the policy admits no row at all.
    const ins = `${s}.inbox`;
    await o.q(`${NOTES(ins)}
      ALTER TABLE ${ins} ENABLE ROW LEVEL SECURITY;
      CREATE POLICY r ON ${ins} FOR SELECT TO ${app} USING (true);
      CREATE POLICY p ON ${ins} FOR INSERT TO ${app};
      GRANT SELECT, INSERT ON ${ins} TO ${app};`);
    const stored = (await sb.su(`SELECT cmd, qual, with_check FROM pg_policies WHERE schemaname = '${s}' AND tablename = 'inbox' AND policyname = 'p'`)).rows;
    assert.deepEqual(stored, [{ cmd: 'INSERT', qual: null, with_check: null }]);
    const a = await sb.connect(app);
    await a.q(`SET app.tenant_id = '1'`);
    for (const [id, tenant] of [[20, 1], [21, 2]] as const) {
      const e = await a.fails(`INSERT INTO ${ins} VALUES (${id}, ${tenant}, 'x')`);
      assert.equal(e.code, RLS_VIOLATION);
      assert.match(e.message, rlsViolation('inbox'));
    }
    assert.equal(await a.count(`SELECT * FROM ${ins}`), 4, 'nothing was inserted');
    // USING is refused for INSERT policies; WITH CHECK (true) is how to admit every row.
    const e = await failure(o.q(`CREATE POLICY u ON ${ins} FOR INSERT TO ${app} USING (true)`), 'FOR INSERT USING');
    assert.equal(e.code, '42601');
    assert.equal(e.message, 'only WITH CHECK expression allowed for INSERT');
    // The fix: WITH CHECK (tenant) admits the tenant's rows only.
    await o.q(`DROP POLICY p ON ${ins}; CREATE POLICY p ON ${ins} FOR INSERT TO ${app} WITH CHECK (${TENANT})`);
    assert.equal(await a.affected(`INSERT INTO ${ins} VALUES (20, 1, 'own')`), 1);
    assert.equal((await a.fails(`INSERT INTO ${ins} VALUES (21, 2, 'foreign')`)).code, RLS_VIOLATION);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. sql-policy-without-rls

test('sql-policy-without-rls: a policy on a table whose row-level security is not enabled filters nothing', { timeout: 60_000 }, async (t) => {
  await onMajors(t, 'c3', MAJORS, async (sb) => {
    const owner = await sb.role('owner');
    const app = await sb.role('app');
    const s = await sb.schema('app', owner);
    const notes = `${s}.notes`;
    const o = await sb.connect(owner);
    await o.q(`${NOTES(notes)}
      CREATE POLICY tenant ON ${notes} FOR ALL TO ${app} USING (${TENANT});
      GRANT USAGE ON SCHEMA ${s} TO ${app};
      GRANT SELECT, INSERT ON ${notes} TO ${app};`);
    assert.deepEqual(await rlsFlags(sb, notes), { enabled: false, forced: false });
    assert.equal(Number((await sb.su(`SELECT count(*) FROM pg_policies WHERE schemaname = '${s}' AND tablename = 'notes'`)).rows[0].count), 1, 'the policy exists');

    const a = await sb.connect(app);
    assert.deepEqual(await tenantsSeen(a, notes), [1, 1, 2, 3], 'no tenant set: every row');
    await a.q(`SET app.tenant_id = '1'`);
    assert.deepEqual(await tenantsSeen(a, notes), [1, 1, 2, 3], 'tenant 1: still every row');
    assert.equal(await a.affected(`INSERT INTO ${notes} VALUES (5, 2, 'foreign')`), 1, 'writes to another tenant too');
    await o.q(`DELETE FROM ${notes} WHERE id = 5`);

    // The fix.
    await o.q(`ALTER TABLE ${notes} ENABLE ROW LEVEL SECURITY`);
    assert.deepEqual(await tenantsSeen(a, notes), [1, 1]);
    assert.equal((await a.fails(`INSERT INTO ${notes} VALUES (5, 2, 'foreign')`)).code, RLS_VIOLATION);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. sql-rls-no-policy

test('sql-rls-no-policy: row-level security with no policy denies every row to non-owners (forced: to the owner too)', { timeout: 60_000 }, async (t) => {
  await onMajors(t, 'c4', MAJORS, async (sb) => {
    const owner = await sb.role('owner');
    const app = await sb.role('app');
    const s = await sb.schema('app', owner);
    const o = await sb.connect(owner);
    await o.q(`GRANT USAGE ON SCHEMA ${s} TO ${app}`);
    for (const force of [false, true]) {
      const table = `${s}.notes_${force ? 'forced' : 'enabled'}`;
      const rel = `notes_${force ? 'forced' : 'enabled'}`;
      await o.q(`${NOTES(table)}
        ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
        ${force ? `ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;` : ''}
        GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO ${app};`);
      assert.deepEqual(await rlsFlags(sb, table), { enabled: true, forced: force });
      const a = await sb.connect(app);
      await a.q(`SET app.tenant_id = '1'`);
      assert.equal(await a.count(`SELECT * FROM ${table}`), 0, `${table}: the grantee sees nothing`);
      const e = await a.fails(`INSERT INTO ${table} VALUES (5, 1, 'x')`);
      assert.equal(e.code, RLS_VIOLATION);
      assert.match(e.message, rlsViolation(rel));
      assert.equal(await a.affected(`UPDATE ${table} SET body = 'x'`), 0);
      assert.equal(await a.affected(`DELETE FROM ${table}`), 0);
      // The owner: every row unless forced, then nothing either.
      assert.equal(await o.count(`SELECT * FROM ${table}`), force ? 0 : 4);

      // With a policy the grantee reads its rows.
      await o.q(`CREATE POLICY tenant ON ${table} TO ${app} USING (${TENANT})`);
      assert.deepEqual(await tenantsSeen(a, table), [1, 1]);
      assert.equal(await a.affected(`INSERT INTO ${table} VALUES (5, 1, 'x')`), 1);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 5. sql-permissive-policy

test('sql-permissive-policy: USING (true) lets every tenant read (and write) every row', { timeout: 60_000 }, async (t) => {
  await onMajors(t, 'c5', MAJORS, async (sb) => {
    const owner = await sb.role('owner');
    const app = await sb.role('app');
    const s = await sb.schema('app', owner);
    const o = await sb.connect(owner);
    await o.q(`GRANT USAGE ON SCHEMA ${s} TO ${app}`);
    for (const [name, expr] of [['open', 'true'], ['tenant', TENANT]] as const) {
      const table = `${s}.notes_${name}`;
      await o.q(`${NOTES(table)}
        ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
        ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
        CREATE POLICY p ON ${table} FOR ALL TO ${app} USING (${expr});
        GRANT SELECT, INSERT ON ${table} TO ${app};`);
      const seen: Record<string, number[]> = {};
      for (const tenant of ['1', '2', '3']) {
        const a = await sb.connect(app);
        await a.q(`SET app.tenant_id = '${tenant}'`);
        seen[tenant] = await tenantsSeen(a, table);
      }
      const writer = await sb.connect(app);
      await writer.q(`SET app.tenant_id = '1'`);
      const insert = await writer.outcome(`INSERT INTO ${table} VALUES (5, 2, 'foreign')`);
      if (name === 'open') {
        assert.deepEqual(seen, { 1: [1, 1, 2, 3], 2: [1, 1, 2, 3], 3: [1, 1, 2, 3] });
        assert.equal(insert, 'ok 1', 'USING (true) is also the WITH CHECK: tenant 1 writes a tenant-2 row');
      } else {
        assert.deepEqual(seen, { 1: [1, 1], 2: [2], 3: [3] });
        assert.equal(insert, `error 42501: new row violates row-level security policy for table "notes_tenant"`);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 6. sql-security-definer-search-path

test('sql-security-definer-search-path: an unprivileged caller hijacks unqualified names in a SECURITY DEFINER function without SET search_path', { timeout: 60_000 }, async (t) => {
  await onMajors(t, 'c6', MAJORS, async (sb, major) => {
    const definer = await sb.role('definer'); // privileged: the only role that may read vault.secrets
    const attacker = await sb.role('attacker');
    const vault = await sb.schema('vault', definer);
    const app = await sb.schema('app', definer);
    const evil = await sb.schema('evil', attacker); // any schema the attacker may create objects in
    // The helpers the functions rely on live in public (on everyone's default search_path); the
    // superuser creates them there (15+ lets no ordinary role create in public) for the definer.
    const fmt = `${sb.prefix}_format_name`;
    const users = `${sb.prefix}_users`;
    await sb.su(`
      CREATE FUNCTION public.${fmt}(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT upper(t) $$;
      ALTER FUNCTION public.${fmt}(text) OWNER TO ${definer};
      CREATE TABLE public.${users} (name text, is_admin bool);
      ALTER TABLE public.${users} OWNER TO ${definer};`);
    const d = await sb.connect(definer);
    await d.q(`
      CREATE TABLE ${vault}.secrets (secret text);
      INSERT INTO ${vault}.secrets VALUES ('s3cr3t-a'), ('s3cr3t-b');
      INSERT INTO public.${users} VALUES ('${definer}', true), ('${attacker}', false);
      GRANT USAGE ON SCHEMA ${app} TO PUBLIC;`);

    // Vulnerable: no SET search_path, unqualified function and table names (resolved through the
    // caller's search_path, which the caller controls, and pg_temp, which the caller fills).
    // Fixed: SET search_path = pg_catalog, pg_temp and schema-qualified references.
    await d.q(`
      CREATE FUNCTION ${app}.greet(who text) RETURNS text LANGUAGE plpgsql SECURITY DEFINER AS $$
      BEGIN RETURN 'hello ' || ${fmt}(who); END $$;
      CREATE FUNCTION ${app}.admin_count() RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER AS $$
      BEGIN RETURN (SELECT count(*) FROM ${users} WHERE is_admin AND name = session_user); END $$;

      CREATE FUNCTION ${app}.greet_fixed(who text) RETURNS text LANGUAGE plpgsql SECURITY DEFINER
      SET search_path = pg_catalog, pg_temp AS $$
      BEGIN RETURN 'hello ' || public.${fmt}(who); END $$;
      CREATE FUNCTION ${app}.admin_count_fixed() RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
      SET search_path = pg_catalog, pg_temp AS $$
      BEGIN RETURN (SELECT count(*) FROM public.${users} WHERE is_admin AND name = session_user); END $$;`);

    // The attacker's replacement. plpgsql so that the body is only analysed when it runs, with the
    // privileges of whoever runs it (the attacker may not even look into the vault schema).
    const a0 = await sb.connect(attacker);
    await a0.q(`
      CREATE FUNCTION ${evil}.${fmt}(t text) RETURNS text LANGUAGE plpgsql AS $$
      BEGIN RETURN current_user || ' read ' || (SELECT string_agg(secret, ',' ORDER BY secret) FROM ${vault}.secrets); END $$;`);
    // Inside the definer function the path is searched with the definer's rights: schemas it has no
    // USAGE on are skipped, so the attacker opens its schema to everyone.
    {
      const a = await sb.connect(attacker);
      await a.q(`SET search_path = ${evil}, public`);
      assert.equal(await a.one(`SELECT ${app}.greet('bob')`), 'hello BOB', 'evil not usable by the definer: skipped');
    }
    await a0.q(`GRANT USAGE ON SCHEMA ${evil} TO PUBLIC`);
    assert.equal((await a0.fails(`SELECT * FROM ${vault}.secrets`)).code, INSUFFICIENT_PRIVILEGE, 'the attacker cannot read the vault');
    assert.equal((await a0.fails(`SELECT ${evil}.${fmt}('x')`)).code, INSUFFICIENT_PRIVILEGE, 'nor through its own function');
    // PostgreSQL 15+ no longer lets every role create objects in public (14 still does).
    assert.equal(await a0.one(`SELECT has_schema_privilege('public', 'CREATE')`), major < 15);

    // Normal use.
    assert.equal(await a0.one(`SELECT current_setting('search_path')`), '"$user", public');
    assert.equal(await a0.one(`SELECT ${app}.greet('bob')`), 'hello BOB');
    assert.equal(await a0.one(`SELECT ${app}.admin_count()`), '0');

    // Hijack 1: a same-named function in a schema the attacker puts first in its search_path.
    const a = await sb.connect(attacker);
    await a.q(`SET search_path = ${evil}, public`);
    assert.equal(await a.one(`SELECT ${app}.greet('bob')`), `hello ${definer} read s3cr3t-a,s3cr3t-b`, 'the attacker\'s code ran as the definer');
    // Hijack 2: a temporary table shadows the unqualified table (pg_temp is searched first for
    // relations when the path does not name it), the caller's search_path untouched. The table
    // belongs to the attacker, so it lets the definer read it.
    const b = await sb.connect(attacker);
    await b.q(`CREATE TEMP TABLE ${users} (name text, is_admin bool);
      INSERT INTO ${users} VALUES (session_user, true);
      GRANT SELECT ON ${users} TO PUBLIC;`);
    assert.equal(await b.one(`SELECT ${app}.admin_count()`), '1', 'the function trusted the attacker\'s table');

    // Fixed: the same attacks change nothing.
    const f = await sb.connect(attacker);
    await f.q(`SET search_path = ${evil}, public;
      CREATE TEMP TABLE ${users} (name text, is_admin bool);
      INSERT INTO ${users} VALUES (session_user, true);
      GRANT SELECT ON ${users} TO PUBLIC;`);
    assert.equal(await f.one(`SELECT ${app}.greet('bob')`), `hello ${definer} read s3cr3t-a,s3cr3t-b`, 'this session is armed');
    assert.equal(await f.one(`SELECT ${app}.admin_count()`), '1');
    assert.equal(await f.one(`SELECT ${app}.greet_fixed('bob')`), 'hello BOB');
    assert.equal(await f.one(`SELECT ${app}.admin_count_fixed()`), '0');

    // Why both halves of the fix are needed: SET search_path = pg_catalog, pg_temp alone, with an
    // unqualified table name, still finds the attacker's temporary table (pg_temp comes last, but
    // the real table is not on the path at all) ...
    await d.q(`CREATE FUNCTION ${app}.admin_count_half() RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
      SET search_path = pg_catalog, pg_temp AS $$
      BEGIN RETURN (SELECT count(*) FROM ${users} WHERE is_admin AND name = session_user); END $$;`);
    assert.equal(await f.one(`SELECT ${app}.admin_count_half()`), '1');
    // ... whereas functions are never looked up in pg_temp: the unqualified call just fails.
    await d.q(`CREATE FUNCTION ${app}.greet_half(who text) RETURNS text LANGUAGE plpgsql SECURITY DEFINER
      SET search_path = pg_catalog, pg_temp AS $$ BEGIN RETURN 'hello ' || ${fmt}(who); END $$;`);
    assert.equal((await f.fails(`SELECT ${app}.greet_half('bob')`)).code, '42883');
  });
});

// ---------------------------------------------------------------------------------------------
// 7. sql-security-definer-public-execute

test('sql-security-definer-public-execute: PUBLIC may execute a new function until EXECUTE is revoked from PUBLIC', { timeout: 60_000 }, async (t) => {
  await onMajors(t, 'c7', MAJORS, async (sb) => {
    const definer = await sb.role('definer');
    const s = await sb.schema('app', definer);
    const d = await sb.connect(definer);
    await d.q(`
      CREATE TABLE ${s}.secrets (secret text);
      INSERT INTO ${s}.secrets VALUES ('s3cr3t');
      GRANT USAGE ON SCHEMA ${s} TO PUBLIC;
      CREATE FUNCTION ${s}.read_secret() RETURNS text LANGUAGE sql SECURITY DEFINER
        SET search_path = pg_catalog, pg_temp AS $$ SELECT secret FROM ${s}.secrets $$;`);
    assert.equal((await sb.su(`SELECT proacl FROM pg_proc WHERE oid = '${s}.read_secret()'::regprocedure`)).rows[0].proacl, null, 'default ACL');
    const fnAcl = async () =>
      (await sb.su(`SELECT coalesce(array_agg(grantee::regrole::text ORDER BY grantee), '{}') AS g FROM pg_proc, aclexplode(coalesce(proacl, acldefault('f', proowner))) WHERE oid = '${s}.read_secret()'::regprocedure AND privilege_type = 'EXECUTE'`)).rows[0].g;
    assert.deepEqual(await fnAcl(), ['-', definer], 'EXECUTE for PUBLIC (grantee 0) and the owner'); // regrole 0 prints as '-'

    // A role created afterwards, with no grant of its own, calls it and reads the secret.
    const anyone = await sb.role('anyone');
    const a = await sb.connect(anyone);
    assert.equal((await a.fails(`SELECT * FROM ${s}.secrets`)).code, INSUFFICIENT_PRIVILEGE);
    assert.equal(await a.one(`SELECT has_function_privilege('${s}.read_secret()', 'EXECUTE')`), true);
    assert.equal(await a.one(`SELECT ${s}.read_secret()`), 's3cr3t');

    // The fix.
    await d.q(`REVOKE EXECUTE ON FUNCTION ${s}.read_secret() FROM PUBLIC`);
    assert.deepEqual(await fnAcl(), [definer]);
    const e = await a.fails(`SELECT ${s}.read_secret()`);
    assert.equal(e.code, INSUFFICIENT_PRIVILEGE);
    assert.equal(e.message, 'permission denied for function read_secret');
    const later = await sb.connect(await sb.role('later'));
    assert.equal((await later.fails(`SELECT ${s}.read_secret()`)).code, INSUFFICIENT_PRIVILEGE);
    // Roles it is granted to explicitly keep it.
    const trusted = await sb.role('trusted');
    await d.q(`GRANT EXECUTE ON FUNCTION ${s}.read_secret() TO ${trusted}`);
    assert.equal(await (await sb.connect(trusted)).one(`SELECT ${s}.read_secret()`), 's3cr3t');
  });
});

// ---------------------------------------------------------------------------------------------
// 8. sql-view-bypasses-rls

test('sql-view-bypasses-rls: a view runs as its owner and shows rows the caller\'s policies hide; security_invoker (15+) fixes it', { timeout: 60_000 }, async (t) => {
  await onMajors(t, 'c8', MAJORS, async (sb, major) => {
    const owner = await sb.role('owner');
    const app = await sb.role('app');
    const s = await sb.schema('app', owner);
    const notes = `${s}.notes`;
    const o = await sb.connect(owner);
    await o.q(`${NOTES(notes)}
      ALTER TABLE ${notes} ENABLE ROW LEVEL SECURITY;
      CREATE POLICY tenant ON ${notes} USING (${TENANT});
      GRANT USAGE ON SCHEMA ${s} TO ${app};
      GRANT SELECT ON ${notes} TO ${app};
      CREATE VIEW ${s}.recent AS SELECT * FROM ${notes};
      GRANT SELECT ON ${s}.recent TO ${app};`);
    // A view owned by a superuser (who bypasses row-level security, forced or not).
    await sb.su(`CREATE VIEW ${s}.recent_su AS SELECT * FROM ${notes}; GRANT SELECT ON ${s}.recent_su TO ${app};`);

    const a = await sb.connect(app);
    await a.q(`SET app.tenant_id = '1'`);
    assert.deepEqual(await tenantsSeen(a, notes), [1, 1], 'the table itself: tenant 1 only');
    assert.deepEqual(await tenantsSeen(a, `${s}.recent`), [1, 1, 2, 3], 'through the owner\'s view: every tenant');
    assert.deepEqual(await tenantsSeen(a, `${s}.recent_su`), [1, 1, 2, 3], 'through the superuser\'s view: every tenant');

    if (major < 15) {
      const e = await failure(o.q(`CREATE VIEW ${s}.recent_inv WITH (security_invoker = true) AS SELECT * FROM ${notes}`), 'security_invoker on 14');
      assert.equal(e.code, '22023');
      assert.equal(e.message, 'unrecognized parameter "security_invoker"');
    } else {
      // The fix.
      await o.q(`CREATE VIEW ${s}.recent_inv WITH (security_invoker = true) AS SELECT * FROM ${notes};
        GRANT SELECT ON ${s}.recent_inv TO ${app};`);
      await sb.su(`CREATE VIEW ${s}.recent_su_inv WITH (security_invoker = true) AS SELECT * FROM ${notes}; GRANT SELECT ON ${s}.recent_su_inv TO ${app};`);
      assert.deepEqual(await tenantsSeen(a, `${s}.recent_inv`), [1, 1]);
      assert.deepEqual(await tenantsSeen(a, `${s}.recent_su_inv`), [1, 1]);
      await a.q(`SET app.tenant_id = '2'`);
      assert.deepEqual(await tenantsSeen(a, `${s}.recent_inv`), [2]);
      // ... and the caller now needs privileges on the table itself.
      await o.q(`REVOKE SELECT ON ${notes} FROM ${app}`);
      const e = await a.fails(`SELECT * FROM ${s}.recent_inv`);
      assert.equal(e.code, INSUFFICIENT_PRIVILEGE);
      assert.equal(e.message, 'permission denied for table notes');
      assert.equal(await a.count(`SELECT * FROM ${s}.recent`), 4, 'the owner-rights view needs no table privilege');
      await o.q(`GRANT SELECT ON ${notes} TO ${app}`);
    }

    // The bypass needs an owner the policy does not bind: once the table is FORCEd, the table
    // owner's view filters by the caller's tenant setting (the superuser's view still shows all).
    await o.q(`ALTER TABLE ${notes} FORCE ROW LEVEL SECURITY`);
    await a.q(`SET app.tenant_id = '1'`);
    assert.deepEqual(await tenantsSeen(a, `${s}.recent`), [1, 1]);
    assert.deepEqual(await tenantsSeen(a, `${s}.recent_su`), [1, 1, 2, 3]);
  });
});

// ---------------------------------------------------------------------------------------------
// 9. sql-session-set

test('sql-session-set: SET outlives COMMIT on a pooled connection; SET LOCAL and set_config(..., true) do not', { timeout: 60_000 }, async (t) => {
  await onMajors(t, 'c9', MAJORS, async (sb) => {
    const app = await sb.role('app');
    const owner = await sb.role('owner');
    const s = await sb.schema('app', owner);
    const notes = `${s}.notes`;
    const o = await sb.connect(owner);
    await o.q(`${NOTES(notes)}
      ALTER TABLE ${notes} ENABLE ROW LEVEL SECURITY;
      CREATE POLICY tenant ON ${notes} TO ${app} USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::int);
      GRANT USAGE ON SCHEMA ${s} TO ${app};
      GRANT SELECT ON ${notes} TO ${app};`);
    const setting = (c: pg.PoolClient | pg.Client) =>
      c.query<{ v: string | null }>(`SELECT current_setting('app.tenant_id', true) AS v`).then((r) => r.rows[0]!.v);
    const pid = (c: pg.PoolClient) => c.query<{ p: number }>('SELECT pg_backend_pid() AS p').then((r) => r.rows[0]!.p);

    // A pool of one connection: user A's request, then user B's on the same backend.
    const pool = new pg.Pool({ host: '127.0.0.1', port: sb.pg.port, user: app, database: 'postgres', max: 1 });
    pool.on('error', () => undefined);
    try {
      const userA = await pool.connect();
      const backend = await pid(userA);
      assert.equal(await setting(userA), null, 'fresh session: unset');
      await userA.query('BEGIN');
      await userA.query(`SET app.tenant_id = '1'`);
      await userA.query('COMMIT');
      assert.equal(await setting(userA), '1');
      userA.release();

      const userB = await pool.connect();
      assert.equal(await pid(userB), backend, 'the same pooled backend');
      assert.equal(await setting(userB), '1', 'user B inherits user A\'s tenant');
      assert.deepEqual((await userB.query(`SELECT tenant_id FROM ${notes} ORDER BY id`)).rows.map((r) => r.tenant_id), [1, 1], 'and reads tenant 1\'s rows');
      // A plain SET outside any transaction persists the same way.
      await userB.query(`SET app.tenant_id = '2'`);
      userB.release();
      const userC = await pool.connect();
      assert.equal(await setting(userC), '2');
      userC.release();
    } finally {
      await pool.end();
    }

    // Transaction-scoped settings end with the transaction (COMMIT or ROLLBACK).
    for (const [how, set] of [
      ['SET LOCAL', `SET LOCAL app.tenant_id = '1'`],
      ['set_config(..., true)', `SELECT set_config('app.tenant_id', '1', true)`],
    ] as const) {
      for (const end of ['COMMIT', 'ROLLBACK']) {
        const c = await sb.connect(app);
        await c.q('BEGIN');
        await c.q(set);
        assert.equal(await setting(c.client), '1', `${how}: in effect inside the transaction`);
        assert.deepEqual(await tenantsSeen(c, notes), [1, 1]);
        await c.q(end);
        // The placeholder now exists in the session with its reset value: '' (not NULL).
        assert.equal(await setting(c.client), '', `${how}: gone after ${end}`);
        assert.deepEqual(await tenantsSeen(c, notes), [], `${how}: no rows after ${end}`);
        // A policy casting it without nullif() now fails instead of returning no rows.
        assert.equal((await c.fails(`SELECT current_setting('app.tenant_id', true)::int`)).code, '22P02');
      }
    }
    // Also when the session already had a value: the transaction's value is undone, the old one is back.
    {
      const c = await sb.connect(app);
      await c.q(`SET app.tenant_id = '3'`);
      await c.q(`BEGIN; SET LOCAL app.tenant_id = '1'; COMMIT;`);
      assert.equal(await setting(c.client), '3');
      await c.q(`BEGIN; SELECT set_config('app.tenant_id', '2', true); COMMIT;`);
      assert.equal(await setting(c.client), '3');
    }

    // SET LOCAL outside a transaction block: a warning, and nothing is kept.
    {
      const c = await sb.connect(app);
      await c.q(`SET LOCAL app.tenant_id = '1'`);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(
        c.notices.map((n) => `${n.severity} ${n.code}: ${n.message}`),
        ['WARNING 25P01: SET LOCAL can only be used in transaction blocks'],
      );
      assert.equal(await setting(c.client), '', 'not kept (the placeholder exists now, empty)');
      assert.deepEqual(await tenantsSeen(c, notes), []);
      // set_config(..., true) in autocommit: lasts for its own statement only, silently.
      const c2 = await sb.connect(app);
      assert.equal(await c2.one(`SELECT set_config('app.tenant_id', '1', true)`), '1');
      assert.equal(await setting(c2.client), '');
      assert.deepEqual(c2.notices, []);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 10. sql-grant-public

test('sql-grant-public: GRANT ... TO PUBLIC lets every role read the table, roles created later included', { timeout: 60_000 }, async (t) => {
  await onMajors(t, 'c10', MAJORS, async (sb) => {
    const owner = await sb.role('owner');
    const s = await sb.schema('app', owner);
    const t1 = `${s}.customers`;
    const o = await sb.connect(owner);
    await o.q(`CREATE TABLE ${t1} (id int, email text);
      INSERT INTO ${t1} VALUES (1, 'a@example.com'), (2, 'b@example.com');
      GRANT USAGE ON SCHEMA ${s} TO PUBLIC;`);
    const before = await sb.role('before');
    const b = await sb.connect(before);
    const denied = await b.fails(`SELECT * FROM ${t1}`);
    assert.equal(denied.code, INSUFFICIENT_PRIVILEGE);
    assert.equal(denied.message, 'permission denied for table customers');

    await o.q(`GRANT SELECT ON ${t1} TO PUBLIC`);
    assert.equal(await b.count(`SELECT * FROM ${t1}`), 2);
    const later = await sb.role('later'); // created after the grant, granted nothing itself
    const l = await sb.connect(later);
    assert.equal(await l.count(`SELECT * FROM ${t1}`), 2);
    assert.equal(await l.one(`SELECT has_table_privilege('${t1}', 'SELECT')`), true);
    assert.equal((await l.fails(`INSERT INTO ${t1} VALUES (3, 'c')`)).code, INSUFFICIENT_PRIVILEGE, 'only what was granted');

    // The fix: revoke from PUBLIC, grant to the role that needs it.
    const reader = await sb.role('reader');
    await o.q(`REVOKE SELECT ON ${t1} FROM PUBLIC; GRANT SELECT ON ${t1} TO ${reader};`);
    assert.equal((await l.fails(`SELECT * FROM ${t1}`)).code, INSUFFICIENT_PRIVILEGE);
    assert.equal((await b.fails(`SELECT * FROM ${t1}`)).code, INSUFFICIENT_PRIVILEGE);
    assert.equal(await (await sb.connect(reader)).count(`SELECT * FROM ${t1}`), 2);
  });
});
