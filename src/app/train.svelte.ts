/**
 * The Train stage's page state: the runs this tab's training worker is working on (their per-batch
 * progress arrives through a Comlink callback and is never stored), and the new-run form, kept at module
 * level so leaving the stage and coming back keeps what was typed. Everything durable (status, curves,
 * metrics) is in the run records, which the page reads with liveQuery (`TrainView`). The form's rules are
 * in train-draft.ts, the open form in train-form.svelte.ts.
 */
import * as Comlink from 'comlink';
import { untrack } from 'svelte';
import type { LayerSpec } from '../core/model/model-spec';
import type { Task } from '../core/train/presets';
import type { BatchProgress } from '../core/train/trainer';
import type { BackendName, TrainEvent } from '../protocol/train';
import { deleteRun, listRuns } from '../services/train-runs';
import { db } from '../store/db';
import { writerLockName } from '../store/sweep';
import { ACTIVE_RUN_STATUSES, type Hyperparameters, type LabelSource, type RunConfig, type RunPhase, type RunRecord } from '../store/training-records';
import type { Live } from './live.svelte';
import { trainRuns, trainWorker } from './workers';
import { columnsLink, pickTransform, pickVersion, transformLink, useColumns, type ColumnsLink, type DraftFields, type TransformChoice, type TransformLink } from './train-draft';
import { liveThrottled } from './train-live.svelte';
import { defaultFeatures, presetsForTask } from './train-presets';
import { ProjectVersions } from './versions.svelte';
import type { DatasetVersion } from '../store/db';

class TrainState {
  /** Live progress of runs this tab trains, by run id. */
  progress = $state.raw<Record<string, BatchProgress>>({});
  phase = $state.raw<Record<string, RunPhase>>({});
  /** The backend an Automatic run is timing its model on now, by run id. */
  timing = $state.raw<Record<string, { backend: BackendName; index: number; count: number }>>({});
  /** The training time of runs this tab trains, as the worker last said it, and when (Date.now()) it said so. */
  elapsed = $state.raw<Record<string, { ms: number; at: number }>>({});
  /** Runs this tab's worker is training (or has paused). */
  mine = $state.raw<string[]>([]);
  /** Why a run this tab started failed, by run id (also stored in the run record). */
  errors = $state.raw<Record<string, unknown>>({});
  selected = $state<string | null>(null);
  compare = $state.raw<string[]>([]);

