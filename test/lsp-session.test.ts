// A long scripted protocol session against the bundled server (dist/server.js), with a fixed seed.
//
// A temporary workspace of 50+ files of every kind (pg_hba.conf in several folders with their
// include files, postgresql.conf with conf.d fragments, a pg_ident.conf, migration histories, loose
// SQL), seeded from examples/ and test/fixtures/, then N random operations: open, incremental edits
// and full-text replacements (garbage, binary-ish text, CRLF, lone CR, BOM, huge lines, another
// kind's text, empty), save, close, rename and delete on disk (with the watched-files notifications),
// new files, writes on disk by another program (invalid UTF-8 included), settings changes (editor
// settings: postgresVersion 13-18, rule severities, migration globs, tenant columns; and
// .pg-hardening.json), and requests in between (hover, code actions, fix-all, symbols, formatting,
// completion), each of which must be answered within 30 s.
//
// At the end: the server never exited; its stderr names no unhandled or uncaught error; it logged no
// failure and published no internal error; its heap after a full GC is within 20% of the heap after
// the first pass (the first 10% of the operations, by the end of which every file has been opened);
// every open document's last diagnostics are for its last version; and the last diagnostics of every
// file, opened or not, equal those a fresh server publishes for the same files on disk, the same
// settings and the same documents open with the same texts. The session server runs with
// test/support/guard-preload.cjs: it opens no socket and starts no process.
//
// N = 1,500 in `npm test`; 10,000 with PG_HARDEN_FUZZ=long. PG_HARDEN_SEED picks another seed,
// PG_HARDEN_SESSION_OPS another N. The script depends only on the seed (never on the server's timing),
// and a failing session writes its operations to a JSON journal: PG_HARDEN_SESSION_REPLAY=<journal>
// plays them again (and a journal cut down by hand still plays: operations that no longer make sense
// are skipped). The tests at the end are what the session found, cut down to a few operations each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, Diagnostic, Range, TextEdit } from 'vscode-languageserver/node';
import { kindOfFile } from '../server/src/engine/check';
import { RULES } from '../server/src/rules';
import { listFiles } from './support/expectations';
import { TestClient } from './support/lsp-client';
import { rng } from './support/random';

const ROOT = path.join(__dirname, '..');
const LONG = process.env.PG_HARDEN_FUZZ === 'long';
const OPS = Number(process.env.PG_HARDEN_SESSION_OPS ?? (LONG ? 10_000 : 1500));
const SEED = Number(process.env.PG_HARDEN_SEED ?? 20261122);
const FIRST_PASS = Math.floor(OPS / 10);
const REQUEST_TIMEOUT_MS = 30_000;
const GUARD = path.join(__dirname, 'support', 'guard-preload.cjs');
const LANGUAGE = { hba: 'pg-hba', ident: 'pg-ident', conf: 'pg-conf', sql: 'sql' } as const;
const RULE_IDS = RULES.map((r) => r.id);

// ---------------------------------------------------------------------------------------------
// The workspace

const EX = 'examples';
const FX = 'test/fixtures';
/** Destination (relative to the workspace) → source file (relative to the repository) or text. */
function layout(): Record<string, { from: string } | { text: string }> {
  const from = (p: string) => ({ from: p });
  const out: Record<string, { from: string } | { text: string }> = {
    // Clusters: pg_hba.conf beside postgresql.conf, conf.d fragments, a pg_ident.conf.
    'clusters/orders/pg_hba.conf': from(`${EX}/insecure/pg_hba.conf`),
    'clusters/orders/postgresql.conf': {
      text: fs.readFileSync(path.join(ROOT, EX, 'insecure', 'postgresql.conf'), 'utf8') + "\ninclude_dir 'conf.d'\ninclude_if_exists 'local.conf'\n",
    },
    'clusters/orders/conf.d/10-ssl.conf': from(`${FX}/conf/conf-ssl-off/settings.conf`),
    'clusters/orders/conf.d/20-listen.conf': from(`${FX}/conf/conf-listen-all/settings.conf`),
    'clusters/orders/conf.d/30-log-secrets.conf': from(`${FX}/conf/conf-log-secrets/settings.conf`),
    'clusters/orders/conf.d/40-duplicate.conf': from(`${FX}/conf/conf-duplicate/settings.conf`),
    'clusters/orders/conf.d/more.conf': from(`${FX}/conf/conf-duplicate/more.conf`),
    'clusters/orders/pg_ident.conf': { text: '# MAPNAME  SYSTEM-USERNAME        PG-USERNAME\ncorp       /^(.*)@corp\\.example$  \\1\ncorp       root                   postgres\nbad\n' },
    'clusters/billing/pg_hba.conf': from(`${EX}/hardened/pg_hba.conf`),
    'clusters/billing/postgresql.conf': {
      text: fs.readFileSync(path.join(ROOT, EX, 'hardened', 'postgresql.conf'), 'utf8') + "\ninclude_dir 'conf.d'\n",
    },
    'clusters/billing/conf.d/10-ciphers.conf': from(`${FX}/conf/conf-ssl-weak-ciphers/settings.conf`),
    'clusters/billing/conf.d/20-invalid.conf': from(`${FX}/conf/conf-invalid-value/settings.conf`),
    'clusters/billing/conf.d/30-unknown.conf': from(`${FX}/conf/conf-unknown-parameter/settings.conf`),
    'clusters/billing/conf.d/40-syntax.conf': from(`${FX}/conf/conf-syntax/settings.conf`),
    'clusters/legacy/postgresql.conf': from(`${FX}/conf/pg13-password-default/postgresql.conf`),
    'clusters/legacy/pg_hba.conf': from(`${FX}/hba/pg13-no-continuation/pg_hba.conf`),
    'clusters/audit/postgresql.conf': from(`${FX}/conf/conf-pgaudit-preloaded/postgresql.conf`),
    'clusters/audit/conf.d/10-prefix.conf': from(`${FX}/conf/conf-log-line-prefix/settings.conf`),
    'clusters/audit/conf.d/20-sockets.conf': from(`${FX}/conf/conf-socket-permissions/settings.conf`),
    'clusters/plain/postgresql.conf': from(`${FX}/conf/main-unset/postgresql.conf`),
    'clusters/suppressed/postgresql.conf': from(`${FX}/conf/suppressions/postgresql.conf`),
    // Loose migrations: SQL outside any history folder.
    'scripts/plaintext-password.sql': from(`${FX}/sql/sql-plaintext-password/001_roles.sql`),
    'scripts/grant-all.sql': from(`${FX}/sql/sql-grant-all/001_grants.sql`),
    'scripts/copy-program.sql': from(`${FX}/sql/sql-copy-program/001_data.sql`),
    'scripts/alter-system.sql': from(`${FX}/sql/alter-system/001_settings.sql`),
    'scripts/session-set.sql': from(`${FX}/sql/sql-session-set/001_tenant.sql`),
    'scripts/syntax.sql': from(`${FX}/sql/sql-syntax/002_unterminated.sql`),
  };
  // pg_hba.conf files in their own folders, with what they include.
  for (const name of ['hba-trust', 'hba-md5', 'hba-syntax', 'hba-unreachable', 'hba-open-address', 'hba-remote-superuser', 'clean-hardened', 'includes', 'hba-hostssl-without-ssl', 'suppressions'])
    for (const f of listFiles(path.join(ROOT, FX, 'hba', name))) out[`hba/${name}/${path.relative(path.join(ROOT, FX, 'hba', name), f)}`] = from(path.relative(ROOT, f));
  // Migration histories.
  for (const [app, src] of [
    ['services/orders/migrations', `${EX}/insecure/migrations`],
    ['services/billing/migrations', `${EX}/hardened/migrations`],
    ['services/tasks/migrations', `${FX}/sql/sql-rls-not-forced/migrations`],
    ['services/auth/db', `${FX}/sql/sql-md5-password/migrations`],
    ['services/reports/migrations', `${FX}/sql/sql-security-definer-search-path/migrations`],
    ['services/tenants/migrations', `${FX}/sql/sql-permissive-policy/migrations`],
  ])
    for (const f of listFiles(path.join(ROOT, src))) out[`${app}/${path.basename(f)}`] = from(path.relative(ROOT, f));
  return out;
}

