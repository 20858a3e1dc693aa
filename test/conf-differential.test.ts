// Differential test: our postgresql.conf checks against real PostgreSQL (every major of CONF_MAJORS).
//
// For every corpus case in test/conf-differential/ (values/ lines, files/, cases/), PostgreSQL
// (`postgres -C`) tells at which stage it stops (syntax and includes, then unknown names, then
// values) and which lines it reports there. Our engine reports everything at once, so it is compared
// stage by stage: where PostgreSQL stopped at stage S, our findings of the rules of earlier stages
// must be none, those of S must equal PostgreSQL's line by line with the same text (Finding.pgError
// on Finding.pgLine), later stages are not compared (PostgreSQL never got there).
//   conf-syntax            <-> syntax errors, include problems, "too many syntax errors"
//   conf-unknown-parameter <-> unrecognized configuration parameter ... in file ... line ...
//   conf-invalid-value     <-> invalid value / requires a Boolean value / outside the valid range ...
//
// Per major: one server, all majors at once; its answers are also checked against the recorded
// snapshot test/conf-differential/expected/pgNN.json (re-record with
// `node --import tsx test/conf-differential/record-oracle.ts`). If the binaries cannot run here at
// all, the live part is skipped and the engine is compared against the snapshot.
//
// Full disagreement lists: stdout, and .test-tmp/conf-differential-pgNN.txt.
// CONF_DIFF_LIMIT=n limits how many disagreements are printed per major (default: all).

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkFile } from '../server/src/engine/check';
import { decodeText, nodeFileSystem } from '../server/src/engine/node-fs';
import { PgUnavailableError, type PgMajor, type PgServer } from './support/postgres';
import {
  askOracleAll,
  compareAll,
  CONF_MAJORS,
  CONF_DIFF_DIR,
  corpusStats,
  diffAnswers,
  formatDisagreements,
  loadCorpus,
  ourAnswer,
  readSnapshot,
  startOracle,
  type CaseAnswer,
  type CheckFileFn,
} from './conf-differential/corpus';
import { staleGeneratedFiles } from './conf-differential/generate';

const cases = loadCorpus();
const REPORT_DIR = path.join(CONF_DIFF_DIR, '..', '..', '.test-tmp');
const PRINT_LIMIT = process.env.CONF_DIFF_LIMIT ? Number(process.env.CONF_DIFF_LIMIT) : Infinity;

interface Live {
  version: string;
  answers: Record<string, CaseAnswer>;
  problems: string[];
  ms: number;
}

// Every major's server starts at once and answers the whole corpus (the runs are independent and
// mostly waiting on process start-up); each test awaits its own.
const running = new Map<PgMajor, Promise<Live | Error>>();
const servers: PgServer[] = [];
const ask = (major: PgMajor): Promise<Live | Error> => {
  let p = running.get(major);
  if (!p) {
    p = (async () => {
      const t0 = Date.now();
      const server = await startOracle(major);
      servers.push(server);
      try {
        const problems: string[] = [];
        const answers = await askOracleAll(server, cases, problems);
        return { version: server.version, answers, problems, ms: Date.now() - t0 };
      } finally {
        await server.stop();
      }
    })().catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
    running.set(major, p);
  }
  return p;
};
after(async () => {
  await Promise.all([...running.values()]);
  for (const s of servers) await s.stop();
});

test('conf differential corpus: generated files current, big enough, snapshots recorded', (t) => {
  for (const m of CONF_MAJORS) void ask(m);
  assert.deepEqual(staleGeneratedFiles(), [], 'generated corpus files are out of date: run node --import tsx test/conf-differential/generate.ts');
  const stats = corpusStats(cases);
  t.diagnostic(`corpus: ${stats.cases} cases, ${stats.settings} setting lines (values/ ${stats.byMode.line}, files/ ${stats.byMode.file}, cases/ ${stats.byMode.case})`);
  assert.ok(stats.settings >= 400, `corpus has only ${stats.settings} setting lines`);
  for (const major of CONF_MAJORS) {
    const snap = readSnapshot(major);
    assert.ok(snap, `test/conf-differential/expected/pg${major}.json is missing: run node --import tsx test/conf-differential/record-oracle.ts`);
    const missing = cases.filter((c) => !(c.id in snap.cases)).map((c) => c.id);
    assert.deepEqual(missing, [], `pg${major}.json lacks cases: re-run test/conf-differential/record-oracle.ts`);
    const ids = new Set(cases.map((c) => c.id));
    const extra = Object.keys(snap.cases).filter((id) => !ids.has(id));
    assert.deepEqual(extra, [], `pg${major}.json has cases the corpus no longer has: re-run test/conf-differential/record-oracle.ts`);
  }
});

