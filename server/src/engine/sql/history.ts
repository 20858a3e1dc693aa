// A migration history: the files that run one after another against one database, found and
// ordered the way migration tools do it.
import * as path from 'node:path';
import type { FileSystem } from '../types';

/** Folder names whose .sql files form one history (Flyway, Rails/Knex/golang-migrate, Supabase, Prisma, Sqitch deploy). */
const HISTORY_DIRS = new Set(['migrations', 'migrate', 'migration', 'db', 'deploy', 'sql']);

/** The folder whose .sql files (and, for Prisma, <folder>/migration.sql) form the history of `file`. */
export function historyRoot(file: string): string | undefined {
  const dir = path.dirname(file);
  // prisma/migrations/<timestamp>_<name>/migration.sql
  if (path.basename(file) === 'migration.sql' && path.basename(path.dirname(dir)) === 'migrations') return path.dirname(dir);
  if (HISTORY_DIRS.has(path.basename(dir))) return dir;
  if (/^[VR]\d[\w.]*__.+\.sql$/.test(path.basename(file))) return dir;
  return undefined;
}

/** The files of `file`'s history in the order they run; a loose file is a history of its own. */
export function historyFiles(file: string, fs: FileSystem): string[] {
  const root = historyRoot(file);
  if (!root) return [file];
  const names = fs.readDir(root);
  const files = Array.isArray(names) ? names.filter((n) => n.endsWith('.sql')).map((n) => path.join(root, n)) : [];
  if (path.basename(file) === 'migration.sql') {
    const dirs = fs.listDirs?.(root) ?? [];
    files.push(...dirs.map((d) => path.join(root, d, 'migration.sql')).filter((f) => typeof fs.readFile(f) === 'string'));
  }
  if (!files.includes(file)) files.push(file);
  return files.sort(compareMigrations);
}

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
