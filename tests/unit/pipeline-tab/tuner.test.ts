/**
 * The tab's Tuner (app/pipeline-tune.ts) on fake-indexeddb with a real TrainService as its one training
 * worker (cpu), on the penguins: a random search of 3 trials of 2 epochs is a normal Tune stage search
 * (the Tune page's records: the search done, 3 trials each a finished run), its best_hyperparameters is
 * the best trial by val_acc (counted here) with that trial's values; a Trainer reading it starts the
 * run config of the best trial's own stored run (its layers and training settings); the artifact exists
 * while the search does; a cancel cancels the search and fails nothing.
 */
import 'fake-indexeddb/auto';
import type * as tfjs from '@tensorflow/tfjs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TabPipelineHost } from '../../../src/app/pipeline-host';
import { runTrainer, type HostTrainApi } from '../../../src/app/pipeline-train';
import { runTuner } from '../../../src/app/pipeline-tune';
import { defaultSettings } from '../../../src/core/pipeline/draft';
import type { ArtifactRef, ExecuteContext } from '../../../src/core/pipeline/runner';
import type { ComponentSpec, TrainerSettings } from '../../../src/core/pipeline/spec';
import { PipetteDB } from '../../../src/store/db';
import { createProject } from '../../../src/store/projects';
import { deleteSearch, listSearches, listTrials } from '../../../src/store/tune-records';
import { useCpu } from '../train/helpers';
import { importJson, penguins, PENGUIN_FEATURES } from '../train-service/penguins';
import { PENGUIN_SPACE, searchSettings, serviceWorker } from '../tune-service/fixture';

let tf: typeof tfjs;
let db: PipetteDB;
let dbCount = 0;
beforeAll(async () => {
  tf = await useCpu();
});
beforeEach(async () => {
  db = new PipetteDB(`pipeline-tuner-${dbCount++}`);
  await db.open();
});
afterEach(async () => {
  await db.delete();
});

const ctx = (signal = new AbortController().signal): ExecuteContext => ({ runId: 'pipeline-run-1', signal, progress: () => {}, log: () => {} });

function base(name: string): TrainerSettings {
  return {
    ...defaultSettings('Trainer'),
    name,
    features: PENGUIN_FEATURES.map((column) => ({ column })),
    layers: [{ type: 'dense', units: 16, activation: 'relu' }],
    hyper: { optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: 2, patience: 0, classWeights: 'none' },
    backend: 'cpu',
  };
}

const tuner = (): ComponentSpec<'Tuner'> => ({ id: 'tuner', type: 'Tuner', settings: { ...base('pipeline search'), space: PENGUIN_SPACE, search: searchSettings({ algorithm: 'random', maxTrials: 3 }) }, inputs: {} });

async function setUp() {
  const projectId = (await createProject(db, 'P')).id;
  const versionId = await importJson(db, projectId, 'penguins.json', penguins);
  const examples: ArtifactRef = { id: 1, kind: 'Examples', uri: `pipette:version/${versionId}`, properties: { versionId, label: 'Species', seed: 42, fractions: { train: 0.7, validation: 0.15, test: 0.15 } } };
  const worker = serviceWorker(tf, db);
  const train = { ...worker, prepareRun: (req: Parameters<HostTrainApi['prepareRun']>[0]) => worker.service.prepare(req) } as unknown as HostTrainApi;
  return { projectId, examples, worker, train };
}

