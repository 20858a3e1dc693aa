// Where scripts/e2e-setup.sh puts the tools of the real-VS-Code test, read from the script itself
// so the two never disagree.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..', '..');
export const SETUP_SCRIPT = path.join(ROOT, 'scripts', 'e2e-setup.sh');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');

/** The code-server version e2e-setup.sh installs (its CS_VERSION=… line). */
export function codeServerVersion(): string {
  const m = /^CS_VERSION=([0-9][0-9.]*)$/m.exec(fs.readFileSync(SETUP_SCRIPT, 'utf8'));
  if (!m) throw new Error(`no CS_VERSION=… line in ${SETUP_SCRIPT}`);
  return m[1];
}

export function e2eHome(): string {
  return process.env.PG_HARDEN_E2E_HOME || path.join(os.homedir(), '.cache', 'pg-hardening-e2e');
}

export function codeServerBin(): string {
  return path.join(e2eHome(), `code-server-${codeServerVersion()}`, 'node_modules', '.bin', 'code-server');
}

export function chromiumBin(): string {
  return process.env.PG_HARDEN_CHROMIUM || '/usr/bin/chromium';
}

/** Why the real-VS-Code test cannot run here, or undefined when code-server and chromium are installed. */
export function missingTools(): string | undefined {
  const missing: string[] = [];
  const cs = codeServerBin();
  // The setup writes .installed last: a folder without it is a broken or interrupted install.
  if (!fs.existsSync(path.join(path.dirname(path.dirname(path.dirname(cs))), '.installed')) || !isExecutable(cs))
    missing.push(`code-server ${codeServerVersion()} (${cs})`);
  if (!isExecutable(chromiumBin())) missing.push(`chromium (${chromiumBin()})`);
  if (!missing.length) return undefined;
  return `not installed: ${missing.join(', ')}; run scripts/e2e-setup.sh (as root, or with sudo for apt) to install them`;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * A fresh, short work folder: code-server puts unix sockets under it (TMPDIR), and a socket path
 * must stay under 108 bytes, so a long $TMPDIR is not used.
 */
export function makeWorkDir(prefix: string): string {
  const tmp = os.tmpdir();
  const base = tmp.length <= 40 && fs.existsSync(tmp) ? tmp : '/tmp';
  return fs.mkdtempSync(path.join(base, prefix));
}
