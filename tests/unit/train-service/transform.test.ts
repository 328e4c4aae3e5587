/**
 * A model trained on a transform version (issue 13): the Train service takes the transform's outputs as
 * the features on the transform's own split, every later path (evaluation data, What-If, the predict
 * panel) applies it to raw rows, and the exported bundle carries transform.json and transform.js, with
 * which raw JSON rows give the app's probabilities.
 */
import 'fake-indexeddb/auto';
import type * as tfjs from '@tensorflow/tfjs';
import { strFromU8, unzipSync } from 'fflate';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodedError } from '../../../src/core/errors';
import { transformFeature } from '../../../src/core/model/preprocess';
import { applyToRows } from '../../../src/core/transform/reader.js';
import type { PrepareRequest } from '../../../src/protocol/train';
import { ExplainService } from '../../../src/services/explain';
import { loadModelData } from '../../../src/services/model-data';
import { ModelService } from '../../../src/services/registry-model';
import { servingSkew } from '../../../src/services/validate';
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
const NUMBERS = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'];
/** The raw columns the transform reads, in the order its steps first read them. */
const INPUTS = [...NUMBERS, 'Island', 'Sex'];

/** Fill and z-score the measurements, one-hot the island, a vocabulary of sex with an OOV bucket, body mass in 4 quantile buckets. */
const SPEC = {
  steps: [
    ...NUMBERS.flatMap((c, i) => [
      { name: `m${i}_filled`, op: 'fill_missing', inputs: [c], params: { with: { analyzer: 'mean', input: c } } },
      { name: `m${i}_z`, op: 'z_score', inputs: [`m${i}_filled`], output: true },
    ]),
    { name: 'island', op: 'vocabulary', inputs: ['Island'], output: true },
    { name: 'sex', op: 'vocabulary', inputs: ['Sex'], params: { num_oov_buckets: 1 }, output: true },
    { name: 'mass_bucket', op: 'bucketize', inputs: ['m3_filled'], params: { num_buckets: 4 }, output: true },
  ],
};

let tf: typeof tfjs;
let db: PipetteDB;
let projectId: string;
let versionId: string;
let transform: TransformRecord;
let models: ModelService;
let train: TrainService;
let runId: string;
let modelId: string;
const scratch = mkdtempSync(join(tmpdir(), 'pipette-transform-'));

/** The transform as the Transform stage makes it: analyzed on the training part of the Train stage's split (seed 42, stratified by Species). */
function analyze(): Promise<TransformRecord> {
  return analyzeTransform(db, { projectId, datasetVersionId: versionId, labelColumn: 'Species', seed: SPLIT.seed, fractions: SPLIT.fractions, name: 'penguins-prep', parentId: null, spec: SPEC });
}

const config = () => penguinConfig([], { name: 'On a transform', features: [], transformId: transform.id }, { epochs: 15 });

beforeAll(async () => {
  tf = await useCpu();
  db = new PipetteDB('transform-train');
  await db.open();
  projectId = (await createProject(db, 'Penguins')).id;
  versionId = await importJson(db, projectId, 'penguins.json', penguins);
  transform = await analyze();
  models = new ModelService({ tf, db });
  const cpuOnly: BackendControl = { reports: async () => [{ name: 'cpu', available: true, msPerStep: 1 }], use: async () => void (await tf.setBackend('cpu')) };
  train = new TrainService({ tf, db, backends: cpuOnly, loadModel: (id) => models.load(id) });
  runId = crypto.randomUUID();
  await train.start({ runId, projectId, datasetVersionId: versionId, config: config() }, new AbortController().signal, () => {});
  modelId = await models.saveRun(runId, 'On a transform');
}, 120_000);

afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  await db.delete();
});

/** Rows of the test split as raw JSON, with their row numbers. */
async function testRows(): Promise<{ rows: Uint32Array; raw: Row[] }> {
  const data = await loadModelData(db, { modelId, part: 'test' });
  return { rows: data.rows, raw: Array.from(data.rows, (r) => ROWS[r]!) };
}

