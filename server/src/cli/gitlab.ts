// `--format gitlab`: GitLab's Code Quality report (a subset of the Code Climate issue format), what
// merge requests show in their Code Quality widget and diff annotations.
import type { Finding, Severity } from '../engine/types';
import { identify, sha256Hex } from './finding-identity';
import { displayPath, lastLineOf } from './format';

const GITLAB_SEVERITY: Record<Severity, string> = { error: 'critical', warning: 'major', information: 'minor', hint: 'info' };

export function formatGitlab(findings: readonly Finding[], texts: ReadonlyMap<string, string>): string {
  const identities = identify(findings, texts, displayPath);
  return JSON.stringify(
    findings.map((f, i) => ({
      type: 'issue',
      check_name: f.rule,
      description: f.message,
      categories: ['Security'],
      // GitLab tells new findings from fixed ones by fingerprint, so it must not move with the line.
      fingerprint: sha256Hex(JSON.stringify(identities[i])),
      severity: GITLAB_SEVERITY[f.severity],
      location: {
        path: displayPath(f.file),
        lines: { begin: f.range.start.line + 1, end: lastLineOf(f.range) + 1 },
      },
    })),
    null,
    2,
  );
}
