/**
 * The Monitoring view's work in the data worker (protocol/monitoring.ts): a served name's logged answers
 * summarized here rather than on the page, and an imported request log read line by line (a bad line
 * refused naming the line and the field), its lines for the name summarized the same way and its raw
 * rows measured for drift as the tab's logged rows are (validate.ts servedDrift, against the model's
 * training data).
 */
import { summarize, type MonitoredRequest, type MonitoringSummary } from '../core/serving/monitoring';
import { readLogLine } from '../core/serving/request-log';
import type { ImportedLog, ImportLogRequest, ServedSummaryRequest } from '../protocol/monitoring';
import { throwIfAborted } from '../protocol/jobs';
import type { PipetteDB } from '../store/db';
import { servedResponsesOf } from '../store/served-responses';
import type { ServingRequestRecord } from '../store/validation-records';
import { servedDrift } from './validate';

export async function servedSummary(db: PipetteDB, req: Omit<ServedSummaryRequest, 'jobId'>): Promise<MonitoringSummary> {
  return summarize(await servedResponsesOf(db, req.projectId, req.name));
}

export async function importLog(db: PipetteDB, req: Omit<ImportLogRequest, 'jobId'>, signal?: AbortSignal): Promise<ImportedLog> {
  const text = await req.file.text();
  const requests: MonitoredRequest[] = [];
  const rows: ServingRequestRecord[] = [];
  const otherModels: Record<string, number> = {};
  let lines = 0;
  let encodedRequests = 0;
  let start = 0;
  for (let number = 1; start < text.length; number++) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end === -1 ? text.length : end).trim();
    start = end === -1 ? text.length : end + 1;
    if (line === '') continue;
    if (number % 10_000 === 0) throwIfAborted(signal);
    const read = readLogLine(line, number);
    lines++;
    if (read.model !== req.name) {
      otherModels[read.model] = (otherModels[read.model] ?? 0) + 1;
      continue;
    }
    requests.push(read.request);
    if (read.request.status !== 200) continue;
    if (read.inputKind === 'encoded') encodedRequests++;
    else if (read.inputKind === 'raw_rows') {
      for (const features of read.inputs) rows.push({ projectId: req.projectId, modelId: req.modelId ?? '', at: read.request.at, seq: rows.length, features: features as ServingRequestRecord['features'] });
    }
  }
  const drift = req.modelId && rows.length > 0 ? await servedDrift(db, { projectId: req.projectId, modelId: req.modelId }, signal, [rows]) : null;
  return { lines, requests: requests.length, otherModels, summary: summarize(requests), drift, encodedRequests };
}
