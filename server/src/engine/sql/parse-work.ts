// What the main thread and the parse worker share (parallel.ts, parse-worker.ts): kept apart so
// the worker's bundle holds the parser and the splitter only.
import type { MessagePort } from 'node:worker_threads';
import type { ParsedBatch } from './parser';

/** Below this much SQL the worker's start (loading the parser, about 0.2 s) is not worth it. */
export const MIN_CHARS = 1_500_000;

/** Each file's state in the shared claims. */
export const FREE = 0;
export const MAIN = 1;
export const PARSING = 2;
export const PARSED = 3;

/** What the worker is given. */
export interface ParseWork {
  texts: string[];
  claims: Int32Array;
  port: MessagePort;
}

/** What the worker sends for each file it parsed. */
export interface ParsedFile {
  index: number;
  batch: ParsedBatch;
  /** Where each statement starts and ends in the file (SqlStatement.start, .end), in pairs. */
  bounds: Int32Array;
  /** The statements' texts, when one of them is not its span of the file (psql meta-commands blanked). */
  texts?: string[];
}
