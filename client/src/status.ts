// The status bar item: whether the server runs, and how many findings the workspace has.
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';

const SOURCE = 'pg-hardening';

export function createStatusItem(context: vscode.ExtensionContext, client: LanguageClient): void {
  const item = vscode.window.createStatusBarItem('pg-hardening.status', vscode.StatusBarAlignment.Left, 10);
  item.name = 'PostgreSQL Hardening';
  item.command = 'workbench.actions.view.problems';
  let state = 'starting';
  const render = () => {
    let count = 0;
    for (const [, diagnostics] of vscode.languages.getDiagnostics()) count += diagnostics.filter((d) => d.source === SOURCE).length;
    const icon = state === 'running' ? '$(shield)' : state === 'starting' ? '$(sync~spin)' : '$(error)';
    item.text = `${icon} ${count}`;
    item.tooltip = `PostgreSQL Hardening: server ${state}, ${count} finding${count === 1 ? '' : 's'} in the workspace. Click for the Problems view.`;
    item.show();
  };
  context.subscriptions.push(
    item,
    vscode.languages.onDidChangeDiagnostics(render),
    client.onDidChangeState((e) => {
      state = e.newState === State.Running ? 'running' : e.newState === State.Starting ? 'starting' : 'stopped';
      render();
    }),
  );
  render();
}
