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
}

/** Letters, _, and any non-ASCII character start a word; digits and $ may follow. */
function isIdentStart(c: string | undefined): boolean {
  if (c === undefined) return false;
  const k = c.charCodeAt(0);
  return (k >= 65 && k <= 90) || (k >= 97 && k <= 122) || k === 95 || k >= 0x80;
}
function isIdentChar(c: string | undefined): boolean {
  if (c === undefined) return false;
  const k = c.charCodeAt(0);
  return isIdentStart(c) || (k >= 48 && k <= 57) || k === 36;
}

/** A same-length replacement of the text (a blanked meta-command, a neutralized variable). */
interface Patch {
  at: number;
  text: string;
}

/** `text` from `from` to `to` with the patches that fall inside applied (patches are in order). */
function patched(text: string, patches: Patch[], from: number, to: number): string {
  let out = '';
  let pos = from;
  for (const p of patches) {
    if (p.at + p.text.length <= from || p.at >= to) continue;
    const a = Math.max(p.at, from);
    const b = Math.min(p.at + p.text.length, to);
    out += text.slice(pos, a) + p.text.slice(a - p.at, b - p.at);
    pos = b;
  }
  return out + text.slice(pos, to);
}

/** Where a statement's text ends: after its semicolon, as psql sends it. */
const statementEnd = (text: string, end: number) => (text[end] === ';' ? end + 1 : end);

/** A statement's span of the file: its text unless psql meta-commands or variables in the file were blanked. */
export const spanText = (text: string, s: { start: number; end: number }): string => text.slice(s.start, statementEnd(text, s.end));

/** The statements at these spans (start and end in pairs), their texts as `texts` gives or `spanText`. */
export function statementsAt(text: string, bounds: Int32Array, texts?: readonly string[]): SqlStatement[] {
  const out = new Array<SqlStatement>(bounds.length / 2);
  for (let k = 0; k < out.length; k++) {
    const start = bounds[2 * k];
    const end = bounds[2 * k + 1];
    out[k] = { start, end, text: texts ? texts[k] : text.slice(start, statementEnd(text, end)) };
  }
  return out;
}

export function splitStatements(text: string): SplitResult {
  return { statements: scan(text, 0).statements };
}

/**
 * Splits the text from `from`, a statement boundary, on. With `stopAt`, stops after the first
 * statement whose end it accepts, and says where (`stoppedAt`: that end; undefined at the end of the text).
 */
function scan(text: string, from: number, stopAt?: (end: number) => boolean): { statements: SqlStatement[]; stoppedAt?: number } {
  const patches: Patch[] = [];
  const statements: SqlStatement[] = [];
  let i = from;
  let stmtStart = from;
  let stoppedAt: number | undefined;
  let depth = 0; // parentheses
  let atomic = 0; // BEGIN ATOMIC ... END nesting
  let lastWord = ''; // the previous word, upper-cased when it matters (BEGIN before ATOMIC)
  let code = false; // the statement has something besides blanks and comments
  const blank = (from: number, to: number) => patches.push({ at: from, text: text.slice(from, to).replace(/[^\r\n]/g, ' ') });
  const finish = (end: number) => {
    const to = statementEnd(text, end);
    if (code) statements.push({ start: stmtStart, end, text: patches.length ? patched(text, patches, stmtStart, to) : text.slice(stmtStart, to) });
    if (code && stopAt?.(end)) stoppedAt = end;
    stmtStart = end + 1;
    depth = 0;
    atomic = 0;
    lastWord = '';
    code = false;
  };
  while (i < text.length && stoppedAt === undefined) {
    const c = text[i];
    const next = text[i + 1];
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '-' && next === '-') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
      continue;
    }
    if (c === '/' && next === '*') {
      let nest = 1;
      i += 2;
      while (i < text.length && nest > 0) {
        if (text[i] === '/' && text[i + 1] === '*') (nest++, (i += 2));
        else if (text[i] === '*' && text[i + 1] === '/') (nest--, (i += 2));
        else i++;
      }
      continue;
    }
    if (c !== '\\' && c !== ';') code = true;
    if (c === "'" || ((c === 'E' || c === 'e') && next === "'" && !isIdentChar(text[i - 1]))) {
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
          patches.push({ at: i, text: ' ' });
          i = close + 1;
          continue;
        }
      } else if (isIdentStart(next)) {
        patches.push({ at: i, text: '_' });
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
      // Only BEGIN, ATOMIC, CASE and END matter; they are compared in place, not copied.
      const followed = FOLLOWED[j - i];
      const w = followed !== undefined && isWordAt(text, i, followed) ? followed : '';
      if (w === 'ATOMIC' && lastWord === 'BEGIN') atomic++;
      else if (atomic > 0 && w === 'CASE') atomic++;
      else if (atomic > 0 && w === 'END') atomic--;
      lastWord = w;
      i = j;
    } else {
      i++;
    }
  }
  if (stoppedAt === undefined) finish(text.length);
  return { statements, stoppedAt };
}

