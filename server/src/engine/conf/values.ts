// Value validation for postgresql.conf, reproducing what PostgreSQL does when it reads the file
// (guc.c parse_and_validate_value: parse_bool, parse_int, parse_real, config_enum_lookup_by_name,
// convert_to_base_unit, and the check hooks of individual parameters), with the exact texts it logs:
//
//   LOG:  invalid value for parameter "work_mem": "64mb"
//   HINT:  Valid units for this parameter are "B", "kB", "MB", "GB", and "TB".
//
// The server is the authority: test/conf-values.test.ts compares this module with `postgres -C` of
// PostgreSQL 13..18 on over a thousand settings per major. Version differences it relies on:
//   - up to 17 the built-in messages name the parameter as written in the file (`Work_Mem`, `sort_mem`),
//     18 uses the canonical name; check-hook messages always use the canonical name;
//   - from 17 the range message gives the unit on the bounds too: `(64 kB .. 2147483647 kB)`;
//   - from 17 a vertical tab separates list items (scanner_isspace);
//   - several check-hook details gained capitals, quotes or a final period (see the hooks below).
//
// validateSettings() adds what depends on the order of a whole file (duplicates, log_*_stats,
// multiple recovery targets). Checks that depend on the machine or the build are NOT reproduced, so
// they never produce a report: lc_* locales (setlocale), max_stack_depth (ulimit -s), bonjour/ssl
// (build options), wal_consistency_checking (resource managers), the MAX_BACKENDS sum of
// max_connections, autovacuum_max_workers, max_worker_processes and max_wal_senders,
// recovery_target_time beyond its special words, default_text_search_config / default_tablespace
// (only checked inside a session), and what the postmaster checks after reading the file other than
// list syntax (ssl_ciphers, ssl_min/max_protocol_version order, library and directory existence).
import { asciiLower, knownTimeZones, lookupParam, type ParamInfo } from './catalog';

export interface ValueProblem {
  /** The errmsg, e.g. `invalid value for parameter "work_mem": "64mb"`. */
  message: string;
  /** The errdetail, when PostgreSQL gives one (check hooks: `List syntax is invalid.`). */
  detail?: string;
  /** The errhint, when PostgreSQL gives one (`Valid units for this parameter are ...`, `Available values: ...`). */
  hint?: string;
  /**
   * Absent: PostgreSQL rejects the value while reading the configuration file (start-up fails with
   * `configuration file "..." contains errors`; a reload keeps the old values).
   * 'start': the file loads, and the problem surfaces later during start-up (or, for
   * session/local_preload_libraries, at each connection).
   */
  stage?: 'start';
  /** stage 'start': the server refuses to start (FATAL) rather than logging and going on without the setting. */
  fatal?: boolean;
}

// ---------------------------------------------------------------------------------------------
// C library behaviour (glibc, "C" locale)

const isCSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isHexDigit = (c: string | undefined) => c !== undefined && /^[0-9A-Fa-f]$/.test(c);
const isAlpha = (c: string | undefined) => c !== undefined && /^[A-Za-z]$/.test(c);
const isAlnum = (c: string | undefined) => isAlpha(c) || isDigit(c);

const utf8 = new TextEncoder();
/** strlen: PostgreSQL sees the UTF-8 bytes. */
const byteLength = (s: string) => utf8.encode(s).length;

interface NumParse {
  value: number;
  /** Index after the number; 0 when nothing was converted (endptr == nptr). */
  end: number;
  erange: boolean;
}

const LONG_MAX = (1n << 63n) - 1n;
const LONG_MIN = -(1n << 63n);

/** strtol(s, &end, 0) on a 64-bit long: decimal, 0-prefixed octal, 0x-prefixed hex. */
export function cStrtol(s: string): NumParse {
  let i = 0;
  while (isCSpace(s[i])) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') {
    neg = s[i] === '-';
    i++;
  }
  let base = 10;
  let digitsStart = i;
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && isHexDigit(s[i + 2])) {
    base = 16;
    digitsStart = i + 2;
  } else if (s[i] === '0') {
    base = 8;
  }
  const ok = (c: string | undefined) => (base === 16 ? isHexDigit(c) : base === 8 ? c !== undefined && c >= '0' && c <= '7' : isDigit(c));
  let j = digitsStart;
  while (ok(s[j])) j++;
  if (j === digitsStart) return { value: 0, end: 0, erange: false };
  let v = BigInt(base === 16 ? '0x' + s.slice(digitsStart, j) : base === 8 ? '0o' + s.slice(digitsStart, j) : s.slice(digitsStart, j));
  if (neg) v = -v;
  let erange = false;
  if (v > LONG_MAX) {
    v = LONG_MAX;
    erange = true;
  } else if (v < LONG_MIN) {
    v = LONG_MIN;
    erange = true;
  }
  return { value: Number(v), end: j, erange };
}

const DBL_MIN = 2.2250738585072014e-308;

/** strtod(s, &end): decimal and hex floats, inf/infinity, nan; ERANGE on overflow and underflow. */
export function cStrtod(s: string): NumParse {
  let i = 0;
  while (isCSpace(s[i])) i++;
  const rest = s.slice(i);
  const special = /^([+-]?)(inf(?:inity)?|nan(?:\([A-Za-z0-9_]*\))?)/i.exec(rest);
  if (special) {
    const neg = special[1] === '-';
    const isNan = /^nan/i.test(special[2]!);
    return { value: isNan ? NaN : neg ? -Infinity : Infinity, end: i + special[0].length, erange: false };
  }
  const hex = /^([+-]?)0[xX](?:([0-9A-Fa-f]+)(?:\.([0-9A-Fa-f]*))?|\.([0-9A-Fa-f]+))(?:[pP]([+-]?\d+))?/.exec(rest);
  if (hex) {
    const intPart = hex[2] ?? '';
    const fracPart = hex[3] ?? hex[4] ?? '';
    const digits = (intPart + fracPart).replace(/^0+/, '') || '0';
    let exp = hex[5] ? Number(hex[5]) : 0;
    exp -= 4 * fracPart.length;
    const mant = BigInt('0x' + digits);
    let value = hexToDouble(mant, exp);
    if (hex[1] === '-') value = -value;
    const erange = !Number.isFinite(value) || (mant !== 0n && Math.abs(value) < DBL_MIN);
    return { value, end: i + hex[0].length, erange };
  }
  const dec = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(rest);
  if (!dec) return { value: 0, end: 0, erange: false };
  const value = Number(dec[0]);
  const nonzero = /[1-9]/.test(dec[0].replace(/[eE].*$/, ''));
  const erange = !Number.isFinite(value) || (nonzero && Math.abs(value) < DBL_MIN);
  return { value, end: i + dec[0].length, erange };
}

