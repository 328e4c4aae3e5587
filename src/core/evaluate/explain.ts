/**
 * Explanations. Model-agnostic ones take a `predict(x, n)` function (n rows of d features in, n x outputs
 * out), so a TF.js model in a worker, a remote model or a plain function in a test all fit:
 *  - permutation feature importance (Breiman 2001; Fisher et al. 2019): how much a metric drops when a
 *    feature's column (or a one-hot group of columns, permuted together) is shuffled across rows;
 *  - KernelSHAP (Lundberg & Lee 2017): Shapley values from a weighted least squares fit over feature
 *    coalitions, with the efficiency constraint eliminated exactly so the values add up to f(x) - E[f];
 *  - What-If helpers: predict an edited row, find the nearest example predicted differently.
 * Gradient ones need the TF.js model itself:
 *  - integrated gradients (Sundararajan et al. 2017), with the completeness check;
 *  - saliency maps (Simonyan et al. 2013): |d score / d pixel|, max over channels.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { mixSeed, Rng } from '../math/random';
import { argmaxRows } from '../model/metrics';
import type { TF } from '../model/model-spec';
import { permutation } from '../model/split';
import { EvalError } from './errors';
import type { Direction } from './slices';

/** n rows of d features, row-major, in; n x outputs values, row-major, out. */
export type PredictFn = (x: Float32Array, n: number) => Promise<Float32Array>;

/** A feature as the person sees it: one column, or the columns of a one-hot (or other multi-column) encoding. */
export interface FeatureGroup {
  name: string;
  columns: number[];
}

function defaultGroups(d: number, names?: readonly string[]): FeatureGroup[] {
  return Array.from({ length: d }, (_, j) => ({ name: names?.[j] ?? `x${j}`, columns: [j] }));
}

function checkGroups(groups: readonly FeatureGroup[], d: number): void {
  for (const g of groups) {
    if (g.columns.length === 0 || g.columns.some((c) => !Number.isInteger(c) || c < 0 || c >= d)) {
      throw new EvalError('bad-option', { column: g.name, params: { d } }, `Feature "${g.name}" must name columns between 0 and ${d - 1}`);
    }
  }
}

function checkRows(x: Float32Array, n: number, d: number, what: string): void {
  if (x.length !== n * d) {
    throw new EvalError('input-mismatch', { params: { what, expected: n * d, actual: x.length } }, `Expected ${n} x ${d} = ${n * d} values of ${what}, got ${x.length}`);
  }
}

/** Outputs per row that a predict function returned for n rows. */
function outputsPerRow(out: Float32Array, n: number): number {
  const k = out.length / n;
  if (!Number.isInteger(k) || k < 1) {
    throw new EvalError('input-mismatch', { params: { rows: n, values: out.length } }, `The model returned ${out.length} values for ${n} rows`);
  }
  return k;
}

/* ───────────────────────────── permutation importance ───────────────────────────── */

