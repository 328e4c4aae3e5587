/** Shared by the service tests: the penguins table in a fake-indexeddb store, a run config, a trained model. */
import type * as tfjs from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { join } from 'node:path';
import { presetById } from '../../../src/core/train/presets';
import type { PipetteDB } from '../../../src/store/db';
import type { CheckpointRecord, RunConfig, RunRecord } from '../../../src/store/training-records';
import type { RunOutcome } from '../../../src/protocol/train';
import { importIntoStore } from '../../../src/services/import';
import { ModelService } from '../../../src/services/registry-model';
import { TrainService } from '../../../src/services/train';
import type { BackendControl } from '../../../src/services/train-backend';

export const penguins = readFileSync(join(process.cwd(), 'node_modules/vega-datasets/data/penguins.json'));
export const PENGUIN_FEATURES = ['Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'];

/** Import a JSON file into the project; returns the new version's id. */
export async function importJson(db: PipetteDB, projectId: string, name: string, bytes: Buffer): Promise<string> {
  const out = await importIntoStore(db, { jobId: crypto.randomUUID(), projectId, sources: [new File([new Uint8Array(bytes)], name)] }, new AbortController().signal, () => {});
  return out.versionId;
}

/** An MLP run on the penguins' species (the input and head are placeholders: the service fits them to the data). */
export function penguinConfig(features: readonly string[], overrides: Partial<RunConfig> = {}, hyper: Partial<RunConfig['hyper']> = {}): RunConfig {
  const preset = presetById('mlp-classifier')!;
  return {
    name: 'Run 1',
    task: 'tabular-classification',
    presetId: preset.id,
    features: features.map((column) => ({ column })),
    label: 'Species',
    spec: preset.make({ input: { kind: 'tabular', features: 1 }, classes: 2 }),
    baseModelId: null,
    split: { seed: 42, fractions: { train: 0.7, validation: 0.15, test: 0.15 } },
    hyper: { optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: 12, patience: 0, classWeights: 'none', ...hyper },
    backend: 'auto',
    ...overrides,
  };
}

/** Train a run on cpu and save it as a model version. */
export async function trainPenguinModel(tf: typeof tfjs, db: PipetteDB, projectId: string, versionId: string, config: RunConfig) {
  const models = new ModelService({ tf, db });
  const cpuOnly: BackendControl = { reports: async () => [{ name: 'cpu', available: true, msPerStep: 1 }], use: async () => void (await tf.setBackend('cpu')) };
  const service = new TrainService({ tf, db, backends: cpuOnly, loadModel: (id) => models.load(id) });
  const runId = crypto.randomUUID();
  await service.start({ runId, projectId, datasetVersionId: versionId, config }, new AbortController().signal, () => {});
  const run = (await db.runs.get(runId))!;
  return { models, runId, run, modelId: await models.saveRun(runId, 'MLP') };
}

/**
 * A crash leaves a run 'running' with its last epoch checkpoint and no worker. Make exactly that state: start
 * a run, pause it in its fourth epoch, copy its record (as 'running') and checkpoint under a new id, and let
 * the original finish. Returns the original's outcome, the copy's id, and the record and checkpoint copied.
 */
export async function crashedCopy(db: PipetteDB, service: TrainService, projectId: string, versionId: string, config: RunConfig) {
  const runId = crypto.randomUUID();
  let paused = false;
  const straight = service.start({ runId, projectId, datasetVersionId: versionId, config }, new AbortController().signal, (e) => {
    if (e.kind === 'batch' && e.progress.epoch >= 3 && !paused) {
      paused = true;
      void service.pause(runId);
    }
  });
  await expect.poll(async () => (await db.runs.get(runId))?.status, { timeout: 20_000 }).toBe('paused');
  const crashedId = crypto.randomUUID();
  const record: RunRecord = (await db.runs.get(runId))!;
  const checkpoint: CheckpointRecord = (await db.checkpoints.get(runId))!;
  await db.runs.add({ ...record, id: crashedId, status: 'running' });
  await db.checkpoints.add({ ...checkpoint, runId: crashedId });
  await service.continue(runId);
  const outcome: RunOutcome = await straight;
  return { runId, outcome, crashedId, record, checkpoint };
}
