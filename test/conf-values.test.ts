// postgresql.conf values: the catalog (server/src/engine/conf/catalog.ts) and value validation
// (server/src/engine/conf/values.ts).
//
// 1. Table-driven unit tests: each type, unit, message and version difference.
// 2. Against real servers (PostgreSQL 13..18): a few hundred settings per major (every enum, bool,
//    integer and real parameter with valid and invalid values, plus the check hooks), written to
//    postgresql.conf files and checked with `postgres -C` (PgServer.checkConf). The settings
//    PostgreSQL rejects must be exactly those validateValue rejects, with the same message, detail
//    and hint. `invalid value` lines carry no line number, so each file names a parameter at most
//    once and messages are matched by the parameter they name (by position for the few messages
//    that name none). Agreement figures go to the test output.
//    If the binaries cannot run here, the live part is skipped.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CATALOG_MAJORS, generateOne, renderCatalog, timeZoneNames } from '../scripts/gen-catalog';
import {
  CATALOG_VERSIONS,
  catalogFor,
  catalogServerVersion,
  isValidCustomName,
  knownTimeZones,
  lookupParam,
  oldParamNameTarget,
  suggestParam,
  type ParamInfo,
} from '../server/src/engine/conf/catalog';
import {
  enumValue,
  formatG,
  numericValue,
  parseBool,
  parseIntValue,
  splitDirectoriesString,
  splitIdentifierString,
  validateSettings,
  validateValue,
  type ValueProblem,
} from '../server/src/engine/conf/values';
import { PgUnavailableError, startPostgres, type PgMajor, type PgServer } from './support/postgres';

const P = (name: string, v = 18): ParamInfo => {
  const p = lookupParam(name, v);
  assert.ok(p, `${name} is not in the PostgreSQL ${v} catalog`);
  return p;
};
/** validateValue as one line: message | DETAIL | HINT, or 'ok'. */
const check = (name: string, value: string, v = 18, written?: string): string => show(validateValue(P(name, v), value, v, written));
const show = (p: ValueProblem | undefined): string =>
  p ? [p.message, p.detail !== undefined ? `DETAIL: ${p.detail}` : '', p.hint !== undefined ? `HINT: ${p.hint}` : ''].filter(Boolean).join(' | ') : 'ok';

// ---------------------------------------------------------------------------------------------
// Catalog

test('catalog: every major 13..18, keyed by lower-case name, with types, units and ranges', () => {
  assert.deepEqual([...CATALOG_VERSIONS], [13, 14, 15, 16, 17, 18]);
  for (const v of CATALOG_VERSIONS) {
    const cat = catalogFor(v);
    assert.ok(cat.size > 320, `pg${v}: ${cat.size} parameters`);
    for (const [k, p] of cat) {
      assert.equal(k, p.name.toLowerCase());
      assert.ok(['bool', 'integer', 'real', 'string', 'enum'].includes(p.type), `${p.name}: ${p.type}`);
      if (p.type === 'enum') assert.ok(p.enumValues && p.enumValues.length > 0, p.name);
      if (p.type === 'integer' || p.type === 'real') assert.ok(p.min !== undefined && p.max !== undefined && p.min <= p.max, p.name);
      assert.ok(!k.includes('.'), `${k}: extension settings do not belong in the catalog`);
    }
    assert.match(catalogServerVersion(v), new RegExp(`^${v}\\.`));
  }
  const wm = P('work_mem');
  assert.deepEqual([wm.type, wm.unit, wm.min, wm.max, wm.default, wm.context], ['integer', 'kB', 64, 2147483647, '4096', 'user']);
  assert.equal(wm.category, 'Resource Usage / Memory');
  assert.match(wm.description, /memory/);
  assert.equal(P('shared_buffers').unit, '8kB');
  assert.equal(P('seq_page_cost').max, Number.MAX_VALUE);
  assert.equal(P('TimeZone').name, 'TimeZone');
  assert.equal(P('timezone').name, 'TimeZone');
  assert.equal(P('maintenance_work_mem', 16).min, 1024);
  assert.equal(P('maintenance_work_mem', 17).min, 64);
  // versions outside 13..18 use the nearest catalog
  assert.equal(lookupParam('log_connections', 19)?.type, 'string');
  assert.equal(lookupParam('log_connections', 12)?.type, 'bool');
  assert.equal(lookupParam('log_connections', 17)?.type, 'bool');
  // added / removed over the versions
  assert.equal(lookupParam('io_method', 17), undefined);
  assert.equal(lookupParam('io_method', 18)?.type, 'enum');
  assert.equal(lookupParam('vacuum_defer_cleanup_age', 15)?.type, 'integer');
  assert.equal(lookupParam('vacuum_defer_cleanup_age', 16), undefined);
  assert.equal(lookupParam('stats_temp_directory', 14)?.type, 'string');
  assert.equal(lookupParam('stats_temp_directory', 15), undefined);
  assert.equal(lookupParam('force_parallel_mode', 15)?.type, 'enum');
  assert.equal(lookupParam('debug_parallel_query', 16)?.type, 'enum');
});

test('catalog: hidden enum spellings, build-dependent values, GUC_NO_SHOW_ALL settings, old names', () => {
  assert.deepEqual(P('wal_level').enumValues, ['minimal', 'replica', 'logical']);
  assert.equal(P('wal_level').enumAliases?.['hot_standby'], 'replica');
  assert.equal(P('synchronous_commit').enumAliases?.['true'], 'on');
  assert.equal(P('log_min_messages').enumAliases?.['debug'], 'debug2');
  assert.equal(P('wal_compression').enumAliases?.['1'], 'pglz');
  assert.equal(P('password_encryption', 13).enumAliases?.['on'], 'md5');
  assert.equal(P('password_encryption', 14).enumAliases, undefined);
  assert.deepEqual(P('wal_compression').enumValues, ['pglz', 'lz4', 'zstd', 'on', 'off']);
  assert.deepEqual(P('wal_compression').buildOptionalValues, ['lz4', 'zstd']);
  assert.deepEqual(P('io_method').buildOptionalValues, ['io_uring']);
  assert.deepEqual(P('default_toast_compression').enumValues, ['pglz', 'lz4']);
  assert.deepEqual(P('wal_sync_method').enumValues, ['fsync', 'fdatasync', 'open_sync', 'open_datasync']);
  for (const hidden of ['role', 'seed', 'session_authorization', 'is_superuser', 'default_with_oids', 'ssl_renegotiation_limit']) {
    assert.equal(P(hidden).hidden, true, hidden);
  }
  assert.equal(lookupParam('sort_mem', 18)?.name, 'work_mem');
  assert.equal(lookupParam('VACUUM_MEM', 13)?.name, 'maintenance_work_mem');
  assert.equal(lookupParam('ssl_ecdh_curve', 18)?.name, 'ssl_groups');
  assert.equal(lookupParam('ssl_ecdh_curve', 17)?.name, 'ssl_ecdh_curve');
  assert.equal(oldParamNameTarget('Sort_Mem', 18), 'work_mem');
  assert.equal(oldParamNameTarget('work_mem', 18), undefined);
  assert.ok(knownTimeZones().has('europe/paris'));
  assert.ok(knownTimeZones().has('etc/gmt+5'));
});

test('catalog: lookupParam is case-insensitive (ASCII only)', () => {
  assert.equal(lookupParam('Shared_Buffers', 17)?.name, 'shared_buffers');
  assert.equal(lookupParam('DATESTYLE', 17)?.name, 'DateStyle');
  assert.equal(lookupParam('ſhared_buffers', 17), undefined); // long s does not fold in PostgreSQL
  assert.equal(lookupParam('pg_stat_statements.max', 17), undefined);
  assert.equal(lookupParam('', 17), undefined);
});

