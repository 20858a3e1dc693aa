// A bare LSP client over stdio that timestamps every publishDiagnostics, the same for every server.
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { processTree } from './processes';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver/node';

export interface ServerCommand {
  name: string;
  cmd: string;
  args: string[];
  cwd: string;
  /** Added to this process's environment. */
  env?: Record<string, string>;
}

export interface Published {
  at: number;
  version?: number;
  count: number;
}

export class LspClient {
  readonly proc: ChildProcess;
  readonly conn: MessageConnection;
  readonly startedAt = performance.now();
  readonly stderr: string[] = [];
  private published = new Map<string, Published[]>();
  private waiters = new Set<() => void>();
  private exited = false;
  lastPublishAt = 0;
  /** TextDocumentSyncKind the server asked for: 1 full, 2 incremental. */
  syncKind = 1;
  /**
   * push: the server sends publishDiagnostics. pull: it offers textDocument/diagnostic (squawk), which
   * an editor requests after each open and change.
   */
  diagnosticMode: 'push' | 'pull' = 'push';

  constructor(readonly server: ServerCommand) {
    this.proc = spawn(server.cmd, server.args, { cwd: server.cwd, env: { ...process.env, ...server.env }, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    this.proc.stderr!.setEncoding('utf8').on('data', (s: string) => this.stderr.push(s));
    // A server that dies (or is missing) must end its session, not the harness.
    this.proc.on('error', (e) => this.stderr.push(String(e)));
    this.proc.stdin!.on('error', () => undefined);
    this.proc.on('exit', () => {
      this.exited = true;
      this.wake();
    });
    this.conn = createMessageConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      const at = performance.now();
      this.lastPublishAt = at;
      const list = this.published.get(p.uri) ?? [];
      list.push({ at, version: p.version, count: p.diagnostics.length });
      this.published.set(p.uri, list);
      this.wake();
    });
    // Servers ask for settings, progress tokens and registrations: answer as an editor with no settings would.
    this.conn.onRequest((method: string, params: unknown) => {
      if (method === 'workspace/configuration') return ((params as { items?: unknown[] }).items ?? []).map(() => null);
      return null;
    });
    this.conn.onNotification(() => undefined);
    this.conn.onError(() => undefined);
    this.conn.listen();
  }

  get pid(): number {
    return this.proc.pid!;
  }

  private wake() {
    for (const w of [...this.waiters]) w();
  }

  async initialize(workspace?: string): Promise<void> {
    const rootUri = workspace ? pathToFileURL(workspace).href : null;
    const result = (await this.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri,
      workspaceFolders: workspace ? [{ uri: rootUri, name: 'bench' }] : null,
      capabilities: {
        textDocument: {
          synchronization: { didSave: true, dynamicRegistration: false },
          publishDiagnostics: { versionSupport: true, relatedInformation: true },
          diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false },
        },
        workspace: { configuration: true, workspaceFolders: true },
      },
    })) as { capabilities: { textDocumentSync?: number | { change?: number }; diagnosticProvider?: unknown } };
    const sync = result.capabilities.textDocumentSync;
    this.syncKind = typeof sync === 'number' ? sync : (sync?.change ?? 1);
    if (result.capabilities.diagnosticProvider) this.diagnosticMode = 'pull';
    await this.conn.sendNotification('initialized', {});
  }

  /** Pulls the document's diagnostics; resolves with the arrival time and count, or undefined after timeoutMs. */
  async pull(uri: string, timeoutMs: number): Promise<Published | undefined> {
    const request = this.conn
      .sendRequest('textDocument/diagnostic', { textDocument: { uri } })
      .then((r) => ({ at: performance.now(), count: ((r as { items?: unknown[] } | null)?.items ?? []).length }));
    return withTimeout(request, timeoutMs);
  }

  publishedUris(): string[] {
    return [...this.published.keys()];
  }

  publishedFor(uri: string): Published[] {
    return this.published.get(uri) ?? [];
  }

  /**
   * The first publish for uri, from index `from` on, that `accept` takes; undefined after timeoutMs or
   * when the server exits.
   */
  async waitFor(uri: string, from: number, accept: (p: Published) => boolean, timeoutMs: number): Promise<Published | undefined> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const hit = this.publishedFor(uri).slice(from).find(accept);
      if (hit) return hit;
      const left = deadline - performance.now();
      if (left <= 0 || this.exited) return undefined;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.waiters.add(done);
      });
    }
  }

  /** Waits until no diagnostics arrived for quietMs (at most maxMs). */
  async quiet(quietMs: number, maxMs: number): Promise<void> {
    const end = performance.now() + maxMs;
    while (performance.now() < end && performance.now() - this.lastPublishAt < quietMs) await sleep(Math.min(100, quietMs));
  }

  async close(): Promise<void> {
    // Taken before shutdown: a daemon the server started (postgres-language-server's) leaves its
    // process group and outlives it, but it is still its child now.
    const tree = processTree(this.proc.pid!);
    if (!this.exited) {
      await withTimeout(this.conn.sendRequest('shutdown').catch(() => undefined), 3000);
      await this.conn.sendNotification('exit').catch(() => undefined);
      if (!this.exited) await withTimeout(new Promise((r) => this.proc.once('exit', r)), 3000);
    }
    this.conn.dispose();
    for (const target of [-this.proc.pid!, ...tree]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The promise's value, or undefined after ms; the timer does not outlive the race. */
function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([p, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]).finally(() => clearTimeout(timer));
}
