// The secrets the examples hold (a clear-text password, an MD5 hash, and a SCRAM verifier we add)
// appear in no CLI output: text, JSON, SARIF and GitLab reports, fix titles. What the language
// server sends is checked in lsp-trust.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scramVerifier } from '../server/src/engine/scram';
import { listFiles } from './support/expectations';

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

test('CLI: a password left unterminated (any quote, any dollar tag) is not repeated by the syntax error that reports it', () => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pgh-secrets-')));
  fs.writeFileSync(path.join(dir, '001_quoted.sql'), "CREATE ROLE app LOGIN PASSWORD 'unterminated-quoted-secret-17\n");
  fs.writeFileSync(path.join(dir, '002_dollar.sql'), 'CREATE ROLE ops LOGIN PASSWORD $p$unterminated-dollar-secret-21;\n');
  // A dollar tag may hold any letter; a double quote starts a name, which runs on just the same.
  fs.writeFileSync(path.join(dir, '003_tag.sql'), 'CREATE ROLE dba LOGIN PASSWORD $é$unterminated-unicode-secret-33;\n');
  fs.writeFileSync(path.join(dir, '004_ident.sql'), 'CREATE ROLE app2 LOGIN PASSWORD "unterminated-ident-secret-44\n');
  // Terminated, with a non-ASCII tag: the text output's code frame masks it.
  fs.writeFileSync(path.join(dir, '005_terminated.sql'), 'CREATE ROLE app3 LOGIN PASSWORD $é$terminated-unicode-secret-55$é$;\n');
  const secrets = ['unterminated-quoted-secret-17', 'unterminated-dollar-secret-21', 'unterminated-unicode-secret-33', 'unterminated-ident-secret-44', 'terminated-unicode-secret-55'];
  for (const format of ['text', 'json', 'sarif', 'gitlab']) {
    const r = spawnSync(process.execPath, [CLI, 'check', dir, '--format', format], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout.match(/unterminated (dollar-quoted string|quoted string|quoted identifier) at or near/g)?.length, 4, r.stdout);
    assert.match(r.stdout, /sql-plaintext-password/, 'the terminated password is found');
    assertClean(r.stdout + r.stderr, secrets, `--format ${format}`);
  }
});
