/**
 * Streaming per-column statistics of a dataset version (TFDV's DatasetFeatureStatistics, reshaped), fed one
 * Arrow record batch at a time and read straight from the column buffers.
 *
 * Design (the numbers that bound memory and error):
 * - Moments: per batch, the finite values are copied into a scratch buffer; the batch's mean and sum of
 *   squared deviations are computed there in two passes and combined into the running totals with Chan et
 *   al.'s parallel update (the same rule merges two accumulators), so std stays accurate for data with a
 *   large mean. std is the population standard deviation. NaN and ±Infinity are counted apart and left out
 *   of mean, std, min, max, quantiles and histogram.
 * - Quantiles and histogram are exact while a column has at most `maxExactValues` finite values: the values
 *   are kept in a Float64Array (8 bytes each; min and max are unknown until the end, so the values cannot
 *   be binned on the fly, and a second pass over IndexedDB costs more than the memory). At finish() one
 *   pass bins them into 128 fine bins per histogram bin (plus a shared 2-byte-per-value scratch), and only
 *   the fine bins that hold a wanted order statistic are partially sorted (exactOrderStats): about 30 ms
 *   per million values instead of 100 ms for a full sort. Past the cap the values move into a KLL sketch
 *   (k = 200: about 3k retained numbers, ~1.3% rank error) and quantiles and bin counts become approximate
 *   (`exact: false`, `rankError`). The default budget is 20 x 2^20 values (160 MB) spread over the numeric
 *   columns of a run (so 1M x 20 stays exact even when all 20 are numeric), per accumulator at least 64k and
 *   at most 8M values. A label breakdown at most doubles it (the groups partition the rows).
 * - Quantiles (exact mode) interpolate linearly between order statistics (Hyndman & Fan type 7, numpy's
 *   default): position h = q (n - 1), value = x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]).
 *   In sketch mode a quantile is the retained value whose cumulative weight first passes q (n - 1).
 * - Histogram: `histogramBins` equal-width bins over [min, max] of the finite values; edge i is
 *   min (1 - i/B) + max (i/B) (no overflow, and the end edges are exactly min and max). Bin i holds
 *   edge[i] <= x < edge[i+1]; the last bin is closed. With min === max there is one bin [min, min].
 *   -0 is reported as 0 everywhere (JSON has no -0).
 * - Categorical and text values go through a ValueCounter (see sketches.ts): exact counts and distinct
 *   count up to `maxTrackedValues` distinct values (default 8192), Misra-Gries counts and a HyperLogLog
 *   distinct count beyond (bounded memory at any number of distinct values). String lengths are in Unicode
 *   code points.
 */
import type { Data, RecordBatch } from 'apache-arrow';
import { DataType } from 'apache-arrow';
import type { ColumnType } from '../data/types';
import { COLUMN_TYPES } from '../data/types';
import { type7Quantile } from '../math/quantile';
import { Rng } from '../math/random';
import {
  DictionaryCache,
  StatsInputError,
  codePoints,
  forEachChunk,
  indicesOf,
  numbersOf,
  rowsIn,
  stringParts,
  typeError,
  utf8,
  validityOf,
  type Input,
} from './arrowread';
import { KllSketch, ValueCounter, valueKey } from './sketches';

export { StatsInputError } from './arrowread';

// ---------------------------------------------------------------------------------------------------------
// Result types (plain JSON: no NaN, no Infinity, no typed arrays)

export interface Histogram {
  /** B + 1 ascending edges; edges[0] = min, edges[B] = max. */
  edges: number[];
  /** B counts; bin i is [edges[i], edges[i+1]), the last bin is closed. */
  counts: number[];
}

export interface Quantile {
  q: number;
  value: number;
}

/** Distribution of finite numbers. Null fields mean there was no finite value. */
export interface NumericSummary {
  /** Finite values (those behind mean, std, quantiles and histogram). */
  finite: number;
  nan: number;
  posInf: number;
  negInf: number;
  zeros: number;
  mean: number | null;
  /** Population standard deviation; null also when it overflows (values beyond about ±1e154). */
  std: number | null;
  min: number | null;
  max: number | null;
  median: number | null;
  quantiles: Quantile[];
  histogram: Histogram | null;
  /** Quantiles and histogram are exact (else they come from a KLL sketch). */
  exact: boolean;
  /** Bound on the normalized rank error of quantiles and bin counts (0 when exact). */
  rankError: number;
}

interface CommonStats {
  name: string;
  type: ColumnType;
  /** Rows seen, present or missing. */
  count: number;
  /** Rows where the value is missing (Arrow null). */
  missing: number;
}

export interface NumericStats extends CommonStats, NumericSummary {
  kind: 'numeric';
}

export interface ValueCount {
  value: string;
  count: number;
}

export interface StringStats extends CommonStats {
  kind: 'string';
  /** Distinct present values: exact when uniqueExact, else a HyperLogLog estimate (~0.8% error). */
  unique: number;
  uniqueExact: boolean;
  /** Most frequent values, count descending then value ascending, at most `maxValueCounts` of them. */
  topValues: ValueCount[];
  /** topValues lists every distinct value with its exact count. */
  topValuesComplete: boolean;
  /** Each listed count may be below the truth by at most this (0 = exact); unlisted values occur at most this often plus the last listed count. */
  countError: number;
  /** Lengths of present values in code points; null when none is present. */
  length: { min: number; mean: number; max: number } | null;
}

