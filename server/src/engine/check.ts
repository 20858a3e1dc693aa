// The one entry point all fronts use: parse a file, run the rules for its kind, collect findings.
import * as path from 'node:path';
import type { CheckOptions, FileKind, Finding, Fix } from './types';
import { analyzeHba } from './hba';
import { analyzeConf, type ConfAnalysis } from './conf';
import { RULES } from '../rules';
import type { ConfContext, HbaContext, Report, Rule, SqlContext, SqlRule } from '../rules/rule';
import { analyzeSql, parsingInParallel, utf16OfByte, type ParsedStatement, type SqlAnalysis } from './sql';
import { historyFiles, historyRoot } from './sql/history';
import { buildModel, modelStepsOf, type SchemaModel } from './sql/model';
import { buildModelIncrementally, type ModelBuild } from './sql/incremental-model';
import { carryOver, editFootprint, lastCheckOf, rememberCheck, rememberedAnalysis, type LastCheck } from './sql/carry-over';
import { alterSystemConf, alterSystemValue } from './sql/alter-system';
import { applyEdits } from './fix';
import { CONFIG_FILE, DEFAULT_CONFIG, type EngineConfig } from './config';
import { applySuppressions, parseSuppressions, type Suppression } from './suppressions';


export const INTERNAL_ERROR_RULE = 'internal-error';

/** Picks the kind of a file from its name, as the editor's language associations do. */
export function kindOfFile(file: string): FileKind | undefined {
  const base = path.basename(file);
  if (base === 'pg_ident.conf') return 'ident';
  if (base === 'pg_hba.conf' || base.endsWith('.hba.conf') || /^pg_hba.*\.conf$/.test(base)) return 'hba';
  if (base === 'postgresql.conf' || base === 'postgresql.auto.conf' || base.endsWith('.postgresql.conf')) return 'conf';
  if (path.basename(path.dirname(file)) === 'conf.d' && base.endsWith('.conf')) return 'conf';
  if (base.endsWith('.sql')) return 'sql';
  return undefined;
}

/** A main pg_hba.conf, as opposed to a fragment that another file includes. */
const isMainHba = (file: string) => /^pg_hba.*\.conf$/.test(path.basename(file));

export const FILE_TOO_LARGE_RULE = 'file-too-large';

/** The one finding for a file over the size limit, which is neither parsed nor checked. */
export function fileTooLarge(file: string, size: number, limit: number): Finding {
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  return {
    file,
    rule: FILE_TOO_LARGE_RULE,
    severity: 'warning',
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    message: `Not checked: this file is ${mb(size)}, over the ${mb(limit)} limit (maxFileSize in ${CONFIG_FILE}).`,
    fixes: [],
  };
}

export function checkFile(file: string, text: string, kind: FileKind, opts: CheckOptions): Finding[] {
  const limit = (opts.config ?? DEFAULT_CONFIG).maxFileSize;
  // UTF-16 units never exceed the UTF-8 bytes they came from, so this only errs towards checking.
  if (text.length > limit) return [fileTooLarge(file, Buffer.byteLength(text), limit)];
  const findings: Finding[] = [];
  let historyTexts: SqlAnalysis[] = [];
  const runRule = <C>(rule: Rule, ctx: C): Finding[] => {
    const out: Finding[] = [];
    try {
      (rule.check as (c: C, r: (x: Report) => void) => void)(ctx, (r) => out.push(toFinding(rule, r)));
    } catch (e) {
      out.push(internalError(file, `rule ${rule.id}`, e));
    }
    return out;
  };
  const run = <C>(rules: readonly Rule[], ctx: C) => {
    for (const rule of rules) findings.push(...runRule(rule, ctx));
  };
  try {
    if (kind === 'hba') {
      const ctx: HbaContext = {
        analysis: analyzeHba(file, text, opts),
        pgVersion: opts.pgVersion,
        isMainFile: isMainHba(file),
        serverConf: siblingConf(file, opts),
      };
      run(RULES.filter((r) => r.kind === 'hba'), ctx);
    } else if (kind === 'conf') {
      const ctx: ConfContext = { analysis: analyzeConf(file, text, opts), pgVersion: opts.pgVersion };
      run(RULES.filter((r) => r.kind === 'conf'), ctx);
    } else if (kind === 'sql') {
      const sql = checkSql(file, text, opts, runRule);
      findings.push(...sql.findings);
      historyTexts = sql.history;
    }
  } catch (e) {
    findings.push(internalError(file, `the ${kind} parser`, e));
  }
  const visible = suppress(uniqueFindings(findings), file, text, kind, historyTexts, opts);
  return sortFindings(applyRuleSettings(visible, opts.config));
}

