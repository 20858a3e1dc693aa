// `--changed-since <ref>`: the lines git says were added or changed since a commit, so a large legacy
// repository can adopt the checks for new work first. Untracked files are new in full; git runs
// without a shell, with its output parsed here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding, Range } from '../engine/types';
import { lastLineOf } from './format';

/** Per file (real, absolute path): the changed zero-based lines, or 'all' for an untracked file. */
export type ChangedLines = Map<string, Set<number> | 'all'>;

export class GitError extends Error {}

function git(args: string[], cwd: string): string {
  try {
    // Required here: only --changed-since runs git, and loading node:child_process costs every run.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new GitError('--changed-since needs git, and git is not installed (or not on PATH)');
    throw new GitError(`git ${args[0]} failed: ${(err.stderr ?? err.message).trim()}`);
  }
}

export function changedLinesSince(ref: string, cwd: string): ChangedLines {
  if (ref.startsWith('-')) throw new GitError(`--changed-since takes a git ref, not an option ("${ref}")`);
  let top: string;
  try {
    top = git(['rev-parse', '--show-toplevel'], cwd).trim();
  } catch (e) {
    if (/not a git repository/i.test((e as Error).message))
      throw new GitError(`--changed-since needs a git repository, and ${cwd} is not inside one`);
    throw e;
  }
  let commit: string;
  try {
    commit = git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], top).trim();
  } catch {
    throw new GitError(`--changed-since: unknown git ref "${ref}" (no commit of that name in ${top})`);
  }
  const root = fs.realpathSync(top);
  const changed: ChangedLines = new Map();
  const diff = git(
    ['-c', 'core.quotePath=false', 'diff', '--unified=0', '--no-color', '--no-ext-diff', '--no-textconv', '--find-renames', '--src-prefix=a/', '--dst-prefix=b/', commit, '--'],
    top,
  );
  for (const [file, lines] of parseUnifiedDiff(diff)) changed.set(path.join(root, file), lines);
  for (const file of git(['ls-files', '--others', '--exclude-standard', '-z'], top).split('\0'))
    if (file) changed.set(path.join(root, file), 'all');
  return changed;
}

/**
 * The added and changed lines of each file in `git diff --unified=0` output (zero-based, new side),
 * keyed by the path after "b/". Hunk bodies are skipped by their counts, so an added line that itself
 * starts with "++ " is never taken for a file header.
 */
export function parseUnifiedDiff(diff: string): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  const lines = diff.split('\n');
  let current: Set<number> | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('diff --git ')) current = undefined;
    else if (line.startsWith('+++ ')) {
      const name = unquote(line.slice(4));
      current = name.startsWith('b/') ? new Set() : undefined; // "/dev/null": the file was deleted
      if (current) out.set(name.slice(2), current);
    } else if (line.startsWith('@@ ')) {
      const m = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
      if (!m) continue;
      const removed = m[1] === undefined ? 1 : Number(m[1]);
      const start = Number(m[2]);
      const added = m[3] === undefined ? 1 : Number(m[3]);
      for (let k = 0; k < added; k++) current?.add(start - 1 + k);
      // Skip the hunk's body: its removed and added lines, and any "\ No newline at end of file".
      let body = removed + added;
      while (body > 0 && i + 1 < lines.length) {
        i++;
        if (!lines[i].startsWith('\\')) body--;
      }
      while (i + 1 < lines.length && lines[i + 1].startsWith('\\')) i++;
    }
  }
  return out;
}

/** git C-quotes a path with special characters ("b/a\tb"); core.quotePath=false keeps UTF-8 as is. */
function unquote(s: string): string {
  if (!s.startsWith('"')) return s.replace(/\t$/, '');
  const bytes: number[] = [];
  const escapes: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };
  const raw = Buffer.from(s.slice(1, s.lastIndexOf('"')), 'utf8');
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== 92) bytes.push(raw[i]);
    else if (/[0-7]/.test(String.fromCharCode(raw[i + 1]))) {
      bytes.push(parseInt(raw.subarray(i + 1, i + 4).toString('latin1'), 8));
      i += 3;
    } else bytes.push(escapes[String.fromCharCode(raw[++i])] ?? raw[i]);
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * True when the finding, or a place it names (the later setting that overrides this one, the record
 * that shadows this one), is on a changed line: adding that later line is what made the finding.
 */
export function touchesChangedLine(f: Finding, changed: ChangedLines): boolean {
  return [{ file: f.file, range: f.range }, ...(f.related ?? [])].some((loc) => rangeChanged(loc.file, loc.range, changed));
}

function rangeChanged(file: string, range: Range, changed: ChangedLines): boolean {
  const lines = changed.get(realPath(file));
  if (lines === undefined) return false;
  if (lines === 'all') return true;
  for (let l = range.start.line; l <= lastLineOf(range); l++) if (lines.has(l)) return true;
  return false;
}

const realPaths = new Map<string, string>();

/** git names files by their real path; a checked path may go through a symbolic link (/tmp on macOS). */
function realPath(file: string): string {
  let real = realPaths.get(file);
  if (real === undefined) {
    try {
      real = path.join(fs.realpathSync(path.dirname(file)), path.basename(file));
    } catch {
      real = file;
    }
    realPaths.set(file, real);
  }
  return real;
}
