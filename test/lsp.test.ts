// The bundled language server over the protocol: open, diagnose, fix, edit, fix all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, Diagnostic } from 'vscode-languageserver/node';
import { applyEdits } from '../server/src/engine/fix';
import { TestClient, editsFor } from './support/lsp-client';

const ROOT = path.join(__dirname, '..');
const codes = (ds: Diagnostic[]) => ds.map((d) => `${d.range.start.line + 1}:${d.code}`).sort();
const apply = (text: string, uri: string, action: CodeAction) =>
  applyEdits(text, editsFor(action.edit!, uri).map((e) => ({ ...e, file: '' })));

test('language server: diagnostics, quick fixes, edits and fix-all over the protocol', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgh-lsp-'));
  const file = path.join(dir, 'pg_hba.conf');
  const uri = pathToFileURL(file).href;
  let text = fs.readFileSync(path.join(ROOT, 'examples', 'insecure', 'pg_hba.conf'), 'utf8');
  fs.writeFileSync(file, text);
  const client = new TestClient();
  try {
    await client.initialize();
    await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'pg-hba', version: 1, text } });
    const first = await client.waitForDiagnostics(uri, (d) => d.length > 0);
    assert.equal(first.length, 15);
    assert.ok(codes(first).includes('9:hba-trust'));
    const trust = first.find((d) => d.code === 'hba-trust' && d.range.start.line === 8)!;
    assert.equal(trust.source, 'pg-hardening');
    assert.equal(trust.severity, 1);
    assert.match(trust.codeDescription!.href, /^file:.*docs\/rules\/hba-trust\.md$/);
    assert.ok(fs.existsSync(new URL(trust.codeDescription!.href)), 'the linked doc page exists next to the bundle');

    const actions = (await client.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: trust.range,
      context: { diagnostics: [trust], only: ['quickfix'] },
    })) as CodeAction[];
    const titles = actions.map((a) => a.title);
    assert.ok(titles.some((t) => t.startsWith('Require a password: use scram-sha-256')), titles.join('\n'));
    assert.ok(titles.includes('Show documentation for hba-trust'));
    const toScram = actions.find((a) => a.title.startsWith('Require a password'))!;
    assert.equal(toScram.kind, 'quickfix');
    assert.notEqual(toScram.isPreferred, true, 'manual fixes are never preferred');
    text = apply(text, uri, toScram);
    assert.match(text.split('\n')[8], /^host {4}all {13}all {13}127\.0\.0\.1\/32 {12}scram-sha-256$/);

    await client.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text }] });
    const second = await client.waitForDiagnostics(uri, (d) => d.length === 14);
    assert.ok(!codes(second).includes('9:hba-trust'));

    // An incremental edit: type a syntax error into line 7's method.
    await client.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 3 },
      contentChanges: [{ range: { start: { line: 6, character: 64 }, end: { line: 6, character: 69 } }, text: 'trusty' }],
    });
    const third = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'hba-syntax' && x.range.start.line === 6));
    assert.match(third.find((x) => x.range.start.line === 6)!.message, /^invalid authentication method "trusty"/);
    text = text.split('\n').map((l, i) => (i === 6 ? l.replace('trust', 'trusty') : l)).join('\n');

    const fixAll = (await client.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll.pg-hardening'] },
    })) as CodeAction[];
    assert.equal(fixAll.length, 1);
    const fixed = apply(text, uri, fixAll[0]);
    assert.ok(fixed.endsWith('host all all 0.0.0.0/0 reject\nhost all all ::/0 reject\n'));
    assert.equal(fixed.replace('host all all 0.0.0.0/0 reject\nhost all all ::/0 reject\n', ''), text, 'fix-all applies safe fixes only');

    // The server keeps serving after a request about a document it does not know.
    const none = await client.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri: 'file:///nowhere/pg_hba.conf' },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [] },
    });
    assert.deepEqual(none, []);

    // A version setting applies: include is a syntax error for PostgreSQL 15.
    const inc = pathToFileURL(path.join(dir, 'pg_hba_inc.conf')).href;
    client.settings = { postgresVersion: 15 };
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: inc, languageId: 'pg-hba', version: 1, text: 'include x.conf\n' } });
    const v15 = await client.waitForDiagnostics(inc, (d) => d.length > 0);
    assert.match(v15.find((d) => d.code === 'hba-syntax')!.message, /^invalid connection type "include"/);

    await client.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    assert.deepEqual(await client.waitForDiagnostics(uri, (d) => d.length === 0), []);
  } finally {
    await client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('language server: findings in an included file are published for that file, and cleared on close', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgh-lsp-inc-'));
  const main = path.join(dir, 'pg_hba.conf');
  const extra = path.join(dir, 'extra.conf');
  fs.writeFileSync(extra, 'hostssl all all 0.0.0.0/0 trust\n');
  const text = 'local all all peer\ninclude extra.conf\nhost all all 0.0.0.0/0 reject\nhost all all ::/0 reject\n';
  fs.writeFileSync(main, text);
  const mainUri = pathToFileURL(main).href;
  const extraUri = pathToFileURL(extra).href;
  const client = new TestClient();
  try {
    await client.initialize();
    await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: mainUri, languageId: 'pg-hba', version: 1, text } });
    const inExtra = await client.waitForDiagnostics(extraUri, (d) => d.length > 0);
    assert.deepEqual(codes(inExtra), ['1:hba-open-address', '1:hba-trust']);
    await client.conn.sendNotification('textDocument/didClose', { textDocument: { uri: mainUri } });
    assert.deepEqual(await client.waitForDiagnostics(extraUri, (d) => d.length === 0), []);
  } finally {
    await client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('language server: postgresql.conf hover, completion, symbols, and the pg_hba.conf beside it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgh-lsp-conf-'));
  const conf = path.join(dir, 'postgresql.conf');
  const hba = path.join(dir, 'pg_hba.conf');
  const confUri = pathToFileURL(conf).href;
  const hbaUri = pathToFileURL(hba).href;
  fs.writeFileSync(hba, 'local all all peer\nhostssl all all 10.0.0.0/8 scram-sha-256\nhost all all 0.0.0.0/0 reject\nhost all all ::/0 reject\n');
  let text = "ssl = off\nlog_connections = on\nwork_mem = '64MB'\n";
  fs.writeFileSync(conf, text);
  const client = new TestClient();
  try {
    await client.initialize();
    await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: confUri, languageId: 'pg-conf', version: 1, text } });
    const confDiags = await client.waitForDiagnostics(confUri, (d) => d.length > 0);
    assert.ok(codes(confDiags).includes('1:conf-ssl-off'));
    // The pg_hba.conf beside it is not open, and still gets its diagnostics.
    const hbaDiags = await client.waitForDiagnostics(hbaUri, (d) => d.some((x) => x.code === 'hba-hostssl-without-ssl'));
    assert.deepEqual(codes(hbaDiags), ['2:hba-hostssl-without-ssl']);

    const hover = (await client.conn.sendRequest('textDocument/hover', { textDocument: { uri: confUri }, position: { line: 2, character: 2 } })) as {
      contents: { value: string };
    };
    assert.match(hover.contents.value, /\*\*work_mem\*\* \(integer, unit kB\) — PostgreSQL 17/);
    assert.match(hover.contents.value, /Default: `4096`/);
    const sslHover = (await client.conn.sendRequest('textDocument/hover', { textDocument: { uri: confUri }, position: { line: 0, character: 1 } })) as {
      contents: { value: string };
    };
    assert.match(sslHover.contents.value, /\*\*Security\*\*[\s\S]*conf-ssl-off/);

    const names = (await client.conn.sendRequest('textDocument/completion', { textDocument: { uri: confUri }, position: { line: 3, character: 0 } })) as { label: string }[];
    assert.ok(names.some((c) => c.label === 'ssl_min_protocol_version') && names.length > 300, `${names.length} names`);
    text += 'ssl_min_protocol_version = ';
    await client.conn.sendNotification('textDocument/didChange', { textDocument: { uri: confUri, version: 2 }, contentChanges: [{ text }] });
    const values = (await client.conn.sendRequest('textDocument/completion', { textDocument: { uri: confUri }, position: { line: 3, character: 27 } })) as { label: string }[];
    assert.deepEqual(values.map((v) => v.label).sort(), ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);

    const symbols = (await client.conn.sendRequest('textDocument/documentSymbol', { textDocument: { uri: confUri } })) as { name: string }[];
    assert.deepEqual(symbols.map((s) => s.name), ['ssl', 'log_connections', 'work_mem']);

    // Turning ssl on in the editor clears the finding in the unopened pg_hba.conf.
    text = text.replace('ssl = off', 'ssl = on');
    await client.conn.sendNotification('textDocument/didChange', { textDocument: { uri: confUri, version: 3 }, contentChanges: [{ text }] });
    assert.deepEqual(await client.waitForDiagnostics(hbaUri, (d) => d.length === 0), []);
  } finally {
    await client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('language server: a SQL migration gets sql-syntax at the exact UTF-16 position', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgh-lsp-sql-'));
  const uri = pathToFileURL(path.join(dir, '001_init.sql')).href;
  const text = "CREATE TABLE t (id int, note text DEFAULT 'é😀');\nSELECT 'é😀' FROM t WHER id = 1;\n";
  const client = new TestClient();
  try {
    await client.initialize();
    await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text } });
    const diags = await client.waitForDiagnostics(uri, (d) => d.length > 0);
    assert.deepEqual(
      diags.map((d) => [d.code, d.range.start.line, d.range.start.character, d.message.split('.')[0]]),
      [['sql-syntax', 1, 25, 'syntax error at or near "id"']],
    );
  } finally {
    await client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('language server: changes that arrive together are checked once, at the last version', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgh-lsp-burst-'));
  const uri = pathToFileURL(path.join(dir, '001_init.sql')).href;
  const client = new TestClient();
  const published = () =>
    client.received.filter((m) => m.method === 'textDocument/publishDiagnostics' && (m.params as { uri: string }).uri === uri).map((m) => m.params as { version?: number; diagnostics: Diagnostic[] });
  try {
    await client.initialize();
    await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text: 'SELECT 1;\n' } });
    await client.waitForDiagnostics(uri);
    const before = published().length;
    // Ten changes in one write, as an editor sends them while a check runs; only the last has an error.
    const changes = Array.from({ length: 10 }, (_, i) => ({
      jsonrpc: '2.0',
      method: 'textDocument/didChange',
      params: { textDocument: { uri, version: i + 2 }, contentChanges: [{ text: i === 9 ? 'SELEC 1;\n' : `SELECT ${i};\n` }] },
    }));
    const wire = changes.map((m) => {
      const body = JSON.stringify(m);
      return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    });
    client.proc.stdin!.write(wire.join(''));
    const last = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'sql-syntax'));
    assert.equal(last[0].message.split('.')[0], 'syntax error at or near "SELEC"');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(
      published().slice(before).map((p) => p.version),
      [11],
      'one check, of the last version: the earlier changes were superseded before their checks ran',
    );
  } finally {
    await client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('language server: a migration history is checked at start, unopened files included, and follows edits', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgh-lsp-hist-'));
  const migrations = path.join(dir, 'db', 'migrations');
  fs.mkdirSync(migrations, { recursive: true });
  const first = path.join(migrations, '001_notes.sql');
  const second = path.join(migrations, '002_force.sql');
  fs.writeFileSync(first, "CREATE TABLE notes (id bigint, tenant_id bigint);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nCREATE POLICY t ON notes USING (tenant_id = 1) WITH CHECK (tenant_id = 1);\n");
  fs.writeFileSync(second, '-- later\n');
  const client = new TestClient();
  try {
    await client.initialize(pathToFileURL(dir).href);
    // Nothing is open: the scan publishes the history's findings.
    const atStart = await client.waitForDiagnostics(pathToFileURL(first).href, (d) => d.length > 0);
    assert.deepEqual(codes(atStart), ['2:sql-rls-not-forced']);
    // Typing FORCE into the later file clears the finding in the earlier, unopened one.
    const uri = pathToFileURL(second).href;
    await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text: '-- later\n' } });
    await client.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ text: '-- later\nALTER TABLE notes FORCE ROW LEVEL SECURITY;\n' }],
    });
    assert.deepEqual(await client.waitForDiagnostics(pathToFileURL(first).href, (d) => d.length === 0), []);
  } finally {
    await client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('language server: a migration deleted while open stays in its history until it closes (flat and Prisma folders)', async () => {
  for (const layout of ['flat', 'prisma']) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgh-lsp-deleted-'));
    const [a, b] =
      layout === 'flat'
        ? [path.join(dir, 'db', 'migrations', '001_a.sql'), path.join(dir, 'db', 'migrations', '002_b.sql')]
        : [path.join(dir, 'prisma', 'migrations', '20240101_a', 'migration.sql'), path.join(dir, 'prisma', 'migrations', '20240102_b', 'migration.sql')];
    const [ta, tb] = ['CREATE TABLE t (id int);\n', 'ALTER TABLE t DISABLE ROW LEVEL SECURITY;\n'];
    for (const [f, t] of [[a, ta], [b, tb]]) {
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, t);
    }
    const [ua, ub] = [pathToFileURL(a).href, pathToFileURL(b).href];
    const client = new TestClient();
    try {
      await client.initialize(pathToFileURL(dir).href);
      // A file: URI of another host stands for no path here: it must not break the checks of the others.
      await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: 'file://otherhost/share/x.sql', languageId: 'sql', version: 1, text: 'SELECT 1;\n' } });
      await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: ua, languageId: 'sql', version: 1, text: ta } });
      await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: ub, languageId: 'sql', version: 1, text: tb } });
      await client.waitForDiagnostics(ub, (d) => d.some((x) => x.code === 'sql-rls-disabled'));
      // Deleted on disk (its folder too, for Prisma) but still open: checking its neighbour keeps it.
      fs.rmSync(layout === 'flat' ? b : path.dirname(b), { recursive: true });
      await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: ub, type: 3 }] });
      await client.conn.sendNotification('textDocument/didChange', { textDocument: { uri: ua, version: 2 }, contentChanges: [{ text: `${ta}-- edited\n` }] });
      await client.waitForDiagnostics(ua, () => client.history(ua).some((p) => p.version === 2));
      await client.settle(500);
      assert.deepEqual(codes(client.latest().get(ub) ?? []), ['1:sql-rls-disabled'], layout);
      // Closed, it is gone from the history, and so are its findings.
      await client.conn.sendNotification('textDocument/didClose', { textDocument: { uri: ub } });
      assert.deepEqual(await client.waitForDiagnostics(ub, (d) => d.length === 0), [], layout);
    } finally {
      await client.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('language server: a conf file deleted while open, once closed, keeps nothing the including file reported', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgh-lsp-deleted-conf-'));
  fs.mkdirSync(path.join(dir, 'conf.d'));
  const [main, inc] = [path.join(dir, 'postgresql.conf'), path.join(dir, 'conf.d', '10-x.conf')];
  const [mainText, incText] = ["include_dir 'conf.d'\nssl = on\n", 'ssl = off\npassword_encryption = md5\n'];
  fs.writeFileSync(main, mainText);
  fs.writeFileSync(inc, incText);
  const [mu, iu] = [pathToFileURL(main).href, pathToFileURL(inc).href];
  const client = new TestClient();
  try {
    await client.initialize(pathToFileURL(dir).href);
    await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: mu, languageId: 'pg-conf', version: 1, text: mainText } });
    await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: iu, languageId: 'pg-conf', version: 1, text: incText } });
    await client.waitForDiagnostics(iu, (d) => d.some((x) => x.code === 'conf-password-encryption'));
    fs.rmSync(inc);
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: iu, type: 3 }] });
    await client.settle(500);
    await client.conn.sendNotification('textDocument/didClose', { textDocument: { uri: iu } });
    await client.settle(500);
    assert.deepEqual(client.latest().get(iu) ?? [], []);
  } finally {
    await client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('language server: hover explains findings and hba keywords; outline, formatting and suppression actions', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgh-lsp-editor-'));
  const file = path.join(dir, 'pg_hba.conf');
  const uri = pathToFileURL(file).href;
  const text = 'local all all peer\nhost all all 127.0.0.1/32 trust   # loopback\nhost  replication   all 10.0.0.0/8   scram-sha-256\n';
  fs.writeFileSync(file, text);
  const client = new TestClient();
  try {
    await client.initialize();
    await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'pg-hba', version: 1, text } });
    const diagnostics = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'hba-trust'));
    const trust = diagnostics.find((d) => d.code === 'hba-trust')!;

    const onTrust = (await client.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: trust.range.start })) as { contents: { value: string } };
    assert.match(onTrust.contents.value, /\*\*hba-trust\*\*: /, 'the finding is explained');
    assert.match(onTrust.contents.value, /\*\*trust\*\*: Allows the connection with no password/, 'and the keyword');
    const onPeer = (await client.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 15 } })) as { contents: { value: string } };
    assert.match(onPeer.contents.value, /^\*\*peer\*\*: Takes the client's operating-system user name/);

    const symbols = (await client.conn.sendRequest('textDocument/documentSymbol', { textDocument: { uri } })) as { name: string; detail: string }[];
    assert.deepEqual(symbols.map((s) => `${s.name} | ${s.detail}`), ['local all all | peer', 'host all all | 127.0.0.1/32 trust', 'host replication all | 10.0.0.0/8 scram-sha-256']);

    const edits = (await client.conn.sendRequest('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } })) as { range: unknown; newText: string }[];
    const formatted = applyEdits(text, edits.map((e) => ({ ...(e as { range: never; newText: string }), file: '' })));
    assert.equal(
      formatted,
      [
        'local  all          all                peer',
        'host   all          all  127.0.0.1/32  trust  # loopback',
        'host   replication  all  10.0.0.0/8    scram-sha-256',
        '',
      ].join('\n'),
    );
    const ranged = (await client.conn.sendRequest('textDocument/rangeFormatting', {
      textDocument: { uri },
      range: { start: { line: 2, character: 0 }, end: { line: 2, character: 5 } },
      options: { tabSize: 2, insertSpaces: true },
    })) as { range: { start: { line: number } } }[];
    assert.deepEqual(ranged.map((e) => e.range.start.line), [2], 'range formatting touches only the lines asked for');

    const actions = (await client.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: trust.range,
      context: { diagnostics: [trust], only: ['quickfix'] },
    })) as CodeAction[];
    const disable = actions.find((a) => a.title === 'Disable hba-trust for this line')!;
    assert.ok(actions.some((a) => a.title === 'Disable hba-trust for this file'));
    const suppressed = apply(text, uri, disable);
    assert.equal(suppressed.split('\n')[1], '# pg-harden-disable-next-line hba-trust -- reason');
    await client.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: suppressed }] });
    await client.waitForDiagnostics(uri, (d) => !d.some((x) => x.code === 'hba-trust'));
  } finally {
    await client.close();
  }
});