test('catalog: suggestParam', () => {
  const cases: [string, string | undefined][] = [
    ['shared_buffer', 'shared_buffers'],
    ['max_conections', 'max_connections'],
    ['wal_levle', 'wal_level'],
    ['efective_cache_size', 'effective_cache_size'],
    ['effective-cache-size', 'effective_cache_size'],
    ['Maintainance_Work_Mem', 'maintenance_work_mem'],
    ['listen_address', 'listen_addresses'],
    ['ssl_cert', undefined], // not a misspelling: too far from ssl_cert_file
    ['log_line_prefx', 'log_line_prefix'],
    ['timezone', undefined], // known
    ['sort_mem', undefined], // an old name PostgreSQL maps
    ['xyz', undefined],
    ['totally_unrelated_setting', undefined],
  ];
  for (const [input, want] of cases) assert.equal(suggestParam(input, 17), want, input);
});

test('catalog: isValidCustomName (valid_custom_variable_name)', () => {
  const valid = ['pgaudit.log', 'a.b', 'A_1.b$2', 'x.y.z', '_a._b', 'é.ü', 'pg_stat_statements.track'];
  const invalid = ['work_mem', 'a.', '.a', 'a..b', '1a.b', 'a.1b', 'a.b-c', 'a b.c', 'a.$b', '', '.'];
  for (const n of valid) assert.equal(isValidCustomName(n), true, n);
  for (const n of invalid) assert.equal(isValidCustomName(n), false, n);
});

// ---------------------------------------------------------------------------------------------
// Values

test('bool: parse_bool words, prefixes, case; o alone is ambiguous; nothing is trimmed', () => {
  const yes = ['on', 'ON', 'true', 't', 'TR', 'tru', 'yes', 'y', 'Ye', '1'];
  const no = ['off', 'OFF', 'of', 'false', 'f', 'fa', 'no', 'n', 'N', '0'];
  const bad = ['o', '', ' on', 'on ', 'yess', '2', '01', '00', 'enable', 'onn', 'truee', 'nope'];
  for (const v of yes) assert.equal(parseBool(v), true, v);
  for (const v of no) assert.equal(parseBool(v), false, v);
  for (const v of bad) assert.equal(parseBool(v), undefined, v);
  for (const v of yes.concat(no)) assert.equal(check('fsync', v), 'ok', v);
  for (const v of bad) assert.equal(check('fsync', v), 'parameter "fsync" requires a Boolean value', v);
  // the name as written up to 17, the canonical name from 18
  assert.equal(check('fsync', 'maybe', 17, 'FSYNC'), 'parameter "FSYNC" requires a Boolean value');
  assert.equal(check('fsync', 'maybe', 18, 'FSYNC'), 'parameter "fsync" requires a Boolean value');
  assert.equal(check('default_with_oids', 'on'), 'tables declared WITH OIDS are not supported');
  assert.equal(check('default_with_oids', 'off'), 'ok');
});

test('bool: log_connections is a list from 18 (whole compatibility words only)', () => {
  assert.equal(check('log_connections', 'o', 17), 'parameter "log_connections" requires a Boolean value');
  assert.equal(check('log_connections', 'of', 17), 'ok');
  assert.equal(check('log_connections', 'of', 18), 'invalid value for parameter "log_connections": "of" | DETAIL: Invalid option "of".');
  assert.equal(check('log_connections', 'on', 18), 'ok');
  assert.equal(check('log_connections', 'receipt, Authorization', 18), 'ok');
  assert.equal(check('log_connections', '', 18), 'ok');
  assert.equal(
    check('log_connections', 'on,receipt', 18),
    'invalid value for parameter "log_connections": "on,receipt" | DETAIL: Cannot specify log_connections option "on" in a list with other options.',
  );
  assert.equal(check('log_connections', 'receipt,FOO', 18), 'invalid value for parameter "log_connections": "receipt,FOO" | DETAIL: Invalid option "foo".');
  assert.equal(check('log_connections', '"a', 18), 'invalid value for parameter "log_connections": ""a" | DETAIL: Invalid list syntax in parameter "log_connections".');
  assert.equal(parseBool('of', 18, 'log_connections'), undefined);
  assert.equal(parseBool('off', 18, 'log_connections'), false);
  assert.equal(parseBool('', 18, 'log_connections'), false);
  assert.equal(parseBool('receipt,authentication', 18, 'log_connections'), true);
  assert.equal(parseBool('of', 17, 'log_connections'), false);
});

test('integer: decimal, octal, hex, fractions, exponents, blanks, int range', () => {
  const mc = (v: string) => numericValue(P('max_connections'), v);
  assert.equal(mc('100'), 100);
  assert.equal(mc('0x64'), 100);
  assert.equal(mc('0144'), 100); // octal
  assert.equal(mc('1e2'), 100);
  assert.equal(mc('99.5'), 100); // rint: ties to even
  assert.equal(mc('100.5'), 100);
  assert.equal(mc('101.5'), 102);
  assert.equal(mc(' 100 '), 100);
  assert.equal(mc('+100'), 100);
  assert.equal(mc('010.5'), 10); // octal digits then '.': parsed again as decimal 10.5
  assert.equal(mc('0x1.8p6'), 96); // strtod hex float after strtol stops at '.'
  assert.equal(mc('08'), undefined); // octal 0, then "8" is not a unit
  assert.equal(check('max_connections', '08'), 'invalid value for parameter "max_connections": "08"');
  assert.equal(check('max_connections', ''), 'invalid value for parameter "max_connections": ""');
  assert.equal(check('max_connections', ' '), 'invalid value for parameter "max_connections": " "');
  assert.equal(check('max_connections', ' .5e3'), 'invalid value for parameter "max_connections": " .5e3"'); // strtol fails at the blank
  assert.equal(check('max_connections', '.5e3'), 'ok');
  assert.equal(check('max_connections', 'inf'), 'invalid value for parameter "max_connections": "inf"');
  assert.equal(check('max_connections', '1e400'), 'invalid value for parameter "max_connections": "1e400"');
  assert.equal(check('max_connections', '100 connections'), 'invalid value for parameter "max_connections": "100 connections"');
  assert.equal(check('port', '99999999999'), 'invalid value for parameter "port": "99999999999" | HINT: Value exceeds integer range.');
  assert.equal(check('port', '0xffffffffffffffffff'), 'invalid value for parameter "port": "0xffffffffffffffffff" | HINT: Value exceeds integer range.');
  assert.equal(check('port', '65536'), '65536 is outside the valid range for parameter "port" (1 .. 65535)');
  assert.equal(check('port', '-0x10'), '-16 is outside the valid range for parameter "port" (1 .. 65535)');
  assert.equal(check('unix_socket_permissions', '0777'), 'ok');
  assert.equal(check('unix_socket_permissions', '0778'), 'invalid value for parameter "unix_socket_permissions": "0778"');
  assert.equal(check('unix_socket_permissions', '777'), '777 is outside the valid range for parameter "unix_socket_permissions" (0 .. 511)');
  assert.equal(check('Port', '0', 16, 'Port'), '0 is outside the valid range for parameter "Port" (1 .. 65535)');
});

