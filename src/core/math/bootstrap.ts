/**
 * The Poisson bootstrap (Chamandy et al. 2012; TFMA does the same): each replicate gives every row an
 * independent Poisson(1) weight instead of drawing n rows with replacement, so rows need no index arrays
 * and a replicate's metrics come from weighted sums in one pass. The interval is the percentile interval
 * (Efron) of the replicates that define the metric. Used by evaluate's slices and fairness indicators.
 */
import { quantileSorted } from './quantile';
import { MULBERRY32_STEP, type Rng } from './random';

/** A bootstrap percentile interval and how many replicates defined the metric. */
export interface Interval {
  lo: number;
  hi: number;
  replicates: number;
}

/** Percentile interval of replicate values; NaN replicates (metric undefined) are left out. */
export function percentileInterval(replicates: ArrayLike<number>, level: number): Interval | null {
  const valid = Float64Array.from(Array.prototype.filter.call(replicates, (v: number) => !Number.isNaN(v)) as number[]).sort();
  // fewer than two defined replicates say nothing about spread
  if (valid.length < 2) return null;
  const a = (1 - level) / 2;
  return { lo: quantileSorted(valid, a), hi: quantileSorted(valid, 1 - a), replicates: valid.length };
}

/** P(Poisson(1) <= k) * 2^32 for k = 0..15: a uint32 below entry k means a draw <= k (tail < 1e-13). */
const POISSON1_CDF32 = (() => {
  const cdf = new Float64Array(16);
  let p = Math.exp(-1);
  let c = 0;
  for (let k = 0; k < 16; k++) {
    c += p;
    cdf[k] = Math.min(4294967296, c * 4294967296);
    p /= k + 1;
  }
  return cdf;
})();

/**
 * Fill `out` with Poisson(1) draws by inversion. The stream is seeded from `rng` and runs Rng's own
 * mulberry32 step (random.ts) inline: a method call per row made the bootstrap five times slower, and
 * even a call to mulberry32Output about twice as slow.
 */
export function fillPoisson1(rng: Rng, out: Uint8Array): void {
  let state = rng.nextUint32() | 0;
  const cdf = POISSON1_CDF32;
  for (let i = 0; i < out.length; i++) {
    state = (state + MULBERRY32_STEP) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = (t ^ (t >>> 14)) >>> 0;
    let k = 0;
    while (k < 15 && u >= cdf[k]!) k++;
    out[i] = k;
  }
}
