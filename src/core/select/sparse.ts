/**
 * L1-regularized linear models on standardized inputs (the same standardization as linear.ts):
 *  - regression: the Lasso, as scikit-learn's Lasso(alpha): minimizes ‖y - Xw - b‖² / (2n) + alpha ‖w‖₁ by
 *    cyclic coordinate descent (Friedman, Hastie & Tibshirani 2010), each weight soft-thresholded in turn;
 *  - classification: multinomial logistic regression with an L1 penalty, sklearn's LogisticRegression(
 *    penalty='l1', C, multi_class='multinomial'): minimizes C Σ cross-entropy + ‖W‖₁ (intercepts not
 *    penalized) by FISTA (Beck & Teboulle 2009) with backtracking and a restart whenever the objective
 *    rises (O'Donoghue & Candès 2015); the soft-thresholding step sets weights exactly to zero.
 * `l1PathSteps` fits a path of strengths from the smallest one that keeps every weight at zero down to a
 * thousandth of it (sklearn's alpha grid, eps = 1e-3), each fit starting from the previous one.
 */
import { logisticObjective, standardize, type LinearModel } from './linear';
import type { PreparedSelection } from './data';

export interface SparseOptions {
  maxIterations?: number;
  /** Coordinate descent: the largest weight change of a sweep (default 1e-7); FISTA: the largest component of the gradient mapping (default 1e-5). */
  tolerance?: number;
}

const softThreshold = (v: number, t: number) => (v > t ? v - t : v < -t ? v + t : 0);

/** Lasso by coordinate descent on column-major standardized inputs; `w` is updated in place. */
function lassoDescent(zc: Float64Array, y: Float64Array, m: number, alpha: number, w: Float64Array, o: SparseOptions): void {
  const n = y.length;
  const norms = new Float64Array(m);
  for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) norms[j]! += zc[j * n + i]! ** 2 / n;
  let yMean = 0;
  for (let i = 0; i < n; i++) yMean += y[i]!;
  yMean /= n;
  const residual = y.map((v) => v - yMean);
  for (let j = 0; j < m; j++) if (w[j] !== 0) for (let i = 0; i < n; i++) residual[i]! -= zc[j * n + i]! * w[j]!;
  const tolerance = o.tolerance ?? 1e-7;
  for (let sweep = 0; sweep < (o.maxIterations ?? 10_000); sweep++) {
    let largest = 0;
    for (let j = 0; j < m; j++) {
      if (norms[j] === 0) continue; // a constant column: its weight stays 0
      let rho = 0;
      for (let i = 0; i < n; i++) rho += zc[j * n + i]! * residual[i]!;
      const next = softThreshold(rho / n + norms[j]! * w[j]!, alpha) / norms[j]!;
      const change = next - w[j]!;
      if (change !== 0) {
        for (let i = 0; i < n; i++) residual[i]! -= zc[j * n + i]! * change;
        w[j] = next;
        largest = Math.max(largest, Math.abs(change));
      }
    }
    if (largest <= tolerance) return;
  }
}

/** L1 multinomial logistic regression by FISTA; `theta` ([W, b], as linear.ts) is updated in place. */
function l1Logistic(z: Float64Array, y: Float64Array, m: number, k: number, C: number, theta: Float64Array, o: SparseOptions): void {
  const n = y.length;
  const loss = logisticObjective(z, y, m, k, Infinity);
  const lambda = 1 / (C * n);
  const penalized = k * m;
  const size = theta.length;
  const l1 = (v: Float64Array) => {
    let s = 0;
    for (let q = 0; q < penalized; q++) s += Math.abs(v[q]!);
    return lambda * s;
  };
  const grad = new Float64Array(size);
  const next = new Float64Array(size);
  let point = Float64Array.from(theta);
  let t = 1;
  // the loss's curvature is at most ½ λmax([Z 1]'[Z 1] / n) (softmax's Hessian is below ½ I): a first step size
  let lipschitz = 0.5 * largestEigenvalue(z, n, m);
  let objective = loss(theta) + l1(theta);
  const tolerance = o.tolerance ?? 1e-5;
  for (let iteration = 0; iteration < (o.maxIterations ?? 5000); iteration++) {
    const at = loss(point, grad);
    let nextLoss: number;
    // try a longer step each time: the bound is global, the curvature near the optimum is often far below it
    lipschitz *= 0.8;
    for (;;) {
      let model = at;
      for (let q = 0; q < size; q++) {
        const v = point[q]! - grad[q]! / lipschitz;
        next[q] = q < penalized ? softThreshold(v, lambda / lipschitz) : v;
        const step = next[q]! - point[q]!;
        model += grad[q]! * step + (lipschitz / 2) * step * step;
      }
      nextLoss = loss(next);
      if (nextLoss <= model + 1e-12 * Math.abs(model)) break;
      lipschitz *= 2;
    }
    let mapping = 0;
    for (let q = 0; q < size; q++) mapping = Math.max(mapping, Math.abs(next[q]! - point[q]!) * lipschitz);
    const nextObjective = nextLoss + l1(next);
    if (nextObjective > objective) {
      // a plain proximal step cannot rise but by rounding: converged
      if (t === 1) return;
      // momentum overshot: restart from the last iterate without it
      t = 1;
      point = Float64Array.from(theta);
      continue;
    }
    const tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
    for (let q = 0; q < size; q++) {
      point[q] = next[q]! + ((t - 1) / tNext) * (next[q]! - theta[q]!);
      theta[q] = next[q]!;
    }
    t = tNext;
    objective = nextObjective;
    if (mapping <= tolerance) return;
  }
}

