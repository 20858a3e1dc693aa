import type { HbaRule } from './rule';
import { CIS_POSTGRES, PG_HBA_DOCS, fix, isReject, isRemote, methodFix } from './hba-helpers';
import type { Token } from '../engine/hba/tokenize';

const SUPERUSER = 'postgres';

export const hbaRemoteSuperuser: HbaRule = {
  id: 'hba-remote-superuser',
  kind: 'hba',
  severity: 'warning',
  fix: 'manual',
  docs: {
    summary: 'The postgres superuser may log in over the network.',
    why:
      'A superuser can read every table, run programs on the server (COPY … PROGRAM) and turn off every other ' +
      'control. Keeping it to the Unix socket (local … peer) means an attacker needs a shell on the machine first.',
    bad: 'hostssl all postgres 10.0.0.0/8 scram-sha-256\n',
    good: 'local all postgres peer\nhostssl all app 10.0.0.0/8 scram-sha-256\n',
    fixNotes: 'Whoever administers the database remotely as postgres loses that access and must use a non-superuser role or log in on the machine.',
    references: [
      { title: 'PostgreSQL: The pg_hba.conf File', url: PG_HBA_DOCS },
      { title: 'CIS PostgreSQL Benchmark: superuser access from the network', url: CIS_POSTGRES },
    ],
  },
  check({ analysis }, report) {
    for (const r of analysis.records) {
      if (r.type === 'local' || isReject(r) || !isRemote(r)) continue;
      const su = r.users.find((u: Token) => u.text === SUPERUSER);
      if (!su) continue;
      const fixes =
        r.users.length === 1
          ? [methodFix(r, 'reject', 'Reject postgres on this record (remote superuser logins stop working)')]
          : r.users.some((u) => u.expandedFrom)
            ? []
            : [
                fix('Remove postgres from this record (it loses network access here)', 'manual', [
                  {
                    file: r.source.file,
                    range: { start: r.users[0].range.start, end: r.users[r.users.length - 1].range.end },
                    newText: r.users.filter((u) => u !== su).map((u) => u.raw).join(','),
                  },
                ]),
              ];
      report({
        file: r.source.file,
        range: su.range,
        message:
          'The postgres superuser can log in from the network here; a stolen or guessed password then owns the whole server. Allow it only over the local socket (local … peer).',
        fixes,
      });
    }
  },
};
