// Shared vocabulary for the postgresql.conf rules: effective values, and the edits fixes make.
import type { ConfAnalysis } from '../engine/conf';
import type { ConfSetting } from '../engine/conf/parse';
import { parseBool } from '../engine/conf/values';
import type { Fix, FixSafety, Range } from '../engine/types';
import type { ConfContext, Report } from './rule';

export const PG_CONFIG_DOCS = 'https://www.postgresql.org/docs/current/runtime-config.html';
export const PG_LOGGING_DOCS = 'https://www.postgresql.org/docs/current/runtime-config-logging.html';
export const PG_CONNECTION_DOCS = 'https://www.postgresql.org/docs/current/runtime-config-connection.html';
export { CIS_POSTGRES, PG_SSL_DOCS } from './hba-helpers';

/** A string literal as postgresql.conf writes it. */
export const confString = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

export function setValueFix(s: ConfSetting, raw: string, title: string, safety: FixSafety): Fix {
  return { title, safety, edits: [{ file: s.file, range: s.valueRange, newText: raw }] };
}

/** Appends `name = value` to the end of the checked file. */
export function appendSettingFix(a: ConfAnalysis, name: string, raw: string, title: string, safety: FixSafety): Fix {
  const lines = a.text.split('\n');
  const end = { line: lines.length - 1, character: lines[lines.length - 1].length };
  const prefix = a.text.length === 0 || a.text.endsWith('\n') ? '' : '\n';
  return { title, safety, edits: [{ file: a.file, range: { start: end, end }, newText: `${prefix}${name} = ${raw}\n` }] };
}

/** Sets a parameter: rewrites its effective value if it has one, else appends it (main files only). */
export function setParamFix(a: ConfAnalysis, name: string, raw: string, title: string, safety: FixSafety): Fix | undefined {
  const s = a.effective.get(name);
  if (s) return setValueFix(s, raw, title, safety);
  return a.isMain ? appendSettingFix(a, name, raw, title, safety) : undefined;
}

/** Where to report a parameter that a main file leaves unset: its first line. */
export function unsetRange(a: ConfAnalysis): Range {
  const first = (a.text.split('\n')[0] ?? '').replace(/\r$/, '');
  return { start: { line: 0, character: 0 }, end: { line: 0, character: first.length } };
}

/** A boolean parameter's effective value; undefined when unset or unparsable. */
export function effectiveBool(a: ConfAnalysis, name: string, pgVersion: number): boolean | undefined {
  const s = a.effective.get(name);
  return s ? parseBool(s.value, pgVersion, name) : undefined;
}

/** Comma-separated list values (shared_preload_libraries, listen_addresses), trimmed, quotes removed. */
export const listItems = (value: string) =>
  value
    .split(',')
    .map((x) => x.trim().replace(/^"(.*)"$/, '$1'))
    .filter((x) => x !== '');

/**
 * The common shape of "this parameter weakens the server": report at the effective setting, or at
 * the top of a main file that leaves it at a weak default.
 */
export function reportParam(
  ctx: ConfContext,
  report: (r: Report) => void,
  name: string,
  weak: (s: ConfSetting | undefined) => boolean,
  describe: (s: ConfSetting | undefined) => Omit<Report, 'file' | 'range'>,
) {
  const a = ctx.analysis;
  const s = a.effective.get(name);
  if (!s && !a.isMain) return;
  if (!weak(s)) return;
  const r = describe(s);
  report({ ...r, file: s ? s.file : a.file, range: s ? s.range : unsetRange(a) });
}
