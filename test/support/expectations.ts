// Inline expectations in fixture files: `# expect: rule-a rule-b` at the end of a line says exactly
// which findings start on that line; a line of its own `# expect-above: …` speaks for the line above
// (for lines that cannot end in a comment, such as a backslash continuation). Every other line must
// stay silent.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../../server/src/engine/types';

/** `# expect:` in configuration files, `-- expect:` in SQL. */
const EXPECT = /(?:#|--)\s*expect(-above)?:\s*([a-z0-9 -]+?)\s*$/;

/** file → line (1-based) → sorted rule ids, for every file below dir. */
export function readExpectations(dir: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of listFiles(dir)) {
    fs.readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const m = EXPECT.exec(line.replace(/\r$/, ''));
        if (!m) return;
        const key = `${file}:${m[1] ? i : i + 1}`;
        out.set(key, [...(out.get(key) ?? []), ...m[2].split(/\s+/)].sort());
      });
  }
  return out;
}

export function actualByLine(findings: Finding[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of findings) {
    const key = `${f.file}:${f.range.start.line + 1}`;
    out.set(key, [...(out.get(key) ?? []), f.rule].sort());
  }
  return out;
}

/** Differences as readable lines; empty when expectations and findings agree exactly. */
export function diffExpectations(expected: Map<string, string[]>, actual: Map<string, string[]>, findings: Finding[]): string[] {
  const problems: string[] = [];
  for (const key of new Set([...expected.keys(), ...actual.keys()])) {
    const e = (expected.get(key) ?? []).join(' ');
    const a = (actual.get(key) ?? []).join(' ');
    if (e === a) continue;
    const detail = findings
      .filter((f) => `${f.file}:${f.range.start.line + 1}` === key)
      .map((f) => `    ${f.rule}: ${f.message}`)
      .join('\n');
    problems.push(`${key}: expected [${e}] got [${a}]${detail ? '\n' + detail : ''}`);
  }
  return problems.sort();
}

export function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? listFiles(path.join(dir, d.name)) : [path.join(dir, d.name)]))
    .sort();
}
