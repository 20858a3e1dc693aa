// Splitting again only around an edit (splitChanged, used while a migration is being edited) must
// give exactly what splitting the whole text gives, for any text and any edit: checked with
// generated texts built from the constructs that change how psql splits (quotes, dollar quotes,
// comments, parentheses, BEGIN ATOMIC, meta-commands, variables), and edits anywhere in them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { splitChanged, splitStatements } from '../server/src/engine/sql/split';
import { listFiles } from './support/expectations';

const LONG = process.env.PG_HARDEN_FUZZ === 'long';
const ROOT = path.join(__dirname, '..');

const PIECES = [
  'SELECT 1', ';', ' ', '\n', "'", "''", 'E', "\\'", '"', '$$', '$t$', '$', '--', '/*', '*/', '(', ')', 'BEGIN', ' ATOMIC', 'END', 'CASE',
  '\\g', '\\set x 1\n', ':x', ":'x'", 'CREATE TABLE t (a int)', 'GRANT ALL ON t TO PUBLIC', 'é', '😀', '\r\n', '\0',
];
const sqlText = fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }).map((parts) => parts.join(''));
const edit = (text: string) =>
  fc.record({ at: fc.nat({ max: text.length }), remove: fc.nat({ max: 12 }), insert: fc.array(fc.constantFrom(...PIECES), { maxLength: 3 }).map((p) => p.join('')) });

function applyEdit(text: string, e: { at: number; remove: number; insert: string }): string {
  return text.slice(0, e.at) + e.insert + text.slice(Math.min(text.length, e.at + e.remove));
}

function sameAsWholeSplit(before: string, edits: { at: number; remove: number; insert: string }[]) {
  let prev = { text: before, statements: splitStatements(before).statements };
  for (const e of edits) {
    const text = applyEdit(prev.text, e);
    const incremental = splitChanged(prev, text);
    assert.deepEqual(incremental, splitStatements(text).statements, `after ${JSON.stringify(e)} on ${JSON.stringify(prev.text)}`);
    prev = { text, statements: incremental };
  }
}

test('generated SQL, a series of edits anywhere: the same statements as splitting the whole text', () => {
  fc.assert(
    fc.property(
      sqlText.chain((t) => fc.tuple(fc.constant(t), fc.array(edit(t), { minLength: 1, maxLength: 5 }))),
      ([text, edits]) => sameAsWholeSplit(text, edits),
    ),
    { numRuns: LONG ? 50_000 : 2_000, seed: LONG ? Date.now() : 7 },
  );
});

test('the fixture and example migrations, single-character edits at every 97th offset: the same statements', () => {
  const files = listFiles(path.join(ROOT, 'test', 'fixtures', 'sql')).concat(listFiles(path.join(ROOT, 'examples'))).filter((f) => f.endsWith('.sql'));
  assert.ok(files.length > 20, `${files.length} SQL files`);
  let edits = 0;
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    for (let at = 0; at <= text.length; at += 97)
      for (const insert of ['x', ';', "'", '$$', '(', '']) {
        sameAsWholeSplit(text, [{ at, remove: insert === '' ? 1 : 0, insert }]);
        edits++;
      }
  }
  assert.ok(edits > 1000, `${edits} edits`);
});
