// One esbuild script for the three bundles: the VS Code client, the language server, and the CLI.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
  define: { PG_HARDEN_VERSION: JSON.stringify(version) },
};

const builds = [
  { ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] },
  { ...common, entryPoints: ['server/src/lsp/main.ts'], outfile: 'dist/server.js' },
  // The CLI parses large migration sets on a worker thread as well (server/src/engine/sql/parallel.ts).
  { ...common, entryPoints: ['server/src/engine/sql/parse-worker.ts'], outfile: 'dist/parse-worker.js' },
  {
    ...common,
    entryPoints: ['server/src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
  },
];

// A clean dist: a production package must not carry source maps left by an earlier debug build.
if (!watch) rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

// libpg-query loads its WASM from the folder of the script that loads it: ship it beside the bundles.
mkdirSync(new URL('../dist', import.meta.url), { recursive: true });
copyFileSync(new URL('../node_modules/libpg-query/wasm/libpg-query.wasm', import.meta.url), new URL('../dist/libpg-query.wasm', import.meta.url));

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
