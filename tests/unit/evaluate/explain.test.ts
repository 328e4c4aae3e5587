import { describe, expect, it } from 'vitest';
import { EvalError } from '../../../src/core/evaluate/errors';
import type { PredictFn } from '../../../src/core/evaluate/explain';
import { kernelShap, solveLinear } from '../../../src/core/evaluate/kernel-shap';
import { accuracyScore, mseScore, permutationImportance } from '../../../src/core/evaluate/permutation';
import { columnStd, nearestCounterfactual, predictClasses, predictRow } from '../../../src/core/evaluate/what-if';
import { Rng } from '../../../src/core/math/random';

/** A plain-function model: f(row) -> outputs, applied row by row. */
function fnModel(d: number, f: (row: Float32Array) => number[]): PredictFn & { calls: number } {
  const predict = (async (x: Float32Array, n: number) => {
    predict.calls++;
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(...f(x.subarray(i * d, i * d + d)));
    return Float32Array.from(out);
  }) as PredictFn & { calls: number };
  predict.calls = 0;
  return predict;
}

function randomRows(n: number, d: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * d }, () => rng.next() * 2 - 1);
}

describe('permutation importance', () => {
  it('ranks the feature the model uses first and an ignored one at zero', async () => {
    // class 1 when x0 + 0.2 x1 > 0; x2 is ignored entirely
    const n = 400;
    const x = randomRows(n, 3, 1);
    const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
    const model = fnModel(3, (r) => {
      const p = sigmoid(10 * (r[0]! + 0.2 * r[1]!));
      return [1 - p, p];
    });
    const y = Array.from({ length: n }, (_, i) => (x[i * 3]! + 0.2 * x[i * 3 + 1]! > 0 ? 1 : 0));
    const r = await permutationImportance({ x, n, d: 3, predict: model, score: accuracyScore(y, 2), names: ['a', 'b', 'c'], repeats: 3, seed: 4 });
    expect(r.baseline).toBe(1);
    const [a, b, c] = r.features;
    expect(a!.importance).toBeGreaterThan(0.3);
    expect(b!.importance).toBeGreaterThan(0);
    expect(b!.importance).toBeLessThan(a!.importance);
    // the model never reads x2: shuffling it changes nothing
    expect(c!.importance).toBe(0);
    expect(c!.std).toBe(0);
    expect(c!.drops).toEqual([0, 0, 0]);
  });

  it('permutes a one-hot group together, subsamples rows, and handles lower-is-better scores', async () => {
    // y = 3 * x0 (regression); columns 1 and 2 form a group the model ignores
    const n = 300;
    const x = randomRows(n, 3, 2);
    const y = Array.from({ length: n }, (_, i) => 3 * x[i * 3]!);
    const model = fnModel(3, (r) => [3 * r[0]!]);
    const r = await permutationImportance({
      x,
      n,
      d: 3,
      predict: model,
      score: mseScore(y),
      direction: 'lower',
      features: [
        { name: 'x0', columns: [0] },
        { name: 'onehot', columns: [1, 2] },
      ],
      maxRows: 100,
      repeats: 2,
    });
    expect(r.rows).toBe(100);
    expect(r.baseline).toBeCloseTo(0, 10);
    // MSE after shuffling x0 is about 9 * 2 Var(x0) = 18 / 3 = 6 > 0: importance is positive
    expect(r.features[0]!.importance).toBeGreaterThan(2);
    expect(r.features[1]!.importance).toBe(0);
  });

  it('refuses features outside the columns', async () => {
    const model = fnModel(2, () => [0]);
    await expect(permutationImportance({ x: new Float32Array(4), n: 2, d: 2, predict: model, score: () => 0, features: [{ name: 'z', columns: [2] }] })).rejects.toThrow(EvalError);
    await expect(permutationImportance({ x: new Float32Array(3), n: 2, d: 2, predict: model, score: () => 0 })).rejects.toThrow(/Expected 2 x 2/);
  });
});

