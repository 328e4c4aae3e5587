/**
 * A search of the Tune stage, driven from the page over a pool of training workers: the search loop
 * (core/tune/search-loop.ts) with the oracle and pruner of the search's settings, and a host that trains
 * each trial as a normal Train-stage run (startRun on the slot's worker; a promoted Hyperband trial
 * continues its parent's checkpoint through RunConfig.continueFrom; a trial left running by a closed tab
 * continues its own run with resumeRun). The objective per epoch is read from the run's epoch record.
 *
 * No TF.js here: the workers do the training, so the page (app/tune.svelte.ts) and Node tests (with
 * TrainService instances as the workers) run the same code.
 */
import { nextTrial } from '../core/tune/oracle';
import { shouldPrune } from '../core/tune/pruner';
import { runSearch, type LoopTrial, type SearchHost, type SearchState, type TrialContext, type TrialEnd } from '../core/tune/search-loop';
import { trialTraining } from '../core/tune/space';
import type { BaseConfig, Direction } from '../core/tune/types';
import type { RunOutcome, StartRunRequest, TrainEvent } from '../protocol/train';
import type { PipetteDB } from '../store/db';
import type { EpochRecord, RunConfig } from '../store/training-records';
import { interruptWhenFree, loadSearchState, saveSearchState, trialRunId, type TuneSearchRecord } from '../store/tune-records';

/** The per-epoch metrics a search can optimize (KerasTuner's names), where the epoch record has them, and their direction. */
export const TUNE_METRICS = {
  val_acc: { field: 'valAcc', direction: 'max' },
  val_loss: { field: 'valLoss', direction: 'min' },
  acc: { field: 'acc', direction: 'max' },
  loss: { field: 'loss', direction: 'min' },
} as const satisfies Record<string, { field: keyof EpochRecord; direction: Direction }>;

export type TuneMetric = keyof typeof TUNE_METRICS;

/** The objective's value in an epoch record (NaN where the run has none, e.g. no validation rows). */
export function objectiveValue(metric: string, epoch: EpochRecord): number {
  const m = TUNE_METRICS[metric as TuneMetric];
  const v = m ? epoch[m.field] : null;
  return typeof v === 'number' ? v : NaN;
}

/** What the host asks of a training worker. */
export interface TrialWorker {
  startRun(req: StartRunRequest, onEvent: (e: TrainEvent) => void): Promise<RunOutcome>;
  resumeRun(runId: string, onEvent: (e: TrainEvent) => void): Promise<RunOutcome>;
  cancel(jobId: string): Promise<boolean>;
}

/** How often a cancel is sent again until the run ends. */
const CANCEL_RETRY_MS = 250;

/**
 * The cancel of a run on a worker. The training worker aborts only a job it runs now (protocol/jobs.ts
 * cancelJob), so a cancel reaching it before the run has begun (a resumed trial reads the store and waits
 * for the run's writer lock first) would be lost and the run would train all its epochs: once asked for,
 * the cancel is repeated until `end()` (the run ended).
 */
export function runCanceller(worker: TrialWorker, runId: string): { cancel(): void; end(): void } {
  let retry: ReturnType<typeof setInterval> | undefined;
  return {
    cancel() {
      void worker.cancel(runId);
      retry ??= setInterval(() => void worker.cancel(runId), CANCEL_RETRY_MS);
    },
    end() {
      clearInterval(retry);
    },
  };
}

/** The layers and training settings a search's space is applied to. */
export function baseOf(search: TuneSearchRecord): BaseConfig {
  return { layers: search.base.spec?.layers ?? [], hyper: { ...search.base.hyper } };
}

/**
 * A trial's run config: the base with the trial's values applied, trained to the trial's epochs; a promoted
 * trial continues its parent's run at its initial epoch. Hyperband's trials train every epoch of their
 * round (no early stopping: a promoted trial continues the state after its parent's last epoch).
 */
export function trialConfig(search: TuneSearchRecord, trial: Pick<LoopTrial, 'id' | 'values' | 'epochs' | 'initialEpoch' | 'parentId'>): RunConfig {
  const training = trialTraining(baseOf(search), search.space, search.search.algorithm, trial);
  const base = search.base;
  return {
    ...base,
    name: `${search.name} · trial ${trial.id}`,
    spec: base.spec ? { ...base.spec, layers: training.layers } : null,
    hyper: { ...base.hyper, ...training.hyper },
    ...(trial.parentId !== null ? { continueFrom: { runId: trialRunId(search.id, trial.parentId), epoch: trial.initialEpoch } } : {}),
  };
}

export interface TuneHostOptions {
  db: PipetteDB;
  search: TuneSearchRecord;
  /** The worker of a pool slot. */
  worker: (slot: number) => TrialWorker;
  /** Wraps the event callback for the worker boundary (Comlink.proxy on the page; identity in Node). */
  proxy?: (f: (e: TrainEvent) => void) => (e: TrainEvent) => void;
}

/** The search loop's host: trials as runs on the pool's workers, the state saved in the store. */
export class TuneHost implements SearchHost {
  readonly #o: TuneHostOptions;

