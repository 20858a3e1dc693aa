// Checked-in generated test inputs: find the stale ones, or write them all. Shared by the corpus
// generators so `--check` means the same everywhere.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Paths (relative to dir) whose content on disk differs from what the generator makes. */
export function staleFiles(dir: string, generated: Record<string, Buffer>): string[] {
  return Object.entries(generated)
    .filter(([rel, content]) => {
      const abs = path.join(dir, rel);
      return !fs.existsSync(abs) || !fs.readFileSync(abs).equals(content);
    })
    .map(([rel]) => rel);
}

/** The generator's command line: `--check` fails on stale files, otherwise every file is written. */
export function generateOrCheck(dir: string, generated: () => Record<string, Buffer>, command: string): void {
  if (process.argv.includes('--check')) {
    const stale = staleFiles(dir, generated());
    if (stale.length) {
      console.error(`out of date (run ${command}):\n  ${stale.join('\n  ')}`);
      process.exit(1);
    }
    console.log('generated corpus files are up to date');
    return;
  }
  for (const [rel, content] of Object.entries(generated())) {
    const abs = path.join(dir, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
    console.log(`wrote ${rel} (${content.length} bytes)`);
  }
}
