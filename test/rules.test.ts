// Every rule is complete: registered, documented (page up to date), with a fixture folder, a bad
// example that triggers it and a good example that does not, and fixes that leave valid files.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RULES } from '../server/src/rules';
import { checkFile } from '../server/src/engine/check';
import { applyEdits, fixFile } from '../server/src/engine/fix';
import type { FileSystem } from '../server/src/engine/types';
import { expectedDocs } from '../scripts/gen-docs';
import { initEngine } from '../server/src/engine/init';
import { listFiles } from './support/expectations';

before(() => initEngine());

const ROOT = path.join(__dirname, '..');
const noFiles: FileSystem = { readFile: () => ({ code: 'ENOENT' }), readDir: () => ({ code: 'ENOENT' }) };

/** A rule's example as a main file of its kind, with its companion file beside it when it has one. */
function checkExample(rule: (typeof RULES)[number], which: 'bad' | 'good') {
  const file = { hba: '/virtual/pg_hba.conf', conf: '/virtual/postgresql.conf', sql: '/virtual/001_schema.sql' }[rule.kind];
  const companion = rule.docs.companion;
  const fs: FileSystem = {
    readFile: (p) => (companion && p === `/virtual/${companion.file}` ? companion[which] : { code: 'ENOENT' }),
    readDir: () => ({ code: 'ENOENT' }),
  };
  return checkFile(file, rule.docs[which], rule.kind, { pgVersion: 17, fs });
}
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

test('the registry lists every rule module, sorted, once', () => {
  const files = fs
    .readdirSync(path.join(ROOT, 'server', 'src', 'rules'))
    .filter((f) => /^(hba|conf|sql|ident)-.*\.ts$/.test(f) && !f.endsWith('-helpers.ts'))
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();
  assert.deepEqual(RULES.map((r) => r.id), files);
});

test('docs/rules is generated from the rule modules and up to date', () => {
  for (const [file, text] of expectedDocs())
    assert.equal(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '(missing)', text, `${file} is stale: run npm run docs`);
});

test('package.json ships the docs the server links to and the settings schema it contributes', () => {
  const ignore = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8');
  assert.match(ignore, /!docs\/rules\/\*\*/);
  assert.match(ignore, /!schemas\/\*\*/);
  // Unset, so a .pg-hardening.json can say which version; the server falls back to 17.
  assert.equal(pkg.contributes.configuration.properties['pg-hardening.postgresVersion'].default, null);
  for (const v of pkg.contributes.jsonValidation) assert.ok(fs.existsSync(path.join(ROOT, v.url)), v.url);
});

for (const rule of RULES) {
  test(`${rule.id}: has a fixture folder with an expectation of it`, () => {
    const dir = path.join(ROOT, 'test', 'fixtures', rule.kind, rule.id);
    assert.ok(fs.existsSync(dir), `missing fixture folder ${dir}`);
    const text = listFiles(dir).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    assert.match(text, new RegExp(`expect: .*\\b${rule.id}\\b`));
  });

  test(`${rule.id}: the bad example triggers it and the good example does not`, () => {
    const bad = checkExample(rule, 'bad');
    assert.ok(bad.some((f) => f.rule === rule.id), `bad example of ${rule.id} did not trigger it`);
    const good = checkExample(rule, 'good').filter((f) => f.rule === rule.id);
    assert.deepEqual(good, [], `good example of ${rule.id} triggered it`);
    assert.ok(rule.docs.why.length > 40 && rule.docs.references.length > 0);
    if (rule.fix === 'manual') assert.ok(rule.docs.fixNotes, `${rule.id} has manual fixes: say why they are not safe`);
  });
}

test('every concrete fix on the examples and fixtures leaves no new syntax error and silences its finding', () => {
  const files = [path.join(ROOT, 'examples', 'insecure', 'pg_hba.conf'), ...fs.readdirSync(path.join(ROOT, 'test', 'fixtures', 'hba')).map((d) => path.join(ROOT, 'test', 'fixtures', 'hba', d, 'pg_hba.conf'))];
  let tried = 0;
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const opts = { pgVersion: 17, fs: noFiles };
    const before = checkFile(file, text, 'hba', opts);
    const syntaxBefore = before.filter((f) => f.rule === 'hba-syntax').length;
    for (const finding of before) {
      for (const fix of finding.fixes) {
        if (fix.edits.length === 0 || fix.edits.some((e) => e.file !== file)) continue;
        tried++;
        const after = checkFile(file, applyEdits(text, fix.edits), 'hba', opts);
        assert.ok(after.filter((f) => f.rule === 'hba-syntax').length <= syntaxBefore, `${fix.title} on ${file}:${finding.range.start.line + 1} adds a syntax error`);
        const same = after.filter((f) => f.rule === finding.rule && f.range.start.line === finding.range.start.line && f.message === finding.message);
        if (finding.rule !== 'hba-unreachable' || fix.title.startsWith('Delete'))
          assert.deepEqual(same, [], `${fix.title} on ${file}:${finding.range.start.line + 1} did not silence ${finding.rule}`);
      }
    }
  }
  assert.ok(tried > 40, `only ${tried} fixes tried`);
});

test('fix-all converges: applying it twice changes nothing the second time', () => {
  const file = path.join(ROOT, 'examples', 'insecure', 'pg_hba.conf');
  const opts = { pgVersion: 17, fs: noFiles };
  const once = fixFile(file, fs.readFileSync(file, 'utf8'), 'hba', opts);
  assert.ok(once.applied.length > 0);
  const twice = fixFile(file, once.text, 'hba', opts);
  assert.equal(twice.text, once.text);
  assert.deepEqual(twice.applied, []);
  const unsafe = fixFile(file, once.text, 'hba', opts, true);
  assert.equal(fixFile(file, unsafe.text, 'hba', opts, true).text, unsafe.text);
});
