// The packaged extension (pg-hardening.vsix), shared by the VSIX content test and the real-VS-Code
// test: built with `npm run package` when missing or older than what goes into it, one build at a
// time (a lock folder), and reused otherwise.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './paths';

export const VSIX = path.join(ROOT, 'pg-hardening.vsix');

/** Everything a package is made from: a VSIX older than any of these is stale. */
const INPUTS = [
  'package.json',
  'package-lock.json',
  '.vscodeignore',
  'README.md',
  'LICENSE',
  'CHANGELOG.md',
  'scripts/build.mjs',
  'client/src',
  'server/src',
  'syntaxes',
  'snippets',
  'docs/rules',
  'schemas',
];

const LOCK = path.join(ROOT, '.test-tmp', 'vsix.lock');

export interface PackagedVsix {
  file: string;
  /** True when this call ran `npm run package`, false when a fresh VSIX was reused. */
  built: boolean;
  ms: number;
  /** Why it was (re)built, or why it was reused. */
  reason: string;
}

/** Newest modification time (ms) among the files under the inputs, and which file it is. */
export function newestInput(): { mtimeMs: number; file: string } {
  let newest = { mtimeMs: 0, file: '' };
  const visit = (abs: string) => {
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      return; // an optional input (CHANGELOG.md) or a file deleted while we look
    }
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(abs)) visit(path.join(abs, name));
    } else if (st.mtimeMs > newest.mtimeMs) {
      newest = { mtimeMs: st.mtimeMs, file: path.relative(ROOT, abs) };
    }
  };
  for (const rel of INPUTS) visit(path.join(ROOT, rel));
  return newest;
}

function staleReason(): string | undefined {
  if (process.env.PG_HARDEN_REBUILD_VSIX === '1') return 'PG_HARDEN_REBUILD_VSIX=1';
  let vsixTime: number;
  try {
    vsixTime = fs.statSync(VSIX).mtimeMs;
  } catch {
    return 'no pg-hardening.vsix yet';
  }
  const newest = newestInput();
  return newest.mtimeMs >= vsixTime ? `${newest.file} is newer than pg-hardening.vsix` : undefined;
}

/** Builds pg-hardening.vsix unless a fresh one exists. Throws with npm's output when packaging fails. */
export async function ensureVsix(timeoutMs = 150_000): Promise<PackagedVsix> {
  const start = Date.now();
  const release = await acquireLock(timeoutMs);
  try {
    // Checked under the lock: a build that finished while we waited is reused.
    const reason = staleReason();
    if (!reason) return { file: VSIX, built: false, ms: Date.now() - start, reason: 'fresh pg-hardening.vsix reused' };
    const left = timeoutMs - (Date.now() - start);
    const { code, output } = await run('npm', ['run', 'package'], left);
    if (code !== 0) {
      const tail = output.trim().split('\n').slice(-40).join('\n');
      throw new Error(`npm run package failed (${code}):\n${tail}`);
    }
    if (!fs.existsSync(VSIX)) throw new Error(`npm run package did not write ${VSIX}:\n${output}`);
    return { file: VSIX, built: true, ms: Date.now() - start, reason };
  } finally {
    release();
  }
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | string; output: string }> {
  return new Promise((resolve) => {
    // Own process group, so a timeout ends npm's children (esbuild, vsce) too.
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n(killed after ${timeoutMs} ms)`;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, Math.max(timeoutMs, 1));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: e.message, output });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? String(signal), output });
    });
  });
}

/** A lock folder holding the owner's pid; one left by a dead process is taken over. */
async function acquireLock(timeoutMs: number): Promise<() => void> {
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      fs.writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      return () => fs.rmSync(LOCK, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (!lockOwnerAlive()) {
      fs.rmSync(LOCK, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`${LOCK} still held after ${timeoutMs} ms (another VSIX build)`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function lockOwnerAlive(): boolean {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(LOCK, 'pid'), 'utf8'));
  } catch {
    // Just created, pid not written yet; or abandoned before writing it: trust a young lock only.
    try {
      return Date.now() - fs.statSync(LOCK).mtimeMs < 5_000;
    } catch {
      return false;
    }
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
