/**
 * The training step without the tape (core/train/tapeless-step.ts) against the tape's gradients of the
 * trainer's own loss, on cpu and on wasm (with the app's wasm kernels): classification with soft targets,
 * class weights, padding rows, a seeded dropout and probabilities past the log's clip; convolutions and
 * pools with both paddings and strides; regression; which models take it; and the Trainer training the
 * same weights either way.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../../src/core/model/model-spec';
import { presetById } from '../../../src/core/train/presets';
import { LOG_EPS, lossesFor } from '../../../src/core/train/losses';
import { tapelessStepOf } from '../../../src/core/train/tapeless-step';
import { Trainer } from '../../../src/core/train/trainer';
import { startWasmWithKernels } from './helpers';

beforeAll(startWasmWithKernels);

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = s / 1073741824 - 1;
  }
  return out;
}

/** Flatten, Dense(12, relu), Dropout(0.25, seeded), Dense(8, linear), Dense(classes, softmax), on 4 x 4 x 1 inputs. */
function classifier(classes: number): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.flatten({ inputShape: [4, 4, 1] }));
  m.add(tf.layers.dense({ units: 12, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  m.add(tf.layers.dropout({ rate: 0.25, seed: 7 }));
  m.add(tf.layers.dense({ units: 8, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
  m.add(tf.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }));
  return m;
}

interface Batch {
  xb: tf.Tensor;
  yb: tf.Tensor;
  weights: tf.Tensor1D;
  mask: tf.Tensor1D;
  real: number;
}

/** The tape's loss, gradients and correct count for the trainer's loss (trainer.ts's loss closure). */
function taped(model: tf.LayersModel, classification: boolean, b: Batch) {
  const losses = lossesFor(tf, classification);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let correct: tf.Scalar | null = null;
  const { value, grads } = tf.variableGrads(() => {
    const pred = model.apply(b.xb, { training: true }) as tf.Tensor;
    if (classification) correct = tf.keep(losses.correct(b.yb, pred, b.mask));
    return tf.div(tf.sum(tf.mul(b.weights, losses.perExample(b.yb, pred))), b.real) as tf.Scalar;
  }, vars);
  return { loss: value, grads: new Map(Object.entries(grads)), correct: correct as tf.Scalar | null };
}

/** Largest |a - b| over every gradient, relative to the largest |b|. */
function gradientGap(ours: Map<string, tf.Tensor>, tape: Map<string, tf.Tensor>): number {
  expect([...ours.keys()].sort()).toEqual([...tape.keys()].sort());
  let gap = 0;
  let scale = 0;
  for (const [name, g] of tape) {
    const a = ours.get(name)!.dataSync();
    const b = g.dataSync();
    expect(a.length).toBe(b.length);
    b.forEach((v, i) => {
      gap = Math.max(gap, Math.abs(a[i]! - v));
      scale = Math.max(scale, Math.abs(v));
    });
  }
  return gap / scale;
}

describe.each(['cpu', 'wasm'] as const)('the step without the tape, on %s', (backend) => {
  it("gives the tape's classification loss, gradients and correct count (soft targets, class weights, padding, dropout, clipped probabilities)", async () => {
    await tf.setBackend(backend);
    const classes = 5;
    const rows = 6;
    const model = classifier(classes);
    // a large head saturates the softmax, so that some probabilities fall outside the clip
    const [kernel, bias] = model.layers[4]!.getWeights();
    model.layers[4]!.setWeights([tf.mul(kernel!, 40), bias!]);
    const xb = tf.tensor(values(rows * 16, 3), [rows, 4, 4, 1]);
    // soft targets: every row's probabilities sum to 1
    const raw = tf.abs(tf.tensor2d(values(rows * classes, 5), [rows, classes]));
    const yb = tf.div(raw, tf.sum(raw, -1, true));
    const mask = tf.tensor1d([1, 1, 1, 1, 0, 0]);
    const classWeights = tf.tensor1d([1, 2, 0.5, 1.5, 3]);
    const weights = tf.mul(mask, tf.sum(tf.mul(yb, classWeights), -1)) as tf.Tensor1D;
    const b: Batch = { xb, yb, weights, mask, real: 4 };

    const p = model.predict(xb) as tf.Tensor;
    const clipped = (await tf.logicalOr(tf.less(p, LOG_EPS), tf.greater(p, 1 - LOG_EPS)).sum().data())[0]!;
    expect(clipped).toBeGreaterThan(0);

    const step = tapelessStepOf(tf, model, true);
    expect(step).not.toBeNull();
    const ours = step!.run(xb, yb, weights, mask, 4);
    const tape = taped(model, true, b);
    expect(gradientGap(ours.grads, tape.grads)).toBeLessThan(1e-5);
    expect(ours.loss.dataSync()[0]).toBeCloseTo(tape.loss.dataSync()[0]!, 4);
    expect(ours.correct!.dataSync()[0]).toBe(tape.correct!.dataSync()[0]);
    model.dispose();
  });

  it("gives the tape's gradients through convolutions and pools (valid and same, strides 1 and 2)", async () => {
    await tf.setBackend(backend);
    const init = (seed: number) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed }), biasInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: seed + 50 }) });
    const model = tf.sequential();
    // 9 x 9 x 2 -> conv 3x3 valid -> 7 x 7 x 4 -> pool 2 -> 3 x 3 x 4 -> conv 2x2 same, strides 2 -> 2 x 2 x 3
    // -> pool 2, strides 1, same -> 2 x 2 x 3 -> flatten 12 -> dropout -> dense 6 -> softmax 4
    model.add(tf.layers.conv2d({ inputShape: [9, 9, 2], filters: 4, kernelSize: 3, activation: 'relu', ...init(1) }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    model.add(tf.layers.conv2d({ filters: 3, kernelSize: 2, strides: 2, padding: 'same', ...init(2) }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 1, padding: 'same' }));
    model.add(tf.layers.flatten());
    model.add(tf.layers.dropout({ rate: 0.3, seed: 11 }));
    model.add(tf.layers.dense({ units: 6, activation: 'relu', ...init(3) }));
    model.add(tf.layers.dense({ units: 4, activation: 'softmax', ...init(4) }));
    const rows = 5;
    const labels = tf.tensor1d([0, 3, 1, 2, 3], 'int32');
    const mask = tf.tensor1d([1, 1, 1, 1, 0]);
    const b: Batch = { xb: tf.tensor(values(rows * 162, 23), [rows, 9, 9, 2]), yb: tf.oneHot(labels, 4).toFloat(), weights: mask, mask, real: 4 };
    const step = tapelessStepOf(tf, model, true);
    expect(step).not.toBeNull();
    const ours = step!.run(b.xb, b.yb, b.weights, b.mask, b.real);
    const tape = taped(model, true, b);
    expect(ours.grads.size).toBe(8);
    expect(gradientGap(ours.grads, tape.grads)).toBeLessThan(1e-5);
    expect(ours.loss.dataSync()[0]).toBeCloseTo(tape.loss.dataSync()[0]!, 5);
    model.dispose();
  });

  it('an unseeded dropout drops about its rate, the same inputs forward and backward, a new draw each step', async () => {
    await tf.setBackend(backend);
    // one row through Dense(2048, relu) -> Dropout(0.25) -> Dense(3, softmax, small weights: no unit's
    // gradient is 0): every hidden unit is 1 before the dropout, so the head's kernel gradient (a^T dz) has a zero row exactly where a unit was
    // dropped, and the first layer's (x^T dh) a zero column exactly where the backward pass dropped it
    const units = 2048;
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [2], units, activation: 'relu', kernelInitializer: tf.initializers.constant({ value: 0.5 }) }));
    m.add(tf.layers.dropout({ rate: 0.25 }));
    m.add(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.randomUniform({ minval: -0.01, maxval: 0.01, seed: 3 }) }));
    const step = tapelessStepOf(tf, m, true)!;
    const [xb, yb, one] = [tf.tensor2d([[1, 1]]), tf.tensor2d([[0, 1, 0]]), tf.tensor1d([1])];
    const head = m.layers[2]!.getWeights()[0]!.arraySync() as number[][];
    const dropped = () => {
      const { grads } = step.run(xb, yb, one, one, 1);
      const byName = (layer: number, i: number) => grads.get(m.layers[layer]!.trainableWeights[i]!.originalName)!;
      const dW2 = byName(2, 0).arraySync() as number[][];
      const dz = byName(2, 1).arraySync() as number[];
      const dW1 = byName(0, 0).arraySync() as number[][];
      const forward: boolean[] = dW2.map((row) => row.every((v) => v === 0));
      const backward: boolean[] = dW1[0]!.map((v) => v === 0);
      expect(backward).toEqual(forward);
      // a kept unit passes its gradient scaled by 1 / 0.75, as tf.dropout does
      const i = forward.indexOf(false);
      const dh = head[i]!.reduce((sum, w, c) => sum + w * dz[c]!, 0);
      expect(dW1[0]![i]! / dh).toBeCloseTo(1 / 0.75, 5);
      expect(dW2[i]![1]! / dz[1]!).toBeCloseTo(1 / 0.75, 5);
      return forward;
    };
    const first = dropped();
    const share = first.filter(Boolean).length / units;
    // 0.25 +- 4 standard deviations of a share of 2,048 draws (0.0096)
    expect(Math.abs(share - 0.25)).toBeLessThan(0.04);
    const second = dropped();
    expect(second.some((d, i) => d !== first[i])).toBe(true);
    m.dispose();
  });

  it("gives the tape's regression loss and gradients", async () => {
    await tf.setBackend(backend);
    const model = buildModel(tf, presetById('mlp-regressor')!.make({ input: { kind: 'tabular', features: 7 } }));
    const rows = 9;
    const b: Batch = {
      xb: tf.tensor2d(values(rows * 7, 11), [rows, 7]),
      yb: tf.tensor2d(values(rows, 13), [rows, 1]),
      weights: tf.tensor1d([1, 1, 1, 1, 1, 1, 1, 0, 0]),
      mask: tf.tensor1d([1, 1, 1, 1, 1, 1, 1, 0, 0]),
      real: 7,
    };
    const step = tapelessStepOf(tf, model, false);
    expect(step).not.toBeNull();
    const ours = step!.run(b.xb, b.yb, b.weights, b.mask, b.real);
    const tape = taped(model, false, b);
    expect(ours.correct).toBeNull();
    expect(gradientGap(ours.grads, tape.grads)).toBeLessThan(1e-5);
    expect(ours.loss.dataSync()[0]).toBeCloseTo(tape.loss.dataSync()[0]!, 5);
    model.dispose();
  });
});

