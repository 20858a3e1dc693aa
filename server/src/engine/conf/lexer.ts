// postgresql.conf lexer, following guc-file.l: flex's longest match, first rule on ties.
// PostgreSQL reads bytes; characters from U+0080 up count as the \200-\377 "letter" bytes.

export type TokenKind = 'EOL' | 'ID' | 'QUALIFIED_ID' | 'STRING' | 'UNQUOTED_STRING' | 'INTEGER' | 'REAL' | 'EQUALS' | 'ERROR';

export interface LexToken {
  kind: TokenKind;
  text: string;
  /** Zero-based line and UTF-16 column span (a token never spans lines). */
  line: number;
  start: number;
  end: number;
}

const isLetter = (c: string | undefined) => c !== undefined && (/[A-Za-z_]/.test(c) || c.charCodeAt(0) >= 0x80);
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isIdRest = (c: string | undefined) => isLetter(c) || isDigit(c);
const isHex = (c: string | undefined) => c !== undefined && /[0-9A-Fa-f]/.test(c);
const isUnitLetter = (c: string | undefined) => c !== undefined && /[A-Za-z]/.test(c);

/** Length of the longest match of each token pattern at position i (0 when it does not match). */
function matchId(s: string, i: number): number {
  if (!isLetter(s[i])) return 0;
  let j = i + 1;
  while (isIdRest(s[j])) j++;
  return j - i;
}

function matchQualifiedId(s: string, i: number): number {
  const a = matchId(s, i);
  if (!a || s[i + a] !== '.') return 0;
  const b = matchId(s, i + a + 1);
  return b ? a + 1 + b : 0;
}

function matchString(s: string, i: number): number {
  if (s[i] !== "'") return 0;
  let j = i + 1;
  while (j < s.length) {
    const c = s[j];
    if (c === '\n') return 0;
    if (c === '\\') {
      if (j + 1 >= s.length || s[j + 1] === '\n') return 0;
      j += 2;
    } else if (c === "'") {
      if (s[j + 1] === "'") j += 2;
      else return j + 1 - i;
    } else {
      j++;
    }
  }
  return 0;
}

function matchUnquoted(s: string, i: number): number {
  if (!isLetter(s[i])) return 0;
  let j = i + 1;
  while (isIdRest(s[j]) || (s[j] !== undefined && '-._:/'.includes(s[j]))) j++;
  return j - i;
}

function matchInteger(s: string, i: number): number {
  let j = i;
  if (s[j] === '+' || s[j] === '-') j++;
  const digitsStart = j;
  if (s[j] === '0' && s[j + 1] === 'x' && isHex(s[j + 2])) {
    j += 2;
    while (isHex(s[j])) j++;
  } else {
    while (isDigit(s[j])) j++;
    if (j === digitsStart) return 0;
  }
  while (isUnitLetter(s[j])) j++;
  return j - i;
}

function matchReal(s: string, i: number): number {
  let j = i;
  if (s[j] === '+' || s[j] === '-') j++;
  while (isDigit(s[j])) j++;
  if (s[j] !== '.') return 0;
  j++;
  while (isDigit(s[j])) j++;
  if (s[j] === 'e' || s[j] === 'E') {
    let k = j + 1;
    if (s[k] === '+' || s[k] === '-') k++;
    if (isDigit(s[k])) {
      while (isDigit(s[k])) k++;
      j = k;
    }
  }
  return j - i;
}

/** In rule order: on equal length the earlier pattern wins, as in flex. */
const PATTERNS: [TokenKind, (s: string, i: number) => number][] = [
  ['ID', matchId],
  ['QUALIFIED_ID', matchQualifiedId],
  ['STRING', matchString],
  ['UNQUOTED_STRING', matchUnquoted],
  ['INTEGER', matchInteger],
  ['REAL', matchReal],
];

/** All tokens of a text; comments and blanks vanish, each newline is an EOL token. */
export function lex(text: string): LexToken[] {
  const out: LexToken[] = [];
  let line = 0;
  let lineStart = 0;
  let i = 0;
  const push = (kind: TokenKind, len: number) => {
    out.push({ kind, text: text.slice(i, i + len), line, start: i - lineStart, end: i - lineStart + len });
    i += len;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      push('EOL', 1);
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    let best: TokenKind = 'ERROR';
    let bestLen = 0;
    for (const [kind, match] of PATTERNS) {
      const len = match(text, i);
      if (len > bestLen) {
        best = kind;
        bestLen = len;
      }
    }
    if (bestLen > 0) push(best, bestLen);
    else push(c === '=' ? 'EQUALS' : 'ERROR', c.length);
  }
  return out;
}

/** DeescapeQuotedString: strip the quotes, undo '' and backslash escapes. */
export function unquote(token: string): string {
  const s = token.slice(1, -1);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) {
      const e = s[++i];
      if (e === 'b') out += '\b';
      else if (e === 'f') out += '\f';
      else if (e === 'n') out += '\n';
      else if (e === 'r') out += '\r';
      else if (e === 't') out += '\t';
      else if (e >= '0' && e <= '7') {
        let oct = e;
        while (oct.length < 3 && s[i + 1] >= '0' && s[i + 1] <= '7') oct += s[++i];
        out += String.fromCharCode(parseInt(oct, 8) & 0xff);
      } else out += e;
    } else if (c === "'" && s[i + 1] === "'") {
      out += "'";
      i++;
    } else out += c;
  }
  return out;
}