function hexToDouble(mant: bigint, exp2: number): number {
  if (mant === 0n) return 0;
  // Scale the mantissa to 64 significant bits to keep the conversion to double well rounded.
  const bits = mant.toString(2).length;
  if (bits > 64) {
    const shift = bits - 64;
    const sticky = (mant & ((1n << BigInt(shift)) - 1n)) !== 0n ? 1n : 0n;
    mant = (mant >> BigInt(shift)) | sticky;
    exp2 += shift;
  }
  return Number(mant) * Math.pow(2, exp2);
}

/** rint(): round to nearest, ties to even (the default rounding mode). */
export function rint(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** The exact decimal value of a finite double: value = digits × 10^exp (digits without leading zeros). */
function exactDecimal(x: number): { digits: string; exp: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (bexp === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = bexp - 1075;
  }
  if (mant === 0n) return { digits: '0', exp: 0 };
  if (e >= 0) return { digits: (mant << BigInt(e)).toString(), exp: 0 };
  return { digits: (mant * 5n ** BigInt(-e)).toString(), exp: e };
}

/** printf("%g") as PostgreSQL's snprintf does it: NaN, Infinity, -Infinity; else glibc's %g (precision 6). */
export function formatG(x: number, precision = 6): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (x === 0) return sign + '0';
  const { digits, exp } = exactDecimal(x);
  const P = precision === 0 ? 1 : precision;
  let X = digits.length - 1 + exp;
  let keep = digits.slice(0, P);
  if (digits.length > P) {
    const rest = digits.slice(P);
    const first = rest[0]!;
    const beyond = /[1-9]/.test(rest.slice(1));
    const up = first > '5' || (first === '5' && (beyond || Number(keep[keep.length - 1]) % 2 === 1));
    if (up) {
      const n = (BigInt(keep) + 1n).toString();
      if (n.length > keep.length) {
        X += 1;
        keep = n.slice(0, P);
      } else keep = n;
    }
  }
  keep = keep.padEnd(P, '0');
  if (X < -4 || X >= P) {
    const mant = (keep[0]! + '.' + keep.slice(1)).replace(/0+$/, '').replace(/\.$/, '');
    const e = Math.abs(X);
    return `${sign}${mant}e${X < 0 ? '-' : '+'}${e < 10 ? '0' + e : e}`;
  }
  let out: string;
  if (X >= 0) {
    const int = keep.slice(0, X + 1);
    const frac = keep.slice(X + 1).replace(/0+$/, '');
    out = frac ? `${int}.${frac}` : int;
  } else {
    out = ('0.' + '0'.repeat(-X - 1) + keep).replace(/0+$/, '').replace(/\.$/, '');
  }
  return sign + out;
}

// ---------------------------------------------------------------------------------------------
// Units (guc.c memory_unit_conversion_table / time_unit_conversion_table)

const MEMORY_UNITS_HINT = 'Valid units for this parameter are "B", "kB", "MB", "GB", and "TB".';
const TIME_UNITS_HINT = 'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".';

interface UnitRow {
  unit: string;
  multiplier: number;
}

/** The conversions for one base unit, greatest unit first, as in guc.c. */
function unitTable(baseUnit: string): { memory: boolean; rows: UnitRow[] } | undefined {
  const K = 1024.0;
  switch (baseUnit) {
    case 'B':
      return { memory: true, rows: [{ unit: 'TB', multiplier: K * K * K * K }, { unit: 'GB', multiplier: K * K * K }, { unit: 'MB', multiplier: K * K }, { unit: 'kB', multiplier: K }, { unit: 'B', multiplier: 1.0 }] };
    case 'kB':
      return { memory: true, rows: [{ unit: 'TB', multiplier: K * K * K }, { unit: 'GB', multiplier: K * K }, { unit: 'MB', multiplier: K }, { unit: 'kB', multiplier: 1.0 }, { unit: 'B', multiplier: 1.0 / K }] };
    case 'MB':
      return { memory: true, rows: [{ unit: 'TB', multiplier: K * K }, { unit: 'GB', multiplier: K }, { unit: 'MB', multiplier: 1.0 }, { unit: 'kB', multiplier: 1.0 / K }, { unit: 'B', multiplier: 1.0 / (K * K) }] };
    case 'ms':
      return { memory: false, rows: [{ unit: 'd', multiplier: 1000 * 60 * 60 * 24 }, { unit: 'h', multiplier: 1000 * 60 * 60 }, { unit: 'min', multiplier: 1000 * 60 }, { unit: 's', multiplier: 1000 }, { unit: 'ms', multiplier: 1 }, { unit: 'us', multiplier: 1.0 / 1000 }] };
    case 's':
      return { memory: false, rows: [{ unit: 'd', multiplier: 60 * 60 * 24 }, { unit: 'h', multiplier: 60 * 60 }, { unit: 'min', multiplier: 60 }, { unit: 's', multiplier: 1 }, { unit: 'ms', multiplier: 1.0 / 1000 }, { unit: 'us', multiplier: 1.0 / (1000 * 1000) }] };
    case 'min':
      return { memory: false, rows: [{ unit: 'd', multiplier: 60 * 24 }, { unit: 'h', multiplier: 60 }, { unit: 'min', multiplier: 1 }, { unit: 's', multiplier: 1.0 / 60 }, { unit: 'ms', multiplier: 1.0 / (1000 * 60) }, { unit: 'us', multiplier: 1.0 / (1000 * 1000 * 60) }] };
  }
  // Blocks: "8kB" (BLCKSZ / XLOG_BLCKSZ of 8192 bytes on standard builds).
  const m = /^(\d+)kB$/.exec(baseUnit);
  if (!m) return undefined;
  const bs = Number(m[1]); // BLCKSZ / 1024
  const blcksz = bs * 1024;
  return {
    memory: true,
    rows: [
      { unit: 'TB', multiplier: (K * K * K) / bs },
      { unit: 'GB', multiplier: (K * K) / bs },
      { unit: 'MB', multiplier: K / bs },
      { unit: 'kB', multiplier: 1.0 / bs },
      { unit: 'B', multiplier: 1.0 / blcksz },
    ],
  };
}

/** convert_to_base_unit(): undefined when the unit is not recognized (or there is garbage after it). */
function convertToBaseUnit(value: number, unitText: string, baseUnit: string): number | undefined {
  let i = 0;
  let unitstr = '';
  while (i < unitText.length && !isCSpace(unitText[i]) && unitstr.length < 3) unitstr += unitText[i++];
  while (isCSpace(unitText[i])) i++;
  if (i < unitText.length) return undefined;
  const table = unitTable(baseUnit);
  if (!table) return undefined;
  const rows = table.rows;
  for (let k = 0; k < rows.length; k++) {
    if (rows[k]!.unit !== unitstr) continue;
    let cvalue = value * rows[k]!.multiplier;
    const next = rows[k + 1];
    if (next) cvalue = rint(cvalue / next.multiplier) * next.multiplier;
    return cvalue;
  }
  return undefined;
}

