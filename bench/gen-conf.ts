// pg_hba.conf and postgresql.conf the size of a large fleet's: thousands of per-service records,
// a long commented configuration split over include files.

/** `lines` lines of pg_hba.conf: comment headers, per-service records (a few weak, a few shadowed), a final reject. */
export function hbaConf(lines: number, rand: () => number): string {
  const out = ['# pg_hba.conf generated for the benchmark', '# TYPE  DATABASE  USER  ADDRESS  METHOD', 'local   all       postgres          peer'];
  let n = 0;
  while (out.length < lines - 1) {
    if (n % 20 === 0) out.push('', `# services ${n}..${n + 19}`);
    const db = `db_${n % 200}`;
    const user = `svc_${n}`;
    const addr = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}/32`;
    const r = rand();
    if (r < 0.02) out.push(`host    ${db}  ${user}  ${addr}  md5`);
    else if (r < 0.03) out.push(`host    ${db}  ${user}  ${addr}  scram-sha-256`); // no TLS
    else if (r < 0.04) out.push(`hostssl ${db}  ${user}  ${addr}  scram-sha-256`, `hostssl ${db}  ${user}  ${addr}  reject`); // shadowed
    else if (r < 0.06) out.push(`hostssl ${db}  +group_${n % 50}  10.${(n >> 8) & 255}.${n & 255}.0/24  scram-sha-256 clientcert=verify-full`);
    else if (r < 0.07) out.push(`hostssl ${db}  ${user}  fd00:${(n & 0xffff).toString(16)}::/64  scram-sha-256`);
    else out.push(`hostssl ${db}  ${user}  ${addr}  scram-sha-256`);
    n++;
  }
  out.push('host    all       all       0.0.0.0/0    reject');
  return out.slice(0, lines).join('\n') + '\n';
}

/** The small postgresql.conf beside the pg_hba.conf, so its hostssl records are judged against ssl = on. */
export function hbaSiblingConf(): string {
  return ["listen_addresses = '10.0.0.5'", 'ssl = on', "ssl_cert_file = 'server.crt'", "ssl_key_file = 'server.key'", "password_encryption = 'scram-sha-256'", ''].join('\n');
}

const SETTINGS: [string, string][] = [
  ['max_connections', '200'],
  ['shared_buffers', "'4GB'"],
  ['work_mem', "'64MB'"],
  ['maintenance_work_mem', "'1GB'"],
  ['effective_cache_size', "'12GB'"],
  ['random_page_cost', '1.1'],
  ['checkpoint_timeout', "'15min'"],
  ['max_wal_size', "'8GB'"],
  ['min_wal_size', "'1GB'"],
  ['wal_level', 'replica'],
  ['max_wal_senders', '10'],
  ['log_min_duration_statement', "'500ms'"],
  ['log_connections', 'on'],
  ['log_disconnections', 'on'],
  ['log_line_prefix', "'%m [%p] %q%u@%d '"],
  ['log_statement', "'ddl'"],
  ['ssl', 'on'],
  ['ssl_min_protocol_version', "'TLSv1.2'"],
  ['password_encryption', "'scram-sha-256'"],
  ['listen_addresses', "'localhost'"],
  ['autovacuum_max_workers', '4'],
  ['autovacuum_naptime', "'30s'"],
  ['statement_timeout', "'60s'"],
  ['idle_in_transaction_session_timeout', "'5min'"],
  ['timezone', "'UTC'"],
  ['datestyle', "'iso, mdy'"],
  ['default_statistics_target', '200'],
  ['jit', 'off'],
];

/**
 * A postgresql.conf of `lines` lines (mostly comments and commented-out defaults, as the sample file
 * is), with `include`, `include_if_exists` and `include_dir` fragments of lines/10 each setting custom
 * parameters. Returns each file's path relative to the folder and its text.
 */
export function postgresqlConf(lines: number, rand: () => number): Map<string, string> {
  const files = new Map<string, string>();
  const fragmentLines = Math.max(10, Math.floor(lines / 10));
  const fragment = (prefix: string, count: number) => {
    const out = [`# ${prefix} settings`];
    for (let i = 0; out.length < count; i++) out.push(i % 4 === 0 ? `# ${prefix} note ${i}` : `${prefix}.setting_${i} = '${Math.floor(rand() * 1000)}'`);
    return out.join('\n') + '\n';
  };
  files.set('extra.conf', fragment('extra', fragmentLines));
  files.set('conf.d/10-app.conf', fragment('app', fragmentLines));
  files.set('conf.d/20-audit.conf', fragment('audit', fragmentLines));
  const main = ['# postgresql.conf generated for the benchmark', ''];
  const budget = lines - 3;
  let section = 0;
  while (main.length < budget - 4) {
    main.push(`#------------------------------------------------------------------------------`, `# SECTION ${section}`, `#------------------------------------------------------------------------------`, '');
    for (let i = 0; i < 30 && main.length < budget - 4; i++) {
      const [name, value] = SETTINGS[(section * 7 + i) % SETTINGS.length];
      main.push(`#${name} = ${value}\t\t# (change requires restart)`);
    }
    // Each real parameter is set once, in its own section; later sections only comment.
    if (section < SETTINGS.length) main.push(`${SETTINGS[section][0]} = ${SETTINGS[section][1]}`);
    main.push('');
    section++;
  }
  main.push("include 'extra.conf'", "include_if_exists 'missing-local.conf'", "include_dir 'conf.d'");
  files.set('postgresql.conf', main.join('\n') + '\n');
  return files;
}
