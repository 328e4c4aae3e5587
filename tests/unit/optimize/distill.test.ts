import type * as tfjs from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkDistillation,
  distill,
  distillationLoss,
  distillStudent,
  logitsFunction,
  modelParams,
  trainStudentFromScratch,
  validateDistillSettings,
} from '../../../src/core/optimize/distill';
import { OptimizeError } from '../../../src/core/optimize/errors';
import { buildModel, type ModelSpec } from '../../../src/core/model/model-spec';
import { toTensors, Trainer } from '../../../src/core/train/trainer';
import { blobs } from '../train/helpers';
import { metadataFor, tabularStats, useCpu } from './helpers';

let tf: typeof tfjs;
beforeAll(async () => {
  tf = await useCpu();
});

describe('distillation loss', () => {
  it('equals the formula on a hand example', async () => {
    // Row 1: z_s = [1, 2, 0], z_t = [2, 0, 1], y = class 1, T = 2, alpha = 0.3.
    //   CE = -log softmax(z_s)[1] = log(e + e^2 + 1) - 2 = log(11.1073379) - 2 = 0.4076060
    //   z_t / T = [1, 0, 0.5] and z_s / T = [0.5, 1, 0] have the same normalizer S = e + 1 + e^0.5 = 5.3670031,
    //   so p = [e, 1, e^0.5] / S = [0.5064804, 0.1863237, 0.3071959] and log p - log q = z_t/T - z_s/T = [0.5, -1, 0.5]:
    //   KL = 0.5 x 0.5064804 - 0.1863237 + 0.5 x 0.3071959 = 0.2205144
    //   loss = 0.3 x 0.4076060 + 0.7 x 2^2 x 0.2205144 = 0.1222818 + 0.6174404 = 0.7397222
    // Row 2: z_s = z_t = [0, 0, 0], y = class 0: CE = log 3 = 1.0986123, KL = 0; loss = 0.3 x 1.0986123 = 0.3295837
    // Batch mean: (0.7397222 + 0.3295837) / 2 = 0.5346529
    const zs = tf.tensor2d([
      [1, 2, 0],
      [0, 0, 0],
    ]);
    const zt = tf.tensor2d([
      [2, 0, 1],
      [0, 0, 0],
    ]);
    const y = tf.tensor2d([
      [0, 1, 0],
      [1, 0, 0],
    ]);
    const loss = distillationLoss(tf, zs, zt, y, { alpha: 0.3, temperature: 2 });
    expect((await loss.data())[0]).toBeCloseTo(0.5346529, 6);
    // alpha = 1 is plain cross-entropy; alpha = 0 only the softened teacher
    const ce = distillationLoss(tf, zs, zt, y, { alpha: 1, temperature: 2 });
    expect((await ce.data())[0]).toBeCloseTo((0.4076060 + 1.0986123) / 2, 6);
    const kd = distillationLoss(tf, zs, zt, y, { alpha: 0, temperature: 2 });
    expect((await kd.data())[0]).toBeCloseTo((4 * 0.2205144) / 2, 6);
    tf.dispose([zs, zt, y, loss, ce, kd]);
  });

  it('refuses alpha outside [0, 1] and a non-positive temperature', () => {
    expect(() => validateDistillSettings({ alpha: 1.5, temperature: 2 })).toThrowError(/alpha must be between 0 and 1/);
    expect(() => validateDistillSettings({ alpha: 0.5, temperature: 0 })).toThrowError(/temperature must be a positive number/);
  });
});

function spec(hidden: number, classes = 2, seed = 3): ModelSpec {
  return { version: 1, input: { kind: 'tabular', features: 6 }, layers: [{ type: 'dense', units: hidden, activation: 'tanh' }], head: { kind: 'classification', classes }, seed };
}

describe('logits', () => {
  it('are the head pre-activation: softmax of them is the model output, and log-probs agree up to a row constant', async () => {
    const model = buildModel(tf, spec(8, 3));
    const f = logitsFunction(tf, model);
    expect(f.method).toBe('head');
    const x = tf.tensor2d(Float32Array.from({ length: 24 }, (_, i) => Math.sin(i)), [4, 6]);
    const z = f(x, false);
    const p = model.predict(x) as tfjs.Tensor;
    const sm = tf.softmax(z);
    const [a, b] = await Promise.all([sm.data(), p.data()]);
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 6);
    // log p = z - logsumexp(z): the same softmax at any temperature
    const soft1 = tf.softmax(tf.div(z, 3));
    const soft2 = tf.softmax(tf.div(tf.log(p), 3));
    const [c, d] = await Promise.all([soft1.data(), soft2.data()]);
    for (let i = 0; i < c.length; i++) expect(c[i]).toBeCloseTo(d[i]!, 6);
    tf.dispose([x, z, p, sm, soft1, soft2]);
    model.dispose();
  });

  it('fall back to log-probabilities for a model whose softmax is a separate layer', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [6], units: 3 }), tf.layers.activation({ activation: 'softmax' })] });
    const f = logitsFunction(tf, model);
    expect(f.method).toBe('log-probs');
    const x = tf.tensor2d(Float32Array.from({ length: 12 }, (_, i) => Math.cos(i)), [2, 6]);
    const z = f(x, false);
    const [a, b] = await Promise.all([tf.softmax(z).data(), (model.predict(x) as tfjs.Tensor).data()]);
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 6);
    tf.dispose([x, z]);
    model.dispose();
  });
});

