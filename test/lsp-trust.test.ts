// Trust and secrets over the protocol, against the bundled server (dist/server.js).
//
// Untrusted workspace: postgresql.conf and pg_hba.conf reach files outside the workspace (absolute
// includes, include_dir, @file, PostgreSQL 16's include in pg_hba.conf, symbolic links inside the
// workspace leading out, a migration that is a link to a file outside). Each is reported as not read,
// and nothing the server sends (diagnostics with their fixes, hovers, code actions, symbols,
// completions, formatting, log messages, any other notification or request) holds a byte of what those
// files say. Trusted, the same workspace has the outside files read, and the diagnostics show it.
//
// Secrets: the examples' password literals (a clear-text password and an MD5 hash, found by reading
// the files) appear in no diagnostic message, hover, code action title or log message; code action
// edits may carry a SCRAM verifier computed from a password, never the password itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, Diagnostic, Hover, Position } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { kindOfFile } from '../server/src/engine/check';
import { listFiles } from './support/expectations';
import { TestClient } from './support/lsp-client';

const ROOT = path.join(__dirname, '..');
const LANGUAGE = { hba: 'pg-hba', ident: 'pg-ident', conf: 'pg-conf', sql: 'sql' } as const;
const uriOf = (file: string) => pathToFileURL(file).href;

function tempDir(prefix: string, files: Record<string, string> = {}): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/** Opens a file as an editor would, with its text from disk. */
async function openFile(client: TestClient, file: string): Promise<TextDocument> {
  const text = fs.readFileSync(file, 'utf8');
  const doc = TextDocument.create(uriOf(file), LANGUAGE[kindOfFile(file)!], 1, text);
  await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: doc.uri, languageId: doc.languageId, version: 1, text } });
  return doc;
}

/**
 * Every request an editor makes of an open document, at every diagnostic and on every line:
 * hover, quick fixes, fix-all, symbols, completion, formatting. Returns the answers, and which parts
 * of them a person reads (messages, hovers, titles) as opposed to edits.
 */
