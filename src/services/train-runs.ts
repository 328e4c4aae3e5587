/**
 * Run records for the page: listing and deleting (Dexie only, no TF.js or Arrow, so the page imports
 * it directly; training itself is in train.ts, in the training worker).
 */
import type { PipetteDB } from '../store/db';
import type { RunRecord } from '../store/training-records';

export async function listRuns(db: PipetteDB, projectId: string): Promise<RunRecord[]> {
  const all = await db.runs.where('projectId').equals(projectId).toArray();
  return all.sort((a, b) => b.createdAt - a.createdAt);
}

/** Delete a run and its checkpoint (a model version saved from it stays: versions are immutable). */
export async function deleteRun(db: PipetteDB, runId: string): Promise<void> {
  await db.transaction('rw', [db.runs, db.checkpoints], async () => {
    await db.checkpoints.delete(runId);
    await db.runs.delete(runId);
  });
}
