// The postgresql.conf differential corpus: loading it, asking PostgreSQL about it, comparing answers.
// Shared by record-oracle.ts (writes expected/pgNN.json) and test/conf-differential.test.ts.
//
// PostgreSQL is asked with `postgres -C <setting> --config-file=...` (server.checkConf): it prints
// the value, or LOG lines and exits 1. It reports in stages and stops at the first stage with
// errors: (1) syntax errors and include problems, (2) unknown parameter names, (3) invalid values.
// So every case gets a `stage` and the errors of that stage only; our engine (which reports
// everything) is compared stage by stage: no finding in an earlier stage, the same findings in
// PostgreSQL's stage, later stages not compared.
//
// Three kinds of corpus case (see README.md):
//   values/NAME.conf   every setting line is a case of its own: PostgreSQL (and our engine) get the
//                      file with all other setting lines blanked, so value errors, which carry no
//                      line number, belong to that line. -C asks for that line's parameter.
//   files/NAME.conf    the whole file is one case, given to PostgreSQL as its postgresql.conf.
//   cases/NAME/        a folder: postgresql.conf plus the files it includes.
// Answers are keyed by file (relative to the case folder; the main file is 'postgresql.conf') and
// 1-based line; paths inside messages are written `<DIR>/...`.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSet, startPostgres, type ConfCheckResult, type PgMajor, type PgServer } from '../support/postgres';
import { DIR_TOKEN, MAIN, simulate, type SimItem, type Simulation, type VirtualFiles } from './simulate';

export { DIR_TOKEN, MAIN } from './simulate';

export const CONF_DIFF_DIR = path.dirname(fileURLToPath(import.meta.url));
export const VALUES_DIR = path.join(CONF_DIFF_DIR, 'values');
export const FILES_DIR = path.join(CONF_DIFF_DIR, 'files');
export const CASES_DIR = path.join(CONF_DIFF_DIR, 'cases');
export const EXPECTED_DIR = path.join(CONF_DIFF_DIR, 'expected');

/** The majors whose postgresql.conf handling is recorded and compared (the harness starts 13 to 18). */
export const CONF_MAJORS: readonly PgMajor[] = [13, 14, 15, 16, 17, 18];

export type CaseMode = 'line' | 'file' | 'case';

export interface CorpusCase {
  /** 'values/units.conf:12', 'files/syntax.conf' or 'cases/include-basic'. */
  id: string;
  mode: CaseMode;
  /** Folder relative include paths resolve against, as our engine sees it. */
  dir: string;
  /** Absolute path of the main file in the repository (what our engine is given). */
  mainFile: string;
  /** What PostgreSQL gets (and what our engine is given for the main file): relative path -> bytes. */
  files: Record<string, Buffer>;
  /** The parameter `postgres -C` is asked for ('port' unless the case is one setting line). */
  setting: string;
  /** line mode: the 1-based line that is the case. */
  line?: number;
  /** line mode: the whole file, for asking PostgreSQL about several lines in one run. */
  source?: Buffer;
  /**
   * line mode: the parameter the line sets, lower case, or the group of parameters it belongs to
   * (null when the line is a syntax error), and whether it must be asked about alone (see askOracleAll).
   */
  param?: string | null;
  alone?: boolean;
  /** line mode: the model (simulate.ts) expects a syntax error; such lines are asked about first, together. */
  syntax?: boolean;
}

const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A line that holds something for the scanner: not blank, not only a comment. */
export function isSettingLine(line: string): boolean {
  const t = line.replace(/^[ \t\r]+/, '');
  return t !== '' && t !== '\r' && !t.startsWith('#');
}

export function loadCorpus(): CorpusCase[] {
  const out: CorpusCase[] = [];
  const confFiles = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.conf')).sort(byteOrder) : []);

  for (const name of confFiles(VALUES_DIR)) {
    const mainFile = path.join(VALUES_DIR, name);
    const bytes = fs.readFileSync(mainFile);
    guardStandalone(VALUES_DIR, `values/${name}`, bytes);
    if (bytes.length && bytes[bytes.length - 1] !== 0x0a) throw new Error(`values/${name} must end with a newline (its lines are asked about in shared runs)`);
    const lines = bytes.toString('latin1').split('\n');
    lines.forEach((l, i) => {
      if (!isSettingLine(l)) return;
      const blanked = lines.map((x, j) => (j === i ? x : '')).join('\n');
      const files = { [MAIN]: Buffer.from(blanked, 'latin1') };
      const info = lineInfo(files);
      out.push({ id: `values/${name}:${i + 1}`, mode: 'line', dir: VALUES_DIR, mainFile, files, setting: 'port', line: i + 1, source: bytes, ...info });
    });
  }
  for (const name of confFiles(FILES_DIR)) {
    const mainFile = path.join(FILES_DIR, name);
    const bytes = fs.readFileSync(mainFile);
    guardStandalone(FILES_DIR, `files/${name}`, bytes);
    out.push({ id: `files/${name}`, mode: 'file', dir: FILES_DIR, mainFile, files: { [MAIN]: bytes }, setting: 'port' });
  }
  if (fs.existsSync(CASES_DIR)) {
    for (const name of fs.readdirSync(CASES_DIR).sort(byteOrder)) {
      const dir = path.join(CASES_DIR, name);
      if (!fs.statSync(dir).isDirectory()) continue;
      const files = readFileSet(dir);
      if (!files[MAIN]) throw new Error(`corpus case cases/${name} has no ${MAIN}`);
      if (Object.keys(files).some((f) => path.posix.basename(f) === 'postgresql.auto.conf')) {
        throw new Error(`cases/${name}: PostgreSQL reads postgresql.auto.conf from the data directory, not from beside postgresql.conf; leave it out`);
      }
      for (const [rel, bytes] of Object.entries(files)) guardAbsoluteIncludes(`cases/${name}/${rel}`, bytes);
      out.push({ id: `cases/${name}`, mode: 'case', dir, mainFile: path.join(dir, MAIN), files, setting: 'port' });
    }
  }
  return out;
}

