/**
 * The request log: what models of a project served (the registry's predict panel today; requests served over
 * TF Serving's REST API are to join here), read by the Validate stage's skew check and by the pipelines'
 * drift trigger. Everything that reads the log goes through these two functions.
 */
import type { PipetteDB } from './db';
import type { ServingRequestRecord } from './validation-records';

const SLICE_ROWS = 65_536;

/** The project's logged requests in the order they were logged, a slice at a time (a long log never sits in memory); only the given models' when `modelIds` is set. */
export async function* servedRequestSlices(db: PipetteDB, projectId: string, modelIds?: ReadonlySet<string>, sliceRows = SLICE_ROWS): AsyncGenerator<ServingRequestRecord[]> {
  let lastSeq = -Infinity;
  for (;;) {
    const rows = await db.servingRequests.where('seq').above(lastSeq).and((r) => r.projectId === projectId).limit(sliceRows).toArray();
    if (rows.length === 0) return;
    lastSeq = rows[rows.length - 1]!.seq!;
    const wanted = modelIds ? rows.filter((r) => modelIds.has(r.modelId)) : rows;
    if (wanted.length > 0) yield wanted;
  }
}

/** The newest request a model served (what the drift trigger watches: a new one means new requests). */
export function lastServedRequest(db: PipetteDB, modelId: string): Promise<ServingRequestRecord | undefined> {
  return db.servingRequests.where('modelId').equals(modelId).last();
}