type Parsed = { ok: true; value: number } | { ok: false; hint?: string };

/** parse_int(): decimal/octal/hex or floating point, optional unit, rounded; within int range. */
export function parseIntValue(value: string, unit?: string): Parsed {
  let r = cStrtol(value);
  const c = value[r.end];
  if (c === '.' || c === 'e' || c === 'E' || r.erange) r = cStrtod(value);
  if (r.end === 0 || r.erange) return { ok: false };
  let val = r.value;
  if (Number.isNaN(val)) return { ok: false };
  let end = r.end;
  while (isCSpace(value[end])) end++;
  if (end < value.length) {
    if (!unit) return { ok: false };
    const converted = convertToBaseUnit(val, value.slice(end), unit);
    if (converted === undefined) return { ok: false, hint: unitTable(unit)?.memory ? MEMORY_UNITS_HINT : TIME_UNITS_HINT };
    val = converted;
  }
  val = rint(val);
  if (val > 2147483647 || val < -2147483648) return { ok: false, hint: 'Value exceeds integer range.' };
  return { ok: true, value: val === 0 ? 0 : val };
}

/** parse_real(): a floating-point number, optional unit. */
export function parseRealValue(value: string, unit?: string): Parsed {
  const r = cStrtod(value);
  if (r.end === 0 || r.erange) return { ok: false };
  if (Number.isNaN(r.value)) return { ok: false };
  let val = r.value;
  let end = r.end;
  while (isCSpace(value[end])) end++;
  if (end < value.length) {
    if (!unit) return { ok: false };
    const converted = convertToBaseUnit(val, value.slice(end), unit);
    if (converted === undefined) return { ok: false, hint: unitTable(unit)?.memory ? MEMORY_UNITS_HINT : TIME_UNITS_HINT };
    val = converted;
  }
  return { ok: true, value: val };
}

// ---------------------------------------------------------------------------------------------
// Booleans (adt/bool.c parse_bool_with_len)

function cParseBool(value: string): boolean | undefined {
  const len = value.length;
  if (len === 0) return undefined;
  const lv = asciiLower(value);
  const prefixOf = (word: string, min = 1) => len >= min && len <= word.length && word.startsWith(lv);
  switch (lv[0]) {
    case 't':
      return prefixOf('true') ? true : undefined;
    case 'f':
      return prefixOf('false') ? false : undefined;
    case 'y':
      return prefixOf('yes') ? true : undefined;
    case 'n':
      return prefixOf('no') ? false : undefined;
    case 'o':
      // 'o' alone is not unique enough: at least 2 characters.
      if (prefixOf('on', 2)) return true;
      if (prefixOf('off', 2)) return false;
      return undefined;
    case '1':
      return len === 1 ? true : undefined;
    case '0':
      return len === 1 ? false : undefined;
  }
  return undefined;
}

const LOG_CONNECTIONS_COMPAT: Record<string, boolean> = { off: false, false: false, no: false, '0': false, on: true, true: true, yes: true, '1': true };
const LOG_CONNECTIONS_OPTIONS = ['receipt', 'authentication', 'authorization', 'setup_durations', 'all'];

/**
 * PostgreSQL's parse_bool: true/false/yes/no/on/off/1/0, case-insensitive, and any unique prefix
 * (`t`, `fa`, `y`, `of`; `o` alone is ambiguous). With pgVersion >= 18 and paramName
 * log_connections (a list since 18), the whole words only, an empty list is false and a valid list
 * of aspects (receipt, authentication, ...) is true.
 */
export function parseBool(value: string, pgVersion?: number, paramName?: string): boolean | undefined {
  if (pgVersion !== undefined && pgVersion >= 18 && paramName !== undefined && asciiLower(paramName) === 'log_connections') {
    const items = splitIdentifierString(value, pgVersion);
    if (!items) return undefined;
    if (items.length === 0) return false;
    const compat = LOG_CONNECTIONS_COMPAT[asciiLower(items[0]!)];
    if (compat !== undefined) return items.length === 1 ? compat : undefined;
    return items.every((i) => LOG_CONNECTIONS_OPTIONS.includes(asciiLower(i))) ? true : undefined;
  }
  return cParseBool(value);
}

// ---------------------------------------------------------------------------------------------
// Enums

/**
 * The label PostgreSQL shows for an enum value (config_enum_lookup_by_name, case-insensitive,
 * hidden spellings included: `TRUE` -> `on` for synchronous_commit), or undefined when invalid.
 */
export function enumValue(param: ParamInfo, value: string): string | undefined {
  if (param.type !== 'enum') return undefined;
  const lv = asciiLower(value);
  const alias = param.enumAliases?.[lv];
  if (alias !== undefined) return alias;
  return param.enumValues?.find((l) => asciiLower(l) === lv);
}

// ---------------------------------------------------------------------------------------------
// Lists (utils/adt/varlena.c)

/** scanner_isspace (parser/scansup.c): vertical tab counts from 17 on. */
const scannerIsSpace = (c: string | undefined, v: number) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || (c === '\v' && v >= 17);

/** downcase_truncate_identifier: ASCII letters only (the postmaster has no multibyte encoding), at most 63 bytes. */
function downcaseTruncate(s: string): string {
  return truncateIdentifier(asciiLower(s));
}

function truncateIdentifier(s: string): string {
  const bytes = utf8.encode(s);
  if (bytes.length < 64) return s;
  return new TextDecoder().decode(bytes.slice(0, 63));
}

/** A double-quoted name starting at `start` ("" is a literal quote): its text and the index after it. */
function readQuoted(s: string, start: number): { name: string; end: number } | undefined {
  let name = '';
  for (let j = start + 1; ; ) {
    const q = s.indexOf('"', j);
    if (q < 0) return undefined;
    name += s.slice(j, q);
    if (s[q + 1] !== '"') return { name, end: q + 1 };
    name += '"';
    j = q + 2;
  }
}

type ListMode = 'identifier' | 'guc' | 'directories';