/**
 * Parameters whose value changes how PostgreSQL reports or where it reads from: a line setting
 * one of them is always asked about alone (log_min_messages = panic hides every later message,
 * log_destination = syslog sends them elsewhere, log_error_verbosity = verbose adds LOCATION lines,
 * log_line_prefix changes every later line, data_directory moves postgresql.auto.conf).
 */
const ALONE = new Set(['log_min_messages', 'log_destination', 'log_error_verbosity', 'log_line_prefix', 'data_directory', 'config_file']);

/**
 * Parameters checked against each other: at most one line of a group per run (the recovery
 * targets exclude each other; up to PostgreSQL 15 the connection counts are checked against
 * their sum).
 */
const GROUP: Record<string, string> = {
  max_connections: 'backends',
  max_wal_senders: 'backends',
  autovacuum_max_workers: 'backends',
  max_worker_processes: 'backends',
  recovery_target: 'recovery',
  recovery_target_lsn: 'recovery',
  recovery_target_name: 'recovery',
  recovery_target_time: 'recovery',
  recovery_target_xid: 'recovery',
  recovery_target_timeline: 'recovery',
  recovery_target_action: 'recovery',
};

/**
 * line mode: the key that must not repeat within a run (the parameter, or its group; null for a
 * line that sets nothing, a syntax error) and whether the line must run alone.
 */
function lineInfo(files: VirtualFiles): { param: string | null; alone: boolean; syntax: boolean } {
  const sim = simulate(files);
  if (sim.events.some((e) => e.kind !== 'syntax')) return { param: null, alone: true, syntax: false }; // include directives
  if (sim.items.length === 0) return { param: null, alone: sim.events.length === 0, syntax: sim.events.length > 0 };
  const name = sim.items[0]!.name.toLowerCase();
  return { param: GROUP[name] ?? name, alone: ALONE.has(name), syntax: false };
}

const INCLUDE_RE = /^[ \t]*(include(?:_if_exists|_dir)?)[ \t]*=?[ \t]*('(?:[^'\\\n]|\\.|'')*'|[^\s#]+)/gim;

/**
 * A values/ or files/ file is checked in place by our engine but given alone to PostgreSQL, so it
 * must not include anything that exists beside it (or itself, or '.'); absolute includes must point
 * under /nonexistent.
 */
function guardStandalone(dir: string, id: string, bytes: Buffer): void {
  const siblings = new Set(fs.readdirSync(dir));
  const text = bytes.toString('latin1');
  for (const m of text.matchAll(INCLUDE_RE)) {
    const raw = m[2]!;
    const target = raw.startsWith("'") ? raw.slice(1, -1).replace(/''/g, "'").replace(/\\(.)/g, '$1') : raw;
    if (target.startsWith('/')) {
      if (!target.startsWith('/nonexistent')) throw new Error(`${id}: absolute include "${target}" must be under /nonexistent`);
      continue;
    }
    const first = target.replace(/^(\.\/)+/, '').split('/')[0]!;
    if (/^[ \t\r]*$/.test(target)) continue; // "empty configuration file name"
    if (first === '.' || first === '..' || first === '' || first === MAIN || siblings.has(first)) {
      throw new Error(`${id} includes "${target}", which depends on the folder; move it to cases/`);
    }
  }
}

function guardAbsoluteIncludes(id: string, bytes: Buffer): void {
  for (const m of bytes.toString('latin1').matchAll(INCLUDE_RE)) {
    const raw = m[2]!;
    const target = raw.startsWith("'") ? raw.slice(1, -1) : raw;
    if (target.startsWith('/') && !target.startsWith('/nonexistent')) throw new Error(`${id}: absolute include "${target}" must be under /nonexistent`);
  }
}

