// Checks a pg_hba.conf `/regex` token the way PostgreSQL's regcomp (ARE flavour) would reject it,
// returning pg_regerror's text. Covers the structural errors people make; PostgreSQL is the judge.

const QUANTIFIERS = new Set(['*', '+', '?']);

export function regexError(re: string): string | undefined {
  let depth = 0;
  let canQuantify = false;
  for (let i = 0; i < re.length; i++) {
    const c = re[i];
    if (c === '\\') {
      if (i + 1 >= re.length) return 'invalid escape \\ sequence';
      i++;
      canQuantify = true;
      continue;
    }
    if (c === '[') {
      const end = bracketEnd(re, i);
      if (end < 0) return 'brackets [] not balanced';
      i = end;
      canQuantify = true;
      continue;
    }
    if (c === '(') {
      depth++;
      if (re.startsWith('?:', i + 1)) i += 2;
      canQuantify = false;
      continue;
    }
    if (c === ')') {
      if (depth === 0) return 'parentheses () not balanced';
      depth--;
      canQuantify = true;
      continue;
    }
    if (QUANTIFIERS.has(c) || c === '{') {
      if (c === '{') {
        const m = /^\{(\d*)(,(\d*))?\}/.exec(re.slice(i));
        if (!m) return 'braces {} not balanced';
        const lo = m[1] === '' ? 0 : Number(m[1]);
        const hi = m[2] === undefined ? lo : m[3] === '' ? Infinity : Number(m[3]);
        if (m[1] === '' || lo > 255 || (hi !== Infinity && (hi > 255 || hi < lo))) return 'invalid repetition count(s)';
        i += m[0].length - 1;
      }
      if (!canQuantify) return 'quantifier operand invalid';
      if (re[i + 1] === '?') i++;
      canQuantify = false;
      continue;
    }
    canQuantify = c !== '|' && c !== '^';
  }
  return depth > 0 ? 'parentheses () not balanced' : undefined;
}

/** Index of the `]` closing the bracket expression at `start`, or -1. */
function bracketEnd(re: string, start: number): number {
  let i = start + 1;
  if (re[i] === '^') i++;
  if (re[i] === ']') i++;
  for (; i < re.length; i++) {
    if (re[i] === '[' && (re[i + 1] === ':' || re[i + 1] === '.' || re[i + 1] === '=')) {
      const close = re.indexOf(re[i + 1] + ']', i + 2);
      if (close < 0) return -1;
      i = close + 1;
      continue;
    }
    if (re[i] === ']') return i;
  }
  return -1;
}
