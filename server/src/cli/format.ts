// Output formats of `pg-harden check`: text for people, JSON for scripts, SARIF for code scanning
// (GitLab's Code Quality report is in gitlab.ts).
import * as path from 'node:path';
import type { Finding, Range, Severity } from '../engine/types';
import { linesOfFiles } from '../engine/lines';
import { RULES } from '../rules';
import { renderRuleDoc } from '../rules/docs';

/** Paths relative to the current directory, with forward slashes, as the JSON format promises. */
export const displayPath = (file: string) => path.relative(process.cwd(), file).split(path.sep).join('/') || '.';

/** The zero-based last line a range covers: one that ends at the start of a line stops before it. */
export const lastLineOf = (r: Range) => (r.end.line > r.start.line && r.end.character === 0 ? r.end.line - 1 : r.end.line);

export function formatJson(findings: Finding[]): string {
  return JSON.stringify(
    {
      version: 1,
      diagnostics: findings.map((f) => ({
        file: displayPath(f.file),
        line: f.range.start.line + 1,
        column: f.range.start.character + 1,
        endLine: f.range.end.line + 1,
        endColumn: f.range.end.character + 1,
        severity: f.severity,
        rule: f.rule,
        message: f.message,
        fixes: f.fixes.map((x) => ({ title: x.title, safe: x.safety === 'safe' })),
      })),
    },
    null,
    2,
  );
}

const SARIF_LEVEL: Record<Severity, string> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

export function formatSarif(findings: Finding[], version: string): string {
  const ruleIndex = new Map(RULES.map((r, i) => [r.id, i]));
  return JSON.stringify(
    {
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: 'pg-harden',
              version,
              informationUri: 'https://www.postgresql.org/docs/current/client-authentication.html',
              rules: RULES.map((r) => ({
                id: r.id,
                shortDescription: { text: r.docs.summary },
                fullDescription: { text: r.docs.why },
                help: { text: r.docs.why, markdown: renderRuleDoc(r) },
                defaultConfiguration: { level: SARIF_LEVEL[r.severity] },
                properties: { fix: r.fix, tags: ['security'] },
              })),
            },
          },
          columnKind: 'utf16CodeUnits',
          results: findings.map((f) => ({
            ruleId: f.rule,
            ...(ruleIndex.has(f.rule) ? { ruleIndex: ruleIndex.get(f.rule) } : {}),
            level: SARIF_LEVEL[f.severity],
            message: { text: f.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: encodeURI(displayPath(f.file)) },
                  region: sarifRegion(f.range),
                },
              },
            ],
            ...(f.related?.length
              ? {
                  relatedLocations: f.related.map((r, id) => ({
                    id,
                    message: { text: r.message },
                    physicalLocation: { artifactLocation: { uri: encodeURI(displayPath(r.file)) }, region: sarifRegion(r.range) },
                  })),
                }
              : {}),
          })),
        },
      ],
    },
    null,
    2,
  );
}

const sarifRegion = (r: Range) => ({
  startLine: r.start.line + 1,
  startColumn: r.start.character + 1,
  endLine: r.end.line + 1,
  endColumn: r.end.character + 1,
});

/**
 * A source line as the text output shows it: password literals (clear text, MD5 hashes, SCRAM
 * verifiers) and pg_hba.conf secrets masked, same length, so the caret still lines up. Findings
 * point at these secrets; the output must not repeat them (CI logs are widely readable).
 */
export function redactSecrets(line: string): string {
  const mask = (s: string) => s.replace(/[^'"]/g, '*');
  // After PASSWORD: a literal in any quoting (a double-quoted one is a name, wrong there but still the password).
  return line
    .replace(/(\bPASSWORD\s+)([Ee]'(?:[^'\\]|\\.|'')*'?|(?:[Uu]&)?'(?:[^']|'')*'?|(?:[Uu]&)?"(?:[^"]|"")*"?|\$([^$\s]*)\$[\s\S]*?(?:\$\3\$|$))/gi, (_, kw: string, lit: string) => kw + mask(lit))
    .replace(/(\b(?:ldapbindpasswd|radiussecrets?)=)("(?:[^"]|"")*"|[^\s,]+)/gi, (_, kw: string, v: string) => kw + mask(v));
}

const COLORS: Record<Severity, string> = { error: '31', warning: '33', information: '36', hint: '34' };

export function formatText(findings: Finding[], texts: Map<string, string>, color: boolean): string {
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const out: string[] = [];
  const lines = linesOfFiles(texts);
  for (const f of findings) {
    const { line, character } = f.range.start;
    out.push(
      `${paint('1', `${displayPath(f.file)}:${line + 1}:${character + 1}`)}: ${paint(COLORS[f.severity], f.severity)} ${paint('2', `[${f.rule}]`)} ${f.message}`,
    );
    const raw = lines(f.file)?.[line]?.replace(/\r$/, '');
    const src = raw === undefined ? undefined : redactSecrets(raw);
    if (src !== undefined) {
      const gutter = String(line + 1);
      const width = f.range.end.line === line ? Math.max(1, f.range.end.character - character) : Math.max(1, src.length - character);
      out.push(`  ${paint('2', gutter + ' |')} ${src}`);
      out.push(`  ${' '.repeat(gutter.length)} ${paint('2', '|')} ${' '.repeat(character)}${paint(COLORS[f.severity], '^'.repeat(width))}`);
    }
    for (const x of f.fixes) out.push(`  ${paint('2', x.safety === 'safe' ? 'fix (safe):' : 'fix (manual):')} ${x.title}`);
  }
  const count = (...s: Severity[]) => findings.filter((f) => s.includes(f.severity)).length;
  const n = (k: number, word: string) => `${k} ${word}${k === 1 ? '' : 's'}`;
  out.push(
    findings.length === 0
      ? 'No findings.'
      : `${n(findings.length, 'finding')} in ${n(new Set(findings.map((f) => f.file)).size, 'file')}: ${n(count('error'), 'error')}, ${n(count('warning'), 'warning')}, ${n(count('information', 'hint'), 'note')}.`,
  );
  return out.join('\n');
}