export interface PermutationOptions {
  /** n x d features, row-major. */
  x: Float32Array;
  n: number;
  d: number;
  predict: PredictFn;
  /**
   * The metric of the model's outputs for the evaluated rows: `rows[i]` is the dataset row of output i
   * (rows are a seeded subsample when maxRows is below n).
   */
  score: (outputs: Float32Array, rows: Uint32Array) => number;
  /** Whether a higher score is better (default 'higher'); importance is always "how much worse". */
  direction?: Direction;
  /** Features to permute (default one per column). */
  features?: FeatureGroup[];
  names?: readonly string[];
  /** Permutations per feature, averaged (default 5). */
  repeats?: number;
  seed?: number;
  /** Evaluate on at most this many rows (default all). */
  maxRows?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface FeatureImportance {
  name: string;
  columns: number[];
  /** Mean over repeats of how much worse the score got (negative: shuffling helped, i.e. noise). */
  importance: number;
  /** Standard deviation over repeats. */
  std: number;
  drops: number[];
}

export interface PermutationResult {
  baseline: number;
  rows: number;
  features: FeatureImportance[];
}

export async function permutationImportance(o: PermutationOptions): Promise<PermutationResult> {
  checkRows(o.x, o.n, o.d, 'features');
  const groups = o.features ?? defaultGroups(o.d, o.names);
  checkGroups(groups, o.d);
  const repeats = o.repeats ?? 5;
  if (!Number.isInteger(repeats) || repeats < 1) throw new EvalError('bad-option', { params: { repeats } }, 'Repeats must be a positive integer');
  const seed = (o.seed ?? 0) >>> 0;
  const sign = (o.direction ?? 'higher') === 'higher' ? 1 : -1;
  // rows: all, or a seeded subsample kept in row order
  let rows: Uint32Array;
  if (o.maxRows !== undefined && o.maxRows < o.n) rows = permutation(o.n, mixSeed(seed, 0x5eed)).slice(0, o.maxRows).sort();
  else rows = Uint32Array.from({ length: o.n }, (_, i) => i);
  const m = rows.length;
  const d = o.d;
  const base = new Float32Array(m * d);
  for (let r = 0; r < m; r++) base.set(o.x.subarray(rows[r]! * d, rows[r]! * d + d), r * d);
  const baseline = o.score(await o.predict(base, m), rows);
  const work = Float32Array.from(base);
  const features: FeatureImportance[] = [];
  let done = 0;
  for (let f = 0; f < groups.length; f++) {
    const g = groups[f]!;
    const drops: number[] = [];
    for (let rep = 0; rep < repeats; rep++) {
      // one permutation for all columns of a group keeps each one-hot row a valid one-hot row
      const perm = permutation(m, mixSeed(seed, f, rep));
      for (let r = 0; r < m; r++) for (const c of g.columns) work[r * d + c] = base[perm[r]! * d + c]!;
      drops.push(sign * (baseline - o.score(await o.predict(work, m), rows)));
      o.onProgress?.(++done, groups.length * repeats);
    }
    for (let r = 0; r < m; r++) for (const c of g.columns) work[r * d + c] = base[r * d + c]!;
    const mean = drops.reduce((a, b) => a + b, 0) / repeats;
    const std = Math.sqrt(drops.reduce((a, b) => a + (b - mean) ** 2, 0) / repeats);
    features.push({ name: g.name, columns: [...g.columns], importance: mean, std, drops });
  }
  return { baseline, rows: m, features };
}

/** Accuracy of n x k outputs against class indices (a `score` for permutationImportance). */
export function accuracyScore(yTrue: ArrayLike<number>, k: number): (outputs: Float32Array, rows: Uint32Array) => number {
  return (outputs, rows) => {
    const pred = argmaxRows(outputs, k);
    let correct = 0;
    for (let r = 0; r < rows.length; r++) if (pred[r] === yTrue[rows[r]!]) correct++;
    return rows.length ? correct / rows.length : NaN;
  };
}

/** Mean squared error of a single-output regression (direction 'lower'). */
export function mseScore(yTrue: ArrayLike<number>): (outputs: Float32Array, rows: Uint32Array) => number {
  return (outputs, rows) => {
    let s = 0;
    for (let r = 0; r < rows.length; r++) s += (yTrue[rows[r]!]! - outputs[r]!) ** 2;
    return rows.length ? s / rows.length : NaN;
  };
}

/* ───────────────────────────── gradients (TF.js) ───────────────────────────── */

function modelInputShape(model: tfjs.LayersModel): number[] {
  const shape = model.inputs[0]!.shape.slice(1);
  if (shape.some((s) => s === null)) throw new EvalError('input-mismatch', {}, 'The model input has an unknown size');
  return shape as number[];
}

function checkInput(model: tfjs.LayersModel, x: ArrayLike<number>, what: string): number[] {
  const shape = modelInputShape(model);
  const size = shape.reduce((a, b) => a * b, 1);
  if (x.length !== size) {
    throw new EvalError('input-mismatch', { params: { what, expected: size, actual: x.length, shape: shape.join(' x ') } }, `The model takes ${shape.join(' x ')} = ${size} values, but ${what} has ${x.length}`);
  }
  return shape;
}

function checkOutput(model: tfjs.LayersModel, output: number): void {
  const outShape = model.outputs[0]!.shape;
  const k = (outShape[outShape.length - 1] as number | null) ?? 1;
  if (outShape.length !== 2 || !Number.isInteger(output) || output < 0 || output >= k) {
    throw new EvalError('bad-option', { params: { output, outputs: k } }, `Output ${output} is not one of the model's ${k} outputs`);
  }
}

/** The model's outputs for rows of its input shape. */
async function forward(tf: TF, model: tfjs.LayersModel, x: Float32Array, shape: number[], rows: number): Promise<Float32Array> {
  const out = tf.tidy(() => model.apply(tf.tensor(x, [rows, ...shape]), { training: false }) as tfjs.Tensor);
  try {
    return (await out.data()) as Float32Array;
  } finally {
    out.dispose();
  }
}

/** Gradients of output `output` summed over the batch: row i of the result is d F(x_i) / d x_i. */
async function gradients(tf: TF, model: tfjs.LayersModel, x: Float32Array, shape: number[], rows: number, output: number): Promise<Float32Array> {
  const f = (inp: tfjs.Tensor) => {
    const out = model.apply(inp, { training: false }) as tfjs.Tensor;
    // rows do not interact in inference, so the gradient of the sum is each row's own gradient
    return tf.sum(tf.slice(out, [0, output], [-1, 1]));
  };
  const g = tf.tidy(() => tf.grad(f)(tf.tensor(x, [rows, ...shape])));
  try {
    return (await g.data()) as Float32Array;
  } finally {
    g.dispose();
  }
}

export interface IntegratedGradientsOptions {
  /** Default all zeros. */
  baseline?: ArrayLike<number>;
  /** Trapezoid intervals along the path to start with (default 64). */
  steps?: number;
  /**
   * Completeness target (default 0.05): while the relative gap is above it, the intervals are halved, up
   * to maxSteps. Each halving reuses every gradient already computed and adds only the midpoints.
   */
  tolerance?: number;
  /** Default 1024; set it to `steps` for a fixed number of steps. */
  maxSteps?: number;
  /** Output index (the target class; 0 for regression). */
  output?: number;
  /** Path points per gradient call (default 32). */
  batchSize?: number;
}

export interface IntegratedGradients {
  /** One per input value, in the model's input layout (flattened). */
  attributions: Float32Array;
  /** Σ attributions. */
  sum: number;
  fx: number;
  fBaseline: number;
  /** Completeness: |sum - (fx - fBaseline)| / max(|fx - fBaseline|, 1e-12); small when steps suffice. */
  relativeError: number;
  /** Trapezoid intervals used in the end. */
  steps: number;
}

/**
 * IG_i = (x_i - x'_i) ∫₀¹ ∂F(x' + α(x - x'))/∂x_i dα, the integral by the trapezoid rule on m intervals.
 * Completeness says Σ IG_i = F(x) - F(x'); the relative gap measures the integration error. With ReLU
 * layers the integrand jumps where a unit switches, so the error falls only as 1/m and a fixed m may not
 * be enough: hence the refinement up to `tolerance`.
 */
export async function integratedGradients(tf: TF, model: tfjs.LayersModel, x: ArrayLike<number>, options: IntegratedGradientsOptions = {}): Promise<IntegratedGradients> {
  const shape = checkInput(model, x, 'the example');
  const size = x.length;
  const output = options.output ?? 0;
  checkOutput(model, output);
  let m = options.steps ?? 64;
  const batch = options.batchSize ?? 32;
  const tolerance = options.tolerance ?? 0.05;
  const maxSteps = Math.max(m, options.maxSteps ?? 1024);
  if (!Number.isInteger(m) || m < 1 || !Number.isInteger(batch) || batch < 1 || !(tolerance >= 0)) {
    throw new EvalError('bad-option', { params: { steps: m, batchSize: batch, tolerance } }, 'Steps and batch size must be positive integers, the tolerance a number >= 0');
  }
  const base = options.baseline ? Float64Array.from(options.baseline) : new Float64Array(size);
  if (base.length !== size) checkInput(model, base, 'the baseline');
  const diff = Float64Array.from({ length: size }, (_, i) => x[i]! - base[i]!);

  /** Σ_k weight_k ∂F/∂x at x' + α_k (x - x'), in calls of `batch` path points. */
  const weightedGradients = async (alphas: number[], weight: (k: number) => number): Promise<Float64Array> => {
    const acc = new Float64Array(size);
    for (let start = 0; start < alphas.length; start += batch) {
      const count = Math.min(batch, alphas.length - start);
      const path = new Float32Array(count * size);
      for (let r = 0; r < count; r++) {
        const alpha = alphas[start + r]!;
        for (let i = 0; i < size; i++) path[r * size + i] = base[i]! + alpha * diff[i]!;
      }
      const g = await gradients(tf, model, path, shape, count, output);
      for (let r = 0; r < count; r++) {
        const w = weight(start + r);
        for (let i = 0; i < size; i++) acc[i] += w * g[r * size + i]!;
      }
    }
    return acc;
  };

  const ends = new Float32Array(2 * size);
  ends.set(base, 0);
  ends.set(Float32Array.from(x), size);
  const out = await forward(tf, model, ends, shape, 2);
  const k = out.length / 2;
  const fBaseline = out[output]!;
  const fx = out[k + output]!;
  const delta = fx - fBaseline;

  // trapezoid on m intervals: end points weigh 1/(2m), inner points 1/m
  let integral = await weightedGradients(
    Array.from({ length: m + 1 }, (_, j) => j / m),
    (j) => (j === 0 || j === m ? 0.5 / m : 1 / m),
  );
  for (;;) {
    const attributions = new Float32Array(size);
    let sum = 0;
    for (let i = 0; i < size; i++) {
      const a = diff[i]! * integral[i]!;
      attributions[i] = a;
      sum += a;
    }
    const relativeError = Math.abs(sum - delta) / Math.max(Math.abs(delta), 1e-12);
    if (relativeError <= tolerance || 2 * m > maxSteps) return { attributions, sum, fx, fBaseline, relativeError, steps: m };
    // T(2m) = T(m) / 2 + (1 / 2m) Σ g(midpoints)
    const mids = await weightedGradients(
      Array.from({ length: m }, (_, j) => (2 * j + 1) / (2 * m)),
      () => 1 / (2 * m),
    );
    for (let i = 0; i < size; i++) integral[i] = integral[i]! / 2 + mids[i]!;
    m *= 2;
  }
}

export interface SaliencyMap {
  /** height x width, row-major, in [0, 1] (all 0 when the gradient vanishes). */
  map: Float32Array;
  height: number;
  width: number;
  /** The largest |gradient| before normalizing. */
  max: number;
}

/** |∂ score_output / ∂ pixel|, max over channels, divided by its maximum: a heatmap over the image. */
export async function saliencyMap(tf: TF, model: tfjs.LayersModel, image: ArrayLike<number>, output = 0): Promise<SaliencyMap> {
  const shape = checkInput(model, image, 'the image');
  if (shape.length !== 3) throw new EvalError('input-mismatch', { params: { shape: shape.join(' x ') } }, `Saliency maps need an image model (height x width x channels), not ${shape.join(' x ')}`);
  checkOutput(model, output);
  const [height, width, channels] = shape as [number, number, number];
  const g = await gradients(tf, model, Float32Array.from(image), shape, 1, output);
  return pixelHeatmap(g, height, width, channels, 'max');
}

/**
 * A height x width heatmap in [0, 1] from per-value scores laid out height x width x channels: the
 * largest |score| over a pixel's channels ('max', for saliency) or their sum ('sum', for integrated
 * gradients, whose attributions add up), divided by the largest pixel.
 */
export function pixelHeatmap(values: ArrayLike<number>, height: number, width: number, channels: number, reduce: 'max' | 'sum' = 'max'): SaliencyMap {
  if (values.length !== height * width * channels) {
    throw new EvalError('input-mismatch', { params: { expected: height * width * channels, actual: values.length } }, `Expected ${height} x ${width} x ${channels} values, got ${values.length}`);
  }
  const map = new Float32Array(height * width);
  let max = 0;
  for (let p = 0; p < height * width; p++) {
    let v = 0;
    for (let c = 0; c < channels; c++) {
      const a = Math.abs(values[p * channels + c]!);
      v = reduce === 'max' ? Math.max(v, a) : v + a;
    }
    map[p] = v;
    if (v > max) max = v;
  }
  if (max > 0) for (let p = 0; p < map.length; p++) map[p]! /= max;
  return { map, height, width, max };
}

/* ───────────────────────────── KernelSHAP ───────────────────────────── */

export interface KernelShapOptions {
  predict: PredictFn;
  /** The row to explain, d values. */
  x: ArrayLike<number>;
  /** Background rows (nb x d): E[f] is the mean prediction over them, absent features take their values. */
  background: Float32Array;
  /** Players (default one per column); a one-hot group enters and leaves a coalition as one. */
  features?: FeatureGroup[];
  names?: readonly string[];
  /** Output index explained (default 0). */
  output?: number;
  /** Enumerate every coalition when there are at most this many features (default 10). */
  exactLimit?: number;
  /** Coalition budget when sampling (default 2M + 2048, as the shap package). */
  samples?: number;
  seed?: number;
  /** Rows per predict call (default 16384). */
  batchRows?: number;
  /**
   * Use at most this many background rows, a seeded sample (default 100): each coalition costs one model
   * row per background row, and E[f] is stable well before the whole training set.
   */
  maxBackground?: number;
}

export interface KernelShap {
  /** One Shapley value per feature; Σ values = fx - expected up to rounding. */
  values: Float64Array;
  names: string[];
  /** E[f]: the mean prediction over the background. */
  expected: number;
  fx: number;
  /** True when every coalition was enumerated: the values are the exact Shapley values. */
  exact: boolean;
  coalitions: number;
  /** Model rows evaluated. */
  evaluations: number;
  /** Background rows used. */
  backgroundRows: number;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/** Calls fn with each k-subset of 0..n-1 as a 0/1 mask (lexicographic). */
function forEachSubset(n: number, k: number, fn: (mask: Uint8Array) => void): void {
  const idx = Array.from({ length: k }, (_, i) => i);
  const mask = new Uint8Array(n);
  for (;;) {
    mask.fill(0);
    for (const i of idx) mask[i] = 1;
    fn(mask);
    let i = k - 1;
    while (i >= 0 && idx[i] === n - k + i) i--;
    if (i < 0) return;
    idx[i]!++;
    for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1]! + 1;
  }
}

/**
 * Solve A z = b (A symmetric positive semi-definite, n x n row-major) by Gaussian elimination with
 * partial pivoting; a variable with a vanishing pivot (never separated from the others by the
 * coalitions) gets 0.
 */
export function solveLinear(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const A = Float64Array.from(a);
  const y = Float64Array.from(b);
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(A[i * n + i]!));
  const tiny = 1e-13 * (scale || 1);
  const dead = new Uint8Array(n);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r * n + c]!) > Math.abs(A[p * n + c]!)) p = r;
    if (Math.abs(A[p * n + c]!) < tiny) {
      dead[c] = 1;
      continue;
    }
    if (p !== c) {
      for (let j = 0; j < n; j++) [A[c * n + j], A[p * n + j]] = [A[p * n + j]!, A[c * n + j]!];
      [y[c], y[p]] = [y[p]!, y[c]!];
    }
    for (let r = c + 1; r < n; r++) {
      const f = A[r * n + c]! / A[c * n + c]!;
      if (f === 0) continue;
      for (let j = c; j < n; j++) A[r * n + j]! -= f * A[c * n + j]!;
      y[r]! -= f * y[c]!;
    }
  }
  const z = new Float64Array(n);
  for (let c = n - 1; c >= 0; c--) {
    if (dead[c]) continue;
    let s = y[c]!;
    for (let j = c + 1; j < n; j++) s -= A[c * n + j]! * z[j]!;
    z[c] = s / A[c * n + c]!;
  }
  return z;
}

