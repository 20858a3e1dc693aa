// npm run bench [-- --quick] [-- --out DIR] [-- --render]: generates the corpus, measures us against squawk and
// postgres-language-server, writes RESULTS.md and results.json, and prints the ratios.
// Full: bench/RESULTS.md, corpus in bench/corpus/. --quick: a small corpus and one repetition, all
// in a temporary folder (or --out), for the smoke test.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildSync } from 'esbuild';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { FULL, QUICK, SMALL_HBA_LINES, generateCorpus, policyNameEdits, typingEdits } from './corpus';
import { interleaved, ratio, type CliResult, type Contender } from './cli-runs';
import { editSession, startToFirst, workspaceMemory } from './lsp-latency';
import type { ServerCommand } from './lsp-client';
import { describeMachine } from './machine';
import { RSS_METHOD_TEXT } from './processes';
import { clientBundleSize } from './bundle-size';
import { ensurePeers, peerBins } from './peers';
import { OURS, PARSE_FLOOR, PLS, SQUAWK, cliFigure, fmtMs, judge, ratioOf, renderMarkdown, verdict, type Results } from './report';

const ROOT = path.join(__dirname, '..');
const PEERS_DIR = path.join(ROOT, 'bench', '.peers');
const { squawk: SQUAWK_BIN, pls: PLS_BIN } = peerBins(PEERS_DIR);

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, out: { type: 'string' }, render: { type: 'boolean', default: false } } });
const quick = args.quick!;
const scale = quick ? QUICK : FULL;
const outDir = path.resolve(args.out ?? (quick ? fs.mkdtempSync(path.join(os.tmpdir(), 'pgh-bench-')) : path.join(ROOT, 'bench')));
const corpusDir = quick ? path.join(outDir, 'corpus') : path.join(ROOT, 'bench', 'corpus');
// results.json stays out of git: beside RESULTS.md only when that is a temporary or chosen folder.
const jsonFile = path.join(quick || args.out ? outDir : corpusDir, 'results.json');

const rounds = quick ? 1 : 5;
const treeRounds = quick ? 1 : 3;
const warmup = !quick;
const caps = quick
  ? { 'single file': 60_000, tree: 60_000, 'squawk on the tree': 60_000, 'pg_hba.conf': 60_000 }
  : { 'single file': 180_000, tree: 120_000, 'squawk on the tree': 150_000, 'pg_hba.conf': 60_000 };
// squawk answers a pull on the 1 MB file in 12-15 s on a quiet machine: the per-edit limit leaves it room under load.
const lspLimits = quick ? { firstTimeoutMs: 30_000, perEditTimeoutMs: 10_000, budgetMs: 10_000 } : { firstTimeoutMs: 120_000, perEditTimeoutMs: 60_000, budgetMs: 90_000 };
const workspaceCapMs = quick ? 60_000 : 240_000;

const log = (s: string) => process.stdout.write(s + '\n');
const shown = (p: string) => (p.startsWith(ROOT + path.sep) ? path.relative(ROOT, p) : p);

/** Whether the output holds the tool's finished report: a crash exits 1 just as a lint with findings does. */
const expect = (pattern: RegExp, what: string) => (stdout: string, stderr: string) => (pattern.test(stdout + stderr) ? undefined : `no ${what} in the output`);

function ours(cli: string, target: string, timeoutMs: number): Contender {
  const args = [cli, 'check', target, '--format', 'json'];
  return { name: OURS, command: { cmd: process.execPath, args, cwd: ROOT }, display: `node dist/cli.js check ${shown(target)} --format json`, timeoutMs, check: expect(/"diagnostics": \[[\s\S]*\]\s*\}\s*$/, 'JSON report') };
}
function pls(target: string, timeoutMs: number): Contender {
  const args = ['check', '--disable-db', target];
  return { name: PLS, command: { cmd: PLS_BIN, args, cwd: ROOT }, display: `postgres-language-server check --disable-db ${shown(target)}`, timeoutMs, check: expect(/Checked \d+ files? in/, '"Checked N files" summary') };
}
function squawk(target: string, timeoutMs: number, maxRuns?: number): Contender {
  return { name: SQUAWK, command: { cmd: SQUAWK_BIN, args: [target], cwd: ROOT }, display: `squawk ${shown(target)}`, timeoutMs, maxRuns, check: expect(/Found \d+ issues? in \d+ files?|checked \d+ source files?/i, '"Found N issues" summary') };
}

/** PostgreSQL's parser alone on the same input, with nothing else a check does (parse-floor.ts). */
function parseFloor(script: string, target: string, timeoutMs: number, files: number, statements?: number): Contender {
  const parsed = new RegExp(`^parsed ${statements ?? '\\d+'} statements \\(0 with errors\\) in ${files} files`);
  return { name: PARSE_FLOOR, command: { cmd: process.execPath, args: [script, target], cwd: ROOT }, display: `node parse-floor.js ${shown(target)}`, timeoutMs, okCodes: [0], check: expect(parsed, `every statement of ${files} file(s) parsed`) };
}

