// pg-harden: the command-line front. Exit 0 when nothing reaches --fail-on, 1 when something does,
// 2 on a usage or I/O error.
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { checkTargets, fileTooLarge, sortFindings } from '../engine/check';
import { setParseCacheLimit } from '../engine/sql';
import { parseInParallel } from '../engine/sql/parallel';
import { compareMigrations } from '../engine/sql/history';
import { fixFile } from '../engine/fix';
import { decodeText, diskFileSystem, nodeFileSystem } from '../engine/node-fs';
import { DEFAULT_PG_VERSION, SUPPORTED_PG_VERSIONS, type FileKind, type FileSystem, type Finding, type Severity } from '../engine/types';
import { collectTargets } from '../engine/targets';
import { initEngine } from '../engine/init';
import { CONFIG_FILE, engineConfig, loadProjectConfig, parseProjectConfig } from '../engine/config';
import { scramVerifier } from '../engine/scram';
import { RULES } from '../rules';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { displayPath, formatJson, formatSarif, formatText } from './format';
import { formatGitlab } from './gitlab';
import { changedLinesSince, touchesChangedLine } from './changed-lines';
import { buildBaseline, findingsNotInBaseline, readBaseline, writeBaseline, type Baseline } from './baseline';
import { readPassword } from './scram-verifier';
import { lspArgumentError, startLanguageServer } from './lsp';

declare const PG_HARDEN_VERSION: string | undefined;
const VERSION = typeof PG_HARDEN_VERSION === 'string' ? PG_HARDEN_VERSION : '0.0.0-dev';

const FORMATS = ['text', 'json', 'sarif', 'gitlab'];

const USAGE = `Usage:
  pg-harden check [paths...] [--format text|json|sarif|gitlab] [--kind hba|conf|sql] [--pg-version 13-18] [--fail-on error|warning] [--config FILE]
                  [--changed-since GIT_REF] [--baseline FILE [--update-baseline]]
  pg-harden fix [paths...] [--unsafe] [--kind hba|conf|sql] [--pg-version 13-18] [--config FILE]
  pg-harden lsp --stdio
  pg-harden scram-verifier < file-holding-the-password
  pg-harden --version | --help

Paths are files or directories (default: the current directory). The file kind comes from the name
(pg_hba.conf, *.hba.conf, postgresql.conf, *.sql ...) unless --kind says otherwise.
Settings come from --config, else the nearest ${CONFIG_FILE} in the current directory or above;
command-line options win over it.

  --changed-since GIT_REF  only findings on lines added or changed since GIT_REF (git diff GIT_REF;
                           untracked files count as new in full)
  --baseline FILE          only findings not recorded in FILE; with --update-baseline, record the
                           current findings in FILE first (the run then reports none)
  lsp --stdio              the language server, over standard input and output, for any LSP editor
  scram-verifier           reads one line, the password, from standard input (typed without echo at a
                           terminal) and prints the SCRAM-SHA-256 verifier PostgreSQL would store`;

class UsageError extends Error {}

const RANK: Record<Severity, number> = { hint: 0, information: 1, warning: 2, error: 3 };

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  color: boolean;
  stdin: NodeJS.ReadStream;
  /** Writes to the terminal as is (no newline added): the password prompt. */
  prompt: (s: string) => void;
}

