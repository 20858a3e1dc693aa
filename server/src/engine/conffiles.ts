// What PostgreSQL's conffiles.c does for every configuration file format: where an included file
// is, which files an include_dir takes, and how deep includes may nest.
import * as path from 'node:path';
import type { FileSystem } from './types';

/** CONF_FILE_MAX_DEPTH in conffiles.h */
export const MAX_DEPTH = 10;

const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EFBIG: 'File too large',
  // Ours, not the system's: an untrusted workspace reads nothing outside itself.
  EOUTSIDE: 'not read: it is outside the workspace, which is not trusted',
};
export const strerror = (code: string) => STRERROR[code] ?? 'Input/output error';

/**
 * AbsoluteConfigLocation: an absolute path is taken as written; a relative one is joined to the
 * including file's directory and canonicalized (up to 14, canonicalize_path left `..` inside a path).
 */
export function resolveConfigPath(location: string, callingFile: string, pgVersion = 17): string {
  if (path.posix.isAbsolute(location)) return location;
  const joined = `${path.posix.dirname(callingFile)}/${location}`;
  if (pgVersion >= 15) return path.posix.resolve(joined);
  return joined.replace(/\/+/g, '/').replace(/\/(\.\/)+/g, '/').replace(/\/\.$/, '').replace(/(.)\/$/, '$1');
}

/** Up to 14, @file paths were joined without canonicalizing, so the OS resolves `sub/..` (and fails without sub). */
export const joinUncanonical = (location: string, callingFile: string) =>
  path.posix.isAbsolute(location) ? location : `${path.posix.dirname(callingFile)}/${location}`;

/** Byte-order comparison, as strcmp sorts include_dir entries. */
const byteCompare = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** GetConfFilesInDir: regular files named *.conf (not hidden, at least 6 bytes), in strcmp order. */
export function configFilesInDir(fs: FileSystem, dir: string): string[] | { code: string } {
  const names = fs.readDir(dir);
  if (!Array.isArray(names)) return names;
  return names
    .filter((n) => n.length >= 6 && !n.startsWith('.') && n.endsWith('.conf'))
    .map((n) => path.posix.join(dir, n))
    .sort(byteCompare);
}
