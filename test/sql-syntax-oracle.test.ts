// Differential test: our `sql-syntax` verdicts against a real PostgreSQL 18 server (the grammar
// libpg-query 18 is built from).
//
// Corpus: test/sql-syntax/corpus/*.sql, one marker line (`-- @ok` / `-- @error`) before each
// statement; the statement boundaries are the corpus's own, never our splitter's. PostgreSQL's
// verdict on each statement (does its raw parser accept it? if not: message, SQLSTATE, position in
// the file as 0-based line / UTF-16 character) is recorded in test/sql-syntax/expected/pg18.json
// (re-record with `node --import tsx test/sql-syntax/record.ts`). How the server is asked without
// running anything: see test/sql-syntax/corpus.ts.
//
// 1. the corpus is big enough, well formed, recorded, and every statement does what its marker says;
// 2. the live server gives the recorded verdicts (skipped, with the snapshot as the oracle, if the
//    PostgreSQL 18 binaries cannot run here);
// 3. our engine: the statements we flag `sql-syntax` are exactly the ones PostgreSQL's parser
//    rejects, one finding each, with PostgreSQL's message (Finding.pgError) at its position.
//
// SQL_ORACLE_LIMIT=n limits how many disagreements are printed (default: all).

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { PgUnavailableError, startPostgres, type PgServer } from './support/postgres';
import {
  askAll,
  compare,
  compareParser,
  diffVerdicts,
  intentMismatches,
  loadCorpus,
  ORACLE_MAJOR,
  readSnapshot,
  staleInSnapshot,
  type SyntaxFinding,
  type Verdict,
} from './sql-syntax/corpus';

const files = loadCorpus();
const snapshot = readSnapshot();
const statementCount = files.reduce((n, f) => n + f.statements.length, 0);
const PRINT_LIMIT = process.env.SQL_ORACLE_LIMIT ? Number(process.env.SQL_ORACLE_LIMIT) : Infinity;
const RECORD = 'node --import tsx test/sql-syntax/record.ts';

// Started at load time, so the server boots while the corpus checks run.
const starting: Promise<PgServer | Error> = startPostgres(ORACLE_MAJOR, { ssl: false }).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
after(async () => {
  const s = await starting;
  if (!(s instanceof Error)) await s.stop();
});

test('sql-syntax corpus: big enough, well formed, recorded, markers right', (t) => {
  const rejected = snapshot ? Object.values(snapshot.statements).filter((s) => !s.verdict.parsed).length : 0;
  t.diagnostic(`corpus: ${files.length} files, ${statementCount} statements (${rejected} rejected by PostgreSQL's parser)`);
  assert.ok(statementCount >= 250, `the corpus has only ${statementCount} statements`);
  assert.deepEqual(files.flatMap((f) => f.problems), [], 'corpus layout problems');
  for (const f of files) assert.ok(f.statements.length > 0, `${f.name} has no marked statement`);
  const crlf = files.filter((f) => f.name.includes('crlf'));
  assert.ok(crlf.length > 0, 'no CRLF corpus file');
  for (const f of crlf) assert.ok(!/(?<!\r)\n/.test(f.text), `${f.name} lost its CRLF line endings (git normalisation?)`);
  assert.ok(snapshot, `test/sql-syntax/expected/pg18.json is missing: run ${RECORD}`);
  assert.deepEqual(staleInSnapshot(files, snapshot), [], `the snapshot is out of date: run ${RECORD}`);
  const verdicts = Object.fromEntries(Object.entries(snapshot.statements).map(([id, s]) => [id, s.verdict]));
  assert.deepEqual(intentMismatches(files, verdicts), [], 'statements whose marker (-- @ok / -- @error) PostgreSQL contradicts');
});

test(`sql-syntax differential: PostgreSQL ${ORACLE_MAJOR}`, { timeout: 60_000 }, async (t) => {
  const server = await starting;
  let oracle: Record<string, Verdict>;
  let source: string;
  if (server instanceof PgUnavailableError) {
    await t.test(`live PostgreSQL ${ORACLE_MAJOR}`, (st) => st.skip(`PostgreSQL ${ORACLE_MAJOR} cannot start here: ${server.message.split('\n')[0]}`));
    assert.ok(snapshot, 'no live server and no recorded snapshot');
    oracle = Object.fromEntries(Object.entries(snapshot.statements).map(([id, s]) => [id, s.verdict]));
    source = 'recorded snapshot pg18.json (live server unavailable)';
  } else if (server instanceof Error) {
    throw server;
  } else {
    const started = Date.now();
    oracle = await askAll(server, files);
    source = `live PostgreSQL ${server.version}, ${statementCount} statements asked in ${Date.now() - started} ms`;
    await t.test('live server matches the recorded snapshot', () => {
      assert.ok(snapshot, 'test/sql-syntax/expected/pg18.json is missing');
      const recorded = Object.fromEntries(Object.entries(snapshot.statements).map(([id, s]) => [id, s.verdict]));
      const diffs = diffVerdicts(files, oracle, recorded);
      assert.equal(diffs.length, 0, `live PostgreSQL differs from pg18.json on ${diffs.length} statements (corpus changed? re-run ${RECORD}):\n${diffs.slice(0, 30).join('\n')}`);
    });
  }

  // Not an assertion: tells which of the engine's disagreements are the parser's own (nothing a
  // splitter can fix) rather than ours.
  let parserDisagrees = new Set<string>();
  await t.test('libpg-query on each statement\'s exact text (information)', async (st) => {
    const { loadModule, parseSync } = await import('libpg-query');
    await loadModule();
    const lib = compareParser(files, oracle, parseSync);
    parserDisagrees = new Set(lib.disagreements.keys());
    const summary = `libpg-query given each statement's exact text: ${lib.compared} compared, ${lib.disagreements.size} disagree with PostgreSQL`;
    st.diagnostic(summary);
    console.log([summary, ...lib.disagreements.values()].join('\n'));
  });

  await t.test(`our sql-syntax findings agree with PostgreSQL ${ORACLE_MAJOR}`, async () => {
    // Imported here so that the oracle half above runs even while the engine does not load.
    const { initEngine } = await import('../server/src/engine/init');
    const { checkFile } = await import('../server/src/engine/check');
    const { nodeFileSystem } = await import('../server/src/engine/node-fs');
    await initEngine();
    const started = Date.now();
    const acc = compare(files, oracle, (f) => checkFile(f.abs, f.text, 'sql', { pgVersion: ORACLE_MAJOR, fs: nodeFileSystem }) as SyntaxFinding[], parserDisagrees);
    const ms = Date.now() - started;
    const summary =
      `sql-syntax vs ${source}: ${acc.compared} statements compared, ${acc.agreed} agreed ` +
      `(${acc.agreedParsed} parsed by both, ${acc.agreedRejected} rejected by both with the same message and position), ` +
      `${acc.disagreements.length} disagreements; our check of ${files.length} files took ${ms} ms`;
    const shown = acc.disagreements.slice(0, PRINT_LIMIT);
    console.log([summary, ...shown, ...(shown.length < acc.disagreements.length ? [`... ${acc.disagreements.length - shown.length} more`] : [])].join('\n'));
    assert.equal(acc.disagreements.length, 0, `${summary}\n${acc.disagreements.slice(0, 40).join('\n')}`);
  });
});