test('integer: memory and time units (case-sensitive, rounding to the next smaller unit)', () => {
  const kb = (v: string) => numericValue(P('work_mem'), v);
  assert.equal(kb('64MB'), 65536);
  assert.equal(kb('64 MB'), 65536);
  assert.equal(kb('1GB'), 1048576);
  assert.equal(kb('1.5GB'), 1572864);
  assert.equal(kb('1TB'), 1073741824);
  assert.equal(kb('2TB'), undefined); // 2147483648 kB: above the maximum
  assert.equal(kb('65536B'), 64);
  assert.equal(kb('0x10MB'), 16384);
  assert.equal(kb('64mb'), undefined);
  assert.equal(check('work_mem', '64mb'), 'invalid value for parameter "work_mem": "64mb" | HINT: Valid units for this parameter are "B", "kB", "MB", "GB", and "TB".');
  assert.equal(check('work_mem', '64 M B'), 'invalid value for parameter "work_mem": "64 M B" | HINT: Valid units for this parameter are "B", "kB", "MB", "GB", and "TB".');
  assert.equal(check('work_mem', '64MBs'), 'invalid value for parameter "work_mem": "64MBs" | HINT: Valid units for this parameter are "B", "kB", "MB", "GB", and "TB".');
  // shared_buffers is in 8kB blocks: 1kB rounds to 0 blocks (the conversion rounds to whole bytes first)
  assert.equal(check('shared_buffers', '1kB', 13), '0 8kB is outside the valid range for parameter "shared_buffers" (16 .. 1073741823)');
  assert.equal(check('shared_buffers', '1kB', 17), '0 8kB is outside the valid range for parameter "shared_buffers" (16 8kB .. 1073741823 8kB)');
  assert.equal(numericValue(P('shared_buffers'), '128MB'), 16384);
  assert.deepEqual(parseIntValue('4kB', '8kB'), { ok: true, value: 0 }); // half a block: ties to even
  assert.deepEqual(parseIntValue('12kB', '8kB'), { ok: true, value: 2 }); // 1.5 blocks
  assert.deepEqual(parseIntValue('100B', 'kB'), { ok: true, value: 0 }); // B is the smallest unit: no intermediate rounding
  assert.deepEqual(parseIntValue('1023B', 'kB'), { ok: true, value: 1 });
  assert.equal(numericValue(P('shared_buffers'), '1GB'), 131072);
  const s = (v: string) => numericValue(P('checkpoint_timeout'), v);
  assert.equal(s('5min'), 300);
  assert.equal(s('1h'), 3600);
  assert.equal(s('1.5min'), 90);
  assert.equal(s('90000ms'), 90);
  assert.equal(s('500ms'), undefined); // 0.5 s rounds to 0 (ties to even): below the 30 s minimum
  assert.equal(check('checkpoint_timeout', '500ms'), '0 s is outside the valid range for parameter "checkpoint_timeout" (30 s .. 86400 s)');
  assert.equal(check('checkpoint_timeout', '5 m'), 'invalid value for parameter "checkpoint_timeout": "5 m" | HINT: Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".');
  assert.equal(check('checkpoint_timeout', '5 sec'), 'invalid value for parameter "checkpoint_timeout": "5 sec" | HINT: Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".');
  assert.equal(check('checkpoint_timeout', '5MIN'), 'invalid value for parameter "checkpoint_timeout": "5MIN" | HINT: Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".');
  assert.equal(numericValue(P('statement_timeout'), '1d'), 86400000);
  assert.equal(numericValue(P('statement_timeout'), '1500us'), 2); // 1.5 ms -> rint 2
  // a unitless parameter takes no unit, and gives no hint
  assert.equal(check('max_connections', '100kB'), 'invalid value for parameter "max_connections": "100kB"');
});

test('real: strtod syntax, ranges printed with %g, units', () => {
  assert.equal(numericValue(P('seq_page_cost'), '1.5'), 1.5);
  assert.equal(numericValue(P('seq_page_cost'), '.5'), 0.5);
  assert.equal(numericValue(P('seq_page_cost'), '5.'), 5);
  assert.equal(numericValue(P('seq_page_cost'), '0x10'), 16);
  assert.equal(numericValue(P('seq_page_cost'), '1e3'), 1000);
  assert.equal(check('seq_page_cost', 'abc'), 'invalid value for parameter "seq_page_cost": "abc"');
  assert.equal(check('seq_page_cost', '1,5'), 'invalid value for parameter "seq_page_cost": "1,5"');
  assert.equal(check('seq_page_cost', 'nan'), 'invalid value for parameter "seq_page_cost": "nan"');
  assert.equal(check('seq_page_cost', '1e-400'), 'invalid value for parameter "seq_page_cost": "1e-400"'); // ERANGE (underflow)
  assert.equal(check('seq_page_cost', '1e309'), 'invalid value for parameter "seq_page_cost": "1e309"');
  assert.equal(check('seq_page_cost', 'inf'), 'Infinity is outside the valid range for parameter "seq_page_cost" (0 .. 1.79769e+308)');
  assert.equal(check('seq_page_cost', '-INFINITY'), '-Infinity is outside the valid range for parameter "seq_page_cost" (0 .. 1.79769e+308)');
  assert.equal(check('seq_page_cost', '-1'), '-1 is outside the valid range for parameter "seq_page_cost" (0 .. 1.79769e+308)');
  assert.equal(check('hash_mem_multiplier', '1234565'), '1.23456e+06 is outside the valid range for parameter "hash_mem_multiplier" (1 .. 1000)');
  assert.equal(check('cursor_tuple_fraction', '1.0000001'), '1 is outside the valid range for parameter "cursor_tuple_fraction" (0 .. 1)');
  assert.equal(check('geqo_selection_bias', '1.49999999'), '1.5 is outside the valid range for parameter "geqo_selection_bias" (1.5 .. 2)');
  assert.equal(check('vacuum_cost_delay', '1s', 16), '1000 ms is outside the valid range for parameter "vacuum_cost_delay" (0 .. 100)');
  assert.equal(check('vacuum_cost_delay', '1s', 17), '1000 ms is outside the valid range for parameter "vacuum_cost_delay" (0 ms .. 100 ms)');
  assert.equal(numericValue(P('vacuum_cost_delay'), '500us'), 0.5);
  assert.equal(check('vacuum_cost_delay', '2x'), 'invalid value for parameter "vacuum_cost_delay": "2x" | HINT: Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".');
  assert.equal(check('seq_page_cost', '2x'), 'invalid value for parameter "seq_page_cost": "2x"');
});

