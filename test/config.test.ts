// Project settings: .pg-hardening.json and the editor's settings pick migration histories, tenant
// columns and rule severities, the same way for the CLI and the language server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv from 'ajv';
import { RULES } from '../server/src/rules';
import { DEFAULT_CONFIG, engineConfig, parseProjectConfig } from '../server/src/engine/config';
import { historyFiles, historyRoot } from '../server/src/engine/sql/history';
import { nodeFileSystem } from '../server/src/engine/node-fs';
import type { FileSystem } from '../server/src/engine/types';
import { TestClient } from './support/lsp-client';

const ROOT = path.join(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const IDS = RULES.map((r) => r.id);
const cli = (args: string[], cwd: string) => spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 30_000 });

function tree(files: Record<string, string>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pgh-config-')));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const ENABLE = 'CREATE TABLE t (id int, tenant_id int);\nALTER TABLE t ENABLE ROW LEVEL SECURITY;\n';
const POLICY = "CREATE POLICY p ON t USING (tenant_id = 1) WITH CHECK (tenant_id = 1);\n";

test('default globs: the folders migration tools use, Prisma and Flyway', () => {
  const dir = tree({
    'supabase/migrations/20240101000000_init.sql': '',
    'db/migrate/001.sql': '',
    'prisma/migrations/20240101_init/migration.sql': '',
    'prisma/migrations/20240202_more/migration.sql': '',
    'src/main/resources/db/migration/V1__init.sql': '',
    'src/main/resources/db/migration/V1_10__later.sql': '',
    'src/main/resources/db/migration/V1_2__early.sql': '',
    'flyway/V2__x.sql': '',
    'scratch/query.sql': '',
  });
  const p = (f: string) => path.join(dir, f);
  assert.equal(historyRoot(p('supabase/migrations/20240101000000_init.sql')), p('supabase/migrations'));
  assert.equal(historyRoot(p('db/migrate/001.sql')), p('db/migrate'));
  assert.equal(historyRoot(p('prisma/migrations/20240101_init/migration.sql')), p('prisma/migrations'));
  assert.equal(historyRoot(p('flyway/V2__x.sql')), p('flyway'));
  assert.equal(historyRoot(p('scratch/query.sql')), undefined, 'a loose file is a history of its own');
  assert.deepEqual(historyFiles(p('prisma/migrations/20240202_more/migration.sql'), nodeFileSystem), [
    p('prisma/migrations/20240101_init/migration.sql'),
    p('prisma/migrations/20240202_more/migration.sql'),
  ]);
  assert.deepEqual(
    historyFiles(p('src/main/resources/db/migration/V1__init.sql'), nodeFileSystem).map((f) => path.basename(f)),
    ['V1__init.sql', 'V1_2__early.sql', 'V1_10__later.sql'],
    'Flyway versions compare numerically',
  );
});

test('a history follows its folder from one call to the next: files added, removed, other settings', () => {
  const dir = tree({ 'migrations/2_b.sql': '', 'migrations/10_c.sql': '' });
  const p = (f: string) => path.join(dir, 'migrations', f);
  const names = ['2_b.sql', '10_c.sql'];
  const listed: FileSystem = { readFile: () => ({ code: 'ENOENT' }), readDir: () => [...names] };
  assert.deepEqual(historyFiles(p('2_b.sql'), listed), [p('2_b.sql'), p('10_c.sql')]);
  names.push('1_a.sql');
  assert.deepEqual(historyFiles(p('2_b.sql'), listed), [p('1_a.sql'), p('2_b.sql'), p('10_c.sql')], 'a new file joins in order');
  names.splice(names.indexOf('10_c.sql'), 1);
  assert.deepEqual(historyFiles(p('2_b.sql'), listed), [p('1_a.sql'), p('2_b.sql')], 'a deleted file leaves');
  // A file being written that is not listed yet still belongs to its own history.
  assert.deepEqual(historyFiles(p('3_new.sql'), listed), [p('1_a.sql'), p('2_b.sql'), p('3_new.sql')]);
  assert.deepEqual(historyFiles(p('2_b.sql'), listed), [p('1_a.sql'), p('2_b.sql')], 'and is not kept for the next');
  const onlyB = engineConfig(dir, { migrations: { globs: ['migrations/2_*.sql'] } });
  assert.deepEqual(historyFiles(p('2_b.sql'), listed, onlyB), [p('2_b.sql')], 'other settings pick again');
});

test('custom globs: relative to the project root; each folder the wildcards hang from is one history', () => {
  const dir = tree({ 'database/changes/a/1.sql': '', 'database/changes/b/2.sql': '', 'database/changes/c.sql': '', 'migrations/x.sql': '' });
  const p = (f: string) => path.join(dir, f);
  const config = engineConfig(dir, { migrations: { globs: ['database/changes/*/*.sql'] } });
  assert.equal(historyRoot(p('database/changes/a/1.sql'), config), p('database/changes'));
  assert.deepEqual(historyFiles(p('database/changes/b/2.sql'), nodeFileSystem, config), [p('database/changes/a/1.sql'), p('database/changes/b/2.sql')]);
  assert.equal(historyRoot(p('database/changes/c.sql'), config), undefined, 'not picked by the glob');
  assert.equal(historyRoot(p('migrations/x.sql'), config), undefined, 'custom globs replace the defaults');
  const perFolder = engineConfig(dir, { migrations: { globs: ['database/**/*.sql'] } });
  assert.equal(historyRoot(p('database/changes/a/1.sql'), perFolder), p('database/changes/a'));
  assert.equal(historyRoot(p('database/changes/c.sql'), perFolder), p('database/changes'));
});

test('.pg-hardening.json is validated with a message per problem, and agrees with its JSON schema', () => {
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', 'pg-hardening.schema.json'), 'utf8'));
  const validate = new Ajv().compile(schema);
  const samples: [unknown, string[]][] = [
    [{ postgresVersion: 16, rules: { 'hba-md5': 'off', 'sql-grant-all': 'error' }, migrations: { globs: ['db/*.sql'] }, tenantColumns: ['customer_id'] }, []],
    [{ $schema: './schemas/pg-hardening.schema.json' }, []],
    [{ rules: { 'hba-md6': 'off' } }, ['rules.hba-md6: no such rule']],
    [{ rules: { 'hba-md5': 'fatal' } }, ['rules.hba-md5: must be one of error, warning, information, hint, off']],
    [{ postgresVersion: 12 }, ['postgresVersion: must be one of 13, 14, 15, 16, 17, 18']],
    [{ tenantColumns: 'tenant_id' }, ['tenantColumns: must be a list of non-empty strings']],
    [{ migrations: { glob: ['x'] } }, ['migrations: must be an object with "globs"']],
    [{ tenantColumn: ['x'] }, ['tenantColumn: unknown setting (known: postgresVersion, rules, migrations, tenantColumns, maxFileSize)']],
    [{ maxFileSize: 1_000_000 }, []],
    [{ maxFileSize: 10.5 }, ['maxFileSize: must be a whole number of bytes, at least 1024']],
    [[1], ['the file must hold a JSON object']],
  ];
  for (const [sample, errors] of samples) {
    assert.deepEqual(parseProjectConfig(JSON.stringify(sample), IDS).errors, errors, JSON.stringify(sample));
    assert.equal(validate(sample), errors.length === 0, `schema and validator agree on ${JSON.stringify(sample)}`);
  }
  assert.match(parseProjectConfig('{ "rules": ', IDS).errors[0], /^not valid JSON: /);
  assert.deepEqual(parseProjectConfig('\uFEFF{}', IDS).errors, [], 'a BOM is fine');
});

test('CLI: .pg-hardening.json switches rules off, changes severities, names tenant columns and globs', () => {
  const dir = tree({
    'changes/001.sql': 'CREATE TABLE orders (id int, customer_id int);\nCREATE TABLE notes (id int, tenant_id int);\n',
    'changes/002.sql': 'GRANT ALL ON orders TO app;\n',
  });
  const json = (cwd: string, ...args: string[]) => {
    const r = cli(['check', '.', '--format', 'json', ...args], cwd);
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    return (JSON.parse(r.stdout).diagnostics as { file: string; rule: string; severity: string; line: number }[]).map((d) => `${d.file}:${d.line}:${d.rule}:${d.severity}`);
  };
  assert.deepEqual(json(dir), ['changes/001.sql:2:sql-tenant-table-without-rls:warning', 'changes/002.sql:1:sql-grant-all:information']);

  fs.writeFileSync(
    path.join(dir, '.pg-hardening.json'),
    JSON.stringify({ rules: { 'sql-grant-all': 'error' }, tenantColumns: ['customer_id'], migrations: { globs: ['changes/*.sql'] } }),
  );
  assert.deepEqual(json(dir), ['changes/001.sql:1:sql-tenant-table-without-rls:warning', 'changes/002.sql:1:sql-grant-all:error']);
  // Found from a subfolder too, with globs still relative to the settings file.
  assert.deepEqual(json(path.join(dir, 'changes')), ['001.sql:1:sql-tenant-table-without-rls:warning', '002.sql:1:sql-grant-all:error']);

  fs.writeFileSync(path.join(dir, 'other.json'), JSON.stringify({ rules: { 'sql-grant-all': 'off', 'sql-tenant-table-without-rls': 'off' } }));
  assert.deepEqual(json(dir, '--config', 'other.json'), []);

  fs.writeFileSync(path.join(dir, '.pg-hardening.json'), JSON.stringify({ rules: { 'sql-grant-everything': 'off' } }));
  const bad = cli(['check', '.'], dir);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /\.pg-hardening\.json: rules\.sql-grant-everything: no such rule/);
});

