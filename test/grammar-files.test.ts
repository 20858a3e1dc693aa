// Runs the comment-annotated grammar tests in test/grammar/ with the vscode-tmgrammar-test CLI, the way a
// grammar author runs them, and checks that they really ran: every file, with the assertions it holds.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';

const ROOT = path.join(__dirname, '..');
const BIN = path.join(ROOT, 'node_modules', '.bin', 'vscode-tmgrammar-test');
const DIR = path.join(ROOT, 'test', 'grammar');

/** Floors, a little under today's counts, so that emptied or deleted test files are noticed. */
const MIN_FILES = 5;
const MIN_ASSERTIONS: Record<string, number> = { 'source.pg-hba': 120, 'source.pg-ident': 35, 'source.pg-conf': 80 };

/** Runs the CLI from the repository root: grammars come from package.json's contributes.grammars. */
function runCli(pattern: string) {
  const result = spawnSync(process.execPath, [BIN, '--compact', '--config', 'package.json', pattern], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    timeout: 60_000,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.replace(/\x1b\[[0-9;]*m/g, '');
  const passed = [...output.matchAll(/^[✓√] (.+) run successfuly\.$/gm)].map((m) => path.resolve(ROOT, m[1]));
  return { status: result.status, error: result.error, output, passed };
}

interface TestFile {
  file: string;
  scope: string;
  assertions: number;
}

/** Reads a test file as the CLI does: the header names the scope; "# ^^^" and "# <---" lines are assertions. */
function readTestFile(file: string): TestFile {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
  const header = /^(\S+)\s+SYNTAX\s+TEST\s+"([^"]+)"/.exec(lines[0]);
  assert.ok(header, `${file}: first line is no SYNTAX TEST header`);
  const comment = header[1];
  const assertions = lines
    .slice(1)
    .filter((l) => l.startsWith(comment) && /^\s*(\^|<~*-+)/.test(l.slice(comment.length))).length;
  return { file, scope: header[2], assertions };
}

const testFiles = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.test'))
  .sort()
  .map((f) => readTestFile(path.join(DIR, f)));

describe('grammar tests (vscode-tmgrammar-test)', () => {
  it('has test files with assertions for each grammar', () => {
    assert.ok(testFiles.length >= MIN_FILES, `only ${testFiles.length} files in ${DIR}`);
    for (const t of testFiles) assert.ok(t.assertions >= 10, `${t.file} has only ${t.assertions} assertions`);
    for (const [scope, min] of Object.entries(MIN_ASSERTIONS)) {
      const total = testFiles.filter((t) => t.scope === scope).reduce((n, t) => n + t.assertions, 0);
      assert.ok(total >= min, `${scope}: ${total} assertions, expected at least ${min}`);
    }
  });

  it('passes every test file, and runs all of them', () => {
    const { status, error, output, passed } = runCli('test/grammar/*.test');
    assert.equal(error, undefined, String(error));
    assert.equal(status, 0, output);
    assert.doesNotMatch(output, /ERROR|✖/, output);
    assert.deepEqual(passed.sort(), testFiles.map((t) => t.file), output);
  });

  it('fails on a wrong assertion (so a pass means something)', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-grammar-'));
    try {
      const source = testFiles.find((t) => t.scope === 'source.pg-hba');
      assert.ok(source);
      const text = fs.readFileSync(source.file, 'utf8');
      const wrong = text.replace('keyword.control.connection-type.pg-hba', 'keyword.control.connection-type.wrong');
      assert.notEqual(wrong, text);
      const broken = path.join(tmp, 'broken.pg_hba.conf.test');
      fs.writeFileSync(broken, wrong);
      fs.writeFileSync(path.join(tmp, 'intact.pg_hba.conf.test'), text);
      const { status, output, passed } = runCli(path.join(tmp, '*.test'));
      assert.notEqual(status, 0, output);
      assert.match(output, /ERROR .*broken\.pg_hba\.conf\.test:\d+:\d+:\d+ Missing required scopes: \[ keyword\.control\.connection-type\.wrong \]/);
      assert.deepEqual(passed, [path.join(tmp, 'intact.pg_hba.conf.test')]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
