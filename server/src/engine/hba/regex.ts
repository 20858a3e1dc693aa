// Checks a pg_hba.conf `/regex` token the way PostgreSQL's regcomp (ARE flavour) rejects it,
// returning pg_regerror's text. It follows regc_lex.c for what people write; the differential
// suite against real servers is the judge.

const ERR = {
  paren: 'parentheses () not balanced',
  bracket: 'brackets [] not balanced',
  brace: 'braces {} not balanced',
  repeat: 'quantifier operand invalid',
  count: 'invalid repetition count(s)',
  escape: 'invalid escape \\ sequence',
  range: 'invalid character range',
  ctype: 'invalid character class',
  collate: 'invalid collating element',
  backref: 'invalid backreference number',
  option: 'invalid embedded option',
};

const OPTION_LETTERS = new Set('bceimnpqstwx');
const CLASSES = new Set(['alnum', 'alpha', 'ascii', 'blank', 'cntrl', 'digit', 'graph', 'lower', 'print', 'punct', 'space', 'upper', 'xdigit', 'word']);
/** Escapes that stand for something in an ARE; other letters are errors, other characters literals. */
const ESCAPE_LETTERS = new Set('abBcdDefmMnrsStuUvwWxyYZA');
const DUPMAX = 255;

export function regexError(source: string): string | undefined {
  let re = source;
  if (re.startsWith('***=')) return undefined; // the rest is a literal string
  if (re.startsWith('***:')) re = re.slice(4);
  let i = 0;
  // Embedded options are only recognized at the very start: (?letters)
  if (re.startsWith('(?') && /[A-Za-z]/.test(re[2] ?? '')) {
    const close = re.indexOf(')', 2);
    if (close < 0) return ERR.option;
    for (const c of re.slice(2, close)) if (!OPTION_LETTERS.has(c)) return ERR.option;
    if (re.slice(2, close).includes('q')) return undefined;
    i = close + 1;
  }
  let groups = 0;
  const open: number[] = [];
  let canQuantify = false;
  while (i < re.length) {
    const c = re[i];
    if (c === '\\') {
      const e = re[i + 1];
      if (e === undefined) return ERR.escape;
      if (/[1-9]/.test(e)) {
        const n = Number(/^\d+/.exec(re.slice(i + 1))![0]);
        if (n > groups) return ERR.backref;
        i += 1 + String(n).length;
      } else if (/[A-Za-z]/.test(e)) {
        if (!ESCAPE_LETTERS.has(e)) return ERR.escape;
        if (e === 'x' && !/[0-9A-Fa-f]/.test(re[i + 2] ?? '')) return ERR.escape;
        i += 2;
      } else {
        i += 2;
      }
      canQuantify = true;
      continue;
    }
    if (c === '[') {
      const r = bracket(re, i);
      if (typeof r === 'string') return r;
      i = r;
      canQuantify = true;
      continue;
    }
    if (c === '(') {
      if (re.startsWith('(?:', i) || re.startsWith('(?=', i) || re.startsWith('(?!', i)) i += 3;
      else if (re.startsWith('(?<=', i) || re.startsWith('(?<!', i)) i += 4;
      else {
        if (re[i + 1] === '?') return ERR.repeat;
        groups++;
        i++;
      }
      open.push(i);
      canQuantify = false;
      continue;
    }
    if (c === ')') {
      if (!open.pop()) return ERR.paren;
      i++;
      canQuantify = true;
      continue;
    }
    if (c === '*' || c === '+' || c === '?' || (c === '{' && /\d/.test(re[i + 1] ?? ''))) {
      if (!canQuantify) return ERR.repeat;
      if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?(\})?/.exec(re.slice(i))!;
        if (!m[4]) return ERR.brace;
        const lo = Number(m[1]);
        const hi = m[2] === undefined ? lo : m[3] === '' ? DUPMAX : Number(m[3]);
        if (lo > DUPMAX || hi > DUPMAX || hi < lo) return ERR.count;
        i += m[0].length;
      } else {
        i++;
      }
      if (re[i] === '?') i++; // non-greedy
      canQuantify = false;
      continue;
    }
    canQuantify = c !== '|' && c !== '^';
    i++;
  }
  return open.length ? ERR.paren : undefined;
}

/** Index just past the bracket expression starting at `start`, or the error text. */
function bracket(re: string, start: number): number | string {
  let i = start + 1;
  if (re[i] === '^') i++;
  let first = true;
  let prev: string | undefined;
  while (i < re.length) {
    const c = re[i];
    if (c === ']' && !first) return i + 1;
    first = false;
    if (c === '[' && (re[i + 1] === ':' || re[i + 1] === '.' || re[i + 1] === '=')) {
      const kind = re[i + 1];
      const close = re.indexOf(kind + ']', i + 2);
      if (close < 0) return ERR.bracket;
      const name = re.slice(i + 2, close);
      if (kind === ':' && !CLASSES.has(name)) return ERR.ctype;
      if (kind !== ':' && [...name].length !== 1) return ERR.collate;
      prev = kind === ':' ? undefined : name;
      i = close + 2;
      continue;
    }
    if (c === '-' && prev !== undefined && re[i + 1] !== undefined && re[i + 1] !== ']') {
      let hi = re[i + 1];
      let step = 2;
      if (hi === '\\' && re[i + 2] !== undefined) {
        hi = re[i + 2];
        step = 3;
      }
      if (hi.codePointAt(0)! < prev.codePointAt(0)!) return ERR.range;
      prev = undefined;
      i += step;
      continue;
    }
    if (c === '\\' && re[i + 1] !== undefined) {
      prev = re[i + 1];
      i += 2;
      continue;
    }
    prev = c;
    i++;
  }
  return ERR.bracket;
}
