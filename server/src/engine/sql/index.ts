import type { ParseResult } from 'libpg-query';
import type { Position } from '../types';
import { parseSql } from './parser';
import { splitStatements, type SqlStatement } from './split';

export interface ParsedStatement extends SqlStatement {
  ast?: ParseResult;
  error?: { message: string; position: Position };
}

export interface SqlAnalysis {
  file: string;
  text: string;
  statements: ParsedStatement[];
  /** Zero-based line/character of a UTF-16 offset in the file. */
  positionAt(offset: number): Position;
}

export function analyzeSql(file: string, text: string): SqlAnalysis {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const positionAt = (offset: number): Position => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - lineStarts[lo] };
  };
  const statements = splitStatements(text).statements.map((s): ParsedStatement => {
    const r = parseSql(s.text);
    if (r.ok) return { ...s, ast: r.result };
    return { ...s, error: { message: r.message, position: positionAt(s.start + utf16Offset(s.text, r.cursor)) } };
  });
  return { file, text, statements, positionAt };
}

/** The UTF-16 offset of the code point at index `codePoints` (PostgreSQL counts characters). */
export function utf16Offset(text: string, codePoints: number): number {
  let offset = 0;
  for (let n = 0; n < codePoints && offset < text.length; n++) {
    const c = text.charCodeAt(offset);
    offset += c >= 0xd800 && c <= 0xdbff && offset + 1 < text.length ? 2 : 1;
  }
  return offset;
}

/** UTF-16 offset within `text` of a UTF-8 byte offset. */
export function utf16OfByte(text: string, byte: number): number {
  let bytes = 0;
  let i = 0;
  while (i < text.length && bytes < byte) {
    const c = text.codePointAt(i)!;
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    i += c >= 0x10000 ? 2 : 1;
  }
  return i;
}

