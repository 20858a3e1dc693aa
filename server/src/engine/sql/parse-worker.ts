// The worker thread of parallel.ts: it parses the files in the order given, each one it claims
// before the main thread does, and posts PostgreSQL's JSON of each as one string (one large string
// copies between threads far faster than one per statement), with the statements' bounds, so the
// main thread does not split the file again.
import { workerData } from 'node:worker_threads';
import { initSqlParser, parseBatch } from './parser';
import { spanText, splitStatements } from './split';
import { FREE, PARSED, PARSING, type ParseWork, type ParsedFile } from './parse-work';

const { texts, claims, port } = workerData as ParseWork;
void initSqlParser().then(() => {
  for (let i = 0; i < texts.length; i++) {
    if (Atomics.compareExchange(claims, i, FREE, PARSING) !== FREE) continue;
    try {
      const { statements } = splitStatements(texts[i]);
      const batch = parseBatch(statements.map((s) => s.text));
      const bounds = new Int32Array(statements.length * 2);
      statements.forEach((s, k) => {
        bounds[2 * k] = s.start;
        bounds[2 * k + 1] = s.end;
      });
      const parsed: ParsedFile = { index: i, batch, bounds };
      if (statements.some((s) => s.text !== spanText(texts[i], s))) parsed.texts = statements.map((s) => s.text);
      port.postMessage(parsed, [batch.spans.buffer as ArrayBuffer, bounds.buffer as ArrayBuffer]);
    } finally {
      Atomics.store(claims, i, PARSED);
      Atomics.notify(claims, i);
    }
  }
  port.close();
});
