// Runs every corpus case through pg_hba_file_rules of real PostgreSQL 14..18 and writes
// test/differential/expected/pgNN.json (file -> line -> null | error text).
//
//   node --import tsx test/differential/record-oracle.ts            # all majors
//   node --import tsx test/differential/record-oracle.ts 16 17      # some
//   node --import tsx test/differential/record-oracle.ts --check    # exit 1 if a snapshot is stale
//
// Re-run after adding or changing corpus files (and after generate.ts).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PG_MAJORS, type PgMajor } from '../support/postgres';
import { askOracle, corpusStats, EXPECTED_DIR, formatSnapshot, loadCorpus, NOT_COMPARABLE, oracleSettings, snapshotPath, startOracle, type Snapshot } from './corpus';

export async function recordMajor(major: PgMajor): Promise<Snapshot> {
  const cases = loadCorpus();
  const server = await startOracle(major);
  try {
    const snap: Snapshot = {
      major,
      serverVersion: server.version,
      recordedWith: `test/differential/record-oracle.ts: pg_hba_file_rules (+ DEBUG3 log text where its error is NULL); ssl = on${Object.entries(oracleSettings(major)).map(([k, v]) => `, ${k} = '${v}'`).join('')}; build without LDAP/PAM/GSSAPI/SSPI/BSD`,
      cases: {},
    };
    for (const c of cases) snap.cases[c.id] = await askOracle(server, c);
    return snap;
  } finally {
    await server.stop();
  }
}

function summarize(s: Snapshot): string {
  let records = 0;
  let errors = 0;
  let unsupported = 0;
  for (const answer of Object.values(s.cases)) {
    for (const lines of Object.values(answer)) {
      for (const v of Object.values(lines)) {
        records++;
        if (v !== null) errors++;
        if (v !== null && [v].flat().some((e) => NOT_COMPARABLE.test(e))) unsupported++;
      }
    }
  }
  return `PostgreSQL ${s.serverVersion}: ${records} lines with a row, ${errors} errors (${unsupported} not comparable)`;
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const asked = process.argv.slice(2).filter((a) => /^\d+$/.test(a)).map(Number) as PgMajor[];
  const majors = asked.length ? asked : [...PG_MAJORS];
  const stats = corpusStats(loadCorpus());
  console.log(`corpus: ${Object.keys(stats).length} cases, ${Object.values(stats).reduce((a, b) => a + b, 0)} non-comment lines`);
  fs.mkdirSync(EXPECTED_DIR, { recursive: true });
  let stale = false;
  // Two majors at a time: start-up dominates and the servers are independent.
  for (let i = 0; i < majors.length; i += 2) {
    const batch = majors.slice(i, i + 2);
    const t0 = Date.now();
    const snaps = await Promise.all(batch.map(recordMajor));
    for (const s of snaps) {
      const text = formatSnapshot(s);
      const p = snapshotPath(s.major);
      const rel = path.relative(process.cwd(), p);
      if (check) {
        const same = fs.existsSync(p) && fs.readFileSync(p, 'utf8') === text;
        if (!same) stale = true;
        console.log(`${rel}: ${same ? 'up to date' : 'STALE'} - ${summarize(s)}`);
      } else {
        fs.writeFileSync(p, text);
        console.log(`wrote ${rel} - ${summarize(s)}`);
      }
    }
    console.log(`  (${batch.join(', ')} in ${Date.now() - t0} ms)`);
  }
  if (stale) process.exit(1);
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
