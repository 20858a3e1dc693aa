// SQL fixes, checked on every SQL fixture: each fix with an edit leaves a file PostgreSQL's parser
// (libpg-query) still reads, and silences the finding it was made for; fix-all converges. And the
// ranges of the SQL rules cover exactly the part that matters (the fixtures put multi-byte text
// before some of them), and a clear-text password never appears in a message or a fix title.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkFile } from '../server/src/engine/check';
import { applyEdits, fixFile, offsetAt } from '../server/src/engine/fix';
import { initEngine } from '../server/src/engine/init';
import { nodeFileSystem } from '../server/src/engine/node-fs';
import type { FileSystem, Finding } from '../server/src/engine/types';
import { listFiles } from './support/expectations';

before(() => initEngine());

const ROOT = path.join(__dirname, 'fixtures', 'sql');
const FILES = listFiles(ROOT).filter((f) => f.endsWith('.sql'));
const opts = { pgVersion: 17, fs: nodeFileSystem };

/** The file system with one file's text replaced (the history around it stays on disk). */
const withText = (file: string, text: string): FileSystem => ({
  ...nodeFileSystem,
  readFile: (p) => (p === file ? text : nodeFileSystem.readFile(p)),
});

const check = (file: string, text: string) => checkFile(file, text, 'sql', { ...opts, fs: withText(file, text) }).filter((f) => f.file === file);
const syntaxErrors = (findings: Finding[]) => findings.filter((f) => f.rule === 'sql-syntax').length;
const textOf = (text: string, f: Finding) => text.slice(offsetAt(text, f.range.start), offsetAt(text, f.range.end));

test('every SQL fix with an edit parses and silences its finding', () => {
  let tried = 0;
  const problems: string[] = [];
  for (const file of FILES) {
    const text = fs.readFileSync(file, 'utf8');
    const before = check(file, text);
    for (const finding of before) {
      for (const fix of finding.fixes) {
        if (fix.edits.length === 0 || fix.edits.some((e) => e.file !== file)) continue;
        tried++;
        const fixed = applyEdits(text, fix.edits);
        const after = check(file, fixed);
        const where = `${path.relative(ROOT, file)}:${finding.range.start.line + 1} ${finding.rule} "${fix.title}"`;
        if (syntaxErrors(after) > syntaxErrors(before)) problems.push(`${where}: adds a syntax error: ${after.find((f) => f.rule === 'sql-syntax')?.message}`);
        const same = (fs: Finding[]) => fs.filter((f) => f.rule === finding.rule && f.message === finding.message).length;
        if (same(after) >= same(before)) problems.push(`${where}: does not silence the finding`);
      }
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(tried > 60, `only ${tried} fixes tried`);
});

test('fix-all (safe, then --unsafe) converges on every SQL fixture', () => {
  for (const file of FILES) {
    const text = fs.readFileSync(file, 'utf8');
    for (const unsafe of [false, true]) {
      const once = fixFile(file, text, 'sql', { ...opts, fs: withText(file, text) }, unsafe);
      const twice = fixFile(file, once.text, 'sql', { ...opts, fs: withText(file, once.text) }, unsafe);
      assert.equal(twice.text, once.text, `${file}: fix-all${unsafe ? ' --unsafe' : ''} changed the file again`);
      assert.equal(syntaxErrors(check(file, once.text)), syntaxErrors(check(file, text)), `${file}: fix-all${unsafe ? ' --unsafe' : ''} broke the syntax`);
    }
  }
});

/** What each rule's range must cover, exactly. */
const RANGE_TEXT: Record<string, RegExp> = {
  'sql-superuser-role': /^superuser$/i,
  'sql-bypassrls-role': /^bypassrls$/i,
  'sql-plaintext-password': /^(?:[Ee]?'(?:[^'\\]|''|\\.)*'|\$\w*\$[\s\S]*\$\w*\$)$/,
  'sql-md5-password': /^'md5[0-9a-f]{32}'$/,
  'sql-grant-public': /^"?public"?$/i,
  'sql-grant-all': /^all(?: privileges)?$/i,
  'sql-dangerous-role-grant': /^"?pg_(?:read_server_files|write_server_files|execute_server_program|read_all_data|write_all_data)"?$/,
  'sql-copy-program': /^program$/i,
  'sql-rls-disabled': /^(?:disable|no force)$/i,
  'sql-session-set': /^(?:set|session|false|'off'|'f'|0::boolean)$/i,
  'sql-permissive-policy': /^[^\s()][\s\S]*[^\s]$/,
  'sql-policy-missing-with-check': /^(?:using|insert)$/i,
  'sql-security-definer-search-path': /^(?:(?:external )?security definer|search_path (?:=|to|from)[\s\S]*)$/i,
};

test('SQL ranges cover the keyword, literal, grantee or expression, in UTF-16 columns', () => {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const file of FILES) {
    const text = fs.readFileSync(file, 'utf8');
    for (const f of check(file, text)) {
      const want = RANGE_TEXT[f.rule];
      if (!want) continue;
      seen.add(f.rule);
      const got = textOf(text, f);
      if (!want.test(got)) problems.push(`${path.relative(ROOT, file)}:${f.range.start.line + 1} ${f.rule}: range covers ${JSON.stringify(got)}`);
    }
  }
  assert.deepEqual(problems, []);
  assert.deepEqual([...seen].sort(), Object.keys(RANGE_TEXT).sort(), 'a rule never fired on the fixtures');
  // The permissive-policy expressions, exactly.
  const file = path.join(ROOT, 'sql-permissive-policy', 'migrations', '001_policies.sql');
  const text = fs.readFileSync(file, 'utf8');
  assert.deepEqual(
    check(file, text).filter((f) => f.rule === 'sql-permissive-policy').map((f) => textOf(text, f)),
    ['true', '1 = 1', "'a' = 'a'", 'true OR owner = current_user', 'EXISTS (SELECT 1)', "'yes'::boolean AND NOT false", '2 > 1.5 AND 1 IN (1, 2)', 'NULL IS NULL'],
  );
});

test('a clear-text password never appears in a message or a fix title', () => {
  let n = 0;
  for (const file of FILES) {
    const text = fs.readFileSync(file, 'utf8');
    for (const f of check(file, text).filter((x) => x.rule === 'sql-plaintext-password')) {
      const literal = textOf(text, f);
      const secret = literal.replace(/^[Ee]?'|'$/g, '').replace(/^\$\w*\$|\$\w*\$$/g, '');
      assert.ok(secret.length >= 3, literal);
      for (const said of [f.message, ...f.fixes.map((x) => x.title)]) assert.ok(!said.includes(secret), `${said} repeats ${literal}`);
      for (const fix of f.fixes) for (const e of fix.edits) assert.match(e.newText, /^'SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+'$/);
      n++;
    }
  }
  assert.ok(n >= 8, `only ${n} clear-text passwords in the fixtures`);
});

test('the plaintext-password fix stores a verifier of the same password', async () => {
  const { parseScramVerifier, pgBase64Decode, scramVerifier } = await import('../server/src/engine/scram');
  const text = "ALTER ROLE app PASSWORD E'it\\'s a 😀 secret';\n";
  const [f] = checkFile('/virtual/001.sql', text, 'sql', { pgVersion: 17, fs: withText('/none', '') }).filter((x) => x.rule === 'sql-plaintext-password');
  const verifier = f.fixes[0].edits[0].newText.slice(1, -1);
  const parsed = parseScramVerifier(verifier)!;
  assert.equal(scramVerifier("it's a 😀 secret", pgBase64Decode(parsed.salt), parsed.iterations), verifier);
});
