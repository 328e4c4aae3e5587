/**
 * Exact quantiles for bucketize and the quantile analyzer. The non-missing values are kept (8 bytes a
 * value) and, at the end, only the ranks asked for are put in place by quickselect (Hoare partitions, median
 * of three) instead of sorting everything: O(n log k) for k ranks.
 *
 * The rank rule is tf.Transform's quantile summary on exact data (tensorflow boosted_trees
 * WeightedQuantilesSummary::GenerateQuantiles, which tfx_bsl's sketch uses): boundary r of Q buckets is the
 * value at sorted position floor(r n / Q), the last value when that reaches n; a quantile q is the value
 * at floor(q n). tf.Transform is itself exact until its sketch compresses (epsilon 0.01 on large data).
 */

/** Every finite value (NaN, missing, and ±Infinity are left out). */
export class ValueBuffer {
  private data = new Float64Array(1024);
  private n = 0;

  add(x: Float64Array, length: number): void {
    if (this.n + length > this.data.length) {
      const grown = new Float64Array(Math.max(this.n + length, this.data.length * 2));
      grown.set(this.data.subarray(0, this.n));
      this.data = grown;
    }
    const d = this.data;
    let n = this.n;
    for (let r = 0; r < length; r++) {
      const v = x[r]!;
      if (v - v === 0) d[n++] = v; // finite values only
    }
    this.n = n;
  }

  /** The values kept, in no particular order (a view: selecting reorders it). */
  values(): Float64Array {
    return this.data.subarray(0, this.n);
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

function insertionSort(a: Float64Array, lo: number, hi: number): void {
  for (let i = lo + 1; i <= hi; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= lo && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}

/** Put the k-th smallest of a[lo..hi] at k, smaller-or-equal values before it and greater-or-equal after. */
function selectOne(a: Float64Array, lo: number, hi: number, k: number): void {
  while (hi - lo > 16) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < a[lo]!) swap(a, mid, lo);
    if (a[hi]! < a[lo]!) swap(a, hi, lo);
    if (a[hi]! < a[mid]!) swap(a, hi, mid);
    const pivot = a[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) swap(a, i++, j--);
    }
    // a[lo..j] <= pivot <= a[i..hi]; between them every value equals the pivot
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
  insertionSort(a, lo, hi);
}

/** Put each of the ascending `ranks` (within lo..hi) where a full sort would put it. */
function selectRanks(a: Float64Array, lo: number, hi: number, ranks: readonly number[], first: number, last: number): void {
  if (first > last || lo > hi) return;
  const m = (first + last) >>> 1;
  const k = ranks[m]!;
  selectOne(a, lo, hi, k);
  selectRanks(a, lo, k - 1, ranks, first, m - 1);
  selectRanks(a, k + 1, hi, ranks, m + 1, last);
}

/** The values at these sorted positions (any order of `values` in; it is reordered). */
export function valuesAtRanks(values: Float64Array, ranks: readonly number[]): number[] {
  const distinct = [...new Set(ranks)].sort((x, y) => x - y);
  selectRanks(values, 0, values.length - 1, distinct, 0, distinct.length - 1);
  return ranks.map((r) => values[r]!);
}

/** tf.Transform's quantile boundaries: num_buckets - 1 values (zeros without values). */
export function quantileBoundaries(values: Float64Array, numBuckets: number): number[] {
  const n = values.length;
  if (n === 0) return new Array<number>(numBuckets - 1).fill(0);
  const ranks = Array.from({ length: numBuckets - 1 }, (_, i) => Math.min(Math.floor(((i + 1) * n) / numBuckets), n - 1));
  return valuesAtRanks(values, ranks);
}

/** The q-quantile by the same rank rule; null without values. */
export function quantileOf(values: Float64Array, q: number): number | null {
  const n = values.length;
  return n === 0 ? null : valuesAtRanks(values, [Math.min(Math.floor(q * n), n - 1)])[0]!;
}
