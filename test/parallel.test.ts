// A one-shot check parses in batches (one JSON string per batch, sliced per statement) and, for a
// large migration set, on a worker thread as well: every statement must come out as a parse on the
// main thread, one at a time, makes it — errors, non-ASCII text and empty statements included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initSqlParser, outcomesOf, parseBatch, parseSql } from '../server/src/engine/sql/parser';
import { analyzeSql, setParseCacheLimit, type SqlAnalysis } from '../server/src/engine/sql';
import { splitStatements } from '../server/src/engine/sql/split';
import { parseInParallel } from '../server/src/engine/sql/parallel';

const ROOT = path.join(__dirname, '..');
const WORKER = path.join(ROOT, 'dist', 'parse-worker.js');

const STATEMENTS = [
  'CREATE TABLE t (id int PRIMARY KEY, note text);',
  "INSERT INTO t VALUES (1, 'café 😀 naïve');",
  'SELEC 1;',
  '',
  '-- only a comment',
  'GRANT SELECT ON t TO PUBLIC; CREATE POLICY p ON t USING (true);',
  "CREATE FUNCTION f() RETURNS int LANGUAGE sql Begin Atomic SELECT 1; END;",
  "COMMENT ON TABLE t IS 'Ω';",
  "SELECT 'unterminated",
];

/** What a check reads of each statement. */
function shape(a: SqlAnalysis) {
  return a.statements.map((s) => ({ start: s.start, end: s.end, text: s.text, types: s.types, error: s.error, ast: JSON.stringify(s.ast) }));
}

test('a batch parse gives each statement what parsing it alone gives', async () => {
  await initSqlParser();
  for (const texts of [STATEMENTS, STATEMENTS.filter((t) => !/[^\x00-\x7f]/.test(t)), [], ['SELECT 1;']]) {
    assert.deepEqual(outcomesOf(parseBatch(texts)), texts.map(parseSql), JSON.stringify(texts));
  }
});

test('BEGIN ATOMIC is found in any case, so its inner semicolons do not end the statement', () => {
  const text = 'create function f() returns int language sql bEgIn aToMiC select 1; select 2; eNd; SELECT 3;';
  assert.deepEqual(
    splitStatements(text).statements.map((s) => s.text.trim()),
    ['create function f() returns int language sql bEgIn aToMiC select 1; select 2; eNd;', 'SELECT 3;'],
  );
});

test('a one-shot analysis (no parses kept) reads every statement as a cached one does', async () => {
  await initSqlParser();
  const text = STATEMENTS.join('\n');
  const cached = shape(analyzeSql('/cached.sql', text));
  setParseCacheLimit(0);
  try {
    assert.deepEqual(shape(analyzeSql('/one-shot.sql', text)), cached);
  } finally {
    setParseCacheLimit(32 * 1024 * 1024);
  }
});

test('files parsed by the worker thread analyze as files parsed on the main thread', { skip: (os.availableParallelism() < 2 || !fs.existsSync(WORKER)) && 'one CPU, or no built worker' }, async () => {
  await initSqlParser();
  // Every other file has psql's meta-commands and variables, which the splitter blanks in the statements' texts.
  const psql = (i: number) => (i % 2 ? "\\set ON_ERROR_STOP on\nSELECT :'name' AS n;\n\\connect app\n" : '');
  const files = Array.from({ length: 12 }, (_, i) => ({ file: `/m/${String(i).padStart(3, '0')}.sql`, text: psql(i) + STATEMENTS.map((s) => s.replace(/\bt\b/g, `t${i}`)).join('\n') }));
  const fresh = files.map((f) => shape(analyzeSql(f.file, f.text)));
  setParseCacheLimit(0);
  try {
    // The worker parses every file before the main thread asks for any.
    const all = parseInParallel(files, { minChars: 0, script: WORKER });
    assert.equal(all.workers, 1);
    for (const deadline = Date.now() + 60_000; all.parsedByWorker() < files.length; ) {
      assert.ok(Date.now() < deadline, `the worker parsed ${all.parsedByWorker()} of ${files.length} files in 60 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
    files.forEach((f, i) => assert.deepEqual(shape(analyzeSql(f.file, f.text)), fresh[i], f.file));
    assert.equal(all.taken(), files.length);
    all.stop();
    // Both threads at once: whichever claims a file parses it.
    const race = parseInParallel(files, { minChars: 0, script: WORKER });
    files.forEach((f, i) => assert.deepEqual(shape(analyzeSql(f.file, f.text)), fresh[i], f.file));
    assert.ok(race.taken() <= race.parsedByWorker());
    race.stop();
    // A file whose text changed since it was handed over is parsed again here.
    const changed = parseInParallel(files, { minChars: 0, script: WORKER });
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(shape(analyzeSql(files[11].file, `${files[11].text}\nSELECT 1;`)), shape(analyzeSql('/other.sql', `${files[11].text}\nSELECT 1;`)));
    assert.equal(changed.taken(), 0);
    changed.stop();
  } finally {
    setParseCacheLimit(32 * 1024 * 1024);
  }
});

test('a worker that fails leaves every file to the main thread, and the run goes on', { skip: os.availableParallelism() < 2 && 'one CPU' }, async () => {
  await initSqlParser();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgh-worker-'));
  const failing = path.join(dir, 'worker.js');
  fs.writeFileSync(failing, "throw new Error('the worker failed to load');\n");
  try {
    const files = Array.from({ length: 4 }, (_, i) => ({ file: `/f/${i}.sql`, text: STATEMENTS.join('\n') }));
    const fresh = files.map((f) => shape(analyzeSql(f.file, f.text)));
    setParseCacheLimit(0);
    const run = parseInParallel(files, { minChars: 0, script: failing });
    await new Promise((r) => setTimeout(r, 500));
    files.forEach((f, i) => assert.deepEqual(shape(analyzeSql(f.file, f.text)), fresh[i], f.file));
    assert.equal(run.taken(), 0);
    run.stop();
  } finally {
    setParseCacheLimit(32 * 1024 * 1024);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
