/**
 * Fairness indicators for a binary classifier and one sensitive column: per group, at each threshold of
 * a sweep (0.1 to 0.9 by default), the confusion counts and the rates of curves.ts (positive rate, TPR,
 * FPR, FNR, precision, false discovery and false omission rates), plus the gaps between groups:
 *   demographic parity difference = max - min positive rate over groups,
 *   equalized odds difference     = max(max - min TPR, max - min FPR).
 * A score >= the threshold is predicted positive (as in curves.ts). A group without positives (or
 * negatives) has NaN for the rates that need them; gaps are taken over the groups where a rate is
 * defined, and NaN when fewer than two groups define it.
 *
 * Optional bootstrap intervals (Poisson weights, as in slices.ts) for every group rate and every gap: one
 * replicate reweights all rows at once, so the gap of a replicate compares the groups of that replicate.
 * Each row falls in one bin between consecutive thresholds, so a replicate is one pass over the rows
 * plus a suffix sum per group, whatever the number of thresholds.
 */
import { fillPoisson1, percentileInterval, type Interval } from '../math/bootstrap';
import { mixSeed, Rng } from '../math/random';
import { metricsFromCounts, type ThresholdMetrics } from './curves';
import { checkFinite, checkLength, EvalError, evalErrorWhy } from './errors';
import type { CellValue } from './slice-assign';

export interface GroupSummary {
  /** The group's value; null for missing values, which form their own group. */
  group: string | number | boolean | null;
  count: number;
  positives: number;
  negatives: number;
  /** Fewer than minCount examples. */
  small: boolean;
}

export interface FairnessGaps {
  demographicParityDifference: number;
  tprGap: number;
  fprGap: number;
  equalizedOddsDifference: number;
  /** Smallest / largest positive rate (the "80 % rule" ratio), NaN when the largest is 0. */
  disparateImpactRatio: number;
}

/** The rates that get intervals. */
export const FAIRNESS_RATES = ['positiveRate', 'tpr', 'fpr', 'fnr', 'precision', 'falseDiscoveryRate', 'falseOmissionRate'] as const;
export type FairnessRate = (typeof FAIRNESS_RATES)[number];
const GAP_NAMES = ['demographicParityDifference', 'tprGap', 'fprGap', 'equalizedOddsDifference', 'disparateImpactRatio'] as const;

export interface FairnessIntervals {
  /** Per group (order of FairnessReport.groups), per rate. */
  groups: Record<FairnessRate, Interval | null>[];
  gaps: Record<keyof FairnessGaps, Interval | null>;
}

export interface FairnessAtThreshold {
  threshold: number;
  overall: ThresholdMetrics;
  /** In the order of FairnessReport.groups. */
  groups: ThresholdMetrics[];
  gaps: FairnessGaps;
  /** Null without bootstrap. */
  intervals: FairnessIntervals | null;
}

export interface FairnessReport {
  column: string;
  groups: GroupSummary[];
  thresholds: FairnessAtThreshold[];
}

export interface FairnessInput {
  /** The sensitive column's name (for messages). */
  column: string;
  /** Its value per row. */
  groups: ArrayLike<CellValue>;
  /** 1 / true for the positive class. */
  positive: ArrayLike<boolean | number>;
  /** P(positive) per row. */
  scores: ArrayLike<number>;
  /** Default 0.1, 0.2, ..., 0.9. */
  thresholds?: readonly number[];
  /** Groups with fewer examples are flagged small (default 30). */
  minCount?: number;
  /** Percentile intervals of the rates and gaps (off by default). */
  bootstrap?: { samples?: number; seed?: number; level?: number };
}

/** from, from + step, ..., to (inclusive), rounded so 0.1 * 3 reads 0.3. */
export function thresholdSweep(from = 0.1, to = 0.9, step = 0.1): number[] {
  if (!(step > 0) || !(to >= from)) throw evalErrorWhy('bad-option', 'sweep', { params: { from, to, step } }, 'A threshold sweep needs from <= to and a positive step');
  const out: number[] = [];
  for (let i = 0; from + i * step <= to + 1e-9; i++) out.push(Math.round((from + i * step) * 1e10) / 1e10);
  return out;
}

/** How many of the ascending values are >= t. */
function countAtLeast(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! >= t) hi = mid;
    else lo = mid + 1;
  }
  return sorted.length - lo;
}