const SUPPRESSIBLE = new Set(RULES.map((r) => r.id));

/**
 * Suppression comments in each file with findings. The checked file (and, for SQL, every file of
 * its history, all checked here) also reports suppressions that hide nothing; an included file
 * does not, since its own check may see findings this one does not.
 */
function suppress(findings: Finding[], file: string, text: string, kind: FileKind, history: SqlAnalysis[], opts: CheckOptions): Finding[] {
  const texts = new Map<string, { text: string; complete: boolean; analysis?: SqlAnalysis }>([[file, { text, complete: true }]]);
  for (const a of history) texts.set(a.file, { text: a.text, complete: true, analysis: a });
  for (const f of findings) {
    if (texts.has(f.file)) continue;
    const t = opts.fs.readFile(f.file);
    if (typeof t === 'string') texts.set(f.file, { text: t, complete: false });
  }
  let out = findings;
  for (const [f, t] of texts) out = applySuppressions(f, t.text, kind, out, SUPPRESSIBLE, t.complete, t.analysis && suppressionsIn(t.analysis));
  return out;
}

/**
 * The suppression comments of a file of a migration history, read once per analysis: while one file
 * is edited, every keystroke checks the whole history again, and the analyses of the other files
 * serve unchanged (reading the comments of 1,000 files took 3.5 ms a keystroke).
 */
const suppressionsRead = new WeakMap<SqlAnalysis, Suppression[]>();
function suppressionsIn(a: SqlAnalysis): Suppression[] {
  let found = suppressionsRead.get(a);
  if (!found) suppressionsRead.set(a, (found = parseSuppressions(a.text, 'sql')));
  return found;
}

/** The project's severity per rule; `off` drops the rule's findings. Internal errors always show. */
function applyRuleSettings(findings: Finding[], config: EngineConfig | undefined): Finding[] {
  if (!config || !Object.keys(config.rules).length) return findings;
  return findings.flatMap((f) => {
    const setting = f.rule === INTERNAL_ERROR_RULE ? undefined : config.rules[f.rule];
    if (setting === 'off') return [];
    return setting ? [{ ...f, severity: setting }] : [f];
  });
}

/**
 * Checks many files. Checking one file of a migration history checks the whole history, so each
 * history is checked once, through the first of its files given: not once per file, which would
 * parse a history of n files n times.
 */
export function checkTargets(targets: { file: string; kind: FileKind }[], read: (file: string) => string, opts: CheckOptions): Finding[] {
  const histories = new Set<string>();
  const out: Finding[] = [];
  for (const t of targets) {
    const root = t.kind === 'sql' ? historyRoot(t.file, opts.config) : undefined;
    if (root !== undefined) {
      if (histories.has(root)) continue;
      histories.add(root);
    }
    out.push(...checkFile(t.file, read(t.file), t.kind, opts));
  }
  return sortFindings(uniqueFindings(out));
}

/**
 * One copy of each finding: history-wide rules see the same facts from every file of the history,
 * and a file included by several checked files reports through each.
 */
