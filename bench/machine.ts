// What the figures were measured on, and with which versions.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Machine {
  date: string;
  cpu: string;
  cores: number;
  ramGb: number;
  kernel: string;
  loadAtStart: number[];
  node: string;
  ours: string;
  squawk: string;
  pls: string;
}

const firstLine = (s: string) => s.trim().split('\n')[0] ?? '';

function output(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 30_000 });
  return firstLine(r.stdout || r.stderr || `(${cmd} did not run)`);
}

export function describeMachine(root: string, bins: { squawk: string; pls: string }): Machine {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version as string;
  const commit = output('git', ['rev-parse', '--short', 'HEAD'], root);
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'server', 'client'], { cwd: root, encoding: 'utf8' }).stdout.trim() ? ', with uncommitted changes in server/ or client/' : '';
  return {
    date: new Date().toISOString(),
    cpu: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    ramGb: os.totalmem() / 2 ** 30,
    kernel: `${os.type()} ${os.release()}`,
    loadAtStart: os.loadavg(),
    node: process.version,
    ours: `pg-hardening ${version} (commit ${commit}${dirty})`,
    squawk: output(bins.squawk, ['--version'], root),
    pls: `postgres-language-server ${output(bins.pls, ['--version'], root).replace(/^Version:\s*/, '')}`,
  };
}
