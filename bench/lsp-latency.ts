// Editor sessions over the protocol, identical for every server: start, open a file, wait for its
// first diagnostics, then type single characters and time each change to its diagnostics.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { Edit } from './corpus';
import { LspClient, sleep, type Published, type ServerCommand } from './lsp-client';
import { cpuMs, processTree, statusKb } from './processes';
import { summarize, type Summary } from './stats';
import { lineStarts, positionIn } from '../server/src/engine/lines';

export interface SessionLimits {
  /** Wait this long for the first diagnostics after open. */
  firstTimeoutMs: number;
  /** Wait this long for one edit's diagnostics before counting it unanswered. */
  perEditTimeoutMs: number;
  /** Stop sending edits once the edit phase has run this long (slow servers get a prefix of the same edits). */
  budgetMs: number;
}

export interface SessionResult {
  name: string;
  mode: 'push' | 'pull';
  sync: 'full' | 'incremental';
  /** Spawn to the first diagnostics of the opened file. */
  startToFirstMs?: number;
  firstCount?: number;
  editsPlanned: number;
  editsSent: number;
  editsAnswered: number;
  /** didChange to the matching diagnostics, answered edits only. */
  latencyMs: Summary;
  budgetHit: boolean;
  /** Resident memory of the server's process tree at the end of the session. */
  rssKb: number;
  /** Whether the server sent document versions with its diagnostics (else the next publish counts). */
  versioned: boolean;
  lastCount?: number;
  error?: string;
}

export async function editSession(server: ServerCommand, file: string, edits: Edit[], limits: SessionLimits, log: (s: string) => void, workspace = path.dirname(file)): Promise<SessionResult> {
  const client = new LspClient(server);
  const uri = pathToFileURL(file).href;
  let text = fs.readFileSync(file, 'utf8');
  // Edits never add or remove lines, and an insertion is taken back by the next edit, before any
  // other place is edited: positions from the first text's line starts hold for the whole session.
  const starts = lineStarts(text);
  const result: SessionResult = {
    name: server.name,
    mode: 'push',
    sync: 'full',
    editsPlanned: edits.length,
    editsSent: 0,
    editsAnswered: 0,
    latencyMs: summarize([]),
    budgetHit: false,
    rssKb: NaN,
    versioned: false,
  };
  const latencies: number[] = [];
  try {
    await client.initialize(workspace);
    result.mode = client.diagnosticMode;
    result.sync = client.syncKind === 2 ? 'incremental' : 'full';
    await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text } });
    const first = client.diagnosticMode === 'pull' ? await client.pull(uri, limits.firstTimeoutMs) : await client.waitFor(uri, 0, () => true, limits.firstTimeoutMs);
    if (!first) throw new Error(`no diagnostics within ${limits.firstTimeoutMs / 1000} s of opening the file`);
    result.startToFirstMs = first.at - client.startedAt;
    result.firstCount = first.count;
    log(`  ${server.name}: first diagnostics ${(result.startToFirstMs / 1000).toFixed(2)} s after start (${first.count} diagnostics, ${result.mode}, ${result.sync} sync)`);
    // Some servers publish more than once on open; let that settle so it is not taken for an edit's answer.
    if (client.diagnosticMode === 'push') await client.quiet(1000, 10_000);

    const phaseStart = performance.now();
    for (let i = 0; i < edits.length; i++) {
      if (performance.now() - phaseStart > limits.budgetMs) {
        result.budgetHit = true;
        break;
      }
      const { offset, text: ch, kind = 'replace' } = edits[i];
      const removed = kind === 'insert' ? 0 : 1;
      text = text.slice(0, offset) + ch + text.slice(offset + removed);
      const version = i + 2;
      const start = positionIn(starts, offset);
      const change = client.syncKind === 2 ? { range: { start, end: { line: start.line, character: start.character + removed } }, text: ch } : { text };
      const from = client.publishedFor(uri).length;
      const sentAt = performance.now();
      await client.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
      result.editsSent++;
      let answer: Published | undefined;
      if (client.diagnosticMode === 'pull') answer = await client.pull(uri, limits.perEditTimeoutMs);
      else answer = await client.waitFor(uri, from, (p) => p.version === undefined || p.version >= version, limits.perEditTimeoutMs);
      if (answer) {
        result.editsAnswered++;
        latencies.push(answer.at - sentAt);
        result.lastCount = answer.count;
        if (answer.version !== undefined) result.versioned = true;
      } else if (client.diagnosticMode === 'push') {
        // A late answer must not be taken for the next edit's.
        await client.quiet(1000, limits.perEditTimeoutMs);
      }
    }
    result.latencyMs = summarize(latencies);
    result.rssKb = processTree(client.pid).reduce((sum, p) => sum + statusKb(p, 'VmRSS'), 0);
    log(
      `  ${server.name}: ${result.editsAnswered}/${result.editsSent} edits answered${result.budgetHit ? ` (budget of ${limits.budgetMs / 1000} s reached after ${result.editsSent} of ${edits.length})` : ''}; p50 ${result.latencyMs.median.toFixed(0)} ms, p95 ${result.latencyMs.p95.toFixed(0)} ms, max ${result.latencyMs.max.toFixed(0)} ms`,
    );
  } catch (e) {
    result.error = `${(e as Error).message}${client.stderr.length ? ` (stderr: ${client.stderr.join('').trim().slice(-300)})` : ''}`;
    result.latencyMs = summarize(latencies);
    log(`  ${server.name}: ${result.error}`);
  } finally {
    await client.close();
  }
  return result;
}

