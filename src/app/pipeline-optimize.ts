/**
 * The optimizers of the tab's pipeline host: each is the Optimize stage's own operation in the training
 * worker (quantizeModel, pruneModel, distillModel), so the new model version is written exactly as the
 * Optimize page writes it (source 'optimize', parentModelId the input model, metadata.optimization) and
 * appears in the Registry and the Optimize page's comparison. A model in, a model out: the output is
 * pipette:model/<id> with the properties a later Evaluator, Pusher or optimizer reads (modelId) and what
 * was done (dtype and sizes, sparsity per layer, the student).
 *
 * The Distiller is the Optimize page's distillation: it also saves the same student trained from scratch
 * (for the comparison); the component's output is the distilled student.
 */
import * as Comlink from 'comlink';
import type { JsonValue } from '../core/pipeline/mlmd';
import type { ArtifactRef, ExecuteContext, OutputArtifact } from '../core/pipeline/runner';
import type { ComponentSpec } from '../core/pipeline/spec';
import type { OptimizeProgress } from '../protocol/optimize';
import type { PipetteDB } from '../store/db';
import { abortError, type HostTrainApi } from './pipeline-train';

type Inputs = Readonly<Record<string, ArtifactRef[]>>;

function inputModelId(inputs: Inputs): string {
  const ref = inputs.model?.[0];
  const id = ref?.properties.modelId;
  if (typeof id !== 'string') throw new Error(`${ref?.uri ?? 'the input model'} has no modelId`);
  return id;
}

/** The output artifact of a new model version: its id, number within the project, name, parent and size. */
async function modelOutput(db: PipetteDB, modelId: string, parentModelId: string, extra: Record<string, JsonValue>): Promise<Record<string, OutputArtifact>> {
  const record = await db.models.get(modelId);
  if (!record) throw new Error(`the model version ${modelId} was not saved`);
  return { model: { uri: `pipette:model/${modelId}`, properties: { modelId, version: record.version, name: record.name, parentModelId, weightBytes: record.weightBytes, ...extra } } };
}

/** A worker job of this component: its abort cancels the job, its progress moves the component's bar. */
async function optimizeJob<T>(train: HostTrainApi, ctx: ExecuteContext, call: (jobId: string, onProgress: (p: OptimizeProgress) => void) => Promise<T>): Promise<T> {
  const jobId = crypto.randomUUID();
  const cancel = () => void train.cancel(jobId);
  ctx.signal.addEventListener('abort', cancel);
  try {
    ctx.signal.throwIfAborted();
    const onProgress = Comlink.proxy((p: OptimizeProgress) => ctx.progress(p.phase === 'training' || p.phase === 'scratch' ? p.fraction : null, p.phase));
    return await call(jobId, onProgress);
  } finally {
    ctx.signal.removeEventListener('abort', cancel);
  }
}

export async function runQuantizer(db: PipetteDB, train: HostTrainApi, c: ComponentSpec<'Quantizer'>, inputs: Inputs, ctx: ExecuteContext): Promise<Record<string, OutputArtifact>> {
  const parent = inputModelId(inputs);
  // a quantization takes well under a second and is not cancellable in the worker: a cancel before it starts is honoured
  ctx.signal.throwIfAborted();
  const outcome = await train.quantizeModel({ modelId: parent, dtype: c.settings.dtype });
  ctx.log(`${c.settings.dtype}: ${outcome.quantized} weights quantized, ${outcome.kept} kept float32; bundle ${outcome.before.bundleBytes} → ${outcome.after.bundleBytes} bytes`);
  return modelOutput(db, outcome.modelId, parent, {
    dtype: outcome.dtype,
    bundleBytes: outcome.after.bundleBytes,
    parentBundleBytes: outcome.before.bundleBytes,
    ...(outcome.accuracy === null ? {} : { accuracy: outcome.accuracy }),
  });
}

export async function runPruner(db: PipetteDB, train: HostTrainApi, c: ComponentSpec<'Pruner'>, inputs: Inputs, ctx: ExecuteContext): Promise<Record<string, OutputArtifact>> {
  const parent = inputModelId(inputs);
  const { schedule, training } = c.settings;
  const outcome = await optimizeJob(train, ctx, (jobId, onProgress) => train.pruneModel({ jobId, modelId: parent, schedule: { ...schedule }, training: { ...training }, thenQuantize: false }, onProgress));
  if (outcome.status === 'cancelled' || !outcome.modelId || !outcome.report) throw abortError();
  const layers = outcome.report.layers.map((l) => ({ layer: l.layer, sparsity: l.sparsity }));
  ctx.log(`sparsity ${outcome.report.sparsity.toFixed(4)} of ${outcome.report.prunedWeights} kernel weights`);
  return modelOutput(db, outcome.modelId, parent, { sparsity: outcome.report.sparsity, layers, ...(outcome.accuracy === null ? {} : { accuracy: outcome.accuracy }) });
}

export async function runDistiller(db: PipetteDB, train: HostTrainApi, c: ComponentSpec<'Distiller'>, inputs: Inputs, ctx: ExecuteContext): Promise<Record<string, OutputArtifact>> {
  const parent = inputModelId(inputs);
  const s = c.settings;
  // examples wired: distill on that dataset version whole (the Optimize page's "another version"); else the teacher's training rows
  const versionId = inputs.examples?.[0]?.properties.versionId;
  const datasetVersionId = typeof versionId === 'string' ? versionId : null;
  const outcome = await optimizeJob(train, ctx, (jobId, onProgress) =>
    train.distillModel(
      { jobId, modelId: parent, student: JSON.parse(JSON.stringify(s.student)) as typeof s.student, temperature: s.temperature, alpha: s.alpha, training: { ...s.training }, datasetVersionId, ...(s.labeledShare === undefined ? {} : { labeledShare: s.labeledShare }) },
      onProgress,
    ),
  );
  if (outcome.status === 'cancelled' || !outcome.distilled) throw abortError();
  const { distilled, scratch } = outcome;
  ctx.log(`student ${distilled.params} parameters (teacher ${outcome.teacherParams}), ${outcome.labeledRows} labeled rows`);
  return modelOutput(db, distilled.modelId, parent, {
    studentParams: distilled.params,
    teacherParams: outcome.teacherParams,
    labeledRows: outcome.labeledRows,
    ...(scratch ? { scratchModelId: scratch.modelId } : {}),
    ...(distilled.accuracy === null ? {} : { accuracy: distilled.accuracy }),
  });
}