describe('KernelSHAP', () => {
  it('a linear model gets exactly w_i (x_i - E[x_i])', async () => {
    const w = [1, -2, 3, 0.5];
    const model = fnModel(4, (r) => [0.7 + w.reduce((s, wi, i) => s + wi * r[i]!, 0)]);
    const background = randomRows(8, 4, 3);
    const x = [0.5, 0.25, -0.75, 1];
    const mean = [0, 1, 2, 3].map((j) => Array.from({ length: 8 }, (_, b) => background[b * 4 + j]!).reduce((a, c) => a + c, 0) / 8);
    const r = await kernelShap({ predict: model, x, background });
    expect(r.exact).toBe(true);
    expect(r.coalitions).toBe(2 ** 4 - 2);
    // float32 model outputs limit the agreement to about 1e-6
    r.values.forEach((v, i) => expect(v).toBeCloseTo(w[i]! * (x[i]! - mean[i]!), 5));
  });

  it('an interaction splits evenly: f = x0 x1 against a zero background gives x0 x1 / 2 each', async () => {
    // v({}) = 0, v({0}) = 0, v({1}) = 0, v({0,1}) = x0 x1 -> φ0 = φ1 = x0 x1 / 2 = 3
    const model = fnModel(2, (r) => [r[0]! * r[1]!]);
    const r = await kernelShap({ predict: model, x: [2, 3], background: new Float32Array(2) });
    expect(r.values[0]).toBeCloseTo(3, 6);
    expect(r.values[1]).toBeCloseTo(3, 6);
    expect(r.expected).toBe(0);
    expect(r.fx).toBe(6);
  });

  it('exact Shapley values of a 3-feature nonlinear game by hand', async () => {
    // f = max(x0, x1) + x2^2 on x = (1, 1, 2), background 0: v(S) = [0 or 1 if S has 0 or 1] + [4 if 2 in S]
    // players 0 and 1 share the max: each 1/2; player 2: 4
    const model = fnModel(3, (r) => [Math.max(r[0]!, r[1]!) + r[2]! ** 2]);
    const r = await kernelShap({ predict: model, x: [1, 1, 2], background: new Float32Array(3) });
    expect(Array.from(r.values).map((v) => Number(v.toFixed(9)))).toEqual([0.5, 0.5, 4]);
  });

  it('values sum to f(x) - E[f] within 1e-6, exact and sampled (20 features)', async () => {
    const d = 20;
    const wrng = new Rng(9);
    const w1 = Array.from({ length: d * 4 }, () => wrng.next() * 2 - 1);
    // a small nonlinear net: 4 tanh units, then a sigmoid
    const net = (r: Float32Array) => {
      let z = 0;
      for (let h = 0; h < 4; h++) {
        let a = 0;
        for (let j = 0; j < d; j++) a += w1[h * d + j]! * r[j]!;
        z += (h % 2 ? -1 : 1) * Math.tanh(a);
      }
      return [1 / (1 + Math.exp(-z))];
    };
    const model = fnModel(d, net);
    const background = randomRows(20, d, 10);
    const x = Array.from(randomRows(1, d, 11));
    const r = await kernelShap({ predict: model, x, background, samples: 600, seed: 1 });
    expect(r.exact).toBe(false);
    expect(r.values).toHaveLength(d);
    const sum = r.values.reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - (r.fx - r.expected))).toBeLessThan(1e-6);
    expect(r.fx).toBeCloseTo(net(Float32Array.from(x))[0]!, 6);

    // six features: every coalition, still additive; grouped features too
    const small = fnModel(6, (row) => [Math.sin(row[0]! * row[1]!) + row[2]! * row[3]! * row[4]! + Math.exp(row[5]!)]);
    const bg6 = randomRows(10, 6, 12);
    const x6 = [0.3, -0.9, 0.5, 0.8, -0.2, 0.6];
    const e6 = await kernelShap({ predict: small, x: x6, background: bg6 });
    expect(e6.exact).toBe(true);
    expect(Math.abs(e6.values.reduce((a, b) => a + b, 0) - (e6.fx - e6.expected))).toBeLessThan(1e-6);
    const grouped = await kernelShap({
      predict: small,
      x: x6,
      background: bg6,
      features: [
        { name: 'a', columns: [0, 1] },
        { name: 'b', columns: [2, 3, 4] },
        { name: 'c', columns: [5] },
      ],
    });
    expect(grouped.names).toEqual(['a', 'b', 'c']);
    expect(Math.abs(grouped.values.reduce((a, b) => a + b, 0) - (grouped.fx - grouped.expected))).toBeLessThan(1e-6);
    // the three groups do not interact, so each group's value is its own term's change: a alone
    const term = (r: number[]) => Math.sin(r[0]! * r[1]!);
    const expectedA = term(x6) - Array.from({ length: 10 }, (_, b) => term(Array.from(bg6.subarray(b * 6, b * 6 + 6)))).reduce((s, v) => s + v, 0) / 10;
    expect(grouped.values[0]).toBeCloseTo(expectedA, 5);
  });

  it('sampling approaches the exact values on 12 features', async () => {
    const d = 12;
    const model = fnModel(d, (r) => [Math.tanh(r[0]! + r[1]! * r[2]!) + 0.5 * r[3]! * r[4]! + r.slice(5).reduce((a, b) => a + 0.2 * b, 0)]);
    const background = randomRows(10, d, 20);
    const x = Array.from(randomRows(1, d, 21));
    const exact = await kernelShap({ predict: model, x, background, exactLimit: 12 });
    const sampled = await kernelShap({ predict: model, x, background, samples: 1500, seed: 2 });
    expect(exact.exact).toBe(true);
    expect(exact.coalitions).toBe(2 ** 12 - 2);
    expect(sampled.exact).toBe(false);
    const maxErr = Math.max(...Array.from(exact.values, (v, i) => Math.abs(v - sampled.values[i]!)));
    const scale = Math.max(...Array.from(exact.values, Math.abs));
    expect(maxErr / scale).toBeLessThan(0.1);
  });

  it('checks its inputs', async () => {
    const model = fnModel(2, (r) => [r[0]!]);
    await expect(kernelShap({ predict: model, x: [1, 2], background: new Float32Array(3) })).rejects.toThrow(EvalError);
    await expect(kernelShap({ predict: model, x: [1, 2], background: new Float32Array(2), output: 1 })).rejects.toThrow(/Output 1/);
    // a model that returns the wrong number of values
    const bad: PredictFn = async (_x, n) => new Float32Array(n === 1 ? 1 : n + 1);
    await expect(kernelShap({ predict: bad, x: [1, 2], background: new Float32Array(4) })).rejects.toThrow(/returned 3 values for 2 rows/);
    // one feature: all of f(x) - E[f]
    const one = await kernelShap({ predict: fnModel(1, (r) => [2 * r[0]!]), x: [3], background: Float32Array.of(1) });
    expect(Array.from(one.values)).toEqual([4]);
  });

  it('subsamples a large background, seeded', async () => {
    const model = fnModel(3, (r) => [r[0]! + 2 * r[1]! * r[2]!]);
    const background = randomRows(1000, 3, 30);
    const a = await kernelShap({ predict: model, x: [1, 1, 1], background, maxBackground: 50, seed: 3 });
    const b = await kernelShap({ predict: model, x: [1, 1, 1], background, maxBackground: 50, seed: 3 });
    expect(a.backgroundRows).toBe(50);
    expect(a.evaluations).toBe(1 + 50 + 6 * 50);
    expect(Array.from(a.values)).toEqual(Array.from(b.values));
    // the mean of 50 uniform(-1, 1) rows of x0 is near 0, so φ0 = 1 - mean ≈ 1
    expect(a.values[0]).toBeGreaterThan(0.7);
    expect(a.values[0]).toBeLessThan(1.3);
  });

  it('solveLinear solves and zeroes a variable with no pivot', () => {
    // [[2, 1], [1, 3]] z = [3, 5] -> z = [0.8, 1.4]
    const z = solveLinear(Float64Array.of(2, 1, 1, 3), Float64Array.of(3, 5), 2);
    expect(z[0]).toBeCloseTo(0.8, 12);
    expect(z[1]).toBeCloseTo(1.4, 12);
    const s = solveLinear(Float64Array.of(1, 0, 0, 0), Float64Array.of(2, 0), 2);
    expect(Array.from(s)).toEqual([2, 0]);
  });
});