function spread(values: number[]): { min: number; max: number; gap: number } {
  const v = values.filter((x) => !Number.isNaN(x));
  if (v.length < 2) return { min: NaN, max: NaN, gap: NaN };
  const min = Math.min(...v);
  const max = Math.max(...v);
  return { min, max, gap: max - min };
}

export function fairnessIndicators(input: FairnessInput): FairnessReport {
  const n = input.scores.length;
  checkLength('labels', input.positive.length, n);
  checkFinite('scores', input.scores);
  if (input.groups.length !== n) {
    throw new EvalError('length-mismatch', { column: input.column, params: { what: input.column, expected: n, actual: input.groups.length } }, `Column "${input.column}" has ${input.groups.length} values for ${n} rows`);
  }
  const thresholds = input.thresholds ?? thresholdSweep();
  if (thresholds.some((t) => !Number.isFinite(t))) throw evalErrorWhy('bad-option', 'thresholds', {}, 'Thresholds must be finite numbers');
  const minCount = input.minCount ?? 30;

  const index = new Map<CellValue, number>();
  const keys: CellValue[] = [];
  const gid = new Int32Array(n);
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const raw = input.groups[i];
    const v = raw === undefined || (typeof raw === 'number' && Number.isNaN(raw)) ? null : raw;
    let g = index.get(v);
    if (g === undefined) {
      g = keys.length;
      index.set(v, g);
      keys.push(v);
    }
    gid[i] = g;
    if (input.positive[i]) positives++;
  }
  if (keys.length < 2) {
    throw new EvalError('one-group', { column: input.column, params: { groups: keys.length } }, `The sensitive column "${input.column}" has ${keys.length} group${keys.length === 1 ? '' : 's'} in the evaluation set; fairness compares at least two`);
  }
  if (positives === 0 || positives === n) {
    throw new EvalError('one-class', { column: input.column, params: { positives, negatives: n - positives } }, `The evaluation set has only ${positives ? 'positive' : 'negative'} examples; TPR and FPR need both`);
  }

  // per group (and overall) the scores of positives and of negatives, sorted once: every threshold is
  // then two binary searches per group
  const k = keys.length;
  const posScores: number[][] = Array.from({ length: k + 1 }, () => []);
  const negScores: number[][] = Array.from({ length: k + 1 }, () => []);
  for (let i = 0; i < n; i++) {
    const list = input.positive[i] ? posScores : negScores;
    list[gid[i]!]!.push(input.scores[i]!);
    list[k]!.push(input.scores[i]!);
  }
  const pos = posScores.map((s) => Float64Array.from(s).sort());
  const neg = negScores.map((s) => Float64Array.from(s).sort());

  // groups in a stable order: by value, missing last
  const order = keys.map((_, g) => g).sort((a, b) => compareGroups(keys[a], keys[b]));
  const groups: GroupSummary[] = order.map((g) => {
    const v = keys[g];
    const count = pos[g]!.length + neg[g]!.length;
    return {
      group: v === null || v === undefined ? null : typeof v === 'bigint' ? String(v) : v,
      count,
      positives: pos[g]!.length,
      negatives: neg[g]!.length,
      small: count < minCount,
    };
  });

  const at = (g: number, t: number) => {
    const tp = countAtLeast(pos[g]!, t);
    const fp = countAtLeast(neg[g]!, t);
    return metricsFromCounts(t, tp, fp, neg[g]!.length - fp, pos[g]!.length - tp);
  };
  const intervals = input.bootstrap ? bootstrapIntervals(input, gid, order, thresholds, input.bootstrap) : null;
  return {
    column: input.column,
    groups,
    thresholds: thresholds.map((t, j) => {
      const per = order.map((g) => at(g, t));
      return { threshold: t, overall: at(k, t), groups: per, gaps: gapsOf(per), intervals: intervals?.[j] ?? null };
    }),
  };
}

function gapsOf(per: readonly Pick<ThresholdMetrics, 'positiveRate' | 'tpr' | 'fpr'>[]): FairnessGaps {
  const pr = spread(per.map((m) => m.positiveRate));
  const tpr = spread(per.map((m) => m.tpr));
  const fpr = spread(per.map((m) => m.fpr));
  return {
    demographicParityDifference: pr.gap,
    tprGap: tpr.gap,
    fprGap: fpr.gap,
    // NaN only when both gaps are undefined
    equalizedOddsDifference: Number.isNaN(tpr.gap) ? fpr.gap : Number.isNaN(fpr.gap) ? tpr.gap : Math.max(tpr.gap, fpr.gap),
    disparateImpactRatio: pr.max > 0 ? pr.min / pr.max : NaN,
  };
}

