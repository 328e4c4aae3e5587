/**
 * Continuous training while the app is open: the project page (which stays while the person moves between
 * stage pages) hosts a `TriggerWatch` that watches the pipelines' triggers, the datasets' versions and the runs
 * (one live query) and queues the runs `dueRuns` asks for. Queued runs start one at a time under the project's
 * run lock (a run started by hand or in another tab goes first; the queued one waits, shown as waiting).
 * The run itself (runner, host, workers) is loaded with import() when a trigger first fires.
 * With a drift trigger on, the watch also follows the newest request the production model served: each new one
 * has the data worker measure that model's requests against its training data (`servedDrift`, one measurement
 * at a time, the newest log each time), and `dueRuns` decides with that measurement.
 */
import { SvelteMap } from 'svelte/reactivity';
import { db, type Dataset, type PipetteDB } from '../store/db';
import type { EvaluationRecord } from '../store/evaluation-records';
import { listPipelineRuns, listPipelines, type PipelineRecord, type RunTrigger } from '../store/pipeline-records';
import type { ServedDrift } from '../protocol/validate';
import { DEFAULT_DRIFT_THRESHOLD, listTriggers, saveTriggers, type PipelineTriggerRecord, type TriggerSettings } from '../store/pipeline-triggers';
import { lastServedRequest } from '../store/served-requests';
import { errorMessage } from './format';
import { t } from './i18n.svelte';
import { live } from './live.svelte';
import { dueRuns, watchedDataset, type DueRun, type TriggerInputs } from './pipeline-trigger-rules';

/** How often the schedule is looked at (a scheduled run starts at most this late). */
const TICK_MS = 15_000;

/** Runs the triggers asked for and not started yet, by key (module level: the Pipelines page shows them). */
export const waitingRuns = new SvelteMap<string, DueRun>();
/** A triggered run that could not start, in the person's language. */
export const triggerProblem = $state({ text: '' });

/** The newest request the production model served (what a drift trigger watches). */
export interface ServedHead {
  modelId: string;
  seq: number;
}

/** The newest drift measurement (module level: the Triggers panel shows it). */
export const servedDrift = $state({ value: null as ServedDrift | null });

export type WatchedInputs = TriggerInputs & { served: ServedHead | null };

export async function loadTriggerInputs(store: PipetteDB, projectId: string): Promise<WatchedInputs> {
  const triggers = await listTriggers(store, projectId);
  // Without triggers, only the triggers table is read (and watched).
  if (!triggers.some((tr) => tr.onNewData || tr.everyMinutes !== null || tr.onDrift)) return { triggers: [], pipelines: [], datasets: [], versions: [], runs: [], served: null };
  const [pipelines, datasets, versions, runs, served] = await Promise.all([
    listPipelines(store, projectId),
    store.datasets.where('projectId').equals(projectId).toArray(),
    store.versions.where('projectId').equals(projectId).toArray(),
    listPipelineRuns(store, projectId),
    triggers.some((tr) => tr.onDrift) ? servedHead(store, projectId) : null,
  ]);
  return { triggers, pipelines, datasets, versions, runs, served };
}

async function servedHead(store: PipetteDB, projectId: string): Promise<ServedHead | null> {
  const production = await store.aliases.get([projectId, 'production']);
  const last = production && (await lastServedRequest(store, production.modelId));
  return production && last ? { modelId: production.modelId, seq: last.seq! } : null;
}

/** Why a run ran, in the person's language. */
export function triggerText(trigger: RunTrigger): string {
  switch (trigger.kind) {
    case 'manual':
      return t('pipeline.trigger.manual');
    case 'new-data':
      return t('pipeline.trigger.new-data', { version: trigger.versionNumber, dataset: trigger.datasetName });
    case 'schedule':
      return t('pipeline.trigger.schedule', { minutes: trigger.everyMinutes });
    case 'drift':
      return t('pipeline.trigger.drift', { column: trigger.column, distance: distanceText(trigger.distance), threshold: trigger.threshold });
  }
}

/** A drift distance as the run list says it (three significant digits). */
export function distanceText(distance: number): string {
  return String(Number(distance.toPrecision(3)));
}

