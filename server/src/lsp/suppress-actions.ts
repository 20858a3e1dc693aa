// Code actions that add a suppression comment for a diagnostic: on the line above it, or at the
// top of the file. The comment syntax is the file's own (# or --).
import { CodeAction, CodeActionKind, type Diagnostic } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { FileKind } from '../engine/types';
import { RULES } from '../rules';
import { toWorkspaceEdit } from './convert';
import { uriToPath } from './convert';

const SUPPRESSIBLE = new Set(RULES.map((r) => r.id));

export function suppressActions(doc: TextDocument, kind: FileKind | undefined, d: Diagnostic, versions: (uri: string) => number | null): CodeAction[] {
  const id = typeof d.code === 'string' ? d.code : undefined;
  if (!kind || !id || !SUPPRESSIBLE.has(id)) return [];
  const file = uriToPath(doc.uri);
  const mark = kind === 'sql' ? '--' : '#';
  const lines = doc.getText().split('\n');
  const line = d.range.start.line;
  const indent = /^[ \t]*/.exec(lines[line] ?? '')![0];
  const eol = (lines[line] ?? '').endsWith('\r') ? '\r\n' : '\n';
  const actions: CodeAction[] = [];
  const make = (title: string, at: number, text: string) => {
    const action = CodeAction.create(title, toWorkspaceEdit([{ file, range: { start: { line: at, character: 0 }, end: { line: at, character: 0 } }, newText: text }], versions), CodeActionKind.QuickFix);
    action.diagnostics = [d];
    actions.push(action);
  };
  // In pg_hba.conf a line ending in a backslash continues into the next: a comment there would break the record.
  const continued = kind === 'hba' && line > 0 && /\\\r?$/.test(lines[line - 1]);
  if (!continued) make(`Disable ${id} for this line`, line, `${indent}${mark} pg-harden-disable-next-line ${id} -- reason${eol}`);
  make(`Disable ${id} for this file`, 0, `${mark} pg-harden-disable-file ${id} -- reason${eol}`);
  return actions;
}