export async function kernelShap(o: KernelShapOptions): Promise<KernelShap> {
  const d = o.x.length;
  const allRows = o.background.length / d;
  if (!Number.isInteger(allRows) || allRows < 1) {
    throw new EvalError('input-mismatch', { params: { what: 'background', d, actual: o.background.length } }, `The background must hold whole rows of ${d} values, got ${o.background.length}`);
  }
  const seed = (o.seed ?? 0) >>> 0;
  const maxBackground = o.maxBackground ?? 100;
  let background = o.background;
  if (allRows > maxBackground) {
    const pick = permutation(allRows, mixSeed(seed, 0xb6)).slice(0, maxBackground).sort();
    background = new Float32Array(maxBackground * d);
    pick.forEach((row, r) => background.set(o.background.subarray(row * d, row * d + d), r * d));
  }
  const nb = background.length / d;
  const groups = o.features ?? defaultGroups(d, o.names);
  checkGroups(groups, d);
  const M = groups.length;
  const output = o.output ?? 0;
  const batchRows = o.batchRows ?? 16384;
  const x = Float32Array.from(o.x);

  // f(x) and E[f] = v(full) and v(empty)
  const fxOut = await o.predict(x, 1);
  const k = outputsPerRow(fxOut, 1);
  if (!Number.isInteger(output) || output < 0 || output >= k) throw new EvalError('bad-option', { params: { output, outputs: k } }, `Output ${output} is not one of the model's ${k} outputs`);
  const fx = fxOut[output]!;
  const bgOut = await o.predict(background, nb);
  if (bgOut.length !== nb * k) throw new EvalError('input-mismatch', { params: { rows: nb, values: bgOut.length } }, `The model returned ${bgOut.length} values for ${nb} rows`);
  let expected = 0;
  for (let b = 0; b < nb; b++) expected += bgOut[b * k + output]!;
  expected /= nb;
  const delta = fx - expected;
  const names = groups.map((g) => g.name);
  if (M === 1) return { values: Float64Array.of(delta), names, expected, fx, exact: true, coalitions: 0, evaluations: 1 + nb, backgroundRows: nb };

  // coalitions and their weights: the kernel mass of each size s is ∝ (M-1) / (s (M-s)), spread evenly
  // over its C(M, s) coalitions. Sizes are enumerated in full from the outside in (s and M-s together)
  // while the budget covers them; the rest is sampled, in complementary pairs, by that mass.
  const masks: Uint8Array[] = [];
  const weights: number[] = [];
  const half = Math.floor(M / 2);
  const sizeMass = (s: number) => (s === M - s ? 1 : 2) / (s * (M - s));
  let totalMass = 0;
  for (let s = 1; s <= half; s++) totalMass += sizeMass(s);
  const exactLimit = o.exactLimit ?? 10;
  let budget = M <= exactLimit ? Infinity : (o.samples ?? 2 * M + 2048);
  if (!(budget >= 2)) throw new EvalError('bad-option', { params: { samples: budget } }, 'KernelSHAP needs a budget of at least 2 coalitions');
  let remainingMass = 1;
  let s = 1;
  for (; s <= half; s++) {
    const mass = sizeMass(s) / totalMass;
    const count = s === M - s ? binomial(M, s) : 2 * binomial(M, s);
    if (!(count <= budget && budget * (mass / remainingMass) >= count - 1e-9)) break;
    const w = mass / count;
    forEachSubset(M, s, (mask) => {
      masks.push(Uint8Array.from(mask));
      weights.push(w);
      if (s !== M - s) {
        masks.push(Uint8Array.from(mask, (v) => 1 - v));
        weights.push(w);
      }
    });
    budget -= count;
    remainingMass -= mass;
  }
  const exact = s > half;
  if (!exact) {
    const rng = new Rng(seed);
    const sizes: number[] = [];
    const cum: number[] = [];
    let acc = 0;
    for (let t = s; t <= half; t++) {
      acc += sizeMass(t);
      sizes.push(t);
      cum.push(acc);
    }
    const pairs = Math.max(1, Math.floor(budget / 2));
    const sampled = new Map<string, number>();
    const order = Uint32Array.from({ length: M }, (_, i) => i);
    const w = remainingMass / (2 * pairs);
    for (let p = 0; p < pairs; p++) {
      const u = rng.next() * acc;
      let si = 0;
      while (si < cum.length - 1 && u >= cum[si]!) si++;
      // a uniform subset of that size: the first `size` entries of a partial Fisher-Yates shuffle
      const size = rng.next() < 0.5 ? sizes[si]! : M - sizes[si]!;
      for (let i = 0; i < size; i++) {
        const j = i + rng.int(M - i);
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
      }
      const mask = new Uint8Array(M);
      for (let i = 0; i < size; i++) mask[order[i]!] = 1;
      for (const m of [mask, Uint8Array.from(mask, (v) => 1 - v)]) {
        const key = m.join('');
        const at = sampled.get(key);
        if (at === undefined) {
          sampled.set(key, masks.length);
          masks.push(m);
          weights.push(w);
        } else weights[at]! += w;
      }
    }
  }

  // v(S) = mean over background rows of f(x on S, background elsewhere), many coalitions per call
  const C = masks.length;
  const v = new Float64Array(C);
  const perCall = Math.max(1, Math.floor(batchRows / nb));
  let evaluations = 1 + nb;
  for (let c0 = 0; c0 < C; c0 += perCall) {
    const cn = Math.min(perCall, C - c0);
    const rows = new Float32Array(cn * nb * d);
    for (let c = 0; c < cn; c++) {
      const mask = masks[c0 + c]!;
      for (let b = 0; b < nb; b++) {
        const at = (c * nb + b) * d;
        rows.set(background.subarray(b * d, b * d + d), at);
        for (let g = 0; g < M; g++) if (mask[g]) for (const col of groups[g]!.columns) rows[at + col] = x[col]!;
      }
    }
    const out = await o.predict(rows, cn * nb);
    if (out.length !== cn * nb * k) throw new EvalError('input-mismatch', { params: { rows: cn * nb, values: out.length } }, `The model returned ${out.length} values for ${cn * nb} rows`);
    evaluations += cn * nb;
    for (let c = 0; c < cn; c++) {
      let sum = 0;
      for (let b = 0; b < nb; b++) sum += out[(c * nb + b) * k + output]!;
      v[c0 + c] = sum / nb;
    }
  }

  // Weighted least squares of v(S) - E[f] on the mask with Σφ = Δ built in: φ_M = Δ - Σ_{j<M} φ_j,
  // so the regressors become z_j - z_M and the target v - E[f] - z_M Δ.
  const P = M - 1;
  const A = new Float64Array(P * P);
  const rhs = new Float64Array(P);
  const z = new Float64Array(P);
  for (let c = 0; c < C; c++) {
    const mask = masks[c]!;
    const w = weights[c]!;
    const last = mask[P]!;
    for (let j = 0; j < P; j++) z[j] = mask[j]! - last;
    const target = v[c]! - expected - last * delta;
    for (let i = 0; i < P; i++) {
      if (z[i] === 0) continue;
      rhs[i] += w * z[i]! * target;
      for (let j = 0; j < P; j++) A[i * P + j] += w * z[i]! * z[j]!;
    }
  }
  const phi = solveLinear(A, rhs, P);
  const values = new Float64Array(M);
  let rest = delta;
  for (let j = 0; j < P; j++) {
    values[j] = phi[j]!;
    rest -= phi[j]!;
  }
  values[P] = rest;
  return { values, names, expected, fx, exact, coalitions: C, evaluations, backgroundRows: nb };
}

