import type * as tfjs from '@tensorflow/tfjs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../../src/core/data/png';
import { exportBundle, importBundle, makeMetadata, readBundle, type BundleMetadata } from '../../../src/core/model/bundle';
import { TrainError } from '../../../src/core/model/errors';
import { buildModel, type ModelSpec } from '../../../src/core/model/model-spec';
import { encode, fitPreprocess, tableFromRecords, type PreprocessStats } from '../../../src/core/model/preprocess';
import { Trainer } from '../../../src/core/train/trainer';
import { useCpu } from '../train/helpers';

let tf: typeof tfjs;
let stats: PreprocessStats;
let spec: ModelSpec;
let metadata: BundleMetadata;
let zip: Uint8Array;
let model: tfjs.LayersModel;

const records = [
  { size: 1.5, colour: 'red', ok: true, kind: 'a' },
  { size: 2.5, colour: 'blue', ok: false, kind: 'b' },
  { size: 0.5, colour: 'red', ok: true, kind: 'c' },
  { size: 3.5, colour: 'green', ok: null, kind: 'a' },
];
const types = { size: 'number', colour: 'categorical', ok: 'boolean', kind: 'categorical' } as const;

beforeAll(async () => {
  tf = await useCpu();
  const table = tableFromRecords(records, types);
  stats = await fitPreprocess(table, [0, 1, 2, 3], { features: ['size', 'colour', 'ok'], label: 'kind', task: 'classification' });
  spec = {
    version: 1,
    input: stats.input,
    layers: [{ type: 'dense', units: 5, activation: 'relu' }, { type: 'batchNormalization' }],
    head: { kind: 'classification', classes: 3 },
    seed: 3,
  };
  model = buildModel(tf, spec);
  metadata = makeMetadata({
    name: 'Colour kinds',
    tfjsVersion: tf.version.tfjs,
    preprocessing: stats,
    modelSpec: spec,
    metrics: { accuracy: 0.75 },
    lineage: { datasetVersionId: 'dv1', runId: 'run1', splitSeed: 42 },
    createdAt: new Date('2025-01-02T03:04:05Z'),
  });
  // tiny shards so that the manifest has several files
  zip = await exportBundle(tf, model, metadata, { shardBytes: 64 });
});

function files(z = zip): Record<string, Uint8Array> {
  return unzipSync(z);
}

function rezip(f: Record<string, Uint8Array>): Uint8Array {
  return zipSync(f);
}

function editModelJson(edit: (json: any) => void): Uint8Array {
  const f = files();
  const json = JSON.parse(strFromU8(f['model.json']!));
  edit(json);
  f['model.json'] = strToU8(JSON.stringify(json));
  return rezip(f);
}

function thrown(fn: () => unknown): TrainError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TrainError);
    return e as TrainError;
  }
  throw new Error('expected a TrainError');
}

describe('export', () => {
  it('writes model.json in the TF.js Layers format, weight shards, metadata.json and README.md', () => {
    const f = files();
    const json = JSON.parse(strFromU8(f['model.json']!));
    expect(json.format).toBe('layers-model');
    expect(json.modelTopology.class_name ?? json.modelTopology.config).toBeTruthy();
    const paths: string[] = json.weightsManifest[0].paths;
    expect(paths.length).toBeGreaterThan(1);
    expect(paths[0]).toBe(`group1-shard1of${paths.length}.bin`);
    for (const p of paths) expect(f[p]).toBeInstanceOf(Uint8Array);
    const meta = JSON.parse(strFromU8(f['metadata.json']!));
    expect(meta).toEqual(metadata);
    expect(meta.labels).toEqual(['a', 'b', 'c']);
    expect(meta.featureColumns).toEqual([
      { column: 'size', type: 'number', encoding: 'standardize' },
      { column: 'colour', type: 'categorical', encoding: 'onehot' },
      { column: 'ok', type: 'boolean', encoding: 'boolean' },
    ]);
    const readme = strFromU8(f['README.md']!);
    expect(readme).toContain("tf.loadLayersModel(base + 'model.json')");
    expect(readme).toContain('@tensorflow/tfjs-node');
    expect(readme).toContain('function encodeRow(row, pre)');
    expect(readme).toContain('in this order: "a", "b", "c"');
  });
});

