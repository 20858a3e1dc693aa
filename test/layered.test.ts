// A layer over a base must read as a copy of the base changed the same way would: the same
// answers, the same size, the same order, whatever the changes; and the base stays as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LayeredMap, LayeredSet } from '../server/src/engine/sql/layered';

const key = fc.integer({ min: 0, max: 12 }).map((n) => `k${n}`);
const op = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key, value: fc.integer() }),
  fc.record({ kind: fc.constant('delete' as const), key }),
  fc.record({ kind: fc.constant('read' as const), key }),
);

/** Everything a reader can see of a map. */
function seen(m: Map<string, number>, probe: string) {
  return {
    size: m.size,
    entries: [...m],
    keys: [...m.keys()],
    values: [...m.values()],
    each: (() => {
      const out: [string, number][] = [];
      m.forEach((v, k) => out.push([k, v]));
      return out;
    })(),
    get: m.get(probe),
    has: m.has(probe),
  };
}

test('a LayeredMap reads as a changed copy of its base would, and leaves the base alone', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(key, fc.integer())), fc.array(op, { maxLength: 40 }), (start, ops) => {
      const base = new Map(start);
      const before = [...base];
      const layered = new LayeredMap(base);
      const copy = new Map(base);
      for (const o of ops) {
        if (o.kind === 'set') assert.equal(layered.set(o.key, o.value), layered), copy.set(o.key, o.value);
        if (o.kind === 'delete') assert.equal(layered.delete(o.key), copy.delete(o.key));
        assert.deepEqual(seen(layered, o.key), seen(copy, o.key));
      }
      assert.deepEqual([...base], before);
      // A layer over a layer (a state kept during a build, then gone on from).
      const upper = new LayeredMap(layered);
      const copy2 = new Map(copy);
      for (const o of ops) {
        if (o.kind === 'set') upper.set(o.key, -o.value), copy2.set(o.key, -o.value);
        if (o.kind === 'delete') assert.equal(upper.delete(o.key), copy2.delete(o.key));
        assert.deepEqual(seen(upper, o.key), seen(copy2, o.key));
      }
    }),
    { numRuns: 500 },
  );
});

test('a LayeredSet reads as a changed copy of its base would, and leaves the base alone', () => {
  fc.assert(
    fc.property(fc.array(key), fc.array(op, { maxLength: 40 }), (start, ops) => {
      const base = new Set(start);
      const before = [...base];
      const layered = new LayeredSet(base);
      const copy = new Set(base);
      for (const o of ops) {
        if (o.kind === 'set') layered.add(o.key), copy.add(o.key);
        if (o.kind === 'delete') assert.equal(layered.delete(o.key), copy.delete(o.key));
        assert.deepEqual(
          [layered.size, [...layered], [...layered.entries()], layered.has(o.key)],
          [copy.size, [...copy], [...copy.entries()], copy.has(o.key)],
        );
      }
      assert.deepEqual([...base], before);
    }),
    { numRuns: 500 },
  );
});
