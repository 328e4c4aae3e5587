/**
 * The training side of the tab's host (app/pipeline-train.ts) with a recording training worker on
 * fake-indexeddb: the Trainer's run is the Train stage's (its config built from the component's layers,
 * seed and hyperparameters on the prepared input, the examples' split and label, the transform as its
 * features), saved as a model version; a failed run fails the component with the run's own error; a
 * cancel is the run's cancel. The Evaluator evaluates on the model's own test split with the component's
 * thresholds and hands on the blessing.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runEvaluator, runTrainer, type HostTrainApi } from '../../../src/app/pipeline-train';
import type { ArtifactRef, ExecuteContext } from '../../../src/core/pipeline/runner';
import type { ComponentSpec } from '../../../src/core/pipeline/spec';
import { PipetteDB } from '../../../src/store/db';
import { demo } from '../pipeline/helpers';

let db: PipetteDB;
let dbCount = 0;
beforeEach(async () => {
  db = new PipetteDB(`pipeline-train-${dbCount++}`);
  await db.open();
});
afterEach(async () => {
  await db.delete();
});

const ctx = (signal = new AbortController().signal): ExecuteContext => ({ runId: 'pipeline-run-1', signal, progress: () => {}, log: () => {} });
const examples: ArtifactRef = { id: 1, kind: 'Examples', uri: 'pipette:version/v2', properties: { versionId: 'v2', label: 'Species', seed: 42, fractions: { train: 0.7, validation: 0.15, test: 0.15 } } };
const graph: ArtifactRef = { id: 4, kind: 'TransformGraph', uri: 'pipette:transform/t1', properties: { transformId: 't1' } };
const INPUT = { kind: 'tabular', features: 9 };

function recordingTrain(status: 'done' | 'failed' | 'cancelled' | 'hang' = 'done') {
  const calls: { method: string; req: unknown }[] = [];
  const cancelled: string[] = [];
  let markStarted = () => {};
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const train = {
    prepareRun: (req: unknown) => (calls.push({ method: 'prepareRun', req }), Promise.resolve({ input: INPUT, classes: ['Adelie', 'Chinstrap', 'Gentoo'], counts: {}, slots: 9, warnings: [] })),
    startRun: async (req: { runId: string }) => {
      calls.push({ method: 'startRun', req });
      markStarted();
      if (status === 'failed') await db.runs.put({ id: req.runId, error: { kind: 'TrainError', code: 'one-class', details: {}, message: 'one class' } } as never);
      if (status === 'hang') return new Promise(() => {});
      return { runId: req.runId, status };
    },
    saveModel: (runId: string, name: string) => (calls.push({ method: 'saveModel', req: { runId, name } }), Promise.resolve('m1')),
    evaluate: (req: unknown) => (calls.push({ method: 'evaluate', req }), Promise.resolve({ id: 'e1', blessing: { blessed: true, reasons: [], hadBaseline: false } })),
    cancel: (id: string) => (cancelled.push(id), Promise.resolve(true)),
  } as unknown as HostTrainApi;
  return { train, calls, cancelled, started };
}

const trainer = () => demo().components.find((c) => c.id === 'trainer') as ComponentSpec<'Trainer'>;

describe('Trainer', () => {
  it('starts the Train stage run the component describes on the transform, and saves its model version', async () => {
    const { train, calls } = recordingTrain();
    const out = await runTrainer(db, 'p1', train, trainer(), { examples: [examples], transform_graph: [graph] }, ctx());
    expect(out.model).toMatchObject({ uri: 'pipette:model/m1', properties: { modelId: 'm1' } });
    expect(calls.map((c) => c.method)).toEqual(['prepareRun', 'startRun', 'saveModel']);
    expect(calls[0]!.req).toEqual({ datasetVersionId: 'v2', features: [], label: 'Species', labelTask: 'classification', split: { seed: 42, fractions: { train: 0.7, validation: 0.15, test: 0.15 } }, transformId: 't1' });
    const start = calls[1]!.req as { runId: string; projectId: string; datasetVersionId: string; config: Record<string, unknown> };
    expect(start).toMatchObject({ projectId: 'p1', datasetVersionId: 'v2' });
    expect(start.config).toEqual({
      name: 'penguins-pipeline',
      task: 'tabular-classification',
      presetId: 'mlp-classifier',
      features: [],
      label: 'Species',
      spec: { version: 1, input: INPUT, layers: trainer().settings.layers, head: { kind: 'classification', classes: 3 }, seed: 42 },
      baseModelId: null,
      split: { seed: 42, fractions: { train: 0.7, validation: 0.15, test: 0.15 } },
      hyper: { optimizer: 'adam', learningRate: 0.005, batchSize: 32, epochs: 60, patience: 10, classWeights: 'none' },
      backend: 'auto',
      transformId: 't1',
    });
    expect(calls[2]!.req).toEqual({ runId: start.runId, name: 'penguins-pipeline' });
    expect(out.model_run?.uri).toBe(`pipette:run/${start.runId}`);
  });

  it('fails with the run’s own error, saving no model', async () => {
    const { train, calls } = recordingTrain('failed');
    await expect(runTrainer(db, 'p1', train, trainer(), { examples: [examples] }, ctx())).rejects.toMatchObject({ kind: 'TrainError', code: 'one-class' });
    expect(calls.map((c) => c.method)).toEqual(['prepareRun', 'startRun']);
  });

  it('cancels the training run when the component is cancelled', async () => {
    const { train, calls, cancelled, started } = recordingTrain('hang');
    const controller = new AbortController();
    void runTrainer(db, 'p1', train, trainer(), { examples: [examples] }, ctx(controller.signal));
    await started;
    controller.abort();
    expect(cancelled).toEqual([(calls[1]!.req as { runId: string }).runId]);
  });
});

describe('Evaluator', () => {
  it('evaluates the model on its own test split with the component’s thresholds and gives the blessing', async () => {
    const { train, calls } = recordingTrain();
    const evaluator = demo().components.find((c) => c.id === 'evaluator') as ComponentSpec<'Evaluator'>;
    const model: ArtifactRef = { id: 5, kind: 'Model', uri: 'pipette:model/m1', properties: { modelId: 'm1' } };
    const out = await runEvaluator(train, evaluator, { examples: [examples], model: [model] }, ctx());
    expect(out.blessing?.properties).toEqual({ evaluationId: 'e1', modelId: 'm1', blessed: true });
    expect({ ...(calls[0]!.req as object), jobId: undefined }).toEqual({ jobId: undefined, modelId: 'm1', datasetVersionId: null, specs: [], bootstrap: 0, minCount: 30, threshold: undefined, thresholds: evaluator.settings.thresholds });
  });

  it('compares with a wired baseline_model instead of production (TFX\'s Evaluator)', async () => {
    const { train, calls } = recordingTrain();
    const evaluator = demo().components.find((c) => c.id === 'evaluator') as ComponentSpec<'Evaluator'>;
    const model: ArtifactRef = { id: 5, kind: 'Model', uri: 'pipette:model/m1', properties: { modelId: 'm1' } };
    const baseline: ArtifactRef = { id: 6, kind: 'Model', uri: 'pipette:model/m0', properties: { modelId: 'm0' } };
    await runEvaluator(train, evaluator, { examples: [examples], model: [model], baseline_model: [baseline] }, ctx());
    expect(calls[0]!.req).toMatchObject({ modelId: 'm1', baselineModelId: 'm0' });
  });
});