describe('which models take the step without the tape', () => {
  it('the dense and convolution presets do; embeddings, global pools, dilations, other activations, frozen layers and a wrong head do not', async () => {
    await tf.setBackend('cpu');
    const image = { kind: 'image', height: 28, width: 28, channels: 1 } as const;
    const takes = (m: tf.LayersModel, classification = true) => {
      const ok = tapelessStepOf(tf, m, classification) !== null;
      m.dispose();
      return ok;
    };
    expect(takes(buildModel(tf, presetById('mlp-classifier')!.make({ input: { kind: 'tabular', features: 5 }, classes: 3 })))).toBe(true);
    expect(takes(buildModel(tf, presetById('text-bag-of-words')!.make({ input: { kind: 'tabular', features: 50 }, classes: 2 })))).toBe(true);
    expect(takes(buildModel(tf, presetById('small-cnn')!.make({ input: image, classes: 10 })))).toBe(true);
    // a large image: the Small CNN ends in a global average pool there
    expect(takes(buildModel(tf, presetById('small-cnn')!.make({ input: { kind: 'image', height: 96, width: 96, channels: 3 }, classes: 10 })))).toBe(false);
    const dilated = tf.sequential();
    dilated.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, dilationRate: 2 }));
    dilated.add(tf.layers.flatten());
    dilated.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
    expect(takes(dilated)).toBe(false);
    expect(takes(buildModel(tf, presetById('text-embedding')!.make({ input: { kind: 'tokens', length: 8, vocabSize: 30 }, classes: 2 })))).toBe(false);
    const spec = (layers: object[], head: object = { kind: 'classification', classes: 3 }) =>
      buildModel(tf, { version: 1, input: { kind: 'tabular', features: 4 }, layers, head } as Parameters<typeof buildModel>[1]);
    expect(takes(spec([{ type: 'dense', units: 4, activation: 'tanh' }]))).toBe(false);
    expect(takes(spec([{ type: 'batchNormalization' }, { type: 'dense', units: 4, activation: 'relu' }]))).toBe(false);
    // a classification head trained as regression, and the other way round
    expect(takes(spec([{ type: 'dense', units: 4, activation: 'relu' }]), false)).toBe(false);
    expect(takes(spec([{ type: 'dense', units: 4, activation: 'relu' }], { kind: 'regression' }), true)).toBe(false);
    const frozen = spec([{ type: 'dense', units: 4, activation: 'relu' }]);
    frozen.layers[0]!.trainable = false;
    expect(takes(frozen)).toBe(false);
  });
});