test('CLI: a custom glob makes a cross-file history: FORCE in a later file clears the earlier ENABLE', () => {
  const dir = tree({ 'schema/changes/1.sql': ENABLE, 'schema/changes/2.sql': POLICY });
  const rules = () => {
    const r = cli(['check', '.', '--format', 'json'], dir);
    return (JSON.parse(r.stdout).diagnostics as { rule: string }[]).map((d) => d.rule);
  };
  assert.deepEqual(rules(), ['sql-rls-no-policy', 'sql-rls-not-forced'], 'without the glob, two loose files: the policy is not seen');
  fs.writeFileSync(path.join(dir, '.pg-hardening.json'), JSON.stringify({ migrations: { globs: ['schema/changes/*.sql'] } }));
  assert.deepEqual(rules(), ['sql-rls-not-forced']);
  fs.appendFileSync(path.join(dir, 'schema/changes/2.sql'), 'ALTER TABLE t FORCE ROW LEVEL SECURITY;\n');
  assert.deepEqual(rules(), []);
});

test('language server: settings file and editor settings apply without a restart', async () => {
  const dir = tree({ 'changes/1.sql': ENABLE, 'changes/2.sql': POLICY });
  const uri1 = pathToFileURL(path.join(dir, 'changes/1.sql')).href;
  const uri2 = pathToFileURL(path.join(dir, 'changes/2.sql')).href;
  const settingsUri = pathToFileURL(path.join(dir, '.pg-hardening.json')).href;
  const codes = (ds: { code?: unknown; severity?: number }[]) => ds.map((d) => `${d.code}/${d.severity}`).sort().join(',');
  const client = new TestClient();
  try {
    await client.initialize(pathToFileURL(dir).href);
    await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uri1, languageId: 'sql', version: 1, text: ENABLE } });
    await client.waitForDiagnostics(uri1, (d) => codes(d) === 'sql-rls-no-policy/3,sql-rls-not-forced/2');

    // The settings file turns the two files into one history: the table now has its policy.
    fs.writeFileSync(path.join(dir, '.pg-hardening.json'), JSON.stringify({ migrations: { globs: ['changes/*.sql'] } }));
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: settingsUri, type: 1 }] });
    await client.waitForDiagnostics(uri1, (d) => codes(d) === 'sql-rls-not-forced/2');
    await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uri2, languageId: 'sql', version: 1, text: POLICY } });
    await client.waitForDiagnostics(uri2, (d) => d.length === 0);

    // Editor settings win over the file.
    client.settings = { postgresVersion: 17, rules: { 'sql-rls-not-forced': 'error' } };
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    await client.waitForDiagnostics(uri1, (d) => codes(d) === 'sql-rls-not-forced/1');

    // A broken settings file is reported on it; its valid parts still apply.
    fs.writeFileSync(path.join(dir, '.pg-hardening.json'), '{ "rules": { "sql-nope": "off" } }');
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: settingsUri, type: 2 }] });
    const broken = await client.waitForDiagnostics(settingsUri, (d) => d.length > 0);
    assert.deepEqual(broken.map((d) => d.message), ['.pg-hardening.json: rules.sql-nope: no such rule']);
  } finally {
    await client.close();
  }
  assert.equal(DEFAULT_CONFIG.rules['sql-rls-not-forced'], undefined, 'defaults are never mutated');
});
