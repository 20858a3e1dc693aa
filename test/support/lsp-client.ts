// A minimal LSP client for tests: runs the bundled server as a process over stdio.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-languageserver/node';
import type { Diagnostic, PublishDiagnosticsParams, TextEdit, WorkspaceEdit } from 'vscode-languageserver/node';

export const SERVER = path.join(__dirname, '..', '..', 'dist', 'server.js');

export class TestClient {
  readonly proc: ChildProcess;
  readonly conn: MessageConnection;
  private diagnostics = new Map<string, PublishDiagnosticsParams[]>();
  private waiters: (() => void)[] = [];
  settings: Record<string, unknown> = { postgresVersion: 17 };

  /** Every notification the server sent, in order (method and params), for tests that inspect them all. */
  readonly notifications: { method: string; params: unknown }[] = [];
  stderr = '';

  constructor(nodeArgs: string[] = []) {
    this.proc = spawn(process.execPath, [...nodeArgs, SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.conn = createMessageConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.diagnostics.set(p.uri, [...(this.diagnostics.get(p.uri) ?? []), p]);
      for (const w of this.waiters.splice(0)) w();
    });
    this.conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => this.settings));
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onNotification('window/logMessage', (p: unknown) => void this.notifications.push({ method: 'window/logMessage', params: p }));
    this.conn.listen();
  }

  /** The last diagnostics published for each URI. */
  latest(): Map<string, Diagnostic[]> {
    return new Map([...this.diagnostics].map(([uri, list]) => [uri, list[list.length - 1].diagnostics]));
  }

  /** Resolves once the server has published nothing for `quietMs`. */
  async settle(quietMs = 1500, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const before = [...this.diagnostics.values()].reduce((n, l) => n + l.length, 0);
      await new Promise((r) => setTimeout(r, quietMs));
      const after = [...this.diagnostics.values()].reduce((n, l) => n + l.length, 0);
      if (after === before) return;
      if (Date.now() > deadline) throw new Error('the server kept publishing');
    }
  }

  async initialize(rootUri: string | null = null, initializationOptions?: unknown) {
    await this.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri,
      initializationOptions,
      capabilities: { workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } } },
    });
    await this.conn.sendNotification('initialized', {});
  }

  /** Resolves with the next diagnostics for uri that satisfy accept, or rejects after timeoutMs. */
  async waitForDiagnostics(uri: string, accept: (d: Diagnostic[]) => boolean = () => true, timeoutMs = 10_000): Promise<Diagnostic[]> {
    const seen = this.diagnostics.get(uri)?.length ?? 0;
    const deadline = Date.now() + timeoutMs;
    let index = seen;
    for (;;) {
      const list = this.diagnostics.get(uri) ?? [];
      for (; index < list.length; index++) if (accept(list[index].diagnostics)) return list[index].diagnostics;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async close() {
    try {
      await Promise.race([this.conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await this.conn.sendNotification('exit');
    } finally {
      this.conn.dispose();
      setTimeout(() => this.proc.kill(), 500).unref();
    }
  }
}

/** Applies the edits a workspace edit makes to one document. */
export function editsFor(edit: WorkspaceEdit, uri: string): TextEdit[] {
  const out: TextEdit[] = [];
  for (const c of edit.documentChanges ?? []) if ('textDocument' in c && c.textDocument.uri === uri) out.push(...(c.edits as TextEdit[]));
  out.push(...(edit.changes?.[uri] ?? []));
  return out;
}
