/**
 * Page state and wording of the Evaluate stage: the slicing and thresholds a person is setting up (kept
 * per project while the app is open, so leaving the stage does not lose them), and the texts of slices,
 * metrics and blessing reasons in the person's language.
 */
import type { Reason, Threshold } from '../core/evaluate/blessing';
import type { SliceCondition, SliceSpec } from '../core/evaluate/slice-assign';
import type { SlicedEvaluation } from '../core/evaluate/slices';
import { n, t } from './i18n.svelte';
import type { MessageKey } from './i18n/catalog';

export const DEFAULT_BOOTSTRAP = 200;
export const DEFAULT_MIN_COUNT = 30;

/** What the person is setting up for one project (thresholds start with the classification defaults). */
export class EvaluateDraft {
  modelId = $state<string | null>(null);
  /** null: the model's own test split. */
  datasetVersionId = $state<string | null>(null);
  specs = $state<SliceSpec[]>([]);
  bootstrap = $state(DEFAULT_BOOTSTRAP);
  minCount = $state(DEFAULT_MIN_COUNT);
  thresholds = $state<Threshold[]>(defaultThresholds('classification'));
}

const drafts = new Map<string, EvaluateDraft>();

export function draftFor(projectId: string): EvaluateDraft {
  let d = drafts.get(projectId);
  if (!d) drafts.set(projectId, (d = new EvaluateDraft()));
  return d;
}

/** Thresholds that fit a task. */
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

export function metricLabel(name: string): string {
  return t(`evaluate.metric.${name}` as MessageKey);
}

/** A metric value for reading: percentages stay numbers (0.934), small values keep two significant digits. */
export function metricValue(v: number): string {
  if (Number.isNaN(v)) return t('evaluate.slices.undefined');
  return v !== 0 && Math.abs(v) < 0.01 ? n(v, { maximumSignificantDigits: 2 }) : n(v, { maximumFractionDigits: Math.abs(v) >= 100 ? 1 : 3 });
}

function conditionText(c: SliceCondition): string {
  switch (c.kind) {
    case 'value':
      return `${c.column} = ${String(c.value)}`;
    case 'other':
      return `${c.column} = ${t('evaluate.slices.other', { count: n(c.distinct) })}`;
    case 'missing':
      return `${c.column} = ${t('evaluate.slices.missing')}`;
    case 'range': {
      const lo = Number.isFinite(c.lo) ? n(c.lo, { maximumFractionDigits: 3 }) : '-∞';
      const hi = Number.isFinite(c.hi) ? n(c.hi, { maximumFractionDigits: 3 }) : '∞';
      return `${c.column} ∈ [${lo}, ${hi}${c.closed ? ']' : ')'}`;
    }
  }
}

/** A slice for people: "Island = Dream & Sex = FEMALE", or "Whole set". */
export function sliceLabel(conditions: readonly SliceCondition[]): string {
  return conditions.length ? conditions.map(conditionText).join(' & ') : t('evaluate.slices.overall');
}

/** What a slicing spec is called in the list. */
export function specLabel(spec: SliceSpec): string {
  const one = (s: Exclude<SliceSpec, { cross: unknown }>) =>
    s.kind === 'numeric' ? `${s.column} (${t('evaluate.slices.kind.numeric')}, ${s.buckets ?? 4})` : s.column;
  return 'cross' in spec ? `${one(spec.cross[0])} × ${one(spec.cross[1])}` : one(spec);
}

/** One blessing reason in the person's language; the slice is named as the tables name it. */
export function reasonText(r: Reason, sliceNames: ReadonlyMap<string, string> = new Map()): string {
  const slice = r.slice === 'overall' ? t('evaluate.slices.overall') : (sliceNames.get(r.slice) ?? r.slice);
  const num = (v: unknown) => (typeof v === 'number' ? metricValue(v) : '');
  return t(`evaluate.reason.${r.code}` as MessageKey, {
    metric: metricLabel(r.metric),
    slice,
    value: num(r.value),
    bound: num(r.bound),
    op: r.op === '<=' ? '≤' : '≥',
    baseline: num(r.baseline),
    limit: num(r.limit),
  });
}

/** Slice id -> its label, for the reasons of an evaluation. */
export function sliceNames(sliced: SlicedEvaluation): Map<string, string> {
  return new Map(sliced.slicings.flatMap((s) => s.slices.map((x) => [x.id, sliceLabel(x.conditions)] as const)));
}
