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

  constructor() {
    this.proc = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.conn = createMessageConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.diagnostics.set(p.uri, [...(this.diagnostics.get(p.uri) ?? []), p]);
      for (const w of this.waiters.splice(0)) w();
    });
    this.conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => this.settings));
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onNotification('window/logMessage', () => undefined);
    this.conn.listen();
  }

  async initialize(rootUri: string | null = null) {
    await this.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri,
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