export interface BooleanStats extends CommonStats {
  kind: 'boolean';
  trueCount: number;
  falseCount: number;
}

export interface ImageStats extends CommonStats {
  kind: 'image';
  /** Encoded size in bytes of each present image. */
  bytes: NumericSummary;
  /** From imageInfo; null when no imageInfo function was given. */
  width: NumericSummary | null;
  height: NumericSummary | null;
  /** Images by channel count, most frequent first. */
  channels: { channels: number; count: number }[];
  /** Present images whose header imageInfo could not read. */
  unreadable: number;
}

export type ColumnStats = NumericStats | StringStats | BooleanStats | ImageStats;

export interface GroupStats {
  rowCount: number;
  columns: ColumnStats[];
}

export interface LabelGroupStats extends GroupStats {
  /** The label value as text (categorical/text value, 'true'/'false', or the number); null = label missing. */
  label: string | null;
  /** True for the group that collects every label value past `maxLabelValues`. */
  other: boolean;
}

export interface DatasetStats extends GroupStats {
  labelColumn: string | null;
  /** Stats per label value (largest group first, the missing-label and 'other' groups last). */
  byLabel: LabelGroupStats[] | null;
}

export interface ImageInfo {
  width: number;
  height: number;
  channels: number;
}

export interface ColumnSpec {
  name: string;
  type: ColumnType;
}

export interface StatsOptions {
  /** Equal-width histogram bins (default 20). */
  histogramBins?: number;
  /** Quantile levels in [0, 1] (default 0, 0.1, ..., 1). */
  quantiles?: readonly number[];
  /** Finite values kept for exact quantiles per numeric accumulator (default: from `exactValueBudget`). */
  maxExactValues?: number;
  /** Values kept for exact quantiles over all numeric columns of a run (default 20 x 2^20 = 160 MB). */
  exactValueBudget?: number;
  /** KLL parameter past the exact cap (default 200). */
  kllK?: number;
  /** Distinct string values counted exactly before the sketch takes over (default 8192). */
  maxTrackedValues?: number;
  /** Values listed in topValues (default 1000). */
  maxValueCounts?: number;
  /** Reads width, height and channels from an image's header (e.g. imageSize of core/data/png). */
  imageInfo?: (bytes: Uint8Array) => ImageInfo | null;
  /**
   * Rows the version is expected to have (its metadata knows): numeric value stores are allocated once at
   * that size instead of growing by doubling. Only a hint; more or fewer rows work.
   */
  expectedRows?: number;
  /** Break the statistics down by this column's values. */
  labelColumn?: string | null;
  /** Label values with their own group (default 32); later values share an 'other' group. */
  maxLabelValues?: number;
}

const DEFAULT_QUANTILES = Array.from({ length: 11 }, (_, i) => i / 10);
// 20 x 2^20: 1M rows x 20 numeric columns fit (16 x 2^20 left 17+ numeric columns to the slow sketch)
const DEFAULT_EXACT_BUDGET = 20 * 1024 * 1024;
const MIN_EXACT_PER_COLUMN = 65_536;
const MAX_EXACT_PER_COLUMN = 8 * 1024 * 1024;

interface ResolvedOptions {
  bins: number;
  quantiles: readonly number[];
  maxExactValues: number;
  expectedRows: number;
  kllK: number;
  maxTrackedValues: number;
  maxValueCounts: number;
  imageInfo: ((bytes: Uint8Array) => ImageInfo | null) | null;
}