test('formatG: glibc %g with PostgreSQL infinities', () => {
  const cases: [number, string][] = [
    [0, '0'],
    [-0, '-0'],
    [1, '1'],
    [0.5, '0.5'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [123456, '123456'],
    [1234567, '1.23457e+06'],
    [1234565, '1.23456e+06'], // ties to even on the exact value
    [1234575, '1.23458e+06'],
    [999999.5, '1e+06'],
    [Number.MAX_VALUE, '1.79769e+308'],
    [-Number.MAX_VALUE, '-1.79769e+308'],
    [0.1, '0.1'],
    [1 / 3, '0.333333'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
    [NaN, 'NaN'],
    [5e-324, '4.94066e-324'],
  ];
  for (const [x, want] of cases) assert.equal(formatG(x), want, String(x));
});

test('enum: case-insensitive labels, hidden spellings, hint lists the visible labels', () => {
  assert.equal(enumValue(P('wal_level'), 'REPLICA'), 'replica');
  assert.equal(enumValue(P('wal_level'), 'hot_standby'), 'replica');
  assert.equal(enumValue(P('wal_level'), 'archive'), 'replica');
  assert.equal(enumValue(P('synchronous_commit'), 'Yes'), 'on');
  assert.equal(enumValue(P('synchronous_commit'), 'y'), undefined); // no prefixes for enums
  assert.equal(enumValue(P('huge_pages'), '0'), 'off');
  assert.equal(enumValue(P('ssl_min_protocol_version'), 'tlsv1.3'), 'TLSv1.3');
  assert.equal(enumValue(P('ssl_max_protocol_version'), ''), '');
  assert.equal(enumValue(P('wal_compression'), 'lz4'), 'lz4'); // standard builds have it
  assert.equal(enumValue(P('fsync'), 'on'), undefined); // not an enum
  assert.equal(check('wal_level', 'hot standby'), 'invalid value for parameter "wal_level": "hot standby" | HINT: Available values: minimal, replica, logical.');
  assert.equal(check('wal_level', 'foo', 17, 'WAL_LEVEL'), 'invalid value for parameter "WAL_LEVEL": "foo" | HINT: Available values: minimal, replica, logical.');
  assert.equal(check('ssl_max_protocol_version', 'TLS1.2'), 'invalid value for parameter "ssl_max_protocol_version": "TLS1.2" | HINT: Available values: , TLSv1, TLSv1.1, TLSv1.2, TLSv1.3.');
  assert.equal(check('log_min_messages', 'debug'), 'ok');
  assert.equal(check('client_min_messages', 'fatal'), 'invalid value for parameter "client_min_messages": "fatal" | HINT: Available values: debug5, debug4, debug3, debug2, debug1, log, notice, warning, error.');
  assert.equal(check('password_encryption', 'on', 13), 'ok');
  assert.equal(check('password_encryption', 'on', 14), 'invalid value for parameter "password_encryption": "on" | HINT: Available values: md5, scram-sha-256.');
});

test('check hooks: lists, datestyle, time zones, encodings, recovery targets, slots, version texts', () => {
  assert.equal(check('search_path', '"$user", public'), 'ok');
  assert.equal(check('search_path', '""'), 'ok');
  assert.equal(check('search_path', 'a b'), 'invalid value for parameter "search_path": "a b" | DETAIL: List syntax is invalid.');
  assert.equal(check('search_path', 'a,,b'), 'invalid value for parameter "search_path": "a,,b" | DETAIL: List syntax is invalid.');
  assert.equal(check('search_path', 'a,'), 'invalid value for parameter "search_path": "a," | DETAIL: List syntax is invalid.');
  assert.deepEqual(splitIdentifierString(' A , "B ""q""" ,c'), ['a', 'B "q"', 'c']);
  assert.deepEqual(splitDirectoriesString('$libdir/a b , "c,d"'), ['$libdir/a b', 'c,d']);
  assert.equal(check('DateStyle', 'iso, dmy'), 'ok');
  assert.equal(check('DateStyle', 'Euro, postgresql'), 'ok');
  assert.equal(check('datestyle', 'German, YMD'), 'ok');
  assert.equal(check('DateStyle', 'ISO, SQL', 17), 'invalid value for parameter "DateStyle": "ISO, SQL" | DETAIL: Conflicting "datestyle" specifications.');
  assert.equal(check('DateStyle', 'ISO, SQL', 18), 'invalid value for parameter "DateStyle": "ISO, SQL" | DETAIL: Conflicting "DateStyle" specifications.');
  assert.equal(check('DateStyle', 'ISO, FOO'), 'invalid value for parameter "DateStyle": "ISO, FOO" | DETAIL: Unrecognized key word: "foo".');
  for (const ok of ['UTC', 'europe/PARIS', 'Etc/GMT+5', 'EST5EDT', 'UTC+3', '<+0330>-3:30', 'CET-1CEST,M3.5.0,M10.5.0/3', '-8', '5.5', '+5:30', 'Factory', "INTERVAL '-08:00' HOUR TO MINUTE"]) {
    assert.equal(check('timezone', ok), 'ok', ok);
  }
  assert.equal(check('timezone', 'Europe/Pari'), 'invalid value for parameter "TimeZone": "Europe/Pari"');
  assert.equal(check('timezone', ''), 'invalid value for parameter "TimeZone": ""');
  assert.equal(check('timezone', 'ABC+168'), 'invalid value for parameter "TimeZone": "ABC+168"');
  assert.equal(check('timezone', '200'), 'invalid value for parameter "TimeZone": "200" | DETAIL: UTC timezone offset is out of range.');
  assert.equal(check('log_timezone', '200'), 'invalid value for parameter "log_timezone": "200"');
  assert.equal(check('log_timezone', '5'), 'ok');
  assert.equal(check('client_encoding', 'utf-8'), 'ok');
  assert.equal(check('client_encoding', 'Latin-1'), 'ok');
  assert.equal(check('client_encoding', 'utf9'), 'invalid value for parameter "client_encoding": "utf9"');
  assert.equal(check('log_destination', 'stderr,csvlog, JSONLOG'), 'ok');
  assert.equal(check('log_destination', 'jsonlog', 14), 'invalid value for parameter "log_destination": "jsonlog" | DETAIL: Unrecognized key word: "jsonlog".');
  assert.equal(check('log_destination', 'eventlog'), 'invalid value for parameter "log_destination": "eventlog" | DETAIL: Unrecognized key word: "eventlog".');
  assert.equal(check('recovery_target', 'latest'), 'invalid value for parameter "recovery_target": "latest" | DETAIL: The only allowed value is "immediate".');
  assert.equal(check('recovery_target_lsn', '0/1A2B3C'), 'ok');
  assert.equal(check('recovery_target_lsn', '0/'), 'invalid value for parameter "recovery_target_lsn": "0/"');
  assert.equal(check('recovery_target_time', 'now'), 'invalid value for parameter "recovery_target_time": "now"');
  assert.equal(check('recovery_target_time', '2024-01-01 00:00:00+00'), 'ok');
  assert.equal(check('recovery_target_xid', '123'), 'ok');
  assert.equal(check('recovery_target_xid', '99999999999999999999999'), 'invalid value for parameter "recovery_target_xid": "99999999999999999999999"');
  assert.equal(check('recovery_target_name', 'x'.repeat(64), 16), `invalid value for parameter "recovery_target_name": "${'x'.repeat(64)}" | DETAIL: recovery_target_name is too long (maximum 63 characters).`);
  assert.equal(check('recovery_target_name', 'x'.repeat(64), 17), `invalid value for parameter "recovery_target_name": "${'x'.repeat(64)}" | DETAIL: "recovery_target_name" is too long (maximum 63 characters).`);
  assert.equal(
    check('primary_slot_name', 'Node-1'),
    'invalid value for parameter "primary_slot_name": "Node-1" | DETAIL: replication slot name "Node-1" contains invalid character | HINT: Replication slot names may only contain lower case letters, numbers, and the underscore character.',
  );
  assert.equal(check('primary_slot_name', 'node_1'), 'ok');
  assert.equal(check('backtrace_functions', 'a;b', 16), 'invalid value for parameter "backtrace_functions": "a;b" | DETAIL: invalid character');
  assert.equal(check('backtrace_functions', 'a;b', 18), 'invalid value for parameter "backtrace_functions": "a;b" | DETAIL: Invalid character.');
  assert.equal(check('synchronous_standby_names', 'FIRST 2 (s1, s2, "s 3")'), 'ok');
  assert.equal(check('synchronous_standby_names', 'ANY 1 (*)'), 'ok');
  assert.equal(check('synchronous_standby_names', 's1 s2'), 'invalid value for parameter "synchronous_standby_names": "s1 s2" | DETAIL: syntax error at or near "s2"');
  assert.equal(check('synchronous_standby_names', '2 (s1'), 'invalid value for parameter "synchronous_standby_names": "2 (s1" | DETAIL: syntax error at end of input');
  assert.equal(check('synchronous_standby_names', '0 (s1)'), 'number of synchronous standbys (0) must be greater than zero');
  assert.equal(check('role', 'none'), 'ok');
  assert.equal(check('role', 'admin'), 'invalid value for parameter "role": "admin"');
  assert.equal(check('transaction_buffers', '100', 17), 'invalid value for parameter "transaction_buffers": 100 | DETAIL: "transaction_buffers" must be a multiple of 16');
  assert.equal(check('transaction_buffers', '100', 18), 'invalid value for parameter "transaction_buffers": 100 | DETAIL: "transaction_buffers" must be a multiple of 16.');
  assert.equal(check('timezone_abbreviations', 'India'), 'ok');
  assert.equal(check('timezone_abbreviations', 'default'), 'invalid value for parameter "timezone_abbreviations": "default"');
});

test('start-up checks: list syntax of listen_addresses, unix_socket_directories, *_preload_libraries', () => {
  const la = validateValue(P('listen_addresses'), 'localhost, "10.0.0.1', 18);
  assert.deepEqual(la, { message: 'invalid list syntax in parameter "listen_addresses"', stage: 'start', fatal: true });
  assert.equal(validateValue(P('listen_addresses'), 'localhost,10.0.0.1', 18), undefined);
  assert.equal(validateValue(P('listen_addresses'), '*', 18), undefined);
  assert.equal(validateValue(P('listen_addresses'), '', 18), undefined);
  const spl = validateValue(P('shared_preload_libraries'), 'pg_stat_statements,,auto_explain', 18);
  assert.deepEqual(spl, { message: 'invalid list syntax in parameter "shared_preload_libraries"', stage: 'start', fatal: false });
  assert.equal(validateValue(P('shared_preload_libraries'), 'pg_stat_statements, auto_explain', 18), undefined);
  assert.equal(validateValue(P('unix_socket_directories'), '/tmp, /var/run/postgresql', 18), undefined);
  assert.equal(validateValue(P('unix_socket_directories'), '/tmp,', 18)?.fatal, true);
});

test('GUC_IS_NAME strings are cut to 63 bytes before their check; internal parameters cannot be set', () => {
  assert.equal(P('client_encoding').isName, true);
  assert.equal(check('client_encoding', 'x'.repeat(64) + 'utf8'), `invalid value for parameter "client_encoding": "${'x'.repeat(63)}"`);
  assert.equal(check('server_version', '99', 18, 'Server_Version'), 'parameter "server_version" cannot be changed');
  assert.equal(check('server_version', '99', 17, 'Server_Version'), 'parameter "Server_Version" cannot be changed');
});

test('a NUL ends the value, as in C', () => {
  assert.equal(check('max_connections', '100\0junk'), 'ok');
  assert.equal(check('wal_level', 'foo\0bar'), 'invalid value for parameter "wal_level": "foo" | HINT: Available values: minimal, replica, logical.');
});

test('validateSettings: duplicates by exact spelling, stats switches, recovery targets', () => {
  const run = (text: string, v = 18) => {
    const settings = text
      .trim()
      .split('\n')
      .map((l) => {
        const m = /^(\S+) = (.*)$/.exec(l)!;
        return { name: m[1]!, value: m[2]!.replace(/^'(.*)'$/, '$1') };
      });
    return validateSettings(settings, v).map((p) => `${p.index}: ${show(p.problem)}`);
  };
  assert.deepEqual(run('work_mem = abc\nwork_mem = 4MB'), []);
  assert.deepEqual(run('Work_Mem = abc\nwork_mem = 4MB', 17), ['0: invalid value for parameter "Work_Mem": "abc"']);
  assert.deepEqual(run('sort_mem = 1\nwork_mem = 4MB', 18), ['0: 1 kB is outside the valid range for parameter "work_mem" (64 kB .. 2147483647 kB)']);
  assert.deepEqual(run('log_statement_stats = on\nlog_parser_stats = on'), ['1: invalid value for parameter "log_parser_stats": 1 | DETAIL: Cannot enable parameter when "log_statement_stats" is true.']);
  assert.deepEqual(run('log_parser_stats = on\nlog_statement_stats = on\nlog_statement_stats = off'), []);
  assert.deepEqual(run('recovery_target_xid = 5\nrecovery_target_name = foo\nwork_mem = 1', 16), [
    '1: multiple recovery targets specified | DETAIL: At most one of recovery_target, recovery_target_lsn, recovery_target_name, recovery_target_time, recovery_target_xid may be set.',
  ]);
  assert.deepEqual(run("recovery_target_name = foo\nrecovery_target_name = ''\nrecovery_target_xid = 5"), []);
  assert.deepEqual(run('pgaudit.log = all\nwork_mem = 1\nno_such_setting = 1'), ['1: 1 kB is outside the valid range for parameter "work_mem" (64 kB .. 2147483647 kB)']);
});

// ---------------------------------------------------------------------------------------------
// Against real servers

type Case = { name: string; value: string };

/** Parameters whose checks depend on the machine or other settings (see values.ts), left out of the live comparison. */
const UNCOMPARABLE = new Set([
  'data_directory',
  'config_file',
  'hba_file',
  'ident_file',
  'lc_messages',
  'lc_monetary',
  'lc_numeric',
  'lc_time',
  'bonjour',
  'max_stack_depth',
  'wal_consistency_checking',
  'log_statement_stats',
  'log_parser_stats',
  'log_planner_stats',
  'log_executor_stats',
]);
/**
 * Settings that change how postgres -C logs what follows (verbosity, destination, level, prefix):
 * only values we expect to be rejected are written (a rejected value is not applied).
 */
const LOGGING = new Set(['log_error_verbosity', 'log_min_messages', 'log_destination', 'logging_collector', 'log_line_prefix', 'syslog_facility', 'syslog_ident', 'event_source']);
/** Their maximum fails a cross-check (MAX_BACKENDS): only their parse errors are compared. */
const BACKEND_COUNTS = new Set(['max_connections', 'autovacuum_max_workers', 'max_worker_processes', 'max_wal_senders', 'autovacuum_worker_slots', 'reserved_connections', 'superuser_reserved_connections']);

const INT_GENERIC = ['', ' ', 'abc', '1e3', '0x1A', '010', '08', '-0', '+7', '1.5', '0.4999', '2.5', ' 12 ', '12abc', '1e', 'inf', 'nan', '99999999999', '0x7fffffffffffffff', '0xffffffffffffffffff', '1e400', '0x', '.5', ' .5', '1_000', '1,000', '0x1.8p3'];
const MEMORY_VALUES = ['1kB', '64MB', '1.5GB', '1 MB', '64mb', '1TB', '100B', '0x10MB', '8 kB ', '1GiB', '10 K B', '2GB', '1.5kB', '0.5MB', '1e3kB'];
const TIME_VALUES = ['5min', '1h', '1d', '1.5s', '100us', '1 s', '5 m', '1 sec', 'ms', '10ms', '1.5min', '2147483648ms', '0.5h', '90000ms', '1e1s'];
const REAL_GENERIC = ['', 'abc', '1e-400', '1e309', 'inf', '-inf', 'nan', '0x1p-2', '.5', '5.', '1e2', ' 0.5 ', '0.5x', '1,5', '-0', '1e-310', 'Infinity', '2.2250738585072014e-308'];
const BOOL_VALUES = ['on', 'OFF', 't', 'fa', 'y', 'n', 'of', 'o', '1', '0', 'yes ', 'maybe', '', 'TRUE', 'No', '2'];

function casesFor(major: number): Case[] {
  const cat = catalogFor(major);
  const out: Case[] = [];
  const add = (name: string, value: string) => out.push({ name, value });
  let k = 0;
  for (const p of cat.values()) {
    const key = p.name.toLowerCase();
    if (UNCOMPARABLE.has(key)) continue;
    if (p.context === 'internal') {
      add(++k % 2 ? p.name : p.name.toUpperCase(), p.default);
      continue;
    }
    // Every few cases, write the name in another case: up to 17 the messages echo it.
    const nm = () => (++k % 5 === 0 ? p.name.toUpperCase() : k % 7 === 0 ? p.name[0]!.toUpperCase() + p.name.slice(1) : p.name);
    switch (p.type) {
      case 'bool':
        add(nm(), BOOL_VALUES[k % BOOL_VALUES.length]!);
        add(nm(), BOOL_VALUES[(k * 7 + 3) % BOOL_VALUES.length]!);
        break;
      case 'enum': {
        const labels = (p.enumValues ?? []).filter((l) => !(p.buildOptionalValues ?? []).includes(l));
        const l = labels[k % labels.length]!;
        add(nm(), k % 2 ? l.toUpperCase() : l);
        const aliases = Object.keys(p.enumAliases ?? {});
        if (aliases.length) add(nm(), aliases[k % aliases.length]!);
        add(nm(), l + 'x');
        add(nm(), k % 3 ? '' : ` ${l}`);
        break;
      }
      case 'integer': {
        const min = p.min!;
        const max = p.max!;
        add(nm(), String(min));
        if (!BACKEND_COUNTS.has(key)) add(nm(), String(max));
        if (min > -2147483648) add(nm(), String(min - 1));
        else if (max < 2147483647) add(nm(), String(max + 1));
        if (p.unit) {
          const units = /B$/.test(p.unit) ? MEMORY_VALUES : TIME_VALUES;
          add(nm(), units[k % units.length]!);
        }
        add(nm(), INT_GENERIC[k % INT_GENERIC.length]!);
        break;
      }
      case 'real': {
        add(nm(), formatG(p.min!));
        add(nm(), String(p.max === Number.MAX_VALUE ? '1e308' : p.max));
        add(nm(), String(p.min! - 1));
        add(nm(), REAL_GENERIC[k % REAL_GENERIC.length]!);
        if (p.unit) add(nm(), TIME_VALUES[k % TIME_VALUES.length]!);
        break;
      }
      case 'string':
        break;
    }
  }
  // Check hooks and string parameters.
  const strings: [string, string][] = [
    ['search_path', '"$user", public'],
    ['search_path', 'a, ,b'],
    ['search_path', 'A B'],
    ['search_path', '""'],
    ['search_path', '"unterminated'],
    ['search_path', 'a,'],
    ['search_path', '\ta,\vb\f'],
    ['temp_tablespaces', '"a'],
    ['temp_tablespaces', 'ts1, ts2'],
    ['DateStyle', 'ISO, SQL'],
    ['DateStyle', 'ymd, dmy'],
    ['DateStyle', 'Euro, postgresql'],
    ['DateStyle', 'German, YMD'],
    ['DateStyle', 'default, iso'],
    ['DateStyle', 'ISO, Foo'],
    ['DateStyle', 'iso mdy'],
    ['TimeZone', 'Europe/Paris'],
    ['timezone', 'europe/paris'],
    ['timezone', 'Europe/Pari'],
    ['timezone', ''],
    ['timezone', '+5:30'],
    ['timezone', 'UTC+3'],
    ['timezone', 'EST5EDT'],
    ['timezone', 'Factory'],
    ['timezone', '5.5'],
    ['timezone', '200'],
    ['timezone', '-167.9'],
    ['timezone', 'inf'],
    ['timezone', '<+0330>-3:30'],
    ['timezone', 'ABC+25'],
    ['timezone', 'ABC+168'],
    ['timezone', 'CET-1CEST,M3.5.0,M10.5.0/3'],
    ['timezone', 'CET-1CEST,M3.5.0'],
    ['timezone', 'CET-1CEST,M13.5.0,M10.5.0'],
    ['timezone', 'EST5EDT4,J60/2,300'],
    ['timezone', 'Mars'],
    ['timezone', 'America'],
    ['timezone', 'GMT'],
    ['log_timezone', '5'],
    ['log_timezone', 'UTC'],
    ['log_timezone', 'nan'],
    ['log_timezone', '200'],
    ['log_timezone', 'Asia/Kolkata'],
    ['log_timezone', 'Asia/Calcutta '],
    ['client_encoding', 'utf-8'],
    ['client_encoding', 'UTF8'],
    ['client_encoding', 'utf9'],
    ['client_encoding', 'UNICODE'],
    ['client_encoding', 'Latin-1'],
    ['client_encoding', 'win-1252'],
    ['client_encoding', ''],
    ['client_encoding', 'sql_ascii'],
    ['log_destination', 'stderr, JSONLOG'],
    ['log_destination', 'stderr,csvlog'],
    ['log_destination', 'eventlog'],
    ['log_destination', 'syslog'],
    ['log_destination', ''],
    ['log_destination', 'stderr csvlog'],
    ['role', 'None'],
    ['role', 'none'],
    ['session_authorization', 'postgres'],
    ['recovery_target', 'foo'],
    ['recovery_target', 'immediate'],
    ['recovery_target', 'Immediate'],
    ['recovery_target_lsn', '0/ZZ'],
    ['recovery_target_lsn', '0/1'],
    ['recovery_target_lsn', '123456789/0'],
    ['recovery_target_lsn', 'FFFFFFFF/FFFFFFFF'],
    ['recovery_target_xid', 'abc'],
    ['recovery_target_xid', '99999999999999999999999'],
    ['recovery_target_xid', '-1'],
    ['recovery_target_xid', '18446744073709551616'],
    ['recovery_target_xid', '18446744073709551615'],
    ['recovery_target_time', 'now'],
    ['recovery_target_time', 'epoch'],
    ['recovery_target_time', '2024-01-01 12:00:00+00'],
    ['recovery_target_time', 'Today'],
    ['recovery_target_name', 'x'.repeat(70)],
    ['recovery_target_name', 'x'.repeat(63)],
    ['recovery_target_timeline', 'abc'],
    ['recovery_target_timeline', '0'],
    ['recovery_target_timeline', 'Latest'],
    ['recovery_target_timeline', '99999999999999999999999'],
    ['recovery_target_timeline', 'latest'],
    ['primary_slot_name', 'Bad-Name'],
    ['primary_slot_name', 'ok_name'],
    ['primary_slot_name', 'y'.repeat(64)],
    ['primary_slot_name', ''],
    ['backtrace_functions', 'a;b'],
    ['backtrace_functions', 'palloc, pfree'],
    ['default_table_access_method', ''],
    ['default_table_access_method', 'heap'],
    ['default_table_access_method', 'z'.repeat(64)],
    ['debug_io_direct', 'data,foo'],
    ['debug_io_direct', 'Data'],
    ['debug_io_direct', '"a'],
    ['createrole_self_grant', 'set, foo'],
    ['createrole_self_grant', 'SET, inherit'],
    ['restrict_nonsystem_relation_kind', 'view, Table'],
    ['restrict_nonsystem_relation_kind', 'view, foreign-table'],
    ['log_connections', 'receipt,FOO'],
    ['log_connections', 'on,receipt'],
    ['log_connections', 'receipt, authentication'],
    ['log_connections', '"a'],
    ['synchronized_standby_slots', 'a b'],
    ['synchronized_standby_slots', 's1, s2'],
    ['synchronous_standby_names', '2 (a'],
    ['synchronous_standby_names', '0 (a,b)'],
    ['synchronous_standby_names', 'FIRST x (a)'],
    ['synchronous_standby_names', 'a b'],
    ['synchronous_standby_names', 'ANY 2 (s1, s2, "s 3")'],
    ['synchronous_standby_names', '*'],
    ['synchronous_standby_names', 'a, "b'],
    ['synchronous_standby_names', 'a "b"'],
    ['synchronous_standby_names', 'any'],
    ['synchronous_standby_names', ' '],
    ['synchronous_standby_names', 's-1'],
    ['synchronous_standby_names', '4294967296 (a)'],
    ['synchronous_standby_names', '2 (a, b))'],
    ['timezone_abbreviations', 'x.y'],
    ['timezone_abbreviations', 'India'],
    ['timezone_abbreviations', 'Default'],
    ['timezone_abbreviations', 'default'],
    ['seed', '0.5'],
    ['default_with_oids', 'on'],
    ['default_with_oids', 'false'],
    ['ssl_renegotiation_limit', '5'],
    ['sort_mem', 'abc'],
    ['Vacuum_Mem', '1'],
    ['application_name', 'app\u00e9'],
    ['cluster_name', 'main'],
    ['listen_addresses', 'localhost, "10.0.0.1'],
    ['shared_preload_libraries', 'a,,b'],
    ['log_line_prefix', '%m [%p] '],
    ['ssl_ciphers', 'NOT-A-CIPHER'],
    ['default_text_search_config', 'pg_catalog.nonexistent'],
    ['transaction_buffers', '17'],
    ['commit_timestamp_buffers', '32'],
    ['vacuum_buffer_usage_limit', '100'],
    ['vacuum_buffer_usage_limit', '256kB'],
    ['wal_compression', 'lz4'],
    ['search_path', 'a,\v'],
    ['search_path', 'a,\t'],
    ['timezone', 'EST5EDT,M3.2.0/2,M11.1.0/2'],
    ['timezone', '<>5'],
    ['timezone', 'UTC0'],
    ['timezone', 'Z'],
    ['timezone', '-'],
    ['timezone', '+'],
    ['timezone', 'EST5EDT,M3.2.0'],
    ['timezone', 'XYZ-1:30:60'],
    ['timezone', 'XYZ-1:60'],
    ['timezone', 'A5B'],
    ['timezone', 'A5B,J0,J365'],
    ['timezone', 'A5B,J1,J365'],
    ['timezone', 'A5B,0,365'],
    ['timezone', 'A5B,366,1'],
    ['timezone', 'EST5EDT;M3.2.0,M11.1.0'],
    ['timezone', 'A5B,M3.2.0/-2,M11.1.0/26'],
    ['timezone', 'UTC '],
    ['timezone', 'GMT+0'],
    ['timezone', 'Etc/GMT-14'],
    ['timezone', 'utc'],
    ['timezone', '1e2'],
    ['timezone', '0x10'],
    ['timezone', ' 5'],
    ['synchronous_standby_names', 'FIRST 1 (a) b'],
    ['synchronous_standby_names', 'ANY (a)'],
    ['synchronous_standby_names', 'first'],
    ['synchronous_standby_names', '1'],
    ['synchronous_standby_names', '"a"'],
    ['synchronous_standby_names', '2(a,b)'],
    ['synchronous_standby_names', 'a,b,'],
    ['synchronous_standby_names', '(a)'],
    ['synchronous_standby_names', '"a""b"'],
    ['synchronous_standby_names', 's1,*'],
    ['synchronous_standby_names', 'ANY 0 (a)'],
    ['synchronous_standby_names', 'any 1 (a,'],
    ['synchronous_standby_names', '1 ('],
    ['synchronous_standby_names', '"'],
    ['synchronous_standby_names', 'a, "'],
    ['synchronous_standby_names', 'Anything'],
    ['synchronous_standby_names', 'a.b'],
    ['synchronous_standby_names', 'été, b$1'],
    ['client_encoding', 'EUC_JP'],
    ['client_encoding', 'mule_internal'],
    ['client_encoding', 'KOI8'],
    ['client_encoding', 'ISO-8859-1'],
    ['client_encoding', 'ISO_8859_5'],
    ['client_encoding', 'shift-jis'],
    ['client_encoding', 'BIG-5'],
    ['client_encoding', 'x'.repeat(64) + 'utf8'],
    ['client_encoding', 'utf8é'],
    ['seq_page_cost', '0x1p3'],
    ['random_page_cost', '0X.8'],
    ['cpu_tuple_cost', '1e+2'],
    ['cpu_index_tuple_cost', '1.e3'],
    ['port', '-0x'],
    ['work_mem', '1e+2'],
    ['maintenance_work_mem', '0x1P4MB'],
    ['temp_buffers', '1.e3'],
    ['recovery_target_xid', '0x10'],
    ['recovery_target_xid', '  12'],
    ['DateStyle', 'Postgres, US'],
    ['DateStyle', 'NonEuropean'],
    ['DateStyle', 'SQL, European'],
    ['DateStyle', 'ISO,"MDY"'],
    ['DateStyle', '"ISO" , "DMY"'],
    ['DateStyle', 'x'.repeat(70)],
    ['DateStyle', ''],
    ['log_destination', '"STDERR"'],
    ['log_destination', '"Bogus"'],
    ['primary_slot_name', 'x'.repeat(80)],
    ['createrole_self_grant', ''],
    ['restrict_nonsystem_relation_kind', ''],
    ['debug_io_direct', ''],
    ['debug_io_direct', 'wal, wal_init'],
    ['backtrace_functions', ''],
  ];
  for (const [n, v] of strings) if (lookupParam(n, major)) add(n, v);
  return out.filter((c) => !LOGGING.has(lookupParam(c.name, major)!.name.toLowerCase()) || validateValue(lookupParam(c.name, major)!, c.value, major) !== undefined);
}

/**
 * One file per batch: each parameter (old names resolved) at most once per file, and at most one of
 * the recovery targets (two set ones make the assign hooks fail: FATAL "multiple recovery targets
 * specified", which ends the file's processing).
 */
function batches(cases: Case[], major: number): Case[][] {
  const out: { keys: Set<string>; cases: Case[] }[] = [];
  for (const c of cases) {
    let key = lookupParam(c.name, major)!.name.toLowerCase();
    if (/^recovery_target(_lsn|_name|_time|_xid)?$/.test(key)) key = 'recovery_target*';
    let b = out.find((x) => !x.keys.has(key));
    if (!b) {
      b = { keys: new Set(), cases: [] };
      out.push(b);
    }
    b.keys.add(key);
    b.cases.push(c);
  }
  return out.map((b) => b.cases);
}

const quote = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

interface ServerEntry {
  message: string;
  detail?: string;
  hint?: string;
}

/** postgres -C output -> entries (LOG line with its DETAIL/HINT lines), in order. */
function parseMessages(lines: string[]): { entries: ServerEntry[]; other: string[] } {
  const entries: ServerEntry[] = [];
  const other: string[] = [];
  let cur: ServerEntry | undefined;
  for (const line of lines) {
    const m = /^(?:.*?\[\d+\] )?(LOG|WARNING|FATAL|DETAIL|HINT): {2}(.*)$/.exec(line);
    if (!m) {
      other.push(line);
      continue;
    }
    const [, level, text] = m as unknown as [string, string, string];
    if (level === 'LOG') entries.push((cur = { message: text }));
    else if (level === 'DETAIL' && cur) cur.detail = text;
    else if (level === 'HINT' && cur) cur.hint = text;
    else if (level === 'FATAL' && /^configuration file ".*" contains errors$/.test(text)) cur = undefined;
    else other.push(line);
  }
  return { entries, other };
}

/** Whole files for validateSettings: every LOG/FATAL entry postgres -C prints, in order. */
const SEQUENCES = [
  'recovery_target_xid = 5\nrecovery_target_name = foo\nwork_mem = 1\n',
  "recovery_target_name = foo\nrecovery_target_name = ''\nrecovery_target_xid = 5\n",
  "recovery_target_name = foo\nrecovery_target_xid = ''\nrecovery_target = immediate\n",
  "recovery_target_lsn = 'bad'\nrecovery_target_name = foo\nrecovery_target_time = '2020-01-01'\n",
  'log_statement_stats = on\nlog_parser_stats = on\n',
  'log_parser_stats = on\nlog_statement_stats = on\nlog_statement_stats = off\n',
  'log_statement_stats = on\nlog_parser_stats = maybe\nlog_planner_stats = on\nlog_executor_stats = off\n',
  'log_executor_stats = yes\nLog_Statement_Stats = on\n',
  'Work_Mem = 1\nwork_mem = 2\n',
  'sort_mem = abc\nwork_mem = 1\n',
  'work_mem = 1\nWORK_MEM = 5\nwork_mem = 3\n',
  "work_mem = abc\nwork_mem = '4MB'\n",
  'pgaudit.log = all\nwork_mem = 1\nshared_buffers = 1\n',
  "vacuum_mem = 1\nmaintenance_work_mem = 'x'\nVacuum_Mem = 2\nvacuum_mem = 3\n",
];

/** What the embedded build says: without the values it was built without (lz4, zstd, io_uring). */
function expected(c: Case, major: number): ValueProblem | undefined {
  let p = lookupParam(c.name, major)!;
  if (p.buildOptionalValues) {
    if (p.buildOptionalValues.includes(c.value)) return { message: 'build-dependent' };
    p = { ...p, enumValues: p.enumValues!.filter((v) => !p.buildOptionalValues!.includes(v)) };
  }
  const r = validateValue(p, c.value, major, c.name);
  return r && r.stage === 'start' ? undefined : r;
}

const entryText = (e: ServerEntry | ValueProblem | undefined) => show(e as ValueProblem | undefined);

const MAJORS: PgMajor[] = [13, 14, 15, 16, 17, 18];
const servers = new Map<PgMajor, Promise<PgServer | Error>>();
const server = (major: PgMajor) => {
  if (!servers.has(major)) servers.set(major, startPostgres(major, { ssl: false }).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))));
  return servers.get(major)!;
};
after(async () => {
  for (const p of servers.values()) {
    const s = await p;
    if (!(s instanceof Error)) await s.stop();
  }
});

