// The worker thread of parallel.ts: it parses the files in the order given, each one it claims
// before the main thread does, and posts PostgreSQL's JSON of each as one string (one large string
// copies between threads far faster than one per statement).
import { workerData } from 'node:worker_threads';
import { initSqlParser, parseBatch } from './parser';
import { splitStatements } from './split';
import { FREE, PARSED, PARSING, type ParseWork, type ParsedFile } from './parse-work';

const { texts, claims, port } = workerData as ParseWork;
void initSqlParser().then(() => {
  for (let i = 0; i < texts.length; i++) {
    if (Atomics.compareExchange(claims, i, FREE, PARSING) !== FREE) continue;
    try {
      const batch = parseBatch(splitStatements(texts[i]).statements.map((s) => s.text));
      const parsed: ParsedFile = { index: i, batch };
      port.postMessage(parsed, [batch.spans.buffer as ArrayBuffer]);
    } finally {
      Atomics.store(claims, i, PARSED);
      Atomics.notify(claims, i);
    }
  }
  port.close();
});
