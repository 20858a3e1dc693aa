// ParseConfigFp and ParseConfigFile from guc-file.l: one `name [=] value` per line, include
// directives processed in place, files read in PostgreSQL's order. Never throws.
import type { FileSystem, Range } from '../types';
import { lex, unquote, type LexToken } from './lexer';
import { MAX_DEPTH, configFilesInDir, resolveConfigPath, strerror } from '../conffiles';
const MAX_SYNTAX_ERRORS = 100;

export interface ConfSetting {
  file: string;
  /** Zero-based line of the setting. */
  line: number;
  /** The name as written, and lower-cased (names are case-insensitive). */
  name: string;
  key: string;
  nameRange: Range;
  /** The value as PostgreSQL sees it: quotes and escapes removed. */
  value: string;
  /** The value token as written. */
  rawValue: string;
  quoted: boolean;
  valueRange: Range;
  /** From the name to the end of the value. */
  range: Range;
}

export interface ConfError {
  file: string;
  /** The zero-based line PostgreSQL names (or the include line, for include problems). */
  line: number;
  range: Range;
  message: string;
}

export interface ConfParse {
  settings: ConfSetting[];
  errors: ConfError[];
  /** Every file read, with its text (for fixes and messages). */
  texts: Map<string, string>;
}

const lineRange = (t: LexToken): Range => ({ start: { line: t.line, character: t.start }, end: { line: t.line, character: t.end } });
const NAME_KINDS = new Set(['ID', 'QUALIFIED_ID']);
const VALUE_KINDS = new Set(['ID', 'STRING', 'INTEGER', 'REAL', 'UNQUOTED_STRING']);

interface Reader {
  fs: FileSystem;
  pgVersion: number;
  out: ConfParse;
}

export function parseConf(file: string, text: string, fs: FileSystem, extraFiles: string[] = [], pgVersion = 17): ConfParse {
  const r: Reader = { fs, pgVersion, out: { settings: [], errors: [], texts: new Map() } };
  parseText(file, text, 0, r);
  // postgresql.auto.conf and the like are read after the main file, as if appended.
  for (const extra of extraFiles) {
    const t = fs.readFile(extra);
    if (typeof t === 'string') parseText(extra, t, 0, r);
  }
  return r.out;
}

function parseText(file: string, text: string, depth: number, reader: Reader) {
  const out = reader.out;
  out.texts.set(file, text);
  const tokens = lex(text);
  let i = 0;
  let errors = 0;
  const next = () => tokens[i++];
  const fail = (t: LexToken | undefined, eofLine: number) => {
    // At end of line PostgreSQL names the line just ended; at end of file, where no newline moved
    // its line counter on, the line before; at a token, that token's line (cut at a NUL, as C does).
    const pgLine = !t ? eofLine - 1 : t.line;
    const message =
      !t || t.kind === 'EOL'
        ? `syntax error in file "${file}" line ${pgLine + 1}, near end of line`
        : `syntax error in file "${file}" line ${pgLine + 1}, near token "${t.text.split('\0')[0]}"`;
    const range = t && t.kind !== 'EOL' ? lineRange(t) : endOfLine(text, t ? t.line : eofLine);
    out.errors.push({ file, line: pgLine, range, message });
    errors++;
    if (errors >= MAX_SYNTAX_ERRORS) {
      out.errors.push({ file, line: pgLine, range, message: `too many syntax errors found, abandoning file "${file}"` });
      return false;
    }
    while (t && t.kind !== 'EOL') t = next();
    return t !== undefined;
  };
  const lastLine = text.split('\n').length - 1;
  for (let t = next(); t; t = next()) {
    if (t.kind === 'EOL') continue;
    if (!NAME_KINDS.has(t.kind)) {
      if (!fail(t, lastLine)) return;
      continue;
    }
    const nameTok = t;
    let v = next();
    if (v && v.kind === 'EQUALS') v = next();
    if (!v || !VALUE_KINDS.has(v.kind)) {
      if (!fail(v, lastLine)) return;
      continue;
    }
    const end = next();
    if (end && end.kind !== 'EOL') {
      if (!fail(end, lastLine)) return;
      continue;
    }
    const setting: ConfSetting = {
      file,
      line: nameTok.line,
      name: nameTok.text,
      key: nameTok.text.toLowerCase(),
      nameRange: lineRange(nameTok),
      value: v.kind === 'STRING' ? unquote(v.text) : v.text,
      rawValue: v.text,
      quoted: v.kind === 'STRING',
      valueRange: lineRange(v),
      range: { start: lineRange(nameTok).start, end: lineRange(v).end },
    };
    if (setting.key === 'include' || setting.key === 'include_if_exists' || setting.key === 'include_dir')
      include(setting, depth, reader);
    else out.settings.push(setting);
    if (!end) return;
  }
}

function endOfLine(text: string, line: number): Range {
  const l = (text.split('\n')[line] ?? '').replace(/\r$/, '');
  return { start: { line, character: 0 }, end: { line, character: l.length } };
}

const isBlankName = (s: string) => /^[ \t\r\n]*$/.test(s);

function include(d: ConfSetting, depth: number, reader: Reader) {
  const fail = (message: string) => void reader.out.errors.push({ file: d.file, line: d.line, range: d.valueRange, message });
  if (d.key === 'include_dir') {
    if (isBlankName(d.value)) return fail(`empty configuration directory name: "${d.value}"`);
    const dir = resolveConfigPath(d.value, d.file, reader.pgVersion);
    const files = configFilesInDir(reader.fs, dir);
    if (!Array.isArray(files)) return fail(`could not open configuration directory "${dir}": ${strerror(files.code)}`);
    for (const f of files) includeFile(f, true, d, depth + 1, reader);
    return;
  }
  includeFile(d.value, d.key === 'include', d, depth + 1, reader);
}

function includeFile(name: string, strict: boolean, d: ConfSetting, depth: number, reader: Reader) {
  const fail = (message: string) => void reader.out.errors.push({ file: d.file, line: d.line, range: d.valueRange, message });
  if (isBlankName(name)) return fail(`empty configuration file name: "${name}"`);
  if (depth > MAX_DEPTH) return fail(`could not open configuration file "${name}": maximum nesting depth exceeded`);
  const abs = resolveConfigPath(name, d.file, reader.pgVersion);
  if (abs === d.file) return fail(`configuration file recursion in "${d.file}"`);
  const r = reader.fs.readFile(abs);
  // A directory opens, and flex's first read of it fails (include_if_exists too: it exists).
  if (typeof r !== 'string' && r.code === 'EISDIR') return fail(`input in flex scanner failed at file "${abs}" line 1`);
  if (typeof r !== 'string') {
    // include_if_exists skips a missing file only; one we may not read is reported.
    if (strict || r.code === 'EOUTSIDE') fail(`could not open configuration file "${abs}": ${strerror(r.code)}`);
    return;
  }
  parseText(abs, r, depth, reader);
}
