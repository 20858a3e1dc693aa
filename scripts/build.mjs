// One esbuild script for the bundles: the VS Code client (activation, then the language client), the
// language server, the CLI, and the CLI's parse worker; the WASM parser and the parameter catalogs
// are copied beside them.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
// --outdir DIR: build elsewhere than dist/ (the benchmark measures a production build of its own).
const outIndex = process.argv.indexOf('--outdir');
const out = outIndex > 0 ? pathToFileURL(resolve(process.argv[outIndex + 1]) + '/') : new URL('../dist/', import.meta.url);

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
  define: { PG_HARDEN_VERSION: JSON.stringify(version) },
  // The parameter catalogs (320 KB) stay JSON files beside the bundles, read when a check needs one:
  // as code in the bundle, every start paid for compiling them.
  external: ['./catalog/*'],
};

const builds = [
  { ...common, entryPoints: ['client/src/extension.ts'], outfile: fileURLToPath(new URL('client.js', out)), external: ['vscode'] },
  // Loaded by client.js once a PostgreSQL file is open (activation itself stays small).
  { ...common, entryPoints: ['client/src/language-client.ts'], outfile: fileURLToPath(new URL('language-client.js', out)), external: ['vscode'] },
  { ...common, entryPoints: ['server/src/lsp/main.ts'], outfile: fileURLToPath(new URL('server.js', out)) },
  // The CLI parses large migration sets on a worker thread as well (server/src/engine/sql/parallel.ts).
  { ...common, entryPoints: ['server/src/engine/sql/parse-worker.ts'], outfile: fileURLToPath(new URL('parse-worker.js', out)) },
  {
    ...common,
    entryPoints: ['server/src/cli/main.ts'],
    outfile: fileURLToPath(new URL('cli.js', out)),
    banner: { js: '#!/usr/bin/env node' },
    // `pg-harden lsp` loads the server bundle beside it, so checks never compile the LSP library.
    external: [...common.external, './server.js'],
  },
];

// A clean dist: a production package must not carry source maps left by an earlier debug build.
if (!watch) rmSync(out, { recursive: true, force: true });

// libpg-query loads its WASM from the folder of the script that loads it: ship it beside the bundles.
mkdirSync(out, { recursive: true });
copyFileSync(new URL('../node_modules/libpg-query/wasm/libpg-query.wasm', import.meta.url), new URL('libpg-query.wasm', out));
const catalogs = new URL('../server/src/engine/conf/catalog/', import.meta.url);
mkdirSync(new URL('catalog/', out), { recursive: true });
for (const f of readdirSync(catalogs)) if (f.endsWith('.json')) copyFileSync(new URL(f, catalogs), new URL(`catalog/${f}`, out));

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
