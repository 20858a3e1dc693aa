// The parameters PostgreSQL 13..18 know, from pg_settings of real servers (scripts/gen-catalog.ts writes
// catalog/pgNN.json; regenerate with `node --import tsx scripts/gen-catalog.ts`, verify with `--check`).
// Core parameters only: extension settings (pg_stat_statements.*, ...) are custom placeholders to
// PostgreSQL and are not listed.

export type ParamType = 'bool' | 'integer' | 'real' | 'string' | 'enum';

export interface ParamInfo {
  /** As PostgreSQL spells it (DateStyle, IntervalStyle and TimeZone are mixed case). */
  name: string;
  type: ParamType;
  /** enum: the labels PostgreSQL lists (pg_settings.enumvals, and "Available values:" hints), in its order. */
  enumValues?: string[];
  /**
   * enum: spellings (lower case) PostgreSQL shows as another label: those it accepts but never lists
   * (synchronous_commit: true -> on; wal_level: hot_standby -> replica; log_min_messages: debug ->
   * debug2) and listed synonyms (wal_compression: on -> pglz).
   */
  enumAliases?: Readonly<Record<string, string>>;
  /**
   * enum: labels of `enumValues` that depend on build options (lz4/zstd for wal_compression and
   * default_toast_compression, io_uring for io_method). Standard Linux builds have them.
   */
  buildOptionalValues?: string[];
  /** integer/real bounds, in the base unit. */
  min?: number;
  max?: number;
  /** Base unit, as pg_settings shows it: B, kB, MB, 8kB (blocks), ms, s, min. */
  unit?: string;
  /** Compiled-in default (pg_settings.boot_val), '' when PostgreSQL has none. */
  default: string;
  /** internal, postmaster, sighup, superuser-backend, backend, superuser, user. */
  context: string;
  /** pg_settings.short_desc. */
  description: string;
  /** pg_settings.category. */
  category: string;
  /** Not shown by pg_settings/SHOW ALL (GUC_NO_SHOW_ALL), e.g. role, seed, ssl_renegotiation_limit. */
  hidden?: boolean;
  /** GUC_IS_NAME strings (client_encoding, application_name, cluster_name, ...): values are cut to 63 bytes. */
  isName?: boolean;
}

/** One parameter as stored in pgNN.json (short keys keep the bundled files small). */
export interface RawParam {
  /** name, as PostgreSQL spells it (a few are mixed case: DateStyle, IntervalStyle, TimeZone). */
  n: string;
  /** vartype. */
  t: 'bool' | 'integer' | 'real' | 'string' | 'enum';
  /** enum labels PostgreSQL lists (pg_settings.enumvals, plus BUILD_OPTIONAL ones). */
  e?: string[];
  /** enum spellings the server shows as another label: hidden ones (true -> on) and listed synonyms (on -> pglz). */
  h?: Record<string, string>;
  /** enum labels a standard Linux build has but this one lacks (also in `e`). */
  o?: string[];
  min?: number;
  max?: number;
  /** unit (pg_settings.unit: B, kB, MB, 8kB, ms, s, min). */
  u?: string;
  /** boot value (pg_settings.boot_val; null -> absent). */
  d?: string;
  /** context. */
  c: string;
  /** index into categories. */
  g: number;
  /** short description. */
  s: string;
  /** not shown by pg_settings (GUC_NO_SHOW_ALL). */
  x?: 1;
  /** GUC_IS_NAME: values are cut to 63 bytes (found by setting 70 characters and reading them back). */
  nm?: 1;
}

export interface RawCatalog {
  server: string;
  categories: string[];
  /** old names PostgreSQL still accepts, lower-case -> current name. */
  aliases: Record<string, string>;
  params: RawParam[];
  /** only in the newest catalog: time zone file names (share/timezone) of all majors. */
  timeZones?: string[];
}

