// The "PostgreSQL Hardening: Insert …" commands: put a template into the editor as a snippet, or
// into a new untitled document of the template's language when the active editor is another kind.
import * as vscode from 'vscode';
import { TEMPLATES, scramRoleSql, tenantRlsBody, type Template, type TemplateLanguage } from '../../server/src/templates';
import { scramVerifier } from '../../server/src/engine/scram';

/** Snippet syntax treats $, } and \ specially: what a person typed must stay literal. */
const escapeSnippet = (s: string) => s.replace(/[$}\\]/g, (c) => `\\${c}`);

/** An identifier as typed: a bare or schema-qualified name, each part plain or double-quoted. */
const IDENTIFIER = /^(?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+")(?:\.(?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+"))?$/;
const checkIdentifier = (v: string) => (IDENTIFIER.test(v.trim()) ? undefined : 'A table or column name, optionally schema-qualified (app.accounts); quote unusual names with "…"');

async function editorFor(language: TemplateLanguage): Promise<vscode.TextEditor> {
  const active = vscode.window.activeTextEditor;
  if (active && active.document.languageId === language) return active;
  const doc = await vscode.workspace.openTextDocument({ language, content: '' });
  return vscode.window.showTextDocument(doc);
}

async function insert(template: Template, body: string, asSnippet = true): Promise<void> {
  const editor = await editorFor(template.language);
  if (asSnippet) await editor.insertSnippet(new vscode.SnippetString(body));
  else await editor.edit((e) => e.insert(editor.selection.active, body));
}

async function insertTenantRls(template: Template): Promise<void> {
  const table = await vscode.window.showInputBox({ title: template.title, prompt: 'Table to isolate by tenant', value: 'accounts', validateInput: checkIdentifier });
  if (table === undefined) return;
  const column = await vscode.window.showInputBox({ title: template.title, prompt: "The table's tenant column", value: 'tenant_id', validateInput: checkIdentifier });
  if (column === undefined) return;
  await insert(template, tenantRlsBody(escapeSnippet(table.trim()), escapeSnippet(column.trim())));
}

async function insertScramRole(): Promise<void> {
  const title = 'Role with a SCRAM password';
  const role = await vscode.window.showInputBox({ title, prompt: 'Role name', validateInput: (v) => (v.trim() ? undefined : 'A role name') });
  if (role === undefined) return;
  const password = await vscode.window.showInputBox({ title, prompt: `Password for ${role.trim()} (never written anywhere: only its SCRAM-SHA-256 verifier is)`, password: true, validateInput: (v) => (v ? undefined : 'A password') });
  if (password === undefined) return;
  const again = await vscode.window.showInputBox({ title, prompt: 'The same password again', password: true });
  if (again === undefined) return;
  if (again !== password) {
    void vscode.window.showErrorMessage('pg-hardening: the passwords differ; nothing was inserted.');
    return;
  }
  const sql = scramRoleSql(role.trim(), scramVerifier(password));
  await insert({ id: 'scram-role', command: '', title, language: 'sql', prefix: '', description: '', body: sql }, sql, false);
}

export function registerTemplateCommands(context: vscode.ExtensionContext): void {
  for (const t of TEMPLATES) {
    const run = t.id === 'tenant-rls' ? () => insertTenantRls(t) : () => insert(t, t.body);
    context.subscriptions.push(vscode.commands.registerCommand(t.command, run));
  }
  context.subscriptions.push(vscode.commands.registerCommand('pg-hardening.insertScramRole', insertScramRole));
}