/** Our CLI's JSON findings counted by rule. */
function findingsByRule(r: CliResult): Record<string, number> {
  const counts: Record<string, number> = {};
  if (!r.lastStdout) return counts;
  for (const d of (JSON.parse(r.lastStdout) as { diagnostics: { rule: string }[] }).diagnostics) counts[d.rule] = (counts[d.rule] ?? 0) + 1;
  return counts;
}

/**
 * Our code as it ships: a production build (minified, as `npm run package` makes it) of the sources
 * now, into the corpus folder, so builds made meanwhile in the shared tree do not mix in.
 */
function buildOurs(to: string): { dir: string; builtAt: Date; kind: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), '--production', '--outdir', to], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the production build failed:\n${r.stdout}${r.stderr}`);
  return { dir: to, builtAt: new Date(), kind: 'production build (scripts/build.mjs --production, as npm run package)' };
}

/** The parse floor, bundled and minified as our CLI is, beside our build (it loads the same libpg-query.wasm from there). */
function buildParseFloor(dir: string): string {
  const outfile = path.join(dir, 'parse-floor.js');
  buildSync({ entryPoints: [path.join(__dirname, 'parse-floor.ts')], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, logLevel: 'warning' });
  return outfile;
}

async function main() {
  const began = performance.now();
  ensurePeers(PEERS_DIR, log);
  const machine = describeMachine(ROOT, { squawk: SQUAWK_BIN, pls: PLS_BIN });
  log(`pg-hardening benchmark (${quick ? 'quick' : 'full'}): ${machine.cpu}, ${machine.cores} cores, node ${machine.node}`);
  log(`corpus → ${shown(corpusDir)}`);
  const corpus = generateCorpus(corpusDir, scale);
  const dist = buildOurs(path.join(corpusDir, 'dist'));
  const cli = path.join(dist.dir, 'cli.js');
  const floor = buildParseFloor(dist.dir);
  log(`our code: a ${dist.kind}, in ${shown(dist.dir)}`);
  const bundle = clientBundleSize(dist.dir);

  log(`CLI, ${(corpus.migrationBytes / 1e6).toFixed(2)} MB migration (${corpus.migrationStatements} statements):`);
  const cap = caps['single file'];
  const single = await interleaved([ours(cli, corpus.migration, cap), pls(corpus.migration, cap), squawk(corpus.migration, cap), parseFloor(floor, corpus.migration, cap, 1, corpus.migrationStatements)], rounds, warmup, log);

  log(`CLI, ${corpus.treeFiles.length}-file tree:`);
  const treeGlob = path.join(corpus.tree, 'migrations', '*.sql');
  const tree = await interleaved(
    [ours(cli, corpus.tree, caps.tree), pls(corpus.tree, caps.tree), squawk(treeGlob, caps['squawk on the tree'], 1), parseFloor(floor, corpus.tree, caps.tree, corpus.treeFiles.length)],
    treeRounds,
    warmup,
    log,
  );

  log(`CLI, ${scale.hbaLines}-line pg_hba.conf, ${corpus.confLines}-line postgresql.conf, start-up floor:`);
  const [hba] = await interleaved([ours(cli, corpus.hba, caps['pg_hba.conf'])], rounds, warmup, log);
  const [conf] = await interleaved([ours(cli, corpus.conf, caps['pg_hba.conf'])], rounds, warmup, log);
  const startupContender: Contender = {
    name: OURS,
    command: { cmd: process.execPath, args: [cli, '--version'], cwd: ROOT },
    display: 'node dist/cli.js --version',
    timeoutMs: 30_000,
    okCodes: [0],
    check: expect(/^\d+\.\d+\.\d+/, 'version'),
  };
  const [startup] = await interleaved([startupContender], rounds, warmup, log);

  const servers: ServerCommand[] = [
    { name: OURS, cmd: process.execPath, args: [path.join(dist.dir, 'server.js'), '--stdio'], cwd: ROOT },
    // lsp-proxy talks to a daemon found through a socket in the user's cache folder: a private one keeps
    // other people's sessions (and their daemon) out of this one.
    { name: PLS, cmd: PLS_BIN, args: ['lsp-proxy'], cwd: ROOT, env: { XDG_CACHE_HOME: path.join(corpusDir, '.pgls-cache') } },
    { name: SQUAWK, cmd: SQUAWK_BIN, args: ['server'], cwd: ROOT },
  ];
  log(`Editor sessions, ${corpus.edits.length} edits each:`);
  const lsp = [];
  for (const s of servers) {
    lsp.push(await editSession(s, corpus.migration, corpus.edits, lspLimits, log));
  }
  log(`Our server, ${corpus.modelEdits.length} edits of policy names (statements the schema model reads):`);
  const lspModelEdits = await editSession({ ...servers[0], name: `${OURS}, edits of policy names` }, corpus.migration, corpus.modelEdits, lspLimits, log);
  // The edits above keep the file's length; typing does not, and moves every statement after it.
  const typed = typingEdits(fs.readFileSync(corpus.migration, 'utf8'), corpus.modelEdits.length);
  log(`Our server, ${typed.length} edits typing a digit into a policy's name and deleting it:`);
  const lspTypingEdits = await editSession({ ...servers[0], name: `${OURS}, typing into policy names` }, corpus.migration, typed, lspLimits, log);
  // The everyday case of a long history: the newest migration is the one being written.
  const newest = corpus.treeFiles[corpus.treeFiles.length - 1];
  const treeEdits = policyNameEdits(fs.readFileSync(newest, 'utf8'), quick ? 10 : 100);
  log(`Our server, ${treeEdits.length} edits of policy names in the newest of the ${corpus.treeFiles.length} files of the tree (the tree is the workspace):`);
  const lspTreeEdits = await editSession({ ...servers[0], name: `${OURS}, edits of policy names in the newest of ${corpus.treeFiles.length} files` }, newest, treeEdits, lspLimits, log, corpus.tree);

  log(`Our server, ${SMALL_HBA_LINES}-line pg_hba.conf, start → first diagnostics:`);
  const hbaStart = await startToFirst(servers[0], corpus.smallHba, 'pg-hba', quick ? 1 : 5, 30_000);
  log(`  ${fmtMs(hbaStart.ms.median)}${hbaStart.error ? ` (${hbaStart.error})` : ''}`);

  log(`Our server, ${corpus.treeFiles.length}-file tree as workspace:`);
  const workspace = await workspaceMemory(servers[0], corpus.tree, workspaceCapMs);
  log(`  ${(workspace.rssKb / 1024).toFixed(0)} MB RSS after the scan${workspace.error ? ` (${workspace.error})` : ''}`);


  const byName = (rs: CliResult[], n: string) => rs.find((r) => r.name === n)!;
  const ratios = {
    singlePls: ratio(byName(single, OURS), byName(single, PLS)),
    singleSquawk: ratio(byName(single, OURS), byName(single, SQUAWK)),
    treePls: ratio(byName(tree, OURS), byName(tree, PLS)),
  };
  const partial: Omit<Results, 'targets'> = {
    mode: quick ? 'quick' : 'full',
    machine,
    loadAtEnd: os.loadavg(),
    distBuild: `${dist.kind} at ${dist.builtAt.toISOString()}`,
    rssMethod: RSS_METHOD_TEXT,
    corpus: {
      migrationBytes: corpus.migrationBytes,
      migrationStatements: corpus.migrationStatements,
      treeFiles: corpus.treeFiles.length,
      treeBytes: corpus.treeBytes,
      hbaLines: scale.hbaLines,
      confLines: corpus.confLines,
      edits: corpus.edits.length,
      smallHbaLines: SMALL_HBA_LINES,
    },
    settings: { rounds, warmup, treeRounds, caps: { ...caps, 'workspace scan': workspaceCapMs }, lsp: lspLimits },
    cli: { single, tree, hba, conf, startup },
    lsp,
    lspModelEdits,
    lspTypingEdits,
    lspTreeEdits,
    hbaStart,
    workspace,
    bundle,
    findings: { single: findingsByRule(byName(single, OURS)), tree: findingsByRule(byName(tree, OURS)), hba: findingsByRule(hba), conf: findingsByRule(conf) },
  };
  const results: Results = { ...partial, targets: judge(partial, ratios) };
  for (const r of [...single, ...tree, hba, conf, startup]) r.lastStdout = '';

  fs.mkdirSync(outDir, { recursive: true });
  const mdFile = path.join(outDir, 'RESULTS.md');
  fs.writeFileSync(mdFile, renderMarkdown(results));
  fs.writeFileSync(jsonFile, JSON.stringify(results, null, 2) + '\n');

  const mbText = `${(corpus.migrationBytes / 1e6).toFixed(2)} MB`;
  log('');
  log(`ours / postgres-language-server, ${mbText} migration: ${ratioOf(byName(single, OURS), byName(single, PLS), ratios.singlePls).text}`);
  log(`ours / squawk, ${mbText} migration: ${ratioOf(byName(single, OURS), byName(single, SQUAWK), ratios.singleSquawk).text}`);
  log(`ours / postgres-language-server, ${corpus.treeFiles.length}-file tree: ${ratioOf(byName(tree, OURS), byName(tree, PLS), ratios.treePls).text} (ours ${cliFigure(byName(tree, OURS))})`);
  for (const t of results.targets) log(`${verdict(t).replace(/\*/g, '')}  ${t.measure}, ${t.target}: ${t.figure}`);
  log(`\nwrote ${shown(mdFile)} and ${shown(jsonFile)} in ${fmtMs(performance.now() - began)}`);
}

if (args.render) {
  // --render: RESULTS.md again from the last run's results.json (after editing bench/MISSES.md), measuring nothing.
  const mdFile = path.join(outDir, 'RESULTS.md');
  fs.writeFileSync(mdFile, renderMarkdown(JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as Results));
  log(`wrote ${shown(mdFile)} from ${shown(jsonFile)}`);
} else
main().catch((e) => {
  process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
