// Writes the generated part of the postgresql.conf differential corpus. Deterministic: same
// code, same bytes.
//
//   node --import tsx test/conf-differential/generate.ts          # (re)write the files
//   node --import tsx test/conf-differential/generate.ts --check  # exit 1 if a file on disk differs
//
// Generated (checked in, never edited by hand):
//   values/generated-mutations.conf   realistic settings mutated by a seeded PRNG (mulberry32):
//                                     name case and typos, '=' dropped or doubled, quotes added,
//                                     dropped or unbalanced, units changed or spaced, numbers in
//                                     hex/octal/exponent form, signs, Boolean and enum prefixes,
//                                     list separators, trailing garbage, '#' inserted
//   files/bytes-*.conf                files whose point is in their bytes: CRLF, lone CR, BOM (start,
//                                     before a comment, a blank line, a custom name, mid-file), tabs,
//                                     VT/FF/NUL/NBSP, no final newline (accepted, syntax error, bad
//                                     value), long lines
//   files/syntax-99-errors.conf, files/syntax-100-errors.conf, files/syntax-150-errors.conf
//                                     around PostgreSQL's "too many syntax errors" cut-off
//   cases/include-depth-10/, cases/include-depth-11/, cases/include-depth-dir/
//                                     include chains at and beyond the nesting limit
//   cases/include-100-errors/         an included file abandoned after 100 errors, the includer goes on
//   cases/include-crlf/, cases/include-bom/, cases/include-no-final-newline/
//                                     included files with CRLF line ends / a BOM / no final newline

import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateOrCheck, staleFiles } from '../support/generated-files';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export const MUTATION_SEED = 0xc0f_2025;
export const MUTATION_COUNT = 240;

/** mulberry32 */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------
// Mutations

type Kind = 'bool' | 'int' | 'mem' | 'time' | 'real' | 'enum' | 'string' | 'list' | 'custom';

/** Valid settings of every value type (values valid in every major of the corpus). */
const SEEDS: Array<[string, string, Kind]> = [
  ['ssl', 'on', 'bool'],
  ['log_disconnections', 'on', 'bool'],
  ['log_checkpoints', 'on', 'bool'],
  ['ssl_prefer_server_ciphers', 'on', 'bool'],
  ['row_security', 'off', 'bool'],
  ['fsync', 'on', 'bool'],
  ['log_connections', 'on', 'bool'],
  ['port', '5432', 'int'],
  ['max_connections', '100', 'int'],
  ['superuser_reserved_connections', '3', 'int'],
  ['unix_socket_permissions', '0770', 'int'],
  ['max_wal_senders', '10', 'int'],
  ['shared_buffers', '128MB', 'mem'],
  ['work_mem', '4MB', 'mem'],
  ['maintenance_work_mem', '64MB', 'mem'],
  ['effective_cache_size', '4GB', 'mem'],
  ['max_wal_size', '1GB', 'mem'],
  ['temp_file_limit', '-1', 'mem'],
  ['statement_timeout', '30s', 'time'],
  ['authentication_timeout', '1min', 'time'],
  ['idle_in_transaction_session_timeout', '10min', 'time'],
  ['checkpoint_timeout', '5min', 'time'],
  ['log_min_duration_statement', '250ms', 'time'],
  ['random_page_cost', '1.1', 'real'],
  ['checkpoint_completion_target', '0.9', 'real'],
  ['autovacuum_vacuum_scale_factor', '0.2', 'real'],
  ['password_encryption', 'scram-sha-256', 'enum'],
  ['log_statement', 'ddl', 'enum'],
  ['wal_level', 'replica', 'enum'],
  ['ssl_min_protocol_version', "'TLSv1.2'", 'enum'],
  ['log_error_verbosity', 'default', 'enum'],
  ['synchronous_commit', 'on', 'enum'],
  ['huge_pages', 'try', 'enum'],
  ['listen_addresses', "'localhost'", 'string'],
  ['ssl_ciphers', "'HIGH:MEDIUM:+3DES:!aNULL'", 'string'],
  ['log_line_prefix', "'%m [%p] %q%u@%d '", 'string'],
  ['ssl_cert_file', "'server.crt'", 'string'],
  ['timezone', "'UTC'", 'string'],
  ['cluster_name', "'main'", 'string'],
  ['shared_preload_libraries', "'pg_stat_statements'", 'list'],
  ['search_path', '\'"$user", public\'', 'list'],
  ['unix_socket_directories', "'/var/run/postgresql, /tmp'", 'list'],
  ['pgaudit.log', "'ddl, role'", 'custom'],
  ['pg_stat_statements.max', '10000', 'custom'],
];

