// Between the engine's findings and LSP's diagnostics and edits.
import * as path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import {
  CodeAction,
  CodeActionKind,
  DiagnosticSeverity,
  type Diagnostic,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import type { Finding, Fix, Severity, TextEdit } from '../engine/types';
import { RULES } from '../rules';
import { pushTo } from '../engine/map-lists';
import { RecentMap } from '../engine/recent';

export const SOURCE = 'pg-hardening';
export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.pg-hardening`;

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export const uriToPath = (uri: string) => (uri.startsWith('file:') ? fileURLToPath(uri) : uri);
export const pathToUri = (file: string) => remembered(uris, file, () => (path.isAbsolute(file) ? pathToFileURL(file).href : file));

/** The rule's page, shipped with the extension next to the server bundle. */
export const docUri = (rule: string) => remembered(docUris, rule, () => pathToFileURL(path.join(__dirname, '..', 'docs', 'rules', `${rule}.md`)).href);

/**
 * URIs made once per path: a keystroke in a migration converts a path for every file of its
 * history and every finding, and pathToFileURL took 3.4 ms of such a keystroke in 1,000 files.
 */
const uris = new RecentMap<string, string>(16_384);
const docUris = new Map<string, string>();
function remembered(made: Map<string, string>, key: string, make: () => string): string {
  let value = made.get(key);
  if (value === undefined) made.set(key, (value = make()));
  return value;
}

/** Rules have doc pages; the engine's own reports (internal errors, unused suppressions) do not. */
const DOCUMENTED = new Set(RULES.map((r) => r.id));

export interface DiagnosticData {
  fixes: Fix[];
}

export function toDiagnostic(f: Finding): Diagnostic {
  const d: Diagnostic = {
    range: f.range,
    severity: SEVERITY[f.severity],
    source: SOURCE,
    code: f.rule,
    message: f.message,
    data: { fixes: f.fixes } satisfies DiagnosticData,
  };
  if (DOCUMENTED.has(f.rule)) d.codeDescription = { href: docUri(f.rule) };
  if (f.related?.length)
    d.relatedInformation = f.related.map((r) => ({ location: { uri: pathToUri(r.file), range: r.range }, message: r.message }));
  return d;
}

export function toWorkspaceEdit(edits: TextEdit[], versions: (uri: string) => number | null): WorkspaceEdit {
  const byUri = new Map<string, LspTextEdit[]>();
  for (const e of edits) {
    pushTo(byUri, pathToUri(e.file), { range: e.range, newText: e.newText });
  }
  return {
    documentChanges: [...byUri].map(([uri, list]) => ({ textDocument: { uri, version: versions(uri) }, edits: list })),
  };
}

export function fixAction(fix: Fix, diagnostic: Diagnostic, versions: (uri: string) => number | null): CodeAction {
  const action = CodeAction.create(
    fix.safety === 'safe' ? fix.title : `${fix.title} [manual: review before saving]`,
    toWorkspaceEdit(fix.edits, versions),
    CodeActionKind.QuickFix,
  );
  action.diagnostics = [diagnostic];
  if (fix.safety === 'safe') action.isPreferred = true;
  return action;
}
