// Regenerates docs/rules/ from the rule modules. `--check` fails when the files are out of date (tests run it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RULES } from '../server/src/rules';
import { renderRuleDoc, renderRuleIndex } from '../server/src/rules/docs';

export function expectedDocs(): Map<string, string> {
  const dir = path.join(__dirname, '..', 'docs', 'rules');
  const files = new Map<string, string>();
  for (const r of RULES) files.set(path.join(dir, `${r.id}.md`), renderRuleDoc(r));
  files.set(path.join(dir, 'README.md'), renderRuleIndex(RULES));
  return files;
}

if (require.main === module) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [file, text] of expectedDocs()) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    if (current === text) continue;
    stale++;
    if (check) console.error(`out of date: ${path.relative(process.cwd(), file)}`);
    else {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
  }
  if (check && stale) process.exit(1);
  console.log(check ? 'docs are up to date' : `wrote ${stale} file(s)`);
}
