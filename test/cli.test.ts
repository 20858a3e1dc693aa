// The CLI as a user runs it: the built bundle as a process, from the repository root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv-draft-04';
import { RULES } from '../server/src/rules';

const ROOT = path.join(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const run = (args: string[], cwd = ROOT) => spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 30_000 });

interface JsonOut {
  version: number;
  diagnostics: { file: string; line: number; column: number; endLine: number; endColumn: number; severity: string; rule: string; message: string; fixes: { title: string; safe: boolean }[] }[];
}

/** The insecure example's findings, by file and line: what a reviewer should see. */
const INSECURE_EXPECTED: [string, number, string][] = [
  ...(
    [
      [7, 'hba-trust'],
      [9, 'hba-trust'],
      [12, 'hba-md5'],
      [12, 'hba-no-ssl'],
      [12, 'hba-remote-superuser'],
      [15, 'hba-no-ssl'],
      [15, 'hba-password'],
      [16, 'hba-hostssl-without-ssl'],
      [16, 'hba-open-address'],
      [16, 'hba-scram-needs-scram-passwords'],
      [19, 'hba-ident-over-tcp'],
      [19, 'hba-no-ssl'],
      [22, 'hba-cleartext-method'],
      [22, 'hba-no-ssl'],
      [25, 'hba-hostssl-without-ssl'],
      [25, 'hba-unreachable'],
      [28, 'hba-hostssl-without-ssl'],
      [28, 'hba-scram-needs-scram-passwords'],
      [31, 'hba-missing-final-reject'],
      [31, 'hba-syntax'],
    ] as const
  ).map(([l, r]): [string, number, string] => ['examples/insecure/pg_hba.conf', l, r]),
  ...(
    [
      [5, 'conf-listen-all'],
      [7, 'conf-duplicate'],
      [8, 'conf-socket-permissions'],
      [11, 'conf-syntax'],
      [12, 'conf-invalid-value'],
      [15, 'conf-ssl-off'],
      [16, 'conf-ssl-min-protocol'],
      [17, 'conf-ssl-weak-ciphers'],
      [18, 'conf-password-encryption'],
      [21, 'conf-log-connections'],
      [22, 'conf-log-disconnections'],
      [23, 'conf-log-statement'],
      [24, 'conf-log-line-prefix'],
      [25, 'conf-log-secrets'],
      [28, 'conf-pgaudit'],
      [31, 'conf-unknown-parameter'],
    ] as const
  ).map(([l, r]): [string, number, string] => ['examples/insecure/postgresql.conf', l, r]),
  ...(
    [
      ['001_schema.sql', 7, 'sql-tenant-table-without-rls'],
      ['001_schema.sql', 12, 'sql-tenant-table-without-rls'],
      ['002_rls.sql', 2, 'sql-rls-not-forced'],
      ['002_rls.sql', 4, 'sql-policy-missing-with-check'],
      ['002_rls.sql', 5, 'sql-policy-missing-with-check'],
      ['002_rls.sql', 6, 'sql-policy-without-rls'],
      ['002_rls.sql', 8, 'sql-permissive-policy'],
      ['002_rls.sql', 9, 'sql-rls-no-policy'],
      ['002_rls.sql', 11, 'sql-view-bypasses-rls'],
      ['003_roles.sql', 2, 'sql-plaintext-password'],
      ['003_roles.sql', 3, 'sql-md5-password'],
      ['003_roles.sql', 3, 'sql-superuser-role'],
      ['003_roles.sql', 4, 'sql-bypassrls-role'],
      ['003_roles.sql', 5, 'sql-grant-all'],
      ['003_roles.sql', 6, 'sql-grant-public'],
      ['003_roles.sql', 7, 'sql-dangerous-role-grant'],
      ['004_functions.sql', 2, 'sql-security-definer-public-execute'],
      ['004_functions.sql', 3, 'sql-security-definer-search-path'],
      ['004_functions.sql', 5, 'sql-session-set'],
      ['004_functions.sql', 6, 'sql-copy-program'],
      ['004_functions.sql', 7, 'sql-rls-disabled'],
      ['004_functions.sql', 8, 'conf-log-connections'],
      ['004_functions.sql', 9, 'sql-syntax'],
    ] as const
  ).map(([f, l, r]): [string, number, string] => [`examples/insecure/migrations/${f}`, l, r]),
];

