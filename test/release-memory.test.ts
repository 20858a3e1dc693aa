// The language server collects its garbage once checks pause, not while they go on, and only when
// the heap has grown enough to be worth a full collection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import { releaseMemory, releaseWhenIdle } from '../server/src/lsp/release-memory';

const MB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const used = () => v8.getHeapStatistics().used_heap_size;

test('a full collection gives back what a check left behind', () => {
  releaseMemory();
  const before = used();
  let keep: string[][] = [];
  for (let i = 0; i < 4000; i++) keep.push(Array.from({ length: 1024 }, (_, j) => `${i}:${j}`));
  assert.ok(used() > before + 64 * MB);
  keep = [];
  releaseMemory();
  assert.ok(used() < before + 8 * MB, `${(used() / MB).toFixed(0)} MB in use after, ${(before / MB).toFixed(0)} MB before`);
  void keep;
});

test('checks that keep coming hold the collection off; the pause after them collects, once', async () => {
  releaseMemory();
  const base = used();
  let collections = 0;
  const grown = { used: () => base + 100 * MB, collect: () => collections++ };
  // A check every 500 ms: never two seconds without one.
  for (let i = 0; i < 6; i++) {
    releaseWhenIdle(grown);
    await sleep(500);
  }
  assert.equal(collections, 0, 'no collection while checks go on');
  await sleep(1600);
  assert.equal(collections, 1, 'one collection after the pause');
});

test('a pause after little growth does not collect', async () => {
  releaseMemory();
  const base = used();
  let collections = 0;
  releaseWhenIdle({ used: () => base + 16 * MB, collect: () => collections++ });
  await sleep(2300);
  assert.equal(collections, 0);
});