function makeWorkspace(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pgh-session-')));
  for (const [rel, what] of Object.entries(layout())) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), 'text' in what ? what.text : fs.readFileSync(path.join(ROOT, what.from)));
  }
  return dir;
}

/** Files the server checks (by name), below dir. */
const checkedFiles = (dir: string) => listFiles(dir).filter((f) => kindOfFile(f));
const uriOf = (file: string) => pathToFileURL(file).href;

// ---------------------------------------------------------------------------------------------
// Random text

const PIECES: Record<'hba' | 'ident' | 'conf' | 'sql', string[]> = {
  hba: ['host', 'hostssl', 'local', 'all', 'trust', 'md5', 'password', 'reject', 'scram-sha-256', '0.0.0.0/0', '10.0.0.0/8', '::1/128', 'samehost', '+admins', '@list.txt', 'include ', 'include_dir pg_hba.d', 'clientcert=verify-full', 'ldap ldapserver=x', '"', '\\\n', '\nhost all all 0.0.0.0/0 trust\n'],
  ident: ['corp', '/^(.*)$', '\\1', 'postgres', 'root', '"', '\n'],
  conf: ['ssl', ' = ', 'off', 'on', "'*'", "'", 'listen_addresses', 'password_encryption = md5\n', "include 'missing.conf'\n", "include_dir 'conf.d'\n", "include 'postgresql.conf'\n", 'shared_preload_libraries', '1.5GB', '\\', '\n'],
  sql: ['CREATE ROLE x SUPERUSER;\n', "CREATE ROLE y LOGIN PASSWORD 'pw-123456';\n", 'GRANT ALL ON t TO PUBLIC;\n', 'ALTER TABLE t ENABLE ROW LEVEL SECURITY;\n', 'CREATE TABLE t (tenant_id int);\n', 'SECURITY DEFINER', '$$', '$body$', "E'\\\\'", '/*', '*/', '--', ';', '(', ')', '"', "'", 'BEGIN;\n', 'COMMIT;\n', 'COPY t FROM PROGRAM \'x\';\n'],
};
const COMMON = [' ', '\n', '\r\n', '\r', '\t', '#', '=', ',', '\u00e9', '\u{1F600}', '\u0000', '\uFEFF', '\u2028', '\uD800', 'x'];

function garbage(rand: () => number, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) {
    const r = rand();
    if (r < 0.55) s += String.fromCharCode(32 + Math.floor(rand() * 95));
    else if (r < 0.65) s += String.fromCharCode(Math.floor(rand() * 32));
    else if (r < 0.75) s += rand() < 0.5 ? '\n' : '\r\n';
    else if (r < 0.83) s += String.fromCharCode(0x80 + Math.floor(rand() * 0x180));
    else if (r < 0.93) s += String.fromCharCode(0x100 + Math.floor(rand() * 0xd700));
    else if (r < 0.97) s += String.fromCodePoint(0x10000 + Math.floor(rand() * 0xfffff));
    else s += String.fromCharCode(0xd800 + Math.floor(rand() * 0x800)); // a lone surrogate
  }
  return s;
}

