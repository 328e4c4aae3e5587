/**
 * The training side of the tab's pipeline host: the Trainer is the Train stage's run (prepareRun for the
 * data's input and classes, startRun with the component's layers and hyperparameters, saveModel for the
 * model version), the Evaluator the Evaluate stage's evaluate (on the model's own test split; relative
 * thresholds against its wired baseline_model as TFX's, else the version aliased production, the stage's
 * rule), the Pusher the registry's setAlias,
 * only when the blessing says blessed (the gate in setAlias checks it again). Each call is the one its
 * stage page makes, so the run, model version, evaluation and alias appear in those pages.
 *
 * Artifacts: pipette:model/<id>, pipette:run/<id>, pipette:evaluation/<id> (the evaluation and its
 * blessing), pipette:alias/<alias>/<modelId>.
 */
import * as Comlink from 'comlink';
import type { ArtifactRef, ExecuteContext, OutputArtifact } from '../core/pipeline/runner';
import type { ComponentSpec, TrainerSettings } from '../core/pipeline/spec';
import { tunedTrainerSettings } from '../core/pipeline/tuner';
import type { SplitFractions } from '../core/model/split';
import type { TrainEvent, TrainWorkerApi } from '../protocol/train';
import { setAlias } from '../services/registry';
import type { PipetteDB } from '../store/db';
import type { RunConfig } from '../store/training-records';

/** What the host asks of the training worker (the optimizers' calls: pipeline-optimize.ts). */
export type HostTrainApi = Pick<TrainWorkerApi, 'prepareRun' | 'startRun' | 'resumeRun' | 'saveModel' | 'evaluate' | 'cancel' | 'quantizeModel' | 'pruneModel' | 'distillModel'>;

type Inputs = Readonly<Record<string, ArtifactRef[]>>;

/** What a component's executor throws when its job was cancelled (the runner marks it cancelled). */
export function abortError(): Error {
  return Object.assign(new Error('cancelled'), { name: 'AbortError' });
}

function property<T>(ref: ArtifactRef | undefined, name: string): T {
  const value = ref?.properties[name];
  if (value === undefined) throw new Error(`${ref?.uri ?? 'an input'} has no ${name}`);
  return value as T;
}

/** A Trainer's (or a Tuner's base) run config: the examples' data, label and split, the transform when wired, the settings' model and training settings. */
export async function trainerRunConfig(train: Pick<HostTrainApi, 'prepareRun'>, s: TrainerSettings, inputs: Inputs, signal: AbortSignal): Promise<{ datasetVersionId: string; config: RunConfig }> {
  const examples = inputs.examples?.[0];
  const datasetVersionId = property<string>(examples, 'versionId');
  const label = property<string>(examples, 'label');
  const split = { seed: property<number>(examples, 'seed'), fractions: { ...property<SplitFractions>(examples, 'fractions') } };
  const transformId = inputs.transform_graph?.[0] ? property<string>(inputs.transform_graph[0], 'transformId') : undefined;
  const labelTask = s.task === 'tabular-regression' ? 'regression' : 'classification';
  const features = transformId ? [] : s.features.map((f) => ({ ...f }));
  signal.throwIfAborted();
  const prepared = await train.prepareRun({ datasetVersionId, features, label, labelTask, split, ...(transformId ? { transformId } : {}) });
  const config: RunConfig = {
    name: s.name,
    task: s.task,
    presetId: s.presetId,
    features,
    label,
    spec: { version: 1, input: prepared.input, layers: s.layers, head: labelTask === 'classification' ? { kind: 'classification', classes: prepared.classes?.length ?? 0 } : { kind: 'regression' }, seed: s.modelSeed },
    baseModelId: null,
    split,
    hyper: { ...s.hyper },
    backend: s.backend,
    ...(transformId ? { transformId } : {}),
  };
  return { datasetVersionId, config };
}

