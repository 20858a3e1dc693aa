import type { HbaRule } from './rule';
import { isWorldRange } from '../engine/hba/address';
import type { HbaRecord } from '../engine/hba/record';
import { CIS_POSTGRES, PG_HBA_DOCS, fix, isReject, methodFix, replaceToken } from './hba-helpers';

/** The documentation networks (RFC 5737, RFC 3849): valid syntax that matches no real client. */
const PLACEHOLDER = { 4: '192.0.2.0/24', 6: '2001:db8::/32' } as const;

function opensEverything(r: HbaRecord): boolean {
  const a = r.address;
  if (!a) return false;
  return a.kind === 'all' || (a.kind === 'ip' && isWorldRange(a.range));
}

export const hbaOpenAddress: HbaRule = {
  id: 'hba-open-address',
  kind: 'hba',
  severity: 'error',
  fix: 'manual',
  docs: {
    summary: 'Records that accept connections from every address: 0.0.0.0/0, ::/0, 0.0.0.0 0.0.0.0 or all.',
    why:
      'An address that matches the whole internet leaves authentication as the only gate: every scanner that finds ' +
      'the port can try passwords, and any weakness in a method or a role becomes remotely exploitable.',
    bad: 'hostssl all all 0.0.0.0/0 scram-sha-256\n',
    good: 'hostssl all all 10.20.0.0/16 scram-sha-256\nhost all all 0.0.0.0/0 reject\n',
    fixNotes:
      'Only you know which networks your clients use: the narrowing fix inserts a documentation network ' +
      '(192.0.2.0/24 or 2001:db8::/32) as a placeholder to replace. Changing the method to reject blocks these connections.',
    references: [
      { title: 'PostgreSQL: The pg_hba.conf File', url: PG_HBA_DOCS },
      { title: 'CIS PostgreSQL Benchmark: restrict pg_hba.conf address ranges', url: CIS_POSTGRES },
    ],
  },
  check({ analysis }, report) {
    for (const r of analysis.records) {
      if (isReject(r) || !opensEverything(r)) continue;
      const a = r.address!;
      const family = a.kind === 'ip' ? a.range.family : 4;
      const narrow = {
        ...fix(`Narrow to your client network (replace the placeholder ${PLACEHOLDER[family]})`, 'manual', [
          ...replaceToken(r, a.token, PLACEHOLDER[family]),
          ...deleteMask(r),
        ]),
        placeholder: true,
      };
      report({
        file: r.source.file,
        range: a.kind === 'ip' && a.maskToken ? { start: a.token.range.start, end: a.maskToken.range.end } : a.token.range,
        message:
          'This record accepts connections from every address, so only the password stands between the internet and the database. List the networks your clients use, or reject.',
        fixes: [narrow, methodFix(r, 'reject', 'Reject these connections (clients that relied on this record lose access)')],
      });
    }
  },
};

/** With a separate netmask field, a CIDR placeholder replaces both fields. */
function deleteMask(r: HbaRecord) {
  const a = r.address;
  if (!a || a.kind !== 'ip' || !a.maskToken || a.maskToken.expandedFrom) return [];
  return [{ file: r.source.file, range: { start: a.token.range.end, end: a.maskToken.range.end }, newText: '' }];
}
