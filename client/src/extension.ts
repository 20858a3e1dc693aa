// Thin VS Code client: starts the pg-hardening language server and opens bundled rule docs.
// It runs nothing from the workspace, so untrusted workspaces are fully supported.
import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type DocumentSelector,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { createStatusItem } from './status';
import { registerTemplateCommands } from './templates';

const LANGUAGES = ['pg-hba', 'pg-ident', 'pg-conf', 'sql'];

/** Files whose changes on disk the server must hear about (includes, @files, conf.d, migrations). */
const WATCHED_GLOBS = [
  '**/pg_hba*.conf',
  '**/*.hba.conf',
  '**/pg_ident.conf',
  '**/postgresql*.conf',
  '**/conf.d/*.conf',
  '**/*.sql',
  '**/.pg-hardening.json',
];

/** Rule ids are used as file names: letters, digits, '-', '_' and '.', never a path. */
const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

let client: LanguageClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('PostgreSQL Hardening');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('pg-hardening.showRuleDocumentation', (ruleId?: unknown) =>
      showRuleDocumentation(context, ruleId),
    ),
  );

  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: {
      module: serverModule,
      transport: TransportKind.ipc,
      options: { execArgv: ['--nolazy', '--inspect=6009'] },
    },
  };

  const documentSelector: DocumentSelector = LANGUAGES.flatMap((language) => [
    { scheme: 'file', language },
    { scheme: 'untitled', language },
  ]);
  const fileEvents = WATCHED_GLOBS.map((glob) => vscode.workspace.createFileSystemWatcher(glob));
  context.subscriptions.push(...fileEvents);

  const clientOptions: LanguageClientOptions = {
    documentSelector,
    // In an untrusted workspace the server reads nothing outside the workspace folders.
    initializationOptions: { trusted: vscode.workspace.isTrusted },
    synchronize: { configurationSection: 'pg-hardening', fileEvents },
    outputChannel: output,
  };

  const languageClient = new LanguageClient('pg-hardening', 'PostgreSQL Hardening', serverOptions, clientOptions);
  client = languageClient;
  createStatusItem(context, languageClient);
  registerTemplateCommands(context);
  context.subscriptions.push(
    vscode.commands.registerCommand('pg-hardening.restartServer', async () => {
      output.appendLine('Restarting the language server.');
      await languageClient.restart();
    }),
  );
  // Trust granted later widens what the server may read: start it again with the new state.
  context.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      void restartWithTrust();
    }),
  );
  async function restartWithTrust() {
    (languageClient.clientOptions.initializationOptions as { trusted: boolean }).trusted = true;
    await languageClient.restart();
  }
  // Not awaited: activation stays cheap, and a server that fails to start is reported in the channel.
  languageClient.start().catch((error: unknown) => {
    output.appendLine(`Failed to start the language server: ${String(error)}`);
  });
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
