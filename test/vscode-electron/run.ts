// `npm run test:vscode`: the extension in a downloaded desktop VS Code through @vscode/test-electron.
// It needs to download VS Code (update.code.visualstudio.com), or VSCODE_EXECUTABLE pointing at an
// installed one; on Linux without a display run it under xvfb-run. Where neither is possible, the
// gate is test/vscode-e2e.test.ts (code-server from the npm registry + Debian chromium).
//
//   npm run build && node --import tsx test/vscode-electron/run.ts
//   VSCODE_TEST_VERSION=stable …            # default: 1.100.3, the oldest VS Code engines.vscode allows
//   VSCODE_EXECUTABLE=/usr/share/code/code … # use an installed VS Code, download nothing
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const VERSION = process.env.VSCODE_TEST_VERSION || '1.100.3';
const CACHE = path.join(process.env.PG_HARDEN_E2E_HOME || path.join(os.homedir(), '.cache', 'pg-hardening-e2e'), 'vscode-test');

async function main(): Promise<number> {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'client.js'))) {
    console.error('test:vscode: dist/client.js is missing; run `npm run build` first.');
    return 1;
  }

  // The extension host loads plain JavaScript: bundle the suite, with vscode left to the host.
  const suite = path.join(ROOT, '.test-tmp', 'vscode-electron', 'suite.js');
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'suite.ts')],
    outfile: suite,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    logLevel: 'warning',
  });

  let vscodeExecutablePath = process.env.VSCODE_EXECUTABLE;
  if (!vscodeExecutablePath) {
    try {
      vscodeExecutablePath = await downloadAndUnzipVSCode({ version: VERSION, cachePath: CACHE, timeout: 20_000 });
    } catch (e) {
      console.error(
        [
          `test:vscode: cannot download VS Code ${VERSION} (${(e as Error).message.split('\n')[0]}).`,
          'This suite needs access to update.code.visualstudio.com, or VSCODE_EXECUTABLE set to an installed VS Code.',
          'Offline, the real-VS-Code check is test/vscode-e2e.test.ts (code-server + chromium; see scripts/e2e-setup.sh).',
        ].join('\n'),
      );
      return 1;
    }
  }

  // A fresh copy of the examples and a fresh profile every run; short paths (Electron's IPC sockets).
  const work = fs.mkdtempSync(path.join(os.tmpdir().length <= 40 ? os.tmpdir() : '/tmp', 'pgh-vsc-'));
  const ws = path.join(work, 'insecure');
  fs.cpSync(path.join(ROOT, 'examples', 'insecure'), ws, { recursive: true });
  try {
    return await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: suite,
      launchArgs: [
        ws,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        `--user-data-dir=${path.join(work, 'ud')}`,
        `--extensions-dir=${path.join(work, 'ext')}`,
      ],
    });
  } catch (e) {
    console.error(`test:vscode: ${(e as Error).message}`);
    return 1;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
