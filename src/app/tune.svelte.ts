/**
 * Page state of the Tune stage (issue 17): the project's searches and the selected one's trials (live
 * queries), the new-search form, and driving searches from this tab over the pool of training workers.
 *
 * A search is driven from the page (services/tune.ts: the loop decides, the workers train) while this tab
 * holds the search's lock; every change is saved, so a reload, a closed tab or a crashed worker leaves a
 * search 'running' in the store with its trials. Opening the Tune page continues such searches (when no
 * other tab holds their lock): finished trials are kept and a trial that was running continues its run
 * from its last checkpoint. Pause lets the running trials finish and starts none; continue drives it again;
 * cancel stops the running trials. Searches this tab drives are kept at module level, so leaving the page
 * and coming back still offers their pause and cancel.
 */
import * as Comlink from 'comlink';
import { untrack } from 'svelte';
import { SvelteMap } from 'svelte/reactivity';
import { TuneError } from '../core/tune/errors';
import { emptySpace } from '../core/tune/space';
import { readSpace } from '../core/tune/space-json';
import { resultsSummary, trialsCsv, trialsJson } from '../core/tune/summary';
import type { BaseConfig, SearchSpace, TrialView } from '../core/tune/types';
import { driveSearch } from '../services/tune';
import { driveAutoMl } from '../services/automl';
import { db } from '../store/db';
import { addSearch, deleteSearch, listProjectTrials, listSearches, searchLockName, type TuneSearchRecord, type TuneTrialRecord } from '../store/tune-records';
import { downloadText } from './download';
import { errorMessage } from './format';
import { t } from './i18n.svelte';
import { live, type Live } from './live.svelte';
import { baseOfConfig, baseRunConfig, defaultFields, defaultSpace, formFor, formProblems, parseSpace, searchConfig, type TuneFormFields } from './tune-form';
import { defaultLabel } from './train-presets';
import { ProjectVersions } from './versions.svelte';
import { router } from './router.svelte';
import { DEFAULT_TUNE_WORKERS, poolWorker, trialWorkers } from './workers/tune-pool';

/** Searches this tab drives, by id: their cancel and pause. */
const driving = new SvelteMap<string, { cancel: AbortController; pause: AbortController }>();

/** What the trials table can be sorted by (a column header button). */
export type TrialSort = 'id' | 'status' | 'best' | 'bestEpoch' | 'duration';

export class TunePageState {
  readonly versions: ProjectVersions;
  readonly #searches: Live<TuneSearchRecord[]>;
  readonly #trials: Live<TuneTrialRecord[]>;
  selectedId = $state<string | null>(null);
  form = $state<TuneFormFields>(defaultFields());
  /** Starting: preparing the data in the training worker for the base config. */
  starting = $state(false);
  problem = $state('');
  sort = $state<{ by: TrialSort; descending: boolean }>({ by: 'id', descending: false });

  constructor(private readonly props: () => { projectId: string; target: string }) {
    this.versions = new ProjectVersions(() => props().projectId);
    this.#searches = live(() => listSearches(db(), props().projectId), [] as TuneSearchRecord[]);
    // every trial of the project's searches (a query that reads no other reactive state, so it never goes stale)
    this.#trials = live(() => listProjectTrials(db(), props().projectId), [] as TuneTrialRecord[]);
    // a link from a model's lineage (#/p/<id>/tune?search=<searchId>) opens that search
    $effect(() => {
      const route = router.route;
      const linked = route.page === 'project' ? route.query?.search : undefined;
      if (linked) untrack(() => (this.selectedId = linked));
    });
    // the form starts on the newest version, with the scope's target as the label when it has it
    $effect(() => {
      const v = this.versions.list[0];
      if (!v || this.form.datasetVersionId) return;
      this.pickVersion(v.id);
    });
  }

  get projectId(): string {
    return this.props().projectId;
  }

  get searches(): TuneSearchRecord[] {
    return this.#searches.value;
  }

  get selected(): TuneSearchRecord | undefined {
    return this.searches.find((s) => s.id === this.selectedId) ?? this.searches[0];
  }

  /** The selected search's trials, in creation order. */
  readonly trials = $derived.by(() => {
    const id = this.selected?.id;
    return this.#trials.value.filter((x) => x.searchId === id);
  });

