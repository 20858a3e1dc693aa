// A stream of migration SQL the way a multi-tenant schema grows: each table gets its tenant column,
// index, RLS (enabled and forced), tenant policy, grants, seed rows and comment, with functions and
// views along the way. One table in INSECURE_EVERY leaves a hole our rules report. All of it parses
// with PostgreSQL's grammar and runs in order against an empty database.

export interface SqlChunk {
  sql: string;
  /** Where a single-character edit keeps the SQL valid (a digit inside a string literal), as offsets in `sql`. */
  editSites: number[];
  /** Digits of names in statements the schema model reads (a policy's name): valid SQL, a changed model. */
  modelEditSites?: number[];
}

const INSECURE_EVERY = 25;
const COLUMNS = ['amount numeric(12,2) NOT NULL DEFAULT 0', 'status text NOT NULL DEFAULT \'new\'', 'due_on date', 'payload jsonb', 'ref uuid', 'score integer'];

/** The roles and schema every stream starts with (once per history). */
export function preamble(): string {
  return [
    'CREATE SCHEMA IF NOT EXISTS app;',
    'CREATE ROLE app_rw NOLOGIN;',
    'CREATE ROLE app_ro NOLOGIN;',
    'REVOKE CREATE ON SCHEMA public FROM PUBLIC;',
    'GRANT USAGE ON SCHEMA app TO app_rw, app_ro;',
    '',
  ].join('\n');
}

/** Statements for table number `n`, as one chunk per statement (so callers can split files anywhere). */
export function tableBlock(n: number, rand: () => number): SqlChunk[] {
  const t = `t_${String(n).padStart(6, '0')}`;
  const q = `app.${t}`;
  // Holes cycle through the six kinds, from the third table on (so even a small corpus has one).
  const hole = n % INSECURE_EVERY === 3 ? Math.floor(n / INSECURE_EVERY) % 6 : -1;
  const digits = () => String(1000 + Math.floor(rand() * 9000));
  const tenant = "current_setting('app.tenant_id', true)::bigint";
  const out: SqlChunk[] = [];
  const plain = (sql: string) => out.push({ sql, editSites: [] });
  // A literal whose digits are edit sites: 'label-1234'.
  const withLiteral = (before: string, label: string, after: string) => {
    const d = digits();
    const sql = `${before}'${label}-${d}'${after}`;
    const at = before.length + 1 + label.length + 1;
    out.push({ sql, editSites: [at, at + 1, at + 2, at + 3] });
  };

  const extra = COLUMNS[n % COLUMNS.length];
  plain(`CREATE TABLE ${q} (id bigint PRIMARY KEY, tenant_id bigint NOT NULL, name text NOT NULL, ${extra});`);
  plain(`CREATE INDEX ${t}_tenant_idx ON ${q} (tenant_id);`);
  if (hole !== 0) {
    plain(`ALTER TABLE ${q} ENABLE ROW LEVEL SECURITY;`);
    if (hole !== 1) plain(`ALTER TABLE ${q} FORCE ROW LEVEL SECURITY;`);
    const policy =
      hole === 2
        ? `CREATE POLICY ${t}_tenant ON ${q} USING (tenant_id = ${tenant});`
        : `CREATE POLICY ${t}_tenant ON ${q} USING (tenant_id = ${tenant}) WITH CHECK (tenant_id = ${tenant});`;
    out.push({ sql: policy, editSites: [], modelEditSites: ['CREATE POLICY '.length + t.length - 1] });
  }
  plain(hole === 3 ? `GRANT SELECT ON ${q} TO PUBLIC;` : `GRANT SELECT, INSERT, UPDATE ON ${q} TO app_rw;`);
  plain(`GRANT SELECT ON ${q} TO app_ro;`);
  const rows = 3 + Math.floor(rand() * 3);
  for (let r = 1; r <= rows; r++) withLiteral(`INSERT INTO ${q} VALUES (${r}, ${1 + (r % 3)}, `, 'seed', ');');
  withLiteral(`COMMENT ON TABLE ${q} IS `, 'owned by team', ';');
  if (n % 4 === 0 || hole === 4) {
    const path = hole === 4 ? '' : ' SET search_path = pg_catalog, app, pg_temp';
    plain(
      `CREATE FUNCTION app.${t}_count(t bigint) RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER${path} AS $$ SELECT count(*) FROM ${q} WHERE tenant_id = t $$;`,
    );
    plain(`REVOKE EXECUTE ON FUNCTION app.${t}_count(bigint) FROM PUBLIC;`);
    plain(`GRANT EXECUTE ON FUNCTION app.${t}_count(bigint) TO app_rw;`);
  }
  if (n % 5 === 0) plain(`CREATE VIEW app.${t}_names WITH (security_invoker = true) AS SELECT id, name FROM ${q};`);
  if (hole === 5) withLiteral(`CREATE ROLE ${t}_svc LOGIN PASSWORD `, 'changeme', ';');
  return out;
}

/** Joins chunks one statement per line, with the edit sites moved to offsets in the result. */
export function joinChunks(chunks: SqlChunk[], head = ''): { sql: string; editSites: number[]; modelEditSites: number[] } {
  let sql = head;
  const editSites: number[] = [];
  const modelEditSites: number[] = [];
  for (const c of chunks) {
    for (const s of c.editSites) editSites.push(sql.length + s);
    for (const s of c.modelEditSites ?? []) modelEditSites.push(sql.length + s);
    sql += c.sql + '\n';
  }
  return { sql, editSites, modelEditSites };
}
