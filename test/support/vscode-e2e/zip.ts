// Lists a zip file's entries from its central directory (a VSIX is a zip). Enough for packages we
// build: no zip64, no multi-disk archives; anything else is refused rather than misread.
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

export interface ZipEntry {
  name: string;
  /** Uncompressed size in bytes. */
  size: number;
  compressedSize: number;
  /** 0 stored, 8 deflated. */
  method: number;
  /** Where the entry's local header starts. */
  localOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;

export function listZip(file: string): ZipEntry[] {
  const buf = fs.readFileSync(file);
  // The end-of-central-directory record is 22 bytes plus a comment of up to 65535 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD_SIGNATURE && i + 22 + buf.readUInt16LE(i + 20) === buf.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file}: not a zip file (no end of central directory)`);
  if (buf.readUInt16LE(eocd + 4) !== 0 || buf.readUInt16LE(eocd + 6) !== 0) throw new Error(`${file}: multi-disk zip`);
  const count = buf.readUInt16LE(eocd + 10);
  const size = buf.readUInt32LE(eocd + 12);
  const offset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || offset === 0xffffffff) throw new Error(`${file}: zip64 is not supported`);
  if (offset + size > eocd) throw new Error(`${file}: central directory out of bounds`);

  const entries: ZipEntry[] = [];
  let p = offset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > eocd || buf.readUInt32LE(p) !== CENTRAL_SIGNATURE) throw new Error(`${file}: bad central directory entry ${n}`);
    const compressedSize = buf.readUInt32LE(p + 20);
    const uncompressed = buf.readUInt32LE(p + 24);
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    const method = buf.readUInt16LE(p + 10);
    const localOffset = buf.readUInt32LE(p + 42);
    const utf8 = (buf.readUInt16LE(p + 8) & 0x800) !== 0;
    const name = buf.toString(utf8 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLength);
    entries.push({ name, size: uncompressed, compressedSize, method, localOffset });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The uncompressed content of one entry (stored or deflated). */
export function readZipEntry(file: string, entry: ZipEntry): Buffer {
  const buf = fs.readFileSync(file);
  const p = entry.localOffset;
  if (buf.readUInt32LE(p) !== 0x04034b50) throw new Error(`${file}: bad local header for ${entry.name}`);
  const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
  const data = buf.subarray(start, start + entry.compressedSize);
  const out = entry.method === 0 ? Buffer.from(data) : entry.method === 8 ? zlib.inflateRawSync(data) : undefined;
  if (!out) throw new Error(`${file}: ${entry.name} uses compression method ${entry.method}`);
  if (out.length !== entry.size) throw new Error(`${file}: ${entry.name} is ${out.length} bytes, the directory says ${entry.size}`);
  return out;
}
