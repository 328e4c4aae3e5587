/** Moments, extremes and quantiles of finite numbers (see the design notes in ./index.ts). */
import { type7Quantile } from '../../math/quantile';
import { KllSketch } from '../sketches';
import { sketchHistogram, sketchQuantile } from './from-sketch';
import type { ResolvedOptions } from './options';
import { exactOrderStats, quantileRanks } from './order-stats';
import type { Histogram, NumericSummary } from './types';

/** Moments, extremes and the value store of finite numbers; shared by numeric columns and image sizes. */
export class NumberSummarizer {
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
