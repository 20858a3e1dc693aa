import type { HbaRule } from './rule';
import { CIS_POSTGRES, PG_AUTH_METHODS_DOCS, methodFix } from './hba-helpers';

export const hbaTrust: HbaRule = {
  id: 'hba-trust',
  kind: 'hba',
  severity: 'error',
  fix: 'manual',
  docs: {
    summary: 'Records with method trust: anyone who reaches them logs in as any listed role, with no password.',
    why:
      'trust skips authentication entirely. Over TCP, anyone who can reach the port becomes any role the record lists, ' +
      'superusers included. On a Unix socket (local, reported as a warning) every operating-system user on the machine can.',
    bad: 'host all all 10.0.0.0/8 trust\n',
    good: 'hostssl all all 10.0.0.0/8 scram-sha-256\n',
    fixNotes:
      'Switching to scram-sha-256 makes clients send a password; roles without a SCRAM password can no longer log in. ' +
      'peer (local only) admits only the operating-system user of the same name.',
    references: [
      { title: 'PostgreSQL: Trust Authentication', url: 'https://www.postgresql.org/docs/current/auth-trust.html' },
      { title: 'PostgreSQL: Authentication Methods', url: PG_AUTH_METHODS_DOCS },
      { title: 'CIS PostgreSQL Benchmark: ensure login via local/host is configured correctly', url: CIS_POSTGRES },
    ],
  },
  check({ analysis }, report) {
    for (const r of analysis.records) {
      if (r.method !== 'trust') continue;
      const local = r.type === 'local';
      const fixes = [
        methodFix(r, 'scram-sha-256', 'Require a password: use scram-sha-256 (roles without a SCRAM password can no longer log in)'),
      ];
      if (local)
        fixes.push(methodFix(r, 'peer', 'Use peer: only the operating-system user of the same name may log in as a role'));
      report({
        file: r.source.file,
        range: r.methodToken.range,
        severity: local ? 'warning' : 'error',
        message: local
          ? 'trust lets every operating-system user on this machine log in as any listed role without a password. Use peer or scram-sha-256.'
          : 'trust lets anyone who can reach this address log in as any listed role without a password. Use scram-sha-256.',
        fixes,
      });
    }
  },
};
