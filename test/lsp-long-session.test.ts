// A long scripted protocol session against the bundled server, with a fixed seed: open, edit,
// save, close, rename and delete on disk, create, settings changes, and requests in between, over
// 50 files of every kind. The server must answer everything, never die, keep its memory, and end
// with the same diagnostics as a fresh server started on the final files. The workload keeps about
// 50 files of about the same size throughout, so memory at the end compares with memory early on. A second session checks
// that the server opens no socket and starts no process.
// 1,500 operations in `npm test`; 10,000 with PG_HARDEN_FUZZ=long (`npm run fuzz`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver/node';
import { kindOfFile } from '../server/src/engine/check';
import { listFiles } from './support/expectations';
import { TestClient } from './support/lsp-client';
import { rng } from './support/random';

const ROOT = path.join(__dirname, '..');
const OPS = process.env.PG_HARDEN_FUZZ === 'long' ? 10_000 : 1500;
const LANGUAGE = { hba: 'pg-hba', ident: 'pg-ident', conf: 'pg-conf', sql: 'sql' } as const;
const GUARD = path.join(__dirname, 'support', 'guard-network.cjs');

/** 50 files of every kind from the examples and fixtures, in folders shaped as their tools expect. */
function workspace(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pgh-session-')));
  const sources = [...listFiles(path.join(ROOT, 'examples')), ...listFiles(path.join(ROOT, 'test', 'fixtures'))].filter((f) => kindOfFile(f)).sort();
  const picked = sources.filter((_, i) => i % Math.max(1, Math.floor(sources.length / 50)) === 0).slice(0, 50);
  for (const src of picked) {
    const rel = path.relative(ROOT, src).split(path.sep).slice(-3).join('/');
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.copyFileSync(src, path.join(dir, rel));
  }
  return dir;
}

const uriOf = (file: string) => pathToFileURL(file).href;
const canonical = (ds: Diagnostic[]) => ds.map((d) => JSON.stringify([d.range, d.code, d.severity, d.message])).sort();

async function memory(client: TestClient): Promise<number> {
  const m = (await client.conn.sendRequest('pg-hardening/memoryUsage')) as { heapUsed: number };
  return m.heapUsed;
}

