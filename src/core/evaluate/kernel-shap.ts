/**
 * KernelSHAP (Lundberg & Lee 2017): Shapley values from a weighted least squares fit over feature
 * coalitions, with the efficiency constraint eliminated exactly so the values add up to f(x) - E[f]; see
 * explain.ts.
 */
import { mixSeed, Rng } from '../math/random';
import { permutation } from '../model/split';
import { EvalError, evalErrorWhy } from './errors';
import { checkGroups, defaultGroups, outputsPerRow, type FeatureGroup, type PredictFn } from './explain';

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
  const seed = (o.seed ?? 0) >>> 0;
  const background = sampleBackground(o.background, d, o.maxBackground ?? 100, seed);
  const nb = background.length / d;
  const groups = o.features ?? defaultGroups(d, o.names);
  checkGroups(groups, d);
  const M = groups.length;
  const output = o.output ?? 0;
  const x = Float32Array.from(o.x);

  // f(x) and E[f] = v(full) and v(empty)
  const fxOut = await o.predict(x, 1);
  const k = outputsPerRow(fxOut, 1);
  if (!Number.isInteger(output) || output < 0 || output >= k) throw evalErrorWhy('bad-option', 'output', { params: { output, outputs: k } }, `Output ${output} is not one of the model's ${k} outputs`);
  const fx = fxOut[output]!;
  const bgOut = await o.predict(background, nb);
  if (bgOut.length !== nb * k) throw new EvalError('input-mismatch', { params: { rows: nb, values: bgOut.length } }, `The model returned ${bgOut.length} values for ${nb} rows`);
  let expected = 0;
  for (let b = 0; b < nb; b++) expected += bgOut[b * k + output]!;
  expected /= nb;
  const delta = fx - expected;
  const names = groups.map((g) => g.name);
  if (M === 1) return { values: Float64Array.of(delta), names, expected, fx, exact: true, coalitions: 0, evaluations: 1 + nb, backgroundRows: nb };

  const exactLimit = o.exactLimit ?? 10;
  const budget = M <= exactLimit ? Infinity : (o.samples ?? 2 * M + 2048);
  if (!(budget >= 2)) throw evalErrorWhy('bad-option', 'shap-budget', { params: { samples: budget } }, 'KernelSHAP needs a budget of at least 2 coalitions');
  const { masks, weights, exact } = coalitions(M, budget, seed);
  const v = await coalitionValues(o.predict, x, background, groups, masks, output, k, o.batchRows ?? 16384);
  const values = shapleyFit(masks, weights, v, expected, delta);
  return { values, names, expected, fx, exact, coalitions: masks.length, evaluations: 1 + nb + masks.length * nb, backgroundRows: nb };
}

/** The background's whole rows, or a seeded sample of `max` of them kept in row order. */
function sampleBackground(all: Float32Array, d: number, max: number, seed: number): Float32Array {
  const allRows = all.length / d;
  if (!Number.isInteger(allRows) || allRows < 1) {
    throw new EvalError('input-mismatch', { params: { what: 'background', d, actual: all.length } }, `The background must hold whole rows of ${d} values, got ${all.length}`);
  }
  if (allRows <= max) return all;
  const pick = permutation(allRows, mixSeed(seed, 0xb6)).slice(0, max).sort();
  const background = new Float32Array(max * d);
  pick.forEach((row, r) => background.set(all.subarray(row * d, row * d + d), r * d));
  return background;
}

/** Coalitions of the M features (0/1 masks) and their weights in the regression. */
interface Coalitions {
  masks: Uint8Array[];
  weights: number[];
  /** Every coalition was enumerated: the fit gives the exact Shapley values. */
  exact: boolean;
}

/**
 * The kernel mass of each size s is ∝ (M-1) / (s (M-s)), spread evenly over its C(M, s) coalitions. Sizes
 * are enumerated in full from the outside in (s and M-s together) while the budget covers them; the rest
 * is sampled, in complementary pairs, by that mass.
 */
function coalitions(M: number, budget: number, seed: number): Coalitions {
  const masks: Uint8Array[] = [];
  const weights: number[] = [];
  const half = Math.floor(M / 2);
  const sizeMass = (s: number) => (s === M - s ? 1 : 2) / (s * (M - s));
  let totalMass = 0;
  for (let s = 1; s <= half; s++) totalMass += sizeMass(s);
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
  if (!exact) sampleCoalitions(masks, weights, M, s, sizeMass, budget, remainingMass, seed);
  return { masks, weights, exact };
}

/**
 * Spends the rest of the budget on coalitions of the sizes `from`..M-`from` that were not enumerated, in
 * complementary pairs, a size drawn by its kernel mass; a coalition drawn again adds to its weight.
 */
function sampleCoalitions(masks: Uint8Array[], weights: number[], M: number, from: number, sizeMass: (s: number) => number, budget: number, remainingMass: number, seed: number): void {
  const half = Math.floor(M / 2);
  const rng = new Rng(seed);
  const sizes: number[] = [];
  const cum: number[] = [];
  let acc = 0;
  for (let t = from; t <= half; t++) {
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

/** v(S) = mean over background rows of f(x on S, background elsewhere), many coalitions per predict call. */
async function coalitionValues(
  predict: PredictFn,
  x: Float32Array,
  background: Float32Array,
  groups: readonly FeatureGroup[],
  masks: readonly Uint8Array[],
  output: number,
  k: number,
  batchRows: number,
): Promise<Float64Array> {
  const d = x.length;
  const nb = background.length / d;
  const M = groups.length;
  const C = masks.length;
  const v = new Float64Array(C);
  const perCall = Math.max(1, Math.floor(batchRows / nb));
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
    const out = await predict(rows, cn * nb);
    if (out.length !== cn * nb * k) throw new EvalError('input-mismatch', { params: { rows: cn * nb, values: out.length } }, `The model returned ${out.length} values for ${cn * nb} rows`);
    for (let c = 0; c < cn; c++) {
      let sum = 0;
      for (let b = 0; b < nb; b++) sum += out[(c * nb + b) * k + output]!;
      v[c0 + c] = sum / nb;
    }
  }
  return v;
}

/**
 * Weighted least squares of v(S) - E[f] on the mask with Σφ = Δ built in: φ_M = Δ - Σ_{j<M} φ_j, so the
 * regressors become z_j - z_M and the target v - E[f] - z_M Δ.
 */
function shapleyFit(masks: readonly Uint8Array[], weights: readonly number[], v: Float64Array, expected: number, delta: number): Float64Array {
  const M = masks[0]!.length;
  const P = M - 1;
  const A = new Float64Array(P * P);
  const rhs = new Float64Array(P);
  const z = new Float64Array(P);
  for (let c = 0; c < masks.length; c++) {
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
  return values;
}
