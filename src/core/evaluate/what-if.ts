/** What-If helpers: predict an edited row, find the nearest example predicted differently; see explain.ts. */
import { argmaxRows } from '../model/metrics';
import { EvalError } from './errors';
import { checkRows, outputsPerRow, type PredictFn } from './explain';

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
