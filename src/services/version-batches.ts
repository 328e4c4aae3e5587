/** A dataset version's record batches, read one at a time (the statistics and the Transform stage's passes). */
import type { RecordBatch } from 'apache-arrow';
import { decodeBatch } from '../core/data/arrow';
import { throwIfAborted } from '../protocol/jobs';
import { readBatch } from '../store/datasets';
import type { DatasetVersion, PipetteDB } from '../store/db';

/**
 * Every record batch of a version, decoded, in order; the next one is read from IndexedDB while the
 * current one is used, and the signal is checked between batches (and after the last).
 */
export async function* versionBatches(db: PipetteDB, meta: DatasetVersion, signal?: AbortSignal): AsyncGenerator<RecordBatch> {
  const total = meta.batchRowCounts.length;
  let next = total > 0 ? readBatch(db, meta.id, 0) : null;
  try {
    for (let i = 0; i < total; i++) {
      throwIfAborted(signal);
      const record = await next!;
      next = i + 1 < total ? readBatch(db, meta.id, i + 1) : null;
      yield decodeBatch(record.ipc);
    }
  } finally {
    // a prefetch left behind by a cancel (or a reader that stopped early) must not surface as an unhandled rejection
    next?.catch(() => {});
  }
  throwIfAborted(signal);
}
