// A model of how PostgreSQL reads a postgresql.conf and the files it includes (guc-file.l's
// ParseConfigFp, ParseConfigFile, ParseConfigDirectory; conffiles.c), used by the differential
// harness for one thing only: to put line numbers on the messages PostgreSQL prints without one.
//
// PostgreSQL names file and line in its syntax errors and unknown-parameter errors, but not in
// include errors ("could not open configuration file ...", "configuration file recursion in ...",
// "skipping missing configuration file ...") nor in value errors ("invalid value for parameter
// ..."). The recorder replays the files through this model, which predicts the exact sequence of
// line-less include messages (with the directive that caused each) and the list of settings in the
// order PostgreSQL applies them; the recorder then requires PostgreSQL's actual messages to match
// the prediction text for text before it uses the model's line numbers (see corpus.ts). The model
// is never the oracle: where it and the server differ, recording fails.
//
// Everything here works on bytes (latin1 strings), as PostgreSQL's flex scanner does.

import * as path from 'node:path';

/** Root of the case folder in the model; rendered as `<DIR>` in messages. */
export const VROOT = '/__DIR__';
export const DIR_TOKEN = '<DIR>';
export const MAIN = 'postgresql.conf';
/** CONF_FILE_MAX_DEPTH */
const MAX_DEPTH = 10;

type Tok = 'EOL' | 'ID' | 'QUALIFIED_ID' | 'STRING' | 'UNQUOTED_STRING' | 'INTEGER' | 'REAL' | 'EQUALS' | 'ERROR' | 'EOF';

interface Token {
  t: Tok;
  /** latin1 text (one char per byte) */
  text: string;
}

// The scanner's rules, in guc-file.l order (flex: longest match wins, then the earlier rule).
const ID = '[A-Za-z_\\x80-\\xff][A-Za-z_0-9\\x80-\\xff]*';
const RULES: Array<[Tok, RegExp[]]> = [
  ['ID', [new RegExp(ID, 'y')]],
  ['QUALIFIED_ID', [new RegExp(`${ID}\\.${ID}`, 'y')]],
  ['STRING', [/'(?:[^'\\\n]|\\[^\n]|'')*'/y]],
  ['UNQUOTED_STRING', [/[A-Za-z_\x80-\xff][A-Za-z_0-9\x80-\xff\-._:/]*/y]],
  // {SIGN}?({DIGIT}+|0x{HEXDIGIT}+){UNIT_LETTER}*: both alternatives tried, the longer kept
  ['INTEGER', [/[-+]?[0-9]+[a-zA-Z]*/y, /[-+]?0x[0-9a-fA-F]+[a-zA-Z]*/y]],
  ['REAL', [/[-+]?[0-9]*\.[0-9]*(?:[Ee][-+]?[0-9]+)?/y]],
  ['EQUALS', [/=/y]],
];

class Scanner {
  pos = 0;
  /** ConfigFileLineno */
  line = 1;
  constructor(private readonly s: string) {}

  next(): Token {
    const s = this.s;
    for (;;) {
      if (this.pos >= s.length) return { t: 'EOF', text: '' };
      const c = s[this.pos]!;
      if (c === '\n') {
        this.pos++;
        this.line++;
        return { t: 'EOL', text: '\n' };
      }
      if (c === ' ' || c === '\t' || c === '\r') {
        this.pos++;
        continue;
      }
      if (c === '#') {
        const nl = s.indexOf('\n', this.pos);
        this.pos = nl < 0 ? s.length : nl;
        continue;
      }
      let best: Token | null = null;
      for (const [t, res] of RULES) {
        for (const re of res) {
          re.lastIndex = this.pos;
          const m = re.exec(s);
          if (m && m[0].length > 0 && (!best || m[0].length > best.text.length)) best = { t, text: m[0] };
        }
      }
      if (!best) best = { t: 'ERROR', text: c };
      this.pos += best.text.length;
      return best;
    }
  }
}

