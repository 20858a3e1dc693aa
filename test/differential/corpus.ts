// The differential corpus: loading it, asking PostgreSQL about it, and comparing answers.
// Shared by record-oracle.ts (writes expected/pgNN.json) and test/hba-differential.test.ts.
//
// A corpus case is either
//   lines/NAME.conf     one file, given to PostgreSQL as its pg_hba.conf, or
//   cases/NAME/         a folder holding pg_hba.conf and the files it includes or @-references,
//                       copied as is into the server's hba folder.
// Answers are keyed by file (relative to the case folder; a lines/ file is 'pg_hba.conf') and
// 1-based line number; paths inside error texts are rewritten to `<DIR>/...`.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSet, startPostgres, type HbaRuleRow, type PgMajor, type PgServer } from '../support/postgres';

export const DIFF_DIR = path.dirname(fileURLToPath(import.meta.url));
export const LINES_DIR = path.join(DIFF_DIR, 'lines');
export const CASES_DIR = path.join(DIFF_DIR, 'cases');
export const EXPECTED_DIR = path.join(DIFF_DIR, 'expected');
export const MAIN = 'pg_hba.conf';
export const DIR_TOKEN = '<DIR>';

export interface CorpusCase {
  /** 'lines/quoting.conf' or 'cases/include-basic'. */
  id: string;
  /** Folder relative paths are resolved against (lines/ or the case folder). */
  dir: string;
  /** Absolute path of the main file as it lies in the repository. */
  mainFile: string;
  /** What PostgreSQL gets: relative path -> bytes; always has 'pg_hba.conf'. */
  files: Record<string, Buffer>;
}

const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function loadCorpus(): CorpusCase[] {
  const out: CorpusCase[] = [];
  for (const name of fs.readdirSync(LINES_DIR).filter((n) => n.endsWith('.conf')).sort(byteOrder)) {
    const mainFile = path.join(LINES_DIR, name);
    const bytes = fs.readFileSync(mainFile);
    guardLinesFile(name, bytes);
    out.push({ id: `lines/${name}`, dir: LINES_DIR, mainFile, files: { [MAIN]: bytes } });
  }
  for (const name of fs.readdirSync(CASES_DIR).sort(byteOrder)) {
    const dir = path.join(CASES_DIR, name);
    if (!fs.statSync(dir).isDirectory()) continue;
    const files = readFileSet(dir);
    if (!files[MAIN]) throw new Error(`corpus case cases/${name} has no ${MAIN}`);
    out.push({ id: `cases/${name}`, dir, mainFile: path.join(dir, MAIN), files });
  }
  return out;
}

/**
 * A lines/ file is checked in place by our parser but copied alone into the server's folder, so
 * it must not name a sibling file (include or @file): the two sides would see different folders.
 */