/** The source text of a 1-based line of a case file, as PostgreSQL got it (for reports). */
export function sourceLine(c: CorpusCase, file: string, line: number): string {
  const bytes = c.files[file];
  if (!bytes) return '';
  const text = bytes.toString('utf8').split('\n')[line - 1] ?? '';
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** Setting lines per case (what "settings" counts mean in reports): file -> 1-based lines. */
export function settingLines(c: CorpusCase): Record<string, number[]> {
  if (c.mode === 'line') return { [MAIN]: [c.line!] };
  const out: Record<string, number[]> = {};
  for (const [file, bytes] of Object.entries(c.files)) {
    const lines = bytes.toString('latin1').split('\n');
    const ls = lines.flatMap((l, i) => (isSettingLine(l) ? [i + 1] : []));
    if (ls.length) out[file] = ls;
  }
  return out;
}

export function corpusStats(cases: CorpusCase[]): { cases: number; settings: number; byMode: Record<CaseMode, number> } {
  const byMode: Record<CaseMode, number> = { line: 0, file: 0, case: 0 };
  for (const c of cases) byMode[c.mode] += Object.values(settingLines(c)).reduce((n, ls) => n + ls.length, 0);
  return { cases: cases.length, settings: byMode.line + byMode.file + byMode.case, byMode };
}

// ---------------------------------------------------------------------------------------------
// The oracle

/**
 * Starts a server for checkConf and makes sure its data directory cannot interfere: `postgres -C`
 * reads postgresql.auto.conf from the data directory after our file (its settings would win over
 * ours, its errors would be reported), so it must hold no setting; and an empty postgresql.conf
 * must be accepted without a word.
 */
export async function startOracle(major: PgMajor): Promise<PgServer> {
  const server = await startPostgres(major, { ssl: false });
  try {
    const auto = await server.query<{ n: string }>(`SELECT count(*) AS n FROM pg_file_settings WHERE sourcefile LIKE '%/postgresql.auto.conf'`);
    if (Number(auto.rows[0]!.n) !== 0) throw new Error(`PostgreSQL ${major}: the data directory's postgresql.auto.conf has settings; they would mix into every answer`);
    const empty = await server.checkConf({ [MAIN]: '' }, 'port');
    if (!empty.ok || empty.messages.length !== 0) {
      throw new Error(`PostgreSQL ${major}: an empty postgresql.conf is not accepted silently:\n${empty.stderr}`);
    }
    return server;
  } catch (e) {
    await server.stop();
    throw e;
  }
}

export type Stage = 'syntax' | 'unknown' | 'value';
export const STAGES: readonly Stage[] = ['syntax', 'unknown', 'value'];
/** file -> 1-based line -> texts */
export type LineMap = Record<string, Record<string, string[]>>;

export interface CaseAnswer {
  /**
   * The stage PostgreSQL stopped at ('ok': accepted; 'unexplained': it failed without a message
   * we can place, e.g. log_min_messages = panic hiding them; not compared).
   */
  stage: 'ok' | Stage | 'unexplained';
  /** The errors of that stage (primary message text), by the line they are about. */
  errors: LineMap;
  /** DETAIL/HINT lines of those errors, e.g. "HINT:  Available values: ...". Not compared. */
  details?: LineMap;
  /** LOG lines that are not errors ("skipping missing configuration file ..."). Not compared. */
  notes?: LineMap;
  /** Parts of case files PostgreSQL never read (after 100 syntax errors, files it never opened): file -> first unread line. */
  unread?: Record<string, number>;
  /** The final FATAL line ("configuration file ... contains errors"). */
  fatal?: string;
  /** Messages that could not be attributed to a line (should not happen; shown in reports). */
  other?: string[];
}

export interface Snapshot {
  major: number;
  serverVersion: string;
  recordedWith: string;
  cases: Record<string, CaseAnswer>;
}

interface LogEntry {
  level: string;
  text: string;
  details: string[];
}

const CHECK_DIR_RE = /\/(?:[^\s"/]+\/)*confcheck-[A-Za-z0-9]{6}/g;

/** stderr of `postgres -C` -> messages; continuation lines (tab-indented) joined with '\n'. */
export function parseStderr(stderr: string): LogEntry[] {
  const entries: LogEntry[] = [];
  const lines = stderr.replace(CHECK_DIR_RE, DIR_TOKEN).split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const l of lines) {
    const m = /^[\s\S]*?(LOG|FATAL|PANIC|ERROR|WARNING|NOTICE|INFO|DEBUG[1-5]?|DETAIL|HINT|CONTEXT|LOCATION|STATEMENT):  ([\s\S]*)$/.exec(l);
    const last = entries[entries.length - 1];
    if (l.startsWith('\t') && last) {
      if (last.details.length) last.details[last.details.length - 1] += `\n${l.slice(1)}`;
      else last.text += `\n${l.slice(1)}`;
    } else if (m && ['DETAIL', 'HINT', 'CONTEXT', 'LOCATION', 'STATEMENT'].includes(m[1]!)) {
      if (last) last.details.push(`${m[1]}:  ${m[2]}`);
      else entries.push({ level: m[1]!, text: m[2]!, details: [] });
    } else if (m) entries.push({ level: m[1]!, text: m[2]!, details: [] });
    else entries.push({ level: 'RAW', text: l, details: [] });
  }
  return entries;
}

type Klass = 'syntax' | 'abandon' | 'include' | 'note' | 'unknown' | 'value' | 'fatal' | 'debug' | 'other';

function classify(e: LogEntry): { k: Klass; file?: string; line?: number; param?: string } {
  const t = e.text;
  if (e.level === 'FATAL') {
    if (/^configuration file ".*" contains errors$/s.test(t)) return { k: 'fatal' };
    // 14/15: include_dir chains hold a descriptor per level; start-up dies (ERROR -> FATAL).
    if (/^exceeded maxAllocatedDescs \(\d+\) while trying to open (file|directory) "/.test(t)) return { k: 'include' };
    return { k: 'other' };
  }
  // A file that sets log_min_messages = debugN gets DEBUG chatter from the exiting process.
  if (/^DEBUG[1-5]?$/.test(e.level)) return { k: 'debug' };
  if (e.level !== 'LOG') return { k: 'other' };
  let m = /^syntax error in file "(.*)" line (\d+), near (?:end of line|token ".*")$/s.exec(t);
  if (m) return { k: 'syntax', file: relFile(m[1]!), line: Number(m[2]) };
  if (/^too many syntax errors found, abandoning file ".*"$/s.test(t)) return { k: 'abandon' };
  if (
    /^(could not open configuration file "|configuration file recursion in "|empty configuration (file|directory) name: "|could not open configuration directory "|input in flex scanner failed at file "|could not stat file "|could not read directory ")/.test(
      t,
    )
  ) {
    return { k: 'include' };
  }
  if (/^skipping missing configuration file "/.test(t)) return { k: 'note' };
  m = /^unrecognized configuration parameter "(.*)" in file "(.*)" line (\d+)$/s.exec(t);
  if (m) return { k: 'unknown', file: relFile(m[2]!), line: Number(m[3]) };
  m = /parameter "([^"]*)"/.exec(t);
  if (m) return { k: 'value', param: m[1]! };
  return { k: 'other' };
}

/** A path in a message -> the key its file is filed under (case-relative, canonical: 14 keeps 'a/../b' in messages). */
const relFile = (shown: string) => (shown.startsWith(`${DIR_TOKEN}/`) ? path.posix.normalize(shown.slice(DIR_TOKEN.length + 1)) : shown);

function addTo(map: LineMap, file: string, line: number, text: string): void {
  const lines = (map[file] ??= {});
  const list = (lines[String(line)] ??= []);
  if (!list.includes(text)) list.push(text);
}

/** Keys in a stable order: files by byte order, lines numerically. */
function sortMap(map: LineMap): LineMap {
  const out: LineMap = {};
  for (const f of Object.keys(map).sort(byteOrder)) {
    out[f] = {};
    for (const l of Object.keys(map[f]!).sort((a, b) => Number(a) - Number(b))) out[f]![l] = map[f]![l]!;
  }
  return out;
}

/**
 * One checkConf result -> CaseAnswer. `problems` collects places where PostgreSQL's messages did
 * not match the model's prediction (simulate.ts); the recorder refuses to write those.
 */
export interface Probe {
  /** Settings whose messages, when set alone, would tell which of them a message belongs to. */
  needed: SimItem[];
  /** name NUL value -> PostgreSQL's messages for that setting alone. */
  results?: Map<string, string[]>;
}
const probeKey = (it: { name: string; value: string }) => `${it.name}\u0000${it.value}`;

export function answerFromCheck(c: CorpusCase, r: ConfCheckResult, problems: string[], major: number, probe: Probe = { needed: [] }): CaseAnswer {
  const entries = parseStderr(r.stderr);
  // The harness's own normalization must agree with ours (same messages, same <DIR>).
  const flat = r.stderr.replace(CHECK_DIR_RE, DIR_TOKEN).split('\n').filter((l) => l.trim() !== '');
  if (JSON.stringify(flat) !== JSON.stringify(r.messages)) problems.push(`${c.id}: stderr and checkConf().messages disagree about paths`);

  const sim: Simulation = simulate(c.files, { major });
  const classified = entries.map((e) => ({ e, ...classify(e) }));
  const has = (k: Klass) => classified.some((x) => x.k === k);
  const stage: CaseAnswer['stage'] =
    has('syntax') || has('abandon') || has('include') ? 'syntax' : has('unknown') ? 'unknown' : has('value') ? 'value' : r.ok ? 'ok' : 'unexplained';

  const errors: LineMap = {};
  const details: LineMap = {};
  const notes: LineMap = {};
  const other: string[] = [];
  let fatal: string | undefined;
  const place = (x: (typeof classified)[number], file: string, line: number) => {
    addTo(errors, file, line, x.e.text);
    for (const d of x.e.details) addTo(details, file, line, d);
  };

  // Syntax stage: PostgreSQL's syntax/include messages must be exactly the model's, in order.
  const predicted = sim.events.filter((ev) => ev.kind !== 'note');
  const actual = classified.filter((x) => x.k === 'syntax' || x.k === 'abandon' || x.k === 'include');
  const sameSequence = predicted.length === actual.length && predicted.every((p, i) => p.text === actual[i]!.e.text);
  if (stage === 'syntax') {
    if (sameSequence) actual.forEach((x, i) => place(x, predicted[i]!.file, predicted[i]!.line));
    else {
      problems.push(
        `${c.id}: syntax-stage messages differ from the model\n    PostgreSQL: ${JSON.stringify(actual.map((x) => x.e.text))}\n    model:      ${JSON.stringify(predicted.map((p) => p.text))}`,
      );
      const used = new Set<number>();
      let lastSyntax: { file: string; line: number } | null = null;
      for (const x of actual) {
        if (x.k === 'syntax') {
          lastSyntax = { file: x.file!, line: x.line! };
          place(x, x.file!, x.line!);
        } else if (x.k === 'abandon' && lastSyntax) place(x, lastSyntax.file, lastSyntax.line);
        else {
          const j = predicted.findIndex((p, i) => !used.has(i) && p.text === x.e.text);
          if (j >= 0) {
            used.add(j);
            place(x, predicted[j]!.file, predicted[j]!.line);
          } else other.push(x.e.text);
        }
      }
    }
  } else if (predicted.length) {
    problems.push(`${c.id}: the model predicts syntax-stage messages PostgreSQL did not print: ${JSON.stringify(predicted.map((p) => p.text))}`);
  }

  // Notes ("skipping missing configuration file"): printed once per reading of the files, and
  // PostgreSQL reads them twice at start-up unless the first reading failed on syntax.
  const noteEvents = sim.events.filter((ev) => ev.kind === 'note');
  const passes = stage === 'syntax' ? 1 : 2;
  const noteActual = classified.filter((x) => x.k === 'note');
  const expectedNotes = Array.from({ length: passes }, () => noteEvents).flat();
  const autoConfNote = (t: string) => /^skipping missing configuration file ".*\/postgresql\.auto\.conf"$/.test(t);
  const noteOk = noteActual.filter((x) => !autoConfNote(x.e.text)).map((x) => x.e.text);
  if (JSON.stringify(noteOk) !== JSON.stringify(expectedNotes.map((n) => n.text))) {
    problems.push(`${c.id}: notes differ from the model\n    PostgreSQL: ${JSON.stringify(noteOk)}\n    model (${passes} pass(es)): ${JSON.stringify(noteEvents.map((n) => n.text))}`);
  }
  for (const x of noteActual) {
    const ev = noteEvents.find((n) => n.text === x.e.text);
    if (ev) addTo(notes, ev.file, ev.line, x.e.text);
    else if (autoConfNote(x.e.text)) {
      // data_directory moved the data directory: postgresql.auto.conf is looked for there.
      const dd = [...sim.items].reverse().find((it) => it.name.toLowerCase() === 'data_directory');
      if (dd) addTo(notes, dd.file, dd.line, x.e.text);
      else other.push(x.e.text);
    } else other.push(x.e.text);
  }

  // Unknown names: PostgreSQL names file and line.
  if (stage === 'unknown') for (const x of classified) if (x.k === 'unknown') place(x, x.file!, x.line!);

  // Values: no line in the message; they come in the order the settings are applied, each naming
  // its parameter (as spelled in the file up to 17, canonically from 18 on).
  if (stage === 'value') {
    const applied = sim.items.filter((it) => !it.ignored);
    let from = 0;
    for (const x of classified) {
      if (x.k !== 'value') continue;
      const want = x.param!;
      const quotedValue = /^invalid value for parameter "[^"]*": "(.*)"$/s.exec(x.e.text)?.[1];
      let cands = applied.map((it, i) => ({ it, i })).filter(({ it, i }) => i >= from && it.name.toLowerCase() === want.toLowerCase());
      if (cands.length > 1 && quotedValue !== undefined) {
        const byValue = cands.filter(({ it }) => it.value === quotedValue);
        if (byValue.length) cands = byValue;
      }
      // Several settings of the name (spelled differently: PostgreSQL folds duplicates with strcmp)
      // could have given this message. Ask PostgreSQL about each alone (askOracle does).
      if (cands.length > 1) {
        if (probe.results) {
          const p = cands.filter(({ it }) => probe.results!.get(probeKey(it))?.includes(x.e.text));
          if (p.length) cands = p;
        } else {
          probe.needed.push(...cands.map(({ it }) => it));
          // Up to 17 the message spells the name as the file does.
          const exact = cands.filter(({ it }) => it.name === want);
          if (exact.length) cands = exact;
        }
      }
      const pick = cands[0];
      if (!pick) {
        problems.push(`${c.id}: value message names no setting left to apply: ${x.e.text}`);
        other.push(x.e.text);
        continue;
      }
      from = pick.i + 1;
      place(x, pick.it.file, pick.it.line);
    }
  }

  for (const x of classified) {
    if (x.k === 'fatal') fatal = x.e.text;
    else if (x.k === 'other') other.push(`${x.e.level}:  ${x.e.text}`);
    else if ((x.k === 'unknown' && stage !== 'unknown') || (x.k === 'value' && stage !== 'value')) other.push(x.e.text);
  }

  // What PostgreSQL did not read: abandoned tails, files never opened (only known in the syntax
  // stage: otherwise every included file was read to the end).
  const unread: Record<string, number> = {};
  for (const f of Object.keys(c.files).sort(byteOrder)) {
    const seen = sim.read[f];
    if (seen === undefined) unread[f] = 1;
    else if (seen !== Infinity) unread[f] = seen + 1;
  }

  if (other.length) problems.push(`${c.id}: messages that could not be placed: ${JSON.stringify(other)}`);
  const answer: CaseAnswer = { stage, errors: sortMap(errors) };
  if (Object.keys(details).length) answer.details = sortMap(details);
  if (Object.keys(notes).length) answer.notes = sortMap(notes);
  if (Object.keys(unread).length) answer.unread = unread;
  if (fatal !== undefined) answer.fatal = fatal;
  if (other.length) answer.other = other;
  return answer;
}

/** Asks the server about one case, as it is (and about single settings of it, to place messages). */
export async function askOracle(server: PgServer, c: CorpusCase, problems: string[] = []): Promise<CaseAnswer> {
  const r = await server.checkConf(c.files, c.setting);
  const probe: Probe = { needed: [] };
  const local: string[] = [];
  const first = answerFromCheck(c, r, local, server.major, probe);
  if (!probe.needed.length) {
    problems.push(...local);
    return first;
  }
  probe.results = new Map();
  for (const it of probe.needed) {
    if (probe.results.has(probeKey(it))) continue;
    const quoted = `'${it.value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
    const alone = await server.checkConf({ [MAIN]: Buffer.from(`${it.name} = ${quoted}\n`, 'utf8') }, 'port');
    probe.results.set(
      probeKey(it),
      parseStderr(alone.stderr).filter((e) => e.level === 'LOG').map((e) => e.text),
    );
  }
  return answerFromCheck(c, r, problems, server.major, probe);
}

/** Most lines that may share one run (< 100, so no run hits the syntax-error limit). */
const BATCH_LIMIT = 90;

/**
 * Asks about every case. values/ lines are cases of their own, but asking PostgreSQL once per line
 * is slow (~15 ms a line, per major), so lines share runs: PostgreSQL gets a file holding the lines
 * of the run at their own line numbers (lines of different values/ files may share a run when their
 * numbers differ) and blank lines elsewhere, so every message reads as it would for the line alone;
 *   - a run that stops at syntax errors settles the lines with a syntax error (the scanner works
 *     line by line: a line's syntax errors do not depend on its neighbours);
 *   - a run that stops at unknown names settles the lines with an unknown name (each message
 *     names its line);
 *   - a run that gets to the values settles all its lines: those named in a value message (a run
 *     never sets the same parameter, or two of a GROUP, twice, so the name says which line) and
 *     the accepted others;
 * and the lines not settled go into the next run. ALONE parameters, include directives, and every
 * line of a run that fails in a way we cannot place run alone.
 * `record-oracle.ts --verify-batching` checks that this gives what one run per line gives.
 */
export async function askOracleAll(server: PgServer, cases: CorpusCase[], problems: string[] = []): Promise<Record<string, CaseAnswer>> {
  const out: Record<string, CaseAnswer> = {};
  let pending: CorpusCase[] = [];
  const namesChecked = new Set<string>();
  for (const c of cases) {
    if (c.mode === 'line' && !c.alone) pending.push(c);
    else out[c.id] = await askOracle(server, c, problems);
  }
  while (pending.length) {
    const batch: CorpusCase[] = [];
    const names = new Set<string>();
    const lines = new Set<number>();
    // First the lines the model expects to be syntax errors, then lines whose names PostgreSQL has
    // not yet looked at, last the lines known to get to the values: a run settles only the lines
    // of the stage it stops at.
    const tier = (c: CorpusCase) => (c.syntax ? 0 : namesChecked.has(c.id) ? 2 : 1);
    const now = Math.min(...pending.map(tier));
    for (const c of pending) {
      if (tier(c) !== now) continue;
      if (batch.length >= BATCH_LIMIT) break;
      if (lines.has(c.line!) || (c.param && names.has(c.param))) continue;
      if (c.param) names.add(c.param);
      lines.add(c.line!);
      batch.push(c);
    }
    const settled = await askBatch(server, batch, problems);
    for (const [id, a] of settled) out[id] = a;
    if ([...settled.values()].some((a) => a.stage === 'unknown')) for (const c of batch) namesChecked.add(c.id);
    if (settled.size === 0) for (const c of batch) out[c.id] = await askOracle(server, c, problems);
    pending = pending.filter((c) => !(c.id in out));
  }
  const ordered: Record<string, CaseAnswer> = {};
  for (const c of cases) ordered[c.id] = out[c.id]!;
  return ordered;
}

async function askBatch(server: PgServer, batch: CorpusCase[], problems: string[]): Promise<Map<string, CaseAnswer>> {
  const byLine = new Map<number, CorpusCase>(batch.map((c) => [c.line!, c]));
  const last = Math.max(...byLine.keys());
  const text: string[] = [];
  for (let n = 1; n <= last; n++) {
    const c = byLine.get(n);
    text.push(c ? c.source!.toString('latin1').split('\n')[n - 1]! : '');
  }
  const files = { [MAIN]: Buffer.from(text.join('\n') + '\n', 'latin1') };
  const runCase: CorpusCase = { ...batch[0]!, id: `(run of ${batch.length} values/ lines)`, files };
  const local: string[] = [];
  const a = answerFromCheck(runCase, await server.checkConf(files, 'port'), local, server.major);
  const settled = new Map<string, CaseAnswer>();
  const stray = Object.entries(a.errors).some(([f, ls]) => f !== MAIN || Object.keys(ls).some((l) => !byLine.has(Number(l))));
  if (a.stage === 'unexplained' || a.other?.length || a.notes || stray || local.length) {
    if (process.env.CONF_DIFF_DEBUG) console.error(`run of ${batch.length} lines given up: ${JSON.stringify({ stage: a.stage, other: a.other, notes: a.notes, stray, local })}`);
    return settled; // run them alone
  }
  for (const c of batch) {
    const key = String(c.line);
    const errs = a.errors[MAIN]?.[key];
    if (!errs && (a.stage === 'syntax' || a.stage === 'unknown')) continue; // not settled by this run
    const one: CaseAnswer = { stage: errs ? a.stage : 'ok', errors: errs ? { [MAIN]: { [key]: errs } } : {} };
    const det = a.details?.[MAIN]?.[key];
    if (det) one.details = { [MAIN]: { [key]: det } };
    if (errs && a.fatal !== undefined) one.fatal = a.fatal;
    settled.set(c.id, one);
  }
  void problems;
  return settled;
}

export function snapshotPath(major: number): string {
  return path.join(EXPECTED_DIR, `pg${major}.json`);
}

export function readSnapshot(major: number): Snapshot | null {
  const p = snapshotPath(major);
  return fs.existsSync(p) ? (JSON.parse(fs.readFileSync(p, 'utf8')) as Snapshot) : null;
}

/** Stable, diff-friendly JSON: one line per case. */
export function formatSnapshot(s: Snapshot): string {
  const j = (v: unknown) => JSON.stringify(v);
  const out: string[] = ['{', `  "major": ${s.major},`, `  "serverVersion": ${j(s.serverVersion)},`, `  "recordedWith": ${j(s.recordedWith)},`, '  "cases": {'];
  const ids = Object.keys(s.cases);
  ids.forEach((id, i) => out.push(`    ${j(id)}: ${j(s.cases[id])}${i < ids.length - 1 ? ',' : ''}`));
  out.push('  }', '}');
  return out.join('\n') + '\n';
}

/** Differences between two oracle answers (live vs recorded), as readable lines. */
export function diffAnswers(id: string, live: CaseAnswer | undefined, recorded: CaseAnswer | undefined): string[] {
  const a = JSON.stringify(live ?? null);
  const b = JSON.stringify(recorded ?? null);
  return a === b ? [] : [`${id}:\n      live     ${a}\n      recorded ${b}`];
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
export type CheckFileFn = (absPath: string, text: string, kind: 'conf', opts: { pgVersion: number; fs: unknown }) => FindingLike[];

export const RULE_STAGE: Record<string, Stage> = {
  'conf-syntax': 'syntax',
  'conf-unknown-parameter': 'unknown',
  'conf-invalid-value': 'value',
};

export const ENGINE_THREW = '(engine threw)';

export type OurAnswer = Record<Stage, LineMap>;

function normalizeOurs(text: string, c: CorpusCase): string {
  let t = text.split(c.mainFile).join(`${DIR_TOKEN}/${MAIN}`);
  t = t.split(c.dir + path.sep).join(`${DIR_TOKEN}/`).split(c.dir).join(DIR_TOKEN);
  return t;
}

/** Our findings of the three compared rules, keyed and path-normalized like the oracle's answer. */
export function ourAnswer(c: CorpusCase, major: number, checkFile: CheckFileFn, fsImpl: unknown, decode: (b: Uint8Array) => string): OurAnswer {
  const out: OurAnswer = { syntax: {}, unknown: {}, value: {} };
  let findings: FindingLike[];
  try {
    findings = checkFile(c.mainFile, decode(c.files[MAIN]!), 'conf', { pgVersion: major, fs: fsImpl });
  } catch (e) {
    addTo(out.syntax, MAIN, 0, `${ENGINE_THREW} ${(e as Error)?.stack ?? String(e)}`);
    return out;
  }
  for (const f of findings) {
    const stage = RULE_STAGE[f.rule];
    if (!stage) continue;
    // A value problem without pgError surfaces later in start-up (list syntax of *_preload_libraries):
    // the configuration check does not see it, by design.
    if (f.rule === 'conf-invalid-value' && f.pgError === undefined) continue;
    let file: string;
    if (f.file === c.mainFile) file = MAIN;
    else {
      const rel = path.relative(c.dir, f.file).split(path.sep).join('/');
      file = c.mode === 'case' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : normalizeOurs(f.file, c);
    }
    const text = f.pgError ?? `(no pgError) ${f.message}`;
    addTo(out[stage], file, (f.pgLine ?? f.range.start.line) + 1, normalizeOurs(text, c));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Comparison

export interface Disagreement {
  caseId: string;
  file: string;
  line: number;
  source: string;
  /** The rule's stage compared; `pgStage`: where PostgreSQL stopped. */
  stage: Stage;
  pgStage: CaseAnswer['stage'];
  expected: string[];
  got: string[];
}

export interface Comparison {
  /** (file, line) places looked at: setting lines PostgreSQL read, plus every place either side flagged. */
  compared: number;
  agreed: number;
  /** Places where both sides report the same error text(s). */
  agreedErrors: number;
  /** Places PostgreSQL did not look at (abandoned, unread, or a case it failed on without saying why). */
  notComparable: number;
  /** Our findings in stages after the one PostgreSQL stopped at (it never got there): not compared. */
  laterStageFindings: number;
  perStage: Record<Stage, { cases: number; agreed: number; disagreed: number }>;
  /** Our findings in places PostgreSQL never read (listed for eyeballing, not failures). */
  unreadFindings: string[];
  disagreements: Disagreement[];
  missingFromOracle: string[];
}

export function emptyComparison(): Comparison {
  return {
    compared: 0,
    agreed: 0,
    agreedErrors: 0,
    notComparable: 0,
    laterStageFindings: 0,
    perStage: { syntax: { cases: 0, agreed: 0, disagreed: 0 }, unknown: { cases: 0, agreed: 0, disagreed: 0 }, value: { cases: 0, agreed: 0, disagreed: 0 } },
    unreadFindings: [],
    disagreements: [],
    missingFromOracle: [],
  };
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

const RESOURCE_LIMIT = /exceeded maxAllocatedDescs/;

export function compareCase(c: CorpusCase, oracle: CaseAnswer, ours: OurAnswer, acc: Comparison): void {
  const keys = new Map<string, { file: string; line: number }>();
  const addKey = (file: string, line: number) => keys.set(`${file}\u0000${line}`, { file, line });
  for (const [file, ls] of Object.entries(settingLines(c))) for (const l of ls) addKey(file, l);
  for (const [file, lines] of Object.entries(oracle.errors)) for (const l of Object.keys(lines)) addKey(file, Number(l));
  const pgIdx = oracle.stage === 'ok' ? STAGES.length : oracle.stage === 'unexplained' ? -1 : STAGES.indexOf(oracle.stage);
  for (const st of STAGES) {
    for (const [file, lines] of Object.entries(ours[st])) {
      for (const l of Object.keys(lines)) {
        if (STAGES.indexOf(st) <= pgIdx) addKey(file, Number(l));
        else acc.laterStageFindings += lines[l]!.length;
      }
    }
  }
  const sorted = [...keys.values()].sort((a, b) => byteOrder(a.file, b.file) || a.line - b.line);
  const stageOk = new Set<Stage>();
  const stageBad = new Set<Stage>();
  for (const { file, line } of sorted) {
    acc.compared++;
    // Running out of file descriptors (13-15 keep every include_dir level open) depends on the
    // machine's limits, not on the file: such answers say nothing about the line.
    if ((oracle.errors[file]?.[String(line)] ?? []).some((e) => RESOURCE_LIMIT.test(e))) {
      acc.notComparable++;
      continue;
    }
    const unreadFrom = oracle.unread?.[file];
    if (pgIdx < 0 || (unreadFrom !== undefined && line >= unreadFrom)) {
      acc.notComparable++;
      const mine = STAGES.flatMap((st) => ours[st][file]?.[String(line)] ?? []);
      if (mine.length && pgIdx >= 0) acc.unreadFindings.push(`${c.id} ${file}:${line} ${JSON.stringify(mine)}`);
      continue;
    }
    let allSame = true;
    let anyError = false;
    for (const st of STAGES.slice(0, Math.min(pgIdx + 1, STAGES.length))) {
      const expected = st === oracle.stage ? [...(oracle.errors[file]?.[String(line)] ?? [])].sort(byteOrder) : [];
      const got = [...(ours[st][file]?.[String(line)] ?? [])].sort(byteOrder);
      if (expected.length) anyError = true;
      if (sameSet(expected, got)) {
        if (expected.length || got.length) stageOk.add(st);
        continue;
      }
      allSame = false;
      stageBad.add(st);
      acc.disagreements.push({ caseId: c.id, file, line, source: sourceLine(c, file, line), stage: st, pgStage: oracle.stage, expected, got });
    }
    if (allSame) {
      acc.agreed++;
      if (anyError) acc.agreedErrors++;
    }
  }
  if (oracle.stage === 'syntax' || oracle.stage === 'unknown' || oracle.stage === 'value') {
    const s = acc.perStage[oracle.stage];
    s.cases++;
    if (stageBad.size) s.disagreed++;
    else s.agreed++;
  }
}

export function compareAll(cases: CorpusCase[], oracle: Record<string, CaseAnswer>, ours: (c: CorpusCase) => OurAnswer): Comparison {
  const acc = emptyComparison();
  for (const c of cases) {
    const o = oracle[c.id];
    if (!o) {
      acc.missingFromOracle.push(c.id);
      continue;
    }
    compareCase(c, o, ours(c), acc);
  }
  return acc;
}

const STAGE_NAME: Record<Stage, string> = { syntax: 'conf-syntax', unknown: 'conf-unknown-parameter', value: 'conf-invalid-value' };

export function formatDisagreements(ds: Disagreement[], limit = Infinity): string {
  const lines: string[] = [];
  for (const d of ds.slice(0, limit)) {
    const where = d.caseId.startsWith('cases/') ? `${d.caseId}/${d.file}:${d.line}` : d.caseId.startsWith('values/') ? d.caseId : `${d.caseId}:${d.line}`;
    const why = d.stage === d.pgStage ? `${STAGE_NAME[d.stage]}` : `${STAGE_NAME[d.stage]} (PostgreSQL found no such errors: it stopped at ${d.pgStage})`;
    lines.push(`  ${where}   ${JSON.stringify(d.source)}   [${why}]`);
    lines.push(`    expected: ${d.expected.length ? d.expected.map((e) => JSON.stringify(e)).join(' | ') : '(no error)'}`);
    lines.push(`    got:      ${d.got.length ? d.got.map((e) => JSON.stringify(e)).join(' | ') : '(no error)'}`);
  }
  if (ds.length > limit) lines.push(`  ... and ${ds.length - limit} more`);
  return lines.join('\n');
}