/** DeescapeQuotedString: strip the quotes, '' -> ', \b \f \n \r \t, \ooo octal, \x -> x. */
export function deescape(quoted: string): string {
  const s = quoted.slice(1);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') {
      i++;
      const c = s[i] ?? '';
      const simple: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (c in simple) out += simple[c];
      else if (c >= '0' && c <= '7') {
        let k = 0;
        let v = 0;
        while (k < 3 && s[i + k] !== undefined && s[i + k]! >= '0' && s[i + k]! <= '7') {
          v = (v << 3) + (s.charCodeAt(i + k) - 48);
          k++;
        }
        i += k - 1;
        out += String.fromCharCode(v & 0xff);
      } else out += c;
    } else if (s[i] === "'" && s[i + 1] === "'") {
      out += "'";
      i++;
    } else out += s[i];
  }
  return cString(out.slice(0, -1));
}

/** A C string ends at its first NUL. */
const cString = (s: string) => {
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
};

/** latin1 bytes -> text as PostgreSQL's stderr shows it (read as UTF-8). */
export const bytesToText = (latin1: string) => Buffer.from(cString(latin1), 'latin1').toString('utf8');

// ---------------------------------------------------------------------------------------------

export interface SimEvent {
  /**
   * syntax: a syntax error (PostgreSQL names file and line itself);
   * abandon: "too many syntax errors found, abandoning file"; include: an include failure
   * (no line in the message); note: "skipping missing configuration file" (not an error).
   */
  kind: 'syntax' | 'abandon' | 'include' | 'note';
  /** The message as PostgreSQL prints it, paths under the case folder written <DIR>/... */
  text: string;
  /** Where the harness files it: the case-relative file (or an absolute path outside) and 1-based line. */
  file: string;
  line: number;
}

export interface SimItem {
  name: string;
  value: string;
  file: string;
  line: number;
  /** An earlier occurrence PostgreSQL skips because the same name (strcmp) is set again later. */
  ignored: boolean;
}

export interface Simulation {
  events: SimEvent[];
  /** Settings in the order PostgreSQL applies them (include directives resolved). */
  items: SimItem[];
  /** Files PostgreSQL opened and parsed: file -> last line it looked at (Infinity: all of it). */
  read: Record<string, number>;
}

export type VirtualFiles = Record<string, Uint8Array>;

interface Entry {
  kind: 'file' | 'dir';
}

export interface SimOptions {
  /** PostgreSQL major (path canonicalization and descriptor use changed over time); default: newest. */
  major?: number;
  main?: string;
}

/** What PostgreSQL 14/15 do when an include chain holds too many files/folders open: ERROR (FATAL at start-up). */
class Abort extends Error {}

/**
 * maxAllocatedDescs while `postgres -C` reads the configuration: max_safe_fds still has its
 * initial value (32) then, so the limit is the same on every machine.
 */
const MAX_ALLOCATED_DESCS = 16;

