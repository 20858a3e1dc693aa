// The VS Code client as it ships: client.js is what activation loads; language-client.js (the
// vscode-languageclient library and our use of it) is loaded once a PostgreSQL file is open.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface BundleSize {
  activationBytes: number;
  languageClientBytes: number;
}

/** `dist`: a production build. */
export function clientBundleSize(dist: string): BundleSize {
  return {
    activationBytes: fs.statSync(path.join(dist, 'client.js')).size,
    languageClientBytes: fs.statSync(path.join(dist, 'language-client.js')).size,
  };
}
