// pg_hba.conf formatting: records aligned in columns (type, database, user, address, method,
// options), comments kept, nothing else touched. It changes blanks only, so PostgreSQL reads the
// same records; lines joined with a backslash, and lines it cannot tokenize, are left as written.
import type { Range, TextEdit } from '../types';
import { logicalLines, tokenizeLine, type Token } from './tokenize';
import { commentStart } from '../comments';

const INCLUDES = new Set(['include', 'include_if_exists', 'include_dir']);
const IP_MASK = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*)$/;

interface Row {
  line: number;
  /** The line's tokens and comment as PostgreSQL reads them, to compare with the formatted line. */
  tokens?: string;
  /** Column texts; empty for a column the record does not have (a local record's address). */
  cells: string[];
  comment: string;
}

/** A field as written: its tokens, quotes kept, joined by commas. */
const fieldText = (field: Token[]) => field.map((t) => t.raw).join(',');

function tokensOf(line: string): string {
  const [l] = logicalLines(line, false);
  if (!l) return '[]';
  const c = commentStart(line, 'hba');
  return JSON.stringify([tokenizeLine(l, (t) => [t]).fields.map((f) => f.map((t) => t.raw)), c >= 0 ? line.slice(c).replace(/[ \t]+$/, '') : '']);
}

function rowOf(fields: Token[][], line: number, comment: string): Row {
  const texts = fields.map(fieldText);
  const type = fields[0][0].text;
  if (fields[0][0].quoted || INCLUDES.has(type) || !/^(local|host\w*)$/.test(type)) return { line, cells: [texts.join(' ')], comment };
  if (type === 'local') return { line, cells: [...texts.slice(0, 3), '', ...texts.slice(3, 4), texts.slice(4).join(' ')], comment };
  // host records: an address without /len takes its netmask from the next field.
  let address = texts[3] ?? '';
  let rest = texts.slice(4);
  if (address && !address.includes('/') && IP_MASK.test(address) && rest.length > 1 && IP_MASK.test(rest[0])) {
    address = `${address} ${rest[0]}`;
    rest = rest.slice(1);
  }
  return { line, cells: [...texts.slice(0, 3), address, ...rest.slice(0, 1), rest.slice(1).join(' ')], comment };
}

/** Edits that align the records of the whole file, or only those on lines start..end. */
export function formatHba(file: string, text: string, only?: { start: number; end: number }): TextEdit[] {
  const physical = text.split('\n');
  const rows: Row[] = [];
  for (const l of logicalLines(text, true)) {
    if (l.line !== l.endLine) continue;
    const { fields, error } = tokenizeLine(l, (t) => [t]);
    if (error || fields.length === 0) continue;
    const raw = physical[l.line].replace(/\r$/, '');
    // A NUL ends the line for PostgreSQL, and a final backslash continues it (14+): left alone.
    if (raw.includes('\0') || raw.endsWith('\\')) continue;
    const c = commentStart(raw, 'hba');
    rows.push({ ...rowOf(fields, l.line, c >= 0 ? raw.slice(c) : ''), tokens: tokensOf(raw) });
  }
  const widths: number[] = [];
  for (const r of rows) if (r.cells.length > 1) r.cells.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const edits: TextEdit[] = [];
  for (const r of rows) {
    if (only && (r.line < only.start || r.line > only.end)) continue;
    const cells = r.cells.length > 1 ? r.cells.map((cell, i) => (i < r.cells.length - 1 ? cell.padEnd(widths[i] + 2) : cell)) : r.cells;
    // Only PostgreSQL's blanks (space, tab) go: a trailing \v or \f is part of the last token.
    const body = cells.join('').replace(/[ \t]+$/, '');
    const formatted = r.comment ? `${body}  ${r.comment}` : body;
    const raw = physical[r.line].replace(/\r$/, '');
    // A line that would end in a backslash would join the next one (14+); and whatever else would
    // change a token (an unterminated quote ending in blanks, say) leaves the line as written.
    if (formatted === raw || formatted.endsWith('\\') || tokensOf(formatted) !== r.tokens) continue;
    const range: Range = { start: { line: r.line, character: 0 }, end: { line: r.line, character: raw.length } };
    edits.push({ file, range, newText: formatted });
  }
  return edits;
}
