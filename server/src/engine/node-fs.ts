import * as fs from 'node:fs';
import type { FileSystem } from './types';

/** Reads the real disk; the LSP front layers open editor buffers over it. */
export const nodeFileSystem: FileSystem = {
  readFile(path) {
    try {
      const st = fs.statSync(path);
      if (st.isDirectory()) return { code: 'EISDIR' };
      return decodeText(fs.readFileSync(path));
    } catch (e) {
      return { code: (e as NodeJS.ErrnoException).code ?? 'EIO' };
    }
  },
  listDirs(path) {
    try {
      return fs
        .readdirSync(path, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name);
    } catch {
      return [];
    }
  },
  readDir(path) {
    try {
      // Like PostgreSQL's GetConfFilesInDir, follow links and keep what is not a directory.
      return fs
        .readdirSync(path, { withFileTypes: true })
        .filter((d) => d.isFile() || (d.isSymbolicLink() && isFile(`${path}/${d.name}`)))
        .map((d) => d.name);
    } catch (e) {
      return { code: (e as NodeJS.ErrnoException).code ?? 'EIO' };
    }
  },
};

function isFile(path: string): boolean {
  try {
    return fs.statSync(path).isFile();
  } catch {
    return false;
  }
}

/** PostgreSQL reads bytes; we read UTF-8 and keep going on anything else (invalid bytes become U+FFFD). */
export function decodeText(buf: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(buf);
}
