/**
 * The rows the Transform stage reads from a dataset version in the store (data worker; Node tests): the
 * seeded split the Train stage makes and the training rows of each batch, over core's batch-source
 * functions (core/model/split-batches.ts, core/transform/rows.ts), which the command-line runner shares.
 */
import type { Split } from '../core/model/split';
import { splitOfBatches, type SplitChoice } from '../core/model/split-batches';
import type { TransformChunk } from '../core/transform/chunk';
import { trainingChunksOf } from '../core/transform/rows';
import type { DatasetVersion, PipetteDB } from '../store/db';
import { versionBatches } from './version-batches';

export { labelTaskFor, type SplitChoice } from '../core/model/split-batches';
export { MAX_STATS_SLOTS, statsBatchColumns, statsColumns, takeRows, type StatsColumnPlan } from '../core/transform/rows';

/**
 * The Train stage's split of a version: the label read the way Train reads it, then splitRows with the
 * same seed and fractions. Without a label column, every row is split, unstratified.
 */
export function splitOfVersion(db: PipetteDB, meta: DatasetVersion, choice: SplitChoice, signal?: AbortSignal, onRows?: (rows: number) => void): Promise<Split> {
  return splitOfBatches(meta, choice, () => versionBatches(db, meta, signal), onRows);
}

/**
 * The training rows of a version, one chunk per record batch holding any (only the columns `names`).
 * `rows` are the split's training rows, ascending. Each call reads the version again: fitting makes
 * one pass per analyzer phase, and the statistics one more.
 */
export function trainingChunks(db: PipetteDB, meta: DatasetVersion, rows: Uint32Array, names: readonly string[], signal?: AbortSignal): AsyncGenerator<TransformChunk> {
  return trainingChunksOf(versionBatches(db, meta, signal), rows, names);
}
