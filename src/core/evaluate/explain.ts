/**
 * Explanations. Model-agnostic ones take a `predict(x, n)` function (n rows of d features in, n x outputs
 * out), so a TF.js model in a worker, a remote model or a plain function in a test all fit:
 *  - permutation feature importance (permutation.ts; Breiman 2001; Fisher et al. 2019): how much a
 *    metric drops when a feature's column (or a one-hot group of columns, permuted together) is shuffled
 *    across rows;
 *  - KernelSHAP (kernel-shap.ts; Lundberg & Lee 2017): Shapley values from a weighted least squares fit
 *    over feature coalitions, with the efficiency constraint eliminated exactly so the values add up to
 *    f(x) - E[f];
 *  - What-If helpers (what-if.ts): predict an edited row, find the nearest example predicted differently.
 * Gradient ones (gradients.ts) need the TF.js model itself:
 *  - integrated gradients (Sundararajan et al. 2017), with the completeness check;
 *  - saliency maps (Simonyan et al. 2013): |d score / d pixel|, max over channels.
 * This module holds what the model-agnostic ones share.
 */
import { EvalError, evalErrorWhy } from './errors';

/** n rows of d features, row-major, in; n x outputs values, row-major, out. */
export type PredictFn = (x: Float32Array, n: number) => Promise<Float32Array>;

/** A feature as the person sees it: one column, or the columns of a one-hot (or other multi-column) encoding. */
export interface FeatureGroup {
  name: string;
  columns: number[];
}

export function defaultGroups(d: number, names?: readonly string[]): FeatureGroup[] {
  return Array.from({ length: d }, (_, j) => ({ name: names?.[j] ?? `x${j}`, columns: [j] }));
}

export function checkGroups(groups: readonly FeatureGroup[], d: number): void {
  for (const g of groups) {
    if (g.columns.length === 0 || g.columns.some((c) => !Number.isInteger(c) || c < 0 || c >= d)) {
      throw evalErrorWhy('bad-option', 'feature-columns', { column: g.name, params: { last: d - 1 } }, `Feature "${g.name}" must name columns between 0 and ${d - 1}`);
    }
  }
}

export function checkRows(x: Float32Array, n: number, d: number, what: string): void {
  if (x.length !== n * d) {
    throw new EvalError('input-mismatch', { params: { what, expected: n * d, actual: x.length } }, `Expected ${n} x ${d} = ${n * d} values of ${what}, got ${x.length}`);
  }
}

/** Outputs per row that a predict function returned for n rows. */
export function outputsPerRow(out: Float32Array, n: number): number {
  const k = out.length / n;
  if (!Number.isInteger(k) || k < 1) {
    throw new EvalError('input-mismatch', { params: { rows: n, values: out.length } }, `The model returned ${out.length} values for ${n} rows`);
  }
  return k;
}
