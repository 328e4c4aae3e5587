import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EvalError } from '../../../src/core/evaluate/errors';
import type { PredictFn } from '../../../src/core/evaluate/explain';
import { integratedGradients, pixelHeatmap, saliencyMap } from '../../../src/core/evaluate/gradients';
import { kernelShap } from '../../../src/core/evaluate/kernel-shap';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

/** Weights from a fixed formula so the test needs no random initializer. */
function setWeights(model: tf.LayersModel): void {
  let s = 1;
  const next = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
  model.setWeights(model.getWeights().map((w) => tf.tensor(Float32Array.from({ length: w.size }, next), w.shape)));
}

function mlp(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [5], units: 8, activation: 'tanh' }));
  m.add(tf.layers.dense({ units: 6, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  setWeights(m);
  return m;
}

describe('integrated gradients', () => {
  it('a linear model: attributions are w_i (x_i - baseline_i), exactly complete', async () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [3], units: 1 }));
    m.setWeights([tf.tensor2d([[2], [-1], [0.5]]), tf.tensor1d([0.3])]);
    // F(x) = 2 x0 - x1 + .5 x2 + .3; x = (1, 2, 4), baseline 0 -> (2, -2, 2), sum 2 = F(x) - F(0) = 2.3 - .3
    const ig = await integratedGradients(tf, m, [1, 2, 4], { steps: 4 });
    expect(Array.from(ig.attributions)).toEqual([2, -2, 2]);
    expect(ig.sum).toBeCloseTo(2, 5);
    expect(ig.fx).toBeCloseTo(2.3, 5);
    expect(ig.fBaseline).toBeCloseTo(0.3, 5);
    expect(ig.relativeError).toBeLessThan(1e-5);
  });

  it('completeness within 5 % on a small nonlinear model, and better with more steps', async () => {
    const m = mlp();
    const x = [0.9, -1.2, 0.4, 1.5, -0.7];
    const baseline = [0, 0, 0, 0, 0];
    const before = tf.memory().numTensors;
    const coarse = await integratedGradients(tf, m, x, { baseline, steps: 2, maxSteps: 2, output: 1 });
    const fine = await integratedGradients(tf, m, x, { baseline, steps: 100, maxSteps: 100, output: 1, batchSize: 16 });
    expect(coarse.steps).toBe(2);
    expect(fine.steps).toBe(100);
    expect(tf.memory().numTensors).toBe(before);
    expect(fine.attributions).toHaveLength(5);
    // the output actually changes along the path, so the check is not vacuous
    expect(Math.abs(fine.fx - fine.fBaseline)).toBeGreaterThan(0.01);
    expect(fine.relativeError).toBeLessThan(0.05);
    expect(fine.relativeError).toBeLessThan(coarse.relativeError);
    expect(Math.abs(fine.sum - (fine.fx - fine.fBaseline))).toBeLessThan(0.05 * Math.abs(fine.fx - fine.fBaseline));
  });

  it('refines the path until completeness is within the tolerance, reusing the gradients', async () => {
    const m = mlp();
    const x = [0.9, -1.2, 0.4, 1.5, -0.7];
    // with ReLUs two intervals leave about a 10 % gap; halving until 1 % takes a few rounds
    const r = await integratedGradients(tf, m, x, { steps: 2, tolerance: 0.01, output: 1 });
    expect(r.relativeError).toBeLessThanOrEqual(0.01);
    expect(r.steps).toBeGreaterThan(2);
    // the refined trapezoid equals a direct one on the same number of steps (up to float32 gradients)
    const direct = await integratedGradients(tf, m, x, { steps: r.steps, maxSteps: r.steps, output: 1 });
    Array.from(direct.attributions).forEach((a, i) => expect(r.attributions[i]).toBeCloseTo(a, 5));
    // the default target of 5 % holds from the default start
    expect((await integratedGradients(tf, m, x, { output: 1 })).relativeError).toBeLessThanOrEqual(0.05);
  });

  it('IG and KernelSHAP agree on the sign of the big attributions of the same model', async () => {
    const m = mlp();
    const x = [0.9, -1.2, 0.4, 1.5, -0.7];
    const predict: PredictFn = async (rows, n) => {
      const out = tf.tidy(() => m.predict(tf.tensor2d(rows, [n, 5])) as tf.Tensor);
      const data = (await out.data()) as Float32Array;
      out.dispose();
      return data;
    };
    const ig = await integratedGradients(tf, m, x, { steps: 100, output: 1 });
    const shap = await kernelShap({ predict, x, background: new Float32Array(5), output: 1 });
    // with one all-zero background row both explain F(x) - F(0)
    expect(shap.expected).toBeCloseTo(ig.fBaseline, 5);
    expect(Math.abs(shap.values.reduce((a, b) => a + b, 0) - (shap.fx - shap.expected))).toBeLessThan(1e-6);
    const top = Array.from(ig.attributions).reduce((best, v, i, a) => (Math.abs(v) > Math.abs(a[best]!) ? i : best), 0);
    expect(Math.sign(shap.values[top]!)).toBe(Math.sign(ig.attributions[top]!));
  });

  it('refuses an example that does not fit the model', async () => {
    const m = mlp();
    await expect(integratedGradients(tf, m, [1, 2, 3])).rejects.toThrow(EvalError);
    await expect(integratedGradients(tf, m, [1, 2, 3])).rejects.toThrow(/takes 5 = 5 values/);
    await expect(integratedGradients(tf, m, [1, 2, 3, 4, 5], { output: 3 })).rejects.toThrow(/Output 3/);
  });
});

