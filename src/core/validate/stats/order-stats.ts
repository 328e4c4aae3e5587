/** Exact quantiles and histogram of the kept values, by partial sorting (see the design notes in ./index.ts). */
import { Rng } from '../../math/random';
import { binValues, histogramEdges } from './histogram';
import type { Histogram } from './types';

/**
 * Move the order statistics at `ranks` (sorted, distinct, in [0, n)) into place: afterwards a[r] is the
 * r-th smallest value for each requested r (a partial sort). Multi-quickselect with three-way
 * partitioning (many equal values are common: integers, zeros), random median-of-3 pivots, and a full sort
 * of a range that recurses too deep (so the worst case stays O(n log n)).
 */
export function selectRanks(a: Float64Array, ranks: readonly number[]): void {
  const rng = new Rng(0x2545f491);
  const limit = 2 * Math.ceil(Math.log2(a.length + 1)) + 8;
  const pick = (lo: number, hi: number) => a[lo + rng.int(hi - lo + 1)]!;
  const visit = (lo: number, hi: number, r0: number, r1: number, depth: number): void => {
    // ranks[r0..r1) fall in [lo, hi]
    while (r0 < r1) {
      if (hi - lo < 24 || depth > limit) {
        a.subarray(lo, hi + 1).sort();
        return;
      }
      depth++;
      const x = pick(lo, hi);
      const y = pick(lo, hi);
      const z = pick(lo, hi);
      const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
      // Dijkstra's three-way partition: [lo, lt) < pivot, [lt, i) == pivot, (gt, hi] > pivot
      let lt = lo;
      let gt = hi;
      let i = lo;
      while (i <= gt) {
        const v = a[i]!;
        if (v < pivot) {
          a[i++] = a[lt]!;
          a[lt++] = v;
        } else if (v > pivot) {
          a[i] = a[gt]!;
          a[gt--] = v;
        } else i++;
      }
      // split the ranks: below lt, inside [lt, gt] (already in place), above gt
      let m0 = r0;
      while (m0 < r1 && ranks[m0]! < lt) m0++;
      let m1 = m0;
      while (m1 < r1 && ranks[m1]! <= gt) m1++;
      // recurse into the smaller side, loop on the larger one
      if (lt - lo < hi - gt) {
        visit(lo, lt - 1, r0, m0, depth);
        lo = gt + 1;
        r0 = m1;
      } else {
        visit(gt + 1, hi, m1, r1, depth);
        hi = lt - 1;
        r1 = m0;
      }
    }
  };
  visit(0, a.length - 1, 0, ranks.length, 0);
}

/** The order statistics type7Quantile reads for each level. */
export function quantileRanks(n: number, levels: readonly number[]): number[] {
  const ranks = new Set<number>();
  for (const q of levels) {
    const lo = Math.min(Math.floor(q * (n - 1)), n - 1);
    ranks.add(lo);
    if (lo + 1 < n) ranks.add(lo + 1);
  }
  return [...ranks].sort((x, y) => x - y);
}

const FINE_BINS_PER_BIN = 128;
const SMALL = 4096;
let binScratch = new Uint16Array(0);

/**
 * Histogram and the order statistics at `ranks` of unsorted finite values, without sorting them all:
 * one pass puts the values into fine equal-width bins (128 per histogram bin; their edges include the
 * histogram's edges exactly, since both are min (1 - t) + max t with the same t = i/B, and this is checked),
 * the fine counts tell which fine bins hold the wanted ranks, and only those bins' values are gathered and
 * partially sorted (selectRanks). Small or odd inputs fall back to selectRanks on all values (reordering them).
 */
export function exactOrderStats(values: Float64Array, min: number, max: number, bins: number, ranks: number[]): { histogram: Histogram; at: (rank: number) => number } {
  const n = values.length;
  const edgeList = histogramEdges(min, max, bins);
  const edges = Float64Array.from(edgeList);
  const b = edges.length - 1;
  const counts = new Float64Array(b);
  const histogram = (): Histogram => ({ edges: edgeList, counts: Array.from(counts) });
  const per = Math.min(FINE_BINS_PER_BIN, Math.floor(65535 / b));
  const fine = b * per;
  const fineEdges = n > SMALL && per >= 2 ? Float64Array.from(histogramEdges(min, max, fine)) : null;
  let aligned = fineEdges !== null && fineEdges.length === fine + 1;
  for (let i = 0; aligned && i <= b; i++) if (fineEdges![i * per] !== edges[i]) aligned = false;
  if (!aligned) {
    binValues(values, edges, counts, null);
    selectRanks(values, ranks);
    return { histogram: histogram(), at: (r) => values[r]! };
  }
  if (binScratch.length < n) binScratch = new Uint16Array(Math.max(n, binScratch.length * 2));
  const binOf = binScratch;
  const fineCounts = new Float64Array(fine);
  binValues(values, fineEdges!, fineCounts, binOf);
  for (let j = 0; j < fine; j++) counts[Math.floor(j / per)]! += fineCounts[j]!;
  // the fine bin of each wanted rank; values in unwanted bins below it shift its rank among the candidates
  const needed = new Uint8Array(fine);
  const rankBin = new Int32Array(ranks.length);
  let cum = 0;
  let j = 0;
  ranks.forEach((r, t) => {
    while (cum + fineCounts[j]! <= r) cum += fineCounts[j++]!;
    rankBin[t] = j;
    needed[j] = 1;
  });
  const skippedBefore = new Float64Array(fine + 1);
  let m = 0;
  for (let k = 0; k < fine; k++) {
    skippedBefore[k + 1] = skippedBefore[k]! + (needed[k] ? 0 : fineCounts[k]!);
    if (needed[k]) m += fineCounts[k]!;
  }
  const candidates = new Float64Array(m);
  let c = 0;
  for (let i = 0; i < n; i++) if (needed[binOf[i]!] === 1) candidates[c++] = values[i]!;
  const local = ranks.map((r, t) => r - skippedBefore[rankBin[t]!]!);
  selectRanks(candidates, local);
  const byRank = new Map<number, number>();
  ranks.forEach((r, t) => byRank.set(r, candidates[local[t]!]!));
  return { histogram: histogram(), at: (r) => byRank.get(r)! };
}