export function uniqueFindings(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    // No path or rule id holds a NUL, so the fields cannot run into each other.
    const { start, end } = f.range;
    const key = `${f.file}\0${start.line}:${start.character}-${end.line}:${end.character}\0${f.rule}\0${f.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/**
 * ALTER SYSTEM SET writes postgresql.auto.conf: judge what it writes with the conf rules, and report
 * their findings, under their own ids, at the statement. A conf fix that sets another value becomes
 * the same statement with that value.
 */
function alterSystemFindings(analysis: SqlAnalysis, opts: CheckOptions): Finding[] {
  const { text, lines, refused } = alterSystemConf(analysis);
  const at = (stmt: ParsedStatement, byte: number) => analysis.positionAt(stmt.start + utf16OfByte(stmt.text, byte));
  // A name no parameter has is refused by PostgreSQL itself, as the conf rule would say of a line.
  const unknown = refused.map(({ stmt, name, start, end }): Finding => {
    const pgError = `unrecognized configuration parameter "${name}"`;
    const message = `ALTER SYSTEM: ${pgError}. PostgreSQL refuses this statement, so the migration fails here.`;
    return { file: analysis.file, rule: 'conf-unknown-parameter', severity: 'error', range: { start: at(stmt, start), end: at(stmt, end) }, message, pgError, fixes: [] };
  });
  if (!lines.length) return unknown;
  const pseudo = `${analysis.file}#ALTER SYSTEM`;
  const confOpts = { ...opts, fs: { readFile: () => ({ code: 'ENOENT' }), readDir: () => ({ code: 'ENOENT' }) } };
  const conf = checkFile(pseudo, text, 'conf', confOpts);
  return conf
    // ALTER SYSTEM replaces the parameter's line in postgresql.auto.conf: it never writes a duplicate.
    .filter((f) => f.file === pseudo && lines[f.range.start.line] && f.rule !== 'conf-duplicate')
    .map((f) => {
      const line = lines[f.range.start.line];
      const { stmt, valueLocation, valueEnd } = line;
      const range = { start: at(stmt, valueLocation), end: at(stmt, valueEnd) };
      const fixes = f.fixes.flatMap((fix): Fix[] => {
        const value = fix.edits.length ? valueAfter(pseudo, text, fix, f.range.start.line, confOpts) : undefined;
        if (value === undefined) return [];
        return [{ ...fix, edits: [{ file: analysis.file, range, newText: alterSystemValue(line.name, value) }] }];
      });
      return { file: analysis.file, rule: f.rule, severity: f.severity, range, message: `ALTER SYSTEM: ${f.message}`, fixes };
    })
    .concat(unknown);
}

/** The value a conf fix gives the setting on `line`, when that is all it does. */
function valueAfter(pseudo: string, text: string, fix: Fix, line: number, opts: CheckOptions): string | undefined {
  if (fix.placeholder || fix.edits.some((e) => e.file !== pseudo || e.range.start.line !== line || e.range.end.line !== line)) return undefined;
  const fixed = analyzeConf(pseudo, applyEdits(text, fix.edits), opts);
  const before = analyzeConf(pseudo, text, opts).settings.find((s) => s.line === line);
  const after = fixed.settings.filter((s) => s.line === line);
  return after.length === 1 && before && after[0].key === before.key ? after[0].value : undefined;
}

const SQL_RULES = RULES.filter((r): r is SqlRule => r.kind === 'sql');
/** The ALTER SYSTEM checks' place among the rules' findings kept for the next keystroke. */
const ALTER_SYSTEM = { id: 'ALTER SYSTEM', reads: ['AlterSystemStmt'] };

/**
 * Every file of the history is checked, so one check gives the whole history's findings. For a file
 * being edited, a rule the edit cannot affect (see carry-over.ts) keeps its findings from the
 * previous keystroke's check instead of running again.
 */
function checkSql(file: string, text: string, opts: CheckOptions, runRule: (rule: Rule, ctx: SqlContext) => Finding[]) {
  const analysis = analyzeSql(file, text, opts.editing);
  const config = opts.config ?? DEFAULT_CONFIG;
  const prev = opts.editing ? lastCheckOf(file) : undefined;
  const history = historyOf(analysis, opts, prev);
  const edit = analysis.edit;
  const sameSetup =
    prev !== undefined && edit !== undefined && edit.before === prev.text && prev.pgVersion === opts.pgVersion && prev.config === opts.config &&
    history.length === prev.history.length && history.every((a, i) => a === analysis || a === prev.history[i]);
  const changed = sameSetup ? tryOr(() => editFootprint(edit, analysis)) : undefined;
  // A rule runs again unless the edit touched nothing it reads; and if carrying over fails, it runs too.
  const carried = (id: string, reads: readonly string[] | undefined) =>
    changed && reads && !reads.some((t) => changed.has(t)) ? tryOr(() => carryOver(prev!.byRule.get(id) ?? [], prev!.analysis, analysis, edit!)) : undefined;

  let model: SchemaModel | undefined;
  let build: ModelBuild | undefined;
  // One context per file, not one per rule and file: 21 rules over a 1,000-file history made 21,000.
  const contexts = new Map<SqlAnalysis, SqlContext>();
  const ctxOf = (a: SqlAnalysis): SqlContext => {
    let ctx = contexts.get(a);
    if (!ctx)
      contexts.set(
        a,
        (ctx = {
          analysis: a,
          pgVersion: opts.pgVersion,
          history,
          config,
          // Built only when a rule that reads it runs; while a file is edited, from where the edits begin.
          get model() {
            if (!model) model = opts.editing ? (build = buildModelIncrementally(history, prev?.model, analysis)).model : buildModel(history);
            return model;
          },
        }),
      );
    return ctx;
  };
  const byRule = new Map<string, Finding[]>();
  for (const rule of SQL_RULES) {
    let out = carried(rule.id, rule.reads);
    if (!out) {
      const targets = rule.wholeHistory ? [history.find((a) => a.file === file) ?? history[0]] : history;
      out = targets.flatMap((a) => runRule(rule, ctxOf(a)));
    }
    byRule.set(rule.id, out);
  }
  const alterSystem = (a: SqlAnalysis): Finding[] => {
    try {
      return alterSystemFindings(a, opts);
    } catch (e) {
      return [internalError(a.file, 'the ALTER SYSTEM checks', e)];
    }
  };
  byRule.set(ALTER_SYSTEM.id, carried(ALTER_SYSTEM.id, ALTER_SYSTEM.reads) ?? history.flatMap(alterSystem));
  const findings = [...byRule.values()].flat();
  if (opts.editing && !findings.some((f) => f.rule === INTERNAL_ERROR_RULE))
    rememberCheck(file, { text, analysis, history, pgVersion: opts.pgVersion, config: opts.config, byRule, byFile: new Map(history.map((a) => [a.file, a])), model: build ?? prev?.model });
  return { findings, history };
}

