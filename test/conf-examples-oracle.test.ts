// The shipped postgresql.conf examples against real PostgreSQL: the hardened one passes the server's
// own configuration check and starts; the insecure one, after `pg-harden fix --unsafe`, does too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixFile } from '../server/src/engine/fix';
import { checkFile } from '../server/src/engine/check';
import { nodeFileSystem } from '../server/src/engine/node-fs';
import { withPostgres, type PgMajor } from './support/postgres';

const ROOT = path.join(__dirname, '..');
const opts = { pgVersion: 17, fs: nodeFileSystem };

/** A world-readable copy, since the server runs as an unprivileged user. */
function stage(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgh-conf-ex-'));
  fs.chmodSync(dir, 0o755);
  const file = path.join(dir, name);
  fs.writeFileSync(file, text, { mode: 0o644 });
  return file;
}

function fixedInsecure(): string {
  const file = path.join(ROOT, 'examples', 'insecure', 'postgresql.conf');
  const { text, applied } = fixFile(file, fs.readFileSync(file, 'utf8'), 'conf', opts, true);
  assert.ok(applied.length >= 16, `only ${applied.length} fixes applied`);
  const left = checkFile(file, text, 'conf', opts);
  assert.deepEqual(left.map((f) => `${f.range.start.line + 1}:${f.rule}`), [], 'fix --unsafe leaves findings');
  return text;
}

const examples = () => [
  { what: 'the hardened example', text: fs.readFileSync(path.join(ROOT, 'examples', 'hardened', 'postgresql.conf'), 'utf8') },
  { what: 'the insecure example after fix --unsafe', text: fixedInsecure() },
];

test('both examples pass the configuration check of PostgreSQL 14 to 18', { timeout: 240_000 }, async () => {
  for (const major of [14, 15, 16, 17, 18] as PgMajor[]) {
    await withPostgres(major, async (pg) => {
      for (const { what, text } of examples()) {
        const r = await pg.checkConf({ 'postgresql.conf': text }, 'ssl');
        assert.ok(r.ok, `PostgreSQL ${major} rejects ${what}:\n${r.messages.join('\n')}`);
        assert.equal(r.value, 'on');
      }
    });
  }
});

test('a real PostgreSQL 17 starts with each example and runs with its settings', { timeout: 120_000 }, async () => {
  for (const { what, text } of examples()) {
    const file = stage('postgresql.conf', text);
    try {
      // The harness's own settings come after the include: port, sockets, its throw-away certificate,
      // and shared_preload_libraries = '' because the pgaudit extension is not installed here.
      await withPostgres(
        17,
        async (pg) => {
          const show = async (name: string) => (await pg.query(`SHOW ${name}`)).rows[0][name];
          assert.equal(await show('ssl'), 'on', what);
          assert.equal(await show('password_encryption'), 'scram-sha-256', what);
          assert.equal(await show('ssl_min_protocol_version'), 'TLSv1.2', what);
          assert.equal(await show('log_connections'), 'on', what);
          assert.equal(await show('log_statement'), 'ddl', what);
          assert.equal(await show('unix_socket_permissions'), '0770', what);
          assert.equal(await show('work_mem'), '64MB', what);
        },
        { includeConfig: file, settings: { shared_preload_libraries: '' } },
      );
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  }
});
