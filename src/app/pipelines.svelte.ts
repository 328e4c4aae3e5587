/**
 * Page state of the Pipelines stage: the project's pipeline versions and runs (live queries), creating a
 * version (the demo pipeline bundled with the app, or JSON text checked as it is typed), running one and
 * cancelling it, and continuing a run its tab left unfinished.
 *
 * A run is driven from the page (the runner only decides and records; the work is in the data worker) and
 * holds its writer lock while it runs; after every change its record and the project's MLMD store are saved
 * in one transaction. Runs of this tab are kept at module level, so leaving the page and coming back
 * still offers their cancel. One run at a time per project (`startRun` takes the project's run lock; the
 * triggers of app/pipeline-triggers.svelte.ts start theirs the same way): the MLMD store is one record per project.
 */
import { SvelteMap } from 'svelte/reactivity';
import demoText from '../../pipelines/demo.pipeline.json?raw';
import { checkPipeline, type CheckedPipeline } from '../core/pipeline/check';
import { emptyPipeline } from '../core/pipeline/draft';
import { newRunRecord, runPipeline, type RunRecord } from '../core/pipeline/runner';
import { db } from '../store/db';
import { addPipelineVersion, listPipelineRuns, listPipelines, loadMlmd, saveRunState, type PipelineRecord, type PipelineRunRecord, type RunTrigger } from '../store/pipeline-records';
import { holdingWriterLock } from '../store/sweep';
import { errorMessage } from './format';
import { t } from './i18n.svelte';
import { live, type Live } from './live.svelte';
import { makePipelineFromModel, type PipelineFromModel } from './pipeline-from-model';
import { TabPipelineHost } from './pipeline-host';
import { PipelineDraft } from './pipeline-draft.svelte';
import { checkText, componentRows, layoutDag, type ComponentRow } from './pipeline-view';
import { dataWorker, trainRuns } from './workers';
import { DEFAULT_TUNE_WORKERS, trialWorkers } from './workers/tune-pool';

export const DEMO_PIPELINE_TEXT: string = demoText;

/** Runs this tab drives, by run id: their cancel. */
const active = new SvelteMap<string, AbortController>();

export class PipelinesPageState {
  readonly #pipelines: Live<PipelineRecord[]>;
  readonly #runs: Live<PipelineRunRecord[]>;
  selectedId = $state<string | null>(null);
  /** The editor: a draft edited as a graph and as JSON, checked as it changes. */
  editorOpen = $state(false);
  readonly draft: PipelineDraft;
  /** What went wrong creating or starting something (in the person's language). */
  problem = $state('');
  /** The editor holds a pipeline made from a model's lineage: the model, the data choice, the notes. */
  fromModel = $state.raw<(PipelineFromModel & { modelId: string; version: 'fixed' | 'latest' }) | null>(null);

  constructor(private readonly props: () => { projectId: string }) {
    this.#pipelines = live(() => listPipelines(db(), props().projectId), [] as PipelineRecord[]);
    this.#runs = live(() => listPipelineRuns(db(), props().projectId), [] as PipelineRunRecord[]);
    this.draft = new PipelineDraft(() => props().projectId);
  }

  get projectId(): string {
    return this.props().projectId;
  }

  get pipelines(): PipelineRecord[] {
    return this.#pipelines.value;
  }

  get loading(): boolean {
    return this.#pipelines.loading;
  }

  get selected(): PipelineRecord | undefined {
    return this.pipelines.find((p) => p.id === this.selectedId) ?? this.pipelines[0];
  }

  /** The selected pipeline's checked DAG (a stored version was checked when it was saved). */
  readonly selectedDag = $derived.by(() => dagOf(this.selected));
  readonly layout = $derived(this.selectedDag ? layoutDag(this.selectedDag) : null);

  get runs(): PipelineRunRecord[] {
    return this.#runs.value;
  }

  /** The newest run of the selected pipeline's name (its state colours the DAG). */
  get latestRun(): PipelineRunRecord | undefined {
    const pipeline = this.selected;
    if (!pipeline) return undefined;
    const ids = new Set(this.pipelines.filter((p) => p.name === pipeline.name).map((p) => p.id));
    return this.runs.find((r) => ids.has(r.pipelineId));
  }

  /** A run this tab drives: Run waits for it (one MLMD store per project). */
  get busy(): boolean {
    return active.size > 0;
  }

  isActive(runId: string): boolean {
    return active.has(runId);
  }

  pipelineOf(run: PipelineRunRecord): PipelineRecord | undefined {
    return this.pipelines.find((p) => p.id === run.pipelineId);
  }

  rowsOf(run: PipelineRunRecord): ComponentRow[] {
    const dag = dagOf(this.pipelineOf(run));
    return dag ? componentRows(dag, run) : [];
  }

  /** Store the demo pipeline as a version of this project. */
  createDemo(): Promise<PipelineRecord | null> {
    return this.save(DEMO_PIPELINE_TEXT);
  }

  /** Open the editor on a stored version, the demo pipeline (JSON), or an empty pipeline. */
  openEditor(from: PipelineRecord | 'demo' | 'empty'): void {
    const text = from === 'demo' ? DEMO_PIPELINE_TEXT : JSON.stringify(from === 'empty' ? emptyPipeline('pipeline') : from.spec, null, 2);
    this.draft.open(text);
    this.editorOpen = true;
    this.fromModel = null;
    this.problem = '';
  }