describe('training on a transform', () => {
  it('trains on the transform\'s outputs with its split, and records the transform', async () => {
    const run = (await db.runs.get(runId))!;
    expect(run.status).toBe('done');
    expect(run.config.transformId).toBe(transform.id);
    expect(run.split!.counts).toEqual(transform.source.split.counts);
    const f = transformFeature(run.preprocessing!)!;
    expect(f.transform).toEqual({ id: transform.id, name: 'penguins-prep', version: 1 });
    // the Transform stage analyzed exactly the run's training rows
    expect(transform.fitted.rows).toBe(run.split!.counts.train);
    // 4 z-scores + 3 islands + (3 sexes: MALE, FEMALE and '.', + 1 OOV bucket) + 4 buckets
    expect(run.preprocessing!.input).toEqual({ kind: 'tabular', features: 15 });
    expect(run.metrics!.summary.accuracy!).toBeGreaterThan(0.9);
    const model = (await db.models.get(modelId))!;
    const types = ['number', 'number', 'integer', 'integer', 'categorical', 'categorical'];
    expect(model.metadata.featureColumns).toEqual(INPUTS.map((column, i) => ({ column, type: types[i], encoding: 'transform' })));
  });

  it('prepares the same input, and refuses a split or version that is not the transform\'s', async () => {
    const req: PrepareRequest = { datasetVersionId: versionId, features: [], label: 'Species', labelTask: 'classification', split: SPLIT, transformId: transform.id };
    expect(await train.prepare(req)).toMatchObject({ input: { kind: 'tabular', features: 15 }, counts: transform.source.split.counts });
    const why = async (r: PrepareRequest) => {
      const e = await train.prepare(r).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(CodedError);
      return [(e as CodedError<string, string, { params?: Record<string, unknown> }>).code, (e as CodedError<string, string, { params?: Record<string, unknown> }>).details.params?.why];
    };
    expect(await why({ ...req, split: { ...SPLIT, seed: 7 } })).toEqual(['bad-split', 'transform-seed']);
    expect(await why({ ...req, split: { ...SPLIT, fractions: { train: 0.8, validation: 0.1, test: 0.1 } } })).toEqual(['bad-split', 'transform-fractions']);
    expect(await why({ ...req, label: 'Island' })).toEqual(['bad-split', 'transform-label']);
    expect(await why({ ...req, labelTask: 'regression' })).toEqual(['bad-split', 'transform-stratified']);
    const other = await importJson(db, projectId, 'penguins-again.json', penguins);
    expect(await why({ ...req, datasetVersionId: other })).toEqual(['bad-split', 'transform-version']);
    expect(await why({ ...req, transformId: 'gone' })).toEqual(['missing', undefined]);
    // the same settings on a version whose rows differ give other counts
    const fewer = await importJson(db, projectId, 'fewer.json', Buffer.from(JSON.stringify(ROWS.slice(0, 300))));
    await db.transforms.put({ ...transform, id: 'on-fewer', source: { ...transform.source, datasetVersionId: fewer } });
    expect(await why({ ...req, datasetVersionId: fewer, transformId: 'on-fewer' })).toEqual(['bad-split', 'transform-rows']);
  });

  it('evaluates on raw rows through the transform: the test rows encode as applyToRows encodes their JSON', async () => {
    const data = await loadModelData(db, { modelId, part: 'test' });
    const { raw } = await testRows();
    expect(Array.from(data.encoded.x)).toEqual(Array.from(applyToRows(transform.fitted, raw).features));
  });

  it('predicts raw rows in the predict panel and What-If alike, logging the raw columns', async () => {
    const { rows, raw } = await testRows();
    const explain = new ExplainService({ tf, db, loadModel: (id) => models.load(id) });
    const setup = await explain.explainSetup({ modelId, datasetVersionId: null });
    expect(setup.features.map((f) => f.column)).toEqual(INPUTS);
    for (let i = 0; i < 3; i++) {
      const values = Object.fromEntries(setup.features.map((f) => [f.column, raw[i]![f.column] ?? null]));
      const panel = await models.predict({ projectId, modelId, kind: 'row', values });
      const whatIf = await explain.whatIf({ modelId, datasetVersionId: null, row: rows[i]!, values });
      whatIf.probabilities!.forEach((p, k) => expect(Math.abs(p - panel.probabilities![k]!)).toBeLessThan(1e-7));
    }
    const logged = await db.servingRequests.where('modelId').equals(modelId).toArray();
    expect(Object.keys(logged[0]!.features)).toEqual(setup.features.map((f) => f.column));
    // explanations group a transform output's slots: one feature per output
    const importance = await explain.featureImportance({ jobId: 'j', modelId, datasetVersionId: null, repeats: 1 }, new AbortController().signal, () => {});
    expect(importance.features.map((f) => f.name).sort()).toEqual(['island', 'm0_z', 'm1_z', 'm2_z', 'm3_z', 'mass_bucket', 'sex']);
  });
});

