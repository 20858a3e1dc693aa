// `--baseline FILE`: the findings a project has accepted for now, so only new ones fail the build.
// `--update-baseline` records the current findings. An entry is a rule, a file, a hash of the line's
// text and how many such findings there are: lines moving up or down match, a second copy of an
// accepted line does not.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../engine/types';
import { identify, identityKey, type FindingIdentity } from './finding-identity';

const BASELINE_VERSION = 1;

export interface BaselineEntry {
  rule: string;
  /** Relative to the baseline file's folder, with forward slashes. */
  file: string;
  lineHash: string;
  count: number;
}

export interface Baseline {
  version: typeof BASELINE_VERSION;
  findings: BaselineEntry[];
}

export class BaselineError extends Error {}

/** Files are named relative to the baseline, so it reads the same from any working directory. */
const relativeTo = (baselineFile: string) => {
  const dir = path.dirname(path.resolve(baselineFile));
  return (file: string) => path.relative(dir, file).split(path.sep).join('/');
};

export function buildBaseline(findings: readonly Finding[], texts: ReadonlyMap<string, string>, baselineFile: string): Baseline {
  const counts = new Map<string, BaselineEntry>();
  for (const id of identify(findings, texts, relativeTo(baselineFile))) {
    const key = identityKey(id);
    const entry = counts.get(key) ?? { rule: id.rule, file: id.file, lineHash: id.lineHash, count: 0 };
    entry.count++;
    counts.set(key, entry);
  }
  const order = (a: BaselineEntry, b: BaselineEntry) => cmp(a.file, b.file) || cmp(a.rule, b.rule) || cmp(a.lineHash, b.lineHash);
  return { version: BASELINE_VERSION, findings: [...counts.values()].sort(order) };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function writeBaseline(baselineFile: string, baseline: Baseline): void {
  try {
    fs.writeFileSync(baselineFile, JSON.stringify(baseline, null, 2) + '\n');
  } catch (e) {
    throw new BaselineError(`cannot write baseline ${baselineFile}: ${(e as Error).message}`);
  }
}

export function readBaseline(baselineFile: string): Baseline {
  let text: string;
  try {
    text = fs.readFileSync(baselineFile, 'utf8');
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new BaselineError(
      missing
        ? `baseline ${baselineFile} does not exist: record one with --baseline ${baselineFile} --update-baseline`
        : `cannot read baseline ${baselineFile}: ${(e as Error).message}`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new BaselineError(`baseline ${baselineFile} is not valid JSON: ${(e as Error).message}`);
  }
  if (!isBaseline(data))
    throw new BaselineError(`baseline ${baselineFile} is not a pg-harden baseline (version ${BASELINE_VERSION}): record it again with --update-baseline`);
  return data;
}

function isBaseline(data: unknown): data is Baseline {
  const b = data as Partial<Baseline> | null;
  return (
    typeof b === 'object' &&
    b !== null &&
    b.version === BASELINE_VERSION &&
    Array.isArray(b.findings) &&
    b.findings.every(
      (e) => typeof e?.rule === 'string' && typeof e.file === 'string' && typeof e.lineHash === 'string' && Number.isInteger(e.count) && e.count > 0,
    )
  );
}

/** The findings the baseline does not account for: past its count for their rule, file and line. */
export function findingsNotInBaseline(findings: readonly Finding[], texts: ReadonlyMap<string, string>, baseline: Baseline, baselineFile: string): Finding[] {
  const allowed = new Map(baseline.findings.map((e) => [identityKey(e), e.count]));
  const ids: FindingIdentity[] = identify(findings, texts, relativeTo(baselineFile));
  return findings.filter((_, i) => ids[i].occurrence >= (allowed.get(identityKey(ids[i])) ?? 0));
}