for (const major of CONF_MAJORS) {
  test(`postgresql.conf differential: PostgreSQL ${major}`, { timeout: 180_000 }, async (t) => {
    const live = await ask(major);
    const snap = readSnapshot(major);
    let oracle: Record<string, CaseAnswer>;
    let source: string;

    if (live instanceof PgUnavailableError) {
      await t.test(`live PostgreSQL ${major}`, (st) => st.skip(`PostgreSQL ${major} cannot start here: ${live.message.split('\n')[0]}`));
      assert.ok(snap, `no live server and no recorded snapshot for PostgreSQL ${major}`);
      oracle = snap.cases;
      source = `recorded snapshot pg${major}.json (live server unavailable)`;
    } else if (live instanceof Error) {
      throw live; // a broken test environment, not a reason to skip
    } else {
      oracle = live.answers;
      source = `live PostgreSQL ${live.version}, ${live.ms} ms`;
      await t.test('recorded snapshot matches the live server', () => {
        assert.deepEqual(live.problems, [], `PostgreSQL ${major}'s messages could not all be placed on lines (see corpus.ts):\n${live.problems.join('\n')}`);
        assert.ok(snap, `test/conf-differential/expected/pg${major}.json is missing`);
        const diffs = cases.flatMap((c) => diffAnswers(c.id, live.answers[c.id], snap.cases[c.id]));
        assert.equal(
          diffs.length,
          0,
          `live PostgreSQL ${major} differs from pg${major}.json on ${diffs.length} cases (corpus changed? re-run node --import tsx test/conf-differential/record-oracle.ts ${major}):\n${diffs.slice(0, 30).join('\n')}`,
        );
      });
    }

    await t.test(`engine agrees with PostgreSQL ${major}`, () => {
      const t0 = Date.now();
      const acc = compareAll(cases, oracle, (c) => ourAnswer(c, major, checkFile as unknown as CheckFileFn, nodeFileSystem, decodeText));
      const ps = acc.perStage;
      const summary =
        `PostgreSQL ${major} (${source}): ${acc.compared} places compared, ${acc.agreed} agreed ` +
        `(${acc.agreedErrors} with the same error text), ${acc.notComparable} not comparable (PostgreSQL did not read them), ` +
        `${acc.disagreements.length} disagreements; cases stopping at syntax ${ps.syntax.agreed}/${ps.syntax.cases} agreed, ` +
        `unknown names ${ps.unknown.agreed}/${ps.unknown.cases}, values ${ps.value.agreed}/${ps.value.cases}; ` +
        `${acc.laterStageFindings} findings of later stages not compared; engine ${Date.now() - t0} ms`;
      const unread = acc.unreadFindings.length ? [`  our findings where PostgreSQL did not read (${acc.unreadFindings.length}, not counted):`, ...acc.unreadFindings.map((u) => `    ${u}`)] : [];
      fs.mkdirSync(REPORT_DIR, { recursive: true });
      fs.writeFileSync(path.join(REPORT_DIR, `conf-differential-pg${major}.txt`), [summary, formatDisagreements(acc.disagreements), ...unread].join('\n') + '\n');
      console.log([summary, formatDisagreements(acc.disagreements, PRINT_LIMIT), ...unread].join('\n'));
      assert.deepEqual(acc.missingFromOracle, [], 'cases without an oracle answer');
      assert.equal(acc.disagreements.length, 0, `${summary}\n${formatDisagreements(acc.disagreements, 40)}\n(full list: .test-tmp/conf-differential-pg${major}.txt)`);
    });
  });
}
