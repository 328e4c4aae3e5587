/**
 * A model trained on some of a transform's output steps (feature selection's "Train on this subset" on a
 * transform, issue 13): its input is exactly those steps' slots in the fitted layout's order, evaluation
 * and the predict panel feed it the same slots from raw rows, and its exported bundle (transform.json with
 * only those outputs, transform.js) gives the app's probabilities and imports back to the same model.
 */
import 'fake-indexeddb/auto';
import type * as tfjs from '@tensorflow/tfjs';
import { strFromU8, unzipSync, zipSync } from 'fflate';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorMessage } from '../../../src/app/format';
import { i18n } from '../../../src/app/i18n.svelte';
import { transformFeature } from '../../../src/core/model/preprocess';
import { applyToRows } from '../../../src/core/transform/reader.js';
import type { PrepareRequest } from '../../../src/protocol/train';
import { ExplainService } from '../../../src/services/explain';
import { loadModelData } from '../../../src/services/model-data';
import { ModelService } from '../../../src/services/registry-model';
import { TrainService } from '../../../src/services/train';
import type { BackendControl } from '../../../src/services/train-backend';
import { analyzeTransform } from '../../../src/services/transform';
import { PipetteDB } from '../../../src/store/db';
import { createProject } from '../../../src/store/projects';
import type { TransformRecord } from '../../../src/store/transform-records';
import { useCpu } from '../train/helpers';
import { consumeBundle } from './bundle-consumer';
import { importJson, penguinConfig, penguins } from './penguins';

type Row = Record<string, string | number | null>;
const ROWS: Row[] = JSON.parse(penguins.toString('utf8'));
const SPLIT = { seed: 42, fractions: { train: 0.7, validation: 0.15, test: 0.15 } };

/** Three output steps: the beak length z-scored (1 slot), the island one-hot (3), the body mass in 4 quantile buckets (4). */
const SPEC = {
  steps: [
    { name: 'beak', op: 'fill_missing', inputs: ['Beak Length (mm)'], params: { with: { analyzer: 'mean', input: 'Beak Length (mm)' } } },
    { name: 'beak_z', op: 'z_score', inputs: ['beak'] },
    { name: 'island', op: 'vocabulary', inputs: ['Island'] },
    { name: 'mass', op: 'fill_missing', inputs: ['Body Mass (g)'], params: { with: { analyzer: 'mean', input: 'Body Mass (g)' } } },
    { name: 'mass_bucket', op: 'bucketize', inputs: ['mass'], params: { num_buckets: 4 } },
  ],
};
/** The subset, named out of layout order: the model reads beak_z's slot, then mass_bucket's four. */
const CHOSEN = ['mass_bucket', 'beak_z'];
/** Where the chosen slots sit in the whole transform's 8 (beak_z 0, island 1-3, mass_bucket 4-7). */
const CHOSEN_SLOTS = [0, 4, 5, 6, 7];

let tf: typeof tfjs;
let db: PipetteDB;
let projectId: string;
let versionId: string;
let transform: TransformRecord;
let models: ModelService;
let train: TrainService;
let runId: string;
let modelId: string;
const scratch = mkdtempSync(join(tmpdir(), 'pipette-transform-subset-'));

/** The chosen slots of the whole transform's features of raw rows, picked by hand. */
function chosenSlots(raw: Row[]): Float32Array {
  const { features, dim } = applyToRows(transform.fitted, raw);
  expect(dim).toBe(8);
  return Float32Array.from(raw.flatMap((_, r) => CHOSEN_SLOTS.map((s) => features[r * dim + s]!)));
}

/** The raw test rows of the model's split (the Species left out). */
async function testRows(): Promise<{ rows: Uint32Array; raw: Row[] }> {
  const data = await loadModelData(db, { modelId, part: 'test' });
  return { rows: data.rows, raw: Array.from(data.rows, (r) => Object.fromEntries(Object.entries(ROWS[r]!).filter(([k]) => k !== 'Species'))) };
}

