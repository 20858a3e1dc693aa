// Hover, completion and document symbols for postgresql.conf, from the catalog of the chosen version.
import {
  CompletionItemKind,
  MarkupKind,
  SymbolKind,
  type CompletionItem,
  type DocumentSymbol,
  type Hover,
  type Position,
} from 'vscode-languageserver/node';
import { catalogFor, lookupParam, type ParamInfo } from '../engine/conf/catalog';
import { lex } from '../engine/conf/lexer';
import { parseConf } from '../engine/conf/parse';
import type { FileSystem } from '../engine/types';
import { RULES } from '../rules';

/** Parameters a rule gives advice on, and the advice's summary. */
const ADVICE: Record<string, string[]> = {
  listen_addresses: ['conf-listen-all'],
  ssl: ['conf-ssl-off', 'hba-hostssl-without-ssl'],
  ssl_min_protocol_version: ['conf-ssl-min-protocol'],
  ssl_ciphers: ['conf-ssl-weak-ciphers'],
  password_encryption: ['conf-password-encryption', 'hba-scram-needs-scram-passwords'],
  log_connections: ['conf-log-connections'],
  log_disconnections: ['conf-log-disconnections'],
  log_statement: ['conf-log-statement', 'conf-log-secrets'],
  log_line_prefix: ['conf-log-line-prefix'],
  shared_preload_libraries: ['conf-pgaudit'],
  log_min_duration_statement: ['conf-log-secrets'],
  unix_socket_permissions: ['conf-socket-permissions'],
};

const CONTEXT: Record<string, string> = {
  postmaster: 'needs a server restart',
  sighup: 'takes effect on reload',
  superuser: 'reload; superusers can also SET it per session',
  user: 'reload; any user can also SET it per session',
  backend: 'applies to new sessions after a reload',
  'superuser-backend': 'applies to new sessions after a reload',
  internal: 'cannot be changed (set at build or initdb time)',
};

export function describeParam(p: ParamInfo, pgVersion: number): string {
  const lines = [`**${p.name}** (${p.type}${p.unit ? `, unit ${p.unit}` : ''}) — PostgreSQL ${pgVersion}`, '', p.description, ''];
  if (p.enumValues?.length) lines.push(`Allowed values: ${p.enumValues.map((v) => `\`${v || "''"}\``).join(', ')}`);
  if (p.min !== undefined && p.max !== undefined) lines.push(`Range: ${p.min} .. ${p.max}${p.unit ? ` (${p.unit})` : ''}`);
  lines.push(`Default: \`${p.default === '' ? "''" : p.default}\``, `Changing it ${CONTEXT[p.context] ?? p.context}.`);
  const advice = (ADVICE[p.name] ?? []).map((id) => RULES.find((r) => r.id === id)).filter((r) => r !== undefined);
  if (advice.length) lines.push('', '**Security**', ...advice.map((r) => `- \`${r.id}\`: ${r.docs.summary}`));
  return lines.join('\n');
}

/** The parameter name under the cursor, from the lexer's tokens on that line. */
function nameAt(text: string, pos: Position): string | undefined {
  const line = text.split('\n')[pos.line] ?? '';
  const tokens = lex(line).filter((t) => t.kind !== 'EOL');
  const first = tokens[0];
  if (!first || (first.kind !== 'ID' && first.kind !== 'QUALIFIED_ID')) return undefined;
  const onName = pos.character >= first.start && pos.character <= first.end;
  return onName ? first.text : undefined;
}

export function confHover(text: string, pos: Position, pgVersion: number): Hover | null {
  const name = nameAt(text, pos);
  const p = name ? lookupParam(name, pgVersion) : undefined;
  return p ? { contents: { kind: MarkupKind.Markdown, value: describeParam(p, pgVersion) } } : null;
}

export function confCompletion(text: string, pos: Position, pgVersion: number): CompletionItem[] {
  const before = (text.split('\n')[pos.line] ?? '').slice(0, pos.character);
  if (before.includes('#')) return [];
  const valueMatch = /^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(=\s*|\s+)'?([^']*)$/.exec(before);
  if (valueMatch) {
    const p = lookupParam(valueMatch[1], pgVersion);
    const values = p?.type === 'enum' ? p.enumValues ?? [] : p?.type === 'bool' ? ['on', 'off'] : [];
    return values.map((v) => ({ label: v || "''", kind: CompletionItemKind.EnumMember, insertText: v }));
  }
  if (!/^\s*[A-Za-z_]*$/.test(before)) return [];
  return [...catalogFor(pgVersion).values()].map((p) => ({
    label: p.name,
    kind: CompletionItemKind.Property,
    detail: `${p.type}${p.unit ? ` (${p.unit})` : ''}, default ${p.default === '' ? "''" : p.default}`,
    documentation: { kind: MarkupKind.Markdown, value: describeParam(p, pgVersion) },
  }));
}

/** This file's own settings: includes are not followed. */
export function confSymbols(file: string, text: string): DocumentSymbol[] {
  const noIncludes: FileSystem = { readFile: () => ({ code: 'ENOENT' }), readDir: () => ({ code: 'ENOENT' }) };
  return parseConf(file, text, noIncludes)
    .settings.filter((s) => s.file === file)
    .map((s) => ({ name: s.name, detail: s.rawValue, kind: SymbolKind.Property, range: s.range, selectionRange: s.nameRange }));
}