/** The measurement, when it covers the production model's newest served request. */
function currentDrift(head: ServedHead | null): ServedDrift | null {
  const drift = servedDrift.value;
  return head && drift && drift.modelId === head.modelId && drift.throughSeq >= head.seq ? drift : null;
}

/** Create while a component initializes (the project page): it watches until that component goes. */
export class TriggerWatch {
  readonly #inputs;
  #now = $state(Date.now());
  #draining = false;
  #measuring = false;

  constructor(private readonly projectId: () => string) {
    this.#inputs = live(() => loadTriggerInputs(db(), projectId()), null as WatchedInputs | null);
    $effect(() => {
      const timer = setInterval(() => (this.#now = Date.now()), TICK_MS);
      return () => clearInterval(timer);
    });
    $effect(() => {
      const inputs = this.#inputs.value;
      if (!inputs) return;
      const drift = currentDrift(inputs.served);
      if (inputs.served && !drift) void this.#measure();
      for (const due of dueRuns({ ...inputs, drift }, this.#now)) if (!waitingRuns.has(due.key)) waitingRuns.set(due.key, due);
      void this.#drain();
    });
  }

  /** Measure the production model's served requests until the measurement covers the newest one. */
  async #measure(): Promise<void> {
    if (this.#measuring) return;
    this.#measuring = true;
    try {
      const { dataWorker } = await import('./workers');
      for (;;) {
        const projectId = this.projectId();
        const head = await servedHead(db(), projectId);
        if (!head || currentDrift(head)) break;
        const measured = await dataWorker.api.servedDrift({ jobId: crypto.randomUUID(), projectId, modelId: head.modelId });
        // nothing to compare (no training data known): stop rather than ask again
        if (!measured || measured.throughSeq < head.seq) break;
        servedDrift.value = measured;
      }
    } catch (e) {
      triggerProblem.text = errorMessage(e);
    } finally {
      this.#measuring = false;
    }
  }

  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      const { startRun } = await import('./pipelines.svelte');
      for (let next = waitingRuns.values().next(); !next.done; next = waitingRuns.values().next()) {
        const due = next.value;
        const projectId = this.projectId();
        // Asked again once the run lock is held: another tab may have run it while this one waited.
        const stillWanted = async () => dueRuns({ ...(await loadTriggerInputs(db(), projectId)), drift: servedDrift.value }, Date.now()).some((d) => d.key === due.key);
        try {
          await startRun(projectId, due.pipeline, due.trigger, stillWanted);
          triggerProblem.text = '';
        } catch (e) {
          triggerProblem.text = errorMessage(e);
        } finally {
          waitingRuns.delete(due.key);
        }
      }
    } finally {
      this.#draining = false;
    }
  }
}

/** The Triggers panel of one pipeline name: its saved triggers and the dataset its ExampleGen watches. */
export class TriggerSettingsState {
  readonly #trigger;
  readonly #datasets;

  constructor(private readonly props: () => { projectId: string; pipeline: PipelineRecord }) {
    this.#trigger = live(() => db().pipelineTriggers.get([props().projectId, props().pipeline.name]), undefined as PipelineTriggerRecord | undefined);
    this.#datasets = live(() => db().datasets.where('projectId').equals(props().projectId).toArray(), [] as Dataset[]);
  }

  get trigger(): PipelineTriggerRecord | undefined {
    return this.#trigger.value;
  }

  /** The drift trigger's threshold (the default until one is saved). */
  get driftThreshold(): number {
    return this.trigger?.driftThreshold ?? DEFAULT_DRIFT_THRESHOLD;
  }

  /** The dataset "on new data" watches; none when the ExampleGen reads a fixed version (or an ambiguous name). */
  get dataset(): Dataset | undefined {
    return watchedDataset(this.props().pipeline, this.#datasets.value);
  }

  save(settings: TriggerSettings): void {
    const { projectId, pipeline } = this.props();
    void saveTriggers(db(), projectId, pipeline.name, settings);
  }
}

/** The evaluation whose blessing a run's Pusher read (for the thresholds it failed). */
export function liveEvaluation(id: () => unknown) {
  return live(() => {
    const evaluationId = id();
    return typeof evaluationId === 'string' ? db().evaluations.get(evaluationId) : undefined;
  }, undefined as EvaluationRecord | undefined);
}