/** Each major's catalog (60-75 KB of JSON) is read when a check first needs it, not at start-up. */
/* eslint-disable @typescript-eslint/no-require-imports */
const RAW: Record<number, () => RawCatalog> = {
  13: () => require('./catalog/pg13.json'),
  14: () => require('./catalog/pg14.json'),
  15: () => require('./catalog/pg15.json'),
  16: () => require('./catalog/pg16.json'),
  17: () => require('./catalog/pg17.json'),
  18: () => require('./catalog/pg18.json'),
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The majors with a catalog. */
export const CATALOG_VERSIONS: readonly number[] = [13, 14, 15, 16, 17, 18];
const OLDEST = CATALOG_VERSIONS[0]!;
const NEWEST = CATALOG_VERSIONS[CATALOG_VERSIONS.length - 1]!;

/** The catalog major used for `pgVersion`: itself, or the nearest one we have (older -> 13, newer -> 18). */
export function catalogVersion(pgVersion: number): number {
  const v = Math.trunc(pgVersion);
  if (!Number.isFinite(v) || v > NEWEST) return NEWEST;
  if (v < OLDEST) return OLDEST;
  return v;
}

interface Loaded {
  server: string;
  params: Map<string, ParamInfo>;
  aliases: Map<string, string>;
}

const cache = new Map<number, Loaded>();

function load(pgVersion: number): Loaded {
  const v = catalogVersion(pgVersion);
  let c = cache.get(v);
  if (c) return c;
  const raw = RAW[v]!();
  const params = new Map<string, ParamInfo>();
  for (const r of raw.params) {
    const p: ParamInfo = {
      name: r.n,
      type: r.t as ParamType,
      default: r.d ?? '',
      context: r.c,
      description: r.s,
      category: raw.categories[r.g] ?? '',
    };
    if (r.e) p.enumValues = r.e;
    if (r.h) p.enumAliases = r.h;
    if (r.o) p.buildOptionalValues = r.o;
    if (r.min !== undefined) p.min = r.min;
    if (r.max !== undefined) p.max = r.max;
    if (r.u) p.unit = r.u;
    if (r.x) p.hidden = true;
    if (r.nm) p.isName = true;
    params.set(r.n.toLowerCase(), Object.freeze(p));
  }
  c = { server: raw.server, params, aliases: new Map(Object.entries(raw.aliases)) };
  cache.set(v, c);
  return c;
}

/** All core parameters of a major, keyed by lower-case name. */
export function catalogFor(pgVersion: number): ReadonlyMap<string, ParamInfo> {
  return load(pgVersion).params;
}

/** The server version the catalog of a major was generated from, e.g. "17.10". */
export function catalogServerVersion(pgVersion: number): string {
  return load(pgVersion).server;
}

/** ASCII-only lower-casing, as PostgreSQL's guc_name_compare and pg_strcasecmp do. */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/**
 * The current name an old one maps to (map_old_guc_names: sort_mem -> work_mem, vacuum_mem ->
 * maintenance_work_mem, and in 18 ssl_ecdh_curve -> ssl_groups), lower case; undefined otherwise.
 */
export function oldParamNameTarget(name: string, pgVersion: number): string | undefined {
  return load(pgVersion).aliases.get(asciiLower(name));
}

/**
 * A core parameter by name, case-insensitively (guc_name_compare). Old names PostgreSQL still maps
 * (sort_mem, vacuum_mem, ssl_ecdh_curve in 18) give the parameter they map to.
 */
export function lookupParam(name: string, pgVersion: number): ParamInfo | undefined {
  const c = load(pgVersion);
  const key = asciiLower(name);
  return c.params.get(key) ?? c.params.get(c.aliases.get(key) ?? '');
}

/** Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions), capped. */
function osaDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  const m = a.length;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    let rowMin = cur[0]!;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > cap) return cap + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n]!;
}

/** How far a misspelling may be from the name it suggests: 1 edit for short names, up to 3 for long ones. */
function suggestionThreshold(len: number): number {
  if (len <= 4) return 1;
  if (len <= 10) return 2;
  return 3;
}

/**
 * "Did you mean": the known parameter closest to `name` (see closestWord), or undefined when
 * nothing is close or `name` is itself known.
 */
export function suggestParam(name: string, pgVersion: number): string | undefined {
  const c = load(pgVersion);
  const key = asciiLower(name);
  if (c.params.has(key) || c.aliases.has(key)) return undefined;
  return closestWord(name, [...c.params.values()].filter((p) => !p.hidden).map((p) => p.name));
}

/**
 * The candidate closest to `word`: case-insensitive optimal-string-alignment distance within a
 * threshold that grows with the length (1 edit for short words, up to 3 for long ones); ties go to
 * the longer common prefix, then to the candidate that sorts first. `-`, `_` and spaces count as
 * the same separator.
 */
export function closestWord(word: string, candidates: Iterable<string>): string | undefined {
  const norm = (s: string) => asciiLower(s).replace(/[-\s]/g, '_');
  const key = norm(word);
  const cap = suggestionThreshold(key.length);
  let best: { name: string; dist: number; prefix: number } | undefined;
  for (const name of candidates) {
    const k = norm(name);
    const dist = k === key ? 0 : osaDistance(key, k, cap);
    if (dist > cap) continue;
    let prefix = 0;
    while (prefix < k.length && prefix < key.length && k[prefix] === key[prefix]) prefix++;
    if (!best || dist < best.dist || (dist === best.dist && (prefix > best.prefix || (prefix === best.prefix && name < best.name)))) {
      best = { name, dist, prefix };
    }
  }
  return best?.name;
}

/**
 * PostgreSQL's valid_custom_variable_name (guc.c, 14+): at least one `.`, every dot-separated part
 * non-empty, starting with a letter, `_` or a byte >= 0x80 and going on with those, digits or `$`.
 * Such names are accepted as placeholders for extension settings whatever follows the dot.
 * (PostgreSQL 13 accepted any name containing a dot; in a postgresql.conf the lexer only lets
 * `identifier.identifier` through, which both rules accept.)
 */
export function isValidCustomName(name: string): boolean {
  let sawSep = false;
  let nameStart = true;
  for (const ch of name) {
    if (ch === '.') {
      if (nameStart) return false;
      sawSep = true;
      nameStart = true;
    } else if (/[A-Za-z_]/.test(ch) || ch.codePointAt(0)! >= 0x80) {
      nameStart = false;
    } else if (!nameStart && /[0-9$]/.test(ch)) {
      /* ok as a non-first character */
    } else {
      return false;
    }
  }
  if (nameStart) return false;
  return sawSep;
}

let zoneCache: ReadonlySet<string> | undefined;

/**
 * Time zone names the servers' share/timezone holds (lower case): what `timezone`/`log_timezone`
 * accept besides POSIX zone specifications and numeric offsets.
 */
export function knownTimeZones(): ReadonlySet<string> {
  if (!zoneCache) zoneCache = new Set((RAW[NEWEST]!().timeZones ?? []).map(asciiLower));
  return zoneCache;
}
