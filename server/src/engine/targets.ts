// Finds the files to check under the paths given on the command line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileKind } from './types';
import { kindOfFile } from './check';

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn']);

export interface Target {
  file: string;
  kind: FileKind;
}

/** Throws an Error with a message for the user when a path does not exist or cannot be read. */
export function collectTargets(paths: string[], forcedKind?: FileKind): Target[] {
  const out: Target[] = [];
  const seen = new Set<string>();
  const add = (file: string, kind: FileKind | undefined) => {
    const abs = path.resolve(file);
    if (kind && !seen.has(abs)) {
      seen.add(abs);
      out.push({ file: abs, kind });
    }
  };
  for (const p of paths) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (e) {
      throw new Error(`cannot read ${p}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
    }
    if (st.isDirectory()) walk(p, (f) => add(f, forcedKind && kindOfFile(f) ? forcedKind : kindOfFile(f)));
    else add(p, forcedKind ?? kindOfFile(p));
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : 1));
}

function walk(dir: string, visit: (file: string) => void) {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) walk(full, visit);
    } else if (e.isFile()) {
      visit(full);
    }
  }
}
