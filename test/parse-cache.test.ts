// The server's parse cache: a statement parsed again while it is cached gives the same parse; a
// sweep keeps what the round before it used and drops the rest; the bound drops the oldest first,
// round after round of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cachedParse, setParseCacheLimit, sweepParseCache } from '../server/src/engine/sql';
import { initSqlParser } from '../server/src/engine/sql/parser';

const statement = (n: number) => `CREATE TABLE t${n} (id int PRIMARY KEY, note text);`;

test('a sweep drops the parses the last round did not use, and keeps the ones it did', async () => {
  await initSqlParser();
  setParseCacheLimit(32 * 1024 * 1024);
  const [a, b, c] = [1, 2, 3].map((n) => cachedParse(statement(n)));
  assert.equal(cachedParse(statement(1)), a, 'a hit is the parse already made');
  sweepParseCache();
  // Round 2 uses a and c only.
  assert.equal(cachedParse(statement(1)), a);
  assert.equal(cachedParse(statement(3)), c);
  sweepParseCache();
  // b was last used two rounds ago: gone. a and c were used in the last round: kept.
  assert.equal(cachedParse(statement(1)), a);
  assert.equal(cachedParse(statement(3)), c);
  const b2 = cachedParse(statement(2));
  assert.notEqual(b2, b, 'a parse no round used since the sweep before last is made again');
  assert.deepEqual(b2, b);
  // A parse used again after one sweep, before the next, stays: it moved to the newer round.
  sweepParseCache();
  assert.equal(cachedParse(statement(2)), b2);
  sweepParseCache();
  assert.equal(cachedParse(statement(2)), b2);
});

/** An empty cache with room for ten parses of the statements above; one parse may take at most an eighth of the bound. */
async function roomForTen() {
  await initSqlParser();
  const size = statement(200).length + (cachedParse(statement(200)) as { json: string }).json.length;
  setParseCacheLimit(size * 10);
  sweepParseCache();
  sweepParseCache();
}

test('over its bound, the cache drops the least recently added first, and keeps the newest', async () => {
  await roomForTen();
  const first = Array.from({ length: 14 }, (_, i) => cachedParse(statement(100 + i)));
  // The newest ten are still the same objects; the oldest four were dropped.
  for (let i = 4; i < 14; i++) assert.equal(cachedParse(statement(100 + i)), first[i], `parse ${i} kept`);
  for (let i = 0; i < 4; i++) assert.notEqual(cachedParse(statement(100 + i)), first[i], `parse ${i} dropped`);
  setParseCacheLimit(32 * 1024 * 1024);
});

test('eviction keeps dropping the oldest through four bounds of parses, across a sweep', async () => {
  await roomForTen();
  // Four bounds' worth of parses, a sweep half way: each later one added goes past the bound.
  const made = Array.from({ length: 40 }, (_, i) => {
    if (i === 20) sweepParseCache();
    return cachedParse(statement(300 + i));
  });
  for (let i = 30; i < 40; i++) assert.equal(cachedParse(statement(300 + i)), made[i], `parse ${i} kept`);
  for (const i of [29, 20, 19, 10, 0]) assert.notEqual(cachedParse(statement(300 + i)), made[i], `parse ${i} dropped`);
  setParseCacheLimit(32 * 1024 * 1024);
});

test('a one-shot check (a bound of 0) keeps nothing', async () => {
  await initSqlParser();
  setParseCacheLimit(0);
  const a = cachedParse(statement(1000));
  assert.notEqual(cachedParse(statement(1000)), a);
  assert.deepEqual(cachedParse(statement(1000)), a);
  setParseCacheLimit(32 * 1024 * 1024);
});
