// The CLI where it meets other tools: `lsp --stdio` for any editor, `scram-verifier`, GitLab's Code
// Quality report, `--changed-since` and `--baseline` on real git repositories, and the GitHub Action
// and pre-commit hook definitions. Runs the built bundle as a process, as users do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv from 'ajv';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type Diagnostic, type PublishDiagnosticsParams } from 'vscode-languageserver/node';
import { parseScramVerifier, scramVerifier } from '../server/src/engine/scram';

const ROOT = path.join(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const INSECURE = path.join(ROOT, 'examples', 'insecure');

/** Git reads no configuration of this machine or user, so commits and diffs behave the same everywhere. */
const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: os.devNull, GIT_CEILING_DIRECTORIES: os.tmpdir() };

const run = (args: string[], opts: { cwd?: string; input?: string } = {}) =>
  spawnSync(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? ROOT, input: opts.input, encoding: 'utf8', timeout: 30_000, env: GIT_ENV });

interface JsonOut {
  diagnostics: { file: string; line: number; rule: string; severity: string }[];
}
const json = (stdout: string) => (JSON.parse(stdout) as JsonOut).diagnostics;
const where = (out: JsonOut['diagnostics']) => out.map((d) => `${d.file}:${d.line} ${d.rule}`).sort();

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pgh-cli-int-'));
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=pg-harden tests', '-c', 'user.email=tests@example.invalid', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    env: GIT_ENV,
  });
}

/** A new repository with `files` committed as its first commit. */
function gitRepo(files: Record<string, string>): string {
  const dir = tempDir();
  git(dir, 'init', '-q', '-b', 'main');
  writeFiles(dir, files);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'first');
  return dir;
}

function writeFiles(dir: string, files: Record<string, string>) {
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
}

const editFile = (file: string, edit: (text: string) => string) => fs.writeFileSync(file, edit(fs.readFileSync(file, 'utf8')));
const insecure = (name: string) => fs.readFileSync(path.join(INSECURE, name), 'utf8');
const HBA = insecure('pg_hba.conf');
const TRUST_LINE = 'host    all             all             127.0.0.1/32            trust';

// ---------------------------------------------------------------------------------------------
// lsp --stdio

test('lsp --stdio serves the language server: capabilities, diagnostics, quick fixes, fix-all, symbols, clean exit', async () => {
  const proc = spawn(process.execPath, [CLI, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const published: PublishDiagnosticsParams[] = [];
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => published.push(p));
  conn.onNotification('window/logMessage', () => undefined);
  conn.listen();
  const exited = new Promise<number | null>((resolve) => proc.on('exit', resolve));
  const killer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
  try {
    const init = (await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} })) as {
      capabilities: Record<string, unknown>;
      serverInfo: { name: string };
    };
    assert.equal(init.serverInfo.name, 'pg-hardening');
    for (const feature of ['codeActionProvider', 'hoverProvider', 'completionProvider', 'documentSymbolProvider', 'documentFormattingProvider'])
      assert.ok(init.capabilities[feature], `${feature} is advertised`);
    const kinds = (init.capabilities.codeActionProvider as { codeActionKinds: string[] }).codeActionKinds;
    assert.ok(kinds.includes('quickfix') && kinds.includes('source.fixAll.pg-hardening'), kinds.join());
    await conn.sendNotification('initialized', {});

    const uri = pathToFileURL(path.join(INSECURE, 'pg_hba.conf')).href;
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'pg-hba', version: 1, text: HBA } });
    const deadline = Date.now() + 10_000;
    let diagnostics: Diagnostic[] | undefined;
    while (!diagnostics && Date.now() < deadline) {
      diagnostics = published.find((p) => p.uri === uri && p.diagnostics.length)?.diagnostics;
      if (!diagnostics) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(diagnostics, 'diagnostics were published');
    const trust = diagnostics.find((d) => d.code === 'hba-trust' && d.range.start.line === 8)!;
    assert.ok(trust, 'hba-trust on line 9');

    const actions = (await conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: trust.range,
      context: { diagnostics: [trust] },
    })) as { title: string; edit?: unknown }[];
    assert.ok(actions.some((a) => a.title.startsWith('Require a password') && a.edit), actions.map((a) => a.title).join('\n'));
    const fixAll = (await conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll.pg-hardening'] },
    })) as { kind: string }[];
    assert.deepEqual(fixAll.map((a) => a.kind), ['source.fixAll.pg-hardening'], 'fix-all is offered');
    const symbols = (await conn.sendRequest('textDocument/documentSymbol', { textDocument: { uri } })) as unknown[];
    assert.ok(Array.isArray(symbols));

    await conn.sendRequest('shutdown');
    await conn.sendNotification('exit');
    assert.equal(await exited, 0, 'exit after shutdown is a clean exit');
  } finally {
    clearTimeout(killer);
    conn.dispose();
    proc.kill();
  }
});