/** The app's probabilities for raw rows: the registry's predict panel. */
async function appProbabilities(id: string, raw: Row[]): Promise<number[][]> {
  const out: number[][] = [];
  for (const values of raw) out.push((await models.predict({ projectId, modelId: id, kind: 'row', values })).probabilities!);
  return out;
}

beforeAll(async () => {
  tf = await useCpu();
  db = new PipetteDB('transform-subset');
  await db.open();
  projectId = (await createProject(db, 'Penguins')).id;
  versionId = await importJson(db, projectId, 'penguins.json', penguins);
  transform = await analyzeTransform(db, { projectId, datasetVersionId: versionId, labelColumn: 'Species', seed: SPLIT.seed, fractions: SPLIT.fractions, name: 'three-outputs', parentId: null, spec: SPEC });
  models = new ModelService({ tf, db });
  const cpuOnly: BackendControl = { reports: async () => [{ name: 'cpu', available: true, msPerStep: 1 }], use: async () => void (await tf.setBackend('cpu')) };
  train = new TrainService({ tf, db, backends: cpuOnly, loadModel: (id) => models.load(id) });
  runId = crypto.randomUUID();
  const config = penguinConfig([], { name: 'On two outputs', features: [], transformId: transform.id, transformOutputs: CHOSEN }, { epochs: 10 });
  await train.start({ runId, projectId, datasetVersionId: versionId, config }, new AbortController().signal, () => {});
  modelId = await models.saveRun(runId, 'On two outputs');
}, 120_000);

afterAll(async () => {
  i18n.locale = 'en';
  rmSync(scratch, { recursive: true, force: true });
  await db.delete();
});

