import 'fake-indexeddb/auto';
import type * as tfjs from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvalError } from '../../../src/core/evaluate/errors';
import { PipetteDB } from '../../../src/store/db';
import { createProject } from '../../../src/store/projects';
import { loadModelData, predictEncoded } from '../../../src/services/model-data';
import { addModelVersion } from '../../../src/services/registry';
import { ModelService } from '../../../src/services/registry-model';
import { useCpu } from '../train/helpers';
import { importJson as importPenguinsJson, penguinConfig, penguins, PENGUIN_FEATURES, trainPenguinModel } from './penguins';

let tf: typeof tfjs;
let db: PipetteDB;
let projectId: string;
let versionId: string;
let models: ModelService;
let modelId: string;
let runTestAccuracy: number;

const importJson = (name: string, bytes: Buffer) => importPenguinsJson(db, projectId, name, bytes);

beforeAll(async () => {
  tf = await useCpu();
  db = new PipetteDB('model-data');
  await db.open();
  projectId = (await createProject(db, 'Penguins')).id;
  versionId = await importJson('penguins.json', penguins);
  const config = penguinConfig(PENGUIN_FEATURES, { name: 'Run', backend: 'cpu', split: { seed: 7, fractions: { train: 0.7, validation: 0.15, test: 0.15 } } }, { epochs: 8 });
  const trained = await trainPenguinModel(tf, db, projectId, versionId, config);
  models = trained.models;
  modelId = trained.modelId;
  runTestAccuracy = trained.run.metrics!.summary.accuracy!;
}, 120_000);

afterAll(async () => {
  await db.delete();
});

const accuracy = (probs: Float32Array, y: Int32Array, k: number) => {
  let right = 0;
  for (let i = 0; i < y.length; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c]! > probs[i * k + best]!) best = c;
    if (best === y[i]) right++;
  }
  return right / y.length;
};

describe('loadModelData', () => {
  it("rebuilds the run's split: the test part gives exactly the run's test accuracy", async () => {
    const data = await loadModelData(db, { modelId, part: 'test', extraColumns: ['Sex'] });
    const run = (await db.runs.get((await db.models.get(modelId))!.runId!))!;
    expect(data.part).toBe('test');
    expect(data.rows.length).toBe(run.split!.counts.test);
    expect(data.table.columns.has('Sex')).toBe(true);
    const { model } = await models.load(modelId);
    const probs = await predictEncoded(tf, model, data.encoded, data.stats);
    model.dispose();
    expect(probs.length).toBe(data.rows.length * data.classes!.length);
    expect(accuracy(probs, data.encoded.y as Int32Array, data.classes!.length)).toBeCloseTo(runTestAccuracy, 10);
  });

  it('a variant (no run of its own) shares its parent\'s split; the parts do not overlap', async () => {
    const parent = (await db.models.get(modelId))!;
    const stored = (await db.modelArtifacts.get(modelId))!;
    const child = crypto.randomUUID();
    await addModelVersion(db, { id: child, projectId, name: 'variant', source: 'import', runId: null, datasetVersionId: null, parentModelId: modelId, metadata: parent.metadata }, stored.artifacts);
    const [train, test] = await Promise.all([loadModelData(db, { modelId: child, part: 'train' }), loadModelData(db, { modelId: child, part: 'test' })]);
    expect(test.part).toBe('test');
    expect(Array.from(test.rows)).toEqual(Array.from((await loadModelData(db, { modelId, part: 'test' })).rows));
    const inTrain = new Set(train.rows);
    expect(Array.from(test.rows).some((r) => inTrain.has(r))).toBe(false);
  });

  it('another dataset version is used whole; one without a feature column is refused by name', async () => {
    const rows = JSON.parse(penguins.toString()) as Record<string, unknown>[];
    const other = await importJson('more.json', Buffer.from(JSON.stringify(rows.slice(0, 50))));
    const whole = await loadModelData(db, { modelId, datasetVersionId: other, part: 'test' });
    expect(whole.part).toBe('all');
    expect(whole.rows.length).toBe(50);
    const lacking = await importJson('lacking.json', Buffer.from(JSON.stringify(rows.map(({ Island: _, ...rest }) => rest))));
    const err = await loadModelData(db, { modelId, datasetVersionId: lacking, part: 'all' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EvalError);
    expect((err as EvalError).code).toBe('input-mismatch');
    expect((err as EvalError).details.column).toBe('Island');
  });
});
