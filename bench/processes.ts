// Runs one command as a whole process: wall time from spawn to exit, and peak memory of the process
// and whatever it waited for (the peers' npm wrappers run their native binary as a child).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';

const GNU_TIME = '/usr/bin/time';

export interface Command {
  cmd: string;
  args: string[];
  cwd: string;
}

export interface ProcessRun {
  ms: number;
  /** Peak resident set size in kB; NaN when it could not be read. */
  peakRssKb: number;
  /** CPU time over wall time in percent (above 100 when more than one core worked); NaN without GNU time. */
  cpuPercent: number;
  code: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/** How peak memory is read: GNU time's getrusage figure, or polling /proc when it is not installed. */
export const RSS_METHOD: 'gnu-time' | 'proc-poll' = hasGnuTime() ? 'gnu-time' : 'proc-poll';

function hasGnuTime(): boolean {
  try {
    fs.accessSync(GNU_TIME, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export const RSS_METHOD_TEXT =
  RSS_METHOD === 'gnu-time'
    ? '`/usr/bin/time -v` (maximum resident set size of the process and its waited-for children)'
    : 'polling /proc/<pid>/status VmHWM of the process tree every 10 ms (GNU time is not installed)';

export function runProcess(c: Command, timeoutMs: number): Promise<ProcessRun> {
  const timeFile = path.join(os.tmpdir(), `pgh-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const [cmd, args] = RSS_METHOD === 'gnu-time' ? [GNU_TIME, ['-v', '-o', timeFile, c.cmd, ...c.args]] : [c.cmd, c.args];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { cwd: c.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    let polledKb = 0;
    const poll = RSS_METHOD === 'proc-poll' ? setInterval(() => (polledKb = Math.max(polledKb, treeHwmKb(child.pid!))), 10) : undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      let peakRssKb = polledKb || NaN;
      let cpuPercent = NaN;
      if (RSS_METHOD === 'gnu-time') {
        const report = fs.existsSync(timeFile) ? fs.readFileSync(timeFile, 'utf8') : '';
        fs.rmSync(timeFile, { force: true });
        const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(report);
        peakRssKb = m ? Number(m[1]) : NaN;
        const cpu = /Percent of CPU this job got: (\d+)%/.exec(report);
        cpuPercent = cpu ? Number(cpu[1]) : NaN;
      }
      resolve({ ms, peakRssKb, cpuPercent, code, timedOut, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** Pids of a process and all its descendants, from /proc's children lists. */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    let tasks: string[] = [];
    try {
      tasks = fs.readdirSync(`/proc/${out[i]}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      try {
        for (const c of fs.readFileSync(`/proc/${out[i]}/task/${t}/children`, 'utf8').split(' ')) if (c.trim()) out.push(Number(c));
      } catch {
        // the task ended meanwhile
      }
    }
  }
  return out;
}

/** A field of /proc/<pid>/status in kB (VmRSS, VmHWM), 0 when the process is gone. */
export function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function treeHwmKb(pid: number): number {
  return Math.max(0, ...processTree(pid).map((p) => statusKb(p, 'VmHWM')));
}

/** CPU time (user + system) the process has used so far, in ms. */
export function cpuMs(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of stat (after "pid (comm) " at 11 and 12), in clock
    // ticks of 100 Hz (USER_HZ on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}
