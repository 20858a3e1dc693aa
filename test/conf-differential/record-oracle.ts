// Runs every corpus case through `postgres -C` of real PostgreSQL (every major of CONF_MAJORS) and
// writes test/conf-differential/expected/pgNN.json (case -> stage, errors by file and line, ...).
//
//   node --import tsx test/conf-differential/record-oracle.ts                   # all majors
//   node --import tsx test/conf-differential/record-oracle.ts 16 17             # some
//   node --import tsx test/conf-differential/record-oracle.ts --check           # exit 1 if a snapshot is stale
//   node --import tsx test/conf-differential/record-oracle.ts --verify-batching # also ask about every
//        values/ line alone and require the same answers as the shared runs (slow: ~10 ms a line)
//
// Re-run after adding or changing corpus files (and after generate.ts). Refuses to write a
// snapshot when PostgreSQL's messages could not be placed on lines exactly (see corpus.ts).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PgMajor } from '../support/postgres';
import { askOracle, askOracleAll, CONF_MAJORS, corpusStats, EXPECTED_DIR, formatSnapshot, loadCorpus, snapshotPath, startOracle, type Snapshot } from './corpus';

export const RECORDED_WITH =
  'test/conf-differential/record-oracle.ts: postgres -C port --config-file=<case>/postgresql.conf against an initdb data directory with an empty postgresql.auto.conf; lc_messages=C; values/ lines asked about in shared runs (corpus.ts askOracleAll)';

export async function recordMajor(major: PgMajor, opts: { verifyBatching?: boolean } = {}): Promise<{ snap: Snapshot; problems: string[] }> {
  const cases = loadCorpus();
  const server = await startOracle(major);
  const problems: string[] = [];
  try {
    const snap: Snapshot = { major, serverVersion: server.version, recordedWith: RECORDED_WITH, cases: await askOracleAll(server, cases, problems) };
    if (opts.verifyBatching) {
      for (const c of cases) {
        if (c.mode !== 'line' || c.alone) continue;
        const alone = JSON.stringify(await askOracle(server, c, problems));
        const shared = JSON.stringify(snap.cases[c.id]);
        if (alone !== shared) problems.push(`${c.id}: alone ${alone} / in a shared run ${shared}`);
      }
    }
    return { snap, problems };
  } finally {
    await server.stop();
  }
}

function summarize(s: Snapshot): string {
  const stages: Record<string, number> = {};
  for (const a of Object.values(s.cases)) stages[a.stage] = (stages[a.stage] ?? 0) + 1;
  return `PostgreSQL ${s.serverVersion}: ${Object.keys(s.cases).length} cases (${Object.entries(stages)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ')})`;
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const verifyBatching = process.argv.includes('--verify-batching');
  const asked = process.argv.slice(2).filter((a) => /^\d+$/.test(a)).map(Number) as PgMajor[];
  const majors = asked.length ? asked : [...CONF_MAJORS];
  const stats = corpusStats(loadCorpus());
  console.log(`corpus: ${stats.cases} cases, ${stats.settings} setting lines (values/ ${stats.byMode.line}, files/ ${stats.byMode.file}, cases/ ${stats.byMode.case})`);
  fs.mkdirSync(EXPECTED_DIR, { recursive: true });
  let failed = false;
  const t0 = Date.now();
  const results = await Promise.all(majors.map((m) => recordMajor(m, { verifyBatching })));
  for (const { snap, problems } of results) {
    const p = snapshotPath(snap.major);
    const rel = path.relative(process.cwd(), p);
    if (problems.length) {
      failed = true;
      console.log(`PostgreSQL ${snap.major}: ${problems.length} problem(s); ${rel} not written:\n  ${problems.join('\n  ')}`);
      continue;
    }
    const text = formatSnapshot(snap);
    if (check) {
      const same = fs.existsSync(p) && fs.readFileSync(p, 'utf8') === text;
      if (!same) failed = true;
      console.log(`${rel}: ${same ? 'up to date' : 'STALE'} - ${summarize(snap)}`);
    } else {
      fs.writeFileSync(p, text);
      console.log(`wrote ${rel} - ${summarize(snap)}`);
    }
  }
  console.log(`(${majors.join(', ')} in ${Date.now() - t0} ms)`);
  if (failed) process.exit(1);
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
