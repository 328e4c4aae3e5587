import type * as tfjs from '@tensorflow/tfjs';
import { strFromU8, unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import type { VariantMetadata } from '../../../src/core/optimize/artifacts';
import { OptimizeError } from '../../../src/core/optimize/errors';
import {
  affineParams,
  dequantizeAffine,
  float16Bits,
  float16Value,
  fromFloat16,
  quantizeAffine,
  quantizeBundle,
  quantizeWeights,
  toFloat16,
} from '../../../src/core/optimize/quantize';
import { importBundle, readBundle } from '../../../src/core/model/bundle';
import { predict } from '../../../src/core/train/trainer';
import { smallBundle, useCpu } from './helpers';

let tf: typeof tfjs;
beforeAll(async () => {
  tf = await useCpu();
});

/** Deterministic pseudo-random floats in [lo, hi). */
function randoms(n: number, lo: number, hi: number, seed = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((hi - lo) * s) / 4294967296;
  }
  return out;
}

describe('affine quantization', () => {
  it('decodes every value within half a step, for ranges with and without 0, uint8 and uint16', () => {
    const cases: [number, number][] = [
      [-1, 1],
      [-0.03, 0.25],
      [0.5, 2.5], // no 0 in range: no nudge
      [-7, -3],
      [-1e-6, 1e-6],
    ];
    for (const dtype of ['uint8', 'uint16'] as const) {
      for (const [lo, hi] of cases) {
        const values = randoms(5000, lo, hi, Math.round(hi * 1000) + 3);
        values[0] = lo; // the ends are where nudging and clipping act
        values[1] = hi;
        let min = Infinity;
        let max = -Infinity;
        for (const v of values) {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
        const p = affineParams(min, max, dtype);
        const codes = quantizeAffine(values, p);
        const back = dequantizeAffine(codes, p);
        // half a step, plus the float64 rounding of q * scale + min; the worst value, one expect
        let worst = -Infinity;
        for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(back[i]! - values[i]!) - 1e-12 * Math.max(1, Math.abs(values[i]!)));
        expect(worst).toBeLessThanOrEqual(p.scale / 2);
        expect(worst).toBeGreaterThan(p.scale / 4); // and the bound is not vacuous
      }
    }
  });

  it('matches hand values: [-1, 1] in uint8 has scale 2/255 and 0 exactly representable', () => {
    const p = affineParams(-1, 1, 'uint8');
    expect(p.scale).toBeCloseTo(2 / 255, 15);
    // -lo / scale = 127.5 rounds to 128 (Math.round, half up), so min = -128 x 2/255
    expect(p.min).toBeCloseTo((-128 * 2) / 255, 15);
    const codes = quantizeAffine([0, -1, 1, 0.5], p);
    expect(Array.from(codes)).toEqual([128, 0, 255, 192]);
    // 0 decodes to exactly 0 (code x scale + min with min = -128 x scale)
    expect(dequantizeAffine([128], p)[0]).toBe(0);
    // -1 is below the nudged min by 1/255 (less than half a step): it clips to code 0
    expect(Math.abs(dequantizeAffine([0], p)[0]! - -1)).toBeLessThanOrEqual(p.scale / 2);
  });

  it('a constant tensor decodes exactly', () => {
    const p = affineParams(0.3, 0.3, 'uint8');
    expect(Array.from(dequantizeAffine(quantizeAffine([0.3, 0.3], p), p))).toEqual([0.3, 0.3]);
  });
});