/** The value, or undefined when computing it throws. */
function tryOr<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/**
 * The migration history the file belongs to, each file parsed (the checked one from its text). The
 * other files' analyses that a remembered check of an edited file holds serve again while their
 * texts are the same.
 */
function historyOf(analysis: SqlAnalysis, opts: CheckOptions, prev: LastCheck | undefined): SqlAnalysis[] {
  return historyFiles(analysis.file, opts.fs, opts.config).flatMap((f) => {
    const a = f === analysis.file ? analysis : readHistoryFile(f, opts, prev);
    // With a parse worker (parallel.ts), each file's model steps (the schema model's decoding) are
    // read as soon as the file is parsed, not after the whole history: meanwhile the worker goes on
    // with the next files, where it would otherwise sit idle while this thread decodes. Every check
    // of a history builds the model (its whole-history rules read it), so this is no extra work.
    // Without one it gains nothing, and the language server's scan kept 20 MB more after it.
    if (a && parsingInParallel()) modelStepsOf(a);
    return a ? [a] : [];
  });
}

function readHistoryFile(f: string, opts: CheckOptions, prev: LastCheck | undefined): SqlAnalysis | undefined {
  const text = opts.fs.readFile(f);
  if (typeof text !== 'string') return undefined;
  const own = prev?.byFile.get(f);
  return own?.text === text ? own : (opts.editing && rememberedAnalysis(f, text)) || analyzeSql(f, text);
}

/** The postgresql.conf in a pg_hba.conf's directory, read with its includes and postgresql.auto.conf. */
function siblingConf(hbaFile: string, opts: CheckOptions): ConfAnalysis | undefined {
  if (!isMainHba(hbaFile)) return undefined;
  const confFile = path.join(path.dirname(hbaFile), 'postgresql.conf');
  const text = opts.fs.readFile(confFile);
  return typeof text === 'string' ? analyzeConf(confFile, text, opts) : undefined;
}

function toFinding(rule: Rule, r: Report): Finding {
  const f: Finding = {
    file: r.file,
    rule: rule.id,
    severity: r.severity ?? rule.severity,
    range: r.range,
    message: r.message,
    fixes: r.fixes ?? [],
  };
  if (r.pgError !== undefined) f.pgError = r.pgError;
  if (r.pgLine !== undefined) f.pgLine = r.pgLine;
  if (r.related?.length) f.related = r.related;
  return f;
}

/** A crash in one rule becomes one finding for that file; the other rules and files go on. */
function internalError(file: string, where: string, e: unknown): Finding {
  const detail = e instanceof Error ? e.message : String(e);
  return {
    file,
    rule: INTERNAL_ERROR_RULE,
    severity: 'error',
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    message: `pg-hardening failed in ${where} on this file (${detail}). Other checks still ran; please report this.`,
    fixes: [],
  };
}

export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.range.start.line - b.range.start.line ||
      a.range.start.character - b.range.start.character ||
      (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0),
  );
}
