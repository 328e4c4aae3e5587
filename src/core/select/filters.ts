/**
 * Univariate filter methods, with scikit-learn's definitions (sklearn/feature_selection/
 * _variance_threshold.py, _univariate_selection.py), computed on the train rows:
 *  - VarianceThreshold: the population variance of each column; a column is kept when its variance is
 *    above the threshold (with threshold 0, the smaller of the variance and the peak-to-peak range, so a
 *    constant column is not kept for a rounding error);
 *  - r_regression: Pearson's r of each column with a numeric target;
 *  - f_regression (center = True): F = r² / (1 - r²) (n - 2) with its p-value from F(1, n - 2); a perfect
 *    correlation scores the largest double with p = 0, a constant column 0 with p = 1;
 *  - f_classif: the one-way ANOVA F of each column across the classes present in the train rows, p-value
 *    from F(classes - 1, n - classes); NaN where a column is constant (sklearn's warning case);
 *  - chi2: Σ over classes of (observed - expected)² / expected, observed being the sum of the column over a
 *    class's rows and expected the column's sum times the class's share of rows; p-value from χ²(classes -
 *    1). Needs non-negative values (counts, frequencies, one-hot); NaN for an all-zero column.
 * Scores are per matrix column (sklearn's `scores_`, `pvalues_`); a feature of several columns (a one-hot
 * categorical) scores as its best column and takes that column's p-value.
 */
import { chiSquaredSurvival, fSurvival } from '../math/special';
import type { Part, PreparedSelection } from './data';
import { checkOption, SelectError } from './errors';

export type FilterMethod = 'r_regression' | 'f_regression' | 'f_classif' | 'chi2' | 'mutual_info_classif' | 'mutual_info_regression';

export interface FilterScores {
  method: FilterMethod;
  /** One score per matrix column (r is signed for r_regression). NaN where undefined. */
  columnScores: Float64Array;
  /** One p-value per matrix column (F and chi2 only). */
  columnPValues?: Float64Array;
  /** One score per feature: its best column (by |r| for r_regression). */
  scores: Float64Array;
  pValues?: Float64Array;
}

export interface VarianceResult {
  /** Population variance of each matrix column (with threshold 0: min(variance, peak to peak)). */
  variances: Float64Array;
  threshold: number;
  /** Features with at least one column above the threshold, in feature order (may be empty). */
  selected: number[];
}

/** sklearn's VarianceThreshold (default threshold 0: drop constant features). */
export function varianceThreshold(p: PreparedSelection, threshold = 0): VarianceResult {
  checkOption(threshold >= 0, 'threshold', threshold, 'must be at least 0');
  const { n, x } = p.train;
  const variances = new Float64Array(p.d);
  for (let j = 0; j < p.d; j++) {
    const { mean, min, max } = columnStats(x, n, p.d, j);
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (x[i * p.d + j]! - mean) ** 2;
    variances[j] = threshold === 0 ? Math.min(ss / n, max - min) : ss / n;
  }
  const selected = p.features.flatMap((g, f) => (g.columns.some((c) => variances[c]! > threshold) ? [f] : []));
  return { variances, threshold, selected };
}

function columnStats(x: Float64Array, n: number, d: number, j: number): { mean: number; min: number; max: number } {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = x[i * d + j]!;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { mean: sum / n, min, max };
}

/** Pearson's r of column j of a part with a centred vector (0 when either is constant, as sklearn's force_finite). */
export function pearsonWith(part: Part, d: number, j: number, centred: Float64Array, centredNorm: number): number {
  const { n, x } = part;
  const { mean } = columnStats(x, n, d, j);
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i * d + j]! - mean;
    sxy += dx * centred[i]!;
    sxx += dx * dx;
  }
  const r = sxy / Math.sqrt(sxx) / centredNorm;
  return Number.isNaN(r) ? 0 : Math.max(-1, Math.min(1, r));
}

function centredTarget(part: Part): { centred: Float64Array; norm: number } {
  let mean = 0;
  for (let i = 0; i < part.n; i++) mean += part.y[i]!;
  mean /= part.n;
  const centred = part.y.map((v) => v - mean);
  let ss = 0;
  for (let i = 0; i < part.n; i++) ss += centred[i]! ** 2;
  return { centred, norm: Math.sqrt(ss) };
}

function requireTask(p: PreparedSelection, method: FilterMethod, task: 'classification' | 'regression', binaryToo = false): void {
  if (p.task === task || (binaryToo && p.task === 'classification' && p.classes === 2)) return;
  throw new SelectError('not-for-task', { params: { method, task: p.task } }, `${method} does not apply to a ${p.task} target`);
}

/** sklearn's r_regression: Pearson's r with a numeric target (or a binary class index: point-biserial r). */
export function rRegression(p: PreparedSelection): FilterScores {
  requireTask(p, 'r_regression', 'regression', true);
  const { centred, norm } = centredTarget(p.train);
  const columnScores = new Float64Array(p.d);
  for (let j = 0; j < p.d; j++) columnScores[j] = pearsonWith(p.train, p.d, j, centred, norm);
  return { method: 'r_regression', columnScores, ...byFeature(p, columnScores, undefined, Math.abs) };
}