describe('the Tuner in the tab', () => {
  it('runs a Tune stage search, gives the best trial, and a Trainer reading it starts the best trial\'s config', async () => {
    const { projectId, examples, worker, train } = await setUp();
    const out = await runTuner(db, projectId, train, { worker: () => worker, size: 1 }, tuner(), { examples: [examples] }, ctx());

    const [search] = await listSearches(db, projectId);
    expect(search).toMatchObject({ name: 'pipeline search', status: 'done', doneWhy: 'max-trials', workers: 1 });
    const trials = await listTrials(db, search!.id);
    expect(trials).toHaveLength(3);
    for (const t of trials) {
      expect(t.status).toBe('completed');
      expect((await db.runs.get(t.runId))?.status).toBe('done');
    }
    const best = trials.reduce((a, b) => (b.best! > a.best! ? b : a));
    const hp = out.best_hyperparameters!;
    expect(hp.uri).toBe(`pipette:tune/${search!.id}/${best.id}`);
    expect(hp.properties).toMatchObject({ searchId: search!.id, trialId: best.id, values: best.values, metric: 'val_acc', best: best.best, runId: best.runId });

    // the Trainer with the same layers and settings and the artifact: the config of the best trial's own run
    const started: { config: { spec: { layers: unknown }; hyper: unknown } }[] = [];
    const recording = {
      ...train,
      startRun: (req: (typeof started)[number] & { runId: string }) => (started.push(req), Promise.resolve({ runId: req.runId, status: 'done' })),
      saveModel: () => Promise.resolve('m1'),
    } as unknown as HostTrainApi;
    const trainer: ComponentSpec<'Trainer'> = { id: 'trainer', type: 'Trainer', settings: base('tuned'), inputs: {} };
    const ref: ArtifactRef = { id: 2, kind: 'HyperParameters', uri: hp.uri, properties: hp.properties! };
    await runTrainer(db, projectId, recording, trainer, { examples: [examples], hyperparameters: [ref] }, ctx());
    const trialRun = (await db.runs.get(best.runId))!;
    expect(started[0]!.config.spec.layers).toEqual(trialRun.config.spec!.layers);
    expect(started[0]!.config.hyper).toEqual(trialRun.config.hyper);
    expect(started[0]!.config.spec.layers).toEqual([{ type: 'dense', units: best.values.units, activation: 'relu' }]);

    // the artifact is there while its search is
    const host = new TabPipelineHost(db, projectId, {} as never);
    const artifact: ArtifactRef = { id: 2, kind: 'HyperParameters', uri: hp.uri, properties: hp.properties! };
    expect(await host.exists(artifact)).toBe(true);
    await deleteSearch(db, search!.id);
    expect(await host.exists(artifact)).toBe(false);
  }, 120_000);

  it('a pipeline run continued after a reload continues its Tuner\'s search, not a new one', async () => {
    const { projectId, examples, worker, train } = await setUp();
    // the tab goes away while the second trial starts: its call never settles, the search stays 'running'
    let calls = 0;
    const dying = { ...worker, startRun: (req: Parameters<typeof worker.startRun>[0], onEvent: Parameters<typeof worker.startRun>[1]) => (++calls === 2 ? new Promise<never>(() => {}) : worker.startRun(req, onEvent)) };
    void runTuner(db, projectId, train, { worker: () => dying, size: 1 }, tuner(), { examples: [examples] }, ctx());
    await expect.poll(async () => (await db.tuneTrials.toArray()).map((t) => t.status), { timeout: 30_000 }).toEqual(['completed', 'running']);
    const [first] = await listSearches(db, projectId);
    const firstRun = (await db.runs.get((await listTrials(db, first!.id))[0]!.runId))!;

    const out = await runTuner(db, projectId, train, { worker: () => worker, size: 1 }, tuner(), { examples: [examples] }, ctx());
    const searches = await listSearches(db, projectId);
    expect(searches.map((x) => [x.id, x.status])).toEqual([[first!.id, 'done']]);
    const trials = await listTrials(db, first!.id);
    expect(trials.map((t) => [t.id, t.status, t.resumes ?? 0])).toEqual([
      ['0000', 'completed', 0],
      ['0001', 'completed', 1],
      ['0002', 'completed', 0],
    ]);
    // the finished trial was kept, not trained again
    expect((await db.runs.get(trials[0]!.runId))!.createdAt).toBe(firstRun.createdAt);
    expect(out.best_hyperparameters!.properties).toMatchObject({ searchId: first!.id });
  }, 120_000);

  it('a cancel cancels the search: the component is cancelled, not failed', async () => {
    const { projectId, examples, worker, train } = await setUp();
    const controller = new AbortController();
    const watching = { ...worker, startRun: (req: Parameters<typeof worker.startRun>[0], onEvent: Parameters<typeof worker.startRun>[1]) => (controller.abort(), worker.startRun(req, onEvent)) };
    await expect(runTuner(db, projectId, train, { worker: () => watching, size: 1 }, tuner(), { examples: [examples] }, ctx(controller.signal))).rejects.toMatchObject({ name: 'AbortError' });
    const [search] = await listSearches(db, projectId);
    expect(search?.status).toBe('cancelled');
  }, 60_000);
});