describe('What-If', () => {
  it('predicts an edited row', async () => {
    const model = fnModel(2, (r) => [r[0]! + r[1]!]);
    expect(Array.from(await predictRow(model, [1, 2]))).toEqual([3]);
    expect(Array.from(await predictRow(model, [1, 5]))).toEqual([6]);
  });

  it('finds the nearest example predicted differently (standardized L1 and L2)', async () => {
    // rows (x0, x1); class = x0 > 0. x1 has 10x the spread of x0, so standardizing matters.
    const x = Float32Array.of(-1, 0, 1, 10, 2, -10, 0.5, 40, -2, 0);
    const model = fnModel(2, (r) => (r[0]! > 0 ? [0, 1] : [1, 0]));
    const classes = await predictClasses(model, x, 5, 2);
    expect(Array.from(classes)).toEqual([0, 1, 1, 1, 0]);
    // std: x0 values -1 1 2 .5 -2 -> mean .1, var (1.21 + .81 + 3.61 + .16 + 4.41) / 5 = 2.04
    expect(columnStd(x, 5, 2)[0]).toBeCloseTo(Math.sqrt(2.04), 6);
    const query = [-1, 0];
    const cf = nearestCounterfactual(x, 2, classes, query, 0)!;
    // candidates rows 1, 2, 3: row 1 (1, 10) is the nearest once x1 is scaled down
    expect(cf.index).toBe(1);
    expect(cf.predictedClass).toBe(1);
    expect(cf.changes).toEqual([
      { column: 0, from: -1, to: 1 },
      { column: 1, from: 0, to: 10 },
    ]);
    // unscaled (scale 1), row 3 (0.5, 40) is far; row 1 L1 = 2 + 10 = 12, row 2 L1 = 3 + 10 = 13
    const raw = nearestCounterfactual(x, 2, classes, query, 0, { scale: [1, 1], metric: 'l2' })!;
    expect(raw.index).toBe(1);
    expect(raw.distance).toBeCloseTo(Math.sqrt(4 + 100), 6);
    // ignoring x1, row 3 (x0 = .5) is the nearest: |.5 - -1| = 1.5
    expect(nearestCounterfactual(x, 2, classes, query, 0, { ignore: [1], scale: [1, 1] })!.index).toBe(3);
    // nothing predicted differently
    expect(nearestCounterfactual(x, 2, new Int32Array(5), query, 0)).toBeNull();
    expect(() => nearestCounterfactual(x, 2, classes, [1], 0)).toThrow(EvalError);
  });
});
