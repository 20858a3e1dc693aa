// An isolated code-server (VS Code served to a browser) for one test: its own extensions,
// user-data, config, data and temp folders under one short work folder, bound to 127.0.0.1, in its
// own process group so that stopping it ends the extension host and language server too.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export interface CodeServerDirs {
  work: string;
  extensions: string;
  userData: string;
  log: string;
}

export function codeServerDirs(work: string): CodeServerDirs {
  const dirs = {
    work,
    extensions: path.join(work, 'ext'),
    userData: path.join(work, 'ud'),
    log: path.join(work, 'code-server.log'),
  };
  for (const d of [dirs.extensions, path.join(dirs.userData, 'User'), path.join(work, 'tmp'), path.join(work, 'xdg', 'config'), path.join(work, 'xdg', 'data')])
    fs.mkdirSync(d, { recursive: true });
  return dirs;
}

/** code-server's environment: nothing of it lands in $HOME or a long $TMPDIR. */
function env(dirs: CodeServerDirs): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TMPDIR: path.join(dirs.work, 'tmp'),
    XDG_CONFIG_HOME: path.join(dirs.work, 'xdg', 'config'),
    XDG_DATA_HOME: path.join(dirs.work, 'xdg', 'data'),
    // Not inherited from a surrounding VS Code or test run.
    VSCODE_IPC_HOOK_CLI: '',
    ELECTRON_RUN_AS_NODE: '',
  };
}

/** Runs code-server once (e.g. --install-extension) in its own process group, killed at the deadline. */
export function runCodeServer(bin: string, dirs: CodeServerDirs, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['--extensions-dir', dirs.extensions, '--user-data-dir', dirs.userData, ...args], {
      env: env(dirs),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), Math.max(timeoutMs, 1));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`code-server ${args.join(' ')} failed (${code ?? signal}${signal === 'SIGKILL' ? `, killed after ${timeoutMs} ms` : ''}):\n${output}`));
    });
  });
}

export interface RunningCodeServer {
  url: string;
  pid: number;
  /** SIGTERM to the process group, SIGKILL after a grace period; resolves when the group is gone. */
  stop(): Promise<void>;
}

/** Starts code-server on a free 127.0.0.1 port and resolves once /healthz answers. */
export async function startCodeServer(bin: string, dirs: CodeServerDirs, timeoutMs: number): Promise<RunningCodeServer> {
  const deadline = Date.now() + timeoutMs;
  const port = await freePort();
  const log = fs.openSync(dirs.log, 'a');
  // detached: setsid(), so the server, its extension host and our language server share one group.
  const child = spawn(
    bin,
    [
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--extensions-dir', dirs.extensions,
      '--user-data-dir', dirs.userData,
    ],
    { env: env(dirs), stdio: ['ignore', log, log], detached: true },
  );
  fs.closeSync(log);
  // A backstop for a test process that ends without reaching its cleanup (timeout, crash).
  const onExit = () => killGroup(child, 'SIGKILL');
  process.on('exit', onExit);
  let exited: string | undefined;
  child.on('exit', (code, signal) => (exited = `code-server exited (${code ?? signal})`));
  child.on('error', (e) => (exited = `code-server did not start: ${e.message}`));

  const server: RunningCodeServer = {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    async stop() {
      process.off('exit', onExit);
      if (!groupAlive(child)) return;
      killGroup(child, 'SIGTERM');
      const until = Date.now() + 5_000;
      while (groupAlive(child) && Date.now() < until) await sleep(100);
      if (groupAlive(child)) killGroup(child, 'SIGKILL');
      const hard = Date.now() + 5_000;
      while (groupAlive(child) && Date.now() < hard) await sleep(50);
    },
  };

  for (;;) {
    if (exited) {
      await server.stop();
      throw new Error(`${exited}; log:\n${tail(dirs.log)}`);
    }
    if (await healthy(server.url)) return server;
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`code-server did not answer /healthz within ${timeoutMs} ms; log:\n${tail(dirs.log)}`);
    }
    await sleep(200);
  }
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* the group is gone */
  }
}

function groupAlive(child: ChildProcess): boolean {
  if (!child.pid) return false;
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
