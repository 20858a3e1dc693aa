// pg_hba.conf / pg_ident.conf tokenizer, following hba.c (tokenize_auth_file, next_token,
// next_field_expand): blanks are space, tab and CR; a field is a comma-separated token list;
// double quotes protect blanks, commas and '#'; a trailing backslash joins the next line (14+).
import type { Position, Range } from '../types';
import { CONNECTION_TYPES, METHODS } from './record';

/**
 * One token. Positions are kept as offsets into its logical line and turned into a range only when
 * asked for; the raw text and whether it was quoted are read off the line likewise. A 20,000-line
 * file has about 90,000 tokens that all live until the check ends, so each field here costs.
 */
export class Token {
  constructor(
    /** The token with quotes removed, as PostgreSQL sees it. */
    readonly text: string,
    protected readonly where: LogicalLine,
    protected readonly start: number,
    protected readonly end: number,
  ) {}

  /** The raw token text as written (quotes included), for fixes that rewrite it. */
  get raw(): string {
    return this.where.text.slice(this.start, this.end);
  }

  /**
   * The token began with a double quote: keywords and +role lose their meaning. (Only a quote can
   * come before PostgreSQL's first kept character, so this is the raw text's first character.)
   */
  get quoted(): boolean {
    return this.where.text.charCodeAt(this.start) === QUOTE;
  }

  /** Set when the token came from an `@file` reference: range and raw are those of the @ token. */
  get expandedFrom(): string | undefined {
    return undefined;
  }

  get range(): Range {
    return { start: positionInLine(this.where, this.start), end: positionInLine(this.where, this.end, true) };
  }

  /** This token as read through the `@file` reference `at`, in whose place it stands. */
  readThrough(at: Token, file: string): Token {
    return new ExpandedToken(this.text, at.where, at.start, at.end, this.quoted, file);
  }
}

/** A token of an `@file`: its text and quoting are its own, its place is the @ token's. */
class ExpandedToken extends Token {
  constructor(
    text: string,
    where: LogicalLine,
    start: number,
    end: number,
    private readonly wasQuoted: boolean,
    private readonly file: string,
  ) {
    super(text, where, start, end);
  }

  override get quoted(): boolean {
    return this.wasQuoted;
  }

  override get expandedFrom(): string {
    return this.file;
  }
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

const SPACE = 32, TAB = 9, CR = 13, COMMA = 44, HASH = 35, QUOTE = 34;
const isBlank = (c: number) => c === SPACE || c === TAB || c === CR;

export interface LogicalLine {
  text: string;
  line: number;
  endLine: number;
  /** For a line joined from several physical lines: where in text each of them starts. */
  joined?: { starts: number[]; lines: number[] };
}

/** Position of the character at offset (or of the end, with end=true: just after offset-1). */
function positionInLine(l: LogicalLine, offset: number, end = false): Position {
  if (!l.joined) return { line: l.line, character: offset };
  const { starts, lines } = l.joined;
  const probe = end && offset > 0 ? offset - 1 : offset;
  let i = starts.length - 1;
  while (i > 0 && starts[i] > probe) i--;
  return { line: lines[i], character: offset - starts[i] };
}

const withoutLineEnd = (s: string) => (s.endsWith('\r') ? s.replace(/\r+$/, '') : s);

/** Splits text into logical lines the way tokenize_auth_file reads them. */
export function logicalLines(text: string, continuation: boolean): LogicalLine[] {
  const physical = text.split('\n');
  // A final newline does not start another line.
  if (physical.length > 1 && physical[physical.length - 1] === '') physical.pop();
  const out: LogicalLine[] = [];
  let i = 0;
  while (i < physical.length) {
    const start = i;
    let buf = withoutLineEnd(physical[i++]);
    let joined: LogicalLine['joined'];
    // Only a backslash beyond the previous continuation point continues the line (hba.c).
    let lastBackslash = 0;
    while (continuation && buf.length > lastBackslash && buf.endsWith('\\')) {
      buf = buf.slice(0, -1);
      lastBackslash = buf.length;
      if (i >= physical.length) break;
      joined ??= { starts: [0], lines: [start] };
      joined.starts.push(buf.length);
      joined.lines.push(i);
      buf += withoutLineEnd(physical[i++]);
    }
    // PostgreSQL works on C strings: a NUL byte ends the line.
    const nul = buf.indexOf('\0');
    if (nul >= 0) buf = buf.slice(0, nul);
    out.push({ text: buf, line: start, endLine: i - 1, joined });
  }
  return out;
}

/**
 * Words most records repeat, shared: a token's text otherwise lives on as a string of its own (or a
 * slice of its line) in every record.
 */
const COMMON_WORDS = new Map(
  [...CONNECTION_TYPES, ...METHODS, 'all', 'sameuser', 'samerole', 'replication', 'samehost', 'samenet'].map((w) => [w, w]),
);

/** Reads the tokens of one logical line in turn (next_token in hba.c). */
class TokenReader {
  pos = 0;
  /** The last token ended with a comma: the next one belongs to the same field. */
  comma = false;
  tooLong = false;