  constructor(options: TuneHostOptions) {
    this.#o = options;
  }

  async runTrial(trial: Readonly<LoopTrial>, slot: number, ctx: TrialContext, resume: boolean): Promise<TrialEnd> {
    const { db, search } = this.#o;
    const runId = trialRunId(search.id, trial.id);
    const metric = search.search.objective.metric;
    const worker = this.#o.worker(slot);
    const onEvent = (this.#o.proxy ?? ((f) => f))((e: TrainEvent) => {
      if (e.kind === 'epoch') ctx.epoch(e.epoch.epoch + 1, objectiveValue(metric, e.epoch), e.elapsedMs);
    });
    const canceller = runCanceller(worker, runId);
    const cancel = () => canceller.cancel();
    if (ctx.signal.aborted) return { status: 'stopped', durationMs: trial.durationMs };
    ctx.signal.addEventListener('abort', cancel);
    try {
      const outcome = await this.#train(trial, runId, worker, onEvent, resume);
      const run = await db.runs.get(runId);
      // the trial's history is the run's (a resumed run retrains the epochs after its last checkpoint)
      run?.history.forEach((h, i) => i >= trial.history.length && ctx.epoch(i + 1, objectiveValue(metric, h), run.durationMs));
      if (outcome.status === 'failed') throw run?.error ?? new Error(`trial run ${runId} failed`);
      const tieLoss = trial.bestEpoch !== null ? run?.history[trial.bestEpoch - 1]?.valLoss : null;
      return { status: outcome.status === 'done' ? 'completed' : 'stopped', durationMs: run?.durationMs ?? trial.durationMs, ...(Number.isFinite(tieLoss) ? { tieLoss: tieLoss! } : {}) };
    } finally {
      ctx.signal.removeEventListener('abort', cancel);
      canceller.end();
    }
  }

  /** Start the trial's run, or continue the run a closed tab or a lost worker left (from its last checkpoint). */
  async #train(trial: Readonly<LoopTrial>, runId: string, worker: TrialWorker, onEvent: (e: TrainEvent) => void, resume: boolean): Promise<RunOutcome> {
    const { db, search } = this.#o;
    const start = () => worker.startRun({ runId, projectId: search.projectId, datasetVersionId: search.datasetVersionId, config: trialConfig(search, trial) }, onEvent);
    if (!resume) return start();
    // the lost worker's writes may land after its loss is known (its run record, added as it died, can be
    // committed after its lock came free): wait for the lock, and take a record that appears after the
    // look as the lost worker's, to resume
    await interruptWhenFree(db, runId);
    if (!(await db.runs.get(runId))) {
      return start().catch(async (e: unknown) => {
        if (!(await db.runs.get(runId))) throw e;
        return this.#train(trial, runId, worker, onEvent, true);
      });
    }
    const run = (await db.runs.get(runId))!;
    // the run finished (or failed) after the trial's last save: only its record is read
    if (run.status !== 'interrupted') return { runId, status: run.status === 'done' ? 'done' : run.status === 'cancelled' ? 'cancelled' : 'failed' };
    // a promoted trial stopped before its first epoch has no checkpoint of its own: a resume would train it
    // from scratch, so it continues its parent's checkpoint again
    if (run.config.continueFrom && !(await db.checkpoints.get(runId))) {
      await db.runs.delete(runId);
      return start();
    }
    return worker.resumeRun(runId, onEvent);
  }

  save(state: SearchState): Promise<void> {
    return saveSearchState(this.#o.db, this.#o.search.id, state);
  }
}

export interface DriveOptions {
  signal?: AbortSignal;
  pause?: AbortSignal;
  proxy?: TuneHostOptions['proxy'];
  /** The pool's size for this execution (default: the search's). */
  workers?: number;
}

/**
 * Run (or continue) a stored search to its end, a cancel, a pause or its budget. The caller holds the
 * search's lock (store/tune-records.ts searchLockName) so two tabs never drive one search.
 */
export async function driveSearch(db: PipetteDB, searchId: string, worker: (slot: number) => TrialWorker, options: DriveOptions = {}): Promise<SearchState> {
  const search = await db.tuneSearches.get(searchId);
  const state = await loadSearchState(db, searchId);
  if (!search || !state) throw new Error(`search ${searchId} does not exist`);
  const host = new TuneHost({ db, search, worker, proxy: options.proxy });
  const base = baseOf(search);
  const now = Date.now();
  return runSearch(state, host, {
    next: (trials) => nextTrial(search.search, search.space, base, trials),
    ...(search.search.pruner && search.search.algorithm !== 'hyperband' ? { prune: (t, epoch, value, trials) => shouldPrune(search.search, t, epoch, value, trials) } : {}),
    objective: search.search.objective,
    workers: options.workers ?? search.workers,
    signal: options.signal,
    pause: options.pause,
    // the budget counts search time over every execution: what is left of it from now
    ...(search.budgetMs !== undefined ? { deadline: now + Math.max(0, search.budgetMs - state.elapsedMs) } : {}),
  });
}
