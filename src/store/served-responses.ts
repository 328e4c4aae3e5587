/**
 * The Deploy stage's response log (issue 15): one compact record per request the tab answered (time,
 * model, version, status, latency, predicted classes), written by the window that answered it and read by
 * the Monitoring view. The request log (served-requests.ts) keeps the rows a request carried; this keeps
 * how it was answered.
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

export async function logServedResponse(db: PipetteDB, record: Omit<ServedResponseRecord, 'seq'>): Promise<void> {
  await db.servedResponses.add(record);
}

/** The answers a model name gave in a project, oldest first. */
export function servedResponsesOf(db: PipetteDB, projectId: string, model: string): Promise<ServedResponseRecord[]> {
  return db.servedResponses.where('[projectId+model+at]').between([projectId, model, -Infinity], [projectId, model, Infinity]).toArray();
}
