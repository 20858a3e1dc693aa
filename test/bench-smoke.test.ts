// The benchmark harness in quick mode, so that it cannot rot: it runs end to end, measures every
// figure, and our tools report on its corpus what they should. No timing is asserted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Results } from '../bench/report';
import type { CliResult } from '../bench/cli-runs';

const ROOT = path.join(__dirname, '..');
const RESULTS_MD = path.join(ROOT, 'bench', 'RESULTS.md');

const positive = (x: number, what: string) => assert.ok(Number.isFinite(x) && x > 0, `${what}: ${x}`);

test('npm run bench -- --quick measures everything and writes to its own folder', { timeout: 600_000 }, () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'pgh-bench-smoke-'));
  const committedBefore = fs.existsSync(RESULTS_MD) ? fs.statSync(RESULTS_MD).mtimeMs : undefined;
  try {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick', '--out', out], { cwd: ROOT, encoding: 'utf8', timeout: 540_000 });
    assert.equal(run.status, 0, `exit ${run.status}\n${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /ours \/ postgres-language-server, [\d.]+ MB migration: \d+\.\d+×/);
    assert.match(run.stdout, /ours \/ squawk, [\d.]+ MB migration: \d+\.\d+×/);

    const res = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as Results;
    assert.equal(res.mode, 'quick');
    const cli = (r: CliResult, what: string) => {
      assert.equal(r.error, undefined, `${what}: ${r.error}`);
      assert.equal(r.timedOutAfterMs, undefined, `${what} hit its cap`);
      positive(r.ms.median, `${what} time`);
      positive(r.rssKb.median, `${what} peak RSS`);
    };
    for (const r of [...res.cli.single, ...res.cli.tree]) cli(r, `${r.name} CLI`);
    const contenders = ["PostgreSQL's parser alone", 'pg-hardening', 'postgres-language-server', 'squawk'];
    assert.deepEqual(res.cli.single.map((r) => r.name).sort(), contenders);
    assert.deepEqual(res.cli.tree.map((r) => r.name).sort(), contenders);
    cli(res.cli.hba, 'pg_hba.conf CLI');
    cli(res.cli.conf, 'postgresql.conf CLI');
    cli(res.cli.startup, 'start-up floor');

    assert.deepEqual(res.lsp.map((s) => s.name).sort(), ['pg-hardening', 'postgres-language-server', 'squawk']);
    for (const s of res.lsp) {
      assert.equal(s.error, undefined, `${s.name} session: ${s.error}`);
      positive(s.startToFirstMs!, `${s.name} start → first diagnostics`);
      assert.ok(s.editsSent > 0 && s.editsAnswered > 0, `${s.name}: ${s.editsAnswered}/${s.editsSent} edits answered`);
      positive(s.latencyMs.median, `${s.name} edit latency p50`);
      positive(s.latencyMs.p95, `${s.name} edit latency p95`);
      positive(s.latencyMs.max, `${s.name} edit latency max`);
      positive(s.rssKb, `${s.name} RSS`);
    }
    const ours = res.lsp.find((s) => s.name === 'pg-hardening')!;
    assert.equal(ours.editsAnswered, ours.editsSent, 'our server answers every edit');
    assert.equal(ours.mode, 'push');
    assert.equal(res.lsp.find((s) => s.name === 'squawk')!.mode, 'pull', 'squawk serves pull diagnostics');
    const modelEdits = res.lspModelEdits!;
    assert.equal(modelEdits.error, undefined, modelEdits.error);
    assert.ok(modelEdits.editsSent > 0 && modelEdits.editsAnswered === modelEdits.editsSent, `edits of policy names: ${modelEdits.editsAnswered}/${modelEdits.editsSent} answered`);
    positive(modelEdits.latencyMs.p95, 'edits of policy names, p95');
    const typing = res.lspTypingEdits!;
    assert.equal(typing.error, undefined, typing.error);
    assert.ok(typing.editsSent > 0 && typing.editsSent % 2 === 0 && typing.editsAnswered === typing.editsSent, `typing: ${typing.editsAnswered}/${typing.editsSent} answered`);
    positive(typing.latencyMs.p95, 'typing into policy names, p95');
    // Every digit typed was deleted again: the file is what it was when opened, and so are its findings.
    assert.equal(typing.lastCount, typing.firstCount, 'findings after typing and deleting');
    const treeEdits = res.lspTreeEdits!;
    assert.equal(treeEdits.error, undefined, treeEdits.error);
    assert.ok(treeEdits.editsSent > 0 && treeEdits.editsAnswered === treeEdits.editsSent, `edits in the newest file of the tree: ${treeEdits.editsAnswered}/${treeEdits.editsSent} answered`);
    positive(treeEdits.latencyMs.p95, 'edits in the newest file of the tree, p95');

    positive(res.hbaStart.ms.median, 'pg_hba.conf start → first diagnostics');
    assert.equal(res.workspace.error, undefined, res.workspace.error);
    positive(res.workspace.rssKb, 'workspace RSS');
    assert.ok(res.workspace.filesWithDiagnostics > 0, 'the start-up scan published the history findings');
    positive(res.bundle.activationBytes, 'client bundle');
    assert.ok(res.bundle.languageClientBytes > res.bundle.activationBytes, 'the language client is its own, larger bundle');
    for (const t of res.targets) positive(t.value, `target "${t.measure}, ${t.target}"`);
    // Each ratio to a peer is shown beside the same ratio for the parse alone.
    const withFloor = res.targets.filter((t) => t.floor);
    assert.equal(withFloor.length, 3);
    for (const t of withFloor) positive(t.floor!.value, `parse floor of "${t.measure}, ${t.target}"`);
    assert.equal(res.targets.length, 11);

    // The corpus is valid and insecure where it means to be.
    const { single, tree, hba, conf } = res.findings;
    for (const [input, counts] of Object.entries(res.findings)) {
      assert.equal(counts['internal-error'], undefined, `${input}: internal error`);
      assert.equal(counts['file-too-large'], undefined, `${input}: not checked, too large`);
    }
    assert.equal(single['sql-syntax'], undefined, 'the generated migration parses');
    assert.equal(tree['sql-syntax'], undefined, 'the generated tree parses');
    assert.ok(single['sql-tenant-table-without-rls'] > 0, JSON.stringify(single));
    for (const rule of ['sql-tenant-table-without-rls', 'sql-rls-not-forced', 'sql-policy-missing-with-check', 'sql-security-definer-search-path', 'sql-plaintext-password'])
      assert.ok(tree[rule] > 0, `${rule} in the tree: ${JSON.stringify(tree)}`);
    assert.ok(hba['hba-unreachable'] > 0 && hba['hba-md5'] > 0, JSON.stringify(hba));
    assert.equal(hba['hba-syntax'], undefined, 'the generated pg_hba.conf is valid');
    for (const rule of ['conf-syntax', 'conf-unknown-parameter', 'conf-invalid-value'])
      assert.equal(conf[rule], undefined, `${rule} in the generated postgresql.conf`);

    const md = fs.readFileSync(path.join(out, 'RESULTS.md'), 'utf8');
    assert.match(md, /\| measure \| target \| ours \| result \|/);
    assert.equal(md.match(/\| (PASS|\*\*MISS\*\*( \([^|]+\))?) \|$/gm)?.length, 11);
    assert.equal(fs.existsSync(RESULTS_MD) ? fs.statSync(RESULTS_MD).mtimeMs : undefined, committedBefore, 'quick mode leaves bench/RESULTS.md alone');
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
