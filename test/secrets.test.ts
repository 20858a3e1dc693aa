// The secrets the examples hold (a clear-text password, an MD5 hash, and a SCRAM verifier we add)
// appear in no output: CLI text, JSON, SARIF and GitLab reports, fix titles, and everything the
// language server sends (diagnostics, hover at each of them, code action titles, log messages).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, Diagnostic } from 'vscode-languageserver/node';
import { scramVerifier } from '../server/src/engine/scram';
import { listFiles } from './support/expectations';
import { TestClient } from './support/lsp-client';

const ROOT = path.join(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const VERIFIER = scramVerifier('another secret');

/** A copy of the insecure example, with a SCRAM verifier of our own added to the roles. */
function example(): { dir: string; secrets: string[] } {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pgh-secrets-')));
  fs.cpSync(path.join(ROOT, 'examples', 'insecure'), dir, { recursive: true });
  fs.appendFileSync(path.join(dir, 'migrations', '003_roles.sql'), `CREATE ROLE auditor SUPERUSER PASSWORD '${VERIFIER}';\n`);
  const secrets = listFiles(dir)
    .flatMap((f) => [...fs.readFileSync(f, 'utf8').matchAll(/PASSWORD\s+'([^']+)'/gi)].map((m) => m[1]))
    .filter((s) => s.length >= 8);
  // The verifier's keys are secrets in their own right, whatever surrounds them.
  secrets.push(...VERIFIER.split(/[$:]/).filter((p) => p.length >= 20));
  return { dir, secrets };
}

function assertClean(output: string, secrets: string[], what: string) {
  for (const s of secrets) assert.ok(!output.includes(s), `${what} contains the secret ${s.slice(0, 6)}…`);
}

test('CLI: no format, and no fix output, repeats a secret from the files', () => {
  const { dir, secrets } = example();
  assert.ok(secrets.length >= 4, `found only ${secrets.length} secrets`);
  for (const format of ['text', 'json', 'sarif', 'gitlab']) {
    const r = spawnSync(process.execPath, [CLI, 'check', dir, '--format', format], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /sql-plaintext-password/);
    assertClean(r.stdout + r.stderr, secrets, `--format ${format}`);
  }
  const fix = spawnSync(process.execPath, [CLI, 'fix', '--unsafe', dir], { encoding: 'utf8' });
  assertClean(fix.stdout + fix.stderr, secrets, 'fix --unsafe');
});

test('language server: diagnostics, hovers, code action titles and logs hold no secret', async () => {
  const { dir, secrets } = example();
  const client = new TestClient();
  try {
    await client.initialize(pathToFileURL(dir).href);
    const sent: string[] = [];
    for (const file of listFiles(dir)) {
      const uri = pathToFileURL(file).href;
      const languageId = file.endsWith('.sql') ? 'sql' : file.endsWith('pg_hba.conf') ? 'pg-hba' : 'pg-conf';
      const text = fs.readFileSync(file, 'utf8');
      await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
      const diagnostics: Diagnostic[] = await client.waitForDiagnostics(uri, (d) => d.length > 0);
      for (const d of diagnostics) {
        sent.push(d.message);
        sent.push(JSON.stringify(await client.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: d.range.start })));
        const actions = (await client.conn.sendRequest('textDocument/codeAction', {
          textDocument: { uri },
          range: d.range,
          context: { diagnostics: [d], only: ['quickfix'] },
        })) as CodeAction[];
        sent.push(...actions.map((a) => a.title));
        // An edit may carry a SCRAM verifier computed from a clear-text password, never the password itself.
        for (const a of actions) assertClean(JSON.stringify(a.edit ?? {}), secrets.filter((s) => !s.startsWith('SCRAM-SHA-256')), `the edit of "${a.title}"`);
      }
    }
    await client.settle();
    sent.push(...client.notifications.map((n) => JSON.stringify(n.params)));
    sent.push(client.stderr);
    assertClean(sent.join('\n'), secrets, 'what the server sent');
  } finally {
    await client.close();
  }
});
