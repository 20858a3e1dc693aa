// Does record A match every connection record B would? First match wins in pg_hba.conf,
// so then B is dead. Follows check_hba/check_db/check_role: the conservative answer is "no".
import { prefixLength, rangeCovers, type Bytes } from './address';
import type { ConnectionType, HbaRecord } from './record';
import { isKeyword } from './record';
import type { Token } from './tokenize';

/** The transport states a TCP record type admits: plain, TLS, GSSAPI-encrypted. */
const STATES: Record<Exclude<ConnectionType, 'local'>, string> = {
  host: 'ptg',
  hostssl: 't',
  hostnossl: 'pg',
  hostgssenc: 'g',
  hostnogssenc: 'pt',
};

function typeCovers(a: ConnectionType, b: ConnectionType): boolean {
  if (a === 'local' || b === 'local') return a === b;
  return [...STATES[b]].every((s) => STATES[a].includes(s));
}

const sameToken = (a: Token, b: Token) => a.quoted === b.quoted && a.text === b.text;

/** Keywords match by meaning; `all` never matches physical replication, only `replication` does. */
function databaseCovers(as: Token[], bs: Token[]): boolean {
  const aAll = as.some((t) => isKeyword(t, 'all'));
  return bs.every(
    (b) => (aAll && !isKeyword(b, 'replication')) || as.some((a) => sameToken(a, b)),
  );
}

function userCovers(as: Token[], bs: Token[]): boolean {
  if (as.some((t) => isKeyword(t, 'all'))) return true;
  return bs.every((b) => as.some((a) => sameToken(a, b)));
}

function addressCovers(a: HbaRecord, b: HbaRecord): boolean {
  const x = a.address;
  const y = b.address;
  if (!x || !y) return !x && !y;
  if (x.kind === 'all') return true;
  if (x.kind === 'ip' && y.kind === 'ip') return rangeCovers(x.range, y.range);
  if (x.kind === 'hostname' && y.kind === 'hostname') return x.name.toLowerCase() === y.name.toLowerCase();
  return x.kind === y.kind && (x.kind === 'samehost' || x.kind === 'samenet');
}

export function recordCovers(a: HbaRecord, b: HbaRecord): boolean {
  return (
    typeCovers(a.type, b.type) &&
    addressCovers(a, b) &&
    databaseCovers(a.databases, b.databases) &&
    userCovers(a.users, b.users)
  );
}

/**
 * For each record that an earlier record covers, the first such earlier record. Candidates come
 * from an index instead of every earlier record: a covering IP range must be a prefix of the
 * covered one, and only prefix lengths some earlier record uses are looked up, so a
 * 20,000-line file stays fast.
 */
export function findShadowing(records: readonly HbaRecord[]): Map<HbaRecord, HbaRecord> {
  const buckets = new Map<string | number, number[]>();
  const prefixLengths = { 4: new Set<number>(), 6: new Set<number>() };
  const shadowed = new Map<HbaRecord, HbaRecord>();
  records.forEach((b, j) => {
    let first = Infinity;
    for (const key of candidateKeys(b, prefixLengths)) {
      for (const i of buckets.get(key) ?? []) {
        if (i >= first) break;
        if (recordCovers(records[i], b)) {
          first = i;
          break;
        }
      }
    }
    if (first !== Infinity) shadowed.set(b, records[first]);
    const own = ownKey(b);
    const list = buckets.get(own.key);
    if (list) list.push(j);
    else buckets.set(own.key, [j]);
    if (own.prefix !== undefined) prefixLengths[own.prefix.family].add(own.prefix.length);
  });
  return shadowed;
}

/** An IPv4 bucket is a number (prefix, then the masked address): 20,000 lines make many keys. */
function ipKey(family: number, prefix: number, addr: Bytes): string | number {
  if (family === 4) {
    const masked = prefix === 0 ? 0 : (((addr[0] << 24) | (addr[1] << 16) | (addr[2] << 8) | addr[3]) >>> (32 - prefix)) >>> 0;
    return prefix * 2 ** 32 + masked;
  }
  let key = `${family}/${prefix}/`;
  for (let i = 0; i < addr.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    key += (addr[i] & (0xff << (8 - bits)) & 0xff).toString(16) + '.';
  }
  return key;
}

/** The bucket a record is filed under, and its prefix length when it is a plain CIDR range. */
function ownKey(r: HbaRecord): { key: string | number; prefix?: { family: 4 | 6; length: number } } {
  const a = r.address;
  if (!a) return { key: 'local' };
  if (a.kind === 'ip') {
    const length = prefixLength(a.range.mask);
    if (length === undefined) return { key: `odd${a.range.family}` };
    return { key: ipKey(a.range.family, length, a.range.addr), prefix: { family: a.range.family, length } };
  }
  return { key: a.kind === 'hostname' ? `host:${a.name.toLowerCase()}` : a.kind };
}

/** Every bucket that may hold a record covering r. */
function candidateKeys(r: HbaRecord, prefixLengths: Record<4 | 6, Set<number>>): (string | number)[] {
  const a = r.address;
  if (!a) return ['local'];
  if (a.kind !== 'ip') return ['all', ownKey(r).key];
  const keys: (string | number)[] = ['all', `odd${a.range.family}`];
  const p = prefixLength(a.range.mask) ?? a.range.mask.length * 8;
  for (const q of prefixLengths[a.range.family]) if (q <= p) keys.push(ipKey(a.range.family, q, a.range.addr));
  return keys;
}
