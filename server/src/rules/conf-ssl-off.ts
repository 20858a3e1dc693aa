import type { ConfRule } from './rule';
import { PG_SSL_DOCS, effectiveBool, reportParam, setParamFix } from './conf-helpers';

export const SSL_ON_TITLE =
  'Turn TLS on: ssl = on (the server needs ssl_cert_file and ssl_key_file, server.crt and server.key in the data directory by default, or it will not start)';

export const confSslOff: ConfRule = {
  id: 'conf-ssl-off',
  kind: 'conf',
  severity: 'error',
  fix: 'manual',
  docs: {
    summary: 'ssl off (an error), or left at its default, off, in a main postgresql.conf (a hint).',
    why:
      'Without ssl the server cannot offer TLS: passwords, queries and results cross the network in clear, and ' +
      'hostssl records in pg_hba.conf can never match.',
    bad: 'ssl = off\n',
    good: "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n",
    fixNotes:
      'With ssl = on the server needs a certificate and a private key (ssl_cert_file, ssl_key_file; server.crt and ' +
      'server.key in the data directory by default): without them it will not start.',
    references: [{ title: 'PostgreSQL: Secure TCP/IP Connections with SSL', url: PG_SSL_DOCS }],
  },
  check(ctx, report) {
    const a = ctx.analysis;
    reportParam(
      ctx,
      report,
      'ssl',
      (s) => !s || effectiveBool(a, 'ssl', ctx.pgVersion) === false,
      (s) => ({
        severity: s ? 'error' : 'hint',
        message: s
          ? 'ssl is off: passwords and data cross the network in clear, and hostssl records never match. Turn it on with a certificate and key.'
          : 'ssl is not set, so it is off: the server cannot offer TLS. Set ssl = on with a certificate and key.',
        fixes: [setParamFix(a, 'ssl', 'on', SSL_ON_TITLE, 'manual')!],
      }),
    );
  },
};
