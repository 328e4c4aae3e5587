/**
 * Blessing, as TFX's Evaluator does it: a candidate model passes when every metric threshold holds.
 * Absolute thresholds bound a metric (accuracy >= 0.6, logLoss <= 0.5). Relative thresholds compare it
 * with the baseline, the model now aliased "production": the candidate may be worse than the baseline by
 * at most `tolerance` (in the metric's units, or as a fraction of the baseline), where "worse" follows the
 * metric's direction.
 *
 * Every threshold yields a reason with a code and parameters, passed or not, so the page can say why in
 * the person's language and the registry can keep the record. Without a baseline (the first model of a
 * project) relative thresholds pass with the code 'no-baseline' unless `missingBaseline: 'fail'`.
 */
import { METRIC_DIRECTIONS, type Direction } from './slice-metrics';
import { OVERALL } from './slices';

/** slice id -> metric -> value (slices.ts's metricTable gives it). */
export type MetricTable = Readonly<Record<string, Readonly<Record<string, number>>>>;

export type Threshold =
  | {
      kind: 'absolute';
      metric: string;
      /** A slice id; default the whole set. */
      slice?: string;
      op: '>=' | '<=';
      value: number;
    }
  | {
      kind: 'relative';
      metric: string;
      slice?: string;
      /** Default from METRIC_DIRECTIONS; needed for any other metric. */
      direction?: Direction;
      /** How much worse than the baseline is still acceptable (>= 0). */
      tolerance: number;
      /** 'absolute' (default): in the metric's units; 'relative': a fraction of |baseline|. */
      toleranceKind?: 'absolute' | 'relative';
    };

export type ReasonCode =
  | 'absolute-pass' // value op bound holds
  | 'absolute-fail'
  | 'relative-pass' // no worse than the baseline beyond the tolerance
  | 'relative-fail'
  | 'no-baseline' // a relative threshold without a baseline model
  | 'missing-metric' // the candidate has no defined value for the metric on that slice
  | 'missing-baseline-metric' // the baseline has none
  | 'unknown-direction' // a relative threshold on a metric whose direction is neither known nor given
  | 'bad-threshold'; // a bound or tolerance that is not a finite number (or a negative tolerance)

export interface Reason {
  /** Index into the thresholds given. */
  threshold: number;
  metric: string;
  slice: string;
  passed: boolean;
  code: ReasonCode;
  /** The candidate's value (NaN when missing). */
  value: number;
  /** Absolute thresholds: the bound. */
  bound?: number;
  op?: '>=' | '<=';
  /** Relative thresholds: the baseline's value, the worst acceptable value, and value - baseline. */
  baseline?: number;
  limit?: number;
  change?: number;
  direction?: Direction;
  /** Everything above as message parameters. */
  params: Record<string, string | number>;
}

export interface Blessing {
  blessed: boolean;
  reasons: Reason[];
  /** Whether a baseline was compared against. */
  hadBaseline: boolean;
}

export interface BlessingOptions {
  /** What a relative threshold does without a baseline (default 'pass'). */
  missingBaseline?: 'pass' | 'fail';
}

const defined = (v: number | undefined): v is number => typeof v === 'number' && !Number.isNaN(v);

export function evaluateBlessing(
  candidate: MetricTable,
  thresholds: readonly Threshold[],
  baseline: MetricTable | null | undefined,
  options: BlessingOptions = {},
): Blessing {
  const reasons = thresholds.map((t, index): Reason => {
    const slice = t.slice ?? OVERALL;
    const value = candidate[slice]?.[t.metric];
    const base = { threshold: index, metric: t.metric, slice, value: defined(value) ? value : NaN };
    const reason = (passed: boolean, code: ReasonCode, extra: Partial<Reason> = {}): Reason => {
      const r = { ...base, passed, code, ...extra };
      const params: Record<string, string | number> = { metric: r.metric, slice: r.slice, value: r.value };
      for (const key of ['bound', 'op', 'baseline', 'limit', 'change', 'direction'] as const) if (r[key] !== undefined) params[key] = r[key]!;
      return { ...r, params };
    };

    if (t.kind === 'absolute') {
      if (!Number.isFinite(t.value)) return reason(false, 'bad-threshold', { bound: t.value, op: t.op });
      if (!defined(value)) return reason(false, 'missing-metric', { bound: t.value, op: t.op });
      const ok = t.op === '>=' ? value >= t.value : value <= t.value;
      return reason(ok, ok ? 'absolute-pass' : 'absolute-fail', { bound: t.value, op: t.op });
    }

    const direction = t.direction ?? METRIC_DIRECTIONS[t.metric];
    if (!direction) return reason(false, 'unknown-direction');
    if (!Number.isFinite(t.tolerance) || t.tolerance < 0) return reason(false, 'bad-threshold', { direction });
    if (!baseline) return reason(options.missingBaseline !== 'fail', 'no-baseline', { direction });
    const b = baseline[slice]?.[t.metric];
    if (!defined(b)) return reason(false, 'missing-baseline-metric', { direction });
    if (!defined(value)) return reason(false, 'missing-metric', { direction, baseline: b });
    const slack = t.toleranceKind === 'relative' ? t.tolerance * Math.abs(b) : t.tolerance;
    const limit = direction === 'higher' ? b - slack : b + slack;
    const ok = direction === 'higher' ? value >= limit : value <= limit;
    return reason(ok, ok ? 'relative-pass' : 'relative-fail', { direction, baseline: b, limit, change: value - b });
  });
  return { blessed: reasons.every((r) => r.passed), reasons, hadBaseline: !!baseline };
}

/** The thresholds the Evaluate stage starts from, by task (the page's form and a pipeline made from a model's lineage). */
export function defaultThresholds(task: 'classification' | 'regression'): Threshold[] {
  return task === 'classification'
    ? [
        { kind: 'absolute', metric: 'accuracy', op: '>=', value: 0.6 },
        { kind: 'relative', metric: 'accuracy', tolerance: 0.01 },
      ]
    : [
        { kind: 'absolute', metric: 'r2', op: '>=', value: 0 },
        { kind: 'relative', metric: 'rmse', tolerance: 0.05, toleranceKind: 'relative' },
      ];
}
