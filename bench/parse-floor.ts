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
import { BATCH_STATEMENTS, initSqlParser, parseBatch } from '../server/src/engine/sql/parser';
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

/** Parses each file this thread claims before another thread does, in the CLI's batches. */
async function parseClaimed(files: readonly string[], next: Int32Array): Promise<Count> {
  const ready = initSqlParser();
  const count: Count = { files: 0, statements: 0, errors: 0 };
  for (let i = Atomics.add(next, 0, 1); i < files.length; i = Atomics.add(next, 0, 1)) {
    const statements = splitStatements(fs.readFileSync(files[i], 'utf8')).statements.map((s) => s.text);
    await ready;
    for (let k = 0; k < statements.length; k += BATCH_STATEMENTS) count.errors += parseBatch(statements.slice(k, k + BATCH_STATEMENTS)).errors.length;
    count.files++;
    count.statements += statements.length;
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
  // Each thread reads the files it claims: handing the texts over as our CLI does cost 0.1 s more
  // of the tree. The CLI's threshold counts characters; bytes are as many in ASCII SQL.
  const bytes = files.reduce((n, f) => n + fs.statSync(f).size, 0);
  const next = new Int32Array(new SharedArrayBuffer(4));
  const threads = bytes < MIN_CHARS ? 1 : Math.min(files.length, os.availableParallelism());
  const workers = Array.from(
    { length: threads - 1 },
    () =>
      new Promise<Count>((resolve, reject) => {
        const w = new Worker(__filename, { workerData: { files, next } });
        w.once('message', resolve);
        w.once('error', reject);
      }),
  );
  void Promise.all([parseClaimed(files, next), ...workers]).then((counts) => {
    const sum = (k: keyof Count) => counts.reduce((n, c) => n + c[k], 0);
    process.stdout.write(`parsed ${sum('statements')} statements (${sum('errors')} with errors) in ${sum('files')} files on ${threads} thread(s)\n`);
  });
} else {
  const { files, next } = workerData as { files: string[]; next: Int32Array };
  void parseClaimed(files, next).then((c) => parentPort!.postMessage(c));
}
