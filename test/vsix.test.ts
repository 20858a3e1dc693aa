// What the packaged extension ships: `npm run package` (or a fresh pg-hardening.vsix, shared with
// the real-VS-Code test) must hold the three bundles, the WASM parser, grammars, snippets, schema
// and rule docs, everything package.json points at, and nothing else, within a 3 MB budget.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import test from 'node:test';
import { RULES } from '../server/src/rules';
import { ensureVsix } from './support/vscode-e2e/vsix';
import { listZip, readZipEntry, type ZipEntry } from './support/vscode-e2e/zip';

const BUDGET = 3 * 1024 * 1024;

/** Every path the package may contain (vsce writes the manifest files; it renames readme and licence). */
const ALLOWED: RegExp[] = [
  /^\[Content_Types\]\.xml$/,
  /^extension\.vsixmanifest$/,
  /^extension\/package\.json$/,
  /^extension\/readme\.md$/i,
  /^extension\/changelog\.md$/i,
  /^extension\/license(\.txt|\.md)?$/i,
  /^extension\/dist\/(client|language-client|server|cli|parse-worker)\.js$/,
  /^extension\/dist\/libpg-query\.wasm$/,
  /^extension\/dist\/catalog\/pg\d+\.json$/,
  /^extension\/syntaxes\/[\w.-]+\.json$/,
  /^extension\/snippets\/[\w.-]+\.json$/,
  /^extension\/docs\/rules\/[\w.-]+\.md$/,
  /^extension\/schemas\/[\w.-]+\.json$/,
];

const REQUIRED = [
  'extension/package.json',
  'extension/dist/client.js',
  'extension/dist/language-client.js',
  'extension/dist/server.js',
  'extension/dist/cli.js',
  'extension/dist/parse-worker.js',
  'extension/dist/libpg-query.wasm',
];

function table(entries: ZipEntry[]): string {
  const total = entries.reduce((n, e) => n + e.size, 0);
  const lines = [...entries]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((e) => `${String(e.size).padStart(9)}  ${String(e.compressedSize).padStart(9)}  ${e.name}`);
  return [`     size  compressed  path`, ...lines, `${String(total).padStart(9)}  total uncompressed, ${entries.length} files`].join('\n');
}

test('the VSIX ships the bundles, WASM, grammars, snippets, schema and docs, and nothing else', async (t) => {
  const vsix = await ensureVsix();
  t.diagnostic(`${vsix.built ? 'built' : 'reused'} ${vsix.file} in ${(vsix.ms / 1000).toFixed(1)} s (${vsix.reason})`);
  const entries = listZip(vsix.file);
  const names = entries.map((e) => e.name);
  const packedSize = fs.statSync(vsix.file).size;
  // One diagnostic per line: the TAP reporter escapes newlines inside one.
  for (const line of [...table(entries).split('\n'), `VSIX file: ${packedSize} bytes`]) t.diagnostic(line);

  // The zip reader agrees with unzip, when unzip is there to ask.
  let unzipNames: string[] | undefined;
  try {
    unzipNames = execFileSync('unzip', ['-Z1', vsix.file], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    t.diagnostic('unzip not available: entries listed by the built-in central-directory reader only');
  }
  if (unzipNames) assert.deepEqual([...names].sort(), [...unzipNames].sort(), 'zip reader and unzip -Z1 disagree');

  const unexpected = names.filter((n) => !ALLOWED.some((re) => re.test(n)));
  assert.deepEqual(unexpected, [], 'files outside the allow-list were packaged (see .vscodeignore)');
  for (const n of names) {
    assert.doesNotMatch(n, /(^|\/)node_modules\//, `${n}: node_modules must not ship (bundles are self-contained)`);
    assert.doesNotMatch(n, /^extension\/(test|examples|client|server|bench|scripts)\//, `${n}: sources and tests must not ship`);
    assert.doesNotMatch(n, /\.(map|ts)$/, `${n}: no source maps or TypeScript in the package`);
  }

  for (const r of REQUIRED) assert.ok(names.includes(r), `${r} is missing from the VSIX`);
  assert.ok(names.some((n) => /^extension\/readme\.md$/i.test(n)), 'README is missing');
  assert.ok(names.some((n) => /^extension\/license(\.txt|\.md)?$/i.test(n)), 'LICENSE is missing');

  // Whatever the shipped manifest points at is in the package.
  const manifestEntry = entries.find((e) => e.name === 'extension/package.json')!;
  const manifest = JSON.parse(readZipEntry(vsix.file, manifestEntry).toString('utf8')) as PackageJson;
  const referenced = referencedFiles(manifest);
  const missing = referenced.filter((rel) => !names.includes(`extension/${rel}`));
  assert.deepEqual(missing, [], 'package.json refers to files the VSIX does not contain');
  t.diagnostic(`all ${referenced.length} files package.json refers to are packaged`);

  // Hover, "Show documentation" and codeDescription open docs/rules/<id>.md from the package.
  const undocumented = RULES.map((r) => r.id).filter((id) => !names.includes(`extension/docs/rules/${id}.md`));
  assert.deepEqual(undocumented, [], 'rules without a doc page in the VSIX');

  // Packaged with --no-dependencies: a bundle may require only Node built-ins (and the client, vscode),
  // and files packaged beside it (the parameter catalogs, the server bundle that `pg-harden lsp` loads).
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  const besideIt = (m: string) => m.startsWith('./') && [m, `${m}.js`].some((f) => names.includes(`extension/dist/${f.slice(2)}`));
  for (const bundle of ['client', 'language-client', 'server', 'cli']) {
    const entry = entries.find((e) => e.name === `extension/dist/${bundle}.js`)!;
    const code = readZipEntry(vsix.file, entry).toString('utf8');
    const required = new Set([...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]));
    const external = [...required].filter((m) => !builtins.has(m) && !besideIt(m) && !(bundle.endsWith('client') && m === 'vscode'));
    assert.deepEqual(external, [], `dist/${bundle}.js requires modules that are not packaged`);
  }

  // The budget is on what users download, the .vsix file; its uncompressed size is reported above.
  assert.ok(packedSize <= BUDGET, `pg-hardening.vsix is ${packedSize} bytes, over the ${BUDGET}-byte budget`);
});

interface PackageJson {
  main?: string;
  browser?: string;
  icon?: string;
  contributes?: {
    languages?: { configuration?: string; icon?: { light?: string; dark?: string } }[];
    grammars?: { path?: string }[];
    snippets?: { path?: string }[];
    jsonValidation?: { url?: string }[];
  };
}

/** Package-relative paths of the files package.json points at (main, grammars, snippets, …). */
function referencedFiles(pkg: PackageJson): string[] {
  const c = pkg.contributes ?? {};
  const refs = [
    pkg.main,
    pkg.browser,
    pkg.icon,
    ...(c.languages ?? []).flatMap((l) => [l.configuration, l.icon?.light, l.icon?.dark]),
    ...(c.grammars ?? []).map((g) => g.path),
    ...(c.snippets ?? []).map((s) => s.path),
    ...(c.jsonValidation ?? []).map((j) => j.url).filter((u) => u && !/^[a-z][a-z0-9+.-]*:/i.test(u)),
  ];
  return [...new Set(refs.filter((r): r is string => typeof r === 'string').map((r) => r.replace(/^\.\//, '')))];
}
