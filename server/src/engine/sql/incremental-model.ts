// While a migration is edited, the schema model is folded again from a state kept before the first
// statement the edits changed, not from the start of the history. Editing the newest file of a
// 1,000-file history then folds that file's statements, not the 136,000 before it.
//
// A state is kept at the start of the file being edited and every few of its statements. It stays
// good while nothing before it changes: the files before it are the same analyses, and the file's
// statements before it are the same objects (an edit keeps the statements before it, see split.ts).
import type { SqlAnalysis } from './index';
import { Fold, copyFoldState, emptyFoldState, layerOver, modelOf, modelStepsOf, type FileSlot, type FoldState, type SchemaModel } from './model';

/** The fold's state before statement `stmt` of history file `file`. */
interface Checkpoint {
  file: number;
  stmt: number;
  searchPath: string;
  state: FoldState;
}

export interface ModelBuild {
  model: SchemaModel;
  history: readonly SqlAnalysis[];
  checkpoints: readonly Checkpoint[];
  /** Each file's slot, by name: the facts of kept states see the file's newest analysis through it. */
  slots: ReadonlyMap<string, FileSlot>;
}

/** How many states to keep across the edited file (each is a copy of the model's maps, flattened from any layer). */
const STATES_PER_FILE = 8;
/** Fewer statements than this between two states are folded again rather than kept. */
const MIN_STEPS_BETWEEN = 64;

/**
 * The model of `history`, going on from the last state of `previous` that the history still has
 * unchanged before it; states are kept in `edited`, the file being edited. The statements folded
 * again hand back the facts they made last time when what they read is the same (model.ts, Applied).
 * After the first build, states are kept only up to the first statement that changed: typing goes
 * on there, and states past it would be copied at every keystroke to serve only an edit further
 * down, which makes them as it passes.
 */
export function buildModelIncrementally(history: SqlAnalysis[], previous: ModelBuild | undefined, edited: SqlAnalysis): ModelBuild {
  const [file, stmt] = previous ? firstDifference(previous.history, history) : [0, 0];
  const kept = (previous?.checkpoints ?? []).filter((c) => c.file < file || (c.file === file && c.stmt <= stmt));
  const from = kept[kept.length - 1];
  // A kept state is never changed: the fold goes on in a layer over it.
  const fold = new Fold(from ? layerOver(from.state) : emptyFoldState(), true);
  const slots = new Map<string, FileSlot>();
  for (const analysis of history) {
    const slot = previous?.slots.get(analysis.file) ?? { analysis };
    // The facts kept from earlier builds were made from an earlier analysis of the file: now they name this one.
    slot.analysis = analysis;
    slots.set(analysis.file, slot);
  }
  const checkpoints = [...kept];
  const editedIndex = history.indexOf(edited);
  for (let i = from?.file ?? 0; i < history.length; i++) {
    const analysis = history[i];
    fold.slot = slots.get(analysis.file)!;
    const resumed = from !== undefined && i === from.file;
    fold.searchPath = resumed ? from.searchPath : 'public';
    const { indices, values } = modelStepsOf(analysis);
    const every = Math.max(MIN_STEPS_BETWEEN, Math.ceil(indices.length / STATES_PER_FILE));
    let k = resumed ? firstAtOrAfter(indices, from.stmt) : 0;
    for (; k < indices.length; k++) {
      if (i === editedIndex && k % every === 0) {
        // The state holds from just after the previous statement the model follows.
        const at = k === 0 ? 0 : indices[k - 1] + 1;
        if ((!resumed || at > from.stmt) && (!previous || i < file || (i === file && at <= stmt))) checkpoints.push({ file: i, stmt: at, searchPath: fold.searchPath, state: copyFoldState(fold.state) });
      }
      fold.stmt = analysis.statements[indices[k]];
      fold.apply(values[k]);
    }
  }
  return { model: modelOf(fold.state), history, checkpoints, slots };
}

/** The first place where two histories differ: a file, and the first statement of it that is not the same object. */
function firstDifference(before: readonly SqlAnalysis[], after: readonly SqlAnalysis[]): [number, number] {
  const n = Math.min(before.length, after.length);
  for (let i = 0; i < n; i++) {
    if (before[i] === after[i]) continue;
    if (before[i].file !== after[i].file) return [i, 0];
    const [a, b] = [before[i].statements, after[i].statements];
    let j = 0;
    while (j < a.length && j < b.length && a[j] === b[j]) j++;
    return [i, j];
  }
  return [n, 0];
}

function firstAtOrAfter(sorted: readonly number[], value: number): number {
  let [lo, hi] = [0, sorted.length];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
