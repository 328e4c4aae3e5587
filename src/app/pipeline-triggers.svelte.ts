/**
 * Continuous training while the app is open: the project page (which stays while the person moves between
 * stage pages) hosts a `TriggerWatch` that watches the pipelines' triggers, the datasets' versions and the runs
 * (one live query) and queues the runs `dueRuns` asks for. Queued runs start one at a time under the project's
 * run lock (a run started by hand or in another tab goes first; the queued one waits, shown as waiting).
 * The run itself (runner, host, workers) is loaded with import() when a trigger first fires.
 */
import { SvelteMap } from 'svelte/reactivity';
import { db, type Dataset, type PipetteDB } from '../store/db';
import type { EvaluationRecord } from '../store/evaluation-records';
import { listPipelineRuns, listPipelines, type PipelineRecord, type RunTrigger } from '../store/pipeline-records';
import { listTriggers, saveTriggers, type PipelineTriggerRecord, type TriggerSettings } from '../store/pipeline-triggers';
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

export async function loadTriggerInputs(store: PipetteDB, projectId: string): Promise<TriggerInputs> {
  const triggers = await listTriggers(store, projectId);
  // Without triggers, only the triggers table is read (and watched).
  if (!triggers.some((tr) => tr.onNewData || tr.everyMinutes !== null)) return { triggers: [], pipelines: [], datasets: [], versions: [], runs: [] };
  const [pipelines, datasets, versions, runs] = await Promise.all([
    listPipelines(store, projectId),
    store.datasets.where('projectId').equals(projectId).toArray(),
    store.versions.where('projectId').equals(projectId).toArray(),
    listPipelineRuns(store, projectId),
  ]);
  return { triggers, pipelines, datasets, versions, runs };
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
  }
}

/** Create while a component initializes (the project page): it watches until that component goes. */
export class TriggerWatch {
  readonly #inputs;
  #now = $state(Date.now());
  #draining = false;

  constructor(private readonly projectId: () => string) {
    this.#inputs = live(() => loadTriggerInputs(db(), projectId()), null as TriggerInputs | null);
    $effect(() => {
      const timer = setInterval(() => (this.#now = Date.now()), TICK_MS);
      return () => clearInterval(timer);
    });
    $effect(() => {
      const inputs = this.#inputs.value;
      if (!inputs) return;
      for (const due of dueRuns(inputs, this.#now)) if (!waitingRuns.has(due.key)) waitingRuns.set(due.key, due);
      void this.#drain();
    });
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
        const stillWanted = async () => dueRuns(await loadTriggerInputs(db(), projectId), Date.now()).some((d) => d.key === due.key);
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