test('lsp without a transport or with an unknown option is a usage error', () => {
  const bare = run(['lsp']);
  assert.equal(bare.status, 2);
  assert.match(bare.stderr, /"pg-harden lsp" needs a transport: pg-harden lsp --stdio/);
  const unknown = run(['lsp', '--stdio', '--port=4']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown option "--port=4" for "pg-harden lsp"/);
});

// ---------------------------------------------------------------------------------------------
// scram-verifier

test('scram-verifier prints a verifier for the password on stdin, and never the password', () => {
  const password = 'correct horse battery staple';
  const r = run(['scram-verifier'], { input: `${password}\n` });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!r.stdout.includes(password) && !r.stderr.includes(password), 'the password is not echoed');
  const verifier = r.stdout.trim();
  assert.equal(r.stdout, `${verifier}\n`, 'one line');
  const parts = parseScramVerifier(verifier);
  assert.ok(parts, `PostgreSQL would take ${verifier} for a verifier`);
  assert.equal(parts.iterations, 4096);
  // Same salt and iterations, same password: same verifier (the trailing newline was not hashed).
  assert.equal(scramVerifier(password, Buffer.from(parts.salt, 'base64'), parts.iterations), verifier);
  assert.notEqual(scramVerifier(`${password}\n`, Buffer.from(parts.salt, 'base64'), parts.iterations), verifier);

  const again = run(['scram-verifier'], { input: `${password}\r\n` });
  assert.equal(again.status, 0, again.stderr);
  const second = parseScramVerifier(again.stdout.trim())!;
  assert.notEqual(second.salt, parts.salt, 'a fresh random salt each time');
  assert.equal(scramVerifier(password, Buffer.from(second.salt, 'base64')), again.stdout.trim(), 'a CRLF line ending is stripped too');
});

test('scram-verifier refuses an empty password, several lines, and arguments, with exit 2', () => {
  for (const input of ['', '\n', '\r\n']) {
    const r = run(['scram-verifier'], { input });
    assert.equal(r.status, 2, JSON.stringify(input));
    assert.match(r.stderr, /the password is empty; refusing to compute a verifier for it/);
    assert.equal(r.stdout, '');
  }
  const twoLines = run(['scram-verifier'], { input: 'first secret\nsecond secret\n' });
  assert.equal(twoLines.status, 2);
  assert.match(twoLines.stderr, /the password must be one line/);
  assert.ok(!twoLines.stderr.includes('secret'), 'the error does not repeat the input');
  const withArgument = run(['scram-verifier', 'hunter2']);
  assert.equal(withArgument.status, 2);
  assert.match(withArgument.stderr, /takes no arguments: it reads the password from standard input/);
});

// ---------------------------------------------------------------------------------------------
// --format gitlab

interface GitlabIssue {
  check_name: string;
  fingerprint: string;
  severity: string;
  location: { path: string; lines: { begin: number; end: number } };
}

test('--format gitlab is a valid Code Quality report with the same findings as JSON', () => {
  const r = run(['check', 'examples', '--format', 'gitlab']);
  assert.equal(r.status, 1, r.stderr);
  const report = JSON.parse(r.stdout) as GitlabIssue[];
  // Our schema, written from GitLab's documented format: no npm package ships one (see its description).
  const schema = JSON.parse(fs.readFileSync(path.join(__dirname, 'schemas', 'gitlab-code-quality.schema.json'), 'utf8'));
  const validate = new Ajv({ allErrors: true }).compile(schema);
  assert.ok(validate(report), JSON.stringify(validate.errors, null, 2));

  const expected = json(run(['check', 'examples', '--format', 'json']).stdout);
  assert.equal(report.length, expected.length);
  const severity: Record<string, string> = { error: 'critical', warning: 'major', information: 'minor', hint: 'info' };
  report.forEach((issue, i) => {
    assert.deepEqual(
      [issue.location.path, issue.location.lines.begin, issue.check_name, issue.severity],
      [expected[i].file, expected[i].line, expected[i].rule, severity[expected[i].severity]],
    );
  });
  assert.equal(new Set(report.map((x) => x.fingerprint)).size, report.length, 'fingerprints are unique');
});

