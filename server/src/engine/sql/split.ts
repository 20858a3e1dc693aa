// Splits a migration file into statements the way psql does: semicolons end statements except
// inside strings, quoted identifiers, dollar quotes, comments, parentheses and BEGIN ATOMIC bodies.
// psql meta-commands and variables are blanked out in place (same length), so every offset in the
// prepared text is an offset in the file.

export interface SqlStatement {
  /** UTF-16 offsets of the statement in the file; `end` is where its semicolon is (or the end of the file). */
  start: number;
  end: number;
  /** The statement as the parser gets it, with its semicolon as psql sends it (meta-commands and variables neutralized). */
  text: string;
}

export interface SplitResult {
  statements: SqlStatement[];
  /** The whole file with psql meta-commands blanked and variables replaced by same-length stand-ins. */
  prepared: string;
}

const isIdentStart = (c: string | undefined) => c !== undefined && (/[A-Za-z_]/.test(c) || c.charCodeAt(0) >= 0x80);
const isIdentChar = (c: string | undefined) => c !== undefined && (/[A-Za-z0-9_$]/.test(c) || c.charCodeAt(0) >= 0x80);

export function splitStatements(text: string): SplitResult {
  const out = text.split('');
  const statements: SqlStatement[] = [];
  let i = 0;
  let stmtStart = 0;
  let depth = 0; // parentheses
  let atomic = 0; // BEGIN ATOMIC ... END nesting
  let words: string[] = []; // upper-cased words of the current statement, for BEGIN ATOMIC
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n' && out[k] !== '\r') out[k] = ' ';
  };
  const finish = (end: number) => {
    const body = out.slice(stmtStart, text[end] === ';' ? end + 1 : end).join('');
    if (/\S/.test(stripComments(body))) statements.push({ start: stmtStart, end, text: body });
    stmtStart = end + 1;
    depth = 0;
    atomic = 0;
    words = [];
  };
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      let nest = 1;
      i += 2;
      while (i < text.length && nest > 0) {
        if (text[i] === '/' && text[i + 1] === '*') (nest++, (i += 2));
        else if (text[i] === '*' && text[i + 1] === '/') (nest--, (i += 2));
        else i++;
      }
    } else if (c === "'" || ((c === 'E' || c === 'e') && next === "'" && !isIdentChar(text[i - 1]))) {
      const escapes = c !== "'";
      i += escapes ? 2 : 1;
      while (i < text.length) {
        if (escapes && text[i] === '\\') i += 2;
        else if (text[i] === "'" && text[i + 1] === "'") i += 2;
        else if (text[i] === "'") break;
        else i++;
      }
      i++;
    } else if (c === '"') {
      i++;
      while (i < text.length && !(text[i] === '"' && text[i + 1] !== '"')) i += text[i] === '"' ? 2 : 1;
      i++;
    } else if (c === '$' && !isIdentChar(text[i - 1])) {
      const m = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(text.slice(i, i + 64));
      if (m) {
        const close = text.indexOf(m[0], i + m[0].length);
        i = close < 0 ? text.length : close + m[0].length;
      } else i++;
    } else if (c === '\\') {
      // psql meta-command: to the end of the line (\\ would end it early; migrations do not use that).
      // \g and its kin send the query typed so far, as a semicolon would.
      const end = text.indexOf('\n', i);
      const sends = /^\\(g|gx|gset|gexec|gdesc|watch|crosstabview)\b/.test(text.slice(i, i + 16));
      blank(i, end < 0 ? text.length : end);
      if (sends) finish(i);
      i = end < 0 ? text.length : end;
    } else if (c === ':' && next !== ':' && text[i - 1] !== ':') {
      // psql variables: :name, :'name', :"name" become a same-length identifier or literal.
      const quote = next === "'" || next === '"' ? next : undefined;
      if (quote) {
        const close = text.indexOf(quote, i + 2);
        if (close > 0 && !text.slice(i + 2, close).includes('\n')) {
          out[i] = ' ';
          i = close + 1;
          continue;
        }
      } else if (isIdentStart(next)) {
        out[i] = '_';
        i++;
        while (isIdentChar(text[i])) i++;
        continue;
      }
      i++;
    } else if (c === '(') {
      depth++;
      i++;
    } else if (c === ')') {
      depth = Math.max(0, depth - 1);
      i++;
    } else if (c === ';' && depth === 0 && atomic === 0) {
      finish(i);
      i++;
    } else if (isIdentStart(c)) {
      let j = i + 1;
      while (isIdentChar(text[j])) j++;
      const w = text.slice(i, j).toUpperCase();
      if (w === 'ATOMIC' && words[words.length - 1] === 'BEGIN') atomic++;
      else if (atomic > 0 && w === 'CASE') atomic++;
      else if (atomic > 0 && w === 'END') atomic--;
      words.push(w);
      i = j;
    } else {
      i++;
    }
  }
  finish(text.length);
  return { statements, prepared: out.join('') };
}

function stripComments(s: string): string {
  return s.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}
