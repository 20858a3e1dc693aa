// Does record A match every connection record B would? First match wins in pg_hba.conf,
// so then B is dead. Follows check_hba/check_db/check_role: the conservative answer is "no".
import { prefixLength, rangeCovers, type Bytes } from './address';
import type { ConnectionType, HbaRecord } from './record';
import { isKeyword } from './record';
import { pushTo } from '../map-lists';
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
  const index = new RecordIndex();
  const shadowed = new Map<HbaRecord, HbaRecord>();
  records.forEach((b, j) => {
    let first = Infinity;
    for (const bucket of index.candidates(b)) {
      for (const i of bucket) {
        if (i >= first) break;
        if (recordCovers(records[i], b)) {
          first = i;
          break;
        }
      }
    }
    if (first !== Infinity) shadowed.set(b, records[first]);
    index.add(b, j);
  });
  return shadowed;
}

/** Record numbers filed by what a covering record must share with the records it covers. */
class RecordIndex {
  /** 'local', 'all', 'samehost', 'samenet', `host:name`, `odd4`/`odd6` (non-contiguous masks), and IPv6 prefixes. */
  private named = new Map<string, number[]>();
  /** IPv4 ranges by prefix length, then by masked address (a 32-bit integer, which V8 keeps unboxed). */
  private v4 = new Map<number, Map<number, number[]>>();
  private v6Lengths = new Set<number>();

  add(r: HbaRecord, j: number) {
    const a = r.address;
    const length = a?.kind === 'ip' ? prefixLength(a.range.mask) : undefined;
    if (a?.kind === 'ip' && length !== undefined && a.range.family === 4) {
      let byAddress = this.v4.get(length);
      if (!byAddress) this.v4.set(length, (byAddress = new Map()));
      pushTo(byAddress, v4Key(length, a.range.addr), j);
      return;
    }
    if (a?.kind === 'ip' && length !== undefined) this.v6Lengths.add(length);
    pushTo(this.named, namedKey(r, length), j);
  }

  /** Every bucket that may hold a record covering r. */
  candidates(r: HbaRecord): number[][] {
    const a = r.address;
    const out: number[][] = [];
    const named = (key: string) => {
      const bucket = this.named.get(key);
      if (bucket) out.push(bucket);
    };
    if (!a) {
      named('local');
      return out;
    }
    named('all');
    if (a.kind !== 'ip') {
      named(namedKey(r, undefined));
      return out;
    }
    named(`odd${a.range.family}`);
    const p = prefixLength(a.range.mask) ?? a.range.mask.length * 8;
    if (a.range.family === 4) {
      for (const [q, byAddress] of this.v4) {
        const bucket = q <= p ? byAddress.get(v4Key(q, a.range.addr)) : undefined;
        if (bucket) out.push(bucket);
      }
    } else {
      for (const q of this.v6Lengths) if (q <= p) named(v6Key(q, a.range.addr));
    }
    return out;
  }
}

/** The first `prefix` bits of an IPv4 address, as a signed 32-bit integer. */
const v4Key = (prefix: number, addr: Bytes) =>
  prefix === 0 ? 0 : (((addr[0] << 24) | (addr[1] << 16) | (addr[2] << 8) | addr[3]) >>> (32 - prefix)) | 0;

function v6Key(prefix: number, addr: Bytes): string {
  let key = `6/${prefix}/`;
  for (let i = 0; i < addr.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    key += (addr[i] & (0xff << (8 - bits)) & 0xff).toString(16) + '.';
  }
  return key;
}

/** The bucket of a record that is not a plain IPv4 range (`length`: its IPv6 prefix length, if plain). */
function namedKey(r: HbaRecord, length: number | undefined): string {
  const a = r.address;
  if (!a) return 'local';
  if (a.kind === 'ip') return length === undefined ? `odd${a.range.family}` : v6Key(length, a.range.addr);
  return a.kind === 'hostname' ? `host:${a.name.toLowerCase()}` : a.kind;
}
