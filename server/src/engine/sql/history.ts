// A migration history: the files that run one after another against one database, found and
// ordered the way migration tools do it.
import * as path from 'node:path';
import picomatch from 'picomatch';
import type { FileSystem } from '../types';
import { DEFAULT_CONFIG, type EngineConfig } from '../config';
import { RecentMap } from '../recent';

/** A compiled migration glob: which files it picks, and how many levels up from a file its history starts. */
interface HistoryGlob {
  matches: (relative: string) => boolean;
  levels: number;
}

const compiled = new Map<string, HistoryGlob>();

/**
 * A history is the files one glob picks under one folder: the folder a file's wildcard folders
 * hang from. With "migrations/*.sql" that is each migrations folder; with Prisma's
 * "prisma/migrations/(any folder)/migration.sql" it is prisma/migrations. Only folders after the
 * last globstar count, so "db/(globstar)/*.sql" makes each folder under db a history.
 */
function compile(glob: string): HistoryGlob {
  let c = compiled.get(glob);
  if (!c) {
    const segments = glob.split('/');
    const dirs = segments.slice(segments.lastIndexOf('**') + 1, -1);
    let levels = 1;
    while (levels <= dirs.length && /[*?[]/.test(dirs[dirs.length - levels])) levels++;
    c = { matches: picomatch(glob, { dot: true }), levels };
    compiled.set(glob, c);
  }
  return c;
}

/** The path the globs are matched against: relative to the project root, or the absolute path without its leading '/'. */
function relativeTo(config: EngineConfig, file: string): string {
  const rel = config.root ? path.relative(config.root, file) : '';
  const chosen = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : path.resolve(file).replace(/^[/\\]+|^[A-Za-z]:[/\\]/, '');
  return chosen.split(path.sep).join('/');
}

/** The first glob that picks `file`, and the folder its history lives in. */
function historyOf(file: string, config: EngineConfig): { root: string; glob: HistoryGlob } | undefined {
  const rel = relativeTo(config, file);
  for (const g of config.migrationGlobs) {
    const glob = compile(g);
    if (!glob.matches(rel)) continue;
    let root = path.dirname(file);
    for (let i = 1; i < glob.levels; i++) root = path.dirname(root);
    return { root, glob };
  }
  return undefined;
}

/** The folder whose migrations form the history of `file`, or undefined for a loose file. */
export function historyRoot(file: string, config: EngineConfig = DEFAULT_CONFIG): string | undefined {
  return historyOf(file, config)?.root;
}

/** The files of `file`'s history in the order they run; a loose file is a history of its own. */
export function historyFiles(file: string, fs: FileSystem, config: EngineConfig = DEFAULT_CONFIG): string[] {
  const h = historyOf(file, config);
  if (!h) return [file];
  const files: string[] = [];
  const visit = (dir: string, depth: number) => {
    if (depth === h.glob.levels - 1) {
      const names = fs.readDir(dir);
      if (Array.isArray(names)) for (const n of names) files.push(path.join(dir, n));
    } else {
      for (const d of fs.listDirs?.(dir) ?? []) visit(path.join(dir, d), depth + 1);
    }
  };
  visit(h.root, 0);
  // No path holds a NUL, so two different listings never join to the same text.
  const listing = files.join('\0');
  const last = ordered.get(h.root);
  let mine: string[];
  if (last && last.config === config && last.glob === h.glob && last.listing === listing) mine = [...last.files];
  else {
    // The same glob must pick each file, and its history must be this one (no other glob comes first).
    mine = files.filter((f) => {
      const other = historyOf(f, config);
      return other?.root === h.root && other.glob === h.glob;
    });
    mine.sort(compareMigrations);
    ordered.set(h.root, { config, glob: h.glob, listing, files: [...mine] });
  }
  if (!mine.includes(file)) {
    mine.push(file);
    mine.sort(compareMigrations);
  }
  return mine;
}

/**
 * Each history folder's files as last listed, matched and ordered: while a migration is edited,
 * every keystroke lists its history again, and matching and ordering 1,000 names took 3 ms of it.
 */
const ordered = new RecentMap<string, { config: EngineConfig; glob: HistoryGlob; listing: string; files: string[] }>(64);

/** Flyway versions numerically (V1_2 before V1_10), repeatables (R__) last; otherwise natural order. */
export function compareMigrations(a: string, b: string): number {
  const fa = flyway(path.basename(a));
  const fb = flyway(path.basename(b));
  if (fa && fb) {
    if (fa.repeatable !== fb.repeatable) return fa.repeatable ? 1 : -1;
    const n = Math.max(fa.version.length, fb.version.length);
    for (let i = 0; i < n; i++) {
      const d = (fa.version[i] ?? 0) - (fb.version[i] ?? 0);
      if (d) return d;
    }
  }
  return naturalCompare(a, b);
}

function flyway(name: string): { version: number[]; repeatable: boolean } | undefined {
  const m = /^([VR])([\d._]*)__/.exec(name);
  if (!m) return undefined;
  return { repeatable: m[1] === 'R', version: m[2].split(/[._]/).filter(Boolean).map(Number) };
}

/** Digits compare as numbers: 2_x.sql before 10_x.sql; timestamps sort as they should. */
export function naturalCompare(a: string, b: string): number {
  const pa = a.split(/(\d+)/);
  const pb = b.split(/(\d+)/);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] === pb[i]) continue;
    const na = Number(pa[i]);
    const nb = Number(pb[i]);
    if (i % 2 === 1 && !Number.isNaN(na) && !Number.isNaN(nb) && na !== nb) return na - nb;
    return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length;
}
