/**
 * The Tuner in the tab: a normal search of the Tune stage (store/tune-records.ts), so the Tune page lists
 * it with its trials, each a run on the Train page. Its base config is the one a Trainer with the same
 * settings would run (pipeline-train.ts trainerRunConfig); the search is driven by the Tune stage's own
 * driveSearch over the pool of training workers, holding the search's Web Lock as the Tune page does (so
 * the Tune page, opened meanwhile, waits instead of driving it too). The component's cancel cancels the
 * search; its output is the best trial's values with the space (core/pipeline/tuner.ts), named
 * pipette:tune/<searchId>/<trialId>. The search's id is the pipeline run's and the component's, so a run
 * continued after a reload continues its Tuner's search (finished trials kept, a running one resumed from
 * its checkpoint) instead of starting another.
 */
import * as Comlink from 'comlink';
import { hyperbandSchedule } from '../core/tune/hyperband';
import { PipelineError } from '../core/pipeline/errors';
import type { ArtifactRef, ExecuteContext, OutputArtifact } from '../core/pipeline/runner';
import type { ComponentSpec } from '../core/pipeline/spec';
import { bestHyperparametersProperties, bestTrial } from '../core/pipeline/tuner';
import { readSpace } from '../core/tune/space-json';
import type { TrainEvent } from '../protocol/train';
import { driveSearch, type TrialWorker } from '../services/tune';
import type { PipetteDB } from '../store/db';
import { addSearch, searchLockName, trialRunId, type TuneSearchRecord } from '../store/tune-records';
import { abortError, trainerRunConfig, type HostTrainApi } from './pipeline-train';

type Inputs = Readonly<Record<string, ArtifactRef[]>>;

/** The epochs a search trains in all, when known ahead (Hyperband's schedule; else every trial to its epochs). */
function plannedEpochs(search: TuneSearchRecord): number {
  const s = search.search;
  return s.algorithm === 'hyperband' ? hyperbandSchedule(s.hyperband).epochs * s.hyperband.iterations : s.maxTrials * search.base.hyper.epochs;
}

export interface TunerPool {
  worker: (slot: number) => TrialWorker;
  /** Trials at the same time. */
  size: number;
}

/** The search a Tuner's execution in a pipeline run drives. */
export function tunerSearchId(pipelineRunId: string, componentId: string): string {
  return `${pipelineRunId}-${componentId}`;
}

/** The Tuner's search: the one this execution started before a reload, or a new one. */
async function searchOf(db: PipetteDB, projectId: string, train: HostTrainApi, pool: TunerPool, c: ComponentSpec<'Tuner'>, inputs: Inputs, ctx: ExecuteContext): Promise<TuneSearchRecord> {
  const id = tunerSearchId(ctx.runId, c.id);
  const earlier = await db.tuneSearches.get(id);
  if (earlier) {
    // cancelled on the Tune page meanwhile: the component is cancelled as well
    if (earlier.status === 'cancelled') throw abortError();
    ctx.log(`continuing search ${id} ("${earlier.name}")`);
    return earlier;
  }
  const s = c.settings;
  const { datasetVersionId, config } = await trainerRunConfig(train, s, inputs, ctx.signal);
  const now = Date.now();
  const search: TuneSearchRecord = {
    id,
    projectId,
    name: s.name,
    datasetVersionId,
    base: config,
    space: readSpace(s.space),
    search: structuredClone(s.search),
    workers: pool.size,
    status: 'running',
    elapsedMs: 0,
    createdAt: now,
    updatedAt: now,
  };
  await addSearch(db, search);
  ctx.log(`search ${search.id} (the Tune page lists it as "${search.name}")`);
  return search;
}

export async function runTuner(db: PipetteDB, projectId: string, train: HostTrainApi, pool: TunerPool, c: ComponentSpec<'Tuner'>, inputs: Inputs, ctx: ExecuteContext): Promise<Record<string, OutputArtifact>> {
  const search = await searchOf(db, projectId, train, pool, c, inputs, ctx);
  const planned = plannedEpochs(search);
  // a continued search counts the epochs its trials trained before
  let epochs = (await db.tuneTrials.where('searchId').equals(search.id).toArray()).reduce((sum, t) => sum + t.history.length - t.initialEpoch, 0);
  const proxy = (f: (e: TrainEvent) => void) =>
    Comlink.proxy((e: TrainEvent) => {
      f(e);
      if (e.kind === 'epoch') ctx.progress(Math.min(1, ++epochs / planned), `${epochs} epochs`);
    });
  const drive = () => driveSearch(db, search.id, pool.worker, { signal: ctx.signal, proxy, workers: pool.size });
  const locks = globalThis.navigator?.locks;
  const state = locks ? await locks.request(searchLockName(search.id), drive) : await drive();
  if (ctx.signal.aborted || state.status === 'cancelled') throw abortError();
  if (state.status === 'failed') throw state.error ?? new Error(`search ${search.id} failed`);
  const best = bestTrial(state.trials, search.search.objective);
  if (!best || best.best === null) {
    throw new PipelineError('no-best-trial', { component: c.id, params: { searchId: search.id, trials: state.trials.length } }, `${c.id}: no trial of search ${search.id} reached an objective value`);
  }
  ctx.log(`best: trial ${best.id}, ${search.search.objective.metric} ${best.best.toFixed(4)} at epoch ${best.bestEpoch ?? '?'}: ${JSON.stringify(best.values)}`);
  const properties = bestHyperparametersProperties({ searchId: search.id, trialId: best.id, values: best.values, space: search.space, objective: search.search.objective, best: best.best, bestEpoch: best.bestEpoch });
  return { best_hyperparameters: { uri: `pipette:tune/${search.id}/${best.id}`, properties: { ...properties, runId: trialRunId(search.id, best.id) } } };
}

/** Whether the search and its best trial's run are still there (a deleted search is not reused from the cache). */
export async function tuneExists(db: PipetteDB, searchId: string, trialId: string): Promise<boolean> {
  const [search, trial] = await Promise.all([db.tuneSearches.get(searchId), db.tuneTrials.get([searchId, trialId])]);
  return search !== undefined && trial !== undefined && (await db.runs.get(trial.runId)) !== undefined;
}
