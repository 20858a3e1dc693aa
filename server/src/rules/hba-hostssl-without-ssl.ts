import type { HbaRule } from './rule';
import { PG_SSL_DOCS } from './hba-helpers';
import { effectiveBool, setParamFix } from './conf-helpers';
import { SSL_ON_TITLE } from './conf-ssl-off';

export const HOSTSSL_SSL_OFF = 'hostssl record cannot match because SSL is disabled';

export const hbaHostsslWithoutSsl: HbaRule = {
  id: 'hba-hostssl-without-ssl',
  kind: 'hba',
  severity: 'error',
  fix: 'manual',
  docs: {
    summary: 'hostssl records while the postgresql.conf beside pg_hba.conf leaves ssl off.',
    why:
      'With ssl off, no connection uses TLS, so no hostssl record can ever match: the clients it was written for ' +
      'fall through to later records or are rejected. PostgreSQL logs "hostssl record cannot match because SSL is disabled".',
    bad: 'hostssl app app 10.0.0.0/8 scram-sha-256\n',
    good: 'hostssl app app 10.0.0.0/8 scram-sha-256\n',
    companion: { file: 'postgresql.conf', bad: 'ssl = off\n', good: "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n" },
    fixNotes:
      'ssl = on needs a certificate and key (ssl_cert_file, ssl_key_file), or the server will not start.',
    references: [{ title: 'PostgreSQL: Secure TCP/IP Connections with SSL', url: PG_SSL_DOCS }],
  },
  check({ analysis, serverConf, pgVersion }, report) {
    if (!serverConf || effectiveBool(serverConf, 'ssl', pgVersion) === true) return;
    const fix = setParamFix(serverConf, 'ssl', 'on', `${SSL_ON_TITLE}, in postgresql.conf`, 'manual');
    for (const r of analysis.records) {
      if (r.type !== 'hostssl') continue;
      report({
        file: r.source.file,
        range: r.typeToken.range,
        message: `${HOSTSSL_SSL_OFF}: the postgresql.conf beside this file leaves ssl off, so this record never applies. Set ssl = on (with a certificate and key).`,
        fixes: fix ? [fix] : [],
      });
    }
  },
};
