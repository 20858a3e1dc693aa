// The indexed search for shadowing records finds exactly what comparing every pair finds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeHba } from '../server/src/engine/hba';
import { findShadowing, recordCovers } from '../server/src/engine/hba/coverage';
import type { FileSystem } from '../server/src/engine/types';
import { rng } from './support/random';

const noFiles: FileSystem = { readFile: () => ({ code: 'ENOENT' }), readDir: () => ({ code: 'ENOENT' }) };

// Few lines over many addresses, and many lines over few addresses, where the index files each
// address's records by database and user as well.
const SHAPES = [
  { rounds: 30, lines: 150, addresses: 9 },
  { rounds: 10, lines: 600, addresses: 3 },
];

test('findShadowing agrees with the pairwise definition on random files', () => {
  const rand = rng(42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  for (const shape of SHAPES) {
    for (let round = 0; round < shape.rounds; round++) {
      const lines: string[] = [];
      for (let i = 0; i < shape.lines; i++) {
        const type = pick(['host', 'hostssl', 'hostnossl', 'hostgssenc', 'hostnogssenc', 'local']);
        const db = pick(['all', 'app', 'replication', '"all"', 'app,other', 'sameuser', 'other', '"replication"', 'all,replication', 'other,app', 'samerole']);
        const user = pick(['all', 'alice', '+admins', 'alice,bob', 'bob', '"alice"', '"all"', 'carol,alice', 'all,bob', '+admins,alice']);
        const method = pick(['scram-sha-256', 'reject', 'md5']);
        const addr = pick([
          `10.${Math.floor(rand() * 4)}.0.0/${pick([8, 16, 24])}`,
          '0.0.0.0/0',
          'all',
          `10.${Math.floor(rand() * 4)}.${Math.floor(rand() * 4)}.0 255.255.${pick([0, 255])}.0`,
          '10.0.0.0 255.0.255.0',
          '::/0',
          `fd00:${Math.floor(rand() * 3)}::/${pick([16, 32, 48])}`,
          'samehost',
          'db.example.com',
        ].slice(0, shape.addresses));
        lines.push(type === 'local' ? `local ${db} ${user} ${method}` : `${type} ${db} ${user} ${addr} ${method}`);
      }
      const { records } = analyzeHba('/virtual/pg_hba.conf', lines.join('\n'), { pgVersion: 17, fs: noFiles });
      const expected = new Map();
      records.forEach((b, j) => {
        const a = records.slice(0, j).find((x) => recordCovers(x, b));
        if (a) expected.set(b, a);
      });
      const got = findShadowing(records);
      assert.equal(got.size, expected.size, `${shape.lines} lines, round ${round}`);
      for (const [b, a] of expected) assert.equal(got.get(b), a, `${shape.lines} lines, round ${round}, line ${b.source.line + 1}`);
      assert.ok(expected.size > 0);
    }
  }
});
