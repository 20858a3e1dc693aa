// A worker thread that parses statements for the main thread: PostgreSQL's JSON comes back as
// text, so nothing but strings crosses between the threads.
import { parentPort } from 'node:worker_threads';
import { initSqlParser, parseSql } from './parser';

const ready = initSqlParser();
parentPort?.on('message', (texts: string[]) => {
  void ready.then(() => parentPort!.postMessage(texts.map((t) => parseSql(t))));
});