test('GitLab fingerprints survive unrelated edits and tell identical lines apart', () => {
  const dir = tempDir();
  try {
    // Two identical trust lines: the same rule on the same text, told apart by their order.
    writeFiles(dir, { 'pg_hba.conf': HBA.replace(`${TRUST_LINE}\n`, `${TRUST_LINE}\n${TRUST_LINE}\n`) });
    const report = () => JSON.parse(run(['check', '.', '--format', 'gitlab'], { cwd: dir }).stdout) as GitlabIssue[];
    const before = report();
    assert.equal(new Set(before.map((x) => x.fingerprint)).size, before.length, 'fingerprints are unique');
    editFile(path.join(dir, 'pg_hba.conf'), (t) => `# reviewed 2024-05-01\n# owner: dba team\n${t}`);
    const after = report();
    assert.deepEqual(
      after.map((x) => [x.fingerprint, x.location.lines.begin]),
      before.map((x) => [x.fingerprint, x.location.lines.begin + 2]),
      'same fingerprints, lines moved by two',
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------------------------
// --changed-since

test('--changed-since reports findings on lines changed since the ref, in commits, edits and untracked files', () => {
  const odd = 'prod "eu" ü'; // git C-quotes this path in diffs
  const repo = gitRepo({ 'pg_hba.conf': HBA, [`${odd}/pg_hba.conf`]: HBA });
  try {
    // Committed after the ref HEAD~1: line 9's method.
    editFile(path.join(repo, 'pg_hba.conf'), (t) => t.replace(TRUST_LINE, TRUST_LINE.replace('trust', 'password')));
    git(repo, 'commit', '-q', '-a', '-m', 'second');
    // In the working tree only: a comment that moves every line down, one staged new record, one untracked file.
    editFile(path.join(repo, 'pg_hba.conf'), (t) => `# a comment above everything\n${t}`);
    editFile(path.join(repo, odd, 'pg_hba.conf'), (t) => `${t}host    all             all             10.9.0.0/16             md5\n`);
    git(repo, 'add', `${odd}/pg_hba.conf`);
    writeFiles(repo, { 'extra.postgresql.conf': 'ssl = off\n' });

    const sinceHead = run(['check', '.', '--format', 'json', '--changed-since', 'HEAD'], { cwd: repo });
    assert.equal(sinceHead.status, 1, sinceHead.stderr);
    const newRecord = [`${odd}/pg_hba.conf:32 hba-md5`, `${odd}/pg_hba.conf:32 hba-missing-final-reject`, `${odd}/pg_hba.conf:32 hba-no-ssl`];
    const untracked = ['conf-log-connections', 'conf-log-disconnections', 'conf-log-line-prefix', 'conf-log-statement', 'conf-pgaudit', 'conf-ssl-off'].map(
      (rule) => `extra.postgresql.conf:1 ${rule}`,
    );
    assert.deepEqual(where(json(sinceHead.stdout)), [...untracked, ...newRecord].sort());
    const everything = json(run(['check', '.', '--format', 'json'], { cwd: repo }).stdout).length;
    assert.match(sinceHead.stderr, new RegExp(`^pg-harden: ${everything - untracked.length - newRecord.length} findings on lines unchanged since HEAD not reported$`, 'm'));

    const sinceFirst = run(['check', '.', '--format', 'json', '--changed-since', 'HEAD~1'], { cwd: repo });
    assert.deepEqual(where(json(sinceFirst.stdout)), [...untracked, ...newRecord, 'pg_hba.conf:10 hba-password'].sort());

    // Nothing changed since the working tree's own state: a clean report, exit 0.
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'third');
    const sinceNow = run(['check', '.', '--changed-since', 'HEAD'], { cwd: repo });
    assert.equal(sinceNow.status, 0, sinceNow.stderr);
    assert.match(sinceNow.stdout, /^No findings\.$/m);
  } finally {
    fs.rmSync(repo, { recursive: true, force: true });
  }
});

test('--changed-since outside a repository, with an unknown ref or an option for a ref, exits 2', () => {
  const plain = tempDir();
  const repo = gitRepo({ 'pg_hba.conf': HBA });
  try {
    writeFiles(plain, { 'pg_hba.conf': HBA });
    const notRepo = run(['check', '.', '--changed-since', 'HEAD'], { cwd: plain });
    assert.equal(notRepo.status, 2);
    assert.match(notRepo.stderr, /--changed-since needs a git repository, and .* is not inside one/);
    const unknown = run(['check', '.', '--changed-since', 'no-such-branch'], { cwd: repo });
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /--changed-since: unknown git ref "no-such-branch"/);
    const option = run(['check', '.', '--changed-since=--output=/tmp/x'], { cwd: repo });
    assert.equal(option.status, 2);
    assert.match(option.stderr, /--changed-since takes a git ref, not an option/);
    assert.equal(run(['fix', '.', '--changed-since', 'HEAD'], { cwd: repo }).status, 2);
  } finally {
    fs.rmSync(plain, { recursive: true, force: true });
    fs.rmSync(repo, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------------------------
// --baseline

test('--baseline hides recorded findings across line shifts and reports only new ones', () => {
  const files = Object.fromEntries(
    ['pg_hba.conf', 'postgresql.conf', ...fs.readdirSync(path.join(INSECURE, 'migrations')).map((f) => `migrations/${f}`)].map((f) => [f, insecure(f)]),
  );
  // A settings file at the top pins the project's root, wherever the CLI runs from.
  const repo = gitRepo({ ...files, '.pg-hardening.json': '{}\n' });
  const baseline = path.join(repo, 'pg-harden-baseline.json');
  try {
    const all = json(run(['check', '.', '--format', 'json'], { cwd: repo }).stdout);
    assert.ok(all.length > 50);

    const record = run(['check', '.', '--baseline', 'pg-harden-baseline.json', '--update-baseline'], { cwd: repo });
    assert.equal(record.status, 0, record.stderr);
    assert.match(record.stdout, /^No findings\.$/m);
    assert.match(record.stderr, new RegExp(`recorded ${all.length} findings in the baseline pg-harden-baseline.json`));
    const recorded = JSON.parse(fs.readFileSync(baseline, 'utf8')) as { version: number; findings: { rule: string; file: string; count: number }[] };
    assert.equal(recorded.version, 1);
    assert.equal(recorded.findings.reduce((n, e) => n + e.count, 0), all.length);
    assert.ok(recorded.findings.some((e) => e.file === 'migrations/003_roles.sql' && e.rule === 'sql-plaintext-password'));
    assert.ok(!fs.readFileSync(baseline, 'utf8').includes('hunter2'), 'the baseline holds hashes of lines, not the passwords on them');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'baseline');

    const check = (cwd = repo, file = 'pg-harden-baseline.json') => run(['check', '.', '--format', 'json', '--baseline', file], { cwd });
    const clean = check();
    assert.equal(clean.status, 0, clean.stderr);
    assert.deepEqual(json(clean.stdout), []);
    assert.match(clean.stderr, new RegExp(`${all.length} findings in the baseline pg-harden-baseline.json not reported`));

    // Every line moves; nothing is new.
    for (const f of ['pg_hba.conf', 'postgresql.conf', 'migrations/003_roles.sql'])
      editFile(path.join(repo, f), (t) => `${f.endsWith('.sql') ? '--' : '#'} reviewed\n\n${t}`);
    git(repo, 'commit', '-q', '-a', '-m', 'comments');
    assert.deepEqual(json(check().stdout), [], 'shifted lines still match the baseline');
    // Run from another folder, naming the baseline from there: files are relative to the baseline.
    assert.deepEqual(json(run(['check', '..', '--format', 'json', '--baseline', '../pg-harden-baseline.json'], { cwd: path.join(repo, 'migrations') }).stdout), []);

    // A new record, and a second copy of an accepted one: both are new.
    editFile(path.join(repo, 'pg_hba.conf'), (t) =>
      t.replace(`${TRUST_LINE}\n`, `${TRUST_LINE}\nhost    orders          orders_app      10.50.0.0/16            md5\n${TRUST_LINE}\n`),
    );
    const lines = fs.readFileSync(path.join(repo, 'pg_hba.conf'), 'utf8').split('\n');
    const md5Line = lines.indexOf('host    orders          orders_app      10.50.0.0/16            md5') + 1;
    const secondTrust = lines.lastIndexOf(TRUST_LINE) + 1;
    assert.deepEqual([md5Line, secondTrust], [12, 13]);
    const fresh = check();
    assert.equal(fresh.status, 1, fresh.stderr);
    assert.deepEqual(where(json(fresh.stdout)), [
      `pg_hba.conf:${md5Line} hba-md5`,
      `pg_hba.conf:${md5Line} hba-no-ssl`,
      `pg_hba.conf:${secondTrust} hba-trust`,
      `pg_hba.conf:${secondTrust} hba-unreachable`,
    ]);
  } finally {
    fs.rmSync(repo, { recursive: true, force: true });
  }
});

test('--baseline errors: a missing or broken file, --update-baseline alone, exit 2', () => {
  const dir = tempDir();
  try {
    writeFiles(dir, { 'pg_hba.conf': HBA, 'broken.json': '{"version": 1, "findings": [' , 'other.json': '{"version": 2, "findings": []}' });
    const missing = run(['check', '.', '--baseline', 'nope.json'], { cwd: dir });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /baseline nope\.json does not exist: record one with --baseline nope\.json --update-baseline/);
    assert.match(run(['check', '.', '--baseline', 'broken.json'], { cwd: dir }).stderr, /baseline broken\.json is not valid JSON/);
    assert.match(run(['check', '.', '--baseline', 'other.json'], { cwd: dir }).stderr, /baseline other\.json is not a pg-harden baseline \(version 1\)/);
    const alone = run(['check', '.', '--update-baseline'], { cwd: dir });
    assert.equal(alone.status, 2);
    assert.match(alone.stderr, /--update-baseline needs --baseline FILE/);
    assert.match(run(['check', '.', '--baseline', 'b.json', '--update-baseline', '--changed-since', 'HEAD'], { cwd: dir }).stderr, /cannot be combined with --changed-since/);
    assert.ok(!fs.existsSync(path.join(dir, 'b.json')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------------------------
// action.yml and .pre-commit-hooks.yaml

/**
 * The project has no YAML parser, and these two files are small and flat: the checks below read
 * their key lines with regular expressions, then run the commands they hold against the real CLI,
 * which proves more than a parse would (every option they pass exists and works).
 */
const CLI_HELP = run(['--help']).stdout;

/** The `--options` a command line passes to pg-harden check, each of which --help must document. */
function assertRealOptions(command: string) {
  const options = [...command.matchAll(/(?<=\s)--[a-z][a-z-]*/g)].map((m) => m[0]);
  assert.ok(options.length, command);
  for (const o of options) assert.ok(CLI_HELP.includes(o), `${o} (in "${command}") is a pg-harden option`);
}

function assertPlainYaml(text: string, file: string) {
  for (const [i, line] of text.split('\n').entries()) {
    assert.doesNotMatch(line, /^\s*\t/, `${file}:${i + 1}: YAML forbids tabs for indentation`);
    assert.ok(line.trim() === '' || /^( {2})*\S/.test(line), `${file}:${i + 1}: indented by a multiple of two spaces`);
  }
}

/** A shim named pg-harden that runs the bundle, as `npm install --global` would provide. */
function shimDir(): string {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'pg-harden'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`, { mode: 0o755 });
  return dir;
}

test('action.yml is a composite action that installs the CLI and writes SARIF with real options', () => {
  const text = fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8');
  assertPlainYaml(text, 'action.yml');
  assert.match(text, /^name: \S/m);
  assert.match(text, /^description: \S/m);
  assert.match(text, /^runs:\n {2}using: composite$/m);
  for (const input of ['paths', 'fail-on', 'sarif-file', 'args']) assert.match(text, new RegExp(`^ {2}${input}:\\n {4}description: \\S`, 'm'), input);
  assert.match(text, /uses: actions\/setup-node@v\d+/);
  assert.match(text, /working-directory: \$\{\{ github\.action_path \}\}/);
  assert.match(text, /npm ci /);
  // The step that checks: its environment maps the inputs, its script is what the test runs.
  const step = /- name: Check\n(?<body>(?: {6}.*\n)+)/.exec(text)?.groups?.body;
  assert.ok(step, 'a step named Check');
  const env = Object.fromEntries([...step.matchAll(/^ {8}(PG_HARDEN_\w+): \$\{\{ inputs\.([\w-]+) \}\}$/gm)].map((m) => [m[1], m[2]]));
  assert.deepEqual(env, { PG_HARDEN_PATHS: 'paths', PG_HARDEN_FAIL_ON: 'fail-on', PG_HARDEN_SARIF: 'sarif-file', PG_HARDEN_ARGS: 'args' });
  const script = /^ {6}run: \|\n(?<body>(?: {8}.*\n)+)/m.exec(step)?.groups?.body.replace(/^ {8}/gm, '') ?? '';
  assert.ok(script.includes('pg-harden check') && script.includes('--format sarif'), script);
  assertRealOptions(script);

  const dir = shimDir();
  const sarif = path.join(dir, 'out.sarif');
  try {
    const r = spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, PATH: `${dir}${path.delimiter}${process.env.PATH}`, PG_HARDEN_PATHS: 'examples/insecure/pg_hba.conf examples/hardened', PG_HARDEN_FAIL_ON: 'error', PG_HARDEN_SARIF: sarif, PG_HARDEN_ARGS: '--pg-version 16' },
    });
    assert.equal(r.status, 1, `findings fail the step: ${r.stderr}`);
    const report = JSON.parse(fs.readFileSync(sarif, 'utf8')) as { version: string; runs: { results: unknown[] }[] };
    assert.equal(report.version, '2.1.0');
    assert.equal(report.runs[0].results.length, 20);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('.pre-commit-hooks.yaml runs pg-harden check on the files it is for', () => {
  const text = fs.readFileSync(path.join(ROOT, '.pre-commit-hooks.yaml'), 'utf8');
  assertPlainYaml(text, '.pre-commit-hooks.yaml');
  assert.match(text, /^- id: pg-harden$/m);
  assert.match(text, /^ {2}language: node$/m);
  const entry = /^ {2}entry: (.+)$/m.exec(text)?.[1];
  assert.equal(entry, 'pg-harden check');
  assert.doesNotMatch(text, /^ {2}args:/m, 'no extra options: the project settings file decides');
  // pre-commit reads `files` as a Python regular expression; this one is plain enough for JavaScript to read alike.
  const files = new RegExp(/^ {2}files: '(.+)'$/m.exec(text)![1]);
  for (const f of ['pg_hba.conf', 'etc/pg_hba_prod.conf', 'conf/replica.hba.conf', 'postgresql.conf', 'db/postgresql.auto.conf', 'x/primary.postgresql.conf', 'migrations/001_init.sql', 'conf.d/10-ssl.conf'])
    assert.match(f, files, f);
  for (const f of ['README.md', 'pg_hba.conf.bak', 'nginx.conf', 'sql/notes.txt']) assert.doesNotMatch(f, files, f);

  // What pre-commit runs: the entry, its args, then the staged files that match.
  const staged = ['examples/insecure/pg_hba.conf', 'examples/insecure/postgresql.conf', 'examples/insecure/migrations/003_roles.sql', 'README.md'].filter((f) => files.test(f));
  const dir = shimDir();
  try {
    const [cmd, ...rest] = entry!.split(' ') as [string, ...string[]];
    const r = spawnSync(cmd, [...rest, ...staged], { cwd: ROOT, encoding: 'utf8', timeout: 30_000, env: { ...process.env, PATH: `${dir}${path.delimiter}${process.env.PATH}` } });
    assert.equal(r.status, 1, `findings fail the commit: ${r.stderr}`);
    assert.match(r.stdout, /examples\/insecure\/migrations\/003_roles\.sql:2:\d+: error \[sql-plaintext-password\]/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
