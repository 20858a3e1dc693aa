// Shared vocabulary for the pg_hba.conf rules: what counts as remote, and the edits fixes make.
import type { Fix, FixSafety, TextEdit } from '../engine/types';
import { isLoopbackRange } from '../engine/hba/address';
import type { HbaRecord, Method } from '../engine/hba/record';
import { optionAllowed } from '../engine/hba/options';
import type { Token } from '../engine/hba/tokenize';

export const PG_HBA_DOCS = 'https://www.postgresql.org/docs/current/auth-pg-hba-conf.html';
export const PG_AUTH_METHODS_DOCS = 'https://www.postgresql.org/docs/current/auth-methods.html';
export const PG_SSL_DOCS = 'https://www.postgresql.org/docs/current/ssl-tcp.html';
export const CIS_POSTGRES = 'https://www.cisecurity.org/benchmark/postgresql';

export const isReject = (r: HbaRecord) => r.method === 'reject';

/** A TCP record whose address can be reached from another machine. */
export function isRemote(r: HbaRecord): boolean {
  const a = r.address;
  if (!a) return false;
  switch (a.kind) {
    case 'samehost':
      return false;
    case 'hostname':
      return a.name.toLowerCase() !== 'localhost';
    case 'ip':
      return !isLoopbackRange(a.range);
    default:
      return true;
  }
}

export const recordLabel = (r: HbaRecord) => `line ${r.source.line + 1}`;

/** Edits only tokens written in the file itself, not ones pulled in from an @file. */
export function replaceToken(r: HbaRecord, token: Token, newText: string): TextEdit[] {
  if (token.expandedFrom) return [];
  return [{ file: r.source.file, range: token.range, newText }];
}

export function fix(title: string, safety: FixSafety, edits: TextEdit[]): Fix {
  return { title, safety, edits };
}

/** Changes the method, dropping options the new method does not accept (PostgreSQL would refuse them). */
export function methodFix(r: HbaRecord, method: Method, title: string, pgVersion = 17): Fix {
  const tokens = r.source.fields.flat();
  const edits = replaceToken(r, r.methodToken, method);
  for (const o of r.options) {
    if (optionAllowed(o.name, method, pgVersion)) continue;
    if (o.token.expandedFrom) return fix(title, 'manual', []);
    const before = tokens[tokens.indexOf(o.token) - 1];
    edits.push({ file: r.source.file, range: { start: before.range.end, end: o.token.range.end }, newText: '' });
  }
  return fix(title, 'manual', edits);
}

export const hostsslFix = (r: HbaRecord): Fix =>
  fix(
    'Require TLS: change to hostssl (the server must have ssl = on, or PostgreSQL refuses the whole file)',
    'manual',
    replaceToken(r, r.typeToken, 'hostssl'),
  );