const UNIT_SWAPS: Record<string, string[]> = {
  mem: ['MB', 'mb', 'Mb', 'M', 'MiB', 'kB', 'KB', 'k', 'GB', 'gb', 'G', 'TB', 'B', 'bytes', ''],
  time: ['s', 'ms', 'min', 'm', 'h', 'hr', 'd', 'us', 'sec', 'S', 'Min', 'w', ''],
};
const BOOL_SPELLINGS = ['on', 'off', 'true', 'false', 'yes', 'no', '1', '0', 't', 'f', 'tr', 'fa', 'y', 'n', 'o', 'of', 'onn', 'ON', 'Yes', 'TRUE', 'enable', '2'];
const ENUM_EDITS = (v: string): string[] => {
  const bare = v.replace(/^'|'$/g, '');
  return [bare.toUpperCase(), bare.slice(0, Math.max(1, bare.length - 1)), bare.slice(0, 2), `${bare}x`, bare.replace(/-/g, '_'), bare.replace(/_/g, '-'), `'${bare} '`, `' ${bare}'`];
};
const GARBAGE = [' extra', ' ;', ';', ',', ' # comment', '#c', ' 1', " 'x'", ' =', '\\', ' \\', '!', ' !', ')', "'", ' # a # b'];

function mutate(seed: [string, string, Kind], rnd: () => number): { line: string; ops: string[] } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  let [name, value] = seed;
  const kind = seed[2];
  let sep = ' = ';
  const ops: string[] = [];
  let suffix = '';
  const nOps = 1 + Math.floor(rnd() * 2);
  for (let k = 0; k < nOps; k++) {
    const op = Math.floor(rnd() * 16);
    switch (op) {
      case 0: {
        const i = Math.floor(rnd() * name.length);
        const how = Math.floor(rnd() * 4);
        const before = name;
        if (how === 0) name = name.slice(0, i) + name.slice(i + 1);
        else if (how === 1) name = name.slice(0, i) + name[i] + name.slice(i);
        else if (how === 2 && i + 1 < name.length) name = name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2);
        else name = name.slice(0, i) + pick(['_', '-', '.', 'x', 'S', ' ']) + name.slice(i + 1);
        ops.push(`name-typo(${before}->${name})`);
        break;
      }
      case 1: {
        const how = pick(['upper', 'title', 'random']);
        if (how === 'upper') name = name.toUpperCase();
        else if (how === 'title') name = name.replace(/(^|_)([a-z])/g, (_, a: string, b: string) => a + b.toUpperCase());
        else name = [...name].map((ch) => (rnd() < 0.5 ? ch.toUpperCase() : ch)).join('');
        ops.push(`name-case(${how})`);
        break;
      }
      case 2:
        sep = pick([' ', '=', '= ', ' =', '\t=\t', ' == ', ' := ', ': ', '  =  ']);
        ops.push(`separator(${JSON.stringify(sep)})`);
        break;
      case 3:
        if (value.startsWith("'")) {
          value = value.slice(1, -1);
          ops.push('unquote');
        } else {
          value = `'${value}'`;
          ops.push('quote');
        }
        break;
      case 4:
        value = pick([`'${value.replace(/^'|'$/g, '')}`, `${value.replace(/^'|'$/g, '')}'`, `"${value.replace(/^'|'$/g, '')}"`, `'${value.replace(/^'|'$/g, '')}''`]);
        ops.push('unbalanced-quotes');
        break;
      case 5: {
        const m = /^'?(-?[0-9.]+)\s*([A-Za-z]*)'?$/.exec(value);
        if (m && (kind === 'mem' || kind === 'time')) {
          const unit = pick(UNIT_SWAPS[kind]!);
          const space = rnd() < 0.3 ? ' ' : '';
          value = `${m[1]}${space}${unit}`;
          if (rnd() < 0.3) value = `'${value}'`;
          ops.push(`unit(${JSON.stringify(value)})`);
        }
        break;
      }
      case 6: {
        const m = /^'?(-?)([0-9]+)(\.?[0-9]*)([A-Za-z]*)'?$/.exec(value);
        if (m) {
          const n = Number(m[2]);
          const form = pick(['hex', 'octal', 'exp', 'frac', 'neg', 'plus', 'big', 'zero']);
          const unit = m[4]!;
          const forms: Record<string, string> = {
            hex: `0x${n.toString(16)}${unit}`,
            octal: `0${n.toString(8)}${unit}`,
            exp: `${n}e0${unit}`,
            frac: `${n}.5${unit}`,
            neg: `-${n}${unit}`,
            plus: `+${n}${unit}`,
            big: `${n}000000000${unit}`,
            zero: `0${unit}`,
          };
          value = forms[form]!;
          if (rnd() < 0.3) value = `'${value}'`;
          ops.push(`number(${form})`);
        }
        break;
      }
      case 7:
        if (kind === 'bool') {
          value = pick(BOOL_SPELLINGS);
          ops.push(`bool(${value})`);
        } else if (kind === 'enum') {
          value = pick(ENUM_EDITS(value));
          ops.push(`enum(${value})`);
        }
        break;
      case 8:
        suffix = pick(GARBAGE);
        ops.push(`trailing(${JSON.stringify(suffix)})`);
        break;
      case 9:
        if (kind === 'list' || kind === 'string') {
          const bare = value.replace(/^'|'$/g, '');
          value = pick([bare.replace(/, ?/g, ','), `${bare},`, `,${bare}`, bare.replace(/, ?/g, ' '), `'${bare.replace(/, ?/g, ';')}'`, `'${bare},,x'`, `'${bare}, x'`]);
          ops.push(`list(${value})`);
        }
        break;
      case 10: {
        const at = Math.floor(rnd() * (name.length + sep.length + value.length));
        const whole = `${name}${sep}${value}`;
        return { line: `${whole.slice(0, at)}#${whole.slice(at)}`, ops: [...ops, `hash(${at})`] };
      }
      case 11:
        value = value.startsWith("'") ? `'${value.slice(1, -1).replace(/ /g, '\\ ')}\\t'` : `'${value}\\n'`;
        ops.push('escapes');
        break;
      case 12:
        value = pick(["''", '""', "'   '", '-', '.', '0', '-1']);
        ops.push(`value(${value})`);
        break;
      case 13:
        if (!name.includes('.')) {
          name = pick([`${name}.x`, `x.${name}`, `.${name}`, `${name}.`, `a.b.${name}`]);
          ops.push(`dotted(${name})`);
        }
        break;
      case 14:
        name = pick(['include', 'include_if_exists', 'include_dir', 'includes']) === 'includes' ? `${name}s` : `${name}_`;
        ops.push(`name-suffix(${name})`);
        break;
      case 15:
        value = `${value} ${value}`;
        ops.push('value-twice');
        break;
    }
  }
  return { line: `${name}${sep}${value}${suffix}`, ops };
}

