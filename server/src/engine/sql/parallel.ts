// Parsing a large set of migrations on every core: worker threads parse part of the statements
// while the main thread parses the rest, and the results seed the parse cache that the
// (synchronous) checks then read. Workers start before the files are split, so their start
// (loading the parser) overlaps that work.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cachedParse, seedParse } from './index';
import type { ParseOutcome } from './parser';
import { splitStatements } from './split';

/**
 * Below this much SQL (about 20,000 statements) the main thread alone is as fast: measured here on
 * two cores, a 1 MB migration takes 1.1-1.3 s alone and 1.3-1.5 s with a worker.
 */
const MIN_CHARS = 1_500_000;

/** The worker's bundle, beside this one (dist/parse-worker.js); absent when running from sources. */
const WORKER = process.env.PG_HARDEN_PARSE_WORKER ?? path.join(__dirname, 'parse-worker.js');

export async function parseInParallel(texts: string[]): Promise<{ workers: number }> {
  const chars = texts.reduce((n, t) => n + t.length, 0);
  const count = Math.max(0, Math.min(4, (os.availableParallelism?.() ?? os.cpus().length) - 1));
  if (chars < MIN_CHARS || count === 0 || !fs.existsSync(WORKER)) return { workers: 0 };
  const workers = Array.from({ length: count }, () => new ParseWorker());
  const unique = [...new Set(texts.flatMap((t) => splitStatements(t).statements.map((s) => s.text)))];
  // The main thread takes one share, each worker one; interleaved, so long statements spread evenly.
  const shares: string[][] = Array.from({ length: count + 1 }, () => []);
  unique.forEach((t, i) => shares[i % shares.length].push(t));
  const pending = workers.map((w, k) => w.parse(shares[k + 1]).then((results) => results.forEach((r, i) => seedParse(shares[k + 1][i], r))));
  for (const t of shares[0]) cachedParse(t);
  await Promise.all(pending);
  return { workers: count };
}

class ParseWorker {
  // Required here: loading node:worker_threads costs every run that never starts a worker.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  private worker = new (require('node:worker_threads') as typeof import('node:worker_threads')).Worker(WORKER);
  parse(texts: string[]): Promise<ParseOutcome[]> {
    return new Promise((resolve, reject) => {
      this.worker.once('message', (results: ParseOutcome[]) => {
        resolve(results);
        void this.worker.terminate();
      });
      this.worker.once('error', reject);
      this.worker.postMessage(texts);
    });
  }
}