function splitList(raw: string, mode: ListMode, v: number, separator = ','): string[] | undefined {
  const out: string[] = [];
  const isSpace = (c: string | undefined) => scannerIsSpace(c, v);
  let i = 0;
  while (isSpace(raw[i])) i++;
  if (i >= raw.length) return out;
  for (;;) {
    let name: string;
    if (raw[i] === '"') {
      // Quoted name: "" is a literal quote; no downcasing.
      const quoted = readQuoted(raw, i);
      if (!quoted) return undefined;
      name = quoted.name;
      i = quoted.end;
      if (mode === 'identifier') name = truncateIdentifier(name);
    } else if (mode === 'directories') {
      // Extends to the separator; trailing whitespace is not part of the name.
      const start = i;
      let end = i;
      while (i < raw.length && raw[i] !== separator) {
        if (!isSpace(raw[i])) end = i + 1;
        i++;
      }
      if (end === start) return undefined;
      name = raw.slice(start, end);
    } else {
      const start = i;
      while (i < raw.length && raw[i] !== separator && !isSpace(raw[i])) i++;
      if (i === start) return undefined;
      name = raw.slice(start, i);
      if (mode === 'identifier') name = downcaseTruncate(name);
    }
    while (isSpace(raw[i])) i++;
    out.push(name);
    if (raw[i] === separator) {
      i++;
      while (isSpace(raw[i])) i++;
      continue;
    }
    if (i >= raw.length) return out;
    return undefined;
  }
}

/**
 * SplitIdentifierString(raw, ','): the identifiers (unquoted ones down-cased, all truncated to 63
 * bytes), or undefined on a syntax error. Blanks around items are skipped (a vertical tab counts as
 * one from PostgreSQL 17 on).
 */
export function splitIdentifierString(raw: string, pgVersion = 18): string[] | undefined {
  return splitList(raw, 'identifier', pgVersion);
}

/** SplitGUCList(raw, ','): like SplitIdentifierString without down-casing (listen_addresses, debug_io_direct). */
export function splitGucList(raw: string, pgVersion = 18): string[] | undefined {
  return splitList(raw, 'guc', pgVersion);
}

/** SplitDirectoriesString(raw, ','): paths; unquoted ones may contain blanks (shared_preload_libraries, unix_socket_directories). */
export function splitDirectoriesString(raw: string, pgVersion = 18): string[] | undefined {
  return splitList(raw, 'directories', pgVersion);
}

// ---------------------------------------------------------------------------------------------
// Time zones (pgtz.c pg_tzset, localtime.c tzparse)

function tzGetnum(s: string, i: number, min: number, max: number): [number, number] | undefined {
  if (!isDigit(s[i])) return undefined;
  let num = 0;
  while (isDigit(s[i])) {
    num = num * 10 + (s.charCodeAt(i) - 48);
    if (num > max) return undefined;
    i++;
  }
  if (num < min) return undefined;
  return [num, i];
}

function tzGetsecs(s: string, i: number): number | undefined {
  let r = tzGetnum(s, i, 0, 24 * 7 - 1);
  if (!r) return undefined;
  i = r[1];
  if (s[i] === ':') {
    r = tzGetnum(s, i + 1, 0, 59);
    if (!r) return undefined;
    i = r[1];
    if (s[i] === ':') {
      r = tzGetnum(s, i + 1, 0, 60);
      if (!r) return undefined;
      i = r[1];
    }
  }
  return i;
}

function tzGetoffset(s: string, i: number): number | undefined {
  if (s[i] === '-' || s[i] === '+') i++;
  return tzGetsecs(s, i);
}

function tzGetzname(s: string, i: number): number {
  while (i < s.length && !isDigit(s[i]) && s[i] !== ',' && s[i] !== '-' && s[i] !== '+') i++;
  return i;
}

function tzGetrule(s: string, i: number): number | undefined {
  let r: [number, number] | undefined;
  if (s[i] === 'J') r = tzGetnum(s, i + 1, 1, 365);
  else if (s[i] === 'M') {
    r = tzGetnum(s, i + 1, 1, 12);
    if (!r || s[r[1]] !== '.') return undefined;
    r = tzGetnum(s, r[1] + 1, 1, 5);
    if (!r || s[r[1]] !== '.') return undefined;
    r = tzGetnum(s, r[1] + 1, 0, 6);
  } else if (isDigit(s[i])) r = tzGetnum(s, i, 0, 365);
  else return undefined;
  if (!r) return undefined;
  i = r[1];
  if (s[i] === '/') return tzGetoffset(s, i + 1);
  return i;
}

/** tzparse(name, sp, false): a POSIX TZ specification such as EST5EDT, UTC+3, <+0330>-3:30, CET-1CEST,M3.5.0,M10.5.0/3. */
function tzParse(s: string): boolean {
  let i = 0;
  if (s[i] === '<') {
    const j = s.indexOf('>', i + 1);
    if (j < 0) return false;
    i = j + 1;
  } else {
    i = tzGetzname(s, i);
  }
  if (i >= s.length) return false;
  const o = tzGetoffset(s, i);
  if (o === undefined) return false;
  i = o;
  if (i >= s.length) return true;
  let dstlen: number;
  if (s[i] === '<') {
    const j = s.indexOf('>', i + 1);
    if (j < 0) return false;
    dstlen = j - (i + 1);
    i = j + 1;
  } else {
    const j = tzGetzname(s, i);
    dstlen = j - i;
    i = j;
  }
  if (!dstlen) return false;
  if (i < s.length && s[i] !== ',' && s[i] !== ';') {
    const d = tzGetoffset(s, i);
    if (d === undefined) return false;
    i = d;
  }
  if (i >= s.length) return true;
  if (s[i] === ',' || s[i] === ';') {
    const a = tzGetrule(s, i + 1);
    if (a === undefined || s[a] !== ',') return false;
    const b = tzGetrule(s, a + 1);
    return b !== undefined && b >= s.length;
  }
  return false;
}

/**
 * Whether pg_tzset() could load the name: a zone file (case-insensitive) or a POSIX specification.
 * Zone files of system tz databases that PostgreSQL's own does not have (posix/..., right/...,
 * localtime, posixrules, SystemV/...) are given the benefit of the doubt.
 */
