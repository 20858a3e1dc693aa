// The peers, installed from the npm registry into a git-ignored folder of their own: their platform
// packages exist for Linux only on this registry, so no lock file of the project can list them.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const PEER_PACKAGES = ['squawk-cli@2.66.0', '@postgres-language-server/cli@0.25.5'];

export interface Peers {
  squawk: string;
  pls: string;
}

export function peerBins(dir: string): Peers {
  const bin = path.join(dir, 'node_modules', '.bin');
  return { squawk: path.join(bin, 'squawk'), pls: path.join(bin, 'postgres-language-server') };
}

function versionOf(bin: string): string {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? r.stdout : '';
}

/** True when both binaries are there and report the pinned versions. */
function ready(bins: Peers): boolean {
  return fs.existsSync(bins.squawk) && fs.existsSync(bins.pls) && versionOf(bins.squawk).includes('2.66.0') && versionOf(bins.pls).includes('0.25.5');
}

/** Installs the pinned peers into `dir` unless they are already there; returns their binaries. */
export function ensurePeers(dir: string, log: (s: string) => void): Peers {
  const bins = peerBins(dir);
  if (ready(bins)) return bins;
  log(`installing ${PEER_PACKAGES.join(' and ')} into ${dir}`);
  fs.mkdirSync(dir, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['install', '--prefix', dir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', ...PEER_PACKAGES], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (r.status !== 0 || !ready(bins)) throw new Error(`could not install the peers (npm exit ${r.status}): ${(r.stderr || r.stdout || String(r.error)).trim().slice(-500)}`);
  return bins;
}