/** Spawn to the first diagnostics of one opened file, for each of `runs` fresh servers. */
export async function startToFirst(server: ServerCommand, file: string, languageId: string, runs: number, timeoutMs: number): Promise<{ ms: Summary; count?: number; error?: string }> {
  const times: number[] = [];
  let count: number | undefined;
  for (let i = 0; i < runs; i++) {
    const client = new LspClient(server);
    try {
      const uri = pathToFileURL(file).href;
      await client.initialize(path.dirname(file));
      await client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text: fs.readFileSync(file, 'utf8') } });
      const first = await client.waitFor(uri, 0, () => true, timeoutMs);
      if (!first) return { ms: summarize(times), error: `no diagnostics within ${timeoutMs / 1000} s` };
      times.push(first.at - client.startedAt);
      count = first.count;
    } finally {
      await client.close();
    }
  }
  return { ms: summarize(times), count };
}

export interface WorkspaceMemory {
  /** Spawn to the last diagnostics of the start-up scan. */
  lastDiagnosticsMs?: number;
  rssKb: number;
  hwmKb: number;
  filesWithDiagnostics: number;
  error?: string;
}

/**
 * Starts the server on a workspace folder, opening nothing, and reads its memory once the start-up
 * scan is over: diagnostics have stopped arriving and the process has gone idle.
 */
export async function workspaceMemory(server: ServerCommand, folder: string, timeoutMs: number): Promise<WorkspaceMemory> {
  const client = new LspClient(server);
  try {
    await client.initialize(folder);
    const deadline = performance.now() + timeoutMs;
    while (client.lastPublishAt === 0 && performance.now() < deadline) await sleep(100);
    // Still scanning at the cap: what it holds by then is a lower bound worth reporting.
    if (client.lastPublishAt === 0)
      return {
        rssKb: statusKb(client.pid, 'VmRSS'),
        hwmKb: statusKb(client.pid, 'VmHWM'),
        filesWithDiagnostics: 0,
        error: `no diagnostics within ${timeoutMs / 1000} s (${(cpuMs(client.pid) / 1000).toFixed(0)} s of CPU used by then)`,
      };
    for (;;) {
      const cpuBefore = cpuMs(client.pid);
      await sleep(1000);
      const idle = cpuMs(client.pid) - cpuBefore < 50;
      if ((idle && performance.now() - client.lastPublishAt > 2000) || performance.now() > deadline) break;
    }
    return {
      lastDiagnosticsMs: client.lastPublishAt - client.startedAt,
      rssKb: statusKb(client.pid, 'VmRSS'),
      hwmKb: statusKb(client.pid, 'VmHWM'),
      filesWithDiagnostics: client.publishedUris().length,
    };
  } finally {
    await client.close();
  }
}