function tzLoadable(name: string): boolean {
  if (byteLength(name) > 255) return false;
  const lower = asciiLower(name);
  const zones = knownTimeZones();
  if (zones.has(lower)) return true;
  if (/^(posix|right)\//.test(lower) && zones.has(lower.replace(/^(posix|right)\//, ''))) return true;
  if (lower === 'localtime' || lower === 'posixrules' || lower.startsWith('systemv/')) return true;
  if (name.startsWith(':')) return true; // not seen in practice; not worth guessing
  return tzParse(name.replace(/[a-z]+/g, (m) => m.toUpperCase()));
}

// ---------------------------------------------------------------------------------------------
// synchronous_standby_names (replication/syncrep_scanner.l, syncrep_gram.y)

interface SyncTok {
  kind: 'NAME' | 'NUM' | 'ANY' | 'FIRST' | ',' | '(' | ')' | 'JUNK';
  text: string;
  /** The scanner's own error (an unterminated quoted identifier), reported instead of "syntax error". */
  error?: string;
}

function syncrepTokens(s: string): SyncTok[] {
  const tokens: SyncTok[] = [];
  const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
  const identStart = (c: string | undefined) => c !== undefined && (/[A-Za-z_]/.test(c) || c.charCodeAt(0) >= 0x80);
  const identCont = (c: string | undefined) => identStart(c) || isDigit(c) || c === '$';
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === '"') {
      const quoted = readQuoted(s, i);
      if (!quoted) {
        tokens.push({ kind: 'JUNK', text: '', error: 'unterminated quoted identifier at end of input' });
        return tokens;
      }
      i = quoted.end;
      tokens.push({ kind: 'NAME', text: '"' });
      continue;
    }
    if (identStart(c)) {
      let j = i + 1;
      while (identCont(s[j])) j++;
      const text = s.slice(i, j);
      const lt = asciiLower(text);
      tokens.push({ kind: lt === 'any' ? 'ANY' : lt === 'first' ? 'FIRST' : 'NAME', text });
      i = j;
      continue;
    }
    if (isDigit(c)) {
      let j = i + 1;
      while (isDigit(s[j])) j++;
      tokens.push({ kind: 'NUM', text: s.slice(i, j) });
      i = j;
      continue;
    }
    if (c === '*') tokens.push({ kind: 'NAME', text: '*' });
    else if (c === ',' || c === '(' || c === ')') tokens.push({ kind: c, text: c });
    else tokens.push({ kind: 'JUNK', text: c });
    i++;
  }
  return tokens;
}

/** The parse error text PostgreSQL puts in the detail, or the number of synchronous standbys. */
function syncrepParse(s: string): { error: string } | { numSync: number } {
  const tokens = syncrepTokens(s);
  let p = 0;
  const fail = (): { error: string } => {
    const t = tokens[p];
    if (t?.error) return { error: t.error };
    return { error: t ? `syntax error at or near "${t.text}"` : 'syntax error at end of input' };
  };
  const isName = (t: SyncTok | undefined) => t !== undefined && (t.kind === 'NAME' || t.kind === 'NUM');
  const list = (): boolean => {
    if (!isName(tokens[p])) return false;
    p++;
    while (tokens[p]?.kind === ',') {
      p++;
      if (!isName(tokens[p])) return false;
      p++;
    }
    return true;
  };
  const result = ((): { error: string } | { num: string | null } => {
    let num: string | null = null;
    const t0 = tokens[0];
    if (t0?.kind === 'ANY' || t0?.kind === 'FIRST') {
      p = 1;
      if (tokens[p]?.kind !== 'NUM') return fail();
      num = tokens[p]!.text;
      p++;
      if (tokens[p]?.kind !== '(') return fail();
      p++;
      if (!list()) return fail();
      if (tokens[p]?.kind !== ')') return fail();
      p++;
    } else if (t0?.kind === 'NUM' && tokens[1]?.kind === '(') {
      num = t0.text;
      p = 2;
      if (!list()) return fail();
      if (tokens[p]?.kind !== ')') return fail();
      p++;
    } else {
      p = 0;
      if (!list()) return fail();
    }
    if (p < tokens.length) return fail();
    return { num };
  })();
  if ('error' in result) return result;
  if (result.num === null) return { numSync: 1 };
  // atoi(): strtol clamped to LONG_MAX, then truncated to int.
  let n = BigInt(result.num);
  if (n > LONG_MAX) n = LONG_MAX;
  return { numSync: Number(BigInt.asIntN(32, n)) };
}

// ---------------------------------------------------------------------------------------------
// Check hooks

interface HookFail {
  /** Replaces the default `invalid value for parameter ...` message (GUC_check_errmsg). */
  message?: string;
  detail?: string;
  hint?: string;
}

type StringHook = (value: string, v: number) => HookFail | undefined;
type IntHook = (value: number, v: number, name: string) => HookFail | undefined;

const listSyntax: StringHook = (value, v) => (splitIdentifierString(value, v) ? undefined : { detail: 'List syntax is invalid.' });

function keywordList(words: string[]): StringHook {
  return (value, v) => {
    const items = splitIdentifierString(value, v);
    if (!items) return { detail: 'List syntax is invalid.' };
    for (const tok of items) if (!words.includes(asciiLower(tok))) return { detail: `Unrecognized key word: "${tok}".` };
    return undefined;
  };
}

/** Detail texts that gained capitals and periods over the versions: [<= 16, 17, >= 18]. */
const byVersion = (v: number, old: string, v17: string, v18: string) => (v >= 18 ? v18 : v >= 17 ? v17 : old);

function checkDateStyle(value: string, v: number): HookFail | undefined {
  const items = splitIdentifierString(value, v);
  if (!items) return { detail: 'List syntax is invalid.' };
  let style: string | undefined;
  let order: string | undefined;
  let ok = true;
  const setStyle = (s: string) => {
    if (style !== undefined && style !== s) ok = false;
    style = s;
  };
  const setOrder = (o: string) => {
    if (order !== undefined && order !== o) ok = false;
    order = o;
  };
  for (const tok of items) {
    const t = asciiLower(tok);
    if (t === 'iso') setStyle('ISO');
    else if (t === 'sql') setStyle('SQL');
    else if (t.startsWith('postgres')) setStyle('Postgres');
    else if (t === 'german') setStyle('German');
    else if (t === 'ymd') setOrder('YMD');
    else if (t === 'dmy' || t.startsWith('euro')) setOrder('DMY');
    else if (t === 'mdy' || t === 'us' || t.startsWith('noneuro')) setOrder('MDY');
    else if (t === 'default') {
      /* the reset value: never conflicts (it does not count as an explicit style or order) */
    } else return { detail: `Unrecognized key word: "${tok}".` };
  }
  if (!ok) return { detail: v >= 18 ? 'Conflicting "DateStyle" specifications.' : 'Conflicting "datestyle" specifications.' };
  return undefined;
}

function checkTimeZone(value: string): HookFail | undefined {
  if (asciiLower(value.slice(0, 8)) === 'interval') return undefined; // INTERVAL '...': not checked here
  const d = cStrtod(value);
  if (d.end > 0 && d.end === value.length) {
    // A number of hours: pg_tzset_offset builds "<+hh...>-hh..." which tzparse limits to 167 hours.
    const seconds = -d.value * 3600;
    const gmtoffset = Number.isFinite(seconds) ? Math.trunc(seconds) : Number.NaN;
    if (!Number.isFinite(gmtoffset) || Math.floor(Math.abs(gmtoffset) / 3600) > 167) return { detail: 'UTC timezone offset is out of range.' };
    return undefined;
  }
  return tzLoadable(value) ? undefined : {};
}

const checkLogTimeZone: StringHook = (value) => (tzLoadable(value) ? undefined : {});

