// Parsing a large set of migrations on two threads: the main thread checks the files in the order
// they run, and a worker thread parses them in the same order. The main thread also decodes each
// file it comes to (check.ts reads its model steps), so the worker runs ahead and parses most of
// them (about 96% of a 1,000-file history); from the last file back, it met the main thread
// halfway. Each file is claimed in shared memory by whichever thread comes to it first, so no file
// is parsed twice and the main thread never waits for a file it could parse itself; it waits only
// for one the worker is parsing at that moment. Nothing is parsed up front: on two cores, a worker
// whose results the main thread awaited before its checks made a 1,000-file check slower.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setPreparsed } from './index';
import { outcomesOf } from './parser';
import { statementsAt } from './split';
import { FREE, MAIN, MIN_CHARS, PARSED, PARSING, type ParsedFile, type ParseWork } from './parse-work';

/** The worker's bundle, beside this one (dist/parse-worker.js); absent when running from sources. */
const WORKER = process.env.PG_HARDEN_PARSE_WORKER ?? path.join(__dirname, 'parse-worker.js');

/** How long the main thread waits for one file before parsing it itself (a worker that died). */
const PATIENCE_MS = 10_000;

export interface Parallel {
  workers: number;
  /** How many files the worker has parsed so far. */
  parsedByWorker(): number;
  /** How many of those the main thread has taken. */
  taken(): number;
  stop(): void;
}

/**
 * Starts the worker on `files`, in the order they run, and lets the SQL analysis take its parses;
 * `stop` ends it. Does nothing below the size threshold, for one file, on one core, or without the
 * worker's bundle.
 */
export function parseInParallel(files: { file: string; text: string }[], { minChars = MIN_CHARS, script = WORKER } = {}): Parallel {
  const chars = files.reduce((n, f) => n + f.text.length, 0);
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  if (chars < minChars || files.length < 2 || cores < 2 || !fs.existsSync(script)) return { workers: 0, parsedByWorker: () => 0, taken: () => 0, stop: () => undefined };
  // Required here: loading node:worker_threads costs every run that never starts a worker.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const threads = require('node:worker_threads') as typeof import('node:worker_threads');
  const claims = new Int32Array(new SharedArrayBuffer(4 * files.length));
  const { port1, port2 } = new threads.MessageChannel();
  const work: ParseWork = { texts: files.map((f) => f.text), claims, port: port2 };
  const worker = new threads.Worker(script, { workerData: work, transferList: [port2] });
  worker.unref();
  // A worker that fails leaves its files to the main thread: the one it was parsing after a wait.
  worker.on('error', () => undefined);
  const index = new Map(files.map((f, i) => [f.file, i]));
  const arrived = new Map<number, ParsedFile>();
  let taken = 0;
  setPreparsed((file, text) => {
    const i = index.get(file);
    if (i === undefined || files[i].text !== text) return undefined;
    if (Atomics.compareExchange(claims, i, FREE, MAIN) === FREE) return undefined;
    while (Atomics.load(claims, i) === PARSING) if (Atomics.wait(claims, i, PARSING, PATIENCE_MS) === 'timed-out') return undefined;
    // The worker posts a file's parses before it marks the file parsed.
    while (!arrived.has(i)) {
      const m = threads.receiveMessageOnPort(port1)?.message as ParsedFile | undefined;
      if (!m) break;
      arrived.set(m.index, m);
    }
    const parsed = arrived.get(i);
    if (!parsed) return undefined;
    arrived.delete(i);
    taken++;
    return { statements: statementsAt(text, parsed.bounds, parsed.texts), parses: outcomesOf(parsed.batch) };
  });
  return {
    workers: 1,
    parsedByWorker: () => claims.filter((c) => c === PARSED).length,
    taken: () => taken,
    stop: () => {
      setPreparsed(undefined);
      port1.close();
      void worker.terminate();
    },
  };
}
