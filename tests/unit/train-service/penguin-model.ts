/** A small penguins species model trained with the real training service on the cpu backend (Node tests). */
import type * as tfjs from '@tensorflow/tfjs';
import { presetById } from '../../../src/core/train/presets';
import { ModelService } from '../../../src/services/registry-model';
import { TrainService } from '../../../src/services/train';
import type { BackendControl } from '../../../src/services/train-backend';
import type { PipetteDB } from '../../../src/store/db';
import type { RunConfig } from '../../../src/store/training-records';

export interface PenguinModelOptions {
  features: readonly string[];
  seed: number;
  epochs: number;
  /** E.g. a regression: task, presetId, label and spec. */
  overrides?: Partial<RunConfig>;
}

/** Train a run of the MLP classifier preset on Species and save it; the run and the model version. */
export async function trainPenguinModel(tf: typeof tfjs, db: PipetteDB, projectId: string, versionId: string, o: PenguinModelOptions): Promise<{ runId: string; modelId: string; models: ModelService }> {
  const models = new ModelService({ tf, db });
  const cpuOnly: BackendControl = { reports: async () => [{ name: 'cpu', available: true, msPerStep: 1 }], use: async () => void (await tf.setBackend('cpu')) };
  const service = new TrainService({ tf, db, backends: cpuOnly, loadModel: (id) => models.load(id) });
  const preset = presetById('mlp-classifier')!;
  const runId = crypto.randomUUID();
  await service.start(
    {
      runId,
      projectId,
      datasetVersionId: versionId,
      config: {
        name: 'Run',
        task: 'tabular-classification',
        presetId: preset.id,
        features: o.features.map((column) => ({ column })),
        label: 'Species',
        spec: preset.make({ input: { kind: 'tabular', features: 1 }, classes: 2 }),
        baseModelId: null,
        split: { seed: o.seed, fractions: { train: 0.7, validation: 0.15, test: 0.15 } },
        hyper: { optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: o.epochs, patience: 0, classWeights: 'none' },
        backend: 'cpu',
        ...o.overrides,
      },
    },
    new AbortController().signal,
    () => {},
  );
  return { runId, modelId: await models.saveRun(runId, 'Species'), models };
}
