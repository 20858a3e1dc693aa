// A real LSP client nobody here wrote: Debian's Neovim, headless, runs `pg-harden lsp --stdio` on a
// copy of the insecure pg_hba.conf, applies a code action and writes the file (test/neovim/code-action.lua).
// Skips when nvim is not installed; .ci/run installs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const SCRIPT = path.join(__dirname, 'neovim', 'code-action.lua');

const nvimVersion = (() => {
  const r = spawnSync('nvim', ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 ? r.stdout.split('\n')[0] : undefined;
})();

interface Diag {
  line: number;
  character: number;
  code: string;
  severity: number;
}

interface NeovimResult {
  error?: string;
  filetype: string;
  detected: Record<string, string>;
  api: string;
  diagnostics: Diag[];
  neovim_diagnostics: { line: number; code: string }[];
  actions: string[];
  applied: string;
  diagnostics_after: Diag[];
}

/** What the server reports for examples/insecure/pg_hba.conf alone (no postgresql.conf beside it), zero-based lines. */
const EXPECTED: [number, string][] = [
  [6, 'hba-trust'],
  [8, 'hba-trust'],
  [11, 'hba-md5'],
  [11, 'hba-no-ssl'],
  [11, 'hba-remote-superuser'],
  [14, 'hba-no-ssl'],
  [14, 'hba-password'],
  [15, 'hba-open-address'],
  [18, 'hba-ident-over-tcp'],
  [18, 'hba-no-ssl'],
  [21, 'hba-cleartext-method'],
  [21, 'hba-no-ssl'],
  [24, 'hba-unreachable'],
  [30, 'hba-missing-final-reject'],
  [30, 'hba-syntax'],
];

/** Names the documented Neovim file types must recognize, as the server does. */
const FILETYPES: Record<string, string> = {
  '/srv/pg/pg_hba.conf': 'pg-hba',
  '/srv/pg/pg_hba_replica.conf': 'pg-hba',
  '/srv/pg/site.hba.conf': 'pg-hba',
  '/srv/pg/pg_ident.conf': 'pg-ident',
  '/srv/pg/postgresql.conf': 'pg-conf',
  '/srv/pg/postgresql.auto.conf': 'pg-conf',
  '/srv/pg/primary.postgresql.conf': 'pg-conf',
  '/srv/pg/conf.d/10-ssl.conf': 'pg-conf',
};

const byLineAndCode = (list: { line: number; code: string }[]) =>
  list.map((d): [number, string] => [d.line, d.code]).sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));

test('Neovim shows our diagnostics, applies our code action and writes the fixed pg_hba.conf', { skip: nvimVersion ? false : 'nvim is not on PATH (apt-get install -y neovim; .ci/run does)' }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgh-nvim-'));
  const file = path.join(dir, 'pg_hba.conf');
  const original = fs.readFileSync(path.join(ROOT, 'examples', 'insecure', 'pg_hba.conf'), 'utf8');
  fs.writeFileSync(file, original);
  const out = path.join(dir, 'result.json');
  // The Neovim setup users copy from docs/editors.md: its file types block, run as written.
  const docs = fs.readFileSync(path.join(ROOT, 'docs', 'editors.md'), 'utf8');
  const filetypes = [...docs.matchAll(/```lua\n([\s\S]*?)```/g)].map((m) => m[1]).find((block) => block.includes('vim.filetype.add'));
  assert.ok(filetypes, 'docs/editors.md has a vim.filetype.add block');
  fs.writeFileSync(path.join(dir, 'filetypes.lua'), filetypes);
  try {
    const r = spawnSync('nvim', ['--headless', '--clean', '-n', '-c', `luafile ${SCRIPT}`], {
      cwd: dir,
      encoding: 'utf8',
      // Neovim's own state and logs stay in the temporary folder.
      env: { ...process.env, PGH_CLI: CLI, PGH_FILE: file, PGH_OUT: out, PGH_FILETYPES: path.join(dir, 'filetypes.lua'), PGH_SAMPLE_NAMES: Object.keys(FILETYPES).join(':'), XDG_CACHE_HOME: dir, XDG_STATE_HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
      timeout: 60_000,
      killSignal: 'SIGKILL',
    });
    assert.ok(fs.existsSync(out), `Neovim wrote no result (status ${r.status}, signal ${r.signal}): ${r.stderr}${r.stdout}`);
    const result = JSON.parse(fs.readFileSync(out, 'utf8')) as NeovimResult;
    assert.equal(result.error, undefined, `${nvimVersion}: ${result.error}\n${r.stderr}`);
    assert.equal(r.status, 0, r.stderr);

    assert.equal(result.filetype, 'pg-hba', 'the documented file types name pg_hba.conf pg-hba');
    assert.deepEqual(result.detected, FILETYPES);
    assert.deepEqual(byLineAndCode(result.diagnostics), EXPECTED);
    assert.deepEqual(byLineAndCode(result.neovim_diagnostics), EXPECTED, "Neovim's own diagnostic list holds what the server published");
    const trust = result.diagnostics.find((d) => d.line === 8 && d.code === 'hba-trust')!;
    assert.deepEqual([trust.character, trust.severity], [64, 1], 'hba-trust on line 9 is an error at the method');

    assert.ok(result.actions.includes('Show documentation for hba-trust'), result.actions.join('\n'));
    assert.match(result.applied, /^Require a password: use scram-sha-256 .*\[manual: review before saving\]$/);
    const expectedText = original.replace(
      'host    all             all             127.0.0.1/32            trust\n',
      'host    all             all             127.0.0.1/32            scram-sha-256\n',
    );
    assert.notEqual(expectedText, original);
    assert.equal(fs.readFileSync(file, 'utf8'), expectedText, 'only the method on line 9 changed, and Neovim wrote it');

    assert.deepEqual(
      byLineAndCode(result.diagnostics_after),
      EXPECTED.filter(([line, code]) => !(line === 8 && code === 'hba-trust')),
      'the server rechecked the edited buffer',
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
