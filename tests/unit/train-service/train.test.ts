import 'fake-indexeddb/auto';
import type * as tfjs from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TrainError } from '../../../src/core/model/errors';
import { presetById } from '../../../src/core/train/presets';
import { PipetteDB } from '../../../src/store/db';
import { createProject } from '../../../src/store/projects';
import { sweepRuns } from '../../../src/store/sweep';
import { importIntoStore } from '../../../src/services/import';
import { ModelService } from '../../../src/services/registry-model';
import { TrainService } from '../../../src/services/train';
import type { BackendControl } from '../../../src/services/train-backend';
import type { RunConfig } from '../../../src/store/training-records';
import type { TrainEvent } from '../../../src/protocol/train';
import { useCpu } from '../train/helpers';
import { crashedCopy, penguinConfig } from './penguins';

let tf: typeof tfjs;
let db: PipetteDB;
let n = 0;
let projectId: string;
let versionId: string;
let service: TrainService;
let models: ModelService;

const penguins = readFileSync(join(process.cwd(), 'node_modules/vega-datasets/data/penguins.json'));
const FEATURES = ['Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)', 'Sex'];

/** The cpu backend only, as Node has it. */
const cpuOnly: BackendControl = {
  reports: async () => [
    { name: 'cpu', available: true, msPerStep: 1 },
    { name: 'webgpu', available: false, error: 'WebGPU is not available here' },
  ],
  use: async (name) => {
    if (name !== 'cpu') throw new Error(`no ${name} in Node`);
    await tf.setBackend('cpu');
  },
};

beforeAll(async () => {
  tf = await useCpu();
});

beforeEach(async () => {
  db = new PipetteDB(`train-svc-${n++}`);
  await db.open();
  projectId = (await createProject(db, 'Penguins')).id;
  const out = await importIntoStore(db, { jobId: crypto.randomUUID(), projectId, sources: [new File([penguins], 'penguins.json')] }, new AbortController().signal, () => {});
  versionId = out.versionId;
  models = new ModelService({ tf, db });
  service = new TrainService({ tf, db, backends: cpuOnly, loadModel: (id) => models.load(id) });
});

afterEach(async () => {
  await db.delete();
});

function config(overrides: Partial<RunConfig> = {}, hyper: Partial<RunConfig['hyper']> = {}): RunConfig {
  return penguinConfig(FEATURES, overrides, hyper);
}

const never = new AbortController().signal;

