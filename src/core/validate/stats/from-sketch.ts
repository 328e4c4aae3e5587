/** Approximate quantiles and histogram from a KLL sketch's sorted values and cumulative weights. */
import { histogramEdges } from './histogram';
import type { Histogram } from './types';

export function sketchQuantile(items: Float64Array, cumulative: Float64Array, q: number): number {
  const total = cumulative[cumulative.length - 1]!;
  // the first retained value whose cumulative weight passes the 0-based target rank
  const target = q * (total - 1);
  let lo = 0;
  let hi = items.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! > target) hi = mid;
    else lo = mid + 1;
  }
  return items[lo]!;
}

/** Index of the first element >= x in sorted values. */
function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Histogram from the KLL sketch's sorted values and cumulative weights. */
export function sketchHistogram(items: Float64Array, cumulative: Float64Array, min: number, max: number, bins: number): Histogram {
  const edges = histogramEdges(min, max, bins);
  const b = edges.length - 1;
  // below(i) = weight of retained values < edges[i]
  const below = (i: number): number => {
    if (i === 0) return 0;
    const k = lowerBound(items, edges[i]!);
    return k === 0 ? 0 : cumulative[k - 1]!;
  };
  const total = cumulative[cumulative.length - 1]!;
  const counts = new Array<number>(b);
  let prev = 0;
  for (let i = 0; i < b; i++) {
    const next = i === b - 1 ? total : below(i + 1);
    counts[i] = next - prev;
    prev = next;
  }
  return { edges, counts };
}
