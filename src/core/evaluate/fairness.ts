/**
 * Fairness indicators for a binary classifier and one sensitive column: per group, at each threshold of
 * a sweep (0.1 to 0.9 by default), the confusion counts and the rates of curves.ts (positive rate, TPR,
 * FPR, FNR, precision, false discovery and false omission rates), plus the gaps between groups:
 *   demographic parity difference = max - min positive rate over groups,
 *   equalized odds difference     = max(max - min TPR, max - min FPR).
 * A score >= the threshold is predicted positive (as in curves.ts). A group without positives (or
 * negatives) has NaN for the rates that need them; gaps are taken over the groups where a rate is
 * defined, and NaN when fewer than two groups define it.
 */
import { metricsFromCounts, type ThresholdMetrics } from './curves';
import { checkLength, EvalError } from './errors';
import type { CellValue } from './slices';

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

export interface FairnessAtThreshold {
  threshold: number;
  overall: ThresholdMetrics;
  /** In the order of FairnessReport.groups. */
  groups: ThresholdMetrics[];
  gaps: FairnessGaps;
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
}

/** from, from + step, ..., to (inclusive), rounded so 0.1 * 3 reads 0.3. */
export function thresholdSweep(from = 0.1, to = 0.9, step = 0.1): number[] {
  if (!(step > 0) || !(to >= from)) throw new EvalError('bad-option', { params: { from, to, step } }, 'A threshold sweep needs from <= to and a positive step');
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
  if (input.groups.length !== n) {
    throw new EvalError('length-mismatch', { column: input.column, params: { what: input.column, expected: n, actual: input.groups.length } }, `Column "${input.column}" has ${input.groups.length} values for ${n} rows`);
  }
  const thresholds = input.thresholds ?? thresholdSweep();
  if (thresholds.some((t) => !Number.isFinite(t))) throw new EvalError('bad-option', {}, 'Thresholds must be finite numbers');
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
  return {
    column: input.column,
    groups,
    thresholds: thresholds.map((t) => {
      const per = order.map((g) => at(g, t));
      const pr = spread(per.map((m) => m.positiveRate));
      const tpr = spread(per.map((m) => m.tpr));
      const fpr = spread(per.map((m) => m.fpr));
      return {
        threshold: t,
        overall: at(k, t),
        groups: per,
        gaps: {
          demographicParityDifference: pr.gap,
          tprGap: tpr.gap,
          fprGap: fpr.gap,
          // NaN only when both gaps are undefined
          equalizedOddsDifference: Number.isNaN(tpr.gap) ? fpr.gap : Number.isNaN(fpr.gap) ? tpr.gap : Math.max(tpr.gap, fpr.gap),
          disparateImpactRatio: pr.max > 0 ? pr.min / pr.max : NaN,
        },
      };
    }),
  };
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