/** sklearn's f_regression with center = True. */
export function fRegression(p: PreparedSelection): FilterScores {
  requireTask(p, 'f_regression', 'regression');
  const dof = p.train.n - 2;
  if (dof < 1) tooFewRows('f_regression', p.train.n, 3);
  const { centred, norm } = centredTarget(p.train);
  const columnScores = new Float64Array(p.d);
  const columnPValues = new Float64Array(p.d);
  for (let j = 0; j < p.d; j++) {
    const r2 = pearsonWith(p.train, p.d, j, centred, norm) ** 2;
    const f = (r2 / (1 - r2)) * dof;
    columnScores[j] = f === Infinity ? Number.MAX_VALUE : f;
    columnPValues[j] = fSurvival(f, 1, dof);
  }
  return { method: 'f_regression', columnScores, columnPValues, ...byFeature(p, columnScores, columnPValues) };
}

/** The class index of each train row, and the classes present with their row counts. */
function presentClasses(p: PreparedSelection): { counts: Float64Array; present: number[] } {
  const counts = new Float64Array(p.classes);
  for (let i = 0; i < p.train.n; i++) counts[p.train.y[i]!]!++;
  const present = [...counts.keys()].filter((c) => counts[c]! > 0);
  return { counts, present };
}

/** sklearn's f_classif: one-way ANOVA F across the classes present in the train rows. */
export function fClassif(p: PreparedSelection): FilterScores {
  requireTask(p, 'f_classif', 'classification');
  const { n, x, y } = p.train;
  const { counts, present } = presentClasses(p);
  const dfBetween = present.length - 1;
  const dfWithin = n - present.length;
  if (dfWithin < 1) tooFewRows('f_classif', n, present.length + 1);
  const columnScores = new Float64Array(p.d);
  const columnPValues = new Float64Array(p.d);
  const sums = new Float64Array(p.classes);
  for (let j = 0; j < p.d; j++) {
    sums.fill(0);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i * p.d + j]!;
      sums[y[i]!]! += v;
      total += v;
    }
    const mean = total / n;
    // between: Σ n_c (mean_c - mean)²; within: Σ (x - mean of its class)², both from deviations (stable)
    let ssBetween = 0;
    for (const c of present) ssBetween += counts[c]! * (sums[c]! / counts[c]! - mean) ** 2;
    let ssWithin = 0;
    for (let i = 0; i < n; i++) ssWithin += (x[i * p.d + j]! - sums[y[i]!]! / counts[y[i]!]!) ** 2;
    const f = ssBetween / dfBetween / (ssWithin / dfWithin);
    columnScores[j] = f;
    columnPValues[j] = fSurvival(f, dfBetween, dfWithin);
  }
  return { method: 'f_classif', columnScores, columnPValues, ...byFeature(p, columnScores, columnPValues) };
}

/** sklearn's chi2: refuses a negative value, naming the column and the row. */
export function chi2(p: PreparedSelection): FilterScores {
  requireTask(p, 'chi2', 'classification');
  const { n, x, y, rows } = p.train;
  const { counts, present } = presentClasses(p);
  const observed = new Float64Array(p.classes * p.d);
  const columnSums = new Float64Array(p.d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p.d; j++) {
      const v = x[i * p.d + j]!;
      if (v < 0) {
        throw new SelectError('negative-feature', { column: p.columnNames[j], params: { row: rows[i]!, value: v } }, `chi2 needs non-negative features: column "${p.columnNames[j]}" holds ${v} at row ${rows[i]}`);
      }
      observed[y[i]! * p.d + j]! += v;
      columnSums[j]! += v;
    }
  }
  const columnScores = new Float64Array(p.d);
  const columnPValues = new Float64Array(p.d);
  for (let j = 0; j < p.d; j++) {
    let chi = 0;
    for (const c of present) {
      const expected = (counts[c]! / n) * columnSums[j]!;
      chi += (observed[c * p.d + j]! - expected) ** 2 / expected;
    }
    columnScores[j] = chi;
    columnPValues[j] = chiSquaredSurvival(chi, present.length - 1);
  }
  return { method: 'chi2', columnScores, columnPValues, ...byFeature(p, columnScores, columnPValues) };
}

export function tooFewRows(method: string, rows: number, needed: number): never {
  throw new SelectError('too-few-rows', { params: { method, rows, needed } }, `${method} needs at least ${needed} train rows, got ${rows}`);
}

/** Per-feature scores: the best column's (by `key`, NaN never best) and that column's p-value. */
export function byFeature(
  p: PreparedSelection,
  columnScores: Float64Array,
  columnPValues?: Float64Array,
  key: (score: number) => number = (s) => s,
): { scores: Float64Array; pValues?: Float64Array } {
  const scores = new Float64Array(p.features.length);
  const pValues = columnPValues ? new Float64Array(p.features.length) : undefined;
  p.features.forEach((g, f) => {
    let best = g.columns[0]!;
    for (const c of g.columns) if (key(columnScores[c]!) > key(columnScores[best]!) || Number.isNaN(columnScores[best]!)) best = c;
    scores[f] = key(columnScores[best]!);
    if (pValues) pValues[f] = columnPValues![best]!;
  });
  return pValues ? { scores, pValues } : { scores };
}

/**
 * sklearn's SelectKBest on per-feature scores: the k features with the highest scores, best first; NaN
 * scores rank last; ties keep the lower feature index first.
 */
export function selectKBest(scores: ArrayLike<number>, k: number): number[] {
  checkOption(Number.isInteger(k) && k >= 0, 'k', k, 'must be a whole number, at least 0');
  return rankByScore(scores).slice(0, k);
}

/** Feature indices by decreasing score (NaN last, ties by index). */
export function rankByScore(scores: ArrayLike<number>): number[] {
  const key = (i: number) => (Number.isNaN(scores[i]!) ? -Infinity : scores[i]!);
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => key(b) - key(a) || a - b);
}
