// Parsing a large set of migrations on every core: a worker thread parses part of the statements
// while the main thread parses the rest, and the results seed the parse cache that the
// (synchronous) checks then read. Measured here, a worker pays for its start (loading the parser,
// warming it up, copying its results back) only on multi-megabyte inputs: below 20,000 statements
// (a 1 MB migration has 15,000) the main thread alone is as fast.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { cachedParse, seedParse } from './index';
import type { ParseOutcome } from './parser';
import { splitStatements } from './split';

const MIN_STATEMENTS = 20_000;

/** The worker's bundle, beside this one (dist/parse-worker.js); absent when running from sources. */
const WORKER = process.env.PG_HARDEN_PARSE_WORKER ?? path.join(__dirname, 'parse-worker.js');

export async function parseInParallel(texts: string[]): Promise<{ statements: number; workers: number }> {
  const unique = [...new Set(texts.flatMap((t) => splitStatements(t).statements.map((s) => s.text)))];
  const workers = Math.max(0, Math.min(4, (os.availableParallelism?.() ?? os.cpus().length) - 1));
  if (unique.length < MIN_STATEMENTS || workers === 0 || !fs.existsSync(WORKER)) return { statements: unique.length, workers: 0 };
  // The main thread takes one share; each worker one share. Interleaved, so long statements spread evenly.
  const shares: string[][] = Array.from({ length: workers + 1 }, () => []);
  unique.forEach((t, i) => shares[i % shares.length].push(t));
  const pending = shares.slice(1).map((share) => runWorker(share).then((results) => results.forEach((r, i) => seedParse(share[i], r))));
  for (const t of shares[0]) cachedParse(t);
  await Promise.all(pending);
  return { statements: unique.length, workers };
}

function runWorker(texts: string[]): Promise<ParseOutcome[]> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER);
    w.once('message', (results: ParseOutcome[]) => {
      resolve(results);
      void w.terminate();
    });
    w.once('error', reject);
    w.postMessage(texts);
  });
}
