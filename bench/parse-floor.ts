// The parse floor: what any check with PostgreSQL's parser in WebAssembly must spend before its first
// rule. It starts Node, reads the SQL, splits it into statements with our splitter and parses each with
// libpg-query, as our CLI does (in batches, V8's baseline code only), keeping nothing. Files are
// shared among threads, one per core, each claiming the next file, above the size where our CLI
// starts its parse worker too (below it, a thread's start costs more than it saves); one file is
// parsed on one thread (a second one, given half of a 1 MB file's statements, was no faster). The benchmark runs it in the same rounds as the tools, so each target shows how
// much of the peer's time the parse alone takes (run.ts bundles it beside our build).
//
//   node parse-floor.js FILE_OR_FOLDER
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { initSqlParser, parseBatch } from '../server/src/engine/sql/parser';
import { splitStatements } from '../server/src/engine/sql/split';
import { MIN_CHARS } from '../server/src/engine/sql/parse-work';

/** What one thread parsed. */
interface Count {
  files: number;
  statements: number;
  errors: number;
}

function sqlFiles(target: string): string[] {
  if (!fs.statSync(target).isDirectory()) return [target];
  return fs
    .readdirSync(target, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => path.join(target, f));
}

async function parseClaimed(files: string[], next: Int32Array, read: (i: number) => string): Promise<Count> {
  const ready = initSqlParser();
  const count: Count = { files: 0, statements: 0, errors: 0 };
  for (let i = Atomics.add(next, 0, 1); i < files.length; i = Atomics.add(next, 0, 1)) {
    const texts = splitStatements(read(i)).statements.map((s) => s.text);
    await ready;
    for (let k = 0; k < texts.length; k += 1024) count.errors += parseBatch(texts.slice(k, k + 1024)).errors.length;
    count.files++;
    count.statements += texts.length;
  }
  return count;
}

v8.setFlagsFromString('--liftoff-only');
if (isMainThread) {
  const target = process.argv[2];
  if (!target) {
    process.stderr.write('usage: node parse-floor.js FILE_OR_FOLDER\n');
    process.exit(2);
  }
  const files = sqlFiles(target);
  const texts = files.map((f) => fs.readFileSync(f, 'utf8'));
  const chars = texts.reduce((n, t) => n + t.length, 0);
  const next = new Int32Array(new SharedArrayBuffer(4));
  const threads = chars < MIN_CHARS ? 1 : Math.min(files.length, os.availableParallelism());
  const workers = Array.from(
    { length: threads - 1 },
    () =>
      new Promise<Count>((resolve, reject) => {
        const w = new Worker(__filename, { workerData: { files, next } });
        w.once('message', resolve);
        w.once('error', reject);
      }),
  );
  void Promise.all([parseClaimed(files, next, (i) => texts[i]), ...workers]).then((counts) => {
    const sum = (k: keyof Count) => counts.reduce((n, c) => n + c[k], 0);
    process.stdout.write(`parsed ${sum('statements')} statements (${sum('errors')} with errors) in ${sum('files')} files on ${threads} thread(s)\n`);
  });
} else {
  const { files, next } = workerData as { files: string[]; next: Int32Array };
  void parseClaimed(files, next, (i) => fs.readFileSync(files[i], 'utf8')).then((c) => parentPort!.postMessage(c));
}