/** The Trainer: with best_hyperparameters wired, its settings carry the best trial's values (core/pipeline/tuner.ts). */
export async function runTrainer(db: PipetteDB, projectId: string, train: HostTrainApi, c: ComponentSpec<'Trainer'>, inputs: Inputs, ctx: ExecuteContext): Promise<Record<string, OutputArtifact>> {
  const hyperparameters = inputs.hyperparameters?.[0];
  const s = tunedTrainerSettings(c.id, c.settings, hyperparameters);
  if (hyperparameters) ctx.log(`hyperparameters: ${JSON.stringify(hyperparameters.properties.values)} (${hyperparameters.uri})`);
  const { datasetVersionId, config } = await trainerRunConfig(train, s, inputs, ctx.signal);
  const runId = crypto.randomUUID();
  const cancel = () => void train.cancel(runId);
  ctx.signal.addEventListener('abort', cancel);
  try {
    const onEvent = Comlink.proxy((e: TrainEvent) => {
      if (e.kind === 'batch') ctx.progress(e.progress.fraction);
    });
    const outcome = await train.startRun({ runId, projectId, datasetVersionId, config }, onEvent);
    if (outcome.status === 'cancelled' || ctx.signal.aborted) throw abortError();
    if (outcome.status === 'failed') {
      // the run keeps a coded error (said in the page's language) or an internal fault's words
      const error = (await db.runs.get(runId))?.error;
      throw error && 'kind' in error ? error : new Error(error?.message ?? `training run ${runId} failed`);
    }
  } finally {
    ctx.signal.removeEventListener('abort', cancel);
  }
  const modelId = await train.saveModel(runId, s.name);
  ctx.log(`pipette:model/${modelId}`);
  return {
    model: { uri: `pipette:model/${modelId}`, properties: { modelId, runId } },
    model_run: { uri: `pipette:run/${runId}`, properties: { runId } },
  };
}

/** The Evaluator's baseline as the Evaluate stage finds it when none is wired: the version aliased production now (part of its cache key). */
export async function productionOf(db: PipetteDB, projectId: string): Promise<string> {
  return (await db.aliases.get([projectId, 'production']))?.modelId ?? '';
}

export async function runEvaluator(train: HostTrainApi, c: ComponentSpec<'Evaluator'>, inputs: Inputs, ctx: ExecuteContext): Promise<Record<string, OutputArtifact>> {
  const modelId = property<string>(inputs.model?.[0], 'modelId');
  // a wired baseline_model is what relative thresholds compare with (TFX's), else production
  const baseline = inputs.baseline_model?.[0];
  const baselineModelId = baseline ? property<string>(baseline, 'modelId') : undefined;
  const s = c.settings;
  const jobId = crypto.randomUUID();
  const cancel = () => void train.cancel(jobId);
  ctx.signal.addEventListener('abort', cancel);
  try {
    ctx.signal.throwIfAborted();
    const onProgress = Comlink.proxy((p: { fraction: number }) => ctx.progress(p.fraction));
    const record = await train.evaluate(
      { jobId, modelId, datasetVersionId: null, specs: s.slices ?? [], bootstrap: s.bootstrap ?? 0, minCount: s.minCount ?? 30, threshold: s.decisionThreshold, thresholds: s.thresholds, ...(baselineModelId ? { baselineModelId } : {}) },
      onProgress,
    );
    const blessed = record.blessing.blessed;
    ctx.log(`blessed: ${blessed}`);
    return {
      evaluation: { uri: `pipette:evaluation/${record.id}`, properties: { evaluationId: record.id, modelId } },
      blessing: { uri: `pipette:evaluation/${record.id}`, properties: { evaluationId: record.id, modelId, blessed } },
    };
  } finally {
    ctx.signal.removeEventListener('abort', cancel);
  }
}

/** Point the alias at the model when the blessing says blessed; otherwise complete with pushed: false and why. */
export async function runPusher(db: PipetteDB, projectId: string, c: ComponentSpec<'Pusher'>, inputs: Inputs, ctx: ExecuteContext): Promise<Record<string, OutputArtifact>> {
  const modelId = property<string>(inputs.model?.[0], 'modelId');
  const blessing = inputs.model_blessing?.[0];
  const { alias } = c.settings;
  if (property<boolean>(blessing, 'blessed') !== true) {
    ctx.log('pushed: false, blessed: false');
    return { pushed_model: { uri: `pipette:alias/${alias}/${modelId}`, properties: { pushed: false, reason: 'not-blessed', alias, modelId } } };
  }
  await setAlias(db, projectId, alias, modelId);
  ctx.log(`pushed: ${alias} → ${modelId}`);
  return { pushed_model: { uri: `pipette:alias/${alias}/${modelId}`, properties: { pushed: true, alias, modelId } } };
}
