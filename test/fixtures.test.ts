// Every folder in test/fixtures/<kind>/ holds a main file (pg_hba.conf, or postgresql.conf, or a
// settings.conf fragment; for SQL, every .sql file) and whatever it includes, with the expected
// findings on each line;
// unexpected findings fail, so clean lines and files prove silence. A folder named pgNN-… is
// checked for PostgreSQL NN, the others for 17.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { checkFile, uniqueFindings } from '../server/src/engine/check';
import { initEngine } from '../server/src/engine/init';
import { nodeFileSystem } from '../server/src/engine/node-fs';
import type { FileKind } from '../server/src/engine/types';
import { actualByLine, diffExpectations, listFiles, readExpectations } from './support/expectations';

const MAIN_FILES: Record<string, (dir: string) => string[]> = {
  hba: (dir) => ['pg_hba.conf'].map((f) => path.join(dir, f)).filter((f) => fs.existsSync(f)).slice(0, 1),
  conf: (dir) => ['postgresql.conf', 'settings.conf'].map((f) => path.join(dir, f)).filter((f) => fs.existsSync(f)).slice(0, 1),
  sql: (dir) => listFiles(dir).filter((f) => f.endsWith('.sql')),
};

before(() => initEngine());

for (const kind of Object.keys(MAIN_FILES)) {
  const root = path.join(__dirname, 'fixtures', kind);
  for (const name of fs.readdirSync(root).sort()) {
    const dir = path.join(root, name);
    test(`${kind} fixture ${name}`, () => {
      const mains = MAIN_FILES[kind](dir);
      assert.ok(mains.length, `no main file in ${dir}`);
      const version = Number(/^pg(\d+)-/.exec(name)?.[1] ?? 17);
      // Every file of a migration history reports the history's findings: keep one of each.
      const findings = uniqueFindings(
        mains.flatMap((main) => checkFile(main, fs.readFileSync(main, 'utf8'), kind as FileKind, { pgVersion: version, fs: nodeFileSystem })),
      );
      const problems = diffExpectations(readExpectations(dir), actualByLine(findings), findings);
      assert.deepEqual(problems, [], `fixture ${kind}/${name}:\n${problems.join('\n')}`);
    });
  }
}
