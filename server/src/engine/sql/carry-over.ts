// While a migration is edited, a keystroke changes one statement of thousands. A rule whose
// findings depend only on statements of some types (its `reads`) cannot change its findings unless
// the edit touched a statement of one of those types: its findings from the previous check are
// carried over, moved with the text, and only the other rules run again.
import type { Finding, Position, Range } from '../types';
import type { ParsedStatement, SqlAnalysis, SqlEdit } from './index';
import { nodeAt } from './node-at';
import type { ModelBuild } from './incremental-model';
import { RecentMap } from '../recent';
import { pushTo } from '../map-lists';

/** The pseudo-type of a statement with an error, which sql-syntax reads. */
export const ERROR_TYPE = 'ERROR';
/** The pseudo-type of a statement that mentions set_config, of any type (the model and sql-session-set read them). */
export const SET_CONFIG_TYPE = 'set_config';
export const mentionsSetConfig = (text: string) => /set_config/i.test(text);

/**
 * The pseudo-type of a GRANT or REVOKE on functions or procedures: the model reads only those, and a
 * migration has a GRANT on nearly every table.
 */
export const ROUTINE_GRANT_TYPE = 'GrantStmt:routine';
/** The object types of GRANT and REVOKE on functions and procedures. */
export const ROUTINE_OBJECTS: ReadonlySet<string> = new Set(['OBJECT_FUNCTION', 'OBJECT_PROCEDURE', 'OBJECT_ROUTINE']);

/** What a rule may read of a statement: its node types, and the pseudo-types above. */
export function footprint(s: ParsedStatement): string[] {
  const out = [...s.types];
  if (s.error) out.push(ERROR_TYPE);
  if (mentionsSetConfig(s.text)) out.push(SET_CONFIG_TYPE);
  s.types.forEach((type, i) => {
    if (type === 'GrantStmt' && grantsOnRoutines(s, i)) out.push(ROUTINE_GRANT_TYPE);
  });
  return out;
}

/** The routine object types as PostgreSQL's JSON quotes them. */
const ROUTINE_OBJECTS_IN_JSON = [...ROUTINE_OBJECTS].map((t) => `"${t}"`);

/**
 * Whether the GRANT is on functions, procedures or routines. Most GRANTs are on tables: their JSON
 * names no routine object type, and their trees are not decoded for this.
 */
function grantsOnRoutines(s: ParsedStatement, i: number): boolean {
  // A GRANT on a table says so near the start of its JSON, so this search ends early.
  if (s.types.length === 1 && s.jsonIncludes('"objtype":"OBJECT_TABLE"')) return false;
  return ROUTINE_OBJECTS_IN_JSON.some((t) => s.jsonIncludes(t)) && ROUTINE_OBJECTS.has(nodeAt(s, i)?.objtype);
}

/**
 * Which statements have each footprint type, found in one pass; the GRANTs on routines (which need
 * their trees) are picked out of the GRANTs when first asked for.
 */
export function footprintIndex(statements: readonly ParsedStatement[]): (type: string) => readonly number[] {
  const byType = new Map<string, number[]>();
  statements.forEach((s, i) => {
    for (const t of s.types) pushTo(byType, t, i);
    if (s.error) pushTo(byType, ERROR_TYPE, i);
    if (mentionsSetConfig(s.text)) pushTo(byType, SET_CONFIG_TYPE, i);
  });
  return (type) => {
    if (type === ROUTINE_GRANT_TYPE && !byType.has(type))
      byType.set(type, (byType.get('GrantStmt') ?? []).filter((i) => footprint(statements[i]).includes(ROUTINE_GRANT_TYPE)));
    return byType.get(type) ?? [];
  };
}

/** The footprints of the statements an edit replaced and of those that replaced them. */
export function editFootprint(edit: SqlEdit, after: SqlAnalysis): Set<string> {
  const types = new Set<string>();
  const add = (s: ParsedStatement) => footprint(s).forEach((t) => types.add(t));
  edit.replaced.forEach(add);
  for (let i = edit.from; i < edit.newTo; i++) add(after.statements[i]);
  return types;
}

/**
 * The findings of the previous check, moved to where their text is now; undefined when one of them
 * touches the changed text or its edges (a range that ends where the change starts may be one the
 * change extends: an error's range reaches into the next word).
 */
export function carryOver(findings: readonly Finding[], before: SqlAnalysis, after: SqlAnalysis, edit: SqlEdit): Finding[] | undefined {
  const file = after.file;
  let lost = false;
  const move = (r: Range): Range => {
    const start = before.offsetAt(r.start);
    const end = before.offsetAt(r.end);
    if (end < edit.changeStart) return r;
    if (start > edit.oldChangeEnd)
      return { start: after.positionAt(start + edit.delta), end: after.positionAt(end + edit.delta) };
    lost = true;
    return r;
  };
  const moveIn = <T extends { file: string; range: Range }>(x: T): T => {
    if (x.file !== file) return x;
    const range = move(x.range);
    return range === x.range ? x : { ...x, range };
  };
  const out = findings.map((f): Finding => {
    const moved = moveIn(f);
    const related = f.related?.map(moveIn);
    const fixes = f.fixes.map((fix) => ({ ...fix, edits: fix.edits.map(moveIn) }));
    const g: Finding = { ...moved, fixes };
    if (related) g.related = related;
    if (f.pgLine !== undefined && moved !== f) g.pgLine = f.pgLine + lineShift(f.range.start, moved.range.start);
    return g;
  });
  return lost ? undefined : out;
}

const lineShift = (from: Position, to: Position) => to.line - from.line;

/** What a check of a file being edited leaves for the next keystroke's check. */
export interface LastCheck {
  text: string;
  analysis: SqlAnalysis;
  history: SqlAnalysis[];
  /** The settings it ran with; other settings mean a full check. */
  pgVersion: number;
  config: unknown;
  /** Each rule's findings (and the ALTER SYSTEM checks'), before suppressions. */
  byRule: Map<string, Finding[]>;
  /** The history's analyses by file. */
  byFile: Map<string, SqlAnalysis>;
  /** The last build of the schema model while this file was edited, to go on from. */
  model?: ModelBuild;
}

/** How many files being edited keep their last split and check. */
export const EDITED_FILES = 16;
const lastChecks = new RecentMap<string, LastCheck>(EDITED_FILES);

export const lastCheckOf = (file: string) => lastChecks.get(file);

/**
 * An analysis of `file` with this text that a remembered check holds: files open in the same
 * history then share their other files' analyses instead of holding a copy each.
 */
export function rememberedAnalysis(file: string, text: string): SqlAnalysis | undefined {
  for (const check of lastChecks.values()) {
    const a = check.byFile.get(file);
    if (a && a.text === text) return a;
  }
  return undefined;
}

export function rememberCheck(file: string, check: LastCheck): void {
  lastChecks.set(file, check);
}

export function forgetCheck(file: string): void {
  lastChecks.delete(file);
}
