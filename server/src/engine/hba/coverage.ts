// Does record A match every connection record B would? First match wins in pg_hba.conf,
// so then B is dead. Follows check_hba/check_db/check_role: the conservative answer is "no".
import { rangeCovers } from './address';
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
