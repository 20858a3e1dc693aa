// pg_hba.conf / pg_ident.conf tokenizer, following hba.c (tokenize_auth_file, next_token,
// next_field_expand): blanks are space, tab and CR; a field is a comma-separated token list;
// double quotes protect blanks, commas and '#'; a trailing backslash joins the next line (14+).
import type { Position, Range } from '../types';

export interface Token {
  /** The token with quotes removed, as PostgreSQL sees it. */
  text: string;
  /** The token began with a double quote: keywords and +role lose their meaning. */
  quoted: boolean;
  range: Range;
  /** The raw token text as written (quotes included), for fixes that rewrite it. */
  raw: string;
  /** Set when the token came from an `@file` reference: range and raw are those of the @ token. */
  expandedFrom?: string;
}

export interface RawLine {
  /** Zero-based physical line where the record starts (PostgreSQL reports this line, 1-based). */
  line: number;
  /** Zero-based last physical line of the record (differs with backslash continuation). */
  endLine: number;
  /** Range covering the record's text, comments excluded. */
  range: Range;
  fields: Token[][];
}

const isBlank = (c: string) => c === ' ' || c === '\t' || c === '\r';

/** Maps offsets in a logical (continuation-joined) line back to physical positions. */
class LineMap {
  private starts: number[] = [];
  private lines: number[] = [];
  add(logicalOffset: number, physicalLine: number) {
    this.starts.push(logicalOffset);
    this.lines.push(physicalLine);
  }
  /** Position of the character at offset (or of the end, with end=true: just after offset-1). */
  pos(offset: number, end = false): Position {
    const probe = end && offset > 0 ? offset - 1 : offset;
    let i = this.starts.length - 1;
    while (i > 0 && this.starts[i] > probe) i--;
    return { line: this.lines[i], character: offset - this.starts[i] };
  }
}

interface LogicalLine {
  text: string;
  map: LineMap;
  line: number;
  endLine: number;
}

/** Splits text into logical lines the way tokenize_auth_file reads them. */
export function logicalLines(text: string, continuation: boolean): LogicalLine[] {
  const physical = text.split('\n');
  // A final newline does not start another line.
  if (physical.length > 1 && physical[physical.length - 1] === '') physical.pop();
  const out: LogicalLine[] = [];
  let i = 0;
  while (i < physical.length) {
    const map = new LineMap();
    const start = i;
    let buf = '';
    let lastBackslash = 0;
    for (;;) {
      const seg = physical[i].replace(/[\r\n]+$/, '');
      map.add(buf.length, i);
      buf += seg;
      i++;
      // Only a backslash beyond the previous continuation point continues the line (hba.c).
      if (continuation && buf.length > lastBackslash && buf.endsWith('\\')) {
        buf = buf.slice(0, -1);
        lastBackslash = buf.length;
        if (i < physical.length) continue;
      }
      break;
    }
    // PostgreSQL works on C strings: a NUL byte ends the line.
    const nul = buf.indexOf('\0');
    if (nul >= 0) buf = buf.slice(0, nul);
    out.push({ text: buf, map, line: start, endLine: i - 1 });
  }
  return out;
}

interface NextToken {
  token?: Token;
  terminatingComma: boolean;
  pos: number;
  tooLong?: boolean;
}

function nextToken(l: LogicalLine, pos: number, maxToken: number): NextToken {
  const s = l.text;
  let inQuote = false;
  let wasQuote = false;
  let sawQuote = false;
  let initialQuote = false;
  let terminatingComma = false;
  // The token's length as PostgreSQL buffers it (quotes dropped, "" inside quotes kept once); the
  // text itself is sliced out at the end rather than built a character at a time.
  let len = 0;
  while (pos < s.length && (isBlank(s[pos]) || s[pos] === ',')) pos++;
  const start = pos;
  let end = pos;
  while (pos < s.length && (!isBlank(s[pos]) || inQuote)) {
    const c = s[pos];
    if (len >= maxToken - 1) return { terminatingComma: false, pos: s.length, tooLong: true };
    if (c === '#' && !inQuote) {
      end = pos;
      pos = s.length;
      break;
    }
    if (c === ',' && !inQuote) {
      terminatingComma = true;
      end = pos;
      pos++;
      break;
    }
    if (c !== '"' || wasQuote) len++;
    wasQuote = inQuote && c === '"' ? !wasQuote : false;
    if (c === '"') {
      inQuote = !inQuote;
      sawQuote = true;
      if (len === 0) initialQuote = true;
    }
    pos++;
    end = pos;
  }
  if (!sawQuote && len === 0) return { terminatingComma, pos };
  const raw = s.slice(start, end);
  const range = { start: l.map.pos(start), end: l.map.pos(end, true) };
  return { token: { text: sawQuote ? unquote(raw) : raw, quoted: initialQuote, range, raw }, terminatingComma, pos };
}

/** The token text PostgreSQL keeps of a raw token with quotes: each quote dropped, "" inside quotes kept once. */
function unquote(raw: string): string {
  let buf = '';
  let inQuote = false;
  let wasQuote = false;
  for (const c of raw) {
    if (c !== '"' || wasQuote) buf += c;
    wasQuote = inQuote && c === '"' ? !wasQuote : false;
    if (c === '"') inQuote = !inQuote;
  }
  return buf;
}

/**
 * Tokenizes one logical line into fields. `expand` is called for an unquoted `@file` token and
 * returns the tokens to splice in (or an error message, which ends the line as in hba.c).
 */
export function tokenizeLine(
  l: LogicalLine,
  expand: (token: Token) => Token[] | { error: string },
  maxToken = Infinity,
): { fields: Token[][]; error?: { message: string; range: Range } } {
  const fields: Token[][] = [];
  let pos = 0;
  while (pos < l.text.length) {
    const field: Token[] = [];
    let comma: boolean;
    do {
      const next = nextToken(l, pos, maxToken);
      if (next.tooLong) {
        const at = { start: l.map.pos(pos), end: l.map.pos(l.text.length, true) };
        return { fields, error: { message: 'authentication file token too long', range: at } };
      }
      pos = next.pos;
      comma = next.terminatingComma;
      if (!next.token) break;
      const t = next.token;
      if (!t.quoted && t.text.length > 1 && t.text[0] === '@') {
        const expanded = expand(t);
        if ('error' in expanded) {
          if (field.length) fields.push(field);
          return { fields, error: { message: expanded.error, range: t.range } };
        }
        field.push(...expanded);
      } else {
        field.push(t);
      }
    } while (comma);
    if (field.length) fields.push(field);
  }
  return { fields };
}

export function rangeOfFields(fields: Token[][]): Range | undefined {
  const first = fields[0]?.[0];
  const lastField = fields[fields.length - 1];
  const last = lastField?.[lastField.length - 1];
  if (!first || !last) return undefined;
  return { start: first.range.start, end: last.range.end };
}
