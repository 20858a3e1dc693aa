// Checking a whole migration history allocates hundreds of MB that are garbage once its findings are
// published; V8 keeps that heap, and the process its resident memory, until allocation resumes, which
// in an idle editor may be never. A full collection after such a batch gives it back.
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

let gc: (() => void) | undefined;
/** The heap in use after the last collection made here. */
let usedAfter = 0;

export function releaseMemory(): void {
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  }
  gc();
  usedAfter = heapUsed();
}

/**
 * How long without a check counts as a pause in typing. The collection holds the event loop for
 * about as long as a full collection takes (200-250 ms for a 1,000-file history being edited; V8's
 * `execution: 'async'` did not shorten it), so a keystroke that comes then waits: the longer the
 * pause asked for, the rarer that is.
 */
const IDLE_MS = 2000;
/** A pause collects only when the heap has grown this much since the last collection made here. */
const GROWTH = 64 * 1024 * 1024;
let idle: NodeJS.Timeout | undefined;

/**
 * Call after each check: once checks pause, a full collection if the heap has grown. Each keystroke
 * in a long history leaves garbage that outlives the young generation's collections, and V8 lets the
 * old generation grow to several times what is alive before it collects: editing the newest of the
 * bench's 1,000 migrations, the server reached 1.3 GB RSS over 600 keystrokes, 320 MB of it alive.
 * Not during typing: a full collection there costs the keystroke it falls on. (`used` and `collect`
 * are for tests.)
 */
export function releaseWhenIdle({ used = heapUsed, collect = releaseMemory } = {}): void {
  clearTimeout(idle);
  idle = setTimeout(() => {
    if (used() - usedAfter >= GROWTH) collect();
  }, IDLE_MS);
  idle.unref();
}

const heapUsed = () => v8.getHeapStatistics().used_heap_size;
