/**
 * AutoML ("find a model for me", issue 17) driven from the page: an AutoML search is an ordinary tune
 * search (services/tune.ts) whose space is core/tune/automl.ts's, with one step first. The default preset
 * trains once as a normal run on the search's split (the comparison's baseline, on the Train page like any
 * run); its measured seconds per epoch and per run plan Hyperband for what is left of the budget
 * (planHyperband, plus one iteration, so the budget rather than the estimate ends it); then the search runs
 * with the loop's budget stop: a running trial is stopped and the best finished one wins. The preset's time counts against the
 * budget (the search's elapsedMs), so the whole thing stops at the budget. Every step is saved, so a
 * reload continues it: a preset run left running resumes from its checkpoint, a planned search as any.
 *
 * No TF.js here: the workers train.
 */
import { planHyperband } from '../core/tune/automl-budget';
import { hyperbandSchedule } from '../core/tune/hyperband';
import type { SearchState } from '../core/tune/search-loop';
import type { TrainEvent } from '../protocol/train';
import type { PipetteDB } from '../store/db';
import type { RunRecord } from '../store/training-records';
import { interruptWhenFree, listTrials, loadSearchState, type TuneSearchRecord } from '../store/tune-records';
import { driveSearch, type DriveOptions, type TrialWorker } from './tune';

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
  let retry: ReturnType<typeof setInterval> | undefined;
  const stop = (why: 'cancelled' | 'budget') => {
    stoppedBy ??= why;
    void worker.cancel(runId);
    retry ??= setInterval(() => void worker.cancel(runId), 250);
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
    clearInterval(retry);
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
  // one iteration more than fits: the budget, not an estimate, ends the search (the last runs as far as it lets)
  const hyperband = plan.fits ? { ...plan.hyperband, iterations: plan.hyperband.iterations + 1 } : plan.hyperband;
  const schedule = hyperbandSchedule(hyperband);
  const paused = options.pause?.aborted === true;
  await save({
    search: { ...search.search, hyperband },
    automl: { ...info, phase: 'search', measured, plan: { plannedTrials: schedule.trials, plannedEpochs: schedule.epochs, fits: plan.fits } },
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

/**
 * A schedule that ended before the budget (the preset run's first-run costs, such as timing the backends,
 * made the plan cautious): more Hyperband iterations at the same max_epochs, planned from what the finished
 * trials measured, plus one the budget cuts. True when the search was extended and should run again.
 */
export async function extendAutoMl(db: PipetteDB, searchId: string): Promise<boolean> {
  const search = await db.tuneSearches.get(searchId);
  if (!search?.automl || search.status !== 'done' || search.doneWhy !== 'schedule-complete' || search.budgetMs === undefined) return false;
  if (search.budgetMs - search.elapsedMs <= 0) return false;
  const trials = await listTrials(db, searchId);
  const runs = (await db.runs.bulkGet(trials.filter((t) => t.status === 'completed').map((t) => t.runId))).filter((r) => r !== undefined);
  // the trials' own epochs only (a promoted trial's run repeats its parent's epoch records)
  const own = runs.map((r) => ({ history: r.history.slice(trials.find((t) => t.runId === r.id)?.initialEpoch ?? 0), durationMs: r.durationMs }));
  const epochs = own.reduce((n, r) => n + r.history.length, 0);
  if (own.length === 0 || epochs === 0) return false;
  const epochMs = own.reduce((n, r) => n + r.history.reduce((m, h) => m + h.ms, 0), 0);
  const durationMs = own.reduce((n, r) => n + r.durationMs, 0);
  const measured = { secondsPerEpoch: epochMs / epochs / 1000, secondsPerTrial: Math.max(0, durationMs - epochMs) / own.length / 1000 };
  const maxEpochs = search.search.hyperband.maxEpochs;
  const more = planHyperband({ budgetSeconds: search.budgetMs / 1000, spentSeconds: search.elapsedMs / 1000, ...measured, slots: search.workers, maxEpochsCap: maxEpochs, minEpochs: maxEpochs, factor: search.search.hyperband.factor });
  const hyperband = { ...search.search.hyperband, iterations: search.search.hyperband.iterations + (more.fits ? more.hyperband.iterations + 1 : 1) };
  const schedule = hyperbandSchedule(hyperband);
  await db.tuneSearches.update(searchId, {
    status: 'running',
    doneWhy: undefined,
    search: { ...search.search, hyperband },
    automl: { ...search.automl, plan: { plannedTrials: schedule.trials, plannedEpochs: schedule.epochs, fits: search.automl.plan?.fits ?? true } },
    updatedAt: Date.now(),
  });
  return true;
}

/**
 * Run (or continue) an AutoML search: its preset step, then the planned search (driveSearch), extended
 * while its schedule ends before the budget. The caller holds the search's lock. Resolves with its state.
 */
export async function driveAutoMl(db: PipetteDB, searchId: string, worker: (slot: number) => TrialWorker, options: DriveOptions = {}): Promise<SearchState> {
  if (!(await prepareAutoMl(db, searchId, worker(0), options))) return (await loadSearchState(db, searchId))!;
  let state = await driveSearch(db, searchId, worker, options);
  while (!options.signal?.aborted && !options.pause?.aborted && (await extendAutoMl(db, searchId))) state = await driveSearch(db, searchId, worker, options);
  return state;
}
