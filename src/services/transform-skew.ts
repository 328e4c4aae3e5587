/**
 * Training/serving skew through a transform (issue 13), in the data worker: the raw inputs logged by the
 * predict panel for the models trained on a transform version are put through that transform, and their
 * statistics compared with the transform's statistics of its transformed training rows (the same columns,
 * the same accumulator: services/transform-rows.ts's plan). A shift that the raw comparison shows spread
 * over several columns shows here where the model sees it (a z-score's range, a vocabulary's OOV bucket).
 * No schema has thresholds for transformed columns, so distances are reported and nothing is flagged.
 */
import { buildBatch } from '../core/data/arrow';
import { transformFeature } from '../core/model/preprocess/inputs';
import { missing } from '../core/record-error';
import { evaluateChunk } from '../core/transform/apply';
import { chunkFromRows } from '../core/transform/chunk';
import { prepare } from '../core/transform/reader.js';
import { compareStats, StatsAccumulator } from '../core/validate';
import { throwIfAborted } from '../protocol/jobs';
import type { SkewOutcome } from '../protocol/validate';
import type { PipetteDB } from '../store/db';
import { servedRequestSlices } from '../store/served-requests';
import { statsBatchColumns, statsColumns } from './transform-rows';

/** The models of the project trained on this transform version. */
async function modelsOn(db: PipetteDB, projectId: string, transformId: string): Promise<string[]> {
  const models = await db.models.where('projectId').equals(projectId).toArray();
  return models.filter((m) => transformFeature(m.metadata.preprocessing)?.transform.id === transformId).map((m) => m.id);
}

/** Skew of the serving requests of the transform's models, through the transform, against its training statistics. */
export async function transformSkew(db: PipetteDB, req: { projectId: string; transformId: string }, signal?: AbortSignal): Promise<SkewOutcome> {
  const record = await db.transforms.get(req.transformId);
  if (!record || record.projectId !== req.projectId) throw missing('transform', req.transformId);
  const modelIds = new Set(await modelsOn(db, req.projectId, record.id));
  const plan = statsColumns(record.fitted);
  const steps = new Map(prepare(record.fitted).steps.map((ps) => [ps.name, ps]));
  const wanted = [...plan.steps.keys()];
  const acc = new StatsAccumulator(plan.columns, {});
  let requests = 0;
  for await (const mine of servedRequestSlices(db, req.projectId, modelIds)) {
    throwIfAborted(signal);
    // the logged values as the model read them: the same reader the predict panel and a bundle use
    const chunk = chunkFromRows(
      mine.map((r) => r.features),
      record.fitted.columns,
    );
    acc.add(buildBatch(statsBatchColumns(plan, evaluateChunk(chunk, steps, wanted), chunk.length), chunk.length));
    requests += mine.length;
  }
  throwIfAborted(signal);
  if (requests === 0) return { logged: false, requests: 0 };
  const serving = acc.finish();
  return { logged: true, requests, comparison: compareStats(record.stats, serving, null, 'skew'), anomalies: [], serving, schemaId: null, transformId: record.id };
}