describe('checks', () => {
  const teacherMeta = () => metadataFor(tf, 'teacher', tabularStats(6, ['a', 'b', 'c']), null);

  it('a teacher trained on another label set is an error; another order is mapped; a larger student warns', () => {
    const teacher = { metadata: teacherMeta(), params: 100, inputShape: [6] };
    expect(() => checkDistillation(teacher, { labels: ['a', 'b', 'd'], params: 50, inputShape: [6] })).toThrowError(
      /trained on another label set: it does not know "d"; it also predicts "c", which this data does not have/,
    );
    expect(() => checkDistillation(teacher, { labels: ['a', 'b'], params: 50, inputShape: [6] })).toThrowError(OptimizeError);
    expect(() => checkDistillation(teacher, { labels: ['a', 'b', 'c'], params: 50, inputShape: [7] })).toThrowError(/inputs of shape \[6\], the student \[7\]/);
    const regression = { ...teacherMeta(), task: 'regression' as const, labels: null };
    expect(() => checkDistillation({ ...teacher, metadata: regression }, { labels: ['a', 'b', 'c'], params: 50, inputShape: [6] })).toThrowError(/regression model/);

    const ok = checkDistillation(teacher, { labels: ['c', 'a', 'b'], params: 50, inputShape: [6] });
    expect(ok.teacherColumn).toEqual([2, 0, 1]);
    expect(ok.warnings).toEqual([]);
    expect(checkDistillation(teacher, { labels: ['a', 'b', 'c'], params: 150, inputShape: [6] }).warnings).toEqual([{ code: 'bigger-student', params: { student: 150, teacher: 100 } }]);
  });
});

describe('training', () => {
  function data(n: number, seed: number) {
    const { x, y } = blobs(n, 6, seed);
    return toTensors(tf, { rows: n, x, featureShape: [6], y, missing: {} }, { column: 'k', sourceType: 'categorical' as never, task: 'classification', classes: ['a', 'b'], counts: [] });
  }

  it('with alpha = 1 the loop takes the Trainer\'s steps (same batches, same loss up to its 1e-7 clip)', async () => {
    const train = data(50, 1); // 50 rows in batches of 16: the last one padded
    const teacher = buildModel(tf, spec(4, 2, 9));
    const a = buildModel(tf, spec(5));
    const b = buildModel(tf, spec(5));
    const cfg = { optimizer: 'sgd' as const, learningRate: 0.1, batchSize: 16, epochs: 2, seed: 4 };
    await distill(tf, { teacher, student: a, train, config: { ...cfg, alpha: 1, temperature: 3 } });
    const t = new Trainer(tf, b, { ...cfg, task: 'classification' });
    await t.fit({ train });
    const [wa, wb] = await Promise.all([a, b].map((m) => Promise.all(m.getWeights().map((w) => w.data()))));
    wa!.forEach((w, k) => w.forEach((v, i) => expect(v).toBeCloseTo(wb![k]![i]!, 4)));
    t.dispose();
    tf.dispose([train.x, train.y]);
    [teacher, a, b].forEach((m) => m.dispose());
  });

  it('distillStudent and trainStudentFromScratch: same spec, seed and batches; no tensors left behind', async () => {
    const train = data(80, 2);
    const val = data(40, 3);
    const teacherSpec = spec(16);
    const teacher = buildModel(tf, teacherSpec);
    const t = new Trainer(tf, teacher, { task: 'classification', optimizer: 'adam', learningRate: 0.05, batchSize: 16, epochs: 5, seed: 1 });
    await t.fit({ train });
    t.dispose();
    const meta = metadataFor(tf, 'teacher', tabularStats(6, ['a', 'b']), teacherSpec);
    const before = tf.memory().numTensors;
    const studentSpec = spec(3);
    const config = { optimizer: 'adam' as const, learningRate: 0.05, batchSize: 16, epochs: 5, seed: 1 };
    const run = await distillStudent(tf, { teacher, teacherMetadata: meta, studentSpec, labels: ['a', 'b'], train, validation: val, config: { ...config, alpha: 0.1, temperature: 4 } });
    expect(run.warnings).toEqual([]);
    expect(run.params).toBe(modelParams(run.student));
    expect(run.history.length).toBe(5);
    expect(run.history[4]!.valAcc).toBeGreaterThan(0.8);
    const scratch = await trainStudentFromScratch(tf, { studentSpec, train, validation: val, config });
    expect(scratch.fit.history.length).toBe(5);
    run.student.dispose();
    scratch.student.dispose();
    expect(tf.memory().numTensors).toBe(before);

    // a bigger student warns; a student over other labels is refused before anything is built
    const big = await distillStudent(tf, { teacher, teacherMetadata: meta, studentSpec: spec(64), labels: ['a', 'b'], train, config: { ...config, epochs: 1, alpha: 0.5, temperature: 2 } });
    expect(big.warnings.map((w) => w.code)).toEqual(['bigger-student']);
    big.student.dispose();
    await expect(distillStudent(tf, { teacher, teacherMetadata: meta, studentSpec, labels: ['a', 'x'], train, config: { ...config, alpha: 0.5, temperature: 2 } })).rejects.toThrowError(
      /another label set/,
    );
    expect(tf.memory().numTensors).toBe(before);
    teacher.dispose();
    tf.dispose([train.x, train.y, val.x, val.y]);
  });
});
