// pg-harden: the command-line front. Exit 0 when nothing reaches --fail-on, 1 when something does,
// 2 on a usage or I/O error.
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { checkFile, sortFindings, uniqueFindings } from '../engine/check';
import { fixFile } from '../engine/fix';
import { decodeText, nodeFileSystem } from '../engine/node-fs';
import { DEFAULT_PG_VERSION, SUPPORTED_PG_VERSIONS, type FileKind, type Severity } from '../engine/types';
import { collectTargets } from '../engine/targets';
import { initEngine } from '../engine/init';
import { CONFIG_FILE, engineConfig, loadProjectConfig, parseProjectConfig } from '../engine/config';
import { RULES } from '../rules';
import * as path from 'node:path';
import { displayPath, formatJson, formatSarif, formatText } from './format';

declare const PG_HARDEN_VERSION: string | undefined;
const VERSION = typeof PG_HARDEN_VERSION === 'string' ? PG_HARDEN_VERSION : '0.0.0-dev';

const USAGE = `Usage:
  pg-harden check [paths...] [--format text|json|sarif] [--kind hba|conf|sql] [--pg-version 13-18] [--fail-on error|warning] [--config FILE]
  pg-harden fix [paths...] [--unsafe] [--kind hba|conf|sql] [--pg-version 13-18] [--config FILE]
  pg-harden --version | --help

Paths are files or directories (default: the current directory). The file kind comes from the name
(pg_hba.conf, *.hba.conf, postgresql.conf, *.sql ...) unless --kind says otherwise.
Settings come from --config, else the nearest ${CONFIG_FILE} in the current directory or above;
command-line options win over it.`;

class UsageError extends Error {}

const RANK: Record<Severity, number> = { hint: 0, information: 1, warning: 2, error: 3 };

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  color: boolean;
}

export function run(argv: string[], io: Io): number {
  try {
    return dispatch(argv, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`pg-harden: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    io.err(`pg-harden: ${(e as Error).message}`);
    return 2;
  }
}

function dispatch(argv: string[], io: Io): number {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v') {
    io.out(VERSION);
    return 0;
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.out(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command !== 'check' && command !== 'fix') throw new UsageError(`unknown command "${command}"`);
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
  if (!['text', 'json', 'sarif'].includes(values.format!))
    throw new UsageError(`--format must be text, json or sarif (got "${values.format}")`);
  if (values['fail-on'] !== 'error' && values['fail-on'] !== 'warning')
    throw new UsageError(`--fail-on must be error or warning (got "${values['fail-on']}")`);
  if (command === 'check' && values.unsafe) throw new UsageError('--unsafe applies only to "pg-harden fix"');

  const targets = collectTargets(positionals.length ? positionals : ['.'], kind);
  const opts = { pgVersion, fs: nodeFileSystem, config: engineConfig(project.file ? path.dirname(project.file) : process.cwd(), project.config) };
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

  const findings = sortFindings(uniqueFindings(targets.flatMap((t) => checkFile(t.file, read(t.file), t.kind, opts))));
  for (const f of findings) if (!texts.has(f.file)) safeRead(f.file, texts);
  if (values.format === 'json') io.out(formatJson(findings));
  else if (values.format === 'sarif') io.out(formatSarif(findings, VERSION));
  else io.out(formatText(findings, texts, io.color));
  const threshold = RANK[values['fail-on'] as Severity];
  return findings.some((f) => RANK[f.severity] >= threshold) ? 1 : 0;
}

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
    // The source line is decoration; the finding stands without it.
  }
}

if (require.main === module) {
  void initEngine().then(() => {
    const code = run(process.argv.slice(2), {
    out: (s) => process.stdout.write(s + '\n'),
    err: (s) => process.stderr.write(s + '\n'),
      color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    });
    process.exitCode = code;
  });
}
