// The meaning of one pg_hba.conf record, and PostgreSQL's verdict on it (parse_hba_line in hba.c).
import type { Range } from '../types';
import type { Token } from './tokenize';
import type { IpRange } from './address';
import type { SourceLine } from './read';

export const CONNECTION_TYPES = ['local', 'host', 'hostssl', 'hostnossl', 'hostgssenc', 'hostnogssenc'] as const;
export type ConnectionType = (typeof CONNECTION_TYPES)[number];

export type Method =
  | 'trust'
  | 'reject'
  | 'md5'
  | 'password'
  | 'scram-sha-256'
  | 'gss'
  | 'sspi'
  | 'ident'
  | 'peer'
  | 'pam'
  | 'ldap'
  | 'radius'
  | 'cert'
  | 'bsd'
  | 'oauth';

export const METHODS: readonly Method[] = [
  'trust', 'reject', 'md5', 'password', 'scram-sha-256', 'gss', 'sspi',
  'ident', 'peer', 'pam', 'ldap', 'radius', 'cert', 'bsd', 'oauth',
];

export type Address =
  | { kind: 'all' | 'samehost' | 'samenet'; token: Token }
  | { kind: 'hostname'; token: Token; name: string }
  | { kind: 'ip'; token: Token; range: IpRange; maskToken?: Token };

export interface AuthOption {
  name: string;
  value: string;
  token: Token;
}

export interface HbaRecord {
  source: SourceLine;
  type: ConnectionType;
  typeToken: Token;
  databases: Token[];
  users: Token[];
  /** Absent for local records. */
  address?: Address;
  /** As written; for `ident` on a local record PostgreSQL uses peer (see effectiveMethod). */
  method: Method;
  methodToken: Token;
  /** Shared and empty on the many records without options. */
  options: readonly AuthOption[];
}

export interface HbaError {
  message: string;
  range: Range;
}

/** A token that is a keyword only when unquoted (token_is_keyword in hba.c). */
export const isKeyword = (t: Token, word: string) => !t.quoted && t.text === word;

/** ident on a Unix socket means peer (hba.c, for backwards compatibility). */
export const effectiveMethod = (type: ConnectionType, method: Method): Method =>
  type === 'local' && method === 'ident' ? 'peer' : method;
