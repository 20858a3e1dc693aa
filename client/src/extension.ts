// The VS Code client's activation: commands, and the language client once a PostgreSQL file is
// open. It runs nothing from the workspace, so untrusted workspaces are fully supported.
import * as vscode from 'vscode';
import type { RunningClient, startLanguageClient } from './language-client';
import { registerTemplateCommands } from './templates';

const LANGUAGES = ['pg-hba', 'pg-ident', 'pg-conf', 'sql'];

/** Rule ids are used as file names: letters, digits, '-', '_' and '.', never a path. */
const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

let client: RunningClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('PostgreSQL Hardening');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('pg-hardening.showRuleDocumentation', (ruleId?: unknown) =>
      showRuleDocumentation(context, ruleId),
    ),
    vscode.commands.registerCommand('pg-hardening.restartServer', async () => {
      output.appendLine('Restarting the language server.');
      if (client) await client.restart();
      else start();
    }),
  );
  registerTemplateCommands(context);

  const start = () => {
    if (client) return;
    // dist/language-client.js, built beside this bundle: loaded here, not at activation.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const lc = require(context.asAbsolutePath('dist/language-client.js')) as { startLanguageClient: typeof startLanguageClient };
    client = lc.startLanguageClient(context, output, LANGUAGES);
  };
  const ours = (doc: vscode.TextDocument) => LANGUAGES.includes(doc.languageId);
  if (vscode.workspace.textDocuments.some(ours)) start();
  else {
    const waiting = vscode.workspace.onDidOpenTextDocument((doc) => {
      if (!ours(doc)) return;
      waiting.dispose();
      start();
    });
    context.subscriptions.push(waiting);
  }
}

export function deactivate(): Thenable<void> | undefined {
  return client?.stop();
}

/** Opens docs/rules/<id>.md, bundled with the extension, in the Markdown preview. */
async function showRuleDocumentation(context: vscode.ExtensionContext, ruleId: unknown): Promise<void> {
  const id = typeof ruleId === 'string' ? ruleId : await pickRule(context);
  if (id === undefined) return;
  if (!RULE_ID.test(id)) {
    void vscode.window.showErrorMessage(`pg-hardening: not a rule id: ${id}`);
    return;
  }
  const uri = vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules', `${id}.md`);
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    void vscode.window.showErrorMessage(`pg-hardening: no documentation for rule ${id}.`);
    return;
  }
  await vscode.commands.executeCommand('markdown.showPreview', uri);
}

/** Without an argument (Command Palette), lets the user choose among the bundled rule docs. */
async function pickRule(context: vscode.ExtensionContext): Promise<string | undefined> {
  const dir = vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules');
  let entries: [string, vscode.FileType][];
  try {
    entries = await vscode.workspace.fs.readDirectory(dir);
  } catch {
    entries = [];
  }
  const ids = entries
    .filter(([name, type]) => type === vscode.FileType.File && name.endsWith('.md'))
    .map(([name]) => name.slice(0, -'.md'.length))
    .sort();
  return vscode.window.showQuickPick(ids, { placeHolder: 'Rule to show documentation for' });
}