const ENCODING_NAMES = new Set(
  (
    'abc alt big5 euccn eucjis2004 eucjp euckr euctw gb18030 gbk iso88591 iso885910 iso885913 iso885914 iso885915 ' +
    'iso885916 iso88592 iso88593 iso88594 iso88595 iso88596 iso88597 iso88598 iso88599 johab koi8 koi8r koi8u latin1 ' +
    'latin10 latin2 latin3 latin4 latin5 latin6 latin7 latin8 latin9 mskanji muleinternal shiftjis shiftjis2004 sjis ' +
    'sqlascii tcvn tcvn5712 uhc unicode utf8 vscii win win1250 win1251 win1252 win1253 win1254 win1255 win1256 win1257 ' +
    'win1258 win866 win874 win932 win936 win949 win950 windows1250 windows1251 windows1252 windows1253 windows1254 ' +
    'windows1255 windows1256 windows1257 windows1258 windows866 windows874 windows932 windows936 windows949 windows950'
  ).split(' '),
);

/** pg_valid_client_encoding(): encnames.c pg_encname_tbl, names compared without punctuation and case. */
function validClientEncoding(value: string): boolean {
  if (value === '' || byteLength(value) >= 64) return false;
  let clean = '';
  for (const c of value) if (isAlnum(c)) clean += c.toLowerCase();
  return ENCODING_NAMES.has(clean);
}

/** pg_lsn_in_internal: 1-8 hex digits, '/', 1-8 hex digits. */
const isLsn = (s: string) => /^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/.test(s);

/** strtoul/strtoull(s, NULL, 0) on 64 bits: ERANGE when the magnitude does not fit (garbage after the digits is ignored). */
function strtoullOverflows(s: string): boolean {
  let i = 0;
  while (isCSpace(s[i])) i++;
  if (s[i] === '+' || s[i] === '-') i++;
  let digits: string;
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && isHexDigit(s[i + 2])) {
    let j = i + 2;
    while (isHexDigit(s[j])) j++;
    digits = '0x' + s.slice(i + 2, j);
  } else if (s[i] === '0') {
    let j = i;
    while (s[j] !== undefined && s[j]! >= '0' && s[j]! <= '7') j++;
    digits = '0o' + (s.slice(i, j) || '0');
  } else {
    let j = i;
    while (isDigit(s[j])) j++;
    if (j === i) return false;
    digits = s.slice(i, j);
  }
  return BigInt(digits) > (1n << 64n) - 1n;
}

function replicationSlotName(value: string): HookFail | undefined {
  if (value === '') return { detail: `replication slot name "${value}" is too short` };
  if (byteLength(value) >= 64) return { detail: `replication slot name "${value}" is too long` };
  if (!/^[a-z0-9_]*$/.test(value)) {
    return {
      detail: `replication slot name "${value}" contains invalid character`,
      hint: 'Replication slot names may only contain lower case letters, numbers, and the underscore character.',
    };
  }
  return undefined;
}

/** String check hooks, by lower-case parameter name, with the first major that has them. */
const STRING_HOOKS: Record<string, { since?: number; until?: number; hook: StringHook }> = {
  search_path: { hook: listSyntax },
  temp_tablespaces: { hook: listSyntax },
  synchronized_standby_slots: { since: 17, hook: (value, v) => (value === '' ? undefined : listSyntax(value, v)) },
  datestyle: { hook: checkDateStyle },
  timezone: { hook: checkTimeZone },
  log_timezone: { hook: checkLogTimeZone },
  log_destination: {
    hook: (value, v) => keywordList(['stderr', 'csvlog', 'syslog', ...(v >= 15 ? ['jsonlog'] : [])])(value, v),
  },
  client_encoding: { hook: (value) => (validClientEncoding(value) ? undefined : {}) },
  // check_locale_messages: empty means "from the environment", allowed only as the built-in default.
  // (Other locale names depend on the machine's locales, so they are not checked.)
  lc_messages: { hook: (value) => (value === '' ? {} : undefined) },
  // Outside a transaction (reading postgresql.conf) only "none" can be checked, so only "none" passes.
  role: { hook: (value) => (value === 'none' ? undefined : {}) },
  session_authorization: { hook: () => ({}) },
  recovery_target: {
    hook: (value) => (value === 'immediate' || value === '' ? undefined : { detail: 'The only allowed value is "immediate".' }),
  },
  recovery_target_lsn: { hook: (value) => (value === '' || isLsn(value) ? undefined : {}) },
  recovery_target_xid: { hook: (value) => (value !== '' && strtoullOverflows(value) ? {} : undefined) },
  recovery_target_time: {
    // Only the special words; other dates would need PostgreSQL's date/time parser.
    hook: (value) => {
      if (['now', 'today', 'tomorrow', 'yesterday'].includes(value)) return {};
      if (['epoch', 'infinity', '-infinity', '+infinity'].includes(asciiLower(value.trim()))) return {};
      // Any other timestamp has digits in it, or one of the datetime parser's special words
      // (in any case: 'Today' passes the check above and means today); text with neither is no date.
      const words = asciiLower(value).split(/[\s,]+/).filter(Boolean);
      const special = ['now', 'today', 'tomorrow', 'yesterday', 'epoch', 'infinity', '-infinity', 'allballs'];
      if (words.length && !/\d/.test(value) && !words.some((w) => special.includes(w))) return {};
      return undefined;
    },
  },
  recovery_target_name: {
    hook: (value, v) =>
      byteLength(value) >= 64
        ? { detail: v >= 17 ? '"recovery_target_name" is too long (maximum 63 characters).' : 'recovery_target_name is too long (maximum 63 characters).' }
        : undefined,
  },
  recovery_target_timeline: {
    hook: (value, v) =>
      value === 'current' || value === 'latest' || !strtoullOverflows(value)
        ? undefined
        : { detail: v >= 17 ? '"recovery_target_timeline" is not a valid number.' : 'recovery_target_timeline is not a valid number.' },
  },
  primary_slot_name: { hook: (value) => (value === '' ? undefined : replicationSlotName(value)) },
  backtrace_functions: {
    hook: (value, v) => (/^[0-9_a-zA-Z, \n\t]*$/.test(value) ? undefined : { detail: byVersion(v, 'invalid character', 'Invalid character', 'Invalid character.') }),
  },
  default_table_access_method: {
    // GUC_IS_NAME: the value is truncated to 63 bytes before the hook sees it, so "too long" cannot happen.
    hook: (value, v) => (value === '' ? { detail: v >= 17 ? '"default_table_access_method" cannot be empty.' : 'default_table_access_method cannot be empty.' } : undefined),
  },
  createrole_self_grant: { since: 16, hook: keywordList(['set', 'inherit']) },
  restrict_nonsystem_relation_kind: { hook: keywordList(['view', 'foreign-table']) },
  log_connections: {
    since: 18,
    hook: (value, v) => {
      const items = splitIdentifierString(value, v);
      if (!items) return { detail: 'Invalid list syntax in parameter "log_connections".' };
      if (items.length === 0) return undefined;
      if (LOG_CONNECTIONS_COMPAT[asciiLower(items[0]!)] !== undefined) {
        return items.length > 1 ? { detail: `Cannot specify log_connections option "${items[0]}" in a list with other options.` } : undefined;
      }
      for (const item of items) if (!LOG_CONNECTIONS_OPTIONS.includes(asciiLower(item))) return { detail: `Invalid option "${item}".` };
      return undefined;
    },
  },
  debug_io_direct: {
    since: 16,
    hook: (value, v) => {
      const items = splitGucList(value, v);
      if (!items) {
        return {
          detail: byVersion(v, 'invalid list syntax in parameter "debug_io_direct"', 'Invalid list syntax in parameter "debug_io_direct"', 'Invalid list syntax in parameter "debug_io_direct".'),
        };
      }
      for (const item of items) {
        if (!['data', 'wal', 'wal_init'].includes(asciiLower(item))) {
          return { detail: byVersion(v, `invalid option "${item}"`, `Invalid option "${item}"`, `Invalid option "${item}".`) };
        }
      }
      return undefined;
    },
  },
  synchronous_standby_names: {
    hook: (value) => {
      if (value === '') return undefined;
      const r = syncrepParse(value);
      if ('error' in r) return { detail: r.error };
      if (r.numSync <= 0) return { message: `number of synchronous standbys (${r.numSync}) must be greater than zero` };
      return undefined;
    },
  },
  timezone_abbreviations: {
    // The file name must be letters only; the files PostgreSQL ships are Default, Australia and India
    // (a file added to share/timezonesets would be accepted too).
    hook: (value) => ([...value].every(isAlpha) && ['Default', 'Australia', 'India'].includes(value) ? undefined : {}),
  },
};