/* ───────────────────────────── What-If ───────────────────────────── */

/** The model's outputs for one (edited) row. */
export async function predictRow(predict: PredictFn, row: ArrayLike<number>): Promise<Float32Array> {
  return predict(Float32Array.from(row), 1);
}

/** Predicted class of each of n rows, in calls of at most batchRows rows. */
export async function predictClasses(predict: PredictFn, x: Float32Array, n: number, batchRows = 4096): Promise<Int32Array> {
  const d = x.length / n;
  const out = new Int32Array(n);
  for (let start = 0; start < n; start += batchRows) {
    const m = Math.min(batchRows, n - start);
    const probs = await predict(x.subarray(start * d, (start + m) * d), m);
    const k = outputsPerRow(probs, m);
    out.set(k === 1 ? Int32Array.from(probs, (p) => (p >= 0.5 ? 1 : 0)) : argmaxRows(probs, k), start);
  }
  return out;
}

export interface CounterfactualOptions {
  /** 'l1' (default: sparse, feature-by-feature differences) or 'l2'. */
  metric?: 'l1' | 'l2';
  /** Feature scales; default each column's standard deviation over x (a constant column is ignored). */
  scale?: ArrayLike<number>;
  /** Columns left out of the distance (e.g. ones the person cannot change). */
  ignore?: readonly number[];
}

