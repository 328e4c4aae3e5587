/**
 * The Deploy page's Monitoring view in the data worker (issue 15; services/monitoring.ts does the work):
 * the summary of a served name's answered requests, read from IndexedDB and summarized off the page
 * (100,000 logged requests took 83 ms to summarize on the main thread), and an imported request log
 * (`pipette serve --request-log`'s JSON Lines) summarized the same way, with the drift of its raw rows
 * against the model's training data. Type-only imports: the page gets plain JSON.
 */
import type { MonitoringSummary } from '../core/serving/monitoring';
import type { ServedDrift } from './validate';

export interface ServedSummaryRequest {
  jobId: string;
  projectId: string;
  /** The served model name (all its versions and labels). */
  name: string;
}

export interface ImportLogRequest {
  jobId: string;
  projectId: string;
  name: string;
  /** The version whose training data the rows are compared with (the name's latest), if any. */
  modelId: string | null;
  file: Blob;
}

export interface ImportedLog {
  /** Lines read (blank lines aside). */
  lines: number;
  /** Lines of this model name; the summary is theirs. */
  requests: number;
  /** The other model names the file holds, with their line counts. */
  otherModels: Record<string, number>;
  summary: MonitoringSummary;
  /** The drift of the lines' raw rows (answered requests of a model on a transform); null with none. */
  drift: ServedDrift | null;
  /** Answered requests whose inputs are a model's encoded tensor (no columns to compare). */
  encodedRequests: number;
}

export interface MonitoringApi {
  servedSummary(req: ServedSummaryRequest): Promise<MonitoringSummary>;
  /** Read an imported request log; a bad line is a ServingError 'bad-log-line' naming the line and field. */
  importLog(req: ImportLogRequest): Promise<ImportedLog>;
}
