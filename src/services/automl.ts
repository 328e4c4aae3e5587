/**
 * AutoML ("find a model for me", issue 17) driven from the page: an AutoML search is an ordinary tune
 * search (services/tune.ts) whose space is core/tune/automl.ts's, with one step first. The default preset
 * trains once as a normal run on the search's split (the comparison's baseline, on the Train page like any
 * run); its measured seconds per epoch and per run choose Hyperband's max_epochs for what is left of the
 * budget (planHyperband); then the schedule repeats until the loop's budget stop ends it: a running trial
 * is stopped and the best finished one wins. The preset's time counts against the
 * budget (the search's elapsedMs), so the whole thing stops at the budget. The trials train on the backend
 * the preset's automatic choice timed fastest. Every step is saved, so a
 * reload continues it: a preset run left running resumes from its checkpoint, a planned search as any.
 *
 * No TF.js here: the workers train.
 */
import { planHyperband } from '../core/tune/automl-budget';
import type { SearchState } from '../core/tune/search-loop';
import type { TrainEvent } from '../protocol/train';
import type { PipetteDB } from '../store/db';
import type { RunRecord } from '../store/training-records';
import { interruptWhenFree, loadSearchState, type TuneSearchRecord } from '../store/tune-records';
import { driveSearch, runCanceller, type DriveOptions, type TrialWorker } from './tune';

/** Hyperband iterations of an AutoML search: more than any budget trains, so the budget ends it. */
export const AUTOML_ITERATIONS = 1000;

/** What the preset run measured: seconds per epoch (the epochs' own wall time) and per run outside them. */
export function measureRun(run: Pick<RunRecord, 'history' | 'durationMs'>): { secondsPerEpoch: number; secondsPerTrial: number } {
  const epochMs = run.history.reduce((sum, h) => sum + h.ms, 0);
  const epochs = Math.max(1, run.history.length);
  return { secondsPerEpoch: epochMs / epochs / 1000, secondsPerTrial: Math.max(0, run.durationMs - epochMs) / 1000 };
}

type PresetEnd = 'planned' | 'cancelled' | 'paused' | 'budget' | 'failed';

/**
 * Train (or resume, or read) the preset run of an AutoML search, then plan its Hyperband for the rest of
 * the budget. Cancel stops the run; the budget stops it too (then nothing is left to search). Pause lets
 * it finish and plans, then the search waits paused.
 */
async function presetStep(db: PipetteDB, search: TuneSearchRecord, worker: TrialWorker, options: DriveOptions): Promise<PresetEnd> {
  const info = search.automl!;
  const runId = info.presetRunId;
  const started = Date.now();
  const elapsed = () => search.elapsedMs + (Date.now() - started);
  const budgetMs = search.budgetMs ?? Infinity;
  let saving = Promise.resolve();
  const save = (change: Partial<TuneSearchRecord>) => (saving = saving.then(async () => void (await db.tuneSearches.update(search.id, { elapsedMs: elapsed(), updatedAt: Date.now(), ...change }))));
  let stoppedBy: 'cancelled' | 'budget' | null = null;
  // a cancel reaching the worker before its run has begun is lost: it is repeated until the run ends
  const canceller = runCanceller(worker, runId);
  const stop = (why: 'cancelled' | 'budget') => {
    stoppedBy ??= why;
    canceller.cancel();
  };
  const onCancel = () => stop('cancelled');
  if (options.signal?.aborted) stoppedBy = 'cancelled';
  else if (budgetMs - search.elapsedMs <= 0) stoppedBy = 'budget';
  options.signal?.addEventListener('abort', onCancel);
  const timer = setTimeout(() => stop('budget'), Math.max(0, Math.min(2 ** 31 - 1, budgetMs - search.elapsedMs)));
  const onEvent = (options.proxy ?? ((f) => f))((e: TrainEvent) => {
    if (e.kind === 'epoch') void save({});
  });
  let failure: unknown = null;
  try {
    if (!stoppedBy) {
      const existing = await db.runs.get(runId);
      if (!existing) {
        await worker.startRun({ runId, projectId: search.projectId, datasetVersionId: search.datasetVersionId, config: info.presetConfig }, onEvent);
      } else {
        await interruptWhenFree(db, runId);
        if ((await db.runs.get(runId))?.status === 'interrupted') await worker.resumeRun(runId, onEvent);
      }
    }
  } catch (e) {
    failure = e;
  } finally {
    clearTimeout(timer);
    canceller.end();
    options.signal?.removeEventListener('abort', onCancel);
  }
  const run = await db.runs.get(runId);
  if (stoppedBy === 'cancelled') return save({ status: 'cancelled' }).then(() => 'cancelled');
  if (failure !== null || run?.status === 'failed') {
    const error = run?.error ?? { message: failure instanceof Error ? failure.message : String(failure) };
    return save({ status: 'failed', error }).then(() => 'failed');
  }
  if (stoppedBy === 'budget' || run?.status !== 'done') return save({ status: 'done', doneWhy: 'budget' }).then(() => 'budget');
  const measured = measureRun(run);
  const plan = planHyperband({ budgetSeconds: budgetMs / 1000, spentSeconds: elapsed() / 1000, ...measured, slots: search.workers, maxEpochsCap: info.presetConfig.hyper.epochs });
  // the schedule repeats until the budget ends it: the plan's iterations are an estimate (a preset run pays
  // first-run costs, such as timing the backends, that later runs do not: in Chromium 6.1 s against ~1 s)
  const hyperband = { ...plan.hyperband, iterations: AUTOML_ITERATIONS };
  const paused = options.pause?.aborted === true;
  // the trials train where the preset's timing chose: timing every backend again per trial costs a CNN
  // trial seconds (a step on a software GPU), and a trial stopped by the budget while timing runs over it
  const chosen = search.base.backend === 'auto' ? run.backend?.name : undefined;
  await save({
    ...(chosen ? { base: { ...search.base, backend: chosen } } : {}),
    search: { ...search.search, hyperband },
    automl: { ...info, phase: 'search', measured, plan: { plannedTrials: plan.plannedTrials, plannedEpochs: plan.plannedEpochs, fits: plan.fits } },
    ...(paused ? { status: 'paused' as const } : {}),
  });
  return paused ? 'paused' : 'planned';
}

/**
 * The AutoML step before the search: when the preset step has not ended, train (or resume) the preset run
 * and plan. True when the planned search should run now (false: cancelled, paused, failed or out of
 * budget, as the stored search says). The caller holds the search's lock.
 */
export async function prepareAutoMl(db: PipetteDB, searchId: string, worker: TrialWorker, options: DriveOptions = {}): Promise<boolean> {
  const search = await db.tuneSearches.get(searchId);
  if (!search?.automl) throw new Error(`search ${searchId} is not an AutoML search`);
  return search.automl.phase === 'search' || (await presetStep(db, search, worker, options)) === 'planned';
}

/** Run (or continue) an AutoML search: its preset step, then the planned search (driveSearch) to its budget. The caller holds the search's lock. */
export async function driveAutoMl(db: PipetteDB, searchId: string, worker: (slot: number) => TrialWorker, options: DriveOptions = {}): Promise<SearchState> {
  if (!(await prepareAutoMl(db, searchId, worker(0), options))) return (await loadSearchState(db, searchId))!;
  return driveSearch(db, searchId, worker, options);
}