describe('import', () => {
  it('export then import gives identical predictions, and the model trains further', async () => {
    const { model: loaded, metadata: meta } = await importBundle(tf, zip);
    expect(meta).toEqual(metadata);
    const enc = await encode(meta.preprocessing, tableFromRecords(records, types));
    const x = tf.tensor2d(enc.x, [enc.rows, enc.featureShape[0]!]);
    const a = model.predict(x) as tfjs.Tensor;
    const b = loaded.predict(x) as tfjs.Tensor;
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    tf.dispose([a, b]);

    // layer names survive, so checkpoints and the trainer treat it like a model built here
    expect(loaded.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
    const y = tf.oneHot(tf.tensor1d(Array.from(enc.y!), 'int32'), 3).toFloat();
    const t = new Trainer(tf, loaded, { task: 'classification', optimizer: 'adam', learningRate: 0.01, batchSize: 2, epochs: 1, seed: 1 });
    const r = await t.fit({ train: { x, y } });
    expect(r.status).toBe('completed');
    t.dispose();
    tf.dispose([x, y]);
    loaded.dispose();
  });

  it('accepts a zip of a folder (everything one level down)', async () => {
    const f = files();
    const nested = Object.fromEntries(Object.entries(f).map(([k, v]) => [`my-model/${k}`, v]));
    const b = readBundle(rezip(nested));
    expect(b.root).toBe('my-model/');
  });

  it('a zip without its weight files', () => {
    const f = files();
    delete f['group1-shard2of' + Object.keys(f).filter((k) => k.endsWith('.bin')).length + '.bin'];
    const e = thrown(() => readBundle(rezip(f)));
    expect(e.code).toBe('missing-weights');
    expect(e.message).toMatch(/^model.json lists the weight file "group1-shard2of\d+\.bin", but the zip does not contain it$/);
  });

  it('a weight whose shape does not match its bytes', async () => {
    // dense_1/kernel is [6 features (size, 3 colours + other, ok), 5 units] float32 = 120 bytes; claim [6, 6] = 144
    const z = editModelJson((json) => {
      const w = json.weightsManifest[0].weights.find((w: { name: string }) => w.name === 'dense_1/kernel');
      w.shape = [6, 6];
    });
    // Without TF.js only the byte counts can be checked: 24 bytes more are needed than the files hold,
    // and the weight that runs out is named.
    const e = thrown(() => readBundle(z));
    expect(e.code).toBe('weight-size');
    expect(e.message).toMatch(/^Weight "batch_normalization_2\/moving_mean" \[5\] float32 needs 20 bytes, but .* has only 16 left for it$/);
    // The import checks the shapes against the topology, and names the weight that is wrong.
    const before = tf.memory().numTensors;
    const precise = await importBundle(tf, z).catch((x) => x);
    expect(precise).toBeInstanceOf(TrainError);
    expect(precise).toMatchObject({ code: 'weight-size', details: { weight: 'dense_1/kernel' } });
    expect(precise.message).toBe('Weight "dense_1/kernel" is [6, 6] in model.json, but its layer needs [6, 5]');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('weight files that are too short name the weight that runs out', () => {
    const f = files();
    const bins = Object.keys(f).filter((k) => k.endsWith('.bin')).sort();
    const last = bins.at(-1)!;
    f[last] = f[last]!.subarray(0, Math.max(0, f[last]!.length - 8));
    const e = thrown(() => readBundle(rezip(f)));
    expect(e.code).toBe('weight-size');
    // TF.js lists non-trainable weights last: BatchNormalization's moving variance, [5] float32 = 20 bytes
    expect(e.details.weight).toBe('batch_normalization_2/moving_variance');
    expect(e.message).toMatch(/^Weight "batch_normalization_2\/moving_variance" \[5\] float32 needs 20 bytes, but .* has only 12 left for it$/);
  });

  it('a weight the layers need but model.json does not list', async () => {
    // drop the last weight (moving variance, 20 bytes) from the manifest and from the last shard: the
    // byte counts agree, only the topology shows what is missing
    const f = files();
    const json = JSON.parse(strFromU8(f['model.json']!));
    const dropped = json.weightsManifest[0].weights.pop();
    expect(dropped.name).toBe('batch_normalization_2/moving_variance');
    f['model.json'] = strToU8(JSON.stringify(json));
    const last = json.weightsManifest[0].paths.at(-1);
    f[last] = f[last]!.subarray(0, f[last]!.length - 20);
    const before = tf.memory().numTensors;
    const e = await importBundle(tf, rezip(f)).catch((x) => x);
    expect(e).toMatchObject({ code: 'bad-model-json', details: { weight: 'batch_normalization_2/moving_variance' } });
    expect(e.message).toBe('model.json lists no weight "batch_normalization_2/moving_variance", which the model\'s layers need');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a dtype TF.js cannot load, or one its layer does not take', async () => {
    const z = editModelJson((json) => (json.weightsManifest[0].weights[0].dtype = 'float64'));
    const e = thrown(() => readBundle(z));
    expect(e).toMatchObject({ code: 'weight-dtype', details: { weight: 'dense_1/kernel' } });
    expect(e.message).toBe('Weight "dense_1/kernel" has dtype "float64", which TF.js Layers models cannot load');
    // int32 has the same byte size as float32, so only the topology can tell
    const wrong = editModelJson((json) => (json.weightsManifest[0].weights[1].dtype = 'int32'));
    const before = tf.memory().numTensors;
    const e2 = await importBundle(tf, wrong).catch((x) => x);
    expect(e2).toMatchObject({ code: 'weight-dtype', details: { weight: 'dense_1/bias' } });
    expect(e2.message).toBe('Weight "dense_1/bias" is int32 in model.json, but its layer needs float32');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a zip of something else, or not a zip at all', () => {
    const other = thrown(() => readBundle(zipSync({ 'notes.txt': strToU8('hello'), 'pic.png': new Uint8Array(3) })));
    expect(other.code).toBe('no-model-json');
    expect(other.message).toBe('The zip has no model.json, so it is not a TF.js model bundle (it holds: notes.txt, pic.png)');
    const png = thrown(() => readBundle(encodePng(new Uint8Array(4), 2, 2, 1)));
    expect(png).toMatchObject({ code: 'not-zip', message: 'This is not a zip file: it is a PNG image' });
    const lone = thrown(() => readBundle(files()['model.json']!));
    expect(lone.code).toBe('not-zip');
    expect(lone.message).toContain('a model.json on its own: zip it together with its weight files');
    const damaged = thrown(() => readBundle(zip.subarray(0, 100)));
    expect(damaged.code).toBe('not-zip');
  });

  it('model.json that is not JSON, or not a Layers model', () => {
    const f = files();
    f['model.json'] = strToU8('{"modelTopology": ');
    expect(thrown(() => readBundle(rezip(f)))).toMatchObject({ code: 'bad-model-json', details: { file: 'model.json' } });
    expect(thrown(() => readBundle(editModelJson((j) => (j.format = 'graph-model')))).message).toContain('is a TF.js graph model');
    expect(thrown(() => readBundle(editModelJson((j) => delete j.weightsManifest))).message).toBe('model.json has no weightsManifest: the weights are not described');
  });

  it('metadata.json missing, or not ours', () => {
    const f = files();
    delete f['metadata.json'];
    expect(thrown(() => readBundle(rezip(f)))).toMatchObject({ code: 'no-metadata', details: { file: 'metadata.json' } });
    const g = files();
    g['metadata.json'] = strToU8(JSON.stringify({ format: 'something' }));
    expect(thrown(() => readBundle(rezip(g))).message).toBe('metadata.json is not Pipette model metadata (format is "something", expected "pipette-model")');
  });

  it('metadata that does not fit the model is refused after loading', async () => {
    const f = files();
    const meta = JSON.parse(strFromU8(f['metadata.json']!));
    meta.labels = ['a', 'b'];
    f['metadata.json'] = strToU8(JSON.stringify(meta));
    const before = tf.memory().numTensors;
    await expect(importBundle(tf, rezip(f))).rejects.toThrow('metadata.json names 2 outputs, but the model has 3');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a topology TF.js refuses is reported in its words', async () => {
    const z = editModelJson((j) => (j.modelTopology.config.layers[1].class_name = 'NoSuchLayer'));
    const e = await importBundle(tf, z).catch((x) => x);
    expect(e).toBeInstanceOf(TrainError);
    expect(e.code).toBe('load-failed');
    expect(e.message).toMatch(/^TF.js could not load the model: .*NoSuchLayer/);
  });
});
