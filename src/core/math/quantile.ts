/**
 * The type 7 sample quantile (Hyndman & Fan 1996): linear interpolation between the order statistics at
 * ranks floor(h) and floor(h) + 1, with h = q (n - 1). It is R's default quantile() and numpy's default
 * percentile ('linear'). Pure arithmetic: no TF.js, no Arrow.
 */

/** Type 7 quantile of n values, given the order statistic at a rank (0-based). Equal neighbours (also ±∞) give that value. */
export function type7Quantile(at: (rank: number) => number, n: number, q: number): number {
  const h = q * (n - 1);
  const lo = Math.floor(h);
  if (lo >= n - 1) return at(n - 1);
  const x = at(lo);
  const y = at(lo + 1);
  return x === y ? x : x + (h - lo) * (y - x);
}

/** Type 7 quantile of ascending values; NaN when there are none. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  return type7Quantile((rank) => sorted[rank]!, n, q);
}