describe('a prediction request that leaves out a column the transform reads', () => {
  it('is refused naming the row and the column; left empty it is a missing value, and a filled column may be left out', async () => {
    const row = Object.fromEntries(INPUTS.map((c) => [c, ROWS[0]![c] ?? null]));
    const { Island: _island, ...noIsland } = row;
    const logged = await db.servingRequests.count();
    await expect(models.predict({ projectId, modelId, kind: 'row', values: noIsland })).rejects.toMatchObject({
      kind: 'TransformError',
      code: 'absent-input',
      details: { row: 1, column: 'Island', step: 'island' },
    });
    expect(await db.servingRequests.count()).toBe(logged);
    // an empty island is a missing one (no one-hot), as reader.js reads null
    const empty = await models.predict({ projectId, modelId, kind: 'row', values: { ...row, Island: '' } });
    expect(empty.probabilities!.every(Number.isFinite) && Math.abs(empty.probabilities!.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-6);
    // the beak length is read only by fill_missing: left out, it is filled with the training mean, as null is
    const { 'Beak Length (mm)': _beak, ...noBeak } = row;
    const [filled, asNull] = await Promise.all([
      models.predict({ projectId, modelId, kind: 'row', values: noBeak }),
      models.predict({ projectId, modelId, kind: 'row', values: { ...row, 'Beak Length (mm)': null } }),
    ]);
    expect(filled.probabilities).toEqual(asNull.probabilities);
  });
});

describe('skew through the transform', () => {
  it("puts the model's logged raw requests through the transform and compares them with its transformed training rows", async () => {
    const logged = await db.servingRequests.where('modelId').equals(modelId).toArray();
    expect(logged.length).toBeGreaterThan(0);
    const outcome = await servingSkew(db, { projectId, trainingVersionId: versionId, transformId: transform.id });
    if (!outcome.logged) throw new Error('nothing compared');
    expect([outcome.requests, outcome.transformId, outcome.schemaId]).toEqual([logged.length, transform.id, null]);
    // the serving column of a z-score is the z-scores of the logged rows, as applyToRows gives them
    const z = applyToRows(transform.fitted, logged.map((r) => r.features)).outputs.map((o) => o.m0_z as number);
    const served = outcome.serving.columns.find((c) => c.name === 'm0_z')!;
    expect(served.kind === 'numeric' && served.mean).toBeCloseTo(z.reduce((a, b) => a + b, 0) / z.length, 12);
    // compared with the transform's own statistics of those columns; no threshold, so reported, never flagged
    const compared = outcome.comparison.columns.find((c) => c.column === 'm0_z')!;
    expect([compared.metric, compared.threshold, compared.distance !== null]).toEqual(['js', null, true]);
    expect(outcome.comparison.flagged).toEqual([]);
  });
});

describe('the bundle of a model on a transform', () => {
  let files: Record<string, Uint8Array>;
  beforeAll(async () => {
    files = unzipSync((await models.exportZip(modelId)).bytes);
  });

  it('holds transform.json (the fitted transform) and transform.js (reader.js as it is)', async () => {
    expect(Object.keys(files).sort()).toEqual(['README.md', 'group1-shard1of1.bin', 'metadata.json', 'model.json', 'transform.js', 'transform.json']);
    expect(JSON.parse(strFromU8(files['transform.json']!))).toEqual(transform.fitted);
    // one copy of the fitted transform: metadata.json names transform.json instead of repeating it
    const metadata = JSON.parse(strFromU8(files['metadata.json']!));
    expect(metadata.preprocessing.features.map((f: { encoding: string; fitted: unknown }) => [f.encoding, f.fitted])).toEqual([['transform', 'transform.json']]);
    expect(strFromU8(files['metadata.json']!)).not.toContain('"vocabulary"');
    const { readFileSync } = await import('node:fs');
    expect(strFromU8(files['transform.js']!)).toBe(readFileSync(join(process.cwd(), 'src/core/transform/reader.js'), 'utf8'));
    const readme = strFromU8(files['README.md']!);
    expect(readme).toContain("import { applyToRows } from './on-a-transform/transform.js';");
    expect(readme).toContain('applyToRows(fitted, [{ "Beak Length (mm)": 0, "Beak Depth (mm)": 0, "Flipper Length (mm)": 0, "Body Mass (g)": 0, "Island": "...", "Sex": "..." }]);');
  });

  it('gives the app\'s probabilities for raw JSON rows with only TF.js and its own files', async () => {
    // the consumer's code: transform.js imported from the bundle, the model from model.json and its shards
    const { applyToRows: bundled, model } = await consumeBundle(tf, files, join(scratch, 'bundle'));
    const { raw } = await testRows();
    // raw rows with a missing number and an unseen sex too
    const rows = [...raw.slice(0, 8), { ...raw[0]!, 'Beak Length (mm)': null, Sex: 'UNKNOWN' }];
    const fitted = JSON.parse(strFromU8(files['transform.json']!));
    const { features, dim } = bundled(fitted, rows);
    const out = model.predict(tf.tensor2d(features, [rows.length, dim])) as tfjs.Tensor;
    const probs = await out.data();
    out.dispose();
    model.dispose();
    const labels = JSON.parse(strFromU8(files['metadata.json']!)).labels as string[];
    for (let i = 0; i < rows.length; i++) {
      const values = Object.fromEntries(Object.entries(rows[i]!).filter(([k]) => k !== 'Species'));
      const app = await models.predict({ projectId, modelId, kind: 'row', values });
      expect(app.labels).toEqual(labels);
      app.probabilities!.forEach((p, k) => expect(Math.abs(p - probs[i * labels.length + k]!)).toBeLessThan(1e-6));
    }
  });

  it('imports back with its transform.json; a zip without it, or with a wrong one, is refused', async () => {
    const { zipSync, strToU8 } = await import('fflate');
    const importedId = await models.importZip(projectId, zipSync(files));
    const imported = (await db.models.get(importedId))!;
    expect(transformFeature(imported.metadata.preprocessing)!.fitted).toEqual(transform.fitted);
    const row = Object.fromEntries(Object.entries(ROWS[0]!).filter(([k]) => k !== 'Species'));
    const [a, b] = await Promise.all([models.predict({ projectId, modelId, kind: 'row', values: row }), models.predict({ projectId, modelId: importedId, kind: 'row', values: row })]);
    expect(b.probabilities).toEqual(a.probabilities);
    // a bundle exported before metadata.json referred to transform.json, with the transform in both, imports alike
    const metadata = JSON.parse(strFromU8(files['metadata.json']!));
    metadata.preprocessing.features[0].fitted = transform.fitted;
    const oldId = await models.importZip(projectId, zipSync({ ...files, 'metadata.json': strToU8(JSON.stringify(metadata)) }));
    expect(transformFeature((await db.models.get(oldId))!.metadata.preprocessing)!.fitted).toEqual(transform.fitted);
    expect((await models.predict({ projectId, modelId: oldId, kind: 'row', values: row })).probabilities).toEqual(a.probabilities);

    const { 'transform.json': _json, ...without } = files;
    await expect(models.importZip(projectId, zipSync(without))).rejects.toMatchObject({ code: 'no-transform', details: { file: 'transform.json' } });
    await expect(models.importZip(projectId, zipSync({ ...files, 'transform.json': strToU8('{"format":"something"}') }))).rejects.toMatchObject({ kind: 'TransformError', code: 'bad-fitted' });
    // without the last output (mass_bucket, 4 slots)
    const narrower = { ...transform.fitted, features: { dim: 11, layout: transform.fitted.features.layout.slice(0, -1) } };
    await expect(models.importZip(projectId, zipSync({ ...files, 'transform.json': strToU8(JSON.stringify(narrower)) }))).rejects.toMatchObject({ code: 'transform-dim', details: { params: { expected: 15, actual: 11 } } });
  });
});