/** λmax of [Z 1]'[Z 1] / n by power iteration (an upper estimate is all a first step size needs). */
function largestEigenvalue(z: Float64Array, n: number, m: number): number {
  let v = new Float64Array(m + 1).fill(1 / Math.sqrt(m + 1));
  let lambda = 1;
  for (let iteration = 0; iteration < 30; iteration++) {
    const next = new Float64Array(m + 1);
    for (let i = 0; i < n; i++) {
      let dot = v[m]!;
      for (let j = 0; j < m; j++) dot += z[i * m + j]! * v[j]!;
      for (let j = 0; j < m; j++) next[j]! += (z[i * m + j]! * dot) / n;
      next[m]! += dot / n;
    }
    const norm = Math.sqrt(next.reduce((a, x) => a + x * x, 0));
    if (!(norm > 0)) return 1;
    const change = Math.abs(norm - lambda);
    lambda = norm;
    v = next.map((x) => x / norm);
    if (change < 1e-3 * lambda) break;
  }
  return lambda;
}

export interface PathPoint {
  /** Lasso's alpha, or the logistic regression's C. */
  strength: number;
  model: LinearModel;
}

export type PathOptions = SparseOptions & {
  /** Strengths on the grid (default 20). */
  points?: number;
  /** These strengths instead of the grid: alpha (regression) or C (classification). */
  strengths?: readonly number[];
};

/** Models along a path of L1 strengths, strongest first, one at a time (a caller can stop between them). */
export function* l1PathSteps(p: PreparedSelection, columns: readonly number[], options: PathOptions = {}): Generator<PathPoint, void> {
  const { z, mean, scale } = standardize(p, columns);
  const m = columns.length;
  const n = p.train.n;
  const k = p.task === 'classification' ? p.classes : 1;
  // the largest |gradient| of the loss with respect to a weight at W = 0 (intercepts fitted): above it, all weights are 0
  const gradAtZero = new Float64Array(k * m);
  for (let i = 0; i < n; i++) {
    const yi = p.train.y[i]!;
    for (let j = 0; j < m; j++) {
      if (p.task === 'regression') gradAtZero[j]! += (z[i * m + j]! * yi) / n;
      else gradAtZero[yi * m + j]! += z[i * m + j]! / n;
    }
  }
  const largest = gradAtZero.reduce((a, v) => Math.max(a, Math.abs(v)), 0) || 1;
  const points = options.points ?? 20;
  const lambdas = options.strengths
    ? options.strengths.map((s) => (p.task === 'regression' ? s : 1 / (s * n)))
    : Array.from({ length: points }, (_, i) => largest * 10 ** ((-3 * i) / Math.max(1, points - 1)));
  const base = { task: p.task, columns: [...columns], mean, scale };
  if (p.task === 'regression') {
    const zc = new Float64Array(n * m);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) zc[j * n + i] = z[i * m + j]!;
    const w = new Float64Array(m);
    const bias = Float64Array.of(p.train.y.reduce((a, v) => a + v, 0) / n);
    for (const alpha of lambdas) {
      lassoDescent(zc, p.train.y, m, alpha, w, options);
      yield { strength: alpha, model: { ...base, outputs: 1, weights: w.slice(), bias } };
    }
    return;
  }
  const theta = new Float64Array(k * (m + 1));
  for (const lambda of lambdas) {
    const C = 1 / (lambda * n);
    l1Logistic(z, p.train.y, m, k, C, theta, options);
    yield { strength: C, model: { ...base, outputs: k, weights: theta.slice(0, k * m), bias: theta.slice(k * m) } };
  }
}

/** The whole path at once. */
export function l1Path(p: PreparedSelection, columns: readonly number[], options: PathOptions = {}): PathPoint[] {
  return [...l1PathSteps(p, columns, options)];
}