function guardLinesFile(name: string, bytes: Buffer): void {
  const siblings = new Set(fs.readdirSync(LINES_DIR));
  const text = bytes.toString('latin1');
  for (const m of text.matchAll(/(?:^|[\s,])@"?([^\s,"#]+)/g)) {
    if (siblings.has(m[1]!)) throw new Error(`lines/${name} references sibling file @${m[1]}; move it to cases/`);
  }
  for (const m of text.matchAll(/^[ \t]*"?include(?:_if_exists|_dir)?"?[ \t]+"?([^\s"#]*)/gm)) {
    const target = m[1]!;
    if (target === '' || target === '.' || siblings.has(target) || siblings.has(target.split('/')[0]!)) {
      throw new Error(`lines/${name} includes "${target}", which depends on the folder; move it to cases/`);
    }
  }
}

/** The source text of a 1-based line of a corpus file (for reports). */
export function sourceLine(c: CorpusCase, file: string, line: number): string {
  const bytes = file === MAIN ? c.files[MAIN] : c.files[file];
  if (!bytes) return '';
  const text = bytes.toString('utf8').split('\n')[line - 1] ?? '';
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

// ---------------------------------------------------------------------------------------------
// The oracle

/**
 * How the oracle servers are configured. Some pg_hba.conf errors depend on postgresql.conf; we
 * assume a server configured for what its pg_hba.conf uses:
 * - ssl = on (always, see startPostgres), else every hostssl line reads "hostssl record cannot match
 *   because SSL is disabled";
 * - PostgreSQL 18: one OAuth validator library, else every oauth line reads
 *   "oauth_validator_libraries must be set for authentication method oauth". The library is never
 *   loaded (only at authentication time), so it need not exist.
 */
export function oracleSettings(major: PgMajor): Record<string, string> {
  return major >= 18 ? { oauth_validator_libraries: 'example_validator' } : {};
}

export function startOracle(major: PgMajor): Promise<PgServer> {
  return startPostgres(major, { settings: oracleSettings(major) });
}

/**
 * Verdict text for a line PostgreSQL rejected without filling pg_hba_file_rules.error and without a
 * DEBUG3 log message either (should not happen; kept so such a line still counts as rejected).
 */
export const REJECTED_WITHOUT_MESSAGE = '(rejected; PostgreSQL gave no message)';

// ---------------------------------------------------------------------------------------------
// Answers

/**
 * file -> line -> verdict. `null`: a record PostgreSQL accepted. A string: its error text.
 * An array: the same physical line gave several different errors (a file included more than once).
 */
export type Verdict = string | string[] | null;
export type CaseAnswer = Record<string, Record<string, Verdict>>;

export interface Snapshot {
  major: number;
  serverVersion: string;
  recordedWith: string;
  cases: Record<string, CaseAnswer>;
}

export function normalizePath(text: string, dir: string, mainAbs?: string): string {
  let t = text;
  if (mainAbs) t = t.split(mainAbs).join(`${DIR_TOKEN}/${MAIN}`);
  return t.split(dir + path.sep).join(`${DIR_TOKEN}/`).split(dir).join(DIR_TOKEN);
}

/**
 * pg_hba_file_rules rows -> CaseAnswer, in row order, errors winning over clean occurrences.
 * A rejected line's verdict is the view's error text; when the view leaves it NULL (PostgreSQL
 * bug: e.g. `invalid value for clientcert`), the message PostgreSQL logs for the line.
 */
export function answerFromRows(rows: HbaRuleRow[], confDir: string): CaseAnswer {
  const answer: CaseAnswer = {};
  for (const r of rows) {
    const file = r.file.startsWith('..') ? r.absFile : r.file;
    const lines = (answer[file] ??= {});
    const key = String(r.line);
    const prev = lines[key];
    // Rejected lines, and accepted lines with a warning in the view (hostgssenc without GSSAPI).
    const text = r.error ?? (r.rejected ? (r.logError ?? REJECTED_WITHOUT_MESSAGE) : null);
    const err = text === null ? null : normalizePath(text, confDir);
    if (err === null) {
      if (!(key in lines)) lines[key] = null;
      continue;
    }
    if (prev === null || prev === undefined) lines[key] = err;
    else if (typeof prev === 'string') {
      if (prev !== err) lines[key] = [prev, err];
    } else if (!prev.includes(err)) prev.push(err);
  }
  // No row at all: no record and no error. pg_hba_file_rules is then simply empty, but the server
  // refuses such a file at start-up and reload (load_hba: LOG `configuration file "%s" contains no
  // entries`, no line context). We pin that file-level error to line 1 of the main file.
  if (rows.length === 0) answer[MAIN] = { '1': noEntriesError() };
  return answer;
}

export const noEntriesError = () => `configuration file "${DIR_TOKEN}/${MAIN}" contains no entries`;

/**
 * Key under which a case records that the whole pg_hba_file_rules query failed (PostgreSQL 14/15
 * recurse through a self-referencing @file until they run out of file descriptors). Line "0".
 */
export const QUERY_ERROR = '!query-error';

export async function askOracle(server: PgServer, c: CorpusCase): Promise<CaseAnswer> {
  try {
    return answerFromRows(await server.hbaRules(c.files), server.confDir);
  } catch (e) {
    const err = e as { code?: string; message?: string };
    if (typeof err.code !== 'string') throw e; // not a server-side ERROR: a harness problem
    // The descriptor count in "exceeded maxAllocatedDescs (N)" depends on the machine's limits.
    const msg = normalizePath(String(err.message), server.confDir).replace(/maxAllocatedDescs \(\d+\)/, 'maxAllocatedDescs (N)');
    return { [QUERY_ERROR]: { '0': msg } };
  }
}

export function snapshotPath(major: number): string {
  return path.join(EXPECTED_DIR, `pg${major}.json`);
}

export function readSnapshot(major: number): Snapshot | null {
  const p = snapshotPath(major);
  return fs.existsSync(p) ? (JSON.parse(fs.readFileSync(p, 'utf8')) as Snapshot) : null;
}

/** Stable, diff-friendly JSON: one line per (file, line). */
export function formatSnapshot(s: Snapshot): string {
  const j = (v: unknown) => JSON.stringify(v);
  const out: string[] = ['{', `  "major": ${s.major},`, `  "serverVersion": ${j(s.serverVersion)},`, `  "recordedWith": ${j(s.recordedWith)},`, '  "cases": {'];
  const ids = Object.keys(s.cases);
  ids.forEach((id, ci) => {
    out.push(`    ${j(id)}: {`);
    const files = Object.keys(s.cases[id]!);
    files.forEach((f, fi) => {
      out.push(`      ${j(f)}: {`);
      const lines = Object.entries(s.cases[id]![f]!);
      lines.forEach(([ln, v], li) => out.push(`        ${j(ln)}: ${j(v)}${li < lines.length - 1 ? ',' : ''}`));
      out.push(`      }${fi < files.length - 1 ? ',' : ''}`);
    });
    out.push(`    }${ci < ids.length - 1 ? ',' : ''}`);
  });
  out.push('  }', '}');
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Comparison

/** Errors that say something about the build, not about the line. */
export const NOT_COMPARABLE = /not supported by this build|is not permitted by oauth_validator_libraries/;

export interface Disagreement {
  caseId: string;
  file: string;
  line: number;
  source: string;
  expected: string[];
  got: string[];
}

export interface Comparison {
  /** (file, line) keys looked at: every line PostgreSQL returned a row for, plus every line we flagged. */
  compared: number;
  agreed: number;
  /** Lines where PostgreSQL said "not supported by this build" (whatever we said). */
  notComparable: number;
  /** Lines both sides call errors with identical text (subset of agreed). */
  agreedErrors: number;
  disagreements: Disagreement[];
}

const asList = (v: Verdict | undefined): string[] => (v === null || v === undefined ? [] : typeof v === 'string' ? [v] : v);

/** `ours`: file -> line -> error texts we report (already path-normalized, deduplicated). */
export function compareCase(c: CorpusCase, oracle: CaseAnswer, ours: Record<string, Record<string, string[]>>, acc: Comparison): void {
  const keys = new Map<string, { file: string; line: number }>();
  for (const side of [oracle, ours]) {
    for (const [file, lines] of Object.entries(side)) {
      for (const ln of Object.keys(lines)) keys.set(`${file}\u0000${ln}`, { file, line: Number(ln) });
    }
  }
  const sorted = [...keys.values()].sort((a, b) => byteOrder(a.file, b.file) || a.line - b.line);
  for (const { file, line } of sorted) {
    const expected = [...new Set(asList(oracle[file]?.[String(line)]))].sort(byteOrder);
    const got = [...new Set(ours[file]?.[String(line)] ?? [])].sort(byteOrder);
    acc.compared++;
    if (expected.some((e) => NOT_COMPARABLE.test(e))) {
      acc.notComparable++;
      continue;
    }
    if (expected.length === got.length && expected.every((e, i) => e === got[i])) {
      acc.agreed++;
      if (expected.length) acc.agreedErrors++;
    } else {
      acc.disagreements.push({ caseId: c.id, file, line, source: sourceLine(c, file, line), expected, got });
    }
  }
}

export function emptyComparison(): Comparison {
  return { compared: 0, agreed: 0, notComparable: 0, agreedErrors: 0, disagreements: [] };
}

export function formatDisagreements(ds: Disagreement[], limit = Infinity): string {
  const lines: string[] = [];
  for (const d of ds.slice(0, limit)) {
    const where = d.file === MAIN ? `${d.caseId}${d.caseId.startsWith('cases/') ? '/pg_hba.conf' : ''}:${d.line}` : `${d.caseId}/${d.file}:${d.line}`;
    lines.push(`  ${where}   ${JSON.stringify(d.source)}`);
    lines.push(`    expected: ${d.expected.length ? d.expected.map((e) => JSON.stringify(e)).join(' | ') : '(no error)'}`);
    lines.push(`    got:      ${d.got.length ? d.got.map((e) => JSON.stringify(e)).join(' | ') : '(no error)'}`);
  }
  if (ds.length > limit) lines.push(`  ... and ${ds.length - limit} more`);
  return lines.join('\n');
}

/** Differences between two oracle answers (live vs recorded), as readable lines. */
export function diffAnswers(id: string, a: CaseAnswer | undefined, b: CaseAnswer | undefined): string[] {
  const out: string[] = [];
  const files = new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})]);
  for (const f of files) {
    const la = a?.[f] ?? {};
    const lb = b?.[f] ?? {};
    for (const ln of new Set([...Object.keys(la), ...Object.keys(lb)])) {
      const va = JSON.stringify(la[ln] ?? '(no row)');
      const vb = JSON.stringify(lb[ln] ?? '(no row)');
      if (!(ln in la) || !(ln in lb) || va !== vb) out.push(`${id} ${f}:${ln}: live ${ln in la ? va : '(no row)'} / recorded ${ln in lb ? vb : '(no row)'}`);
    }
  }
  return out;
}