  /**
   * Open the editor on a new pipeline repeating how a model version was made by hand (its dataset version
   * fixed, or the newest when the pipeline runs), for the person to check and save; a model a pipeline
   * cannot repeat is refused in `problem`, naming what is missing.
   */
  async openFromModel(modelId: string, version: 'fixed' | 'latest' = 'fixed'): Promise<void> {
    this.problem = '';
    try {
      const made = await makePipelineFromModel(db(), this.projectId, modelId, version, (model) => t('pipeline.fromModel.description', { model }));
      this.draft.open(JSON.stringify(made.spec, null, 2));
      this.fromModel = { ...made, modelId, version };
      this.editorOpen = true;
    } catch (err) {
      this.fromModel = null;
      this.problem = errorMessage(err);
    }
  }

  /** Store the draft as the next version of its name (refused with the first problem). */
  async saveEditor(): Promise<void> {
    if (await this.save(this.draft.text)) {
      this.editorOpen = false;
      this.fromModel = null;
    }
  }

  async save(text: string): Promise<PipelineRecord | null> {
    const checked = checkText(text);
    if (!checked.ok) {
      this.problem = errorMessage(checked.error);
      return null;
    }
    this.problem = '';
    const record = await addPipelineVersion(db(), this.projectId, checked.dag.spec);
    this.selectedId = record.id;
    return record;
  }

  /** Start a run of a pipeline version; resolves when it finished (or was cancelled). */
  async run(pipeline: PipelineRecord, trigger: RunTrigger = { kind: 'manual' }): Promise<void> {
    if (this.busy) return;
    this.problem = '';
    await startRun(this.projectId, pipeline, trigger);
  }

  cancel(runId: string): void {
    active.get(runId)?.abort();
  }

  /**
   * Continue the runs its tab left unfinished ('interrupted' by the start-up sweep, or still 'running'
   * while a reloaded page's old tab lets go): take the project's run lock as a new run does, then the run's
   * own lock, and continue it if nobody finished it meanwhile.
   */
  async resumeUnfinished(): Promise<void> {
    const projectId = this.projectId;
    const unfinished = (await listPipelineRuns(db(), projectId)).filter((r) => r.status !== 'finished' && !active.has(r.id)).reverse();
    for (const stale of unfinished) {
      const resume = async () => {
        const row = await db().pipelineRuns.get(stale.id);
        const pipeline = row && (await db().pipelines.get(row.pipelineId));
        const dag = dagOf(pipeline);
        if (!row || row.status === 'finished' || !pipeline || !dag || active.has(row.id)) return;
        await drive(projectId, pipeline, dag, runRecordOf(row), row.trigger);
      };
      await underProjectRunLock(projectId, () => holdingWriterLock(stale.id, resume));
    }
  }
}

/**
 * Runs of a project take turns, in this tab and across tabs (new, triggered and resumed ones alike): the
 * project's MLMD store is one record, and the runner gives execution ids from it without asking the host.
 * The project lock is always taken before a run's own lock, so two tabs never wait on each other in a circle.
 */
async function underProjectRunLock<T>(projectId: string, work: () => Promise<T>): Promise<T> {
  const locks = globalThis.navigator?.locks;
  return locks ? ((await locks.request(`pipette-pipeline-runs-${projectId}`, work)) as T) : work();
}

/**
 * Start a run and resolve when it finished. Runs of a project take turns (in this tab and across tabs) under
 * the project's run lock: the MLMD store is one record per project. `stillWanted`, asked once the lock is
 * held, lets a triggered run find that another tab already did it.
 */
export async function startRun(projectId: string, pipeline: PipelineRecord, trigger: RunTrigger, stillWanted?: () => Promise<boolean>): Promise<boolean> {
  const dag = dagOf(pipeline);
  if (!dag) return false;
  return underProjectRunLock(projectId, async () => {
    if (stillWanted && !(await stillWanted())) return false;
    const record = newRunRecord(crypto.randomUUID(), dag, Date.now());
    await holdingWriterLock(record.runId, () => drive(projectId, pipeline, dag, record, trigger));
    return true;
  });
}

function dagOf(pipeline: PipelineRecord | undefined): CheckedPipeline | null {
  if (!pipeline) return null;
  try {
    return checkPipeline(pipeline.spec);
  } catch {
    return null;
  }
}

/** The runner's part of a saved row. */
function runRecordOf(row: PipelineRunRecord): RunRecord {
  const { runId, pipelineName, startedAt, finishedAt, outcome, components, outputs } = row;
  return { runId, pipelineName, startedAt, finishedAt, outcome, components, outputs };
}

/** Run (or continue) a run; the caller holds its writer lock. */
async function drive(projectId: string, pipeline: PipelineRecord, dag: CheckedPipeline, record: RunRecord, trigger: RunTrigger): Promise<void> {
  const controller = new AbortController();
  active.set(record.runId, controller);
  try {
    const store = await loadMlmd(db(), projectId);
    const row = { projectId, pipelineId: pipeline.id, pipelineVersion: pipeline.version, trigger };
    await saveRunState(db(), row, record, store);
    const host = new TabPipelineHost(db(), projectId, dataWorker.api, trainRuns(), { worker: trialWorkers(DEFAULT_TUNE_WORKERS), size: DEFAULT_TUNE_WORKERS });
    await runPipeline(dag, host, store, record, { signal: controller.signal, onChange: (run, s) => saveRunState(db(), row, run, s).then(() => undefined) });
  } finally {
    active.delete(record.runId);
  }
}