describe('float16', () => {
  it('hand values: 1, -2, 65504, the smallest subnormal, ties to even, overflow', () => {
    expect(float16Bits(1)).toBe(0x3c00);
    expect(float16Bits(-2)).toBe(0xc000);
    expect(float16Bits(65504)).toBe(0x7bff);
    expect(float16Bits(2 ** -24)).toBe(0x0001);
    expect(float16Bits(2 ** -26)).toBe(0x0000);
    // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even keeps 1
    expect(float16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(float16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(float16Bits(1e6)).toBe(0x7c00);
    expect(float16Value(0x3555)).toBeCloseTo(0.333251953125, 12);
  });

  it('round trip within float16 precision (relative 2^-11 for normals, 2^-25 absolute for subnormals)', () => {
    const values = new Float32Array([...randoms(4000, -3, 3, 9), ...randoms(1000, -1e-5, 1e-5, 4), 0, -0, 6e-8, 1000.5]);
    const back = fromFloat16(toFloat16(values));
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      expect(Math.abs(back[i]! - v)).toBeLessThanOrEqual(Math.max(Math.abs(v) * 2 ** -11, 2 ** -25));
    }
  });

  it('decodes like TF.js: a float16 manifest entry loads to the same floats', async () => {
    const values = randoms(300, -2, 2, 11);
    const half = toFloat16(values);
    const decoded = tf.io.decodeWeights(half.buffer as ArrayBuffer, [{ name: 'w', shape: [300], dtype: 'float32', quantization: { dtype: 'float16' } }]);
    expect(Array.from(await decoded.w!.data())).toEqual(Array.from(fromFloat16(half)));
    decoded.w!.dispose();
  });
});

describe('quantizeWeights', () => {
  it('keeps small and non-float tensors, reports each weight, refuses non-finite weights', () => {
    const big = randoms(400, -1, 1, 2);
    const small = randoms(10, -1, 1, 3);
    const ints = new Int32Array(300).fill(7);
    const data = new Uint8Array(400 * 4 + 10 * 4 + 300 * 4);
    data.set(new Uint8Array(big.buffer), 0);
    data.set(new Uint8Array(small.buffer), 1600);
    data.set(new Uint8Array(ints.buffer), 1640);
    const specs = [
      { name: 'k', shape: [20, 20], dtype: 'float32' },
      { name: 'b', shape: [10], dtype: 'float32' },
      { name: 'i', shape: [300], dtype: 'int32' },
    ];
    const q = quantizeWeights(specs, data, { dtype: 'uint8' });
    expect(q.weights.map((w) => [w.name, w.stored, w.skipped])).toEqual([
      ['k', 'uint8', undefined],
      ['b', 'float32', 'small'],
      ['i', 'int32', 'dtype'],
    ]);
    expect(q.weightData.length).toBe(400 + 40 + 1200);
    expect(q.weightSpecs[0]!.quantization).toEqual({ dtype: 'uint8', scale: q.weights[0]!.scale, min: q.weights[0]!.min });
    expect(q.weights[0]!.maxError).toBeLessThanOrEqual(q.weights[0]!.scale! / 2 + 1e-12);

    const bad = big.slice();
    bad[17] = NaN;
    const badData = data.slice();
    badData.set(new Uint8Array(bad.buffer), 0);
    expect(() => quantizeWeights(specs, badData, { dtype: 'uint8' })).toThrowError(/Weight "k" holds NaN at index 17/);
    expect(() => quantizeWeights(specs, data, { dtype: 'uint8', minElements: 1000 })).toThrowError(OptimizeError);
    expect(() => quantizeWeights(specs, data, { dtype: 'int4' as never })).toThrowError(/Unknown quantization dtype/);

    const huge = big.slice();
    huge[3] = 1e5;
    const hugeData = data.slice();
    hugeData.set(new Uint8Array(huge.buffer), 0);
    expect(() => quantizeWeights(specs, hugeData, { dtype: 'float16' })).toThrowError(/beyond float16's largest 65504/);
    // 8-bit has no such limit
    expect(quantizeWeights(specs, hugeData, { dtype: 'uint8' }).weights[0]!.stored).toBe('uint8');
  });
});

describe('quantizeBundle', () => {
  it('writes bundles that importBundle and tf.loadLayersModel load, predicting close to the original', async () => {
    const { model, zip } = await smallBundle(tf, 40, 64, ['a', 'b', 'c', 'd', 'e']);
    const x = tf.tensor2d(randoms(50 * 40, -2, 2, 5), [50, 40]);
    const original = await predict(tf, model, x, 16);
    const originalWeights = await Promise.all(model.getWeights().map((w) => w.data()));
    for (const dtype of ['float16', 'uint8', 'uint16'] as const) {
      const { zip: out, report, metadata } = quantizeBundle(zip, { dtype, createdAt: new Date(0) });
      // kernels (2560 and 320 values) quantized, biases (64 and 5 values) kept
      expect([report.quantized, report.kept]).toEqual([2, 2]);
      expect(report.notes[0]).toMatch(/dequantizes the weights to float32 when it loads/);
      expect(report.after.weightBytes).toBeLessThan(report.before.weightBytes);
      expect(metadata.lineage).toEqual({ projectId: 'p1', parentModelVersionId: 'mv-parent' });
      expect(metadata.optimization?.method).toBe('quantize');

      // the exact route the README gives: tf.loadLayersModel(tf.io.fromMemory(...))
      const b = readBundle(out);
      const loaded = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: b.modelJson.modelTopology, weightSpecs: b.weightSpecs as tfjs.io.WeightsManifestEntry[], weightData: b.weightData }));
      const viaImport = await importBundle(tf, out);
      const got = await predict(tf, loaded, x, 16);
      expect(await predict(tf, viaImport.model, x, 16)).toEqual(got);
      const tol = dtype === 'uint8' ? 0.02 : 1e-3;
      for (let i = 0; i < got.length; i++) expect(Math.abs(got[i]! - original[i]!)).toBeLessThan(tol);

      // every loaded weight within half a step of the original (float32 store adds at most one ulp)
      const weights = await Promise.all(loaded.getWeights().map((w) => w.data()));
      report.weights.forEach((w, k) => {
        const bound = w.stored === 'float16' ? null : w.scale ? w.scale / 2 : 0;
        for (let i = 0; i < weights[k]!.length; i++) {
          const v = originalWeights[k]![i]!;
          const err = Math.abs(weights[k]![i]! - v);
          if (bound === null) expect(err).toBeLessThanOrEqual(Math.max(Math.abs(v) * 2 ** -11, 2 ** -25));
          else expect(err).toBeLessThanOrEqual(bound + Math.abs(v) * 2 ** -23 + 1e-12);
        }
      });
      loaded.dispose();
      viaImport.model.dispose();
    }
    x.dispose();
    model.dispose();
  });

  it('refuses a bundle that is quantized already, and chains lineage through metadata', async () => {
    const { model, zip } = await smallBundle(tf);
    model.dispose();
    const once = quantizeBundle(zip, { dtype: 'uint8' }).zip;
    expect(() => quantizeBundle(once, { dtype: 'float16' })).toThrowError(/stored as uint8 already/);
    const meta = JSON.parse(strFromU8(unzipSync(once)['metadata.json']!)) as VariantMetadata;
    expect(meta.optimization!.settings).toEqual({ dtype: 'uint8', minElements: 256 });
    expect(strFromU8(unzipSync(once)['README.md']!)).toMatch(/How this variant was made[\s\S]*dequantizes/);
  });
});