MAJORS.forEach((major, i) => {
  test(`values against PostgreSQL ${major} (postgres -C)`, { timeout: 60_000 }, async (t) => {
    const pg = await server(major);
    if (MAJORS[i + 1]) void server(MAJORS[i + 1]!); // start the next one meanwhile
    if (pg instanceof PgUnavailableError) {
      t.skip(`PostgreSQL ${major} binaries unavailable: ${pg.message.split('\n')[0]}`);
      return;
    }
    if (pg instanceof Error) throw pg;
    const t0 = Date.now();
    const cases = casesFor(major).filter((c) => expected(c, major)?.message !== 'build-dependent');
    const disagreements: string[] = [];
    let serverRejected = 0;
    let weRejected = 0;
    let agree = 0;
    let files = 0;
    for (const batch of batches(cases, major)) {
      files++;
      const conf = batch.map((c) => `${c.name} = ${quote(c.value)}`).join('\n') + '\n';
      const r = await pg.checkConf({ 'postgresql.conf': conf });
      const { entries, other } = parseMessages(r.messages);
      assert.deepEqual(other, [], `unexpected output from postgres -C:\n${r.stderr}`);
      assert.equal(r.ok, entries.length === 0, `exit status ${r.exitCode} with ${entries.length} messages:\n${r.stderr}`);
      // Match messages to settings: by the parameter they name, else by position and text.
      const got = new Map<Case, ServerEntry>();
      const exp = new Map(batch.map((c) => [c, expected(c, major)]));
      let from = 0;
      for (const e of entries) {
        assert.ok(!/unrecognized configuration parameter|syntax error in file/.test(e.message), `test setup: ${e.message}`);
        const named = /parameter "([^"]+)"/.exec(e.message)?.[1];
        let idx = -1;
        if (named) {
          const key = lookupParam(named, major)?.name.toLowerCase();
          idx = batch.findIndex((c) => lookupParam(c.name, major)!.name.toLowerCase() === key);
        } else {
          idx = batch.findIndex((c, j) => j >= from && !got.has(c) && exp.get(c)?.message === e.message);
        }
        assert.ok(idx >= 0, `cannot tell which setting this is about: ${entryText(e)}\n${conf}`);
        got.set(batch[idx]!, e);
        from = idx + 1;
      }
      for (const c of batch) {
        const want = exp.get(c);
        const have = got.get(c);
        if (have) serverRejected++;
        if (want) weRejected++;
        if (entryText(want) === entryText(have)) agree++;
        else disagreements.push(`${c.name} = ${quote(c.value)}\n    postgres: ${entryText(have)}\n    ours:     ${entryText(want)}`);
      }
    }
    const summary = `PostgreSQL ${pg.version}: ${cases.length} settings in ${files} files, postgres rejects ${serverRejected}, we reject ${weRejected}, agreement ${agree}/${cases.length} (${((100 * agree) / cases.length).toFixed(1)}%), ${Date.now() - t0} ms`;
    t.diagnostic(summary);
    if (disagreements.length) console.log(disagreements.join('\n'));
    assert.ok(cases.length >= 150, `only ${cases.length} settings`);
    assert.deepEqual(disagreements, []);

    // Whole files: the order of the messages, duplicates, and the checks that depend on earlier settings.
    for (const text of SEQUENCES) {
      const r = await pg.checkConf({ 'postgresql.conf': text });
      const serverSays: string[] = [];
      let cur: ServerEntry | undefined;
      for (const line of r.messages) {
        const m = /^(?:.*?\[\d+\] )?(LOG|FATAL|DETAIL|HINT): {2}(.*)$/.exec(line);
        assert.ok(m, `unexpected output: ${line}`);
        if (m[1] === 'DETAIL' || m[1] === 'HINT') {
          if (cur) cur[m[1] === 'DETAIL' ? 'detail' : 'hint'] = m[2]!;
          continue;
        }
        if (/^configuration file ".*" contains errors$/.test(m[2]!)) break;
        if (cur) serverSays.push(entryText(cur));
        cur = { message: m[2]! };
      }
      if (cur) serverSays.push(entryText(cur));
      const settings = text
        .trim()
        .split('\n')
        .map((l) => {
          const mm = /^(\S+) = (.*)$/.exec(l)!;
          return { name: mm[1]!, value: mm[2]!.replace(/^'(.*)'$/, '$1') };
        });
      const ours = validateSettings(settings, major).map((p) => entryText(p.problem));
      assert.deepEqual(ours, serverSays, text);
    }
  });
});

