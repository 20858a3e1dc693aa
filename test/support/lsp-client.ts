// A minimal LSP client for tests: runs the bundled server as a process over stdio.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import {
  createMessageConnection,
  ErrorCodes,
  ResponseError,
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
  /**
   * Everything the server sent, in order: every notification (diagnostics and logs included) and
   * every request it made of the client, for tests that must look at all of it (secrets, trust).
   */
  readonly received: { kind: 'notification' | 'request'; method: string; params: unknown }[] = [];
  stderr = '';

  /** nodeArgs go before the server script (`--expose-gc`, `--require guard.cjs`). */
  constructor(nodeArgs: string[] = []) {
    this.proc = spawn(process.execPath, [...nodeArgs, SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.conn = createMessageConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.received.push({ kind: 'notification', method: 'textDocument/publishDiagnostics', params: p });
      this.diagnostics.set(p.uri, [...(this.diagnostics.get(p.uri) ?? []), p]);
      for (const w of this.waiters.splice(0)) w();
    });
    this.conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => {
      this.received.push({ kind: 'request', method: 'workspace/configuration', params: p });
      return p.items.map(() => this.settings);
    });
    this.conn.onRequest('client/registerCapability', (p: unknown) => {
      this.received.push({ kind: 'request', method: 'client/registerCapability', params: p });
      return null;
    });
    this.conn.onNotification('window/logMessage', (p: unknown) => {
      this.received.push({ kind: 'notification', method: 'window/logMessage', params: p });
      this.notifications.push({ method: 'window/logMessage', params: p });
    });
    // Anything else is recorded; requests are still refused as an unhandled method, as before.
    this.conn.onNotification((method: string, params: unknown) => void this.received.push({ kind: 'notification', method, params }));
    this.conn.onRequest((method: string, params: unknown) => {
      this.received.push({ kind: 'request', method, params });
      throw new ResponseError(ErrorCodes.MethodNotFound, `Unhandled method ${method}`);
    });
    this.conn.listen();
  }

  /** A request that rejects when no answer comes within timeoutMs. */
  async request<T = unknown>(method: string, params: unknown, timeoutMs = 30_000): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${method} unanswered after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.conn.sendRequest(method, params) as Promise<T>, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Every diagnostics notification for uri, in order (the last one is what the editor shows). */
  history(uri: string): PublishDiagnosticsParams[] {
    return [...(this.diagnostics.get(uri) ?? [])];
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