function resolve(options: StatsOptions, numericAccumulators: number): ResolvedOptions {
  const bins = options.histogramBins ?? 20;
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError('histogramBins must be a positive integer');
  const quantiles = options.quantiles ?? DEFAULT_QUANTILES;
  for (const q of quantiles) if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile level ${q} is not in [0, 1]`);
  const budget = options.exactValueBudget ?? DEFAULT_EXACT_BUDGET;
  const perColumn = Math.min(MAX_EXACT_PER_COLUMN, Math.max(MIN_EXACT_PER_COLUMN, Math.floor(budget / Math.max(1, numericAccumulators))));
  return {
    bins,
    quantiles,
    maxExactValues: options.maxExactValues ?? perColumn,
    expectedRows: options.expectedRows ?? 0,
    kllK: options.kllK ?? 200,
    maxTrackedValues: options.maxTrackedValues ?? 8192,
    maxValueCounts: options.maxValueCounts ?? 1000,
    imageInfo: options.imageInfo ?? null,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Numbers

let finiteScratch = new Float64Array(0);
function scratchFor(n: number): Float64Array {
  if (finiteScratch.length < n) finiteScratch = new Float64Array(Math.max(n, finiteScratch.length * 2, 1024));
  return finiteScratch;
}

/** Moments, extremes and the value store of finite numbers; shared by numeric columns and image sizes. */
class NumberSummarizer {
  finite = 0;
  nan = 0;
  posInf = 0;
  negInf = 0;
  zeros = 0;
  mean = 0;
  /** Sum of squared deviations from the mean. */
  m2 = 0;
  min = Infinity;
  max = -Infinity;
  private store: Float64Array | null = new Float64Array(0);
  private stored = 0;
  private kll: KllSketch | null = null;

  constructor(private readonly opts: ResolvedOptions) {}

  /** Add the finite values buf[0..m). */
  addFinite(buf: Float64Array, m: number): void {
    if (m === 0) return;
    let sum = 0;
    let min = this.min;
    let max = this.max;
    let zeros = 0;
    for (let i = 0; i < m; i++) {
      const x = buf[i]!;
      sum += x;
      if (x < min) min = x;
      if (x > max) max = x;
      if (x === 0) zeros++;
    }
    const bm = sum / m;
    let m2 = 0;
    if (bm - bm === 0) {
      for (let i = 0; i < m; i++) {
        const d = buf[i]! - bm;
        m2 += d * d;
      }
      this.combine(m, bm, m2);
    } else {
      // the sum overflowed (values near ±1.8e308): fall back to Welford, which never forms the sum
      let n = 0;
      let mean = 0;
      for (let i = 0; i < m; i++) {
        n++;
        const x = buf[i]!;
        const d = x - mean;
        mean += x / n - mean / n;
        m2 += d * (x - mean);
      }
      this.combine(m, mean, m2);
    }
    this.min = min;
    this.max = max;
    this.zeros += zeros;
    this.keep(buf, m);
  }

  /** Chan et al.: merge (n_b, mean_b, M2_b) into the running (n_a, mean_a, M2_a). */
  private combine(nb: number, meanB: number, m2B: number): void {
    const na = this.finite;
    if (na === 0) {
      this.finite = nb;
      this.mean = meanB;
      this.m2 = m2B;
      return;
    }
    const n = na + nb;
    const delta = meanB - this.mean;
    // a weighted average cannot overflow where the difference of two means near ±1.8e308 can
    this.mean = delta - delta === 0 ? this.mean + delta * (nb / n) : (na / n) * this.mean + (nb / n) * meanB;
    this.m2 += m2B + ((delta * delta * na) / n) * nb;
    this.finite = n;
  }

  private keep(buf: Float64Array, m: number): void {
    if (this.store !== null) {
      if (this.stored + m <= this.opts.maxExactValues) {
        if (this.store.length < this.stored + m) {
          const cap = this.opts.maxExactValues;
          // the first allocation takes the expected size; later ones double
          const want = this.store.length === 0 ? Math.max(this.stored + m, this.opts.expectedRows) : Math.max(this.stored + m, this.store.length * 2);
          const grown = new Float64Array(Math.min(cap, want));
          grown.set(this.store.subarray(0, this.stored));
          this.store = grown;
        }
        this.store.set(buf.subarray(0, m), this.stored);
        this.stored += m;
        return;
      }
      this.toSketch();
    }
    this.kll!.addAll(buf, 0, m);
  }

  private toSketch(): void {
    const kll = new KllSketch(this.opts.kllK);
    if (this.store !== null) kll.addAll(this.store, 0, this.stored);
    this.kll = kll;
    this.store = null;
    this.stored = 0;
  }

  merge(o: NumberSummarizer): void {
    this.combine(o.finite, o.mean, o.m2);
    this.nan += o.nan;
    this.posInf += o.posInf;
    this.negInf += o.negInf;
    this.zeros += o.zeros;
    if (o.min < this.min) this.min = o.min;
    if (o.max > this.max) this.max = o.max;
    if (o.store !== null) {
      if (this.store !== null && this.stored + o.stored <= this.opts.maxExactValues) {
        const merged = new Float64Array(this.stored + o.stored);
        merged.set(this.store.subarray(0, this.stored));
        merged.set(o.store.subarray(0, o.stored), this.stored);
        this.store = merged;
        this.stored = merged.length;
      } else {
        if (this.kll === null) this.toSketch();
        this.kll!.addAll(o.store, 0, o.stored);
      }
    } else {
      if (this.kll === null) this.toSketch();
      this.kll!.merge(o.kll!);
    }
  }

  /** Numbers retained for quantiles (memory use in 8-byte values). */
  get retained(): number {
    return this.store !== null ? this.store.length : this.kll!.retained;
  }

  summary(): NumericSummary {
    const base = { finite: this.finite, nan: this.nan, posInf: this.posInf, negInf: this.negInf, zeros: this.zeros };
    if (this.finite === 0) {
      return { ...base, mean: null, std: null, min: null, max: null, median: null, quantiles: [], histogram: null, exact: true, rankError: 0 };
    }
    const opts = this.opts;
    const exact = this.store !== null;
    const std = Math.sqrt(this.m2 / this.finite);
    let quantile: (q: number) => number;
    let histogram: Histogram;
    if (this.store !== null) {
      const values = this.store.subarray(0, this.stored);
      const n = values.length;
      const os = exactOrderStats(values, this.min, this.max, opts.bins, quantileRanks(n, [0.5, ...opts.quantiles]));
      quantile = (q) => type7Quantile(os.at, n, q);
      histogram = os.histogram;
    } else {
      const { items, cumulative } = this.kll!.sortedView();
      quantile = (q) => sketchQuantile(items, cumulative, q);
      histogram = sketchHistogram(items, cumulative, this.min, this.max, opts.bins);
    }
    return {
      ...base,
      // + 0: report -0 as 0, as JSON would
      mean: this.mean + 0,
      std: std - std === 0 ? std : null,
      min: this.min + 0,
      max: this.max + 0,
      median: quantile(0.5) + 0,
      quantiles: opts.quantiles.map((q) => ({ q, value: quantile(q) + 0 })),
      histogram,
      exact,
      rankError: exact ? 0 : KllSketch.rankError(opts.kllK),
    };
  }
}

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
function quantileRanks(n: number, levels: readonly number[]): number[] {
  const ranks = new Set<number>();
  for (const q of levels) {
    const lo = Math.min(Math.floor(q * (n - 1)), n - 1);
    ranks.add(lo);
    if (lo + 1 < n) ranks.add(lo + 1);
  }
  return [...ranks].sort((x, y) => x - y);
}

/**
 * Count finite values per bin of `edges` (bin i = [e_i, e_i+1), the last closed) in one pass: a bin guess
 * by arithmetic, corrected against the edges so membership is exactly by comparison. Optionally records
 * each value's bin.
 */
function binValues(values: Float64Array, edges: Float64Array, counts: Float64Array, binOf: Uint16Array | null): void {
  const b = edges.length - 1;
  // halves keep max - min from overflowing near ±1.8e308; the guess is corrected below anyway
  const half = edges[0]! / 2;
  const scale = b / (edges[b]! / 2 - half);
  // min === max gives an infinite scale: start every guess at bin 0
  const usable = scale - scale === 0;
  const last = b - 1;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    let k = usable ? Math.floor((x / 2 - half) * scale) : 0;
    if (!(k >= 0)) k = 0;
    else if (k > last) k = last;
    while (k > 0 && x < edges[k]!) k--;
    while (k < last && x >= edges[k + 1]!) k++;
    counts[k]!++;
    if (binOf !== null) binOf[i] = k;
  }
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
function exactOrderStats(values: Float64Array, min: number, max: number, bins: number, ranks: number[]): { histogram: Histogram; at: (rank: number) => number } {
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

function sketchQuantile(items: Float64Array, cumulative: Float64Array, q: number): number {
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

/** Equal-width histogram edges over [min, max] (see the header comment). */
export function histogramEdges(min: number, max: number, bins: number): number[] {
  // + 0 turns -0 into 0 (JSON has no -0; the statistics report 0)
  min += 0;
  max += 0;
  if (min === max) return [min, min];
  const edges = new Array<number>(bins + 1);
  edges[0] = min;
  for (let i = 1; i < bins; i++) {
    const t = i / bins;
    const e = min * (1 - t) + max * t;
    edges[i] = e < edges[i - 1]! ? edges[i - 1]! : e;
  }
  edges[bins] = max;
  return edges;
}

/** Histogram from the KLL sketch's sorted values and cumulative weights. */
function sketchHistogram(items: Float64Array, cumulative: Float64Array, min: number, max: number, bins: number): Histogram {
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

/** Counters shared by the column accumulators. */
abstract class BaseAccumulator {
  count = 0;
  missing = 0;
  constructor(
    readonly name: string,
    readonly type: ColumnType,
  ) {}

  /** Add a column chunk (a Vector or Data), optionally only the rows in `rows` (ascending). */
  add(input: Input, rows: Int32Array | null = null): void {
    forEachChunk(input, rows, (data, sel) => {
      this.count += rowsIn(data, sel);
      this.addChunk(data, sel);
    });
  }

  protected abstract addChunk(data: Data, sel: Int32Array | null): void;
  abstract finish(): ColumnStats;

  protected mergeCommon(o: BaseAccumulator): void {
    if (o.name !== this.name || o.type !== this.type || o.constructor !== this.constructor) {
      throw new Error(`cannot merge statistics of "${o.name}" (${o.type}) into "${this.name}" (${this.type})`);
    }
    this.count += o.count;
    this.missing += o.missing;
  }

  protected common() {
    return { name: this.name, type: this.type, count: this.count, missing: this.missing };
  }
}

export class NumericAccumulator extends BaseAccumulator {
  readonly numbers: NumberSummarizer;

  constructor(name: string, type: ColumnType, opts: ResolvedOptions) {
    super(name, type);
    this.numbers = new NumberSummarizer(opts);
  }

  protected addChunk(data: Data, sel: Int32Array | null): void {
    const values = numbersOf(data, this.name, this.type);
    const bm = validityOf(data);
    const off = data.offset;
    const n = rowsIn(data, sel);
    const out = scratchFor(n);
    let m = 0;
    let missing = 0;
    let nan = 0;
    let posInf = 0;
    let negInf = 0;
    for (let r = 0; r < n; r++) {
      const i = sel === null ? r : sel[r]!;
      if (bm !== null) {
        const j = off + i;
        if ((bm[j >> 3]! & (1 << (j & 7))) === 0) {
          missing++;
          continue;
        }
      }
      const x = values[i]!;
      // x - x is 0 exactly for finite x, NaN for NaN and ±Infinity
      if (x - x === 0) out[m++] = x;
      else if (x !== x) nan++;
      else if (x > 0) posInf++;
      else negInf++;
    }
    this.missing += missing;
    const s = this.numbers;
    s.nan += nan;
    s.posInf += posInf;
    s.negInf += negInf;
    s.addFinite(out, m);
  }

  merge(o: NumericAccumulator): void {
    this.mergeCommon(o);
    this.numbers.merge(o.numbers);
  }

  finish(): NumericStats {
    return { kind: 'numeric', ...this.common(), ...this.numbers.summary() };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Strings (categorical and text)

let countScratch = new Int32Array(0);

export class StringAccumulator extends BaseAccumulator {
  readonly values: ValueCounter;
  private lengthMin = Infinity;
  private lengthMax = -Infinity;
  private lengthSum = 0;
  private readonly dictionaries = new DictionaryCache();

  constructor(
    name: string,
    type: ColumnType,
    private readonly opts: ResolvedOptions,
  ) {
    super(name, type);
    this.values = new ValueCounter(opts.maxTrackedValues);
  }

  protected addChunk(data: Data, sel: Int32Array | null): void {
    if (DataType.isDictionary(data.type)) this.addDictionary(data, sel);
    else this.addUtf8(data, sel);
  }

  /** Count dictionary indices in an Int32Array first, then decode only the entries that occur. */
  private addDictionary(data: Data, sel: Int32Array | null): void {
    const dict = this.dictionaries.get(data, this.name, this.type);
    const size = dict.size;
    if (countScratch.length < size + 1) countScratch = new Int32Array(Math.max(size + 1, countScratch.length * 2));
    const counts = countScratch;
    counts.fill(0, 0, size + 1);
    const idx = indicesOf(data);
    const bm = validityOf(data);
    const off = data.offset;
    const n = rowsIn(data, sel);
    let missing = 0;
    for (let r = 0; r < n; r++) {
      const i = sel === null ? r : sel[r]!;
      if (bm !== null) {
        const j = off + i;
        if ((bm[j >> 3]! & (1 << (j & 7))) === 0) {
          missing++;
          continue;
        }
      }
      const k = idx[i]!;
      // an index outside the dictionary reads as missing (slot `size` collects them)
      counts[k >= 0 && k < size ? k : size]!++;
    }
    missing += counts[size]!;
    for (let k = 0; k < size; k++) {
      const c = counts[k]!;
      if (c === 0) continue;
      const s = dict.get(k);
      if (s === null) {
        missing += c;
        continue;
      }
      const len = dict.length(k);
      if (len < this.lengthMin) this.lengthMin = len;
      if (len > this.lengthMax) this.lengthMax = len;
      this.lengthSum += len * c;
      this.values.add(valueKey(s), c);
    }
    this.missing += missing;
  }

  private addUtf8(data: Data, sel: Int32Array | null): void {
    const { offsets, bytes } = stringParts(data, this.name, this.type);
    const bm = validityOf(data);
    const off = data.offset;
    const n = rowsIn(data, sel);
    const values = this.values;
    let missing = 0;
    let lmin = this.lengthMin;
    let lmax = this.lengthMax;
    let lsum = 0;
    for (let r = 0; r < n; r++) {
      const i = sel === null ? r : sel[r]!;
      if (bm !== null) {
        const j = off + i;
        if ((bm[j >> 3]! & (1 << (j & 7))) === 0) {
          missing++;
          continue;
        }
      }
      const a = offsets[i]!;
      const b = offsets[i + 1]!;
      const len = codePoints(bytes, a, b);
      if (len < lmin) lmin = len;
      if (len > lmax) lmax = len;
      lsum += len;
      values.add(valueKey(utf8(bytes, a, b)), 1);
    }
    this.missing += missing;
    this.lengthMin = lmin;
    this.lengthMax = lmax;
    this.lengthSum += lsum;
  }

  merge(o: StringAccumulator): void {
    this.mergeCommon(o);
    this.values.merge(o.values);
    this.lengthMin = Math.min(this.lengthMin, o.lengthMin);
    this.lengthMax = Math.max(this.lengthMax, o.lengthMax);
    this.lengthSum += o.lengthSum;
  }

  finish(): StringStats {
    const present = this.count - this.missing;
    const v = this.values;
    const top = v.sorted(this.opts.maxValueCounts);
    return {
      kind: 'string',
      ...this.common(),
      unique: v.distinct(),
      uniqueExact: v.exact,
      topValues: top,
      topValuesComplete: v.exact && top.length === v.counts.size,
      countError: v.error,
      length: present > 0 ? { min: this.lengthMin, mean: this.lengthSum / present, max: this.lengthMax } : null,
    };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Booleans

export class BooleanAccumulator extends BaseAccumulator {
  trueCount = 0;
  falseCount = 0;

  protected addChunk(data: Data, sel: Int32Array | null): void {
    if (!DataType.isBool(data.type)) throw typeError(this.name, this.type, data.type);
    const bits = data.values as Uint8Array;
    const bm = validityOf(data);
    const off = data.offset;
    const n = rowsIn(data, sel);
    let missing = 0;
    let t = 0;
    for (let r = 0; r < n; r++) {
      const j = off + (sel === null ? r : sel[r]!);
      if (bm !== null && (bm[j >> 3]! & (1 << (j & 7))) === 0) {
        missing++;
        continue;
      }
      t += (bits[j >> 3]! >> (j & 7)) & 1;
    }
    this.missing += missing;
    this.trueCount += t;
    this.falseCount += n - missing - t;
  }

  merge(o: BooleanAccumulator): void {
    this.mergeCommon(o);
    this.trueCount += o.trueCount;
    this.falseCount += o.falseCount;
  }

  finish(): BooleanStats {
    return { kind: 'boolean', ...this.common(), trueCount: this.trueCount, falseCount: this.falseCount };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Images

export class ImageAccumulator extends BaseAccumulator {
  readonly bytes: NumberSummarizer;
  readonly width: NumberSummarizer;
  readonly height: NumberSummarizer;
  readonly channels = new Map<number, number>();
  unreadable = 0;

  constructor(
    name: string,
    type: ColumnType,
    private readonly opts: ResolvedOptions,
  ) {
    super(name, type);
    this.bytes = new NumberSummarizer(opts);
    this.width = new NumberSummarizer(opts);
    this.height = new NumberSummarizer(opts);
  }

  protected addChunk(data: Data, sel: Int32Array | null): void {
    const { offsets, bytes } = stringParts(data, this.name, this.type);
    const bm = validityOf(data);
    const off = data.offset;
    const n = rowsIn(data, sel);
    const info = this.opts.imageInfo;
    // three value lists live at once, so they get their own buffers rather than the shared scratch
    const sizes = new Float64Array(n);
    const widths = info ? new Float64Array(n) : sizes;
    const heights = info ? new Float64Array(n) : sizes;
    let m = 0;
    let mi = 0;
    let missing = 0;
    for (let r = 0; r < n; r++) {
      const i = sel === null ? r : sel[r]!;
      const j = off + i;
      if (bm !== null && (bm[j >> 3]! & (1 << (j & 7))) === 0) {
        missing++;
        continue;
      }
      const a = offsets[i]!;
      const b = offsets[i + 1]!;
      sizes[m++] = b - a;
      if (info) {
        let d: ImageInfo | null = null;
        try {
          d = info(bytes.subarray(a, b));
        } catch {
          d = null;
        }
        if (d === null || !Number.isFinite(d.width) || !Number.isFinite(d.height)) {
          this.unreadable++;
          continue;
        }
        widths[mi] = d.width;
        heights[mi++] = d.height;
        this.channels.set(d.channels, (this.channels.get(d.channels) ?? 0) + 1);
      }
    }
    this.missing += missing;
    this.bytes.addFinite(sizes, m);
    if (info) {
      this.width.addFinite(widths, mi);
      this.height.addFinite(heights, mi);
    }
  }

  merge(o: ImageAccumulator): void {
    this.mergeCommon(o);
    this.bytes.merge(o.bytes);
    this.width.merge(o.width);
    this.height.merge(o.height);
    for (const [c, k] of o.channels) this.channels.set(c, (this.channels.get(c) ?? 0) + k);
    this.unreadable += o.unreadable;
  }

  finish(): ImageStats {
    const hasInfo = this.opts.imageInfo !== null;
    return {
      kind: 'image',
      ...this.common(),
      bytes: this.bytes.summary(),
      width: hasInfo ? this.width.summary() : null,
      height: hasInfo ? this.height.summary() : null,
      channels: [...this.channels].map(([channels, count]) => ({ channels, count })).sort((a, b) => b.count - a.count || a.channels - b.channels),
      unreadable: this.unreadable,
    };
  }
}

export type ColumnAccumulator = NumericAccumulator | StringAccumulator | BooleanAccumulator | ImageAccumulator;

function isNumericType(t: ColumnType): boolean {
  return t === 'number' || t === 'integer' || t === 'datetime';
}

/** Numeric value stores a column needs (images keep three: size, width, height). */
function numericStores(t: ColumnType): number {
  return isNumericType(t) ? 1 : t === 'image' ? 3 : 0;
}

/** An accumulator for one column. `numericColumns` spreads the exact-value budget (see StatsOptions). */
export function createAccumulator(spec: ColumnSpec, options: StatsOptions = {}, numericColumns = 1): ColumnAccumulator {
  return makeAccumulator(spec, resolve(options, numericColumns));
}

function makeAccumulator(spec: ColumnSpec, opts: ResolvedOptions): ColumnAccumulator {
  switch (spec.type) {
    case 'number':
    case 'integer':
    case 'datetime':
      return new NumericAccumulator(spec.name, spec.type, opts);
    case 'categorical':
    case 'text':
      return new StringAccumulator(spec.name, spec.type, opts);
    case 'boolean':
      return new BooleanAccumulator(spec.name, spec.type);
    case 'image':
      return new ImageAccumulator(spec.name, spec.type, opts);
    default:
      throw new StatsInputError(`column "${(spec as ColumnSpec).name}" has unknown type "${String((spec as ColumnSpec).type)}"`);
  }
}

function mergeAccumulator(a: ColumnAccumulator, b: ColumnAccumulator): void {
  // mergeCommon checks that both are the same kind of accumulator for the same column
  (a as { merge(o: ColumnAccumulator): void }).merge(b);
}

// ---------------------------------------------------------------------------------------------------------
// Whole batches

/** The columns of a batch with their logical types (field metadata 'pipette.type', else a guess). */
export function columnsOf(batch: RecordBatch): ColumnSpec[] {
  return batch.schema.fields.map((f) => {
    const t = f.metadata.get('pipette.type');
    if (t !== undefined && (COLUMN_TYPES as readonly string[]).includes(t)) return { name: f.name, type: t as ColumnType };
    return { name: f.name, type: guessType(f.name, f.type) };
  });
}

function guessType(name: string, t: DataType): ColumnType {
  if (DataType.isDictionary(t)) return 'categorical';
  if (DataType.isUtf8(t)) return 'text';
  if (DataType.isBool(t)) return 'boolean';
  if (DataType.isTimestamp(t) || DataType.isDate(t)) return 'datetime';
  if (DataType.isBinary(t)) return 'image';
  if (DataType.isInt(t)) return 'integer';
  if (DataType.isFloat(t)) return 'number';
  throw new StatsInputError(`column "${name}" has Arrow type ${String(t)}, which Pipette does not read`);
}

class Group {
  rowCount = 0;
  constructor(readonly columns: ColumnAccumulator[]) {}
  finish(): GroupStats {
    return { rowCount: this.rowCount, columns: this.columns.map((c) => c.finish()) };
  }
}

interface LabelGroup {
  label: string | null;
  other: boolean;
  group: Group;
}

const OTHER_KEY = '\u0000other';
const MISSING_KEY = '\u0000missing';

/**
 * Statistics of a whole version, one record batch at a time:
 *   const acc = new StatsAccumulator(columns, options); for (const b of batches) acc.add(b); acc.finish()
 * Accumulators over different parts of a version merge (`merge`) into the statistics of the whole.
 */
export class StatsAccumulator {
  readonly columns: readonly ColumnSpec[];
  private readonly opts: ResolvedOptions;
  private readonly overall: Group;
  private readonly labelColumn: string | null;
  private readonly labelIndex: number;
  private readonly maxLabelValues: number;
  private readonly labelGroups = new Map<string, LabelGroup>();
  private schemaCache: { schema: unknown; indices: number[] } | null = null;

  constructor(columns: readonly ColumnSpec[], options: StatsOptions = {}) {
    const names = new Set<string>();
    for (const c of columns) {
      if (names.has(c.name)) throw new StatsInputError(`column "${c.name}" appears twice`);
      names.add(c.name);
    }
    this.columns = columns.map((c) => ({ name: c.name, type: c.type }));
    let stores = 0;
    for (const c of columns) stores += numericStores(c.type);
    this.opts = resolve(options, stores);
    this.overall = this.newGroup();
    this.labelColumn = options.labelColumn ?? null;
    this.labelIndex = this.labelColumn === null ? -1 : columns.findIndex((c) => c.name === this.labelColumn);
    if (this.labelColumn !== null) {
      if (this.labelIndex < 0) throw new StatsInputError(`label column "${this.labelColumn}" is not a column of this version`);
      const lt = columns[this.labelIndex]!.type;
      if (lt === 'image' || lt === 'datetime') throw new StatsInputError(`label column "${this.labelColumn}" is ${lt}; a label must be categorical, text, boolean or a number`);
    }
    this.maxLabelValues = options.maxLabelValues ?? 32;
  }

  private newGroup(): Group {
    return new Group(this.columns.map((c) => makeAccumulator(c, this.opts)));
  }

  private indicesFor(batch: RecordBatch): number[] {
    if (this.schemaCache?.schema === batch.schema) return this.schemaCache.indices;
    const fields = batch.schema.fields;
    const indices = this.columns.map((c) => {
      const i = fields.findIndex((f) => f.name === c.name);
      if (i < 0) throw new StatsInputError(`a record batch has no column "${c.name}"`);
      return i;
    });
    this.schemaCache = { schema: batch.schema, indices };
    return indices;
  }

  add(batch: RecordBatch): void {
    const indices = this.indicesFor(batch);
    const n = batch.numRows;
    this.overall.rowCount += n;
    const vectors = indices.map((i) => batch.getChildAt(i)!);
    this.overall.columns.forEach((acc, c) => acc.add(vectors[c]!));
    if (this.labelColumn === null || n === 0) return;

    // group rows by label, then feed each group its rows (ascending) as a selection
    const { ids, groups } = this.labelIds(vectors[this.labelIndex]!.data, n);
    const sizes = new Int32Array(groups.length + 1);
    for (let i = 0; i < n; i++) sizes[ids[i]! + 1]!++;
    for (let g = 0; g < groups.length; g++) sizes[g + 1]! += sizes[g]!;
    const order = new Int32Array(n);
    const at = sizes.slice(0, groups.length);
    for (let i = 0; i < n; i++) order[at[ids[i]!]!++] = i;
    groups.forEach((lg, g) => {
      const sel = order.subarray(sizes[g]!, sizes[g + 1]!);
      if (sel.length === 0) return;
      lg.group.rowCount += sel.length;
      lg.group.columns.forEach((acc, c) => acc.add(vectors[c]!, sel.length === n ? null : sel));
    });
  }

  private groupFor(label: string | null): LabelGroup {
    const key = label === null ? MISSING_KEY : label;
    let lg = this.labelGroups.get(key);
    if (lg) return lg;
    if (label !== null) {
      let named = 0;
      for (const g of this.labelGroups.values()) if (!g.other && g.label !== null) named++;
      if (named >= this.maxLabelValues) {
        lg = this.labelGroups.get(OTHER_KEY);
        if (!lg) {
          lg = { label: null, other: true, group: this.newGroup() };
          this.labelGroups.set(OTHER_KEY, lg);
        }
        // later rows with this label go straight to 'other'
        this.labelGroups.set(key, lg);
        return lg;
      }
    }
    lg = { label, other: false, group: this.newGroup() };
    this.labelGroups.set(key, lg);
    return lg;
  }

  /** Per row, the index of its label group within `groups` (the groups this batch touches). */
  private labelIds(chunks: readonly Data[], n: number): { ids: Int32Array; groups: LabelGroup[] } {
    const ids = new Int32Array(n);
    const groups: LabelGroup[] = [];
    const local = new Map<LabelGroup, number>();
    const idOf = (label: string | null): number => {
      const lg = this.groupFor(label);
      let id = local.get(lg);
      if (id === undefined) {
        id = groups.length;
        groups.push(lg);
        local.set(lg, id);
      }
      return id;
    };
    const spec = this.columns[this.labelIndex]!;
    let row = 0;
    for (const data of chunks) {
      const bm = validityOf(data);
      const off = data.offset;
      const valid = (i: number) => bm === null || ((bm[(off + i) >> 3]! >> ((off + i) & 7)) & 1) === 1;
      const len = data.length;
      if (DataType.isDictionary(data.type)) {
        const dict = new DictionaryCache().get(data, spec.name, spec.type);
        const idx = indicesOf(data);
        const byIndex = new Int32Array(dict.size).fill(-1);
        const missingId = () => idOf(null);
        for (let i = 0; i < len; i++, row++) {
          const k = idx[i]!;
          if (!valid(i) || k < 0 || k >= dict.size) {
            ids[row] = missingId();
            continue;
          }
          let id = byIndex[k]!;
          if (id < 0) id = byIndex[k] = idOf(dict.get(k));
          ids[row] = id;
        }
      } else if (DataType.isUtf8(data.type)) {
        const { offsets, bytes } = stringParts(data, spec.name, spec.type);
        for (let i = 0; i < len; i++, row++) ids[row] = idOf(valid(i) ? utf8(bytes, offsets[i]!, offsets[i + 1]!) : null);
      } else if (DataType.isBool(data.type)) {
        const bits = data.values as Uint8Array;
        for (let i = 0; i < len; i++, row++) {
          const j = off + i;
          ids[row] = idOf(valid(i) ? ((bits[j >> 3]! >> (j & 7)) & 1 ? 'true' : 'false') : null);
        }
      } else {
        const values = numbersOf(data, spec.name, spec.type);
        for (let i = 0; i < len; i++, row++) {
          const x = values[i]!;
          ids[row] = idOf(valid(i) && x === x ? String(x) : null);
        }
      }
    }
    return { ids, groups };
  }

  merge(other: StatsAccumulator): void {
    if (other.columns.length !== this.columns.length || other.columns.some((c, i) => c.name !== this.columns[i]!.name || c.type !== this.columns[i]!.type)) {
      throw new Error('cannot merge statistics of different columns');
    }
    if (other.labelColumn !== this.labelColumn) throw new Error('cannot merge statistics with different label columns');
    mergeGroup(this.overall, other.overall);
    const seen = new Set<LabelGroup>();
    for (const lg of other.labelGroups.values()) {
      if (seen.has(lg)) continue;
      seen.add(lg);
      const target = lg.other ? this.otherGroup() : this.groupFor(lg.label);
      mergeGroup(target.group, lg.group);
    }
  }

  private otherGroup(): LabelGroup {
    let lg = this.labelGroups.get(OTHER_KEY);
    if (!lg) {
      lg = { label: null, other: true, group: this.newGroup() };
      this.labelGroups.set(OTHER_KEY, lg);
    }
    return lg;
  }

  finish(): DatasetStats {
    const overall = this.overall.finish();
    let byLabel: LabelGroupStats[] | null = null;
    if (this.labelColumn !== null) {
      const unique = [...new Set(this.labelGroups.values())];
      const rank = (g: LabelGroup) => (g.other ? 2 : g.label === null ? 1 : 0);
      unique.sort((a, b) => rank(a) - rank(b) || b.group.rowCount - a.group.rowCount || ((a.label ?? '') < (b.label ?? '') ? -1 : 1));
      byLabel = unique.map((g) => ({ label: g.label, other: g.other, ...g.group.finish() }));
    }
    return { ...overall, labelColumn: this.labelColumn, byLabel };
  }
}

function mergeGroup(a: Group, b: Group): void {
  a.rowCount += b.rowCount;
  a.columns.forEach((acc, i) => mergeAccumulator(acc, b.columns[i]!));
}

/**
 * Statistics of a version given as record batches. `columns` defaults to the first batch's columns; an
 * empty version (no batches) needs them to report its columns.
 */
export function computeStats(batches: Iterable<RecordBatch>, columns?: readonly ColumnSpec[] | null, options: StatsOptions = {}): DatasetStats {
  let acc: StatsAccumulator | null = columns ? new StatsAccumulator(columns, options) : null;
  for (const b of batches) {
    acc ??= new StatsAccumulator(columnsOf(b), options);
    acc.add(b);
  }
  return (acc ?? new StatsAccumulator([], options)).finish();
}

/** Find a column's statistics by name. */
export function columnStats(stats: GroupStats, name: string): ColumnStats | undefined {
  return stats.columns.find((c) => c.name === name);
}
