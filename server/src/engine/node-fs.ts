import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileSystem } from './types';
import { RecentMap } from './recent';

/** Files larger than this are not read (and not checked): 16 MiB unless the project says otherwise. */
export const DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024;

export interface DiskOptions {
  maxBytes?: number;
  /**
   * When set, only files under these folders are read (an untrusted workspace): anything else, a
   * symbolic link leading out included, answers 'EOUTSIDE' and is never opened.
   */
  roots?: string[];
  /**
   * Keep what was read, and read a file again only when its size, inode or change times differ: a
   * keystroke in a history of 1,000 files reads the other 999 again (the language server).
   */
  cache?: boolean;
  /** Files changed less long ago than this are read every time (tests set 0: keep at once). */
  settledMs?: number;
  /**
   * For this long after a kept file was last found unchanged, it is taken as unchanged without
   * asking the disk: each keystroke in a history of 1,000 files asked for 1,000 stats (9.5 ms of a
   * keystroke here). `recheck()` ends every such wait at once, as when the editor reports changed files.
   */
  trustMs?: number;
}

/** A file system that can be told that files changed on disk. */
export interface DiskFileSystem extends FileSystem {
  /** Reads each kept file's stamp again at its next read. */
  recheck(): void;
}

/** How many files' texts a cached file system keeps. */
const CACHED_FILES = 4096;
/** Files changed less long ago than this are not kept: timestamps tick in milliseconds at best. */
const SETTLED_MS = 2000;
/** Between two stats of a kept file: about the pause between two bursts of typing. */
const TRUST_MS = 1000;

/** Reads the real disk; the LSP front layers open editor buffers over it. */
export function diskFileSystem(opts: DiskOptions = {}): DiskFileSystem {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  const roots = opts.roots?.map(realpathOr);
  const outside = (p: string) => roots !== undefined && !roots.some((r) => isInside(realpathOr(p), r));
  const kept = opts.cache ? new RecentMap<string, { stamp: string; text: string; seen: number }>(CACHED_FILES) : undefined;
  const settledMs = opts.settledMs ?? SETTLED_MS;
  const trustMs = opts.trustMs ?? TRUST_MS;
  return {
    recheck() {
      for (const k of kept?.values() ?? []) k.seen = -Infinity;
    },
    readFile(p) {
      if (outside(p)) return { code: 'EOUTSIDE' };
      const known = kept?.get(p);
      const now = performance.now();
      if (known && now - known.seen < trustMs) return known.text;
      try {
        const st = fs.statSync(p);
        if (st.isDirectory()) return { code: 'EISDIR' };
        if (st.size > maxBytes) return { code: 'EFBIG' };
        if (!kept) return decodeText(fs.readFileSync(p));
        // ctime moves with every write, and no one can set it back. A file changed in the last
        // moments may change again within the same tick of the clock: it is read every time.
        const stamp = `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
        if (known?.stamp === stamp) {
          known.seen = now;
          return known.text;
        }
        const text = decodeText(fs.readFileSync(p));
        if (settledMs <= 0 || Date.now() - Math.max(st.mtimeMs, st.ctimeMs) >= settledMs) kept.set(p, { stamp, text, seen: now });
        else kept.delete(p);
        return text;
      } catch (e) {
        return { code: (e as NodeJS.ErrnoException).code ?? 'EIO' };
      }
    },
    listDirs(p) {
      if (outside(p)) return [];
      try {
        return fs
          .readdirSync(p, { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => d.name);
      } catch {
        return [];
      }
    },
    readDir(p) {
      if (outside(p)) return { code: 'EOUTSIDE' };
      try {
        // Like PostgreSQL's GetConfFilesInDir, follow links and keep what is not a directory.
        return fs
          .readdirSync(p, { withFileTypes: true })
          .filter((d) => d.isFile() || (d.isSymbolicLink() && isFile(`${p}/${d.name}`)))
          .map((d) => d.name);
      } catch (e) {
        return { code: (e as NodeJS.ErrnoException).code ?? 'EIO' };
      }
    },
  };
}

export const nodeFileSystem: FileSystem = diskFileSystem();

/** The real path where there is one (links resolved), else the path made absolute. */
function realpathOr(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    // A file that does not exist yet: judge its folder.
    try {
      return path.join(fs.realpathSync(path.dirname(p)), path.basename(p));
    } catch {
      return path.resolve(p);
    }
  }
}

const isInside = (p: string, root: string) => p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** PostgreSQL reads bytes; we read UTF-8 and keep going on anything else (invalid bytes become U+FFFD). */
export function decodeText(buf: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(buf);
}
