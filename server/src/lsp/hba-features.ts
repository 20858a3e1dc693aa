// Hover and document symbols for pg_hba.conf: what each keyword and method means, and the records
// as an outline.
import { MarkupKind, SymbolKind, type DocumentSymbol, type Hover, type Position } from 'vscode-languageserver/node';
import { logicalLines, tokenizeLine } from '../engine/hba/tokenize';

const HBA_DOCS = 'https://www.postgresql.org/docs/current/auth-pg-hba-conf.html';

/** Connection types, keywords and methods, in PostgreSQL's words (client authentication chapter). */
const KEYWORDS: Record<string, string> = {
  local: 'Connections over the Unix-domain socket. Without such a record, socket connections are refused.',
  host: 'TCP/IP connections, with or without SSL or GSSAPI encryption: traffic may cross the network in clear.',
  hostssl: 'TCP/IP connections made with SSL encryption only. Needs `ssl = on` in postgresql.conf.',
  hostnossl: 'TCP/IP connections that do not use SSL.',
  hostgssenc: 'TCP/IP connections made with GSSAPI encryption only.',
  hostnogssenc: 'TCP/IP connections that do not use GSSAPI encryption.',
  all: 'Matches every database (database column) or every role (user column).',
  sameuser: 'Matches when the database has the same name as the requested role.',
  samerole: 'Matches when the requested role is a member of the role named like the database.',
  samegroup: 'Old spelling of samerole.',
  replication: 'Matches physical replication connections (not logical replication, which names a database).',
  samehost: "Matches any of the server's own IP addresses.",
  samenet: 'Matches any address in a subnet the server is directly connected to.',
  trust: 'Allows the connection with no password or other authentication: anyone who can reach the server may log in as any role, superusers included.',
  reject: 'Rejects the connection unconditionally. Useful to filter out hosts or roles before broader records.',
  'scram-sha-256': 'SCRAM-SHA-256 password authentication: the password never crosses the wire, and the stored verifier cannot be replayed. The recommended password method.',
  md5: 'MD5 challenge-response, or SCRAM when the stored password is a SCRAM verifier. The stored MD5 hash is itself a login credential; MD5 passwords are deprecated.',
  password: 'Sends the password in clear text: anyone who can read the traffic learns it. Never use it without TLS.',
  peer: "Takes the client's operating-system user name from the kernel and compares it with the role (local connections only).",
  ident: "Asks an ident server on the client's machine for the user name: over TCP it trusts whatever that machine answers.",
  gss: 'GSSAPI (Kerberos) authentication.',
  sspi: 'SSPI (Windows single sign-on) authentication.',
  ldap: 'Checks the password against an LDAP server: the password reaches the database server in clear, so require TLS.',
  radius: 'Checks the password against a RADIUS server: the password reaches the database server in clear, so require TLS.',
  cert: 'Authenticates with SSL client certificates (hostssl only).',
  pam: 'Pluggable Authentication Modules: the password reaches the server in clear, so require TLS.',
  bsd: 'BSD Authentication: the password reaches the server in clear, so require TLS.',
  oauth: 'OAuth 2.0 bearer tokens checked by a validator module (PostgreSQL 18+).',
  include: 'Includes another file here, as if its lines were written in its place (PostgreSQL 16+).',
  include_if_exists: 'Includes another file here, if it exists (PostgreSQL 16+).',
  include_dir: 'Includes every .conf file of a directory, in file-name order (PostgreSQL 16+).',
};

/** The unquoted token under the cursor, when it is one PostgreSQL gives a meaning. */
export function hbaHover(text: string, pos: Position): Hover | null {
  for (const l of logicalLines(text, true)) {
    if (pos.line < l.line || pos.line > l.endLine) continue;
    const { fields } = tokenizeLine(l, (t) => [t]);
    for (const t of fields.flat()) {
      const { start, end } = t.range;
      const inside = (pos.line > start.line || pos.character >= start.character) && (pos.line < end.line || pos.character <= end.character);
      if (!inside || t.quoted) continue;
      const key = t.text.startsWith('+') ? '+' : t.text.toLowerCase();
      const doc = key === '+' ? `Matches every role that is a member of \`${t.text.slice(1)}\`, directly or indirectly.` : KEYWORDS[key];
      return doc ? { contents: { kind: MarkupKind.Markdown, value: `**${t.text}**: ${doc}\n\n[PostgreSQL: The pg_hba.conf File](${HBA_DOCS})` }, range: t.range } : null;
    }
  }
  return null;
}

/** Each record as an outline entry, named by its columns. */
export function hbaSymbols(text: string): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  for (const l of logicalLines(text, true)) {
    const { fields } = tokenizeLine(l, (t) => [t]);
    if (!fields.length) continue;
    const first = fields[0][0];
    const last = fields[fields.length - 1].at(-1)!;
    const range = { start: first.range.start, end: last.range.end };
    const words = fields.map((f) => f.map((t) => t.raw).join(','));
    out.push({
      name: words.slice(0, 3).join(' '),
      detail: words.slice(3).join(' '),
      kind: first.text.startsWith('include') ? SymbolKind.File : SymbolKind.Field,
      range,
      selectionRange: first.range,
    });
  }
  return out;
}