describe('saliency maps', () => {
  it('|gradient| max over channels, normalized, for a linear image model', async () => {
    // 2 x 2 x 2 image, flattened into one dense unit: the gradient is the weight vector
    const m = tf.sequential();
    m.add(tf.layers.flatten({ inputShape: [2, 2, 2] }));
    m.add(tf.layers.dense({ units: 2 }));
    // unit 1's weights per (pixel, channel): p0 (1, -4), p1 (2, 0.5), p2 (-0.5, 0), p3 (0, 0)
    const w1 = [1, -4, 2, 0.5, -0.5, 0, 0, 0];
    m.setWeights([tf.tensor2d(w1.flatMap((v) => [0, v]), [8, 2]), tf.zeros([2])]);
    const s = await saliencyMap(tf, m, new Array(8).fill(0.3), 1);
    // max |w| per pixel: 4, 2, .5, 0 -> divided by 4
    expect(s.max).toBe(4);
    expect([s.height, s.width]).toEqual([2, 2]);
    expect(Array.from(s.map)).toEqual([1, 0.5, 0.125, 0]);
  });

  it('pixelHeatmap sums |attributions| over channels for integrated gradients', () => {
    // 1 x 2 image, 2 channels: pixel 0 |1| + |-3| = 4, pixel 1 |2| + 0 = 2 -> [1, .5]
    const h = pixelHeatmap([1, -3, 2, 0], 1, 2, 2, 'sum');
    expect(Array.from(h.map)).toEqual([1, 0.5]);
    expect(h.max).toBe(4);
    expect(() => pixelHeatmap([1, 2, 3], 1, 2, 2)).toThrow(EvalError);
  });

  it('works on a small conv net and refuses tabular models', async () => {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [6, 6, 3], filters: 2, kernelSize: 3, activation: 'relu' }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
    setWeights(m);
    const img = Array.from({ length: 6 * 6 * 3 }, (_, i) => (i % 7) / 7);
    const s = await saliencyMap(tf, m, img, 0);
    expect(s.map).toHaveLength(36);
    expect(Math.max(...s.map)).toBe(1);
    expect(Math.min(...s.map)).toBeGreaterThanOrEqual(0);
    await expect(saliencyMap(tf, mlp(), [1, 2, 3, 4, 5])).rejects.toThrow(/image model/);
  });
});