describe('a model on two of a transform\'s three output steps', () => {
  it('takes exactly their slots as its input, in the fitted layout\'s order, recorded in the run and the model version', async () => {
    expect(transform.fitted.features.layout.map((o) => [o.name, o.size])).toEqual([['beak_z', 1], ['island', 3], ['mass_bucket', 4]]);
    const run = (await db.runs.get(runId))!;
    expect(run.status).toBe('done');
    expect(run.config.transformOutputs).toEqual(CHOSEN);
    // 1 + 4 slots, not the transform's 8
    expect(run.preprocessing!.input).toEqual({ kind: 'tabular', features: 5 });
    const model = (await db.models.get(modelId))!;
    expect(model.metadata.preprocessing.input).toEqual({ kind: 'tabular', features: 5 });
    const f = transformFeature(model.metadata.preprocessing)!;
    expect([f.slots, f.fitted.features.dim]).toEqual([5, 5]);
    expect(f.fitted.features.layout).toEqual([
      { name: 'beak_z', kind: 'number', offset: 0, size: 1 },
      { name: 'mass_bucket', kind: 'index', offset: 1, size: 4 },
    ]);
    expect(f.transform).toEqual({ id: transform.id, name: 'three-outputs', version: 1 });
    expect(run.preprocessing!.slotNames).toEqual(['beak_z', 'mass_bucket[0]', 'mass_bucket[1]', 'mass_bucket[2]', 'mass_bucket[3]']);
    // the transform version itself is unchanged
    expect((await db.transforms.get(transform.id))!.fitted.features.dim).toBe(8);
  });

  it('encodes its evaluation rows as the chosen slots of the whole transform on their raw JSON', async () => {
    const data = await loadModelData(db, { modelId, part: 'test' });
    const { raw } = await testRows();
    expect(data.encoded.x.length).toBe(raw.length * 5);
    expect(Array.from(data.encoded.x)).toEqual(Array.from(chosenSlots(raw)));
  });

  it('predicts raw rows in the predict panel as the model on the hand-picked slots does, and What-If alike', async () => {
    const { rows, raw } = await testRows();
    const some = raw.slice(0, 6);
    const app = await appProbabilities(modelId, some);
    const { model } = await models.load(modelId);
    const out = model.predict(tf.tensor2d(chosenSlots(some), [some.length, 5])) as tfjs.Tensor;
    const direct = await out.data();
    out.dispose();
    app.forEach((probs, r) => probs.forEach((p, k) => expect(Math.abs(p - direct[r * 3 + k]!)).toBeLessThan(1e-6)));
    const explain = new ExplainService({ tf, db, loadModel: (id) => models.load(id) });
    const whatIf = await explain.whatIf({ modelId, datasetVersionId: null, row: rows[0]!, values: some[0]! });
    whatIf.probabilities!.forEach((p, k) => expect(Math.abs(p - app[0]![k]!)).toBeLessThan(1e-7));
    // explanations group the model's outputs only
    const importance = await explain.featureImportance({ jobId: 'j', modelId, datasetVersionId: null, repeats: 1 }, new AbortController().signal, () => {});
    expect(importance.features.map((f) => f.name).sort()).toEqual(['beak_z', 'mass_bucket']);
  });

  it('exports a bundle whose transform.json and transform.js give the app\'s probabilities, and imports back to the same', async () => {
    const files = unzipSync((await models.exportZip(modelId)).bytes);
    const fitted = JSON.parse(strFromU8(files['transform.json']!));
    expect([fitted.features.dim, fitted.features.layout.map((o: { name: string }) => o.name)]).toEqual([5, ['beak_z', 'mass_bucket']]);
    const { applyToRows: bundled, model } = await consumeBundle(tf, files, join(scratch, 'bundle'));
    const { raw } = await testRows();
    // a missing beak length and an unseen island too
    const rows = [...raw.slice(0, 8), { ...raw[0]!, 'Beak Length (mm)': null, Island: 'Atlantis' }];
    const { features, dim } = bundled(fitted, rows);
    expect(dim).toBe(5);
    expect(Array.from(features as Float32Array)).toEqual(Array.from(chosenSlots(rows)));
    const out = model.predict(tf.tensor2d(features, [rows.length, dim])) as tfjs.Tensor;
    const consumer = await out.data();
    out.dispose();
    model.dispose();
    const app = await appProbabilities(modelId, rows);
    app.forEach((probs, r) => probs.forEach((p, k) => expect(Math.abs(p - consumer[r * 3 + k]!)).toBeLessThan(1e-6)));

    const importedId = await models.importZip(projectId, zipSync(files));
    const imported = transformFeature((await db.models.get(importedId))!.metadata.preprocessing)!;
    expect(imported.fitted.features.layout.map((o) => o.name)).toEqual(['beak_z', 'mass_bucket']);
    const again = await appProbabilities(importedId, rows);
    again.forEach((probs, r) => probs.forEach((p, k) => expect(Math.abs(p - app[r]![k]!)).toBeLessThan(1e-6)));
  });
});

describe('an output step the transform does not have', () => {
  const req = (): PrepareRequest => ({ datasetVersionId: versionId, features: [], label: 'Species', labelTask: 'classification', split: SPLIT, transformId: transform.id });

  it('prepares the subset\'s input, and refuses an unknown name or an intermediate step, naming it (en, zh-TW)', async () => {
    expect((await train.prepare({ ...req(), transformOutputs: ['island'] })).input).toEqual({ kind: 'tabular', features: 3 });
    for (const name of ['nope', 'beak']) {
      const e = await train.prepare({ ...req(), transformOutputs: ['beak_z', name] }).catch((x: unknown) => x);
      expect(e).toMatchObject({ kind: 'TrainError', code: 'bad-encoding', details: { column: name, params: { why: 'transform-output', transform: 'three-outputs v1', outputs: 'beak_z, island, mass_bucket' } } });
    }
    const e = await train.prepare({ ...req(), transformOutputs: ['nope'] }).catch((x: unknown) => x);
    i18n.locale = 'en';
    expect(errorMessage(e)).toBe('Column "nope" cannot be used this way: transform three-outputs v1 has no output step of this name; its outputs are beak_z, island, mass_bucket');
    i18n.locale = 'zh-TW';
    expect(errorMessage(e)).toBe('欄位「nope」不能這樣使用：轉換 three-outputs v1 沒有這個名稱的輸出步驟；它的輸出是 beak_z, island, mass_bucket。');
    i18n.locale = 'en';
  });
});
