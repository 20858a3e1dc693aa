// Splitting again only around an edit (splitEdited, used while a migration is being edited) must
// give exactly what splitting the whole text gives, and say truly what it changed, for any text and
// any edit: checked with generated texts built from the constructs that change how psql splits
// (quotes, dollar quotes, comments, parentheses, BEGIN ATOMIC, meta-commands, variables), and edits
// anywhere in them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { splitEdited, splitStatements, type SplitEdit, type SqlStatement } from '../server/src/engine/sql/split';
import { listFiles } from './support/expectations';
import { lineStarts, lineStartsAfterEdit } from '../server/src/engine/lines';

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
  let prev = { text: before, statements: splitStatements(before).statements, starts: lineStarts(before) as readonly number[] };
  for (const e of edits) {
    const text = applyEdit(prev.text, e);
    const { statements: incremental, edit } = splitEdited(prev, text);
    const why = `after ${JSON.stringify(e)} on ${JSON.stringify(prev.text)}`;
    assert.deepEqual(incremental, splitStatements(text).statements, why);
    reportsItsEdit(prev, text, incremental, edit, why);
    // The line starts made from the previous ones and the edit are those of the new text.
    const starts = lineStartsAfterEdit(prev.starts, edit, text);
    assert.deepEqual(starts, lineStarts(text), why);
    prev = { text, statements: incremental, starts };
  }
}

/**
 * What splitEdited says it did is what it did (carry-over relies on it): the texts agree outside the
 * change, statements before `from` are the old objects, and those after the replaced ones are the old
 * ones moved by the change in length.
 */
function reportsItsEdit(prev: { text: string; statements: SqlStatement[] }, text: string, now: SqlStatement[], edit: SplitEdit, why: string) {
  assert.equal(edit.before, prev.text, why);
  assert.equal(edit.delta, text.length - prev.text.length, why);
  assert.ok(edit.changeStart <= edit.oldChangeEnd && edit.oldChangeEnd <= prev.text.length, why);
  assert.equal(text.slice(0, edit.changeStart), prev.text.slice(0, edit.changeStart), why);
  assert.equal(text.slice(edit.oldChangeEnd + edit.delta), prev.text.slice(edit.oldChangeEnd), why);
  assert.ok(edit.from <= edit.newTo && edit.from <= edit.oldTo && edit.newTo <= now.length && edit.oldTo <= prev.statements.length, why);
  for (let i = 0; i < edit.from; i++) assert.equal(now[i], prev.statements[i], why);
  assert.equal(now.length - edit.newTo, prev.statements.length - edit.oldTo, why);
  for (let i = edit.newTo; i < now.length; i++) {
    const old = prev.statements[i - edit.newTo + edit.oldTo];
    assert.deepEqual(now[i], { start: old.start + edit.delta, end: old.end + edit.delta, text: old.text }, why);
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