async function exercise(client: TestClient, doc: TextDocument): Promise<{ shown: string[]; edits: string[]; actions: CodeAction[] }> {
  const shown: string[] = [];
  const edits: string[] = [];
  const actions: CodeAction[] = [];
  const uri = doc.uri;
  const diagnostics = client.latest().get(uri) ?? [];
  const hover = async (position: Position) => {
    const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position }, 20_000);
    if (h) shown.push(JSON.stringify(h.contents));
  };
  for (const d of diagnostics) {
    shown.push(d.message, ...(d.relatedInformation ?? []).map((r) => r.message));
    for (const fix of (d.data as { fixes?: { title: string; edits: unknown[] }[] } | undefined)?.fixes ?? []) {
      shown.push(fix.title);
      edits.push(JSON.stringify(fix.edits));
    }
    await hover(d.range.start);
    await hover(d.range.end);
    const answer = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } }, 20_000);
    actions.push(...answer);
  }
  const lines = doc.getText().split(/\r\n|\r|\n/);
  for (let line = 0; line < lines.length; line++) {
    // Hover on every token of every line: a parameter's value, an option, a literal.
    for (const m of lines[line].matchAll(/\S+/g)) await hover({ line, character: m.index! + 1 });
    const completion = await client.request<unknown>('textDocument/completion', { textDocument: { uri }, position: { line, character: lines[line].length } }, 20_000);
    shown.push(JSON.stringify(completion ?? null));
  }
  const everything = { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } };
  actions.push(...(await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: everything, context: { diagnostics, only: ['source.fixAll'] } }, 20_000)));
  shown.push(JSON.stringify(await client.request('textDocument/documentSymbol', { textDocument: { uri } }, 20_000)));
  edits.push(JSON.stringify(await client.request('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 4, insertSpaces: true } }, 20_000)));
  for (const a of actions) {
    shown.push(a.title, a.command?.title ?? '', JSON.stringify(a.command?.arguments ?? []));
    edits.push(JSON.stringify(a.edit ?? {}));
  }
  return { shown, edits, actions };
}

/** Everything the server sent, as text: notifications (diagnostics, logs, …), its requests, and stderr. */
const allSent = (client: TestClient) => JSON.stringify(client.received) + '\n' + client.stderr;

// ---------------------------------------------------------------------------------------------
// Trust

const SHADOW_SECRET = '$6$SECRETHASH.Qw8fT2xLk$9vXcZ7pR4mN1bV6yH3gJ0sD5aF8eW2qU7iO4lK1jM9nB6vC3xZ0';
/** Each outside file holds a marker of its own: finding one in what the server sent says which file leaked. */
const OUTSIDE = {
  shadow: { name: 'shadow', text: `root:${SHADOW_SECRET}:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n`, marker: 'SECRETHASH' },
  conf: { name: 'secret.conf', text: "ssl = off\nsecret_token = 'OUTSIDE-CONF-TOKEN-7d1f'\n", marker: 'OUTSIDE-CONF-TOKEN' },
  confDir: { name: 'confdir/10-extra.conf', text: "listen_addresses = '*'\nsecret_dir_token = 'OUTSIDE-CONFDIR-TOKEN-3a9c'\n", marker: 'OUTSIDE-CONFDIR-TOKEN' },
  users: { name: 'users.txt', text: 'outside_user_marker_91\n', marker: 'outside_user_marker' },
  hba: { name: 'hba-extra.conf', text: 'host all outside_role_marker_55 0.0.0.0/0 trust\n', marker: 'outside_role_marker' },
  hbaDir: { name: 'hbadir/10-extra.conf', text: 'host all outside_hbadir_marker_66 0.0.0.0/0 trust\n', marker: 'outside_hbadir_marker' },
  sql: { name: 'secret.sql', text: "CREATE ROLE outside_sql_marker LOGIN SUPERUSER PASSWORD 'OUTSIDE-SQL-PASSWORD-c0ffee';\n", marker: 'outside_sql_marker' },
};
const MARKERS = [...Object.values(OUTSIDE).map((o) => o.marker), SHADOW_SECRET, 'OUTSIDE-SQL-PASSWORD'];

/**
 * A workspace whose files reach outside it in every way PostgreSQL allows. Returns the workspace,
 * the outside folder, and the line (0-based) of each reference in the two configuration files.
 */
function trustWorkspace() {
  const outside = tempDir('pgh-outside-', Object.fromEntries(Object.values(OUTSIDE).map((o) => [o.name, o.text])));
  const conf = [
    'ssl = on',
    `include '${outside}/shadow'`,
    `include '${outside}/secret.conf'`,
    "include 'link.conf'",
    `include_dir '${outside}/confdir'`,
    "include_dir 'linkdir'",
    `include_if_exists '${outside}/secret.conf'`,
  ];
  const hba = [
    'local   all  postgres  peer',
    `host    all  @${outside}/users.txt  10.0.0.0/8  scram-sha-256`,
    'host    all  @linkusers.txt  10.0.0.0/8  scram-sha-256',
    `include ${outside}/hba-extra.conf`,
    'include hba-link.conf',
    `include_dir ${outside}/hbadir`,
    `include_if_exists ${outside}/hba-extra.conf`,
    'host    all  all  0.0.0.0/0  reject',
    'host    all  all  ::/0       reject',
  ];
  const ws = tempDir('pgh-untrusted-', {
    'postgresql.conf': conf.join('\n') + '\n',
    'pg_hba.conf': hba.join('\n') + '\n',
    'migrations/001_init.sql': 'CREATE TABLE t (id int);\n',
  });
  // Links inside the workspace that lead out of it.
  fs.symlinkSync(path.join(outside, 'secret.conf'), path.join(ws, 'link.conf'));
  fs.symlinkSync(path.join(outside, 'confdir'), path.join(ws, 'linkdir'));
  fs.symlinkSync(path.join(outside, 'users.txt'), path.join(ws, 'linkusers.txt'));
  fs.symlinkSync(path.join(outside, 'hba-extra.conf'), path.join(ws, 'hba-link.conf'));
  fs.symlinkSync(path.join(outside, 'secret.sql'), path.join(ws, 'migrations', '002_link.sql'));
  fs.symlinkSync(outside, path.join(ws, 'migrations', 'outside'));
  // include_if_exists too: PostgreSQL skips only a missing file (ENOENT), and this one is there.
  return { ws, outside, confLines: [1, 2, 3, 4, 5, 6], hbaLines: [1, 2, 3, 4, 5, 6] };
}

async function trustSession(trusted: boolean | undefined) {
  const { ws, outside, confLines, hbaLines } = trustWorkspace();
  const client = new TestClient();
  client.settings = { postgresVersion: 17 };
  await client.initialize(uriOf(ws), trusted === undefined ? undefined : { trusted });
  const docs: TextDocument[] = [];
  const shown: string[] = [];
  const edits: string[] = [];
  try {
    for (const f of ['postgresql.conf', 'pg_hba.conf', 'migrations/001_init.sql']) docs.push(await openFile(client, path.join(ws, f)));
    await client.settle();
    for (const doc of docs) {
      const r = await exercise(client, doc);
      shown.push(...r.shown);
      edits.push(...r.edits);
    }
    await client.settle(500);
    return { ws, outside, confLines, hbaLines, latest: client.latest(), sent: allSent(client), shown, edits, docs };
  } finally {
    await client.close();
  }
}

const outsideMessages = (ds: Diagnostic[] | undefined) => (ds ?? []).filter((d) => /outside the workspace/.test(d.message));

test('untrusted workspace: every reference outside it is reported as not read, and nothing of those files is ever sent', async () => {
  const s = await trustSession(false);
  const conf = s.latest.get(uriOf(path.join(s.ws, 'postgresql.conf')));
  const hba = s.latest.get(uriOf(path.join(s.ws, 'pg_hba.conf')));
  const lines = (ds: Diagnostic[]) => ds.map((d) => `${d.range.start.line}: ${d.message}`).join('\n');
  const reported = (ds: Diagnostic[] | undefined) => [...new Set(outsideMessages(ds).map((d) => d.range.start.line))].sort();
  assert.deepEqual(
    { 'postgresql.conf': reported(conf), 'pg_hba.conf': reported(hba) },
    { 'postgresql.conf': s.confLines, 'pg_hba.conf': s.hbaLines },
    `lines (0-based) whose reference outside the workspace is reported as such\npostgresql.conf:\n${lines(conf ?? [])}\npg_hba.conf:\n${lines(hba ?? [])}`,
  );
  // No diagnostics land in the outside files either: they were never read.
  const published = [...s.latest.keys()].filter((u) => u.startsWith(uriOf(s.outside)) && s.latest.get(u)!.length);
  assert.deepEqual(published, [], 'diagnostics published for files outside the workspace');
  for (const marker of MARKERS) {
    assert.ok(!s.sent.includes(marker), `the server sent "${marker}" from a file outside the workspace`);
    assert.ok(!s.shown.join('\n').includes(marker) && !s.edits.join('\n').includes(marker), `an answer holds "${marker}" from a file outside the workspace`);
  }
  assert.match(s.sent, /untrusted workspace/, 'the server says it runs untrusted');
});

for (const trusted of [true, undefined])
  test(`trusted workspace (${trusted === undefined ? 'no initializationOptions' : 'trusted: true'}): the files outside it are read`, async () => {
    const s = await trustSession(trusted);
    const conf = s.latest.get(uriOf(path.join(s.ws, 'postgresql.conf'))) ?? [];
    const hba = s.latest.get(uriOf(path.join(s.ws, 'pg_hba.conf'))) ?? [];
    assert.deepEqual(outsideMessages(conf), []);
    assert.deepEqual(outsideMessages(hba), []);
    // What only reading the outside files can find (reported at the outside path or at the link to it).
    const at = (...files: string[]) => files.flatMap((f) => (s.latest.get(uriOf(f)) ?? []).map((d) => d.code));
    const secretConf = at(path.join(s.outside, 'secret.conf'), path.join(s.ws, 'link.conf'));
    assert.ok(secretConf.includes('conf-ssl-off') && secretConf.includes('conf-unknown-parameter'), `secret.conf: ${secretConf}`);
    const confDir = at(path.join(s.outside, 'confdir', '10-extra.conf'), path.join(s.ws, 'linkdir', '10-extra.conf'));
    assert.ok(confDir.includes('conf-listen-all'), `confdir/10-extra.conf: ${confDir}`);
    const hbaExtra = at(path.join(s.outside, 'hba-extra.conf'), path.join(s.ws, 'hba-link.conf'));
    assert.ok(hbaExtra.includes('hba-trust'), `hba-extra.conf: ${hbaExtra}`);
    const hbaDir = at(path.join(s.outside, 'hbadir', '10-extra.conf'));
    assert.ok(hbaDir.includes('hba-trust'), `hbadir/10-extra.conf: ${hbaDir}`);
    assert.ok(s.sent.includes('secret_token'), 'the outside parameter is named in a diagnostic');
    // The shadow-like file is read (and is no configuration file), but its hash is never repeated.
    assert.ok(at(path.join(s.outside, 'shadow')).length > 0, 'the shadow-like file was read and reported');
    assert.ok(!s.sent.includes(SHADOW_SECRET) && !s.shown.join('\n').includes(SHADOW_SECRET), 'the shadow-like hash was repeated');
  });

// ---------------------------------------------------------------------------------------------
// Secrets

/** The password literals of a set of files: what follows PASSWORD, in quotes. */
function passwordsIn(files: string[]): string[] {
  const found = files.flatMap((f) => [...fs.readFileSync(f, 'utf8').matchAll(/PASSWORD\s+'([^']+)'/gi)].map((m) => m[1]));
  return [...new Set(found)];
}

test('the examples\' secrets appear in no diagnostic, hover, code action title, symbol, completion or log; edits never hold a clear-text password', async () => {
  const dir = tempDir('pgh-secrets-');
  fs.cpSync(path.join(ROOT, 'examples'), dir, { recursive: true });
  const files = listFiles(dir).filter((f) => kindOfFile(f));
  const secrets = passwordsIn(files.filter((f) => f.includes(`${path.sep}insecure${path.sep}`)));
  assert.ok(secrets.includes('hunter2-but-longer') && secrets.includes('md5a3556571e93b0d20722ba62be61e8c2d'), `secrets found: ${secrets.join(', ')}`);
  const clear = secrets.filter((s) => !/^(md5[0-9a-f]{32}|SCRAM-SHA-256\$)/.test(s));
  const client = new TestClient();
  try {
    await client.initialize(uriOf(dir));
    const docs: TextDocument[] = [];
    for (const f of files) docs.push(await openFile(client, f));
    await client.settle();
    const plaintext = [...client.latest().values()].flat().filter((d) => d.code === 'sql-plaintext-password' || d.code === 'sql-md5-password');
    assert.ok(plaintext.length >= 2, 'the example passwords are reported');
    const shown: string[] = [];
    const edits: string[] = [];
    let actions = 0;
    for (const doc of docs) {
      const r = await exercise(client, doc);
      shown.push(...r.shown);
      edits.push(...r.edits);
      actions += r.actions.length;
    }
    await client.settle(500);
    const logs = client.received.filter((m) => m.method !== 'textDocument/publishDiagnostics').map((m) => JSON.stringify(m.params));
    const messages = [...client.latest().values()].flat().map((d) => [d.message, ...(d.relatedInformation ?? []).map((r) => r.message)].join('\n'));
    for (const secret of secrets) {
      for (const [what, texts] of [
        ['a diagnostic message', messages],
        ['a hover, code action title, fix title, symbol or completion', shown],
        ['a log message or another notification', logs],
        ['stderr', [client.stderr]],
      ] as const)
        assert.deepEqual(texts.filter((x) => x.includes(secret)).map((x) => x.slice(0, 300)), [], `${what} holds the secret ${secret.slice(0, 6)}…`);
    }
    // Edits (code actions, fixes in diagnostics, formatting) may carry a verifier, never the password.
    const allEdits = edits.join('\n') + JSON.stringify(client.received);
    for (const secret of clear) assert.ok(!allEdits.includes(secret), `an edit holds the clear-text password ${secret.slice(0, 6)}…`);
    assert.ok(/SCRAM-SHA-256\$4096:/.test(allEdits), 'the plaintext-password fix offers a SCRAM verifier');
    assert.ok(actions > 50, `${actions} code actions`);
  } finally {
    await client.close();
  }
});

test('a password literal left unterminated is not repeated in the syntax error that reports it', async () => {
  const dir = tempDir('pgh-secrets-', {
    'migrations/001_quoted.sql': "CREATE ROLE app LOGIN PASSWORD 'unterminated-quoted-secret-17\n",
    'migrations/002_dollar.sql': 'CREATE ROLE ops LOGIN PASSWORD $p$unterminated-dollar-secret-21;\n',
  });
  const secrets = ['unterminated-quoted-secret-17', 'unterminated-dollar-secret-21'];
  const client = new TestClient();
  try {
    await client.initialize(uriOf(dir));
    const docs: TextDocument[] = [];
    for (const f of listFiles(dir)) docs.push(await openFile(client, f));
    await client.settle();
    for (const doc of docs) assert.ok((client.latest().get(doc.uri) ?? []).some((d) => d.code === 'sql-syntax'), `no sql-syntax finding for ${doc.uri}`);
    const shown: string[] = [];
    for (const doc of docs) shown.push(...(await exercise(client, doc)).shown);
    const messages = [...client.latest().values()].flat().map((d) => d.message);
    assert.deepEqual(
      messages.concat(shown).filter((m) => secrets.some((x) => m.includes(x))).map((m) => m.slice(0, 200)),
      [],
      'a message or answer repeats the password',
    );
  } finally {
    await client.close();
  }
});
