// Records PostgreSQL 18's verdict on every statement of the sql-syntax corpus into
// test/sql-syntax/expected/pg18.json (the snapshot test/sql-syntax-oracle.test.ts checks the live
// server against, and falls back to where the server cannot run).
//
//   node --import tsx test/sql-syntax/record.ts
//
// Prints the statements whose verdict is not what their marker (-- @ok / -- @error) says, and
// exits 1 if there are any (the snapshot is written all the same).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { startPostgres } from '../support/postgres';
import { askAll, describe, intentMismatches, loadCorpus, makeSnapshot, ORACLE_MAJOR, SNAPSHOT_FILE } from './corpus';

async function main(): Promise<void> {
  const files = loadCorpus();
  const problems = files.flatMap((f) => f.problems);
  if (problems.length) throw new Error(`corpus layout problems:\n${problems.join('\n')}`);
  const server = await startPostgres(ORACLE_MAJOR, { ssl: false });
  try {
    const verdicts = await askAll(server, files);
    const snap = makeSnapshot(server.version, files, verdicts);
    fs.mkdirSync(path.dirname(SNAPSHOT_FILE), { recursive: true });
    fs.writeFileSync(SNAPSHOT_FILE, JSON.stringify(snap, null, 1) + '\n');
    const all = Object.values(verdicts);
    const rejected = all.filter((v) => !v.parsed).length;
    console.log(`PostgreSQL ${server.version}: ${all.length} statements in ${files.length} files, ${all.length - rejected} parsed, ${rejected} rejected by the parser`);
    console.log(`wrote ${path.relative(process.cwd(), SNAPSHOT_FILE)}`);
    if (process.argv.includes('--verbose')) {
      for (const f of files) for (const s of f.statements) console.log(`${s.id}: ${describe(verdicts[s.id]!)}`);
    }
    const mismatches = intentMismatches(files, verdicts);
    if (mismatches.length) {
      console.log(`\n${mismatches.length} statements do not do what their marker says:\n${mismatches.join('\n')}`);
      process.exitCode = 1;
    }
  } finally {
    await server.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
