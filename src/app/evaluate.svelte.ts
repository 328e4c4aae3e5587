/**
 * Page state and wording of the Evaluate stage: the slicing and thresholds a person is setting up (kept
 * per project while the app is open, so leaving the stage does not lose them), the page itself
 * (`EvaluateView`: the model, the data, the evaluation job and the recorded evaluations), the Curves tab,
 * and the texts of slices, metrics and blessing reasons in the person's language. The Fairness and
 * Explain tabs are in explain.svelte.ts.
 */
import { defaultThresholds, type Reason, type Threshold } from '../core/evaluate/blessing';
import type { SliceCondition, SliceSpec } from '../core/evaluate/slice-assign';
import type { SlicedEvaluation } from '../core/evaluate/slices';
import type { CurvesResult, EvaluateProgress } from '../protocol/evaluate';
import { db } from '../store/db';
import type { EvaluationRecord } from '../store/evaluation-records';
import type { ModelVersionRecord } from '../store/training-records';
import { n, t, tKnown } from './i18n.svelte';
import { live, type Live } from './live.svelte';
import { liveModels, liveProduction } from './registry.svelte';
import { ProjectVersions } from './versions.svelte';
import { trainWorker } from './workers';
import { Job } from './workers/job.svelte';

export { defaultThresholds };

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

/**
 * The Evaluate page: the model version and the data to evaluate it on (default: its own test split), the
 * evaluation job (progress, cancel), and the model's recorded evaluations, the latest or one picked from
 * the history on screen. Create it while a component initializes.
 */
export class EvaluateView {
  readonly draft: EvaluateDraft = $derived.by(() => draftFor(this.projectId()));
  readonly models: Live<ModelVersionRecord[]>;
  readonly versions: ProjectVersions;
  readonly production: Live<ModelVersionRecord | undefined>;
  readonly #evaluations: Live<EvaluationRecord[]>;
  readonly job = new Job<EvaluationRecord, EvaluateProgress>(trainWorker);

  readonly model = $derived.by(() => this.models.value.find((m) => m.id === this.draft.modelId) ?? this.models.value[0]);
  readonly task = $derived(this.model?.metadata.preprocessing.label.task ?? 'classification');
  readonly classes = $derived.by(() => {
    const label = this.model?.metadata.preprocessing.label;
    return label?.task === 'classification' ? label.classes : [];
  });
  /** The metrics an evaluation of this model has (binary classification adds AUC, precision and recall). */
  readonly metrics = $derived(
    this.task === 'regression'
      ? ['mae', 'rmse', 'r2']
      : ['accuracy', 'logLoss', 'macroPrecision', 'macroRecall', 'macroF1', ...(this.classes.length === 2 ? ['auc', 'precision', 'recall'] : [])],
  );
  /** This model's evaluations, newest first. */
  readonly evaluations = $derived.by(() => this.#evaluations.value.filter((e) => e.modelId === this.model?.id).sort((a, b) => b.createdAt - a.createdAt));
  shownId = $state<string | null>(null);
  /** The evaluation on screen: one picked from the history, else the latest. */
  readonly shown = $derived(this.evaluations.find((e) => e.id === this.shownId) ?? this.evaluations[0]);
  /** The columns slices can use: those of the data evaluated on. */
  readonly columns = $derived.by(() => {
    const m = this.model;
    const v = this.versions.find(this.draft.datasetVersionId ?? m?.datasetVersionId ?? m?.metadata.lineage.datasetVersionId);
    return v?.columns.filter((c) => c.type !== 'image') ?? [];
  });

  constructor(private readonly projectId: () => string) {
    this.models = liveModels(projectId);
    this.versions = new ProjectVersions(projectId);
    this.production = liveProduction(projectId);
    // the whole project's evaluations: a query that reads the table always, so it wakes on every new one
    this.#evaluations = live(() => db().evaluations.where('projectId').equals(projectId()).toArray(), [] as EvaluationRecord[]);
    // thresholds on metrics this model does not have would only fail as "undefined": start from the task's defaults
    $effect(() => {
      const names = this.metrics;
      if (this.draft.thresholds.some((th) => !names.includes(th.metric))) this.draft.thresholds = defaultThresholds(this.task);
    });
  }

  async run(): Promise<void> {
    const modelId = this.model?.id;
    if (!modelId) return;
    const d = this.draft;
    const req = {
      modelId,
      datasetVersionId: d.datasetVersionId,
      specs: $state.snapshot(d.specs),
      bootstrap: d.bootstrap,
      minCount: d.minCount,
      thresholds: $state.snapshot(d.thresholds),
    };
    const record = await this.job.start((jobId, onProgress) => trainWorker.api.evaluate({ ...req, jobId }, onProgress));
    if (record) this.shownId = record.id;
  }

  pickModel(id: string): void {
    this.draft.modelId = id;
    this.shownId = null;
    this.job.error = null; // it was about the previous choice
  }

  pickData(versionId: string): void {
    this.draft.datasetVersionId = versionId || null;
    this.job.error = null;
  }
}

/** What the Curves tab shows (the component's props). */
export interface CurvesTarget {
  readonly modelId: string;
  readonly datasetVersionId: string | null;
  readonly task: 'classification' | 'regression';
  readonly classes: string[];
  readonly active: boolean;
}

/**
 * The Curves tab: one class against the rest, computed in the worker when the tab is first shown and when
 * the class changes (an answer for another class is dropped).
 */
export class CurvesState {
  positiveClass = $state(0);
  loadedFor = $state<number | null>(null);
  result = $state.raw<CurvesResult | null>(null);
  error = $state.raw<unknown>(null);
  loading = $state(false);

  constructor(props: () => CurvesTarget) {
    // binary: the second class is the positive one, as in training's ROC
    $effect.pre(() => {
      if (this.loadedFor === null) this.positiveClass = props().classes.length === 2 ? 1 : 0;
    });
    $effect(() => {
      const c = this.positiveClass;
      const { active, task, modelId, datasetVersionId } = props();
      if (!active || task !== 'classification' || this.loadedFor === c) return;
      this.loadedFor = c;
      this.loading = true;
      this.error = null;
      trainWorker.api
        .curves({ modelId, datasetVersionId, positiveClass: c })
        .then((r) => {
          if (this.loadedFor === c) this.result = r;
        })
        .catch((e) => {
          if (this.loadedFor === c) {
            this.error = e;
            this.result = null;
          }
        })
        .finally(() => {
          if (this.loadedFor === c) this.loading = false;
        });
    });
  }
}

export function metricLabel(name: string): string {
  return tKnown(`evaluate.metric.${name}`);
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
  return t(`evaluate.reason.${r.code}`, {
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