export interface Counterfactual {
  /** Row index in x. */
  index: number;
  distance: number;
  predictedClass: number;
  /** Columns where it differs from the query, with both values. */
  changes: { column: number; from: number; to: number }[];
}

/** Per-column standard deviation (population) of n x d rows. */
export function columnStd(x: Float32Array, n: number, d: number): Float64Array {
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n || 1;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) sq[j] += (x[i * d + j]! - mean[j]!) ** 2;
  return Float64Array.from(sq, (s) => Math.sqrt(s / (n || 1)));
}

/**
 * The nearest row of x (standardized L1 or L2) whose predicted class differs from queryClass; null when
 * every row is predicted as the query. Ties go to the earlier row.
 */
export function nearestCounterfactual(
  x: Float32Array,
  d: number,
  classes: ArrayLike<number>,
  query: ArrayLike<number>,
  queryClass: number,
  options: CounterfactualOptions = {},
): Counterfactual | null {
  const n = classes.length;
  checkRows(x, n, d, 'rows');
  if (query.length !== d) throw new EvalError('input-mismatch', { params: { what: 'query', expected: d, actual: query.length } }, `The row has ${query.length} values, the dataset ${d}`);
  const scale = options.scale ? Float64Array.from(options.scale) : columnStd(x, n, d);
  const inv = Float64Array.from(scale, (s) => (s > 0 && Number.isFinite(s) ? 1 / s : 0));
  for (const j of options.ignore ?? []) inv[j] = 0;
  const l2 = options.metric === 'l2';
  let best = -1;
  let bestDist = Infinity;
  for (let i = 0; i < n; i++) {
    if (classes[i] === queryClass) continue;
    let dist = 0;
    for (let j = 0; j < d && dist < bestDist; j++) {
      const t = (x[i * d + j]! - query[j]!) * inv[j]!;
      dist += l2 ? t * t : Math.abs(t);
    }
    if (dist < bestDist) {
      bestDist = dist;
      best = i;
    }
  }
  if (best < 0) return null;
  const changes: Counterfactual['changes'] = [];
  for (let j = 0; j < d; j++) {
    const to = x[best * d + j]!;
    if (to !== Math.fround(query[j]!)) changes.push({ column: j, from: query[j]!, to });
  }
  return { index: best, distance: l2 ? Math.sqrt(bestDist) : bestDist, predictedClass: classes[best]!, changes };
}
