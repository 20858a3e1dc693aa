import type { HbaRule } from './rule';
import { PG_AUTH_METHODS_DOCS, methodFix } from './hba-helpers';

export const hbaIdentOverTcp: HbaRule = {
  id: 'hba-ident-over-tcp',
  kind: 'hba',
  severity: 'warning',
  fix: 'manual',
  docs: {
    summary: 'ident on TCP records: the client machine decides who the user is.',
    why:
      'Over TCP, ident asks an identd on the client machine which user owns the connection. Whoever controls that ' +
      'machine (or answers on its port 113) chooses the answer, so the record trusts the client to name itself.',
    bad: 'host app app 10.0.0.0/8 ident\n',
    good: 'hostssl app app 10.0.0.0/8 scram-sha-256\nlocal app app peer\n',
    fixNotes: 'Switching to scram-sha-256 makes clients send a password they may not have yet.',
    references: [
      { title: 'PostgreSQL: Ident Authentication', url: 'https://www.postgresql.org/docs/current/auth-ident.html' },
      { title: 'PostgreSQL: Authentication Methods', url: PG_AUTH_METHODS_DOCS },
    ],
  },
  check({ analysis }, report) {
    for (const r of analysis.records) {
      if (r.type === 'local' || r.method !== 'ident') continue;
      report({
        file: r.source.file,
        range: r.methodToken.range,
        message:
          'ident over TCP believes whatever the client machine says about its user, so anyone controlling that machine picks their role. Use scram-sha-256 or certificates.',
        fixes: [methodFix(r, 'scram-sha-256', 'Use scram-sha-256 (clients must then supply a password)')],
      });
    }
  },
};