test('catalog/pg18.json is what scripts/gen-catalog.ts makes from PostgreSQL 18 (run it with --check for all majors)', { timeout: 120_000 }, async (t) => {
  const newest = CATALOG_MAJORS[CATALOG_MAJORS.length - 1]!;
  let text: string;
  try {
    const cat = await generateOne(newest);
    cat.timeZones = timeZoneNames();
    text = renderCatalog(cat);
  } catch (e) {
    if (e instanceof PgUnavailableError) {
      t.skip(`PostgreSQL ${newest} binaries unavailable: ${e.message.split('\n')[0]}`);
      return;
    }
    throw e;
  }
  const file = path.join(__dirname, '..', 'server', 'src', 'engine', 'conf', 'catalog', `pg${newest}.json`);
  assert.ok(fs.readFileSync(file, 'utf8') === text, `${file} is out of date: run node --import tsx scripts/gen-catalog.ts`);
});

test('start-up list checks against PostgreSQL 18 (listen_addresses, unix_socket_directories: FATAL; shared_preload_libraries: LOG)', { timeout: 120_000 }, async (t) => {
  const cases: [string, string, boolean][] = [
    ['listen_addresses', '127.0.0.1, "localhost', true],
    ['unix_socket_directories', '/tmp,,/var/run', true],
    ['shared_preload_libraries', 'a,,b', false],
  ];
  for (const [name, value, fatal] of cases) {
    const want = validateValue(P(name), value, 18);
    assert.deepEqual(want, { message: `invalid list syntax in parameter "${name}"`, stage: 'start', fatal });
    let log: string;
    try {
      const s = await startPostgres(18, { ssl: false, settings: { [name]: value } });
      log = s.log().join('\n');
      await s.stop();
      assert.equal(fatal, false, `${name}: the server started`);
    } catch (e) {
      if (e instanceof PgUnavailableError && !/failed to start/.test(e.message)) {
        t.skip(`PostgreSQL 18 binaries unavailable: ${e.message.split('\n')[0]}`);
        return;
      }
      assert.ok(e instanceof Error);
      log = e.message;
      assert.equal(fatal, true, `${name}: ${log}`);
    }
    assert.match(log, new RegExp(`${fatal ? 'FATAL' : 'LOG'}: {2}${want!.message.replace(/[()"]/g, '.')}`), log);
  }
});
