import type { HbaRule } from './rule';
import { PG_SSL_DOCS, PG_HBA_DOCS, hostsslFix, isReject, isRemote, methodFix } from './hba-helpers';

export const hbaNoSsl: HbaRule = {
  id: 'hba-no-ssl',
  kind: 'hba',
  severity: 'warning',
  fix: 'manual',
  docs: {
    summary: 'host or hostnossl records that let remote clients connect without TLS.',
    why:
      'A host record accepts unencrypted connections, and hostnossl accepts only those: queries, results and the ' +
      'authentication exchange cross the network in clear, open to sniffing and tampering. hostssl admits only TLS.',
    bad: 'host app app 10.0.0.0/8 scram-sha-256\n',
    good: 'hostssl app app 10.0.0.0/8 scram-sha-256\n',
    fixNotes:
      'hostssl records need ssl = on in postgresql.conf: with ssl off, PostgreSQL refuses the whole pg_hba.conf. ' +
      'Clients that connect without TLS lose access.',
    references: [
      { title: 'PostgreSQL: Secure TCP/IP Connections with SSL', url: PG_SSL_DOCS },
      { title: 'PostgreSQL: The pg_hba.conf File', url: PG_HBA_DOCS },
    ],
  },
  check({ analysis }, report) {
    for (const r of analysis.records) {
      if ((r.type !== 'host' && r.type !== 'hostnossl') || isReject(r) || !isRemote(r)) continue;
      const nossl = r.type === 'hostnossl';
      report({
        file: r.source.file,
        range: r.typeToken.range,
        message: nossl
          ? 'hostnossl admits only unencrypted connections from remote clients: passwords and data cross the network in clear. Reject them and use hostssl.'
          : 'host admits unencrypted connections from remote clients: passwords and data can cross the network in clear. Use hostssl (needs ssl = on).',
        fixes: nossl
          ? [methodFix(r, 'reject', 'Reject unencrypted connections (clients without TLS lose access)')]
          : [hostsslFix(r)],
      });
    }
  },
};
