/**
 * Page state of feature selection (the Transform stage's second tab): the data (a dataset version's
 * columns with a target column and the Train stage's split seed, or a transform version's outputs with its
 * own label and split, locked), the chosen methods with their k or threshold, the run as a `Job`
 * in the data worker, and what the result shows (the comparison table, the score-against-count chart's
 * series, the link that opens the Train stage on a subset). Create it while a component initializes.
 */
import { DEFAULT_FRACTIONS, type SplitFractions } from '../core/model/split';
import type { SubsetScores, Task } from '../core/select';
import { METHOD_TASK, methodParam, SELECT_METHODS, type SelectMethodChoice, type SelectMethodId, type SelectProgress, type SelectResult, type SelectRow } from '../protocol/select';
import { db } from '../store/db';
import type { TransformRecord } from '../store/transform-records';
import { live, type Live } from './live.svelte';
import { href } from './router.svelte';
import { StageVersions } from './stage-versions.svelte';
import { defaultLabel } from './train-presets';
import { dataWorker } from './workers';
import { Job } from './workers/job.svelte';

export function methodsFor(task: Task): SelectMethodId[] {
  return SELECT_METHODS.filter((m) => (METHOD_TASK[m] ?? task) === task);
}

/** The task the Train stage gives a target column: a number column is a regression, any other a class. */
export function taskOfType(type: string | undefined): Task {
  return type === 'number' ? 'regression' : 'classification';
}

/** The score the chart draws: accuracy, or R² for a numeric target. */
export function chartScore(scores: SubsetScores): number {
  return scores.task === 'classification' ? scores.accuracy : scores.r2;
}

export interface MethodSetting {
  on: boolean;
  k: number;
  threshold: number;
}

const DEFAULT_ON: readonly SelectMethodId[] = ['variance_threshold', 'f_test', 'mutual_info', 'rfe', 'l1'];

function defaultSettings(): Record<SelectMethodId, MethodSetting> {
  return Object.fromEntries(
    SELECT_METHODS.map((m) => [m, { on: DEFAULT_ON.includes(m), k: 3, threshold: m === 'drop_correlated' ? 0.9 : 0 }]),
  ) as Record<SelectMethodId, MethodSetting>;
}

/** A setting's problem: k must be a whole number from 1, a threshold a number from 0 (at most 1 for |r|). */
export function settingOk(method: SelectMethodId, s: MethodSetting): boolean {
  const param = methodParam(method);
  if (param === 'k') return Number.isInteger(s.k) && s.k >= 1;
  if (param === 'threshold') return typeof s.threshold === 'number' && s.threshold >= 0 && (method !== 'drop_correlated' || s.threshold <= 1);
  return true;
}

export class SelectPageState {
  readonly versions: StageVersions;
  /** The dataset version picked ('' or a vanished one: the default), the target (null: the default), the seed. */
  chosenId = $state('');
  targetChoice = $state<string | null>(null);
  seed = $state<number | null>(42);
  /** The transform version whose outputs are the features ('' or a vanished one: the version's columns). */
  transformChoice = $state('');
  settings = $state(defaultSettings());
  readonly job = new Job<SelectResult, SelectProgress>(dataWorker);
  readonly #transforms: Live<TransformRecord[]>;

  /** The project's transform versions, newest first. */
  readonly transforms = $derived.by(() => [...this.#transforms.value].sort((a, b) => b.createdAt - a.createdAt));
  readonly transform = $derived.by(() => this.transforms.find((r) => r.id === this.transformChoice));
  /** On a transform, its dataset version, label and split are fixed. */
  readonly selectedId = $derived.by(() => this.transform?.source.datasetVersionId ?? this.versions.chosenOrDefault(this.chosenId));
  readonly selected = $derived.by(() => this.versions.find(this.selectedId));
  readonly columns = $derived.by(() => this.selected?.columns ?? []);
  /** Columns that can be a target (what the Train stage takes as a label). */
  readonly targetOptions = $derived.by(() => this.columns.filter((c) => c.type !== 'image' && c.type !== 'datetime'));
  readonly target = $derived.by(() => {
    if (this.transform) return this.transform.source.labelColumn ?? '';
    const wanted = this.targetChoice ?? defaultLabel(this.columns, this.props().target);
    return this.targetOptions.some((c) => c.name === wanted) ? wanted : '';
  });
  readonly splitSeed = $derived.by(() => (this.transform ? this.transform.source.split.seed : this.seed));
  readonly fractions: SplitFractions = $derived.by(() => this.transform?.source.split.fractions ?? DEFAULT_FRACTIONS);
  readonly task = $derived.by(() => taskOfType(this.columns.find((c) => c.name === this.target)?.type));
  readonly methods = $derived.by(() => methodsFor(this.task));
  readonly chosen = $derived.by(() => this.methods.filter((m) => this.settings[m].on));
  readonly seedOk = $derived.by(() => this.transform !== undefined || (this.seed !== null && Number.isInteger(this.seed) && this.seed >= 0 && this.seed <= 0xffffffff));
  readonly settingsOk = $derived.by(() => this.chosen.every((m) => settingOk(m, this.settings[m])));
  /** A transform without a label column may be run: the worker says, in the person's words, why it cannot. */
  readonly canRun = $derived.by(() => !!this.selected && (this.target !== '' || this.transform !== undefined) && this.seedOk && this.settingsOk && this.chosen.length > 0);

  constructor(private readonly props: () => { projectId: string; target: string }) {
    this.versions = new StageVersions(() => props().projectId);
    this.#transforms = live(() => db().transforms.where('projectId').equals(props().projectId).toArray(), [] as TransformRecord[]);
  }

  #choices(): SelectMethodChoice[] {
    return this.chosen.map((method) => {
      const s = this.settings[method];
      const param = methodParam(method);
      return param === 'k' ? { method, k: s.k } : param === 'threshold' ? { method, threshold: s.threshold } : { method };
    });
  }

  async run(): Promise<void> {
    if (!this.canRun) return;
    const req = {
      projectId: this.props().projectId,
      datasetVersionId: this.selectedId,
      target: this.target,
      methods: this.#choices(),
      seed: this.splitSeed ?? 42,
      fractions: { ...this.fractions },
      ...(this.transform ? { transformId: this.transform.id } : {}),
    };
    await this.job.start((jobId, onProgress) => dataWorker.api.selectFeatures({ jobId, ...req }, onProgress));
  }

  /**
   * The Train stage with this row's columns as the features, on the same version, target and seed; for a
   * transform's outputs, on that transform (its version, label and split) with this row's output steps.
   */
  trainHref(result: SelectResult, row: SelectRow): string {
    const features = JSON.stringify(row.columns);
    const query: Record<string, string> = result.transform ? { transform: result.transform.id, features } : { version: result.datasetVersionId, label: result.target, seed: String(result.split.seed), features };
    return href({ page: 'project', projectId: result.projectId, stage: 'train', query });
  }
}
