/**
 * The Deploy stage's response log (issue 15): one compact record per request the tab answered (time,
 * model, version, status, latency, predicted classes), written by the window that answered it and read by
 * the Monitoring view. The request log (served-requests.ts) keeps the rows a request carried; this keeps
 * how it was answered. It keeps the newest MAX_SERVED_RESPONSES answers per model name: a write prunes the
 * oldest in the same transaction, so the log never grows past the cap, whichever window writes.
 */
import type { PipetteDB } from './db';

export interface ServedResponseRecord {
  seq?: number;
  projectId: string;
  at: number;
  /** The model name the route named ('' when the route could not be read). */
  model: string;
  /** The version that answered, or null (no version reached, or a status request). */
  version: number | null;
  status: number;
  latencyMs: number;
  /** The predicted class of each row of a classification answer (empty otherwise). */
  classes: string[];
}

/** Answers kept per project and model name (the Monitoring view summarizes them). */
export const MAX_SERVED_RESPONSES = 10_000;

const ofName = (db: PipetteDB, projectId: string, model: string) => db.servedResponses.where('[projectId+model+at]').between([projectId, model, -Infinity], [projectId, model, Infinity]);

export async function logServedResponse(db: PipetteDB, record: Omit<ServedResponseRecord, 'seq'>, cap = MAX_SERVED_RESPONSES): Promise<void> {
  await db.transaction('rw', db.servedResponses, async () => {
    await db.servedResponses.add(record);
    const count = await ofName(db, record.projectId, record.model).count();
    if (count > cap) await db.servedResponses.bulkDelete(await ofName(db, record.projectId, record.model).limit(count - cap).primaryKeys());
  });
}

/** The newest answer a model name gave (the Monitoring view summarizes again when it changes). */
export function newestServedResponse(db: PipetteDB, projectId: string, model: string): Promise<ServedResponseRecord | undefined> {
  return ofName(db, projectId, model).last();
}

/** The answers a model name gave in a project, oldest first. */
export function servedResponsesOf(db: PipetteDB, projectId: string, model: string): Promise<ServedResponseRecord[]> {
  return ofName(db, projectId, model).toArray();
}
