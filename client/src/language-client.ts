// The language client proper (vscode-languageclient, about 330 KB minified), a bundle of its own:
// extension.ts loads it when the first PostgreSQL file is open, so activating the extension for a
// command (a template, a rule's documentation) loads and starts nothing more.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type DocumentSelector, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { createStatusItem } from './status';

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

export interface RunningClient {
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export function startLanguageClient(context: vscode.ExtensionContext, output: vscode.OutputChannel, languages: readonly string[]): RunningClient {
  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const documentSelector: DocumentSelector = languages.flatMap((language) => [
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
  const client = new LanguageClient('pg-hardening', 'PostgreSQL Hardening', serverOptions, clientOptions);
  createStatusItem(context, client);
  // Trust granted later widens what the server may read: start it again with the new state.
  context.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      (client.clientOptions.initializationOptions as { trusted: boolean }).trusted = true;
      void client.restart();
    }),
  );
  // Not awaited: a server that fails to start is reported in the channel.
  client.start().catch((error: unknown) => output.appendLine(`Failed to start the language server: ${String(error)}`));
  return { restart: () => client.restart(), stop: () => client.stop() };
}
