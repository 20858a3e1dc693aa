// Checking a whole migration history allocates hundreds of MB that are garbage once its findings are
// published; V8 keeps that heap, and the process its resident memory, until allocation resumes, which
// in an idle editor may be never. A full collection after such a batch gives it back.
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

let gc: (() => void) | undefined;

export function releaseMemory(): void {
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  }
  gc();
}
