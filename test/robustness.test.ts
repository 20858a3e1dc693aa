// Whatever bytes a pg_hba.conf or postgresql.conf holds, checking it returns findings (never
// throws, never an internal error) within a time bound, and so does fixing it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkFile } from '../server/src/engine/check';
import { fixFile } from '../server/src/engine/fix';
import { decodeText } from '../server/src/engine/node-fs';
import type { FileSystem } from '../server/src/engine/types';
import { rng } from './support/random';

const noFiles: FileSystem = { readFile: () => ({ code: 'ENOENT' }), readDir: () => ({ code: 'ENOENT' }) };
const FILES = { hba: '/virtual/pg_hba.conf', conf: '/virtual/postgresql.conf' } as const;
const ROOT = path.join(__dirname, '..');

function assertHandled(text: string, what: string, kind: 'hba' | 'conf' = 'hba') {
  const FILE = FILES[kind];
  const start = performance.now();
  for (const version of [13, 15, 17, 18]) {
    const findings = checkFile(FILE, text, kind, { pgVersion: version, fs: noFiles });
    assert.deepEqual(findings.filter((f) => f.rule === 'internal-error').map((f) => f.message), [], what);
    for (const f of findings) assert.ok(f.range.start.line >= 0 && f.range.end.line >= f.range.start.line, what);
  }
  const fixed = fixFile(FILE, text, kind, { pgVersion: 17, fs: noFiles }, true);
  assert.equal(typeof fixed.text, 'string');
  assert.ok(performance.now() - start < 5000, `${what} took ${performance.now() - start} ms`);
}

test('hostile inputs: binary, BOM, CRLF, NUL, huge lines, unterminated quotes', () => {
  const cases: [string, string][] = [
    ['empty', ''],
    ['BOM', '\uFEFFhost all all 10.0.0.0/8 md5\n'],
    ['CRLF', 'host all all 10.0.0.0/8 md5\r\nlocal all all trust\r\n'],
    ['NUL', 'host all\0 all 10.0.0.0/8 md5\n\0\0\0'],
    ['binary', decodeText(new Uint8Array(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)))],
    ['unterminated quote', 'host "all all 10.0.0.0/8 md5\n'],
    ['only continuation', '\\\n\\\n\\'],
    ['huge line', 'host ' + 'a,'.repeat(50_000) + ' all 10.0.0.0/8 md5\n'],
    ['huge token', 'host "' + 'x'.repeat(200_000) + '" all 10.0.0.0/8 md5\n'],
    ['deep continuation', 'host all all \\\n'.repeat(5000) + '10.0.0.0/8 md5\n'],
    ['surrogates', 'host \uD800 \uDC00 all 10.0.0.0/8 md5 # \uD83D\uDE00\n'],
    ['regex bombs', 'host /(((((((((( /[[[[[[ /\\ /a{99999} 10.0.0.0/8 md5\n'],
  ];
  for (const [what, text] of cases) for (const kind of ['hba', 'conf'] as const) assertHandled(text, `${what} as ${kind}`, kind);
});

for (const kind of ['hba', 'conf'] as const)
test(`random mutations of the ${kind} examples never crash the engine`, () => {
  const rand = rng(7);
  const name = kind === 'hba' ? 'pg_hba.conf' : 'postgresql.conf';
  const seeds = [`examples/insecure/${name}`, `examples/hardened/${name}`].map((f) => fs.readFileSync(path.join(ROOT, f), 'utf8'));
  const alphabet = ' \t\r\n\\"\'#,/=@+.:0123456789abcdefMGBkms\u00e9\uFEFF\0';
  for (let i = 0; i < 300; i++) {
    let text = seeds[i % seeds.length];
    for (let k = 0; k < 1 + Math.floor(rand() * 8); k++) {
      const at = Math.floor(rand() * (text.length + 1));
      const op = rand();
      if (op < 0.4) text = text.slice(0, at) + alphabet[Math.floor(rand() * alphabet.length)] + text.slice(at);
      else if (op < 0.7) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(rand() * 20));
      else text = text.slice(0, at) + text.slice(Math.floor(rand() * text.length)).slice(0, 40) + text.slice(at);
    }
    assertHandled(text, `mutation ${i}`, kind);
  }
});
