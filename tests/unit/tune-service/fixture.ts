/** Shared by the tune service tests: penguins in a fake-indexeddb store, TrainServices as the pool's workers, a stored search. */
import type * as tfjs from '@tensorflow/tfjs';
import type { SearchConfig, SearchSpace } from '../../../src/core/tune/types';
import type { PipetteDB } from '../../../src/store/db';
import { createProject } from '../../../src/store/projects';
import { addSearch, type TuneSearchRecord } from '../../../src/store/tune-records';
import { ModelService } from '../../../src/services/registry-model';
import { TrainService } from '../../../src/services/train';
import type { BackendControl } from '../../../src/services/train-backend';
import type { TrialWorker } from '../../../src/services/tune';
import { importJson, penguinConfig, penguins, PENGUIN_FEATURES } from '../train-service/penguins';

/** A TrainService behind the worker API: each run a job its id cancels, as the training worker's runJob does. */
export function serviceWorker(tf: typeof tfjs, db: PipetteDB): TrialWorker & { service: TrainService } {
  const models = new ModelService({ tf, db });
  const cpuOnly: BackendControl = { reports: async () => [{ name: 'cpu', available: true, msPerStep: 1 }], use: async () => void (await tf.setBackend('cpu')) };
  const service = new TrainService({ tf, db, backends: cpuOnly, loadModel: (id) => models.load(id) });
  const jobs = new Map<string, AbortController>();
  const job = async <T>(id: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    const c = new AbortController();
    jobs.set(id, c);
    try {
      return await work(c.signal);
    } finally {
      jobs.delete(id);
    }
  };
  return {
    service,
    startRun: (req, onEvent) => job(req.runId, (signal) => service.start(req, signal, onEvent)),
    resumeRun: (runId, onEvent) => job(runId, (signal) => service.resume(runId, signal, onEvent)),
    cancel: async (id) => {
      jobs.get(id)?.abort();
      return jobs.has(id);
    },
  };
}

/** The first dense layer's units (8 or 16) and the learning rate (log 1e-3 .. 1e-1). */
export const PENGUIN_SPACE: SearchSpace = {
  version: 1,
  hps: [
    { name: 'units', kind: 'choice', values: [8, 16] },
    { name: 'lr', kind: 'float', min: 1e-3, max: 1e-1, sampling: 'log' },
  ],
  bindings: [
    { hp: 'units', target: { kind: 'layer', index: 0, field: 'units' } },
    { hp: 'lr', target: { kind: 'hyper', field: 'learningRate' } },
  ],
  blocks: [],
};

export function searchSettings(over: Partial<SearchConfig> = {}): SearchConfig {
  return {
    algorithm: 'hyperband',
    objective: { metric: 'val_acc', direction: 'max' },
    maxTrials: 6,
    hyperband: { maxEpochs: 10, factor: 3, iterations: 1 },
    bayesian: { alpha: 1e-4, beta: 2.6 },
    seed: 1,
    ...over,
  };
}

/** A project with the penguins imported and a stored search on them (no dropout: see continue.test.ts). */
export async function penguinSearch(db: PipetteDB, search: SearchConfig, extra: Partial<TuneSearchRecord> = {}): Promise<TuneSearchRecord> {
  const projectId = (await createProject(db, 'P')).id;
  const datasetVersionId = await importJson(db, projectId, 'penguins.json', penguins);
  const base = penguinConfig(PENGUIN_FEATURES, {}, { epochs: 5 });
  base.spec = { ...base.spec!, layers: base.spec!.layers.filter((l) => l.type !== 'dropout') };
  const now = Date.now();
  const record: TuneSearchRecord = {
    id: crypto.randomUUID(),
    projectId,
    name: 'Search 1',
    datasetVersionId,
    base,
    space: PENGUIN_SPACE,
    search,
    workers: 1,
    status: 'running',
    elapsedMs: 0,
    createdAt: now,
    updatedAt: now,
    ...extra,
  };
  await addSearch(db, record);
  return record;
}
