import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BackendSelector,
  compareParity,
  computeParityValues,
  PARITY_CONV,
  PARITY_SHAPE,
  PARITY_TOLERANCE,
  pickFastest,
  timeTrainStep,
} from '../../../src/core/train/backends';
import { activateBackend } from '../../../src/core/train/activate';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const { batch, inputs, hidden, outputs } = PARITY_SHAPE;
const conv = PARITY_CONV;
// the CNN's output [batch, 2, 2, filters2], its loss, then dLoss/dx, dLoss/dFilter1, dLoss/dFilter2
const convCount =
  conv.batch * 4 * conv.filters2 + 1 + conv.batch * conv.size * conv.size * conv.channels + 9 * conv.channels * conv.filters1 + 9 * conv.filters1 * conv.filters2;
const valueCount = batch * outputs + 1 + inputs * hidden + hidden + hidden * outputs + outputs + convCount;

describe('parity check', () => {
  it('cpu against cpu differs by exactly 0', async () => {
    const reference = await computeParityValues();
    const again = await computeParityValues();
    expect(reference.length).toBe(valueCount);
    expect(reference.every(Number.isFinite)).toBe(true);
    // The values are O(1) up to the sum-reduced loss: the tolerance is absolute, so scale matters.
    const largest = reference.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(largest).toBeGreaterThan(0.5);
    expect(largest).toBeLessThan(100);
    expect(compareParity(reference, again)).toEqual({ maxAbsDiff: 0, tolerance: PARITY_TOLERANCE, ok: true });
  });

  it('fails a perturbed result, and reports the difference', async () => {
    const reference = await computeParityValues();
    const perturbed = Float32Array.from(reference);
    perturbed[batch * outputs + 1 + 7] += 0.01; // one gradient element
    const r = compareParity(reference, perturbed);
    expect(r.ok).toBe(false);
    expect(r.maxAbsDiff).toBeCloseTo(0.01, 5);

    const small = Float32Array.from(reference, (v) => v + 1e-6); // float32-sized noise passes
    expect(compareParity(reference, small).ok).toBe(true);
  });

  it('treats NaN and a length mismatch as failures', async () => {
    const reference = await computeParityValues();
    const withNaN = Float32Array.from(reference);
    withNaN[3] = Number.NaN;
    expect(compareParity(reference, withNaN)).toMatchObject({ ok: false, maxAbsDiff: Number.POSITIVE_INFINITY });
    expect(compareParity(reference, reference.subarray(1)).ok).toBe(false);
  });

  it('leaks no tensors (check and timed train step)', async () => {
    const before = tf.memory().numTensors;
    await computeParityValues();
    const ms = await timeTrainStep({ warmup: 1, repeats: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(ms).toBeGreaterThan(0);
  });
});

describe('backend choice', () => {
  it('picks the fastest backend that is available and passed parity', () => {
    const pass = { maxAbsDiff: 1e-6, tolerance: PARITY_TOLERANCE, ok: true };
    const fail = { maxAbsDiff: 0.5, tolerance: PARITY_TOLERANCE, ok: false };
    expect(
      pickFastest([
        { name: 'webgpu', available: true, parity: fail, msPerStep: 1 },
        { name: 'webgl', available: true, parity: pass, msPerStep: 4 },
        { name: 'wasm', available: false, error: 'no' },
        { name: 'cpu', available: true, msPerStep: 5 },
      ]),
    ).toBe('webgl');
    expect(
      pickFastest([
        { name: 'webgl', available: true, parity: pass, msPerStep: 9 },
        { name: 'cpu', available: true, msPerStep: 5 },
      ]),
    ).toBe('cpu');
    expect(pickFastest([{ name: 'webgl', available: false }])).toBeNull();
  });

  it('probes in Node: only cpu is there, it becomes active, the others say why', async () => {
    const selector = new BackendSelector(activateBackend, { timing: { warmup: 1, repeats: 1 } });
    const before = tf.memory().numTensors;
    const info = await selector.probe();
    expect(tf.memory().numTensors).toBe(before);
    expect(info.active).toBe('cpu');
    expect(info.tfjsVersion).toBe(tf.version.tfjs);
    expect(info.backends.map((b) => b.name)).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    const cpu = info.backends.find((b) => b.name === 'cpu')!;
    expect(cpu).toMatchObject({ available: true, parity: undefined });
    expect(cpu.msPerStep).toBeGreaterThan(0);
    for (const b of info.backends.filter((b) => b.name !== 'cpu')) {
      expect(b.available).toBe(false);
      expect(b.error).toMatch(/not available|not loaded/);
    }
    // Node has neither WebGPU nor WebGL; wasm is not imported in this test
    expect(Object.fromEntries(info.backends.map((b) => [b.name, b.reason]))).toEqual({ webgpu: 'no-webgpu', webgl: 'no-webgl', wasm: 'not-loaded', cpu: undefined });
    // A failed switch keeps the previous backend and says why, as a coded error.
    await expect(selector.use('webgl')).rejects.toMatchObject({ kind: 'TrainError', code: 'backend-unavailable', details: { params: { backend: 'webgl', reason: 'no-webgl' } } });
    expect(selector.info.active).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });
});