test('check --format json reports every rule of the insecure example at its line', () => {
  const r = run(['check', 'examples/insecure', '--format', 'json']);
  assert.equal(r.status, 1, r.stderr);
  const out = JSON.parse(r.stdout) as JsonOut;
  assert.equal(out.version, 1);
  const order = (a: [string, number, string], b: [string, number, string]) => a[0].localeCompare(b[0]) || a[1] - b[1] || a[2].localeCompare(b[2]);
  const got = out.diagnostics.map((d) => [d.file, d.line, d.rule] as [string, number, string]).sort(order);
  assert.deepEqual(got, [...INSECURE_EXPECTED].sort(order));
  assert.deepEqual(new Set(got.map((g) => g[2])), new Set(RULES.map((r) => r.id)), 'every rule fires on the insecure example');
  for (const d of out.diagnostics) {
    assert.deepEqual(Object.keys(d), ['file', 'line', 'column', 'endLine', 'endColumn', 'severity', 'rule', 'message', 'fixes']);
    assert.ok(d.column >= 1 && d.endColumn >= 1);
  }
  const trustLocal = out.diagnostics.find((d) => d.line === 7 && d.rule === 'hba-trust')!;
  assert.deepEqual([trustLocal.column, trustLocal.endColumn, trustLocal.severity], [65, 70, 'warning']);
  assert.equal(out.diagnostics.find((d) => d.line === 9 && d.rule === 'hba-trust')!.severity, 'error');
  assert.deepEqual(out.diagnostics.find((d) => d.rule === 'hba-missing-final-reject')!.fixes.map((f) => f.safe), [true]);
});