/** Bytes as an editor shows a binary file opened as Latin-1 (or as invalid UTF-8 on disk). */
function binaryish(rand: () => number, length: number): Buffer {
  return Buffer.from(Array.from({ length }, () => (rand() < 0.3 ? 0 : Math.floor(rand() * 256))));
}

function hugeLine(kind: string, rand: () => number): string {
  const n = 2000 + Math.floor(rand() * 8000); // 10 to 80 KB
  switch (kind) {
    case 'hba':
      return 'host all all 10.0.0.0/8 md5 ' + 'ldapserver=x '.repeat(n / 2);
    case 'conf':
      return "shared_preload_libraries = '" + 'lib,'.repeat(n * 2) + "'";
    case 'sql':
      return rand() < 0.5 ? 'SELECT ' + '1, '.repeat(n * 2) + '1;' : "CREATE ROLE r PASSWORD '" + 'x'.repeat(n * 6) + "';";
    default:
      return 'a'.repeat(n * 6);
  }
}

// ---------------------------------------------------------------------------------------------
// Comparing diagnostics

/** A diagnostic as text, with the random salt of a SCRAM verifier in a fix made the same. */
const canonical = (ds: Diagnostic[]) => ds.map((d) => JSON.stringify(d).replace(/SCRAM-SHA-256\$[^'"\s\\]+/g, 'SCRAM-SHA-256$…')).sort();

function inside(text: string, r: Range): boolean {
  const doc = TextDocument.create('x:', 'x', 0, text);
  const ok = (p: { line: number; character: number }) => p.line >= 0 && p.character >= 0 && p.line < doc.lineCount;
  return ok(r.start) && ok(r.end) && doc.offsetAt(r.start) <= doc.offsetAt(r.end);
}

/**
 * The server's pg-hardening/memoryUsage answers process.memoryUsage() after a full GC. heapUsed
 * includes the machine code V8 compiles as functions get hot (and its deoptimization data), which
 * grows for the first few thousand operations of any long-running process and is no leak: measured
 * here, with the default flags a 1,500-operation session grows the heap by ~24% from operation 150
 * to the end, 1 MB of it in the code space alone and most of the rest in optimization metadata, and
 * with --no-opt (no TurboFan) by ~4%. So the short session runs the server with --no-opt, where the
 * heap is the server's data; the long one (first pass: 1,000 operations, enough for the JIT to settle)
 * runs it as shipped. A small preload (written to a temporary file) adds the code space to the answer,
 * for the report.
 */
function codeSpacePreload(): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pgh-memory-')), 'code-space.cjs');
  fs.writeFileSync(
    file,
    [
      "'use strict';",
      "const v8 = require('node:v8');",
      'const original = process.memoryUsage;',
      'process.memoryUsage = Object.assign(function memoryUsage() {',
      "  const code = v8.getHeapSpaceStatistics().filter((s) => s.space_name.startsWith('code_')).reduce((n, s) => n + s.space_used_size, 0);",
      '  return { ...original(), codeSpace: code };',
      '}, { rss: original.rss });',
    ].join('\n') + '\n',
  );
  return file;
}

type Memory = NodeJS.MemoryUsage & { codeSpace: number };
async function heap(client: TestClient): Promise<Memory> {
  return client.request<Memory>('pg-hardening/memoryUsage', {}, REQUEST_TIMEOUT_MS);
}
const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

// ---------------------------------------------------------------------------------------------
// Operations: plain data, so that a failing session can be written out and played again
// (PG_HARDEN_SESSION_REPLAY=<journal.json>), or cut down to the few operations that matter.

type Change = { range: Range; text: string } | { text: string };
type Op =
  | { k: 'open'; f: string; text: string }
  | { k: 'change'; f: string; changes: Change[]; what: string }
  | { k: 'save'; f: string }
  | { k: 'close'; f: string }
  /** Rename on disk; an open editor follows the file to its new name, unsaved edits and all. */
  | { k: 'rename'; f: string; to: string }
  /** Delete on disk; an open editor either closes or keeps the text (as a deleted file). */
  | { k: 'delete'; f: string; close: boolean }
  | { k: 'create'; from: string; to: string }
  /** Another program writes a file. */
  | { k: 'disk'; f: string; base64: string }
  | { k: 'settings'; settings: Record<string, unknown> }
  /** .pg-hardening.json written (null: removed). */
  | { k: 'project'; f: string; text: string | null }
  | { k: 'request'; f: string; method: string; params: Record<string, unknown>; check?: 'edits-inside' | 'one-fix-all' };

/** One line about an operation, for failure reports. */
function describe(op: Op): string {
  const { k, ...rest } = op;
  return `${k} ${JSON.stringify(rest, (_, v) => (typeof v === 'string' && v.length > 60 ? `${v.slice(0, 40)}…(${v.length})` : v))}`.slice(0, 300);
}
const filesOf = (op: Op) => ['f' in op ? op.f : '', 'to' in op ? op.to : '', 'from' in op ? op.from : ''].filter(Boolean);

test('the guard preload reports sockets and processes, in the main thread and in workers', () => {
  const script = [
    "const net = require('node:net'), cp = require('node:child_process'), { Worker } = require('node:worker_threads');",
    "net.connect(9, '127.0.0.1').on('error', () => {});",
    "cp.spawnSync(process.execPath, ['-e', '0']);",
    "require('node:http').get('http://127.0.0.1:9/').on('error', () => {});",
    "new Worker(\"require('node:child_process').execFileSync(process.execPath, ['-e', '0'])\", { eval: true, execArgv: [] });",
  ].join('\n');
  const r = spawnSync(process.execPath, ['--require', GUARD, '-e', script], { encoding: 'utf8', timeout: 20_000 });
  const lines = r.stderr.split('\n');
  assert.ok(lines.includes('GUARD-ARMED'), r.stderr);
  for (const what of ['net.connect', 'child_process.spawnSync', 'http.get', 'GUARD-INFO: worker_threads.Worker', 'child_process.execFileSync [worker'])
    assert.ok(lines.some((l) => l.includes(what)), `no "${what}" in\n${r.stderr}`);
});

const REPLAY = process.env.PG_HARDEN_SESSION_REPLAY;
const replayed: Op[] | undefined = REPLAY ? JSON.parse(fs.readFileSync(REPLAY, 'utf8')) : undefined;
const N = replayed?.length ?? OPS;
const FIRST = replayed ? Math.floor(N / 10) : FIRST_PASS;

test(`a ${N}-operation protocol session (${REPLAY ? `replay of ${REPLAY}` : `seed ${SEED}`}): never dies, answers everything, keeps its memory, ends where a fresh server starts; no socket, no process`, { timeout: LONG ? 3_600_000 : 600_000 }, async (t) => {
  const started = Date.now();
  const dir = makeWorkspace();
  const abs = (f: string) => path.join(dir, f);
  const rel = (f: string) => path.relative(dir, f);
  const rand = rng(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const chance = (p: number) => rand() < p;

  /** The documents open in the "editor" (by path relative to the workspace), kept as the server keeps them. */
  const open = new Map<string, TextDocument>();
  /** Each file's original text, which a "restore" puts back (renamed and new files inherit it). */
  const seed = new Map<string, string>();
  for (const f of listFiles(dir)) seed.set(rel(f), fs.readFileSync(f, 'utf8'));
  const everOpened = new Set<string>();
  const files = () => checkedFiles(dir).map(rel);
  const counts: Record<string, number> = {};
  const count = (what: string) => void (counts[what] = (counts[what] ?? 0) + 1);
  const problems: string[] = [];
  const journal: Op[] = [];
  /** client.received.length when each operation started: in which operation a notification came. */
  const marks: number[] = [];

  const client = new TestClient(['--expose-gc', ...(LONG ? [] : ['--no-opt']), '--require', GUARD, '--require', codeSpacePreload()]);
  let exited: string | undefined;
  client.proc.on('exit', (code, signal) => (exited = `code ${code}, signal ${signal}`));
  client.settings = { postgresVersion: 17 };

  // Requests run alongside the notifications; each must be answered within REQUEST_TIMEOUT_MS.
  let outstanding: Promise<void>[] = [];
  let answered = 0;
  let slowest = 0;
  const drain = async () => {
    const all = outstanding;
    outstanding = [];
    await Promise.all(all);
  };
  const watched = (changes: [string, 1 | 2 | 3][]) =>
    client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: changes.map(([f, type]) => ({ uri: uriOf(abs(f)), type })) });
  const didOpen = (f: string, text: string) => {
    const doc = TextDocument.create(uriOf(abs(f)), LANGUAGE[kindOfFile(f)!], 1, text);
    open.set(f, doc);
    everOpened.add(f);
    return client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: doc.uri, languageId: doc.languageId, version: 1, text } });
  };
  const didClose = (f: string) => {
    open.delete(f);
    return client.conn.sendNotification('textDocument/didClose', { textDocument: { uri: uriOf(abs(f)) } });
  };

  /** Carries out an operation; one that no longer makes sense (a replay cut short) is skipped. */
  async function execute(op: Op): Promise<void> {
    const exists = (f: string) => fs.existsSync(abs(f));
    switch (op.k) {
      case 'open':
        if (open.has(op.f)) return;
        return didOpen(op.f, op.text);
      case 'change': {
        const doc = open.get(op.f);
        if (!doc) return;
        TextDocument.update(doc, op.changes, doc.version + 1);
        count(`edit:${op.what}`);
        return client.conn.sendNotification('textDocument/didChange', { textDocument: { uri: doc.uri, version: doc.version }, contentChanges: op.changes });
      }
      case 'save': {
        const doc = open.get(op.f);
        if (!doc) return;
        fs.writeFileSync(abs(op.f), doc.getText());
        await client.conn.sendNotification('textDocument/didSave', { textDocument: { uri: doc.uri } });
        return watched([[op.f, 2]]);
      }
      case 'close':
        if (open.has(op.f)) return didClose(op.f);
        return;
      case 'rename': {
        if (!exists(op.f) || exists(op.to)) return;
        const doc = open.get(op.f);
        if (doc) await didClose(op.f);
        fs.mkdirSync(path.dirname(abs(op.to)), { recursive: true });
        fs.renameSync(abs(op.f), abs(op.to));
        seed.set(op.to, seed.get(op.f) ?? '');
        await watched([[op.f, 3], [op.to, 1]]);
        if (doc) await didOpen(op.to, doc.getText());
        return;
      }
      case 'delete':
        if (!exists(op.f)) return;
        if (op.close && open.has(op.f)) await didClose(op.f);
        fs.rmSync(abs(op.f));
        return watched([[op.f, 3]]);
      case 'create':
        if (!exists(op.from) || exists(op.to)) return;
        fs.copyFileSync(abs(op.from), abs(op.to));
        seed.set(op.to, seed.get(op.from) ?? '');
        return watched([[op.to, 1]]);
      case 'disk':
        if (!exists(op.f)) return;
        fs.writeFileSync(abs(op.f), Buffer.from(op.base64, 'base64'));
        return watched([[op.f, 2]]);
      case 'settings':
        client.settings = op.settings;
        return client.conn.sendNotification('workspace/didChangeConfiguration', { settings: { 'pg-hardening': op.settings } });
      case 'project': {
        const existed = exists(op.f);
        if (op.text === null) {
          if (!existed) return;
          fs.rmSync(abs(op.f));
        } else fs.writeFileSync(abs(op.f), op.text);
        return watched([[op.f, op.text === null ? 3 : existed ? 2 : 1]]);
      }
      case 'request': {
        const doc = open.get(op.f);
        if (!doc) return;
        // Formatting answers from the text as it is when the request arrives: every edit lies in it.
        const snapshot = doc.getText();
        const sent = Date.now();
        count(op.method);
        outstanding.push(
          client.request(op.method, { ...op.params, textDocument: { uri: doc.uri } }, REQUEST_TIMEOUT_MS).then((answer) => {
            answered++;
            slowest = Math.max(slowest, Date.now() - sent);
            if (op.check === 'edits-inside') {
              const bad = ((answer ?? []) as TextEdit[]).filter((e) => !inside(snapshot, e.range));
              if (bad.length) problems.push(`${op.method} on ${op.f}: ${bad.length} edits outside the text, first at ${JSON.stringify(bad[0].range)}`);
            }
            if (op.check === 'one-fix-all' && ((answer ?? []) as CodeAction[]).length > 1) problems.push(`${op.method} on ${op.f}: more than one fix-all action`);
          }),
        );
        return;
      }
    }
  }

  // ---- The script: random operations drawn from a seeded generator, given the state so far.

  /** A new name of the same kind, in the same folder or (SQL) in another history; undefined when there is none. */
  const renamed = (f: string, tag: string): string | undefined => {
    const base = path.basename(f).replace(/^[rn]\d+[-.]/, '').replace(/^pg_hba-[rn]\d+/, 'pg_hba');
    let folder = path.dirname(f);
    if (base.endsWith('.sql') && chance(0.3)) folder = path.dirname(pick(files().filter((x) => x.endsWith('.sql'))));
    if (/^pg_hba.*\.conf$/.test(base)) return path.join(folder, base.replace(/^pg_hba/, `pg_hba-${tag}`));
    if (base === 'postgresql.conf') return path.join(folder, `${tag}.postgresql.conf`);
    if (base === 'pg_ident.conf') {
      const free = fs.readdirSync(abs('clusters')).map((c) => path.join('clusters', c, 'pg_ident.conf')).filter((x) => !fs.existsSync(abs(x)));
      return free.length ? pick(free) : undefined;
    }
    return path.join(folder, `${tag}-${base}`);
  };
  const randomRange = (doc: TextDocument, maxLength: number): Range => {
    const at = Math.floor(rand() * (doc.getText().length + 1));
    const end = Math.min(doc.getText().length, at + Math.floor(rand() * (maxLength + 1)));
    return { start: doc.positionAt(at), end: doc.positionAt(end) };
  };
  const randomPosition = (doc: TextDocument) => ({ line: Math.floor(rand() * (doc.lineCount + 1)), character: Math.floor(rand() * 60) });

  /** Documents given a huge line, and when: each goes back to its own text 20 operations later. */
  const huge = new Map<string, number>();

  /** An edit such as typing, deleting or pasting; now and then a whole new text. */
  const edit = (f: string, op: number): Op => {
    const doc = open.get(f)!;
    const kind = kindOfFile(f)!;
    const text = doc.getText();
    if (rand() < 0.93) {
      // One to three changes in one notification, each against the text the previous ones left.
      const scratch = TextDocument.create(doc.uri, doc.languageId, doc.version, text);
      const changes = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => {
        const piece = chance(0.7) ? pick(PIECES[kind]) : pick(COMMON);
        const e = rand();
        const c = e < 0.45 ? { range: randomRange(scratch, 0), text: piece } : e < 0.8 ? { range: randomRange(scratch, 20), text: '' } : { range: randomRange(scratch, 12), text: piece };
        TextDocument.update(scratch, [c], scratch.version + 1);
        return c;
      });
      return { k: 'change', f, changes, what: 'small' };
    }
    const whole = pick(['garbage', 'binary', 'crlf', 'cr', 'bom', 'huge', 'huge', 'restore', 'restore', 'other-kind', 'empty'] as const);
    const original = seed.get(f) ?? '';
    // New texts about as long as the file's own, so the session keeps about the same amount of text.
    const size = () => Math.max(50, Math.floor(original.length * (0.5 + rand())));
    if (whole === 'huge') huge.set(f, op);
    const next =
      whole === 'garbage' ? garbage(rand, size())
      : whole === 'binary' ? binaryish(rand, size()).toString('latin1')
      : whole === 'crlf' ? original.replace(/\r?\n/g, '\r\n')
      : whole === 'cr' ? original.replace(/\r?\n/g, '\r')
      : whole === 'bom' ? '\uFEFF' + original
      : whole === 'huge' ? original.slice(0, Math.floor(rand() * original.length)) + hugeLine(kind, rand) + '\n' + original
      : whole === 'other-kind' ? (seed.get(pick([...seed.keys()])) ?? '')
      : whole === 'empty' ? ''
      : original;
    return { k: 'change', f, changes: [{ text: next }], what: whole };
  };

  /** A request on an open document, at a random place or at one of its diagnostics. */
  const request = (f: string): Op => {
    const doc = open.get(f)!;
    // The script must not depend on the server's timing: draw the same random numbers whatever it published.
    const [atDiagnostic, which, somewhere, method, ranged, range, quickfixOnly] = [chance(0.6), rand(), randomPosition(doc), rand(), chance(0.5), randomRange(doc, 400), chance(0.5)];
    const diagnostics = client.latest().get(doc.uri) ?? [];
    const d = atDiagnostic && diagnostics.length ? diagnostics[Math.floor(which * diagnostics.length)] : undefined;
    const position = d ? d.range.start : somewhere;
    const kinds = ['hover', 'hover', 'codeAction', 'codeAction', 'fixAll', 'documentSymbol', 'formatting', 'completion'] as const;
    switch (kinds[Math.floor(method * kinds.length)]) {
      case 'hover':
        return { k: 'request', f, method: 'textDocument/hover', params: { position } };
      case 'codeAction':
        return { k: 'request', f, method: 'textDocument/codeAction', params: { range: d?.range ?? { start: position, end: position }, context: { diagnostics: d ? [d] : [], only: quickfixOnly ? ['quickfix'] : undefined } } };
      case 'fixAll':
        return { k: 'request', f, method: 'textDocument/codeAction', params: { range: { start: position, end: position }, context: { diagnostics: [], only: ['source.fixAll'] } }, check: 'one-fix-all' };
      case 'documentSymbol':
        return { k: 'request', f, method: 'textDocument/documentSymbol', params: {} };
      case 'completion':
        return { k: 'request', f, method: 'textDocument/completion', params: { position } };
      case 'formatting':
        return ranged
          ? { k: 'request', f, method: 'textDocument/rangeFormatting', params: { range, options: { tabSize: 4, insertSpaces: true } }, check: 'edits-inside' }
          : { k: 'request', f, method: 'textDocument/formatting', params: { options: { tabSize: 4, insertSpaces: true } }, check: 'edits-inside' };
    }
  };

  const settingsChange = (): Op => {
    const rules: Record<string, string> = {};
    for (let i = Math.floor(rand() * 5); i > 0; i--) rules[pick(RULE_IDS)] = pick(['error', 'warning', 'information', 'hint', 'off']);
    return {
      k: 'settings',
      settings: {
        postgresVersion: chance(0.1) ? null : 13 + Math.floor(rand() * 6),
        rules,
        ...(chance(0.15) ? { migrations: { globs: ['**/migrations/*.sql', 'scripts/*.sql'] } } : {}),
        ...(chance(0.15) ? { tenantColumns: ['tenant_id', 'owner_id'] } : {}),
      },
    };
  };

  /** .pg-hardening.json in a service folder: written, rewritten broken, or removed. */
  const projectConfig = (): Op => {
    const f = path.join(pick(['services/orders', 'services', 'clusters/billing']), '.pg-hardening.json');
    const r = rand();
    const [version, rule, severity, small] = [13 + Math.floor(rand() * 6), pick(RULE_IDS), pick(['off', 'error']), chance(0.3)];
    if (fs.existsSync(abs(f)) && r < 0.35) return { k: 'project', f, text: null };
    return {
      k: 'project',
      f,
      text: r < 0.5 ? '{ "postgresVersion": 99, "rules": { "no-such-rule": "error" ' : JSON.stringify({ postgresVersion: version, rules: { [rule]: severity }, maxFileSize: small ? 20_000 : undefined }),
    };
  };

  /** The next operation, given what is open and on disk. */
  const next = (op: number): Op => {
    // A huge line lasts 20 operations, so the session keeps about the same amount of text.
    for (const [f, since] of huge)
      if (op - since >= 20) {
        huge.delete(f);
        if (open.has(f)) return { k: 'change', f, changes: [{ text: seed.get(f) ?? '' }], what: 'restore-huge' };
      }
    const all = files();
    const openFiles = [...open.keys()];
    const closed = all.filter((f) => !open.has(f));
    const neverOpened = all.filter((f) => !everOpened.has(f));
    // In the first pass, files never opened are opened first, so that all of them are by its end.
    const forced = op < FIRST && neverOpened.length > 0 && (chance(0.4) || neverOpened.length >= FIRST - op);
    const r = rand();
    const read = (f: string) => fs.readFileSync(abs(f), 'utf8');
    if (forced) {
      const f = pick(neverOpened);
      return { k: 'open', f, text: read(f) };
    }
    if (openFiles.length === 0 || (r < 0.14 && closed.length)) {
      const f = pick(closed);
      return { k: 'open', f, text: read(f) };
    }
    if (r < 0.5) return edit(pick(openFiles), op);
    if (r < 0.55) return { k: 'save', f: pick(openFiles) };
    if (r < 0.62) return { k: 'close', f: pick(openFiles) };
    if (r < 0.645) {
      const f = pick(all);
      const to = renamed(f, `r${op}`);
      if (to) {
        if (huge.has(f)) huge.set(to, huge.get(f)!), huge.delete(f);
        return { k: 'rename', f, to };
      }
    }
    if (r < 0.66 && all.length > 45) return { k: 'delete', f: pick(all), close: chance(0.5) };
    if (r < 0.68 && all.length < 58) {
      const from = pick(all);
      const to = renamed(from, `n${op}`);
      if (to) return { k: 'create', from, to };
    }
    if (r < 0.695) {
      const f = pick(all);
      const w = rand();
      const original = seed.get(f) ?? '';
      const bytes = w < 0.3 ? binaryish(rand, 200 + Math.floor(rand() * 2000)) : Buffer.from(w < 0.6 ? original.replace(/\r?\n/g, '\r\n') : original);
      return { k: 'disk', f, base64: bytes.toString('base64') };
    }
    if (r < 0.71) return settingsChange();
    if (r < 0.715) return projectConfig();
    return request(pick(openFiles));
  };

  // ---- The session.

  const memory: { at: number; heap: Memory }[] = [];
  const measure = async (at: number) => {
    await drain();
    await client.settle();
    const m = await heap(client);
    memory.push({ at, heap: m });
    const openChars = [...open.values()].reduce((n, d) => n + d.getText().length, 0);
    t.diagnostic(`after ${at} operations: ${open.size} open (${openChars} chars), ${files().length} files; heap ${mb(m.heapUsed)} (code ${mb(m.codeSpace)}), external ${mb(m.external)}, rss ${mb(m.rss)}`);
  };
  const writeJournal = () => {
    const file = path.join(os.tmpdir(), `pgh-session-${SEED}-${process.pid}.json`);
    fs.writeFileSync(file, JSON.stringify(journal));
    return file;
  };

  try {
    await client.initialize(uriOf(dir));
    for (let op = 0; op < N; op++) {
      if (op === FIRST) {
        // The first pass is over: every file has been opened once (the forced opens saw to it).
        if (!replayed) assert.deepEqual(files().filter((f) => !everOpened.has(f)), [], 'files the first pass did not open');
        await measure(op);
      } else if (op > FIRST && op % Math.floor(LONG ? N / 10 : N / 2) === 0) await measure(op);
      marks.push(client.received.length);
      const o = replayed ? replayed[op] : next(op);
      journal.push(o);
      count(o.k);
      await execute(o);
      if (outstanding.length >= 8 || op % 25 === 24) await drain();
      if (exited) assert.fail(`the server exited (${exited}) after operation ${op}: ${describe(o)}\n${client.stderr.slice(-3000)}\njournal: ${writeJournal()}`);
    }
    await measure(N);
    const [first, last] = [memory[0].heap, memory[memory.length - 1].heap];

    // A fresh server: the same files on disk, the same settings, the same documents open.
    const fresh = new TestClient();
    fresh.settings = client.settings;
    let differences: string[] = [];
    let compared = 0;
    try {
      await fresh.initialize(uriOf(dir));
      for (const doc of open.values())
        await fresh.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: doc.uri, languageId: doc.languageId, version: doc.version, text: doc.getText() } });
      // Every open document has been checked (SQL waits for its parser to load), then all is quiet.
      const deadline = Date.now() + 60_000;
      const unchecked = () => [...open].filter(([, d]) => !fresh.history(d.uri).some((p) => p.version === d.version)).map(([f]) => f);
      while (unchecked().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(unchecked(), [], 'open documents the fresh server never checked');
      await fresh.settle();
      const mine = client.latest();
      const theirs = fresh.latest();
      const uris = new Set([...mine.keys(), ...theirs.keys(), ...files().map((f) => uriOf(abs(f))), ...[...open.values()].map((d) => d.uri)]);
      compared = uris.size;
      const short = (s: string) => {
        const d = JSON.parse(s) as Diagnostic;
        return `${d.range.start.line}:${d.range.start.character} ${d.code} ${d.message.slice(0, 100)}`;
      };
      differences = [...uris]
        .filter((u) => JSON.stringify(canonical(mine.get(u) ?? [])) !== JSON.stringify(canonical(theirs.get(u) ?? [])))
        .map((u) => {
          const [a, b] = [canonical(mine.get(u) ?? []), canonical(theirs.get(u) ?? [])];
          const f = rel(new URL(u).pathname);
          return `${f}${open.has(f) ? ' (open)' : ''}${fs.existsSync(abs(f)) ? '' : ' (not on disk)'}: session only [${a.filter((x) => !b.includes(x)).map(short).join(' | ')}], fresh only [${b.filter((x) => !a.includes(x)).map(short).join(' | ')}]`;
        });
      assert.doesNotMatch(fresh.stderr, /unhandled|uncaught/i);
    } finally {
      await fresh.close();
    }

    // Every open document's last diagnostics are about its last text.
    const stale = [...open].filter(([, d]) => client.history(d.uri).at(-1)?.version !== d.version).map(([f, d]) => `${f} v${d.version}: last published for v${client.history(d.uri).at(-1)?.version}`);
    const logs = client.notifications.map((n) => (n.params as { message: string }).message);
    const failures = logs.filter((m) => /failed|error/i.test(m));
    const internal = [...client.latest()].flatMap(([u, ds]) => ds.filter((d) => d.code === 'internal-error').map((d) => `${rel(new URL(u).pathname)}: ${d.message}`));
    const guard = client.stderr.split('\n').filter((l) => l.startsWith('GUARD:'));

    if (differences.length || stale.length || problems.length || failures.length || internal.length) {
      t.diagnostic(`journal of the session (replay with PG_HARDEN_SESSION_REPLAY=<file>): ${writeJournal()}`);
      // What happened to each file that differs, and what the session server published for it.
      const opOf = (index: number) => marks.reduce((found, m, i) => (m <= index ? i : found), -1);
      for (const line of [...differences, ...stale]) {
        const f = line.split(/[: ]/)[0];
        journal.forEach((o, i) => filesOf(o).includes(f) && t.diagnostic(`  op ${i}: ${describe(o)}`));
        let previous = '';
        client.received.forEach((m, i) => {
          const p = m.params as { uri?: string; version?: number; diagnostics?: Diagnostic[] };
          if (m.method !== 'textDocument/publishDiagnostics' || p.uri !== uriOf(abs(f))) return;
          const now = `v${p.version} [${p.diagnostics!.map((d) => `${d.range.start.line}:${d.code}`).join(' ')}]`;
          if (now !== previous) t.diagnostic(`  published during op ${opOf(i)}: ${now}`);
          previous = now;
        });
      }
    }
    t.diagnostic(`operations: ${JSON.stringify(counts)}`);
    t.diagnostic(`${N} operations and ${answered} requests answered (slowest ${slowest} ms) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const growth = (a: number, b: number) => `${(((b - a) / a) * 100).toFixed(1)}%`;
    t.diagnostic(
      `heap after the first pass ${mb(first.heapUsed)}, at the end ${mb(last.heapUsed)} (${growth(first.heapUsed, last.heapUsed)}); ` +
        `of which compiled code ${mb(first.codeSpace)} → ${mb(last.codeSpace)}, the rest ${mb(first.heapUsed - first.codeSpace)} → ${mb(last.heapUsed - last.codeSpace)} (${growth(first.heapUsed - first.codeSpace, last.heapUsed - last.codeSpace)}); ` +
        `external ${mb(first.external)} → ${mb(last.external)}; rss ${mb(first.rss)} → ${mb(last.rss)}`,
    );
    t.diagnostic(`${compared} files compared with a fresh server, ${differences.length} differ; ${logs.length} log messages, ${failures.length} about failures; ${internal.length} internal errors`);

    assert.match(client.stderr, /^GUARD-ARMED$/m, 'the guard was loaded');
    // All at once, so that one failure does not hide the others.
    const unique = (xs: string[]) => [...new Set(xs)];
    assert.deepEqual(
      {
        exited,
        guard,
        unhandled: client.stderr.split('\n').filter((l) => /unhandled|uncaught/i.test(l)),
        wrongAnswers: problems,
        loggedFailures: unique(failures.map((m) => m.replace(dir, '<workspace>'))),
        internalErrors: internal,
        heapGrowth: last.heapUsed <= first.heapUsed * 1.2 ? 'within 20%' : `from ${mb(first.heapUsed)} after the first pass to ${mb(last.heapUsed)} at the end`,
        staleVersions: stale,
        differentFromAFreshServer: differences,
      },
      { exited: undefined, guard: [], unhandled: [], wrongAnswers: [], loggedFailures: [], internalErrors: [], heapGrowth: 'within 20%', staleVersions: [], differentFromAFreshServer: [] },
    );
  } finally {
    await drain().catch(() => undefined);
    await client.close();
  }
});

// ---------------------------------------------------------------------------------------------
// What the session found, each cut down to the few operations that show it.

/** A workspace with the given files, a server on it, and a way to open files. */
async function small(files: Record<string, string>) {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pgh-session-min-')));
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  const client = new TestClient();
  await client.initialize(uriOf(dir));
  const uri = (f: string) => uriOf(path.join(dir, f));
  const open = (f: string) =>
    client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(f), languageId: LANGUAGE[kindOfFile(f)!], version: 1, text: fs.readFileSync(path.join(dir, f), 'utf8') } });
  const codes = (f: string) => (client.latest().get(uri(f)) ?? []).map((d) => `${d.range.start.line}:${d.code}`);
  return { dir, client, uri, open, codes };
}

/** A broken .pg-hardening.json in `folder` shows its error; deleting `removed` (it, or its folder) takes the error away. */
async function configErrorGoesWithDeletion(folder: string, removed: string) {
  const file = (f: string) => (folder ? `${folder}/${f}` : f);
  const s = await small({ [file('.pg-hardening.json')]: '{ "postgresVersion": 99, ', [file('pg_hba.conf')]: 'local all all trust\n' });
  try {
    await s.open(file('pg_hba.conf'));
    await s.client.settle(1000);
    assert.deepEqual(s.codes(file('.pg-hardening.json')), ['0:config']);
    await s.client.conn.sendNotification('textDocument/didClose', { textDocument: { uri: s.uri(file('pg_hba.conf')) } });
    fs.rmSync(path.join(s.dir, removed), { recursive: true });
    await s.client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: s.uri(removed), type: 3 }] });
    await s.client.settle(1000);
    assert.deepEqual(s.codes(file('.pg-hardening.json')), [], 'the Problems view still shows an error for a file that is gone');
  } finally {
    await s.client.close();
  }
}

test('found by the session: deleting a broken .pg-hardening.json takes its error away', () => configErrorGoesWithDeletion('', '.pg-hardening.json'));

test('found in review: deleting the folder of a broken .pg-hardening.json (editors report the folder only) takes its error away', () =>
  configErrorGoesWithDeletion('sub', 'sub'));

test('found by the session: a file closed just after new settings put it in a migration history keeps no findings of its own', async () => {
  const s = await small({ 'scripts/a.sql': 'CREATE TABLE u (id int;\n' });
  try {
    await s.open('scripts/a.sql');
    await s.client.settle(1000);
    assert.deepEqual(s.codes('scripts/a.sql'), ['0:sql-syntax']);
    // scripts/ becomes a history, and the file is closed before the server rechecked it.
    s.client.settings = { postgresVersion: 17, migrations: { globs: ['scripts/*.sql'] } };
    await s.client.conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    await s.client.conn.sendNotification('textDocument/didClose', { textDocument: { uri: s.uri('scripts/a.sql') } });
    await s.client.settle(1000);
    // scripts/ is no history again: a closed file outside any history shows nothing (as on a fresh server).
    s.client.settings = { postgresVersion: 17 };
    await s.client.conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    await s.client.settle(1000);
    assert.deepEqual(s.codes('scripts/a.sql'), [], 'stale findings for a closed file that is in no history');
  } finally {
    await s.client.close();
  }
});

test('found by the session: SQL with a NUL byte ("\\0$5\\uFFFD") is checked without an internal error', async () => {
  const s = await small({ 'migrations/001_x.sql': '\0$5\uFFFD' });
  try {
    await s.open('migrations/001_x.sql');
    await s.client.waitForDiagnostics(s.uri('migrations/001_x.sql'));
    await s.client.settle(1000);
    const logs = s.client.notifications.map((n) => (n.params as { message: string }).message).filter((m) => /failed/.test(m));
    assert.deepEqual({ diagnostics: s.codes('migrations/001_x.sql').filter((c) => c.endsWith('internal-error')), logs }, { diagnostics: [], logs: [] });
  } finally {
    await s.client.close();
  }
});
