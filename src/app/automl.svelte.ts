/**
 * Page state of AutoML on the Tune page (issue 17): the "Find a model for me" form (dataset version,
 * label and task as the Tune form picks them, a budget of 2, 10, 30 or any minutes) and what the view of
 * an AutoML search reads (its preset run, the leaderboard, the progress with a countdown that ticks).
 * Starting one stores an ordinary tune search with an `automl` part and hands it to the Tune page's
 * driver, so reload, resume, pause and cancel are the Tune stage's (services/automl.ts runs the preset
 * step first).
 */
import { automlSpace } from '../core/tune/automl';
import type { Task } from '../core/train/presets';
import { db } from '../store/db';
import type { RunRecord } from '../store/training-records';
import { addSearch, trialRunId, type TuneSearchRecord } from '../store/tune-records';
import { automlBoard, automlProgress, budgetMinutes, type BudgetChoice } from './automl-view';
import { errorMessage } from './format';
import { t } from './i18n.svelte';
import { live, type Live } from './live.svelte';
import { baseRunConfig, defaultFields, formFor, type TuneFormFields } from './tune-form';
import { defaultLabel, presetsForTask } from './train-presets';
import type { TunePageState } from './tune.svelte';
import { DEFAULT_TUNE_WORKERS, poolWorker } from './workers/tune-pool';

const SPLIT = { seed: 42, fractions: { train: 0.7, validation: 0.15, test: 0.15 } };

export class AutoMlFormState {
  datasetVersionId = $state('');
  label = $state('');
  task = $state<Task>('tabular-classification');
  budget = $state<BudgetChoice>(2);
  customMinutes = $state<number | null>(null);
  starting = $state(false);
  problem = $state('');

  constructor(
    private readonly pageOf: () => TunePageState,
    private readonly target: () => string,
  ) {
    $effect(() => {
      const v = this.pageOf().versions.list[0];
      if (!v || this.datasetVersionId) return;
      this.pickVersion(v.id);
    });
  }

  readonly version = $derived.by(() => this.pageOf().versions.find(this.datasetVersionId));

  readonly minutes = $derived(budgetMinutes(this.budget, this.customMinutes));

  pickVersion(id: string): void {
    const v = this.pageOf().versions.find(id);
    if (!v) return;
    const picked = formFor(id, v.columns, defaultLabel(v.columns, this.target()));
    this.datasetVersionId = id;
    this.label = picked.label;
    this.task = picked.task;
  }

  pickLabel(label: string): void {
    const v = this.version;
    if (!v) return;
    this.label = label;
    this.task = formFor(v.id, v.columns, label).task;
  }