  readonly version = $derived.by(() => this.versions.find(this.form.datasetVersionId));

  pickVersion(id: string): void {
    const v = this.versions.find(id);
    if (!v) return;
    Object.assign(this.form, formFor(id, v.columns, defaultLabel(v.columns, this.props().target)));
    this.resetSpace();
  }

  /** The space the preset's layers suggest, as JSON in the editor. */
  resetSpace(): void {
    const layers = baseRunConfig(this.form, this.version?.columns ?? [], { kind: 'tabular', features: 1 }, 2, '')?.spec?.layers ?? [];
    this.form.spaceText = JSON.stringify(defaultSpace(layers), null, 2);
  }

  /** The space as the no-code editor edits it (the JSON text is what is stored; a shape that is not a space shows as empty). */
  get space(): SearchSpace {
    const parsed = parseSpace(this.form.spaceText);
    return parsed === 'not-json' || parsed instanceof TuneError ? emptySpace() : parsed;
  }

  set space(space: SearchSpace) {
    this.form.spaceText = JSON.stringify(space, null, 2);
  }

  /** The layers and training settings the space applies to (the preset's, for the editor). */
  readonly editorBase = $derived.by((): BaseConfig => {
    const config = baseRunConfig(this.form, this.version?.columns ?? [], { kind: 'tabular', features: 1 }, 2, '');
    return config ? baseOfConfig(config) : { layers: [], hyper: { optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: 10, patience: 0, classWeights: 'none' } };
  });

  /** The space's and settings' problems, in the person's language (empty: it can start). */
  readonly problems = $derived.by(() => {
    const layers = baseRunConfig(this.form, this.version?.columns ?? [], { kind: 'tabular', features: 1 }, 2, '')?.spec?.layers ?? [];
    const found = formProblems(this.form, layers);
    return found === 'not-json' ? [t('tune.run.spaceNotJson')] : found.map((e) => errorMessage(e));
  });

  /** The trials table, sorted by the chosen column. */
  readonly sortedTrials = $derived.by(() => {
    const { by, descending } = this.sort;
    const key = (t: TuneTrialRecord): number | string => (by === 'id' ? t.id : by === 'status' ? t.status : by === 'best' ? (t.best ?? -Infinity) : by === 'bestEpoch' ? (t.bestEpoch ?? -1) : t.durationMs);
    const sorted = [...this.trials].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    return descending ? sorted.reverse() : sorted;
  });

  sortBy(by: TrialSort): void {
    this.sort = { by, descending: this.sort.by === by ? !this.sort.descending : by === 'best' };
  }

  /** The best trials first, as KerasTuner's results_summary. */
  readonly results = $derived.by(() => (this.selected ? resultsSummary(this.trials, this.selected.search.objective) : []));

  /** Progress of the selected search: trials and epochs done, epochs of the schedule when known, time left of a budget. */
  readonly progress = $derived.by(() => {
    const s = this.selected;
    if (!s) return null;
    const finished = this.trials.filter((x) => x.status !== 'running').length;
    const epochsDone = this.trials.reduce((sum, x) => sum + Math.max(0, x.history.length - x.initialEpoch), 0);
    const leftMs = s.budgetMs !== undefined ? Math.max(0, s.budgetMs - s.elapsedMs) : null;
    return { finished, total: this.trials.length, epochsDone, leftMs };
  });

  isDriving(id: string): boolean {
    return driving.has(id);
  }

  /** Start a new search from the form. */
  async start(): Promise<void> {
    const f = $state.snapshot(this.form) as TuneFormFields;
    const v = this.version;
    if (!v || this.problems.length) return;
    this.starting = true;
    this.problem = '';
    try {
      const features = baseRunConfig(f, v.columns, { kind: 'tabular', features: 1 }, 2, '')!.features;
      const labelTask = f.task === 'tabular-regression' ? 'regression' : 'classification';
      const split = { seed: 42, fractions: { train: 0.7, validation: 0.15, test: 0.15 } };
      const prepared = await poolWorker(0).prepareRun({ datasetVersionId: v.id, features, label: f.label, labelTask, split });
      const name = t('tune.run.defaultName', { n: this.searches.length + 1 });
      const base = baseRunConfig(f, v.columns, prepared.input, prepared.classes?.length ?? null, name)!;
      const now = Date.now();
      const record: TuneSearchRecord = {
        id: crypto.randomUUID(),
        projectId: this.projectId,
        name,
        datasetVersionId: v.id,
        base,
        space: readSpace(JSON.parse(f.spaceText)),
        search: searchConfig(f),
        ...(f.budgetMinutes > 0 ? { budgetMs: f.budgetMinutes * 60_000 } : {}),
        workers: f.workers || DEFAULT_TUNE_WORKERS,
        status: 'running',
        elapsedMs: 0,
        createdAt: now,
        updatedAt: now,
      };
      await addSearch(db(), record);
      this.selectedId = record.id;
      void drive(record.id);
    } catch (e) {
      this.problem = errorMessage(e);
    } finally {
      this.starting = false;
    }
  }

