/**
 * The small model behind the wrapper and embedded methods and the comparison table, trained in plain
 * TypeScript on the train rows of some matrix columns:
 *  - classification: multinomial logistic regression with an L2 penalty, as scikit-learn's
 *    LogisticRegression(C, multi_class='multinomial', solver='lbfgs'): minimizes C Σ cross-entropy + ½‖W‖²
 *    (intercepts not penalized) by L-BFGS (core/math/lbfgs.ts). Two classes use the same softmax, so
 *    W₀ = -W₁ and P(class 1) = sigmoid(2 W₁·x + b₁ - b₀);
 *  - regression: ridge regression, as sklearn's Ridge(alpha): minimizes ‖y - Xw - b‖² + alpha ‖w‖², solved
 *    exactly (Cholesky).
 * The inputs are standardized first with the train rows' mean and population standard deviation (a
 * constant column keeps scale 1), as a StandardScaler in front of the model would: coefficients are then
 * comparable across features, which recursive elimination and the L1 selection rely on. Training starts
 * from zero (or from a given model's weights, which only saves iterations: the optimum is unique), so the
 * same data give the same model.
 */
import { minimizeLbfgs } from '../math/lbfgs';
import { pick, type Part, type PreparedSelection, type Task } from './data';
import { checkOption } from './errors';

export interface ModelOptions {
  /** Inverse L2 strength of the logistic regression (sklearn's C, default 1). */
  C?: number;
  /** L2 strength of the ridge regression (sklearn's alpha, default 1). */
  alpha?: number;
  /** L-BFGS iterations at most (default 500). */
  maxIterations?: number;
  /** Largest gradient component of C Σ loss + ½‖W‖², divided by C n, accepted as converged (default 1e-6). */
  tolerance?: number;
}

export interface LinearModel {
  task: Task;
  /** The matrix columns it reads, in this order. */
  columns: number[];
  /** Train-row mean and standard deviation of each of its columns. */
  mean: Float64Array;
  scale: Float64Array;
  /** Classes (classification) or 1. */
  outputs: number;
  /** outputs x columns.length, row-major, on standardized inputs. */
  weights: Float64Array;
  bias: Float64Array;
}

export function checkModelOptions(o: ModelOptions): void {
  if (o.C !== undefined) checkOption(o.C > 0 && Number.isFinite(o.C), 'C', o.C, 'must be a positive number');
  if (o.alpha !== undefined) checkOption(o.alpha >= 0 && Number.isFinite(o.alpha), 'alpha', o.alpha, 'must be at least 0');
  if (o.maxIterations !== undefined) checkOption(Number.isInteger(o.maxIterations) && o.maxIterations >= 1, 'maxIterations', o.maxIterations, 'must be a whole number, at least 1');
  if (o.tolerance !== undefined) checkOption(o.tolerance > 0, 'tolerance', o.tolerance, 'must be positive');
}

/** Standardized train inputs of some columns, with the mean and scale used. */
export function standardize(p: PreparedSelection, columns: readonly number[]): { z: Float64Array; mean: Float64Array; scale: Float64Array } {
  const m = columns.length;
  const n = p.train.n;
  const z = pick(p.train, p.d, columns);
  const mean = new Float64Array(m);
  const scale = new Float64Array(m);
  for (let c = 0; c < m; c++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += z[i * m + c]!;
    mean[c] = sum / n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (z[i * m + c]! - mean[c]!) ** 2;
    scale[c] = Math.sqrt(ss / n) || 1;
    for (let i = 0; i < n; i++) z[i * m + c] = (z[i * m + c]! - mean[c]!) / scale[c]!;
  }
  return { z, mean, scale };
}

/** Train the small model on the train rows of these matrix columns (none: the intercept alone). */
export function fitModel(p: PreparedSelection, columns: readonly number[], options: ModelOptions = {}, warm?: LinearModel): LinearModel {
  const { z, mean, scale } = standardize(p, columns);
  const base = { task: p.task, columns: [...columns], mean, scale };
  if (p.task === 'regression') return { ...base, outputs: 1, ...fitRidge(z, p.train.y, columns.length, options.alpha ?? 1) };
  const start = warm ? warmStart(warm, columns, p.classes) : undefined;
  return { ...base, outputs: p.classes, ...fitLogistic(z, p.train.y, columns.length, p.classes, options, start) };
}

/** The parameter vector [W, b] of `warm` laid out for `columns` (columns it lacks start at 0). */
function warmStart(warm: LinearModel, columns: readonly number[], k: number): Float64Array {
  const m = columns.length;
  const theta = new Float64Array(k * (m + 1));
  const at = new Map(warm.columns.map((c, i) => [c, i]));
  for (let c = 0; c < k; c++) {
    columns.forEach((col, j) => {
      const i = at.get(col);
      if (i !== undefined) theta[c * m + j] = warm.weights[c * warm.columns.length + i]!;
    });
    theta[k * m + c] = warm.bias[c]!;
  }
  return theta;
}

