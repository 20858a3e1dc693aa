// Every folder in test/fixtures/hba holds a pg_hba.conf (and whatever it includes) whose lines carry
// their expected findings; unexpected findings fail, so clean lines and files prove silence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkFile } from '../server/src/engine/check';
import { nodeFileSystem } from '../server/src/engine/node-fs';
import { actualByLine, diffExpectations, readExpectations } from './support/expectations';

const ROOT = path.join(__dirname, 'fixtures', 'hba');

for (const name of fs.readdirSync(ROOT).sort()) {
  const dir = path.join(ROOT, name);
  const main = path.join(dir, 'pg_hba.conf');
  test(`hba fixture ${name}`, () => {
    const version = Number(/^pg(\d+)-/.exec(name)?.[1] ?? 17);
    const findings = checkFile(main, fs.readFileSync(main, 'utf8'), 'hba', { pgVersion: version, fs: nodeFileSystem });
    const expected = readExpectations(dir);
    const problems = diffExpectations(expected, actualByLine(findings), findings);
    assert.deepEqual(problems, [], `fixture ${name}:\n${problems.join('\n')}`);
  });
}