describe('prepare', () => {
  it('splits, fits the preprocessing on the training rows and reports input and classes', async () => {
    const p = await service.prepare({ datasetVersionId: versionId, features: FEATURES.map((column) => ({ column })), label: 'Species', labelTask: 'classification', split: config().split });
    expect(p.classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    // 4 numbers + Island (3 islands + other) + Sex (MALE, FEMALE, '.' + other)
    expect(p.input).toEqual({ kind: 'tabular', features: 4 + 4 + 4 });
    expect(p.counts.train + p.counts.validation + p.counts.test).toBe(344);
    expect(p.warnings.some((w) => w.includes('Beak Length (mm)') && w.includes('missing'))).toBe(true);
  });

  it('names the problem: a label with one class, a missing column', async () => {
    const one = await importIntoStore(db, { jobId: crypto.randomUUID(), projectId, sources: [new File(['x,y\n1,a\n2,a\n3,a\n4,a\n'], 'one.csv')] }, never, () => {});
    const e1 = await service.prepare({ datasetVersionId: one.versionId, features: [{ column: 'x' }], label: 'y', labelTask: 'classification', split: config().split }).catch((e) => e);
    expect(e1).toBeInstanceOf(TrainError);
    expect(e1.code).toBe('one-class');
    const e2 = await service.prepare({ datasetVersionId: versionId, features: [{ column: 'Nope' }], label: 'Species', labelTask: 'classification', split: config().split }).catch((e) => e);
    expect(e2.code).toBe('missing-column');
    expect(e2.details.column).toBe('Nope');
  });
});

describe('a run', () => {
  it('trains penguins to >= 0.95 test accuracy, checkpointing every epoch with a flat tensor count', async () => {
    const events: TrainEvent[] = [];
    const runId = crypto.randomUUID();
    const out = await service.start({ runId, projectId, datasetVersionId: versionId, config: config() }, never, (e) => events.push(e));
    expect(out.status).toBe('done');
    const run = (await db.runs.get(runId))!;
    expect(run.status).toBe('done');
    expect(run.history).toHaveLength(12);
    expect(run.backend).toMatchObject({ requested: 'auto', name: 'cpu' });
    expect(run.backend!.msPerStep).toBeGreaterThan(0);
    expect(run.backend!.candidates.find((c) => c.name === 'webgpu')?.why).toBe('unavailable');
    // no leak: the same number of tensors after every epoch
    expect(new Set(run.history.map((h) => h.numTensors)).size).toBe(1);
    expect(run.metrics!.summary.accuracy).toBeGreaterThanOrEqual(0.95);
    const ev = run.metrics!.evaluation!;
    expect(ev.task).toBe('classification');
    if (ev.task === 'classification') {
      expect(ev.report.confusion.flat().reduce((a, b) => a + b, 0)).toBe(run.split!.counts.test);
      expect(ev.report.perClass.map((c) => c.label)).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
      expect(ev.worst.length).toBe(10);
      expect(Object.keys(ev.worst[0]!.cells)).toContain('Island');
    }
    expect(run.durationMs).toBeGreaterThan(0);
    expect((await db.checkpoints.get(runId))?.kind).toBe('final');
    expect(events.some((e) => e.kind === 'batch')).toBe(true);
    expect(events.filter((e) => e.kind === 'phase').map((e) => (e as { phase: string }).phase)).toEqual(['encoding', 'backend', 'training', 'evaluating', 'finished']);
  });

  it('pauses at a batch boundary, continues, and can be cancelled', async () => {
    const runId = crypto.randomUUID();
    let pausing: Promise<boolean> | null = null;
    let parked!: () => void;
    const parkedNow = new Promise<void>((r) => (parked = r));
    // what the run reported, in order, with 'continue' marking the moment it was asked to go on
    const seen: string[] = [];
    const done = service.start({ runId, projectId, datasetVersionId: versionId, config: config({}, { epochs: 40 }) }, never, (e) => {
      seen.push(e.kind);
      if (e.kind === 'batch' && !pausing && e.progress.epoch >= 1) pausing = service.pause(runId);
      if (e.kind === 'parked') parked();
    });
    await parkedNow;
    expect(await pausing).toBe(true);
    expect((await db.runs.get(runId))!.status).toBe('paused');
    seen.push('continue');
    expect(await service.continue(runId)).toBe(true);
    expect((await db.runs.get(runId))!.status).toBe('running');
    expect((await done).status).toBe('done');
    // parked once, and no batch ran between parking and being asked to continue
    expect(seen.filter((k) => k === 'parked')).toHaveLength(1);
    expect(seen.slice(seen.indexOf('parked') + 1, seen.indexOf('continue'))).toEqual([]);

    const controller = new AbortController();
    const second = crypto.randomUUID();
    const cancelled = service.start({ runId: second, projectId, datasetVersionId: versionId, config: config({}, { epochs: 200 }) }, controller.signal, (e) => {
      if (e.kind === 'batch' && e.progress.epoch >= 2) controller.abort();
    });
    expect((await cancelled).status).toBe('cancelled');
    expect((await db.runs.get(second))!.status).toBe('cancelled');
    expect(await db.checkpoints.get(second)).toBeUndefined();
  });

  it('an interrupted run resumes from its checkpoint and reaches the same quality', async () => {
    const { crashedId: crashed, record: run, checkpoint } = await crashedCopy(db, service, projectId, versionId, config({}, { epochs: 12 }));
    const k = checkpoint.epoch;
    expect(k).toBeGreaterThanOrEqual(3);
    expect(run.history).toHaveLength(k);

    expect(await sweepRuns(db)).toBe(1); // Node has no Web Locks: an unfinished run counts as interrupted
    expect((await db.runs.get(crashed))!.status).toBe('interrupted');
    // it had trained on webgpu, which this worker (Node) cannot activate
    await db.runs.update(crashed, { backend: { ...run.backend!, name: 'webgpu' } });
    const out = await service.resume(crashed, never);
    expect(out.status).toBe('done');
    const resumed = (await db.runs.get(crashed))!;
    expect(resumed.resumes).toBe(1);
    // the run says it could not go on on webgpu, and why, and what it trained on instead
    expect(resumed.backend).toMatchObject({ name: 'cpu', fallback: { from: 'webgpu', why: 'init-failed', reason: 'no webgpu in Node' } });
    expect(resumed.history).toHaveLength(12);
    // the epochs before the checkpoint are kept as they were
    expect(resumed.history.slice(0, k)).toEqual(run.history);
    expect(resumed.metrics!.summary.accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('refuses an invalid stack with the spec messages, and records the failure', async () => {
    const runId = crypto.randomUUID();
    const bad = config({ spec: { version: 1, input: { kind: 'tabular', features: 1 }, layers: [{ type: 'conv2d', filters: 4, kernelSize: 3 }], head: { kind: 'classification', classes: 3 } } });
    const e = await service.start({ runId, projectId, datasetVersionId: versionId, config: bad }, never).catch((x) => x);
    expect(e).toBeInstanceOf(TrainError);
    expect(e.code).toBe('invalid-spec');
    expect(e.message).toMatch(/Layer 1 \(Conv2D\)/);
    expect((await db.runs.get(runId))!.status).toBe('failed');
  });
});

describe('registry', () => {
  it('saves a run as a model version, exports, imports, and predicts the same', async () => {
    const runId = crypto.randomUUID();
    await service.start({ runId, projectId, datasetVersionId: versionId, config: config({}, { epochs: 5 }) }, never);
    const modelId = await models.saveRun(runId, 'Penguin species');
    const model = (await db.models.get(modelId))!;
    expect(model).toMatchObject({ version: 1, source: 'run', runId, datasetVersionId: versionId, name: 'Penguin species' });
    expect(model.metadata.lineage).toMatchObject({ runId, datasetVersionId: versionId, modelVersionId: modelId, splitSeed: 42 });
    expect(model.metadata.labels).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    // saving again gives the same version
    expect(await models.saveRun(runId, 'again')).toBe(modelId);
    expect((await db.runs.get(runId))!.modelId).toBe(modelId);

    const zip = await models.exportZip(modelId);
    expect(zip.fileName).toBe('Penguin-species-v1.zip');
    const importedId = await models.importZip(projectId, zip.bytes);
    const imported = (await db.models.get(importedId))!;
    expect(imported).toMatchObject({ version: 2, source: 'import', parentModelId: modelId });

    const values = { Island: 'Biscoe', 'Beak Length (mm)': '45.2', 'Beak Depth (mm)': 14.8, 'Flipper Length (mm)': 212, 'Body Mass (g)': 5200, Sex: 'FEMALE' };
    const a = await models.predict({ projectId, modelId, kind: 'row', values });
    const b = await models.predict({ projectId, modelId: importedId, kind: 'row', values });
    expect(a.predicted).toBe('Gentoo');
    expect(b.probabilities).toEqual(a.probabilities);
    expect(a.probabilities!.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 5);
    const logged = await db.servingRequests.toArray();
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatchObject({ projectId, modelId, features: { Island: 'Biscoe', 'Beak Length (mm)': '45.2', Sex: 'FEMALE' } });

    // a bad value names its column
    const e = await models.predict({ projectId, modelId, kind: 'row', values: { ...values, 'Body Mass (g)': 'heavy' } }).catch((x) => x);
    expect(e.code).toBe('not-numeric');
    expect(e.details.column).toBe('Body Mass (g)');
  });

  it('refuses a zip of something else and writes nothing', async () => {
    const e = await models.importZip(projectId, new TextEncoder().encode('{"hello": 1}')).catch((x) => x);
    expect(e).toBeInstanceOf(TrainError);
    expect(e.code).toBe('not-zip');
    expect(await db.models.count()).toBe(0);
    expect(await db.modelArtifacts.count()).toBe(0);
  });

  it('trains a saved version further (fine-tuning) from its weights', async () => {
    const runId = crypto.randomUUID();
    await service.start({ runId, projectId, datasetVersionId: versionId, config: config({}, { epochs: 3 }) }, never);
    const modelId = await models.saveRun(runId, 'base');
    const further = crypto.randomUUID();
    const out = await service.start({ runId: further, projectId, datasetVersionId: versionId, config: config({ baseModelId: modelId, spec: null }, { epochs: 4 }) }, never);
    expect(out.status).toBe('done');
    const run = (await db.runs.get(further))!;
    // it starts where the base model was, not from scratch
    const base = (await db.runs.get(runId))!;
    expect(run.history[0]!.loss).toBeLessThan(base.history[0]!.loss);
    const child = await models.saveRun(further, 'tuned');
    expect((await db.models.get(child))!.parentModelId).toBe(modelId);
  });
});

describe('other tasks', () => {
  it('regression: body mass from the other measurements, with MAE, RMSE and R² in grams', async () => {
    const runId = crypto.randomUUID();
    const preset = presetById('mlp-regressor')!;
    const cfg = config({
      task: 'tabular-regression',
      presetId: preset.id,
      label: 'Body Mass (g)',
      features: ['Species', 'Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Sex'].map((column) => ({ column })),
      spec: preset.make({ input: { kind: 'tabular', features: 1 } }),
    }, { epochs: 30 });
    expect((await service.start({ runId, projectId, datasetVersionId: versionId, config: cfg }, never)).status).toBe('done');
    const run = (await db.runs.get(runId))!;
    // 2 penguins have no body mass: left out of every part
    expect(run.split!.counts.excluded).toBe(2);
    expect(run.metrics!.summary.r2).toBeGreaterThan(0.7);
    expect(run.metrics!.summary.mae).toBeLessThan(400);
    expect(run.metrics!.summary.rmse).toBeGreaterThanOrEqual(run.metrics!.summary.mae!);
    expect(run.history.every((h) => h.acc === null)).toBe(true);
    const ev = run.metrics!.evaluation!;
    expect(ev.task).toBe('regression');
    expect(ev.worst[0]!.loss).toBeGreaterThanOrEqual(ev.worst[9]!.loss);
    const modelId = await models.saveRun(runId, 'mass');
    const p = await models.predict({ projectId, modelId, kind: 'row', values: { Species: 'Gentoo', Island: 'Biscoe', 'Beak Length (mm)': 50, 'Beak Depth (mm)': 15.5, 'Flipper Length (mm)': 225, Sex: 'MALE' } });
    expect(p.task).toBe('regression');
    expect(p.value!).toBeGreaterThan(4800);
    expect(p.value!).toBeLessThan(6500);
  });

  it('text: bag of words and a token embedding both learn which words mean what', async () => {
    const good = ['great service, lovely staff', 'really great food', 'lovely and warm', 'great value, would return', 'staff were lovely'];
    const bad = ['awful service, rude staff', 'really awful food', 'cold and rude', 'awful value, never again', 'staff were rude'];
    const rows = ['text,mood'];
    for (let i = 0; i < 40; i++) rows.push(`"${good[i % 5]} ${i}",good`, `"${bad[i % 5]} ${i}",bad`);
    const out = await importIntoStore(db, { jobId: crypto.randomUUID(), projectId, sources: [new File([rows.join('\n')], 'reviews.csv')] }, never, () => {});
    for (const [id, encoding] of [['text-bag-of-words', undefined], ['text-embedding', 'tokens']] as const) {
      const preset = presetById(id)!;
      const runId = crypto.randomUUID();
      const cfg = config({
        task: 'text-classification',
        presetId: id,
        label: 'mood',
        features: [{ column: 'text', ...(encoding ? { encoding } : {}) }],
        spec: preset.make({ input: encoding ? { kind: 'tokens', length: 4, vocabSize: 10 } : { kind: 'tabular', features: 1 }, classes: 2 }),
      }, { epochs: 25, learningRate: 0.02, batchSize: 16 });
      expect((await service.start({ runId, projectId, datasetVersionId: out.versionId, config: cfg }, never)).status).toBe('done');
      const run = (await db.runs.get(runId))!;
      expect(run.preprocessing!.input.kind).toBe(encoding ? 'tokens' : 'tabular');
      expect(run.metrics!.summary.accuracy, id).toBeGreaterThanOrEqual(0.9);
      // two classes: ROC and AUC
      expect(run.metrics!.summary.auc).toBeGreaterThan(0.9);
      const modelId = await models.saveRun(runId, id);
      const p = await models.predict({ projectId, modelId, kind: 'row', values: { text: 'the staff were awful and rude' } });
      expect(p.predicted).toBe('bad');
    }
  });
});