/** Count of records (non-blank, non-comment physical lines) per corpus part, for reports. */
export function corpusStats(cases: CorpusCase[]): Record<string, number> {
  const stats: Record<string, number> = {};
  for (const c of cases) {
    let n = 0;
    for (const bytes of Object.values(c.files)) {
      for (const l of bytes.toString('utf8').split('\n')) {
        const t = l.replace(/^[\s\uFEFF]+/, '');
        if (t !== '' && !t.startsWith('#')) n++;
      }
    }
    stats[c.id] = n;
  }
  return stats;
}

// ---------------------------------------------------------------------------------------------
// Our side

/** The slice of the engine's API the differential test needs (structural, so this file compiles without it). */
export interface FindingLike {
  file: string;
  rule: string;
  range: { start: { line: number; character: number } };
  message: string;
  pgError?: string;
  pgLine?: number;
}
export type CheckFileFn = (absPath: string, text: string, kind: 'hba', opts: { pgVersion: number; fs: unknown }) => FindingLike[];

export const PARSER_THREW = '(parser threw)';

/** file -> line -> our hba-syntax texts, keyed and path-normalized like the oracle's answer. */
export function ourAnswer(
  c: CorpusCase,
  major: number,
  checkFile: CheckFileFn,
  fsImpl: unknown,
  decode: (b: Uint8Array) => string,
): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  const add = (file: string, line: number, text: string) => {
    const lines = (out[file] ??= {});
    const list = (lines[String(line)] ??= []);
    if (!list.includes(text)) list.push(text);
  };
  let findings: FindingLike[];
  try {
    findings = checkFile(c.mainFile, decode(c.files[MAIN]!), 'hba', { pgVersion: major, fs: fsImpl });
  } catch (e) {
    add(MAIN, 0, `${PARSER_THREW} ${(e as Error)?.stack ?? String(e)}`);
    return out;
  }
  const lineFile = c.id.startsWith('lines/');
  for (const f of findings) {
    if (f.rule !== 'hba-syntax') continue;
    let file: string;
    if (f.file === c.mainFile) file = MAIN;
    else {
      const rel = path.relative(c.dir, f.file).split(path.sep).join('/');
      file = rel.startsWith('..') || path.isAbsolute(rel) ? f.file : rel;
    }
    const text = f.pgError ?? `(no pgError) ${f.message}`;
    // PostgreSQL names a record by its first physical line; our range points at the culprit token.
    add(file, (f.pgLine ?? f.range.start.line) + 1, normalizePath(text, c.dir, lineFile ? c.mainFile : undefined));
  }
  return out;
}

/** Compares every case; cases whose oracle query failed as a whole count as not comparable. */
export function compareAll(
  cases: CorpusCase[],
  oracle: Record<string, CaseAnswer>,
  ours: (c: CorpusCase) => Record<string, Record<string, string[]>>,
): Comparison & { queryFailed: string[]; missingFromOracle: string[] } {
  const acc = { ...emptyComparison(), queryFailed: [] as string[], missingFromOracle: [] as string[] };
  for (const c of cases) {
    const o = oracle[c.id];
    if (!o) {
      acc.missingFromOracle.push(c.id);
      continue;
    }
    const mine = ours(c);
    if (o[QUERY_ERROR]) {
      const n = Object.values(mine).reduce((k, lines) => k + Object.keys(lines).length, 0);
      acc.compared += Math.max(1, n);
      acc.notComparable += Math.max(1, n);
      acc.queryFailed.push(`${c.id}: ${asList(o[QUERY_ERROR]!['0']).join(' | ')}`);
      continue;
    }
    compareCase(c, o, mine, acc);
  }
  return acc;
}
