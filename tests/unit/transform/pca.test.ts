/** PCA against numpy: biased covariance, eigenvectors by decreasing eigenvalue, largest component positive. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/math/random';
import { symmetricEigen } from '../../../src/core/transform/eigen';
import { applyToRows } from '../../../src/core/transform/reader.js';
import { fitRows } from './helpers';

// Computed with numpy 2.4 (x as below): u = x.mean(0); cov = x.T @ x / n - outer(u, u) (equal to
// np.cov(x.T, bias=True)); vals, vecs = np.linalg.eigh(cov), sorted by decreasing vals, each column's sign
// flipped so its largest-magnitude entry is positive; M = vecs[:, :2].
const X = [
  [2.5, 2.4, 1.0],
  [0.5, 0.7, 0.0],
  [2.2, 2.9, 1.0],
  [1.9, 2.2, 0.0],
  [3.1, 3.0, 1.0],
  [2.3, 2.7, 1.0],
  [2.0, 1.6, 0.0],
  [1.0, 1.1, 0.0],
  [1.5, 1.6, 1.0],
  [1.1, 0.9, 0.0],
];
const NUMPY_VARIANCES = [1.3051092861930549, 0.10583035176444763];
const NUMPY_COMPONENTS = [
  [0.6304395310945664, 0.6916819880703999, 0.35230955850252227],
  [-0.4365682791149807, -0.05933751207103699, 0.8977122018396562],
];
const NUMPY_ROW0 = [3.5884451576078984, -0.3361185249182843]; // x[0] @ M
const NUMPY_ROW0_CENTERED = [0.950082229861008, 0.1185486074156833]; // (x[0] - u) @ M

const rows = X.map(([a, b, c]) => ({ a, b, c }));
const columns = ['a', 'b', 'c'].map((name) => ({ name, type: 'number' as const }));
const spec = (center: boolean) => ({ steps: [{ name: 'p', op: 'pca', inputs: ['a', 'b', 'c'], params: { output_dim: 2, center } }] });

function expectClose(actual: number[][] | number[], expected: number[][] | number[], digits = 12): void {
  expect(actual.flat().length).toBe(expected.flat().length);
  actual.flat().forEach((v, i) => expect(v).toBeCloseTo(expected.flat()[i]!, digits));
}

describe('pca', () => {
  it("matches numpy's components and variances, and projects x · M as tf.Transform (center: (x - mean) · M)", async () => {
    const fitted = await fitRows(spec(false), rows, columns, 3);
    const state = fitted.steps[0]!.state as { components: number[][]; variances: number[]; mean: null };
    expectClose(state.variances, NUMPY_VARIANCES);
    expectClose(state.components, NUMPY_COMPONENTS);
    expect(state.mean).toBeNull();
    expectClose(applyToRows(fitted, rows.slice(0, 1)).outputs[0]!.p as number[], NUMPY_ROW0);
    const centered = await fitRows(spec(true), rows, columns);
    expectClose(applyToRows(centered, rows.slice(0, 1)).outputs[0]!.p as number[], NUMPY_ROW0_CENTERED);
    expect(fitted.features.dim).toBe(2);
  });

  it('flattens index inputs one-hot, and without rows gives identity components (tf.Transform)', async () => {
    const oneHot = await fitRows(
      { steps: [{ name: 'a_bucket', op: 'bucketize', inputs: ['a'], params: { num_buckets: 2 }, output: false }, { name: 'p', op: 'pca', inputs: ['a_bucket'], params: { output_dim: 1 } }] },
      rows,
      columns,
    );
    // a's boundary is 2.0 (the 6th of 10 sorted values): 5 rows in bucket 0, 5 in bucket 1; the one-hot
    // pair has covariance [[.25, -.25], [-.25, .25]]: eigenvalue 0.5 on (1, -1)/√2, sign by the first entry
    const state = oneHot.steps[1]!.state as { components: number[][]; variances: number[]; inputSize: number };
    expect(state.inputSize).toBe(2);
    expectClose(state.variances, [0.5]);
    expectClose(state.components, [[Math.SQRT1_2, -Math.SQRT1_2]]);
    const empty = await fitRows(spec(false), [{ a: null, b: 1, c: 1 }], columns);
    expect(empty.steps[0]!.state.components).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
  });

  it('symmetricEigen gives each eigenvector its largest-magnitude component positive (a deterministic sign)', () => {
    const rng = new Rng(3);
    for (let trial = 0; trial < 20; trial++) {
      const n = 5;
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = rng.next() * 2 - 1;
      const { vectors } = symmetricEigen(a, n);
      for (let j = 0; j < n; j++) {
        const v = Array.from(vectors.subarray(j * n, (j + 1) * n));
        const largest = v.reduce((best, x) => (Math.abs(x) > Math.abs(best) ? x : best), 0);
        expect(largest).toBeGreaterThan(0);
      }
    }
  });

  it('symmetricEigen orders eigenvalues decreasingly and returns orthonormal eigenvectors', () => {
    const n = 4;
    const a = new Float64Array([4, 1, 2, 0.5, 1, 3, 0, 1, 2, 0, 5, 1, 0.5, 1, 1, 2]);
    const { values, vectors } = symmetricEigen(a, n);
    for (let j = 0; j < n; j++) {
      if (j > 0) expect(values[j]!).toBeLessThanOrEqual(values[j - 1]!);
      for (let i = 0; i < n; i++) {
        // A v = λ v, row i
        let av = 0;
        for (let k = 0; k < n; k++) av += a[i * n + k]! * vectors[j * n + k]!;
        expect(av).toBeCloseTo(values[j]! * vectors[j * n + i]!, 12);
      }
      for (let k = 0; k < n; k++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += vectors[j * n + i]! * vectors[k * n + i]!;
        expect(dot).toBeCloseTo(j === k ? 1 : 0, 12);
      }
    }
  });
});