const SLRU_BUFFERS = ['commit_timestamp_buffers', 'multixact_member_buffers', 'multixact_offset_buffers', 'notify_buffers', 'serializable_buffers', 'subtransaction_buffers', 'transaction_buffers'];

const INT_HOOKS: Record<string, { since?: number; hook: IntHook }> = {
  vacuum_buffer_usage_limit: {
    since: 16,
    hook: (n, v) =>
      n === 0 || (n >= 128 && n <= 16777216)
        ? undefined
        : { detail: byVersion(v, '"vacuum_buffer_usage_limit" must be 0 or between 128 kB and 16777216 kB', '"vacuum_buffer_usage_limit" must be 0 or between 128 kB and 16777216 kB', '"vacuum_buffer_usage_limit" must be 0 or between 128 kB and 16777216 kB.') },
  },
  ...Object.fromEntries(
    SLRU_BUFFERS.map((name) => [
      name,
      {
        since: 17,
        hook: ((n, v) => (n % 16 === 0 ? undefined : { detail: v >= 18 ? `"${name}" must be a multiple of 16.` : `"${name}" must be a multiple of 16` })) as IntHook,
      },
    ]),
  ),
};

// ---------------------------------------------------------------------------------------------
// Start-up checks: lists the postmaster (or a backend) splits after the file has been read.