describe('the Trainer with the step without the tape', () => {
  it('trains the same weights as through the tape (Adam, class weights, a padded last batch)', async () => {
    await tf.setBackend('wasm');
    const make = (tapeOnly: boolean) => {
      const m = tf.sequential();
      m.add(tf.layers.dense({ inputShape: [6], units: 10, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }));
      // a linear Activation changes nothing but is not a layer tapeless-step.ts takes: this model goes through the tape
      if (tapeOnly) m.add(tf.layers.activation({ activation: 'linear' }));
      m.add(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }));
      return m;
    };
    const rows = 50;
    const x = tf.tensor2d(values(rows * 6, 17), [rows, 6]);
    const labels = Array.from(values(rows, 19), (v) => Math.floor((v + 1) * 1.5));
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 3).toFloat();
    const fit = async (tapeOnly: boolean) => {
      const model = make(tapeOnly);
      expect(tapelessStepOf(tf, model, true) === null).toBe(tapeOnly);
      const trainer = new Trainer(tf, model, { task: 'classification', optimizer: 'adam', learningRate: 0.01, batchSize: 16, epochs: 3, seed: 9, classWeights: [1, 2, 0.5] });
      const result = await trainer.fit({ train: { x, y } });
      const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
      trainer.dispose();
      model.dispose();
      return { result, weights };
    };
    const before = tf.memory().numTensors;
    const ours = await fit(false);
    expect(tf.memory().numTensors).toBe(before);
    const tape = await fit(true);
    expect(ours.weights.length).toBe(tape.weights.length);
    ours.weights.forEach((w, i) => w.forEach((v, j) => expect(v).toBeCloseTo(tape.weights[i]![j]!, 4)));
    // the weights moved: the comparison is not of two initial states
    expect(tape.result.history[2]!.loss).toBeLessThan(tape.result.history[0]!.loss);
    ours.result.history.forEach((h, i) => {
      expect(h.loss).toBeCloseTo(tape.result.history[i]!.loss, 5);
      expect(h.acc).toBe(tape.result.history[i]!.acc);
    });
    tf.dispose([x, y]);
  });
});