function mutationsConf(): string {
  const rnd = prng(MUTATION_SEED);
  const out = [
    '# GENERATED by test/conf-differential/generate.ts from valid settings by a seeded PRNG',
    `# (mulberry32, seed 0x${MUTATION_SEED.toString(16)}, ${MUTATION_COUNT} settings). Each setting follows a comment naming the seed and the mutations.`,
  ];
  const seen = new Set<string>();
  let n = 0;
  let guard = 0;
  while (n < MUTATION_COUNT && guard++ < MUTATION_COUNT * 20) {
    const s = Math.floor(rnd() * SEEDS.length);
    const { line, ops } = mutate(SEEDS[s]!, rnd);
    const trimmed = line.trim();
    // Never an include directive here (the file is checked in place but given alone to PostgreSQL).
    if (ops.length === 0 || trimmed === '' || trimmed.startsWith('#') || /^include/i.test(trimmed) || seen.has(line)) continue;
    seen.add(line);
    n++;
    out.push(`# m${n}: ${SEEDS[s]![0]} = ${SEEDS[s]![1]}; ${ops.join(', ')}`);
    out.push(line);
  }
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Byte-level files and generated cases

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const header = (what: string) => `# GENERATED by test/conf-differential/generate.ts: ${what}\n`;

function bytesFiles(): Record<string, Buffer> {
  const f: Record<string, Buffer> = {};
  f['files/bytes-crlf.conf'] = utf8(
    [
      '# GENERATED by test/conf-differential/generate.ts: CRLF line ends (CR is a blank to the scanner)',
      'port = 5432',
      "listen_addresses = '*'",
      'shared_buffers = 128MB',
      "log_line_prefix = '%m [%p] '",
      'ssl = on # comment',
      "work_mem = '4MB\r'",
      'shared_buffers = 128 MB',
      'ssl = on off',
      '',
      'max_connections = 100',
    ].join('\r\n') + '\r\n',
  );
  f['files/bytes-crlf-values.conf'] = utf8(
    ['port = 5432', 'shared_buffers = 128mb', "log_statement = 'al\r'", 'ssl = maybe', 'max_connections = 100'].join('\r\n') + '\r\n',
  );
  f['files/bytes-lone-cr.conf'] = utf8(header('lone CR line ends (not line ends to PostgreSQL)') + 'port = 5432\rwork_mem = 4MB\nssl = on\r\nmax_connections = 100\r\r\n');
  f['files/bytes-bom-start.conf'] = utf8('\uFEFFport = 5432\nwork_mem = 4MB\n');
  f['files/bytes-bom-comment.conf'] = utf8('\uFEFF# a comment after a BOM\nport = 5432\n');
  f['files/bytes-bom-blank.conf'] = utf8('\uFEFF\nport = 5432\n');
  f['files/bytes-bom-custom.conf'] = utf8("\uFEFFpgaudit.log = 'all'\nport = 5432\nwork_mem = bad\n");
  f['files/bytes-bom-middle.conf'] = utf8(header('a BOM in the middle') + 'port = 5432\n\uFEFFwork_mem = 4MB\nssl = \uFEFFon\nmax_connections = 100\uFEFF\n');
  f['files/bytes-tabs.conf'] = utf8(header('tabs as blanks') + '\tport\t=\t5432\t# c\nwork_mem\t4MB\n\t\t\nlog_line_prefix = \'%m\t[%p] \'\nssl =\ton\t\n');
  f['files/bytes-controls.conf'] = utf8(header('VT, FF, NBSP and ESC are no blanks to the scanner') + 'port = 5432\u000b\n\u000cwork_mem = 4MB\nssl =\u00a0on\nlog_statement = all\u001b\nmax_connections = 100\n');
  f['files/bytes-nul.conf'] = Buffer.concat([utf8(header('a NUL byte')), Buffer.from('port = 54\x0032\nwork_mem = 4MB\n', 'latin1')]);
  f['files/bytes-nul-in-string.conf'] = Buffer.concat([utf8(header('a NUL byte inside quotes, and an octal \\0 escape')), Buffer.from("log_line_prefix = 'a\x00b'\ncluster_name = 'x\\0y'\nwork_mem = bad\n", 'latin1')]);
  f['files/bytes-no-final-newline-ok.conf'] = utf8(header('last setting without a newline') + 'port = 5432\nwork_mem = 4MB');
  f['files/bytes-no-final-newline-syntax.conf'] = utf8(header('a syntax error near end of line on the last line, no newline') + 'port = 5432\nwork_mem =');
  f['files/bytes-no-final-newline-token.conf'] = utf8(header('a syntax error near a token on the last line, no newline') + 'port = 5432\n\nwork_mem = 4MB 8MB');
  f['files/bytes-no-final-newline-name.conf'] = utf8(header('a name alone on the last line, no newline') + 'port = 5432\nwork_mem');
  f['files/bytes-no-final-newline-value.conf'] = utf8(header('a bad value on the last line, no newline') + 'port = 5432\nwork_mem = bad');
  f['files/bytes-no-final-newline-unknown.conf'] = utf8(header('an unknown name on the last line, no newline') + 'port = 5432\nno_such_thing = 1');
  f['files/bytes-only-newlines.conf'] = utf8('\n\n\n\r\n\n');
  // The only line, unfinished and without a newline: PostgreSQL names "line 0".
  f['files/bytes-no-final-newline-line1.conf'] = utf8('work_mem');
  f['files/bytes-no-final-newline-line1-eq.conf'] = utf8('work_mem =');
  const longValue = 'x'.repeat(20000);
  f['files/bytes-long-lines.conf'] = utf8(
    header('very long lines and tokens') +
      `log_line_prefix = '${longValue}'\n` +
      `cluster_name = ${'c'.repeat(10000)}\n` +
      `port = 5432 # ${'#'.repeat(30000)}\n` +
      `${'n'.repeat(5000)} = 1\n` +
      `work_mem = ${'1'.repeat(400)}\n`,
  );
  return f;
}

function syntaxErrorFiles(): Record<string, Buffer> {
  const f: Record<string, Buffer> = {};
  const bad = (i: number) => (i % 3 === 0 ? `bad line ${i}` : i % 3 === 1 ? `work_mem = ${i} MB` : `= ${i}`);
  const make = (n: number, tail: string) =>
    utf8(header(`${n} syntax errors, then more lines`) + Array.from({ length: n }, (_, i) => bad(i + 1)).join('\n') + '\n' + tail);
  f['files/syntax-99-errors.conf'] = make(99, 'port = 5432\nno_such_parameter = 1\n');
  f['files/syntax-100-errors.conf'] = make(100, "include 'never-opened.conf'\nmore errors here\nport = 5432\n");
  f['files/syntax-150-errors.conf'] = make(150, 'port = 5432\n');
  return f;
}

function generatedCases(): Record<string, Buffer> {
  const f: Record<string, Buffer> = {};
  // main (depth 0) -> d1 (1) -> ... -> d10 (10): fine; one more level is refused.
  for (const [name, levels] of [
    ['include-depth-10', 10],
    ['include-depth-11', 11],
  ] as const) {
    f[`cases/${name}/postgresql.conf`] = utf8("port = 5432\ninclude 'd1.conf'\n");
    for (let i = 1; i <= levels; i++) f[`cases/${name}/d${i}.conf`] = utf8(i < levels ? `work_mem = ${i}MB\ninclude 'd${i + 1}.conf'\n` : `work_mem = bad${i}\n`);
  }
  // include_dir counts as a level too.
  f['cases/include-depth-dir/postgresql.conf'] = utf8("include_dir 'l1'\n");
  for (let i = 1; i <= 11; i++) {
    const dir = Array.from({ length: i }, (_, k) => `l${k + 1}`).join('/');
    f[`cases/include-depth-dir/${dir}/level.conf`] = utf8(i < 11 ? `include_dir 'l${i + 1}'\n` : 'work_mem = 4MB\n');
  }
  f['cases/include-100-errors/postgresql.conf'] = utf8("port = 5432\ninclude 'noisy.conf'\nssl on off\ninclude 'after.conf'\n");
  f['cases/include-100-errors/noisy.conf'] = utf8(Array.from({ length: 120 }, (_, i) => `noise ${i} ${i}`).join('\n') + '\n');
  f['cases/include-100-errors/after.conf'] = utf8('work_mem = 4 MB\n');
  f['cases/include-crlf/postgresql.conf'] = utf8("port = 5432\r\ninclude 'crlf.conf'\r\nwork_mem = 4MB\r\n");
  f['cases/include-crlf/crlf.conf'] = utf8(['shared_buffers = 128MB', "log_line_prefix = '%m '", 'ssl = on off', "include 'missing.conf'", ''].join('\r\n'));
  f['cases/include-no-final-newline/postgresql.conf'] = utf8("include 'a.conf'\ninclude 'b.conf'\nport = 5432");
  f['cases/include-no-final-newline/a.conf'] = utf8('port = 1\nwork_mem =');
  f['cases/include-no-final-newline/b.conf'] = utf8('ssl');
  f['cases/include-bom/postgresql.conf'] = utf8("include 'bom.conf'\ninclude 'bom-custom.conf'\n");
  f['cases/include-bom/bom.conf'] = utf8('\uFEFFport = 5432\n');
  f['cases/include-bom/bom-custom.conf'] = utf8('\uFEFFmy.setting = 1\n');
  return f;
}

/** Every generated file, keyed by path relative to test/conf-differential. */
export function generateAll(): Record<string, Buffer> {
  return {
    'values/generated-mutations.conf': utf8(mutationsConf()),
    ...bytesFiles(),
    ...syntaxErrorFiles(),
    ...generatedCases(),
  };
}

/** Paths (relative to test/conf-differential) whose content on disk differs from generateAll(). */
export function staleGeneratedFiles(): string[] {
  return staleFiles(HERE, generateAll());
}

function main(): void {
  generateOrCheck(HERE, generateAll, 'node --import tsx test/conf-differential/generate.ts');
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) main();
