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
 * covered one, and only prefix lengths some earlier record uses are looked up; within one address,
 * a covering record names `all` or the covered record's first database, and likewise its first
 * user. So a 20,000-line file stays fast, also when every line has the same address and other
 * users (which, with the address alone, took 100 s).
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
  private named = new Map<string, NameIndex>();
  /** IPv4 ranges by prefix length, then by masked address (a 32-bit integer, which V8 keeps unboxed). */
  private v4 = new Map<number, Map<number, NameIndex>>();
  private v6Lengths = new Set<number>();

  add(r: HbaRecord, j: number) {
    const a = r.address;
    const length = a?.kind === 'ip' ? prefixLength(a.range.mask) : undefined;
    if (a?.kind === 'ip' && length !== undefined && a.range.family === 4) {
      let byAddress = this.v4.get(length);
      if (!byAddress) this.v4.set(length, (byAddress = new Map()));
      filed(byAddress, v4Key(length, a.range.addr)).add(r, j);
      return;
    }
    if (a?.kind === 'ip' && length !== undefined) this.v6Lengths.add(length);
    filed(this.named, namedKey(r, length)).add(r, j);
  }

  /** Every bucket that may hold a record covering r. */
  candidates(r: HbaRecord): number[][] {
    const a = r.address;
    const out: number[][] = [];
    const named = (key: string) => this.named.get(key)?.candidates(r, out);
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
      for (const [q, byAddress] of this.v4) if (q <= p) byAddress.get(v4Key(q, a.range.addr))?.candidates(r, out);
    } else {
      for (const q of this.v6Lengths) if (q <= p) named(v6Key(q, a.range.addr));
    }
    return out;
  }
}

function filed<K>(map: Map<K, NameIndex>, key: K): NameIndex {
  let index = map.get(key);
  if (!index) map.set(key, (index = new NameIndex()));
  return index;
}

/** A record that names more database and user pairs than this (or none) is filed once, as a candidate for every record. */
const MAX_PAIRS = 64;
const ANY = '*';
const WIDE = 'wide';

/** An address with fewer records than this keeps them in one list: a pair index costs more than it saves there. */
const FEW = 32;

/**
 * The records of one address, by database and user: a record that covers another names `all` (filed
 * as ANY) or each of its databases, in particular the first; the same for users.
 */
class NameIndex {
  /** While the address has few records: all of them, in order. */
  private few: number[] = [];
  private fewRecords: HbaRecord[] = [];
  private byPair?: Map<string, number[]>;

  add(r: HbaRecord, j: number) {
    if (this.byPair) return this.file(r, j);
    this.few.push(j);
    this.fewRecords.push(r);
    if (this.few.length < FEW) return;
    this.byPair = new Map();
    this.fewRecords.forEach((x, k) => this.file(x, this.few[k]));
    this.few = [];
    this.fewRecords = [];
  }

  private file(r: HbaRecord, j: number) {
    const byPair = this.byPair!;
    const dbs = nameKeys(r.databases);
    const users = nameKeys(r.users);
    if (!dbs.length || !users.length || dbs.length * users.length > MAX_PAIRS) pushTo(byPair, WIDE, j);
    else for (const d of dbs) for (const u of users) pushTo(byPair, `${d}\0${u}`, j);
  }

  candidates(r: HbaRecord, out: number[][]) {
    // A record with no database or no user is covered whatever the others name there.
    if (!this.byPair || !r.databases.length || !r.users.length) {
      out.push(this.few, ...(this.byPair?.values() ?? []));
      return;
    }
    const d = tokenKey(r.databases[0]);
    const u = tokenKey(r.users[0]);
    for (const key of [WIDE, `${ANY}\0${ANY}`, `${ANY}\0${u}`, `${d}\0${ANY}`, `${d}\0${u}`]) {
      const bucket = this.byPair.get(key);
      if (bucket) out.push(bucket);
    }
  }
}

/** How a name matches (sameToken): quoted or not, and its text. */
const tokenKey = (t: Token) => `${t.quoted ? '"' : ''}${t.text}`;

/** The keys a covering record is filed under: ANY for `all`, else each name. */
const nameKeys = (tokens: Token[]) => (tokens.some((t) => isKeyword(t, 'all')) ? [ANY] : [...new Set(tokens.map(tokenKey))]);

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