  pause(id: string): void {
    driving.get(id)?.pause.abort();
  }

  /** Continue a paused search (or one another tab left) in this tab. */
  continue(id: string): void {
    void drive(id);
  }

  async cancel(id: string): Promise<void> {
    const d = driving.get(id);
    if (d) d.cancel.abort();
    // a paused search has no driver: it is cancelled in the store
    else await db().tuneSearches.update(id, { status: 'cancelled', updatedAt: Date.now() });
  }

  async remove(id: string): Promise<void> {
    if (driving.has(id)) return;
    await deleteSearch(db(), id);
  }

  /** Continue the project's searches left running by a reload, a closed tab or a crash. */
  async resumeUnfinished(): Promise<void> {
    const all = await listSearches(db(), this.projectId);
    for (const s of all.filter((x) => x.status === 'running' && !driving.has(x.id))) void drive(s.id);
  }

  exportCsv(): void {
    const s = this.selected;
    if (s) downloadText(`${s.name}-trials.csv`, trialsCsv(s.space, s.search.objective, this.trials as TrialView[]), 'text/csv');
  }

  exportJson(): void {
    const s = this.selected;
    if (s) downloadText(`${s.name}-trials.json`, trialsJson(s.space, s.search.objective, this.trials as TrialView[]));
  }

  /** Save a trial's run as a model version (named after the search and trial); returns its id. */
  async saveTrial(trial: TuneTrialRecord): Promise<string | null> {
    const s = this.selected;
    if (!s) return null;
    this.problem = '';
    try {
      return await poolWorker(0).saveModel(trial.runId, `${s.name} · trial ${trial.id}`);
    } catch (e) {
      this.problem = errorMessage(e);
      return null;
    }
  }

  /** The Train page opened on a trial's run (its settings, curves and checkpoint are the Train stage's). */
  trainLink(trial: TuneTrialRecord): string {
    return `#/p/${this.projectId}/train?fromRun=${encodeURIComponent(trial.runId)}`;
  }
}

/** Searches this tab waits to drive (another tab, or the page before a reload, still holds their lock). */
const waiting = new Set<string>();

/**
 * Drive a search in this tab while holding its lock. When another tab holds it, this tab waits: if that
 * tab closes before the search ends (or it was the page before a reload), this one continues it.
 */
async function drive(searchId: string): Promise<void> {
  if (driving.has(searchId) || waiting.has(searchId)) return;
  waiting.add(searchId);
  const work = async () => {
    waiting.delete(searchId);
    const row = await db().tuneSearches.get(searchId);
    if (!row || row.status === 'done' || row.status === 'cancelled') return;
    const cancel = new AbortController();
    const pause = new AbortController();
    driving.set(searchId, { cancel, pause });
    try {
      // an AutoML search trains its preset run and plans first, then runs as any search until its budget (services/automl.ts)
      if (row.automl) return void (await driveAutoMl(db(), searchId, trialWorkers(row.workers), { signal: cancel.signal, pause: pause.signal, proxy: (f) => Comlink.proxy(f) }));
      await driveSearch(db(), searchId, trialWorkers(row.workers), { signal: cancel.signal, pause: pause.signal, proxy: (f) => Comlink.proxy(f) });
    } finally {
      driving.delete(searchId);
    }
  };
  const locks = globalThis.navigator?.locks;
  try {
    if (locks) await locks.request(searchLockName(searchId), work);
    else await work();
  } finally {
    waiting.delete(searchId);
  }
}