/** Intervals per threshold (in the order given) for each group's rates and for the gaps. */
function bootstrapIntervals(
  input: FairnessInput,
  gid: Int32Array,
  order: number[],
  thresholds: readonly number[],
  options: NonNullable<FairnessInput['bootstrap']>,
): FairnessIntervals[] {
  const samples = options.samples ?? 200;
  const level = options.level ?? 0.95;
  if (!Number.isInteger(samples) || samples < 2 || !(level > 0 && level < 1)) {
    throw evalErrorWhy('bad-option', 'bootstrap', { params: { samples, level, min: 2 } }, 'Bootstrap needs at least 2 samples and a level between 0 and 1');
  }
  const n = gid.length;
  const k = order.length;
  const T = thresholds.length;
  // bin of a row = how many thresholds (ascending) it reaches; it is predicted positive at the j-th
  // smallest threshold exactly when its bin > j
  const asc = thresholds.map((t, j) => ({ t, j })).sort((a, b) => a.t - b.t);
  const bins = T + 1;
  const bin = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = input.scores[i]!;
    let c = 0;
    while (c < T && asc[c]!.t <= s) c++;
    bin[i] = c;
  }
  const isPos = Uint8Array.from({ length: n }, (_, i) => (input.positive[i] ? 1 : 0));
  const slot = new Int32Array(k);
  order.forEach((g, r) => (slot[g] = r));
  const R = FAIRNESS_RATES.length;
  // values[((j * k + group) * R + rate) * samples + b], gaps[(j * G + gap) * samples + b]
  const values = new Float64Array(T * k * R * samples);
  const gaps = new Float64Array(T * GAP_NAMES.length * samples);
  const hist = new Float64Array(k * 2 * bins);
  const w = new Uint8Array(n);
  const rng = new Rng(mixSeed((options.seed ?? 0) >>> 0, 0xfa1));
  const per: { positiveRate: number; tpr: number; fpr: number }[] = Array.from({ length: k }, () => ({ positiveRate: 0, tpr: 0, fpr: 0 }));
  for (let b = 0; b < samples; b++) {
    fillPoisson1(rng, w);
    hist.fill(0);
    for (let i = 0; i < n; i++) if (w[i]) hist[(slot[gid[i]!]! * 2 + isPos[i]!) * bins + bin[i]!] += w[i]!;
    for (let a = 0; a < T; a++) {
      const j = asc[a]!.j;
      for (let r = 0; r < k; r++) {
        // weighted counts at the a-th smallest threshold: predicted positive = bins above a
        let tp = 0;
        let fn = 0;
        let fp = 0;
        let tn = 0;
        for (let c = 0; c < bins; c++) {
          const neg = hist[(r * 2) * bins + c]!;
          const pos = hist[(r * 2 + 1) * bins + c]!;
          if (c > a) {
            tp += pos;
            fp += neg;
          } else {
            fn += pos;
            tn += neg;
          }
        }
        const m = metricsFromCounts(asc[a]!.t, tp, fp, tn, fn);
        for (let q = 0; q < R; q++) values[((j * k + r) * R + q) * samples + b] = m[FAIRNESS_RATES[q]!];
        per[r]!.positiveRate = m.positiveRate;
        per[r]!.tpr = m.tpr;
        per[r]!.fpr = m.fpr;
      }
      const g = gapsOf(per);
      GAP_NAMES.forEach((name, q) => (gaps[(j * GAP_NAMES.length + q) * samples + b] = g[name]));
    }
  }
  const interval = (arr: Float64Array, at: number) => percentileInterval(arr.subarray(at * samples, (at + 1) * samples), level);
  return thresholds.map((_, j) => ({
    groups: Array.from({ length: k }, (_, r) => Object.fromEntries(FAIRNESS_RATES.map((rate, q) => [rate, interval(values, (j * k + r) * R + q)])) as Record<FairnessRate, Interval | null>),
    gaps: Object.fromEntries(GAP_NAMES.map((name, q) => [name, interval(gaps, j * GAP_NAMES.length + q)])) as Record<keyof FairnessGaps, Interval | null>,
  }));
}

function compareGroups(a: CellValue, b: CellValue): number {
  const missA = a === null || a === undefined;
  const missB = b === null || b === undefined;
  if (missA || missB) return Number(missA) - Number(missB);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