/** The exit status, or undefined once the language server runs (it exits when its client closes it). */
export async function run(argv: string[], io: Io): Promise<number | undefined> {
  try {
    return await dispatch(argv, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`pg-harden: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    io.err(`pg-harden: ${(e as Error).message}`);
    return 2;
  }
}

async function dispatch(argv: string[], io: Io): Promise<number | undefined> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v') {
    io.out(VERSION);
    return 0;
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.out(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === 'lsp') {
    const problem = lspArgumentError(rest);
    if (problem) throw new UsageError(problem);
    startLanguageServer();
    return undefined;
  }
  if (command === 'scram-verifier') {
    if (rest.length) throw new UsageError('"pg-harden scram-verifier" takes no arguments: it reads the password from standard input');
    io.out(scramVerifier(await readPassword(io.stdin, io.prompt)));
    return 0;
  }
  if (command !== 'check' && command !== 'fix') throw new UsageError(`unknown command "${command}"`);
  return checkOrFix(command, rest, io);
}

async function checkOrFix(command: 'check' | 'fix', rest: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'text' },
        kind: { type: 'string' },
        'pg-version': { type: 'string' },
        config: { type: 'string' },
        'fail-on': { type: 'string', default: 'error' },
        unsafe: { type: 'boolean', default: false },
        'changed-since': { type: 'string' },
        baseline: { type: 'string' },
        'update-baseline': { type: 'boolean', default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  const project = projectConfig(values.config);
  const pgVersion = values['pg-version'] === undefined ? (project.config.postgresVersion ?? DEFAULT_PG_VERSION) : Number(values['pg-version']);
  if (!(SUPPORTED_PG_VERSIONS as readonly number[]).includes(pgVersion))
    throw new UsageError(`--pg-version must be one of ${SUPPORTED_PG_VERSIONS.join(', ')} (got "${values['pg-version']}")`);
  const kind = values.kind as FileKind | undefined;
  if (kind !== undefined && !['hba', 'conf', 'sql'].includes(kind))
    throw new UsageError(`--kind must be hba, conf or sql (got "${kind}")`);
  if (!FORMATS.includes(values.format!)) throw new UsageError(`--format must be text, json, sarif or gitlab (got "${values.format}")`);
  if (values['fail-on'] !== 'error' && values['fail-on'] !== 'warning')
    throw new UsageError(`--fail-on must be error or warning (got "${values['fail-on']}")`);
  if (command === 'check' && values.unsafe) throw new UsageError('--unsafe applies only to "pg-harden fix"');
  if (command === 'fix')
    for (const option of ['changed-since', 'baseline', 'update-baseline'] as const)
      if (values[option] !== undefined && values[option] !== false) throw new UsageError(`--${option} applies only to "pg-harden check"`);
  if (values['update-baseline'] && values.baseline === undefined)
    throw new UsageError('--update-baseline needs --baseline FILE, the file to record the findings in');
  if (values['update-baseline'] && values['changed-since'] !== undefined)
    throw new UsageError('--update-baseline records every finding, so it cannot be combined with --changed-since');
  // Git and the baseline are asked before the (longer) check, so a wrong ref or file fails fast.
  const changedLines = values['changed-since'] === undefined ? undefined : changedLinesSince(values['changed-since'], process.cwd());
  const baseline = values.baseline === undefined || values['update-baseline'] ? undefined : readBaseline(values.baseline);

  const config = engineConfig(project.file ? path.dirname(project.file) : process.cwd(), project.config);
  const opts = { pgVersion, fs: diskFileSystem({ maxBytes: config.maxFileSize }), config };
  // Files over the size limit are reported, not read: a stat says how big they are.
  const tooLarge: Finding[] = [];
  const targets = collectTargets(positionals.length ? positionals : ['.'], kind).filter((t) => {
    const size = fs.statSync(t.file).size;
    if (size <= config.maxFileSize) return true;
    tooLarge.push(fileTooLarge(t.file, size, config.maxFileSize));
    return false;
  });
  // The WASM SQL parser loads only when there is SQL to read.
  if (targets.some((t) => t.kind === 'sql')) await initEngine();
  const texts = new Map<string, string>();
  const read = (file: string) => {
    let text = texts.get(file);
    if (text === undefined) {
      try {
        text = decodeText(fs.readFileSync(file));
      } catch (e) {
        throw new Error(`cannot read ${displayPath(file)}: ${(e as Error).message}`);
      }
      texts.set(file, text);
    }
    return text;
  };

  if (command === 'fix') {
    let changed = 0;
    for (const t of targets) {
      const before = read(t.file);
      const { text, applied } = fixFile(t.file, before, t.kind, opts, values.unsafe);
      if (text === before) continue;
      fs.writeFileSync(t.file, text);
      changed++;
      for (const a of applied) io.out(`${displayPath(t.file)}: fixed [${a.rule}] ${a.title}`);
    }
    io.out(`${changed} file${changed === 1 ? '' : 's'} changed.`);
    return 0;
  }

  // Each statement is parsed once; in a large migration set, a worker thread parses too, ahead of
  // the checks, which take the files of a history in the order they run.
  setParseCacheLimit(0);
  const sqlFiles = targets.filter((t) => t.kind === 'sql').map((t) => t.file).sort(compareMigrations);
  const parallel = parseInParallel(sqlFiles.map((file) => ({ file, text: read(file) })));
  // The checks read each history's files through the texts read already (nothing is written during a check).
  const known: FileSystem = { ...opts.fs, readFile: (f) => texts.get(path.resolve(f)) ?? opts.fs.readFile(f) };
  let findings: Finding[];
  try {
    findings = sortFindings([...tooLarge, ...checkTargets(targets, read, { ...opts, fs: known })]);
  } finally {
    parallel.stop();
  }
  for (const f of findings) if (!texts.has(f.file)) safeRead(f.file, texts);
  if (changedLines)
    findings = hideFindings(findings, findings.filter((f) => touchesChangedLine(f, changedLines)), `on lines unchanged since ${values['changed-since']}`, io);
  if (values.baseline !== undefined) findings = applyBaseline(findings, texts, values.baseline, baseline, io);
  if (values.format === 'json') io.out(formatJson(findings));
  else if (values.format === 'sarif') io.out(formatSarif(findings, VERSION));
  else if (values.format === 'gitlab') io.out(formatGitlab(findings, texts));
  else io.out(formatText(findings, texts, io.color));
  const threshold = RANK[values['fail-on'] as Severity];
  return findings.some((f) => RANK[f.severity] >= threshold) ? 1 : 0;
}

/** With no baseline given to read, records one from the findings (--update-baseline), then reports none of them. */
function applyBaseline(findings: Finding[], texts: Map<string, string>, file: string, baseline: Baseline | undefined, io: Io): Finding[] {
  if (!baseline) {
    baseline = buildBaseline(findings, texts, file);
    writeBaseline(file, baseline);
    io.err(`pg-harden: recorded ${plural(findings.length, 'finding')} in the baseline ${file}`);
  }
  return hideFindings(findings, findingsNotInBaseline(findings, texts, baseline, file), `in the baseline ${file}`, io);
}

/** Says on stderr how many findings a filter hid, so a quiet report is never mistaken for a clean one. */
function hideFindings(all: Finding[], kept: Finding[], why: string, io: Io): Finding[] {
  if (kept.length < all.length) io.err(`pg-harden: ${plural(all.length - kept.length, 'finding')} ${why} not reported`);
  return kept;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The project's settings; a broken settings file stops the run (a typo must not switch checks off). */
function projectConfig(explicit: string | undefined): ReturnType<typeof loadProjectConfig> {
  const ids = RULES.map((r) => r.id);
  let loaded: ReturnType<typeof loadProjectConfig>;
  if (explicit !== undefined) {
    const text = nodeFileSystem.readFile(explicit);
    if (typeof text !== 'string') throw new Error(`cannot read ${explicit}: ${text.code}`);
    loaded = { file: path.resolve(explicit), ...parseProjectConfig(text, ids) };
  } else {
    loaded = loadProjectConfig(process.cwd(), nodeFileSystem, ids);
  }
  if (loaded.errors.length) throw new Error(`${displayPath(loaded.file!)}: ${loaded.errors.join('; ')}`);
  return loaded;
}

function safeRead(file: string, texts: Map<string, string>) {
  try {
    texts.set(file, decodeText(fs.readFileSync(file)));
  } catch {
    // The finding stands without its source line (which then reads as empty for baselines and fingerprints).
  }
}

/**
 * V8 settings for a one-shot check, set before it starts. Not for `pg-harden lsp`: the language
 * server is a long-lived process, and over the protocol neither helped it (bench/MISSES.md).
 */
function tuneForOneShotCheck(): void {
  // A check keeps nearly everything it makes until it reports (every record, token and parse tree),
  // so what survives a young-generation collection is promoted anyway, and a young space that grows
  // only maps fresh pages, each paid for at its first touch. A young space that keeps its first size
  // reuses its pages: a tenth off a 20,000-line pg_hba.conf and off the 1 MB migration, against
  // growing by 8 (bench/MISSES.md). The growth factor is read at each growth, so setting it now takes
  // effect.
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  // PostgreSQL's parser is one WebAssembly module. Its baseline (Liftoff) code parses the 1 MB
  // migration about a fifth faster in a whole run than letting V8 also compile its hot functions with
  // TurboFan: on two cores, that compile of the generated grammar costs more than the run has left to
  // gain from it; the 1,000-file tree is the same either way (bench/MISSES.md). The module uses no
  // instruction Liftoff lacks (MVP, bulk memory, sign extension, saturating conversions). Set before
  // the module is compiled, by the first parse.
  v8.setFlagsFromString('--liftoff-only');
}

if (require.main === module) {
  if (process.argv[2] !== 'lsp') tuneForOneShotCheck();
  void (async () => {
    const code = await run(process.argv.slice(2), {
      out: (s) => process.stdout.write(s + '\n'),
      err: (s) => process.stderr.write(s + '\n'),
      color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
      // A getter: opening standard input costs every run that never reads it (all but scram-verifier).
      get stdin() {
        return process.stdin;
      },
      prompt: (s) => process.stderr.write(s),
    });
    if (code !== undefined) exitWhenFlushed(code);
  })();
}

/**
 * Ends a finished command as soon as its output is written. Left to itself, Node first waits for
 * V8's pending collector work and then frees the whole heap, about 50 ms after a large check (a
 * tenth of a 20,000-line pg_hba.conf run) with nothing left to do. Each stream's write callback
 * comes once what was written before it is flushed, so no output is cut off, on a pipe either.
 */
function exitWhenFlushed(code: number) {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}
