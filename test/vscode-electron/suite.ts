// Runs inside VS Code's extension host (bundled by run.ts; no mocha): the extension under
// development activates, publishes findings for the files of examples/insecure (a copy), offers a
// quick fix, and inserts a hardening template from its command.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'pg-hardening.pg-hardening';
const TIMEOUT_MS = 30_000;

type Check = [name: string, fn: () => Promise<void>];

function workspaceFile(...parts: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder: run.ts opens a copy of examples/insecure');
  return vscode.Uri.file(path.join(folder.uri.fsPath, ...parts));
}

function codeOf(d: vscode.Diagnostic): string {
  const c = d.code;
  return typeof c === 'object' && c !== null ? String(c.value) : String(c);
}

/** Polls until fn returns a value other than undefined, or fails after TIMEOUT_MS. */
async function waitFor<T>(what: string, fn: () => T | undefined): Promise<T> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${TIMEOUT_MS} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function waitForFinding(uri: vscode.Uri, ruleId: string): Promise<vscode.Diagnostic> {
  return waitFor(`${ruleId} on ${path.basename(uri.fsPath)}`, () =>
    vscode.languages.getDiagnostics(uri).find((d) => d.source === 'pg-hardening' && codeOf(d) === ruleId),
  );
}

const checks: Check[] = [
  [
    'the extension activates on pg_hba.conf',
    async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID);
      assert.ok(ext, `${EXTENSION_ID} is not loaded`);
      const doc = await vscode.workspace.openTextDocument(workspaceFile('pg_hba.conf'));
      await vscode.window.showTextDocument(doc);
      assert.equal(doc.languageId, 'pg-hba');
      await ext.activate();
      assert.ok(ext.isActive);
    },
  ],
  ['pg_hba.conf gets hba-trust', async () => void (await waitForFinding(workspaceFile('pg_hba.conf'), 'hba-trust'))],
  [
    'a migration nobody opened gets its history finding',
    async () => void (await waitForFinding(workspaceFile('migrations', '002_rls.sql'), 'sql-rls-not-forced')),
  ],
  [
    'postgresql.conf gets conf-ssl-min-protocol, and its quick fix requires TLSv1.2',
    async () => {
      const uri = workspaceFile('postgresql.conf');
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc);
      assert.equal(doc.languageId, 'pg-conf');
      const d = await waitForFinding(uri, 'conf-ssl-min-protocol');
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, d.range);
      const fix = actions.find((a) => a.title.startsWith('Require TLSv1.2'));
      assert.ok(fix?.edit, `no "Require TLSv1.2" fix among: ${actions.map((a) => a.title).join('; ')}`);
      assert.ok(await vscode.workspace.applyEdit(fix.edit));
      assert.match(doc.lineAt(d.range.start.line).text, /^ssl_min_protocol_version = 'TLSv1\.2'$/);
    },
  ],
  [
    'Insert Hardened pg_hba.conf opens a pg-hba document with the template',
    async () => {
      await vscode.commands.executeCommand('pg-hardening.insertHardenedHba');
      const editor = await waitFor('a pg-hba editor', () => {
        const e = vscode.window.activeTextEditor;
        return e?.document.languageId === 'pg-hba' && e.document.getText().includes('reject') ? e : undefined;
      });
      const text = editor.document.getText();
      assert.match(text, /^hostssl\s.*scram-sha-256$/m);
      assert.match(text, /^host\s+all\s+all\s+::\/0\s+reject\s*$/m);
    },
  ],
];

/** VS Code's test entry point: resolves when every check passed, rejects otherwise. */
export async function run(): Promise<void> {
  const failures: string[] = [];
  for (const [name, fn] of checks) {
    const start = Date.now();
    try {
      await fn();
      console.log(`ok ${name} (${Date.now() - start} ms)`);
    } catch (e) {
      console.error(`not ok ${name}: ${(e as Error).stack ?? e}`);
      failures.push(name);
    }
  }
  if (failures.length) throw new Error(`${failures.length} of ${checks.length} checks failed: ${failures.join('; ')}`);
}
