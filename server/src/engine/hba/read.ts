// Reads a pg_hba.conf (or pg_ident.conf) and everything it pulls in, in PostgreSQL's order:
// `@file` references expand in place, `include*` directives (16+) splice their lines in.
import type { FileSystem, Range } from '../types';
import { FieldList, logicalLines, tokenizeFields, type RawLine, type Token } from './tokenize';
import { MAX_DEPTH, configFilesInDir, joinUncanonical, resolveConfigPath, strerror } from '../conffiles';

/** Up to 15, tokens lived in a fixed buffer of MAX_TOKEN bytes (10240 in current minor releases). */
const MAX_TOKEN = 10240;

export class SourceLine extends FieldList implements RawLine {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly endLine: number,
    fields: FieldList,
    /** A tokenizing error (unreadable @file or include): PostgreSQL rejects the line with it. */
    readonly error?: { message: string; range: Range },
  ) {
    super(fields.tokens, fields.starts);
  }

  /** The fields, each in an array made anew at each call. */
  get fields(): Token[][] {
    return this.all();
  }

  /** Worked out when asked for: most lines are never reported. */
  get range(): Range {
    const first = this.tokens[0];
    const last = this.tokens[this.tokens.length - 1];
    return first && last ? { start: first.range.start, end: last.range.end } : this.error!.range;
  }

  withError(error: { message: string; range: Range }): SourceLine {
    return new SourceLine(this.file, this.line, this.endLine, this, error);
  }
}

export interface ReadOptions {
  pgVersion: number;
  fs: FileSystem;
}

export function readAuthFile(file: string, text: string, opts: ReadOptions): SourceLine[] {
  const out: SourceLine[] = [];
  tokenizeFile(file, text, opts, 0, out);
  return out;
}

type Opened = { text: string } | { error: string; code: string };

function openAuthFile(file: string, opts: ReadOptions, depth: number): Opened {
  if (depth > MAX_DEPTH)
    return { error: `could not open file "${file}": maximum nesting depth exceeded`, code: 'ELOOP' };
  const r = opts.fs.readFile(file);
  if (typeof r === 'string') return { text: r };
  // fopen() succeeds on a directory; the read fails, which 13 reports and 14+ takes as an empty file.
  if (r.code === 'EISDIR')
    return opts.pgVersion < 14 ? { error: `could not read file "${file}": ${strerror(r.code)}`, code: r.code } : { text: '' };
  return { error: `could not open file "${file}": ${strerror(r.code)}`, code: r.code };
}

function tokenizeFile(file: string, text: string, opts: ReadOptions, depth: number, out: SourceLine[]) {
  const maxToken = opts.pgVersion <= 15 ? MAX_TOKEN : Infinity;
  const expand = (t: Token) => expandAtFile(t, file, opts, depth + 1);
  for (const l of logicalLines(text, opts.pgVersion >= 14)) {
    const { fields, error } = tokenizeFields(l, expand, maxToken);
    if (fields.count === 0 && !error) continue;
    const line = new SourceLine(file, l.line, l.endLine, fields, error);
    if (!error && opts.pgVersion >= 16 && fields.count === 2 && includeDirective(line, opts, depth, out)) continue;
    out.push(line);
  }
}

/** `@file`: every token of every line of the file, in order; the tokens keep the @ token's range. */
function expandAtFile(at: Token, outer: string, opts: ReadOptions, depth: number): Token[] | { error: string } {
  const name = at.text.slice(1);
  const full = opts.pgVersion <= 14 ? joinUncanonical(name, outer) : resolveConfigPath(name, outer);
  const opened = openAuthFile(full, opts, depth);
  if ('error' in opened) {
    if (opts.pgVersion < 16 && opened.code !== 'EISDIR')
      return { error: `could not open secondary authentication file "@${name}" as "${full}": ${strerror(opened.code)}` };
    return opened;
  }
  const lines: SourceLine[] = [];
  tokenizeFile(full, opened.text, opts, depth, lines);
  const tokens: Token[] = [];
  for (const l of lines) {
    if (l.error) return { error: l.error.message };
    for (const t of l.tokens) tokens.push(t.readThrough(at, full));
  }
  return tokens;
}

/** include / include_if_exists / include_dir records (PostgreSQL 16+). Returns true when handled. */
function includeDirective(line: SourceLine, opts: ReadOptions, depth: number, out: SourceLine[]): boolean {
  const keyword = line.at(0).text;
  const target = line.at(1).text;
  if (keyword !== 'include' && keyword !== 'include_if_exists' && keyword !== 'include_dir') return false;
  const fail = (message: string) => {
    out.push(line.withError({ message, range: line.at(1).range }));
    return true;
  };
  if (keyword === 'include_dir') {
    if (target === '') return fail('empty configuration directory name');
    const dir = resolveConfigPath(target, line.file);
    const files = configFilesInDir(opts.fs, dir);
    // PostgreSQL gives no reason here; not reading outside an untrusted workspace is ours to explain.
    if (!Array.isArray(files)) return fail(`could not open directory "${dir}"${files.code === 'EOUTSIDE' ? `: ${strerror(files.code)}` : ''}`);
    const errors: string[] = [];
    for (const f of files) {
      const e = includeFile(f, line.file, false, opts, depth, out);
      if (e) errors.push(e);
    }
    return errors.length ? fail(errors.join('\n')) : true;
  }
  const e = includeFile(target, line.file, keyword === 'include_if_exists', opts, depth, out);
  return e ? fail(e) : true;
}

function includeFile(
  name: string,
  outer: string,
  missingOk: boolean,
  opts: ReadOptions,
  depth: number,
  out: SourceLine[],
): string | undefined {
  const full = resolveConfigPath(name, outer);
  const opened = openAuthFile(full, opts, depth + 1);
  if ('error' in opened) return missingOk && opened.code === 'ENOENT' ? undefined : opened.error;
  tokenizeFile(full, opened.text, opts, depth + 1, out);
  return undefined;
}