function startupProblem(param: ParamInfo, value: string, v: number): ValueProblem | undefined {
  const name = asciiLower(param.name);
  const msg = `invalid list syntax in parameter "${param.name}"`;
  if (name === 'listen_addresses') return splitGucList(value, v) ? undefined : { message: msg, stage: 'start', fatal: true };
  if (name === 'unix_socket_directories') return splitDirectoriesString(value, v) ? undefined : { message: msg, stage: 'start', fatal: true };
  if (name === 'shared_preload_libraries' || name === 'session_preload_libraries' || name === 'local_preload_libraries') {
    return splitDirectoriesString(value, v) ? undefined : { message: msg, stage: 'start', fatal: false };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The entry points

const invalidValue = (name: string, value: string) => `invalid value for parameter "${name}": "${value}"`;

/** A C string ends at the first NUL (a `\0` escape in a quoted value cuts it there). */
const cString = (s: string) => {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
};

/**
 * What PostgreSQL says about `value` for `param` when it reads postgresql.conf, or undefined when it
 * accepts it. Parameters of context `internal` cannot be set at all: `parameter "%s" cannot be changed`. `value` is the setting as the lexer produced it (quotes removed, escapes resolved).
 * `writtenName` is the name as written in the file: PostgreSQL up to 17 uses it in the messages of
 * its built-in checks (`parameter "FSYNC" requires a Boolean value`, `sort_mem` for work_mem).
 */
export function validateValue(param: ParamInfo, value: string, pgVersion: number, writtenName?: string): ValueProblem | undefined {
  const v = Math.trunc(pgVersion);
  value = cString(value);
  const key = asciiLower(param.name);
  const name = v >= 18 ? param.name : (writtenName ?? param.name);
  // Read-only parameters (server_version, block_size, ...): refused before the value is looked at.
  if (param.context === 'internal') return { message: `parameter "${name}" cannot be changed` };
  switch (param.type) {
    case 'bool': {
      const b = cParseBool(value);
      if (b === undefined) return { message: `parameter "${name}" requires a Boolean value` };
      if (key === 'default_with_oids' && b) return { message: 'tables declared WITH OIDS are not supported' };
      return undefined;
    }
    case 'integer': {
      const r = parseIntValue(value, param.unit);
      if (!r.ok) return r.hint ? { message: invalidValue(name, value), hint: r.hint } : { message: invalidValue(name, value) };
      const n = r.value;
      if ((param.min !== undefined && n < param.min) || (param.max !== undefined && n > param.max)) {
        return { message: rangeMessage(String(n), name, String(param.min), String(param.max), param.unit, v) };
      }
      const h = INT_HOOKS[key];
      if (h && v >= (h.since ?? 0)) {
        const f = h.hook(n, v, param.name);
        if (f) return hookProblem(f, `invalid value for parameter "${param.name}": ${n}`);
      }
      return undefined;
    }
    case 'real': {
      const r = parseRealValue(value, param.unit);
      if (!r.ok) return r.hint ? { message: invalidValue(name, value), hint: r.hint } : { message: invalidValue(name, value) };
      const x = r.value;
      if ((param.min !== undefined && x < param.min) || (param.max !== undefined && x > param.max)) {
        return { message: rangeMessage(formatG(x), name, formatG(param.min ?? -Number.MAX_VALUE), formatG(param.max ?? Number.MAX_VALUE), param.unit, v) };
      }
      return undefined;
    }
    case 'enum': {
      if (enumValue(param, value) !== undefined) return undefined;
      return { message: invalidValue(name, value), hint: `Available values: ${(param.enumValues ?? []).join(', ')}.` };
    }
    case 'string': {
      // GUC_IS_NAME (client_encoding, application_name, ...): cut to 63 bytes before the hook sees it.
      if (param.isName) value = truncateIdentifier(value);
      const h = STRING_HOOKS[key];
      if (h && v >= (h.since ?? 0)) {
        const f = h.hook(value, v);
        if (f) return hookProblem(f, invalidValue(param.name, value));
      }
      return startupProblem(param, value, v);
    }
  }
  return undefined;
}

function hookProblem(f: HookFail, defaultMessage: string): ValueProblem {
  const p: ValueProblem = { message: f.message ?? defaultMessage };
  if (f.detail !== undefined) p.detail = f.detail;
  if (f.hint !== undefined) p.hint = f.hint;
  return p;
}

function rangeMessage(val: string, name: string, min: string, max: string, unit: string | undefined, v: number): string {
  const u = unit ? ` ${unit}` : '';
  const bounds = v >= 17 ? `${min}${u} .. ${max}${u}` : `${min} .. ${max}`;
  return `${val}${u} is outside the valid range for parameter "${name}" (${bounds})`;
}

/**
 * The value in the parameter's base unit (for comparisons by rules), e.g. '64MB' for a kB parameter
 * -> 65536, '5min' for an s parameter -> 300; integers rounded as PostgreSQL rounds them. Undefined
 * when the value does not parse or is out of range, or the parameter is not numeric.
 */
export function numericValue(param: ParamInfo, value: string): number | undefined {
  value = cString(value);
  let r: Parsed;
  if (param.type === 'integer') r = parseIntValue(value, param.unit);
  else if (param.type === 'real') r = parseRealValue(value, param.unit);
  else return undefined;
  if (!r.ok) return undefined;
  if ((param.min !== undefined && r.value < param.min) || (param.max !== undefined && r.value > param.max)) return undefined;
  return r.value;
}

// ---------------------------------------------------------------------------------------------
// A whole file: what PostgreSQL logs, in order, applying the settings as it does

export interface SettingInput {
  /** The name as written (any case; old names such as sort_mem allowed). */
  name: string;
  /** The value as the lexer produced it. */
  value: string;
}

export interface SettingProblem {
  /** Index into the settings given. */
  index: number;
  problem: ValueProblem;
}

const STAGE_STATS = ['log_parser_stats', 'log_planner_stats', 'log_executor_stats'];
/** MAX_BACKENDS (postmaster.h): 2^18 - 1. */
const MAX_BACKENDS = 0x3ffff;
const RECOVERY_TARGETS = ['recovery_target', 'recovery_target_lsn', 'recovery_target_name', 'recovery_target_time', 'recovery_target_xid'];

/**
 * What PostgreSQL reports reading these settings (postgresql.conf, its includes and then
 * postgresql.auto.conf, in reading order), in the order it reports it. On top of validateValue:
 *  - of several occurrences spelled exactly alike only the last is checked (earlier ones are ignored,
 *    bad or not); occurrences spelled differently (`Work_Mem`, `work_mem`, `sort_mem`) are all checked;
 *  - checks that depend on what was applied before: log_statement_stats versus
 *    log_parser/planner/executor_stats (`Cannot enable parameter when "log_statement_stats" is true.`),
 *    and two different recovery targets (FATAL `multiple recovery targets specified`, which ends the
 *    processing: nothing after it is checked).
 * Names the catalog does not know (extension placeholders, typos) are skipped.
 */
export function validateSettings(settings: readonly SettingInput[], pgVersion: number): SettingProblem[] {
  const v = Math.trunc(pgVersion);
  const resolved = settings.map((s) => lookupParam(s.name, v));
  // ProcessConfigFileInternal marks an occurrence ignored when a later one has the very same
  // spelling (strcmp): `work_mem` twice keeps the last; `Work_Mem` then `work_mem` (or sort_mem then
  // work_mem) checks and applies both, in order.
  const last = new Map<string, number>();
  resolved.forEach((p, i) => {
    if (p) last.set(settings[i]!.name, i);
  });
  const out: SettingProblem[] = [];
  const stats = new Map<string, boolean>([...STAGE_STATS, 'log_statement_stats'].map((n) => [n, false]));
  let recoveryTarget: string | undefined;
  const backends = { max_connections: 100, autovacuum_max_workers: 3, max_worker_processes: 8, max_wal_senders: 10 };
  for (const k of Object.keys(backends) as (keyof typeof backends)[]) {
    const d = lookupParam(k, v);
    if (d) backends[k] = Number(d.default);
  }
  for (let i = 0; i < settings.length; i++) {
    const p = resolved[i];
    if (!p) continue;
    const key = p.name.toLowerCase();
    const { name, value } = settings[i]!;
    if (last.get(name) !== i) continue;
    const problem = validateValue(p, value, v, name);
    if (problem) {
      out.push({ index: i, problem });
      if (problem.stage !== 'start') continue;
    }
    if (stats.has(key)) {
      const on = cParseBool(cString(value))!;
      if (on && key === 'log_statement_stats' && STAGE_STATS.some((n) => stats.get(n))) {
        out.push({
          index: i,
          problem: {
            message: `invalid value for parameter "${p.name}": 1`,
            detail: 'Cannot enable "log_statement_stats" when "log_parser_stats", "log_planner_stats", or "log_executor_stats" is true.',
          },
        });
        continue;
      }
      if (on && key !== 'log_statement_stats' && stats.get('log_statement_stats')) {
        out.push({ index: i, problem: { message: `invalid value for parameter "${p.name}": 1`, detail: 'Cannot enable parameter when "log_statement_stats" is true.' } });
        continue;
      }
      stats.set(key, on);
    }
    if (v <= 17 && key in backends) {
      // check_max_connections and its siblings: all backends together stay within MAX_BACKENDS
      // (18 checks this later, at start-up).
      const n = numericValue(p, value);
      if (n !== undefined) {
        const next = { ...backends, [key]: n };
        const total = next.max_connections + next.autovacuum_max_workers + 1 + next.max_worker_processes + next.max_wal_senders;
        if (total > MAX_BACKENDS) {
          // An integer check hook's failure prints the number, unquoted.
          out.push({ index: i, problem: { message: `invalid value for parameter "${name}": ${n}` } });
          continue;
        }
        backends[key as keyof typeof backends] = n;
      }
    }
    if (RECOVERY_TARGETS.includes(key)) {
      // The assign hooks: a set target while another kind is set is an ERROR (FATAL at start-up).
      if (cString(value) !== '') {
        if (recoveryTarget !== undefined && recoveryTarget !== key) {
          const list = RECOVERY_TARGETS.map((n) => (v >= 17 ? `"${n}"` : n)).join(', ');
          out.push({ index: i, problem: { message: 'multiple recovery targets specified', detail: `At most one of ${list} may be set.` } });
          return out;
        }
        recoveryTarget = key;
      } else if (recoveryTarget === key) recoveryTarget = undefined;
    }
  }
  return out;
}
