// The VS Code client bundle: as `npm run build` leaves it in dist/, and minified as `npm run package`
// ships it (the same esbuild options as scripts/build.mjs --production, into a temporary folder).
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface BundleSize {
  devBytes: number;
  minifiedBytes: number;
}

/** `dist` holds the built client.js (the measured copy of dist/); `root` the sources to minify. */
export async function clientBundleSize(root: string, dist: string): Promise<BundleSize> {
  const devBytes = fs.statSync(path.join(dist, 'client.js')).size;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgh-bench-bundle-'));
  try {
    const outfile = path.join(dir, 'client.js');
    await esbuild.build({
      entryPoints: [path.join(root, 'client', 'src', 'extension.ts')],
      outfile,
      external: ['vscode'],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      minify: true,
      define: { PG_HARDEN_VERSION: JSON.stringify('bench') },
      logLevel: 'silent',
    });
    return { devBytes, minifiedBytes: fs.statSync(outfile).size };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
