// What makes a finding "the same finding" across runs, for baselines and GitLab fingerprints: its
// rule, its file, the text of its line and how many identical ones come before it. Line numbers are
// left out on purpose, so an edit elsewhere in the file (a comment added above) changes nothing.
import type { Finding } from '../engine/types';
import { linesOfFiles } from '../engine/lines';

export interface FindingIdentity {
  rule: string;
  /** The file, relative and with forward slashes, as the caller names files. */
  file: string;
  /**
   * A hash of the line's text, trimmed so re-indenting does not count as a change. Hashed, never
   * stored as is: the line may hold a password (CREATE ROLE … PASSWORD '…').
   */
  lineHash: string;
  /** 0 for the first finding with this rule, file and line text, 1 for the next, and so on. */
  occurrence: number;
}

/** SHA-256 in hex. node:crypto is loaded on first use: the text and JSON formats never need it. */
export const sha256Hex = (text: string) =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('node:crypto') as typeof import('node:crypto')).createHash('sha256').update(text, 'utf8').digest('hex');

const hashText = (text: string) => sha256Hex(text).slice(0, 16);

/** Identities of findings in the order given (sorted findings number their occurrences top to bottom). */
export function identify(findings: readonly Finding[], texts: ReadonlyMap<string, string>, relative: (file: string) => string): FindingIdentity[] {
  const linesOf = linesOfFiles(texts);
  /** The text of a finding's first line, or '' when the file could not be read. */
  const lineText = (f: Finding) => linesOf(f.file)?.[f.range.start.line]?.trim() ?? '';
  const seen = new Map<string, number>();
  return findings.map((f) => {
    const base = { rule: f.rule, file: relative(f.file), lineHash: hashText(lineText(f)) };
    const key = identityKey(base);
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    return { ...base, occurrence };
  });
}

/** One string for rule, file and line hash (not the occurrence). */
export const identityKey = (i: Pick<FindingIdentity, 'rule' | 'file' | 'lineHash'>) => JSON.stringify([i.rule, i.file, i.lineHash]);