/** The words the splitter follows, by length. */
const FOLLOWED: Record<number, string | undefined> = { 3: 'END', 4: 'CASE', 5: 'BEGIN', 6: 'ATOMIC' };

/** Whether `word` (upper case) is at `at`, in any case: ASCII letters only, as PostgreSQL folds keywords. */
function isWordAt(text: string, at: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if ((text.charCodeAt(at + k) & ~0x20) !== word.charCodeAt(k)) return false;
  return true;
}

const BLOCK = 4096;

/** The index of the statement that ends at `end` (statements are in order), or -1. */
function endingAt(statements: SqlStatement[], end: number, from: number): number {
  let lo = from;
  let hi = statements.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (statements[mid].end < end) lo = mid + 1;
    else if (statements[mid].end > end) hi = mid - 1;
    else return mid;
  }
  return -1;
}

/** What one edit did to a split: where the text changed, and which statements were split anew. */
export interface SplitEdit {
  /** The text before the edit. */
  before: string;
  /** The text changed in [changeStart, oldChangeEnd) of the old text, now [changeStart, oldChangeEnd + delta). */
  changeStart: number;
  oldChangeEnd: number;
  delta: number;
  /** Old statements [from, oldTo) were replaced by new statements [from, newTo); the rest are the same, moved by delta after. */
  from: number;
  oldTo: number;
  newTo: number;
}

/**
 * The statements of `text`, given those of an earlier version of it: statements that end before the
 * first changed character are kept (the same objects), the text is split again from there until a
 * statement ends where one ended before, in the unchanged tail, and the statements after it are kept,
 * moved by the change in length (copies). Every boundary resets the splitter's state, so this equals
 * splitting the whole text; `edit` says what changed.
 */
export function splitEdited<S extends SqlStatement>(
  before: { text: string; statements: S[] },
  text: string,
): { statements: (S | SqlStatement)[]; edit: SplitEdit } {
  const old = before.text;
  const limit = Math.min(old.length, text.length);
  // Compared a block at a time first (a native comparison), then a character at a time.
  let prefix = 0;
  while (prefix + BLOCK <= limit && old.slice(prefix, prefix + BLOCK) === text.slice(prefix, prefix + BLOCK)) prefix += BLOCK;
  while (prefix < limit && old.charCodeAt(prefix) === text.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix + BLOCK <= limit - prefix && old.slice(old.length - suffix - BLOCK, old.length - suffix) === text.slice(text.length - suffix - BLOCK, text.length - suffix)) suffix += BLOCK;
  while (suffix < limit - prefix && old.charCodeAt(old.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)) suffix++;
  const delta = text.length - old.length;
  const prev = before.statements;
  // Kept: statements whose semicolon comes before the change (the splitter looks one character ahead).
  let kept = 0;
  while (kept < prev.length && prev[kept].end + 1 < prefix && old[prev[kept].end] === ';') kept++;
  const from = kept > 0 ? prev[kept - 1].end + 1 : 0;
  // The new split may rejoin the earlier one where an earlier statement ended in the unchanged tail.
  const tailStart = old.length - suffix;
  let rejoined = -1;
  const rejoins = (end: number) => {
    if (end - delta < tailStart || text[end] !== ';') return false;
    rejoined = endingAt(prev, end - delta, kept);
    return rejoined >= 0;
  };
  const { statements, stoppedAt } = scan(text, from, rejoins);
  // The kept statements are copied in blocks (slice, concat), not pushed one by one: that took 0.6 ms
  // of a keystroke in a 15,000-statement file.
  let tail: (S | SqlStatement)[] = stoppedAt === undefined ? [] : prev.slice(rejoined + 1);
  if (delta !== 0) tail = tail.map((s) => ({ start: s.start + delta, end: s.end + delta, text: s.text }));
  const out = (prev.slice(0, kept) as (S | SqlStatement)[]).concat(statements, tail);
  const newTo = kept + statements.length;
  const oldTo = stoppedAt !== undefined ? rejoined + 1 : prev.length;
  return { statements: out, edit: { before: old, changeStart: prefix, oldChangeEnd: old.length - suffix, delta, from: kept, oldTo, newTo } };
}