  #onEvent = Comlink.proxy((e: TrainEvent) => {
    if (e.kind === 'batch') this.progress = { ...this.progress, [e.runId]: e.progress };
    else if (e.kind === 'phase') this.phase = { ...this.phase, [e.runId]: e.phase };
    else if (e.kind === 'timing') this.timing = { ...this.timing, [e.runId]: { backend: e.backend, index: e.index, count: e.count } };
    if (e.kind !== 'parked') this.elapsed = { ...this.elapsed, [e.runId]: { ms: e.elapsedMs, at: Date.now() } };
  });

  /** The project each run this tab started belongs to (its record may not exist yet). */
  startedIn: Record<string, string> = {};

  start(projectId: string, datasetVersionId: string, config: RunConfig): string {
    const runId = crypto.randomUUID();
    this.startedIn[runId] = projectId;
    this.selected = runId;
    // on the model's wasm threads (a fresh worker when an idle one has another count)
    void this.#track(runId, () => trainRuns().startRun({ runId, projectId, datasetVersionId, config }, this.#onEvent));
    return runId;
  }

  /** Continue an interrupted run from its last checkpoint. */
  resume(runId: string): void {
    this.selected = runId;
    void this.#track(runId, () => trainRuns().resumeRun(runId, this.#onEvent));
  }

  async #track(runId: string, work: () => Promise<unknown>): Promise<void> {
    this.mine = [...this.mine, runId];
    const { [runId]: _, ...rest } = this.errors;
    this.errors = rest;
    try {
      await work();
    } catch (e) {
      this.errors = { ...this.errors, [runId]: e };
    } finally {
      this.mine = this.mine.filter((id) => id !== runId);
      const { [runId]: _p, ...progress } = this.progress;
      this.progress = progress;
      const { [runId]: _e, ...elapsed } = this.elapsed;
      this.elapsed = elapsed;
    }
  }

  isMine(runId: string): boolean {
    return this.mine.includes(runId);
  }

  pause(runId: string): Promise<boolean> {
    return trainWorker.api.pauseRun(runId);
  }

  continue(runId: string): Promise<boolean> {
    return trainWorker.api.continueRun(runId);
  }

  cancel(runId: string): Promise<boolean> {
    return trainWorker.api.cancel(runId);
  }

  /** Save a finished run as a new model version. */
  saveModel(runId: string, name: string): Promise<string> {
    return trainWorker.api.saveModel(runId, name);
  }

  /** Delete a run and its checkpoint (a model version saved from it stays). */
  async deleteRun(runId: string): Promise<void> {
    if (this.selected === runId) this.selected = null;
    await deleteRun(db(), runId);
  }

  readonly #watched = new Set<string>();

  /**
   * Runs marked active that no worker of this tab trains. The start-up sweep marks a run interrupted when
   * its lock is free; but a reload can start this page before the old page's worker has let go (a long
   * WebGL step in flight). So wait for the lock: when it comes free and the run is still marked active,
   * its worker is gone. (A run another open tab trains finishes first, and is then left alone.)
   */
  watchOrphans(runs: readonly RunRecord[]): void {
    const locks = globalThis.navigator?.locks;
    if (!locks) return;
    for (const run of runs) {
      if (!ACTIVE_RUN_STATUSES.includes(run.status) || this.mine.includes(run.id) || this.#watched.has(run.id)) continue;
      this.#watched.add(run.id);
      void locks
        .request(writerLockName(run.id), async () => {
          const now = await db().runs.get(run.id);
          if (now && ACTIVE_RUN_STATUSES.includes(now.status) && !this.mine.includes(run.id)) {
            await db().runs.update(run.id, { status: 'interrupted', updatedAt: Date.now() });
          }
        })
        .finally(() => this.#watched.delete(run.id));
    }
  }

  toggleCompare(runId: string): void {
    this.compare = this.compare.includes(runId) ? this.compare.filter((id) => id !== runId) : [...this.compare, runId];
  }
}

export const training = new TrainState();

/** The new-run form. Reset per project; presets fill the layers and the training settings. */
class TrainDraft implements DraftFields {
  projectId = $state<string | null>(null);
  open = $state(true);
  /** The person opened or closed the form (until then it is open only while the project has no runs). */
  touched = $state(false);
  datasetVersionId = $state('');
  task = $state<Task>('tabular-classification');
  presetId = $state('mlp-classifier');
  label = $state('');
  features = $state<string[]>([]);
  layers = $state<LayerSpec[]>([]);
  /** The input kind the layers were made for: a new kind (another dataset) remakes them from the preset. */
  layersFor = $state('');
  seed = $state(42);
  fractions = $state({ train: 0.7, validation: 0.15, test: 0.15 });
  hyper = $state<Hyperparameters>({ optimizer: 'adam', learningRate: 0.005, batchSize: 32, epochs: 60, patience: 10, classWeights: 'none' });
  backend = $state<'auto' | BackendName>('auto');
  /** Train further from this model version instead of a new model. */
  baseModelId = $state<string | null>(null);
  /** Targets from the label column or a label set (then `label` is the gold column, '' = none). */
  labelSource = $state.raw<LabelSource>({ kind: 'column' });
  /** Features from this transform version instead of the chosen columns. */
  transformId = $state<string | null>(null);
  /** Of the transform's output steps, the ones to train on (null: all). */
  transformOutputs = $state<string[] | null>(null);

  /** The fields as plain data (what a run config is made of). */
  fields(): DraftFields {
    return $state.snapshot({
      datasetVersionId: this.datasetVersionId,
      task: this.task,
      presetId: this.presetId,
      label: this.label,
      features: this.features,
      layers: this.layers,
      layersFor: this.layersFor,
      seed: this.seed,
      fractions: this.fractions,
      hyper: this.hyper,
      backend: this.backend,
      baseModelId: this.baseModelId,
      labelSource: this.labelSource,
      transformId: this.transformId,
      transformOutputs: this.transformOutputs,
    });
  }

  /** Start over for another project (or keep the form as it was for the same one). */
  forProject(projectId: string): void {
    if (this.projectId === projectId) return;
    this.projectId = projectId;
    this.open = true;
    this.touched = false;
    this.datasetVersionId = '';
    this.label = '';
    this.features = [];
    this.layers = [];
    this.layersFor = '';
    this.baseModelId = null;
    this.labelSource = { kind: 'column' };
    this.transformId = null;
    this.transformOutputs = null;
  }

  /**
   * Open the form on a transform version (the Transform page's "Train a model on it", #/p/<id>/train?transform=<id>,
   * and feature selection's "Train on this subset", &features=[...]): a new model on the transform's
   * version, with its outputs (or the chosen ones) as the features and its split.
   */
  useTransform(projectId: string, version: DatasetVersion, transform: TransformChoice, target: string, outputs: string[] | null = null): void {
    this.forProject(projectId);
    if (this.datasetVersionId !== version.id) pickVersion(this, version, target);
    pickTransform(this, transform, outputs);
    this.layersFor = '';
    this.open = true;
    this.touched = true;
  }

  /** Open the form on chosen columns (feature selection's "Train on this subset", #/p/<id>/train?version=&features=). */
  useColumns(projectId: string, version: DatasetVersion, link: ColumnsLink, target: string): void {
    this.forProject(projectId);
    useColumns(this, version, link, target);
    this.layersFor = '';
    this.open = true;
    this.touched = true;
  }

  /**
   * Open the form on a label set (the Label page's "Train an end model on these labels"): a new model,
   * scored against the gold column, on the version's text columns with the first preset that fits.
   */
  useLabelSet(projectId: string, version: DatasetVersion, labelSetId: string, goldColumn: string | null): void {
    this.forProject(projectId);
    this.datasetVersionId = version.id;
    this.baseModelId = null;
    this.labelSource = { kind: 'labelSet', labelSetId, goldColumn };
    this.label = goldColumn ?? '';
    this.task = version.columns.some((c) => c.type === 'text') ? 'text-classification' : 'tabular-classification';
    const preset = presetsForTask(this.task)[0];
    this.presetId = preset?.id ?? '';
    if (preset) this.hyper = { ...this.hyper, ...preset.training };
    this.layersFor = '';
    this.features = defaultFeatures(this.task, preset, version.columns, this.label);
    this.open = true;
    this.touched = true;
  }
}

export const draft = new TrainDraft();

/**
 * The Train page: the project's runs (re-read at most once a second: they change every epoch), its
 * dataset versions, and which run is on screen. Create it while a component initializes.
 */
export class TrainView {
  readonly runs: Live<RunRecord[]>;
  readonly versions: ProjectVersions;
  /** The selected run's record (a run just started is selected before its record arrives). */
  readonly chosen = $derived.by(() => this.runs.value.find((r) => r.id === training.selected));
  /** A run this tab just started in this project, whose record has not arrived yet. */
  readonly starting = $derived.by(() => {
    const id = training.selected;
    return !this.chosen && id !== null && training.startedIn[id] === this.projectId() && training.isMine(id);
  });
  /** The run on screen: the selected one, else the newest (but not an older run while one is starting). */
  readonly selected = $derived.by(() => this.chosen ?? (this.starting ? undefined : this.runs.value[0]));
  readonly comparing = $derived.by(() => this.runs.value.filter((r) => training.compare.includes(r.id)));

  /** The transform link (its query) the form was opened on (applied once per page). */
  #linked: string | null = null;
  /** The columns link (its query) the form was opened on. */
  #linkedColumns: string | null = null;

  constructor(
    private readonly projectId: () => string,
    /** A link's choices (#/p/<id>/train?transform=<id>) and the scope's target column. */
    private readonly link: () => { query?: Record<string, string>; target: string } = () => ({ target: '' }),
  ) {
    this.runs = liveThrottled(['runs'], projectId, (id) => listRuns(db(), id), [] as RunRecord[], 1000);
    this.versions = new ProjectVersions(projectId);
    $effect(() => {
      training.watchOrphans(this.runs.value);
    });
    // A link from the Transform page (or feature selection on a transform) opens the form on that
    // transform and its chosen outputs, once its version is known.
    $effect(() => {
      const query = this.link().query;
      const chosen = transformLink(query);
      const key = JSON.stringify(query ?? {});
      if (!chosen || key === this.#linked || this.versions.loading) return;
      this.#linked = key;
      void this.#useTransform(chosen);
    });
    // A link from feature selection opens the form on its columns, once the version is known.
    $effect(() => {
      const query = this.link().query;
      const chosen = columnsLink(query);
      const key = JSON.stringify(query ?? {});
      if (!chosen || key === this.#linkedColumns || this.versions.loading) return;
      this.#linkedColumns = key;
      const version = untrack(() => this.versions.find(chosen.version));
      if (version) draft.useColumns(untrack(projectId), version, chosen, untrack(this.link).target);
    });
    // A link from the Tune page (#/p/<id>/train?fromRun=<runId>) opens that trial's run: its settings, curves and checkpoint.
    $effect(() => {
      const runId = this.link().query?.fromRun;
      if (runId) untrack(() => (training.selected = runId));
    });
    // Open the form for a project without runs; with runs, the runs come first (unless toggled).
    draft.forProject(untrack(projectId));
    $effect(() => {
      if (!this.runs.loading && !untrack(() => draft.touched)) draft.open = this.runs.value.length === 0;
    });
  }

  async #useTransform(link: TransformLink): Promise<void> {
    const record = await db().transforms.get(link.transform);
    const version = record && untrack(() => this.versions.find(record.source.datasetVersionId));
    if (!record || !version || record.projectId !== untrack(this.projectId)) return;
    draft.useTransform(record.projectId, version, record, untrack(this.link).target, link.outputs);
  }

  toggleForm(): void {
    draft.open = !draft.open;
    draft.touched = true;
  }
}

/** One run's controls on the page: pause, continue and cancel (one at a time), saving it as a model, deleting it. */
export class RunControls {
  busy = $state(false);
  modelName = $state('');
  saving = $state(false);
  saveError = $state.raw<unknown>(null);
  confirmDelete = $state(false);

  constructor(private readonly run: () => RunRecord) {}

  async act(work: () => Promise<unknown>): Promise<void> {
    this.busy = true;
    try {
      await work();
    } finally {
      this.busy = false;
    }
  }

  async save(): Promise<void> {
    const run = this.run();
    this.saving = true;
    this.saveError = null;
    try {
      await training.saveModel(run.id, this.modelName.trim() || run.config.name);
    } catch (err) {
      this.saveError = err;
    } finally {
      this.saving = false;
    }
  }

  async remove(): Promise<void> {
    this.confirmDelete = false;
    await training.deleteRun(this.run().id);
  }
}