test(`a ${OPS}-operation session: no crash, every request answered, memory kept, diagnostics equal a fresh server's`, { timeout: 900_000 }, async (t) => {
  const dir = workspace();
  const rand = rng(20261122);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const open = new Map<string, { version: number; text: string }>();
  const client = new TestClient(['--expose-gc']);
  const started = Date.now();
  let requests = 0;
  let firstPass = 0;
  try {
    await client.initialize(uriOf(dir));
    const files = () => listFiles(dir).filter((f) => kindOfFile(f));
    const didOpen = async (file: string) => {
      const text = fs.readFileSync(file, 'utf8');
      open.set(file, { version: 1, text });
      await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uriOf(file), languageId: LANGUAGE[kindOfFile(file)!], version: 1, text } });
    };
    const didClose = async (file: string) => {
      open.delete(file);
      await client.conn.sendNotification('textDocument/didClose', { textDocument: { uri: uriOf(file) } });
    };
    const watched = (changes: [string, 1 | 2 | 3][]) =>
      client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: changes.map(([f, type]) => ({ uri: uriOf(f), type })) });
    const pieces = ['\n', ' ', '#', ';', "'", '"', 'trust', 'md5', 'ssl = off\n', 'CREATE ROLE r SUPERUSER;\n', 'ALTER TABLE t FORCE ROW LEVEL SECURITY;\n', '\u00e9', '\r\n', '\0'];

    for (let op = 0; op < OPS; op++) {
      if (op === Math.max(Math.floor(OPS / 10), 500)) {
        // The first pass (a tenth of the session, at least 500 operations, so caches and the JIT have
        // warmed up): every file is opened now, and later memory is compared to this.
        for (const f of files()) if (!open.has(f)) await didOpen(f);
        await client.settle();
        firstPass = await memory(client);
        t.diagnostic(`first pass: ${open.size} open, ${[...open.values()].reduce((n, d) => n + d.text.length, 0)} chars, ${files().length} files, ${[...client.latest().values()].reduce((n, d) => n + d.length, 0)} diagnostics`);
      }
      const all = files();
      const r = rand();
      const openFiles = [...open.keys()];
      if (r < 0.2 || openFiles.length === 0) {
        const f = pick(all.filter((x) => !open.has(x)).concat(openFiles.length ? [] : all));
        if (f && !open.has(f)) await didOpen(f);
      } else if (r < 0.6) {
        const f = pick(openFiles);
        const doc = open.get(f)!;
        const at = Math.floor(rand() * (doc.text.length + 1));
        // Inserts and deletes of similar sizes, so the texts neither grow nor shrink over the session.
        doc.text = rand() < 0.5 ? doc.text.slice(0, at) + pick(pieces) + doc.text.slice(at) : doc.text.slice(0, at) + doc.text.slice(at + 1 + Math.floor(rand() * 24));
        doc.version++;
        await client.conn.sendNotification('textDocument/didChange', { textDocument: { uri: uriOf(f), version: doc.version }, contentChanges: [{ text: doc.text }] });
      } else if (r < 0.68) {
        const f = pick(openFiles);
        fs.writeFileSync(f, open.get(f)!.text);
        await client.conn.sendNotification('textDocument/didSave', { textDocument: { uri: uriOf(f) } });
        await watched([[f, 2]]);
      } else if (r < 0.76) {
        await didClose(pick(openFiles));
      } else if (r < 0.8) {
        const f = pick(all);
        if (open.has(f)) await didClose(f);
        const to = path.join(path.dirname(f), `r${op}-${path.basename(f)}`);
        fs.renameSync(f, to);
        await watched([[f, 3], [to, 1]]);
      } else if (r < 0.82 && all.length > 45) {
        const f = pick(all);
        if (open.has(f)) await didClose(f);
        fs.rmSync(f);
        await watched([[f, 3]]);
      } else if (r < 0.84 && all.length < 50) {
        const src = pick(all);
        const to = path.join(path.dirname(src), `n${op}-${path.basename(src)}`);
        fs.copyFileSync(src, to);
        await watched([[to, 1]]);
      } else if (r < 0.86) {
        client.settings = { postgresVersion: pick([13, 14, 15, 16, 17, 18]), rules: rand() < 0.5 ? {} : { 'hba-trust': 'off', 'sql-grant-all': 'error' } };
        await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
      } else {
        // Requests in between: each must be answered.
        const f = pick(openFiles);
        const uri = uriOf(f);
        const position = { line: Math.floor(rand() * 20), character: Math.floor(rand() * 10) };
        const range = { start: position, end: position };
        const method = pick(['textDocument/hover', 'textDocument/codeAction', 'textDocument/documentSymbol', 'textDocument/formatting', 'textDocument/completion']);
        const params = { textDocument: { uri }, position, range, context: { diagnostics: [], only: ['quickfix', 'source.fixAll.pg-hardening'] }, options: { tabSize: 2, insertSpaces: true } };
        const answer = client.conn.sendRequest(method, params);
        await Promise.race([answer, new Promise((_, reject) => setTimeout(() => reject(new Error(`${method} unanswered after 30 s`)), 30_000))]);
        requests++;
      }
      assert.equal(client.proc.exitCode, null, `the server exited after operation ${op}`);
    }
    await client.settle();
    const last = await memory(client);
    t.diagnostic(`end: ${open.size} open, ${[...open.values()].reduce((n, d) => n + d.text.length, 0)} chars, ${files().length} files, ${[...client.latest().values()].reduce((n, d) => n + d.length, 0)} diagnostics`);
    t.diagnostic(`${OPS} operations, ${requests} requests answered, in ${((Date.now() - started) / 1000).toFixed(0)} s; heap after the first pass ${(firstPass / 1e6).toFixed(1)} MB, at the end ${(last / 1e6).toFixed(1)} MB`);
    assert.ok(last <= firstPass * 1.2, `memory grew from ${firstPass} to ${last} bytes`);
    assert.doesNotMatch(client.stderr, /unhandled|uncaught/i);
    assert.ok(!client.notifications.some((n) => /unhandled|uncaught/i.test(JSON.stringify(n.params))), 'an unhandled error was logged');

    // A fresh server on the same files, the same settings and the same open documents.
    const fresh = new TestClient();
    fresh.settings = client.settings;
    try {
      await fresh.initialize(uriOf(dir));
      for (const [f, doc] of open)
        await fresh.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uriOf(f), languageId: LANGUAGE[kindOfFile(f)!], version: doc.version, text: doc.text } });
      await fresh.settle();
      const mine = client.latest();
      const theirs = fresh.latest();
      const uris = new Set([...mine.keys(), ...theirs.keys()].filter((u) => (mine.get(u)?.length ?? 0) + (theirs.get(u)?.length ?? 0) > 0));
      const differences = [...uris].filter((u) => JSON.stringify(canonical(mine.get(u) ?? [])) !== JSON.stringify(canonical(theirs.get(u) ?? [])));
      t.diagnostic(`${uris.size} files with diagnostics at the end`);
      assert.deepEqual(
        differences.map((u) => `${path.relative(dir, new URL(u).pathname)}: session ${mine.get(u)?.length ?? 0}, fresh ${theirs.get(u)?.length ?? 0}`),
        [],
      );
    } finally {
      await fresh.close();
    }
  } finally {
    await client.close();
  }
});

test('a full session opens no socket and starts no process', async () => {
  const dir = workspace();
  const client = new TestClient(['--require', GUARD]);
  try {
    await client.initialize(uriOf(dir));
    for (const f of listFiles(dir).filter((x) => kindOfFile(x))) {
      const uri = uriOf(f);
      const text = fs.readFileSync(f, 'utf8');
      await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: LANGUAGE[kindOfFile(f)!], version: 1, text } });
      const range = { start: { line: 0, character: 0 }, end: { line: 5, character: 0 } };
      await client.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics: [], only: ['source.fixAll.pg-hardening'] } });
      await client.conn.sendRequest('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
      await client.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 2 } });
    }
    client.settings = { postgresVersion: 16 };
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    await client.settle();
    assert.match(client.stderr, /GUARD: armed/, 'the guard was loaded');
    assert.deepEqual(client.stderr.split('\n').filter((l) => l.startsWith('GUARD: ') && l !== 'GUARD: armed'), []);
  } finally {
    await client.close();
  }
});