  /** The Tune form's fields for the task's default preset (its base run config: features, split, model). */
  #fields(): TuneFormFields {
    return { ...defaultFields(), datasetVersionId: this.datasetVersionId, label: this.label, task: this.task, presetId: presetsForTask(this.task)[0]?.id ?? '' };
  }

  async start(): Promise<void> {
    const v = this.version;
    const minutes = this.minutes;
    if (!v || minutes === null) return;
    const f = this.#fields();
    const preset = presetsForTask(f.task)[0];
    if (!preset) return;
    this.starting = true;
    this.problem = '';
    try {
      const features = baseRunConfig(f, v.columns, { kind: 'tabular', features: 1 }, 2, '')!.features;
      const labelTask = f.task === 'tabular-regression' ? 'regression' : 'classification';
      const prepared = await poolWorker(0).prepareRun({ datasetVersionId: v.id, features, label: f.label, labelTask, split: SPLIT });
      const made = automlSpace(f.task, prepared.input, preset.training);
      if (!made) {
        this.problem = t('tune.automl.noFamily');
        return;
      }
      const n = this.pageOf().searches.filter((s) => s.automl).length + 1;
      const name = t('tune.automl.defaultName', { n });
      const base = baseRunConfig(f, v.columns, prepared.input, prepared.classes?.length ?? null, name)!;
      // the preset as the Train stage trains it: its own epochs and early stopping
      const presetConfig = { ...base, name: `${name} · ${t('tune.automl.presetName')}`, hyper: { ...preset.training, classWeights: 'none' as const } };
      const id = crypto.randomUUID();
      const now = Date.now();
      const record: TuneSearchRecord = {
        id,
        projectId: this.pageOf().projectId,
        name,
        datasetVersionId: v.id,
        base: { ...base, spec: base.spec ? { ...base.spec, layers: [] } : null, hyper: { ...made.base.hyper } },
        space: made.space,
        // hyperband is planned once the preset run has measured this machine (services/automl.ts)
        search: { algorithm: 'hyperband', objective: made.objective, maxTrials: 1, hyperband: { maxEpochs: 3, factor: 3, iterations: 1 }, bayesian: { alpha: 1e-4, beta: 2.6 }, seed: 1 },
        budgetMs: minutes * 60_000,
        workers: DEFAULT_TUNE_WORKERS,
        automl: { phase: 'preset', presetRunId: trialRunId(id, 'preset'), presetConfig, families: made.families },
        status: 'running',
        elapsedMs: 0,
        createdAt: now,
        updatedAt: now,
      };
      await addSearch(db(), record);
      this.pageOf().selectedId = id;
      this.pageOf().continue(id);
    } catch (e) {
      this.problem = errorMessage(e);
    } finally {
      this.starting = false;
    }
  }
}

/** The preset runs of the project's AutoML searches, by search id (one query over the project: never stale). */
async function presetRuns(projectId: string): Promise<Map<string, RunRecord>> {
  const searches = (await db().tuneSearches.where('projectId').equals(projectId).toArray()).filter((s) => s.automl);
  const runs = await db().runs.bulkGet(searches.map((s) => s.automl!.presetRunId));
  const out = new Map<string, RunRecord>();
  searches.forEach((s, i) => runs[i] && out.set(s.id, runs[i]));
  return out;
}

/** What the view of an AutoML search reads; `now` ticks every second so the time left counts down. */
export class AutoMlViewState {
  readonly #runs: Live<Map<string, RunRecord>>;
  now = $state(Date.now());
  savedVersion = $state<string | null>(null);
  saving = $state(false);
  problem = $state('');

  constructor(
    private readonly pageOf: () => TunePageState,
    private readonly search: () => TuneSearchRecord,
  ) {
    this.#runs = live(() => presetRuns(pageOf().projectId), new Map<string, RunRecord>());
    $effect(() => {
      if (this.search().status !== 'running') return;
      const timer = setInterval(() => (this.now = Date.now()), 1000);
      return () => clearInterval(timer);
    });
  }

  readonly presetRun = $derived.by(() => this.#runs.value.get(this.search().id));
  readonly board = $derived.by(() => automlBoard(this.search(), this.pageOf().trials, this.presetRun));
  readonly progress = $derived.by(() => automlProgress(this.search(), this.pageOf().trials, this.presetRun, this.now));

  /** The run of a leaderboard row: the preset's or a trial's. */
  runIdOf(row: { trialId: string; preset: boolean }): string {
    return row.preset ? row.trialId : trialRunId(this.search().id, row.trialId);
  }

  trainLink(runId: string): string {
    return `#/p/${this.pageOf().projectId}/train?fromRun=${encodeURIComponent(runId)}`;
  }

  async save(row: { trialId: string; preset: boolean }): Promise<void> {
    this.saving = true;
    this.problem = '';
    try {
      const label = row.preset ? t('tune.automl.presetName') : `trial ${row.trialId}`;
      this.savedVersion = await poolWorker(0).saveModel(this.runIdOf(row), `${this.search().name} · ${label}`);
    } catch (e) {
      this.problem = errorMessage(e);
    } finally {
      this.saving = false;
    }
  }
}
