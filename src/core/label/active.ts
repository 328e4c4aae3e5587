/**
 * Uncertainty sampling for the labeling queue (Lewis & Gale 1994; Settles' survey): serve the rows the
 * current model is least sure about first.
 *   least-confidence: 1 - max_c p_c          (higher = more uncertain)
 *   margin:           p_top1 - p_top2        (lower = more uncertain)
 */
export type UncertaintyStrategy = 'least-confidence' | 'margin';

/** How uncertain one row is; higher = ask sooner, for either strategy. */
export function uncertainty(probs: ArrayLike<number>, k: number, row: number, strategy: UncertaintyStrategy): number {
  let top1 = -Infinity;
  let top2 = -Infinity;
  for (let c = 0; c < k; c++) {
    const p = probs[row * k + c]!;
    if (p > top1) {
      top2 = top1;
      top1 = p;
    } else if (p > top2) top2 = p;
  }
  return strategy === 'least-confidence' ? 1 - top1 : -(top1 - (k > 1 ? top2 : 0));
}

/**
 * Unlabeled rows, most uncertain first (ties: lower row index first, so the queue is stable). Rows that are
 * labeled (skip[i] truthy) or have no probabilities (NaN) are left out. limit keeps only the first rows.
 */
export function uncertaintyOrder(
  probs: ArrayLike<number>,
  k: number,
  options: { strategy?: UncertaintyStrategy; skip?: ArrayLike<number | boolean>; limit?: number } = {},
): Int32Array {
  const { strategy = 'least-confidence', skip, limit } = options;
  const n = probs.length / k;
  const rows: number[] = [];
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (skip?.[i] || Number.isNaN(probs[i * k]!)) continue;
    score[i] = uncertainty(probs, k, i, strategy);
    rows.push(i);
  }
  rows.sort((x, y) => score[y]! - score[x]! || x - y);
  return Int32Array.from(limit === undefined ? rows : rows.slice(0, limit));
}
