/** Permutation feature importance (Breiman 2001; Fisher et al. 2019); see explain.ts. */
import { mixSeed } from '../math/random';
import { argmaxRows } from '../model/metrics';
import { permutation } from '../model/split';
import { evalErrorWhy } from './errors';
import { checkGroups, checkRows, defaultGroups, type FeatureGroup, type PredictFn } from './explain';
import type { Direction } from './slice-metrics';

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
  if (!Number.isInteger(repeats) || repeats < 1) throw evalErrorWhy('bad-option', 'repeats', { params: { repeats } }, 'Repeats must be a positive integer');
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
