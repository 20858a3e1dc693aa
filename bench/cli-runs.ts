// Whole-process CLI runs of several tools on the same input, interleaved round by round (A B C,
// B C A, ...) so that a slow spell of the machine hits every tool, and a ratio per round.
import { runProcess, type Command, type ProcessRun } from './processes';
import { summarize, type Summary } from './stats';

export interface Contender {
  name: string;
  command: Command;
  /** The command as a reader would type it. */
  display: string;
  timeoutMs: number;
  /** Exit codes that mean "ran and reported" (linters exit 1 when they find something). */
  okCodes?: number[];
  /** Stop after this many measured runs (a slow peer measured once, capped). */
  maxRuns?: number;
  /** Whether the output is a finished report (a crash can exit 1 too); a reason when it is not. */
  check?: (stdout: string, stderr: string) => string | undefined;
}

export interface CliResult {
  name: string;
  display: string;
  /** Measured runs by round; undefined where the tool did not run that round. */
  byRound: (ProcessRun | undefined)[];
  ms: Summary;
  rssKb: Summary;
  /** The cap, when a run hit it: the figure is then "more than timeoutMs". */
  timedOutAfterMs?: number;
  error?: string;
  /** The last measured run's output, for checking what the tool reported. */
  lastStdout: string;
}

export interface Ratio {
  /** median(ours) / median(peer). */
  ofMedians: number;
  /** ours/peer within each round where both ran. */
  perRound: Summary;
}

export async function interleaved(contenders: Contender[], rounds: number, warmup: boolean, log: (s: string) => void): Promise<CliResult[]> {
  const results: CliResult[] = contenders.map((c) => ({ name: c.name, display: c.display, byRound: [], ms: summarize([]), rssKb: summarize([]), lastStdout: '' }));
  const active = new Set(contenders.map((_, i) => i));
  for (let round = warmup ? -1 : 0; round < rounds; round++) {
    const order = contenders.map((_, i) => (i + Math.max(round, 0)) % contenders.length);
    for (const i of order) {
      const c = contenders[i];
      // A tool measured once (a slow peer under a cap) is not worth a warm-up run.
      if (!active.has(i) || (round < 0 && c.maxRuns === 1)) continue;
      const run = await runProcess(c.command, c.timeoutMs);
      const r = results[i];
      const label = round < 0 ? 'warm-up' : `round ${round + 1}/${rounds}`;
      if (run.timedOut) {
        r.timedOutAfterMs = c.timeoutMs;
        active.delete(i);
        log(`  ${c.name} ${label}: stopped at the ${(c.timeoutMs / 1000).toFixed(0)} s cap`);
        continue;
      }
      const wrong = (c.okCodes ?? [0, 1]).includes(run.code ?? -1) ? c.check?.(run.stdout, run.stderr) : `exit code ${run.code}`;
      if (wrong) {
        r.error = `${wrong}: ${run.stderr.trim().split('\n').slice(-3).join(' / ')}`;
        active.delete(i);
        log(`  ${c.name} ${label}: failed (${r.error})`);
        continue;
      }
      log(`  ${c.name} ${label}: ${(run.ms / 1000).toFixed(2)} s, ${(run.peakRssKb / 1024).toFixed(0)} MB`);
      r.lastStdout = run.stdout;
      if (round < 0) continue;
      r.byRound[round] = { ...run, stdout: '' };
      if (c.maxRuns !== undefined && r.byRound.filter(Boolean).length >= c.maxRuns) active.delete(i);
    }
  }
  for (const r of results) {
    const runs = r.byRound.filter((x): x is ProcessRun => x !== undefined);
    r.ms = summarize(runs.map((x) => x.ms));
    r.rssKb = summarize(runs.map((x) => x.peakRssKb));
  }
  return results;
}

export function ratio(ours: CliResult, peer: CliResult): Ratio {
  const perRound: number[] = [];
  ours.byRound.forEach((o, i) => {
    const p = peer.byRound[i];
    if (o && p) perRound.push(o.ms / p.ms);
  });
  return { ofMedians: ours.ms.median / peer.ms.median, perRound: summarize(perRound) };
}
