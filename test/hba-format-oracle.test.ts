// pg_hba.conf formatting against PostgreSQL 17: every file of the differential corpus (1,500 lines
// of quoting, continuation, includes, errors, odd bytes), formatted, gives pg_hba_file_rules the same
// rows as before, error for error; and formatting twice changes nothing more.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatHba } from '../server/src/engine/hba/format';
import { applyEdits } from '../server/src/engine/fix';
import { loadCorpus, MAIN } from './differential/corpus';
import { withPostgres, type HbaRuleRow } from './support/postgres';

/** The parts of a row formatting must keep (the absolute path is the server's own folder either way). */
const essence = (rows: HbaRuleRow[]) => rows.map(({ absFile: _, logError: __, ...rest }) => JSON.stringify(rest));

test('formatting keeps every record PostgreSQL 17 reads, and is idempotent', { timeout: 300_000 }, async () => {
  const cases = loadCorpus().filter((c) => !c.files[MAIN].includes(0)); // NUL bytes do not survive a text round trip
  let changedFiles = 0;
  let changedLines = 0;
  await withPostgres(17, async (pg) => {
    for (const c of cases) {
      const text = c.files[MAIN].toString('utf8');
      if (Buffer.from(text, 'utf8').compare(c.files[MAIN]) !== 0) continue; // not UTF-8: the editor would not show it as is
      const edits = formatHba(c.mainFile, text);
      const once = applyEdits(text, edits);
      assert.equal(applyEdits(once, formatHba(c.mainFile, once)), once, `${c.id}: formatting twice changes more`);
      if (once === text) continue;
      changedFiles++;
      changedLines += edits.length;
      const before = await pg.hbaRules(c.files);
      const after = await pg.hbaRules({ ...c.files, [MAIN]: Buffer.from(once, 'utf8') });
      assert.deepEqual(essence(after), essence(before), `${c.id}: PostgreSQL reads the formatted file differently`);
    }
  });
  assert.ok(changedFiles >= 30 && changedLines >= 500, `formatting changed only ${changedLines} lines in ${changedFiles} files`);
});