  constructor(
    private readonly l: LogicalLine,
    private readonly maxToken: number,
  ) {}

  next(): Token | undefined {
    const s = this.l.text;
    let pos = this.pos;
    let inQuote = false;
    let wasQuote = false;
    let sawQuote = false;
    this.comma = false;
    // The token's length as PostgreSQL buffers it (quotes dropped, "" inside quotes kept once); the
    // text itself is sliced out at the end rather than built a character at a time.
    let len = 0;
    for (let c = s.charCodeAt(pos); pos < s.length && (isBlank(c) || c === COMMA); c = s.charCodeAt(++pos));
    const start = pos;
    let end = pos;
    while (pos < s.length) {
      const c = s.charCodeAt(pos);
      if (isBlank(c) && !inQuote) break;
      if (len >= this.maxToken - 1) {
        this.tooLong = true;
        return undefined;
      }
      if (c === HASH && !inQuote) {
        end = pos;
        pos = s.length;
        break;
      }
      if (c === COMMA && !inQuote) {
        this.comma = true;
        end = pos;
        pos++;
        break;
      }
      if (c !== QUOTE || wasQuote) len++;
      wasQuote = inQuote && c === QUOTE ? !wasQuote : false;
      if (c === QUOTE) {
        inQuote = !inQuote;
        sawQuote = true;
      }
      pos++;
      end = pos;
    }
    this.pos = pos;
    if (!sawQuote && len === 0) return undefined;
    const sliced = s.slice(start, end);
    const raw = COMMON_WORDS.get(sliced) ?? sliced;
    return new Token(sawQuote ? unquote(raw) : raw, this.l, start, end);
  }
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
 * The fields of a line as one array of tokens, with where each field starts kept only when some
 * field holds more than one token. Records of a large file live until the check ends, and most of
 * their fields hold one token: an array per field would double what they keep.
 */
export class FieldList {
  constructor(
    readonly tokens: readonly Token[],
    readonly starts?: readonly number[],
  ) {}

  get count(): number {
    return this.starts ? this.starts.length : this.tokens.length;
  }

  /** How many tokens field i holds. */
  size(i: number): number {
    if (!this.starts) return 1;
    return (this.starts[i + 1] ?? this.tokens.length) - this.starts[i];
  }

  /** Token k of field i. */
  at(i: number, k = 0): Token {
    return this.tokens[(this.starts ? this.starts[i] : i) + k];
  }

  /** Field i, in an array of its own. */
  field(i: number): Token[] {
    if (!this.starts) return [this.tokens[i]];
    return this.tokens.slice(this.starts[i], this.starts[i + 1] ?? this.tokens.length);
  }

  /** Every field, each in an array of its own. */
  all(): Token[][] {
    const fields: Token[][] = [];
    for (let i = 0; i < this.count; i++) fields.push(this.field(i));
    return fields;
  }
}

type LineError = { message: string; range: Range };

/**
 * Tokenizes one logical line into fields. `expand` is called for an unquoted `@file` token and
 * returns the tokens to splice in (or an error message, which ends the line as in hba.c).
 */
export function tokenizeFields(
  l: LogicalLine,
  expand: (token: Token) => Token[] | { error: string },
  maxToken = Infinity,
): { fields: FieldList; error?: LineError } {
  const tokens: Token[] = [];
  let starts: number[] | undefined;
  let count = 0;
  /** Ends the field begun at `from`; a field with no tokens (an empty @file) is no field. */
  const close = (from: number) => {
    const size = tokens.length - from;
    if (size === 0) return;
    if (size !== 1 && !starts) starts = Array.from({ length: count }, (_, i) => i);
    starts?.push(from);
    count++;
  };
  // The copy holds the usual five tokens without the room that push() leaves.
  const done = (error?: LineError) => ({ fields: new FieldList(tokens.slice(), starts), error });
  const reader = new TokenReader(l, maxToken);
  while (reader.pos < l.text.length) {
    const fieldStart = tokens.length;
    do {
      const from = reader.pos;
      const t = reader.next();
      if (reader.tooLong) {
        tokens.length = fieldStart; // the field being read is not kept
        const at = { start: positionInLine(l, from), end: positionInLine(l, l.text.length, true) };
        return done({ message: 'authentication file token too long', range: at });
      }
      if (!t) break;
      if (!t.quoted && t.text.length > 1 && t.text[0] === '@') {
        const expanded = expand(t);
        if ('error' in expanded) {
          close(fieldStart);
          return done({ message: expanded.error, range: t.range });
        }
        for (const e of expanded) tokens.push(e);
      } else {
        tokens.push(t);
      }
    } while (reader.comma);
    close(fieldStart);
  }
  return done();
}

/** tokenizeFields, with each field in an array of its own. */
export function tokenizeLine(
  l: LogicalLine,
  expand: (token: Token) => Token[] | { error: string },
  maxToken = Infinity,
): { fields: Token[][]; error?: LineError } {
  const { fields, error } = tokenizeFields(l, expand, maxToken);
  return { fields: fields.all(), error };
}
