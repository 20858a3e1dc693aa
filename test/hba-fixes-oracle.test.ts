// Every fix with a concrete edit, applied to the shipped examples, yields a pg_hba.conf that real
// PostgreSQL (17, ssl on, since hostssl fixes need it) loads without an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkFile } from '../server/src/engine/check';
import { applyEdits, fixFile } from '../server/src/engine/fix';
import { nodeFileSystem } from '../server/src/engine/node-fs';
import { withPostgres } from './support/postgres';

const ROOT = path.join(__dirname, '..');
const INSECURE = path.join(ROOT, 'examples', 'insecure', 'pg_hba.conf');
const HARDENED = path.join(ROOT, 'examples', 'hardened', 'pg_hba.conf');
const opts = { pgVersion: 17, fs: nodeFileSystem };

/** The example keeps one line PostgreSQL refuses on purpose (hba-syntax); blank it so the rest can be judged. */
function withoutKnownSyntaxErrors(text: string, file: string): string {
  const bad = new Set(checkFile(file, text, 'hba', opts).filter((f) => f.rule === 'hba-syntax').map((f) => f.pgLine ?? f.range.start.line));
  return text.split('\n').map((l, i) => (bad.has(i) ? '' : l)).join('\n');
}

test('fixes applied to the examples produce files PostgreSQL 17 accepts', { timeout: 180_000 }, async () => {
  await withPostgres(17, async (pg) => {
    const accepted = async (text: string, what: string) => {
      const r = await pg.hbaAccepted({ 'pg_hba.conf': text });
      // This build has no LDAP: its refusal of the ldap line says nothing about the line itself.
      const errors = r.errors.filter((e) => !/not supported by this build/.test(e.error ?? e.logError ?? ''));
      assert.ok(r.rows.length > 0);
      assert.deepEqual(errors.map((e) => `line ${e.line}: ${e.error ?? e.logError}`), [], `${what}: PostgreSQL refuses it\n---\n${text}`);
    };
    await accepted(fs.readFileSync(HARDENED, 'utf8'), 'the hardened example');

    const original = fs.readFileSync(INSECURE, 'utf8');
    await accepted(withoutKnownSyntaxErrors(original, INSECURE), 'the insecure example without its deliberate syntax error');
    let tried = 0;
    for (const finding of checkFile(INSECURE, original, 'hba', opts)) {
      for (const fix of finding.fixes) {
        // Fixes that edit the postgresql.conf beside it are judged with that file (see the conf suites).
        if (fix.edits.length === 0 || fix.edits.some((e) => e.file !== INSECURE)) continue;
        tried++;
        const fixed = applyEdits(original, fix.edits);
        await accepted(withoutKnownSyntaxErrors(fixed, INSECURE), `"${fix.title}" for ${finding.rule} at line ${finding.range.start.line + 1}`);
      }
    }
    assert.ok(tried >= 15, `only ${tried} fixes with edits on the insecure example`);

    const safe = fixFile(INSECURE, original, 'hba', opts);
    await accepted(withoutKnownSyntaxErrors(safe.text, INSECURE), 'fix-all (safe)');
    const all = fixFile(INSECURE, original, 'hba', opts, true);
    await accepted(withoutKnownSyntaxErrors(all.text, INSECURE), 'fix --unsafe');

    // A last line that ends in a backslash continues onto the next: the appended rejects must not join it.
    const ending = 'local all all peer\nhostssl all all 10.0.0.0/8 scram-sha-256 \\';
    const appended = fixFile(INSECURE, ending, 'hba', opts).text;
    await accepted(appended, 'the catch-all rejects after a continued last line');
    const rows = (await pg.hbaRules({ 'pg_hba.conf': appended })).map((r) => `${r.type} ${r.address ?? ''} ${r.authMethod}`.replace(/ +/g, ' '));
    assert.deepEqual(rows, ['local peer', 'hostssl 10.0.0.0 scram-sha-256', 'host 0.0.0.0 reject', 'host :: reject'], appended);
  }, { ssl: true });
});