/** Softmax cross-entropy summed over rows, divided by n, plus ‖W‖² / (2 C n); its gradient into `grad` when given. */
export function logisticObjective(z: Float64Array, y: Float64Array, m: number, k: number, C: number) {
  const n = y.length;
  const logits = new Float64Array(k);
  return (theta: Float64Array, grad?: Float64Array): number => {
    grad?.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let c = 0; c < k; c++) {
        let v = theta[k * m + c]!;
        for (let j = 0; j < m; j++) v += theta[c * m + j]! * z[i * m + j]!;
        logits[c] = v;
        if (v > max) max = v;
      }
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.exp(logits[c]! - max);
      const logSum = max + Math.log(sum);
      loss += logSum - logits[y[i]!]!;
      if (!grad) continue;
      for (let c = 0; c < k; c++) {
        const diff = Math.exp(logits[c]! - logSum) - (c === y[i] ? 1 : 0);
        for (let j = 0; j < m; j++) grad[c * m + j]! += diff * z[i * m + j]!;
        grad[k * m + c]! += diff;
      }
    }
    const penalty = 1 / (C * n);
    let norm2 = 0;
    for (let q = 0; q < k * m; q++) norm2 += theta[q]! ** 2;
    if (grad) for (let q = 0; q < grad.length; q++) grad[q] = grad[q]! / n + (q < k * m ? penalty * theta[q]! : 0);
    return loss / n + 0.5 * penalty * norm2;
  };
}

function fitLogistic(z: Float64Array, y: Float64Array, m: number, k: number, o: ModelOptions, start?: Float64Array): { weights: Float64Array; bias: Float64Array } {
  const objective = logisticObjective(z, y, m, k, o.C ?? 1);
  const { x } = minimizeLbfgs(objective, start ?? new Float64Array(k * (m + 1)), { tolerance: o.tolerance ?? 1e-6, maxIterations: o.maxIterations ?? 500 });
  return { weights: x.slice(0, k * m), bias: x.slice(k * m) };
}

/** Ridge on centred (standardized) inputs: (Z'Z + alpha I) w = Z'(y - ȳ), intercept ȳ. */
function fitRidge(z: Float64Array, y: Float64Array, m: number, alpha: number): { weights: Float64Array; bias: Float64Array } {
  const n = y.length;
  let yMean = 0;
  for (let i = 0; i < n; i++) yMean += y[i]!;
  yMean /= n;
  const a = new Float64Array(m * m);
  const rhs = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const r = y[i]! - yMean;
    for (let p = 0; p < m; p++) {
      const zp = z[i * m + p]!;
      rhs[p]! += zp * r;
      for (let q = 0; q <= p; q++) a[p * m + q]! += zp * z[i * m + q]!;
    }
  }
  // a constant column is all zeros after centring: a tiny ridge keeps the system solvable (its weight is 0)
  for (let p = 0; p < m; p++) a[p * m + p]! += alpha > 0 ? alpha : 1e-12;
  return { weights: solveCholesky(a, rhs, m), bias: Float64Array.of(yMean) };
}

/** Solve A w = b for a symmetric positive definite A given by its lower triangle (row-major). */
function solveCholesky(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const l = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * m + j]!;
      for (let q = 0; q < j; q++) sum -= l[i * m + q]! * l[j * m + q]!;
      l[i * m + j] = i === j ? Math.sqrt(Math.max(sum, 1e-300)) : sum / l[j * m + j]!;
    }
  }
  const w = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let sum = b[i]!;
    for (let q = 0; q < i; q++) sum -= l[i * m + q]! * w[q]!;
    w[i] = sum / l[i * m + i]!;
  }
  for (let i = m - 1; i >= 0; i--) {
    let sum = w[i]!;
    for (let q = i + 1; q < m; q++) sum -= l[q * m + i]! * w[q]!;
    w[i] = sum / l[i * m + i]!;
  }
  return w;
}

/** Class probabilities (n x classes, row-major) or predicted values (n) for the rows of a part. */
export function predictModel(model: LinearModel, part: Part, d: number): Float64Array {
  const m = model.columns.length;
  const k = model.outputs;
  const out = new Float64Array(part.n * k);
  const row = new Float64Array(m);
  for (let i = 0; i < part.n; i++) {
    for (let j = 0; j < m; j++) row[j] = (part.x[i * d + model.columns[j]!]! - model.mean[j]!) / model.scale[j]!;
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      let v = model.bias[c]!;
      for (let j = 0; j < m; j++) v += model.weights[c * m + j]! * row[j]!;
      out[i * k + c] = v;
      if (v > max) max = v;
    }
    if (model.task === 'regression') continue;
    let sum = 0;
    for (let c = 0; c < k; c++) sum += out[i * k + c] = Math.exp(out[i * k + c]! - max);
    for (let c = 0; c < k; c++) out[i * k + c]! /= sum;
  }
  return out;
}

/**
 * How much each matrix column of the model counts: Σ over outputs of its squared standardized weight
 * (sklearn's RFE with importance_getter 'auto', transform 'square').
 */
export function squaredWeights(model: LinearModel): Float64Array {
  const m = model.columns.length;
  const out = new Float64Array(m);
  for (let c = 0; c < model.outputs; c++) for (let j = 0; j < m; j++) out[j]! += model.weights[c * m + j]! ** 2;
  return out;
}