/** Simulates ParseConfigFile(<DIR>/postgresql.conf) over a folder given as relative path -> bytes. */
export function simulate(files: VirtualFiles, opts: SimOptions = {}): Simulation {
  const major = opts.major ?? 99;
  const main = opts.main ?? MAIN;
  // Up to 14, canonicalize_path folded only trailing "." and ".." components (commit c10f830c5,
  // "Make canonicalize_path() more canonical", is in 15).
  const canonicalize = major <= 14 ? canonicalizeOld : canonicalizeNew;
  // Up to 15, ParseConfigDirectory kept the folder open while it parsed the files in it.
  const dirHeldOpen = major <= 15;
  let descs = 0;
  const tree = new Map<string, Entry>();
  for (const rel of Object.keys(files)) {
    const abs = path.posix.join(VROOT, rel);
    tree.set(abs, { kind: 'file' });
    for (let d = path.posix.dirname(abs); d !== '/' && !tree.has(d); d = path.posix.dirname(d)) tree.set(d, { kind: 'dir' });
  }
  tree.set(VROOT, { kind: 'dir' });
  const stat = (abs: string): 'file' | 'dir' | 'ENOENT' | 'ENOTDIR' => {
    const e = tree.get(abs);
    if (e) return e.kind;
    for (let d = path.posix.dirname(abs); d !== '/' && d !== '.'; d = path.posix.dirname(d)) {
      if (tree.get(d)?.kind === 'file') return 'ENOTDIR';
    }
    return 'ENOENT';
  };
  const strerror = { ENOENT: 'No such file or directory', ENOTDIR: 'Not a directory' } as const;
  const show = (abs: string) => bytesToText(abs.startsWith(VROOT + '/') ? DIR_TOKEN + abs.slice(VROOT.length) : abs === VROOT ? DIR_TOKEN : abs);
  /** The key a file is filed under: canonical, case-relative when inside the case folder. */
  const rel = (abs: string) => {
    const n = canonicalizeNew(abs);
    return n.startsWith(VROOT + '/') ? bytesToText(n.slice(VROOT.length + 1)) : bytesToText(n);
  };
  const reserveDesc = (what: 'file' | 'directory', abs: string, at: Caller) => {
    if (descs >= MAX_ALLOCATED_DESCS) {
      emit('include', `exceeded maxAllocatedDescs (${MAX_ALLOCATED_DESCS}) while trying to open ${what} "${show(abs)}"`, at);
      throw new Abort();
    }
    descs++;
  };

  const events: SimEvent[] = [];
  const items: SimItem[] = [];
  const read: Record<string, number> = {};
  const isBlank = (s: string) => /^[ \t\r\n]*$/.test(s);
  /** AbsoluteConfigLocation: absolute paths as written, relative ones joined to the caller's folder and canonicalized. */
  const absLocation = (loc: string, callingFile: string) => (loc.startsWith('/') ? loc : canonicalize(joinPath(parentDir(callingFile), loc)));

  type Caller = { file: string; line: number };
  const emit = (kind: SimEvent['kind'], text: string, at: Caller) => events.push({ kind, text, file: rel(at.file), line: at.line });

  const parseFile = (loc: string, strict: boolean, caller: Caller, depth: number): boolean => {
    if (isBlank(loc)) {
      emit('include', `empty configuration file name: "${bytesToText(loc)}"`, caller);
      return false;
    }
    if (depth > MAX_DEPTH) {
      emit('include', `could not open configuration file "${show(loc)}": maximum nesting depth exceeded`, caller);
      return false;
    }
    const abs = absLocation(loc, caller.file);
    if (abs === caller.file) {
      emit('include', `configuration file recursion in "${show(caller.file)}"`, caller);
      return false;
    }
    const st = stat(canonicalizeNew(abs));
    if (st === 'ENOENT' || st === 'ENOTDIR') {
      if (strict) {
        emit('include', `could not open configuration file "${show(abs)}": ${strerror[st]}`, caller);
        return false;
      }
      emit('note', `skipping missing configuration file "${show(abs)}"`, caller);
      return true;
    }
    reserveDesc('file', abs, caller);
    try {
      if (st === 'dir') {
        // fopen() of a folder works on Linux; the first read fails inside flex.
        emit('include', `input in flex scanner failed at file "${show(abs)}" line 1`, caller);
        return false;
      }
      return parseFp(abs, depth);
    } finally {
      descs--;
    }
  };

  const parseDir = (loc: string, caller: Caller, depth: number): boolean => {
    if (isBlank(loc)) {
      emit('include', `empty configuration directory name: "${bytesToText(loc)}"`, caller);
      return false;
    }
    const dir = absLocation(loc, caller.file);
    const st = stat(canonicalizeNew(dir));
    if (st !== 'dir') {
      const errno = st === 'file' ? 'ENOTDIR' : st;
      emit('include', `could not open configuration directory "${show(dir)}": ${strerror[errno]}`, caller);
      return false;
    }
    const names: string[] = [];
    for (const [p, e] of tree) {
      if (e.kind !== 'file' || path.posix.dirname(p) !== canonicalizeNew(dir)) continue;
      const base = path.posix.basename(p);
      if (base.length < 6 || base.startsWith('.') || !base.endsWith('.conf')) continue;
      names.push(canonicalize(joinPath(dir, base)));
    }
    names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (dirHeldOpen) reserveDesc('directory', dir, caller);
    try {
      for (const f of names) if (!parseFile(f, true, caller, depth)) return false;
      return true;
    } finally {
      if (dirHeldOpen) descs--;
    }
  };

  const parseFp = (abs: string, depth: number): boolean => {
    const bytes = files[canonicalizeNew(abs).slice(VROOT.length + 1)]!;
    const sc = new Scanner(Buffer.from(bytes).toString('latin1'));
    const me = rel(abs);
    read[me] = Infinity;
    let ok = true;
    let errors = 0;
    const syntaxError = (tok: Token): boolean => {
      let line: number;
      let text: string;
      if (tok.t === 'EOL' || tok.t === 'EOF') {
        line = sc.line - 1;
        text = `syntax error in file "${show(abs)}" line ${line}, near end of line`;
      } else {
        line = sc.line;
        text = `syntax error in file "${show(abs)}" line ${line}, near token "${bytesToText(tok.text)}"`;
      }
      events.push({ kind: 'syntax', text, file: me, line });
      ok = false;
      if (++errors >= 100) {
        events.push({ kind: 'abandon', text: `too many syntax errors found, abandoning file "${show(abs)}"`, file: me, line });
        read[me] = line;
        return false;
      }
      while (tok.t !== 'EOL' && tok.t !== 'EOF') tok = sc.next();
      return tok.t !== 'EOF';
    };
    for (;;) {
      let tok = sc.next();
      if (tok.t === 'EOF') break;
      if (tok.t === 'EOL') continue;
      if (tok.t !== 'ID' && tok.t !== 'QUALIFIED_ID') {
        if (syntaxError(tok)) continue;
        break;
      }
      const name = tok.text;
      tok = sc.next();
      if (tok.t === 'EQUALS') tok = sc.next();
      if (!['ID', 'STRING', 'INTEGER', 'REAL', 'UNQUOTED_STRING'].includes(tok.t)) {
        if (syntaxError(tok)) continue;
        break;
      }
      const value = tok.t === 'STRING' ? deescape(tok.text) : tok.text;
      tok = sc.next();
      if (tok.t !== 'EOL') {
        if (tok.t !== 'EOF') {
          if (syntaxError(tok)) continue;
          break;
        }
        sc.line++; // "treat EOF like \n for line numbering purposes"
      }
      const at: Caller = { file: abs, line: sc.line - 1 };
      const lower = name.toLowerCase();
      if (lower === 'include_dir') {
        if (!parseDir(value, at, depth + 1)) ok = false;
      } else if (lower === 'include_if_exists') {
        if (!parseFile(value, false, at, depth + 1)) ok = false;
      } else if (lower === 'include') {
        if (!parseFile(value, true, at, depth + 1)) ok = false;
      } else {
        items.push({ name: bytesToText(name), value: bytesToText(value), file: me, line: at.line, ignored: false });
      }
      if (tok.t === 'EOF') break;
    }
    return ok;
  };

  const mainAbs = path.posix.join(VROOT, main);
  if (stat(mainAbs) === 'file') {
    descs = 1;
    try {
      parseFp(mainAbs, 0);
    } catch (e) {
      if (!(e instanceof Abort)) throw e;
    }
  }

  // ProcessConfigFileInternal: an earlier setting of a built-in parameter is skipped when the
  // same name, compared with strcmp (so case-sensitively), is set again later. Custom (dotted)
  // names have no GUC record yet at start-up and are never marked.
  for (let i = 0; i < items.length; i++) {
    if (items[i]!.name.includes('.')) continue;
    if (items.slice(i + 1).some((later) => later.name === items[i]!.name)) items[i]!.ignored = true;
  }
  return { events, items, read };
}

/** join_path_components: leading "./" of the tail dropped, joined with '/'. */
function joinPath(head: string, tail: string): string {
  let t = tail;
  while (t.startsWith('./')) t = t.slice(2);
  return t === '' ? head : `${head}/${t}`;
}

/** get_parent_directory (trim_directory) */
function parentDir(p: string): string {
  const d = p.replace(/\/+$/, '').replace(/\/[^/]*$/, '');
  return d === '' ? '/' : d;
}

/** canonicalize_path from 15 on: no '//', no '.' components, '..' folded. */
function canonicalizeNew(p: string): string {
  const n = path.posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** canonicalize_path up to 14: trailing '/', '//', and only trailing '.' and '..' components handled. */
function canonicalizeOld(p0: string): string {
  let p = p0.replace(/\/{2,}/g, '/');
  if (p.length > 1) p = p.replace(/\/+$/, '') || '/';
  let pending = 0;
  for (;;) {
    if (p.endsWith('/.')) p = parentDir(p);
    else if (p.endsWith('/..')) {
      p = parentDir(p);
      pending++;
    } else if (pending > 0 && p !== '/' && p !== '') {
      p = parentDir(p);
      pending--;
    } else break;
  }
  return p;
}