test('the hardened example is silent and exits 0', () => {
  const r = run(['check', 'examples/hardened', '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { version: 1, diagnostics: [] });
});

test('text output shows location, severity, rule, message and the source line', () => {
  const r = run(['check', 'examples/insecure/pg_hba.conf']);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^examples\/insecure\/pg_hba\.conf:16:41: error \[hba-open-address\] This record accepts connections from every address/m);
  assert.match(r.stdout, /^ {2}16 \| hostssl orders {10}orders_app {6}0\.0\.0\.0\/0 /m);
  assert.match(r.stdout, /^ {2}\s+\| {41}\^{9}$/m);
  assert.match(r.stdout, /20 findings in 1 file: 7 errors, 12 warnings, 1 note\./);
});

test('--fail-on warning fails on warnings only files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgh-cli-'));
  fs.writeFileSync(path.join(dir, 'pg_hba.conf'), 'hostssl all all 10.0.0.0/8 md5\nhost all all 0.0.0.0/0 reject\nhost all all ::/0 reject\n');
  try {
    assert.equal(run(['check', dir]).status, 0);
    assert.equal(run(['check', dir, '--fail-on', 'warning']).status, 1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('usage and I/O errors exit 2 with a clear message', () => {
  const cases: [string[], RegExp][] = [
    [['check', 'does-not-exist'], /cannot read does-not-exist: no such file or directory/],
    [['check', '--pg-version', '12', 'examples'], /--pg-version must be one of 13, 14, 15, 16, 17, 18/],
    [['check', '--format', 'xml', 'examples'], /--format must be text, json, sarif or gitlab/],
    [['check', '--bogus'], /Unknown option '--bogus'/],
    [['lint'], /unknown command "lint"/],
  ];
  for (const [args, message] of cases) {
    const r = run(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, message);
  }
});

test('--pg-version changes the verdict: include is a syntax error before 16', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgh-cli-'));
  fs.writeFileSync(path.join(dir, 'pg_hba.conf'), 'include_if_exists other.conf\nlocal all all peer\n');
  try {
    const v15 = JSON.parse(run(['check', dir, '--format', 'json', '--pg-version', '15']).stdout) as JsonOut;
    assert.deepEqual(v15.diagnostics.filter((d) => d.rule === 'hba-syntax').map((d) => d.message.split('.')[0]), [
      'invalid connection type "include_if_exists"',
    ]);
    const v16 = JSON.parse(run(['check', dir, '--format', 'json', '--pg-version', '16']).stdout) as JsonOut;
    assert.equal(v16.diagnostics.filter((d) => d.rule === 'hba-syntax').length, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('SARIF output is valid SARIF 2.1.0', () => {
  const r = run(['check', 'examples', '--format', 'sarif']);
  assert.equal(r.status, 1);
  const sarif = JSON.parse(r.stdout) as {
    runs: {
      results: { ruleId: string; ruleIndex: number; locations: { physicalLocation: { artifactLocation: { uri: string } } }[]; relatedLocations?: unknown[] }[];
      tool: { driver: { rules: { id: string }[] } };
    }[];
  };
  const schema = JSON.parse(
    fs.readFileSync(path.join(ROOT, 'node_modules', '@microsoft', 'jest-sarif', 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json'), 'utf8'),
  );
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  const validate = ajv.compile(schema);
  assert.ok(validate(sarif), JSON.stringify(validate.errors, null, 2));
  const results = sarif.runs[0].results;
  assert.equal(results.length, INSECURE_EXPECTED.length);
  assert.ok(results.some((x) => x.locations[0].physicalLocation.artifactLocation.uri === 'examples/insecure/pg_hba.conf'));
  assert.ok(results.some((x) => x.ruleId === 'conf-duplicate' && x.relatedLocations?.length === 1));
  for (const res of results) assert.equal(sarif.runs[0].tool.driver.rules[res.ruleIndex].id, res.ruleId);
});

test('fix applies only safe fixes, reports them, and a second run changes nothing', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgh-fix-'));
  const file = path.join(dir, 'pg_hba.conf');
  fs.copyFileSync(path.join(ROOT, 'examples', 'insecure', 'pg_hba.conf'), file);
  try {
    const first = run(['fix', dir]);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /fixed \[hba-missing-final-reject\]/);
    assert.match(first.stdout, /1 file changed\./);
    const after = fs.readFileSync(file, 'utf8');
    assert.ok(after.endsWith('host all all 0.0.0.0/0 reject\nhost all all ::/0 reject\n'));
    assert.match(after, /trust/, 'manual fixes are not applied without --unsafe');
    const second = run(['fix', dir]);
    assert.match(second.stdout, /0 files changed\./);
    assert.equal(fs.readFileSync(file, 'utf8'), after);
    const unsafe = run(['fix', dir, '--unsafe']);
    assert.equal(unsafe.status, 0);
    const records = fs.readFileSync(file, 'utf8').split('\n').filter((l) => !l.startsWith('#'));
    assert.doesNotMatch(records.join('\n'), /\btrust\b|\bmd5\b|\bpassword\b/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a migration set large enough for the parse worker gets the same findings as one parsed on the main thread', { skip: os.availableParallelism() < 2 && 'one CPU: no parse worker is started' }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgh-parallel-'));
  const unit = fs.readFileSync(path.join(ROOT, 'examples', 'insecure', 'migrations', '001_schema.sql'), 'utf8');
  // Past the 1.5 MB threshold, in several files: the worker parses files from the last one back.
  for (let f = 0, i = 0; f < 8; f++) {
    const parts: string[] = [];
    for (; parts.join('').length < 200_000; i++) parts.push(unit.replace(/\b(accounts|invoices|tenants)\b/g, `$1_${i}`));
    fs.writeFileSync(path.join(dir, `big_${f}.sql`), parts.join('\n'));
  }
  const marker = path.join(dir, 'worker-started');
  const wrapper = path.join(dir, 'worker.js');
  fs.writeFileSync(wrapper, `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'yes');\nrequire(${JSON.stringify(path.join(ROOT, 'dist', 'parse-worker.js'))});\n`);
  const run = (worker: string) => spawnSync(process.execPath, [CLI, 'check', dir, '--format', 'json'], { encoding: 'utf8', env: { ...process.env, PG_HARDEN_PARSE_WORKER: worker }, maxBuffer: 1 << 28 });
  const alone = run(path.join(dir, 'absent.js'));
  assert.ok(!fs.existsSync(marker));
  const parallel = run(wrapper);
  assert.ok(fs.existsSync(marker), 'the parse worker did not start');
  assert.equal(parallel.status, alone.status, parallel.stderr);
  const findings = (r: typeof alone) => (JSON.parse(r.stdout) as { diagnostics: unknown[] }).diagnostics;
  assert.ok(findings(alone).length > 100, `${findings(alone).length} findings`);
  assert.deepEqual(findings(parallel), findings(alone));
});
