/**
 * Records of the Tune stage (issue 17): a search (its space, settings and the Train-stage config its trials
 * start from, plus the loop's state) and its trials. A trial is a normal run in `runs` (its curves,
 * checkpoints and backend are the Train stage's); its tuneTrials row links it to the search with its
 * values, schedule (epochs, initial epoch, parent, bracket, round), status and objective history.
 * The search's state and every trial row are written in one transaction after each change, so a reload
 * finds them consistent. Types only come from core, so the page imports this without TF.js.
 */
import type { TuneLineage } from '../core/model/bundle';
import type { SearchState, LoopTrial, SearchStatus } from '../core/tune/search-loop';
import type { SearchConfig, SearchSpace } from '../core/tune/types';
import type { PipetteDB } from './db';
import { writerLockName } from './sweep';
import type { RunConfig } from './training-records';

export interface TuneSearchRecord {
  id: string;
  projectId: string;
  name: string;
  datasetVersionId: string;
  /** The Train-stage run config every trial starts from (data, split, model layers, training settings). */
  base: RunConfig;
  space: SearchSpace;
  search: SearchConfig;
  /** Stop after this much search time (AutoML's budget); absent: no limit. */
  budgetMs?: number;
  /** Trials run at the same time (training workers of the pool). */
  workers: number;
  /** AutoML ("find a model for me"): the default preset's run first, then this search planned from it. */
  automl?: AutoMlSearchInfo;
  status: SearchStatus;
  doneWhy?: SearchState['doneWhy'];
  error?: unknown;
  elapsedMs: number;
  createdAt: number;
  updatedAt: number;
}

/**
 * An AutoML search's own part (services/automl.ts): the default preset trained once on the search's split
 * (a normal run, `presetRunId`), its measured times, and the Hyperband plan made from them for the rest of
 * the budget. 'preset': that run is still to train (or to resume); 'search': the planned search runs.
 */
export interface AutoMlSearchInfo {
  phase: 'preset' | 'search';
  presetRunId: string;
  /** The preset run's config: the preset's model and training settings (early stopping included). */
  presetConfig: RunConfig;
  /** The model families searched (core/tune/automl.ts familiesFor). */
  families: string[];
  /** From the preset run: seconds per epoch and per run outside its epochs. */
  measured?: { secondsPerEpoch: number; secondsPerTrial: number };
  /** The plan (search.hyperband holds its settings): trials and epochs of its schedule, and whether it fits the budget. */
  plan?: { plannedTrials: number; plannedEpochs: number; fits: boolean };
}

export interface TuneTrialRecord extends LoopTrial {
  searchId: string;
  /** The trial's run in `runs`. */
  runId: string;
}

/** A trial's run id: fixed by the search and trial, so a resumed search finds the run of a trial it left running. */
export function trialRunId(searchId: string, trialId: string): string {
  return `${searchId}-t${trialId}`;
}

export async function addSearch(db: PipetteDB, record: TuneSearchRecord): Promise<void> {
  await db.tuneSearches.add(record);
}

export async function listSearches(db: PipetteDB, projectId: string): Promise<TuneSearchRecord[]> {
  const all = await db.tuneSearches.where('projectId').equals(projectId).toArray();
  return all.sort((a, b) => b.createdAt - a.createdAt);
}

/** A search's trials in creation order (the order the oracles read them in). */
export async function listTrials(db: PipetteDB, searchId: string): Promise<TuneTrialRecord[]> {
  const all = await db.tuneTrials.where('searchId').equals(searchId).toArray();
  return all.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The trials of every search of a project, each search's in creation order. */
export async function listProjectTrials(db: PipetteDB, projectId: string): Promise<TuneTrialRecord[]> {
  const ids = (await db.tuneSearches.where('projectId').equals(projectId).primaryKeys()) as string[];
  const all = await db.tuneTrials.where('searchId').anyOf(ids).toArray();
  return all.sort((a, b) => (a.searchId === b.searchId ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.searchId < b.searchId ? -1 : 1));
}

/** The loop's state of a stored search. */
export async function loadSearchState(db: PipetteDB, searchId: string): Promise<SearchState | null> {
  const record = await db.tuneSearches.get(searchId);
  if (!record) return null;
  const trials = (await listTrials(db, searchId)).map(({ searchId: _s, runId: _r, ...trial }) => trial);
  return { status: record.status, ...(record.doneWhy ? { doneWhy: record.doneWhy } : {}), ...(record.error ? { error: record.error } : {}), trials, elapsedMs: record.elapsedMs };
}

/** The search's state and all its trials, in one transaction. */
export async function saveSearchState(db: PipetteDB, searchId: string, state: SearchState): Promise<void> {
  await db.transaction('rw', [db.tuneSearches, db.tuneTrials], async () => {
    await db.tuneSearches.update(searchId, { status: state.status, doneWhy: state.doneWhy, error: state.error, elapsedMs: state.elapsedMs, updatedAt: Date.now() });
    await db.tuneTrials.bulkPut(state.trials.map((t) => ({ ...t, searchId, runId: trialRunId(searchId, t.id) })));
  });
}

/** Delete a search, its trials and their runs and checkpoints (model versions saved from them stay). */
export async function deleteSearch(db: PipetteDB, searchId: string): Promise<void> {
  await db.transaction('rw', [db.tuneSearches, db.tuneTrials, db.runs, db.checkpoints], async () => {
    const runIds = (await db.tuneTrials.where('searchId').equals(searchId).toArray()).map((t) => t.runId);
    const presetRunId = (await db.tuneSearches.get(searchId))?.automl?.presetRunId;
    if (presetRunId) runIds.push(presetRunId);
    await db.checkpoints.bulkDelete(runIds);
    await db.runs.bulkDelete(runIds);
    await db.tuneTrials.where('searchId').equals(searchId).delete();
    await db.tuneSearches.delete(searchId);
  });
}

/**
 * A reloaded page may start before the old page's training worker let go of a trial run's writer lock, so
 * the start-up sweep left the run 'running'. Wait for the lock: once granted, a run still active lost its
 * worker and becomes 'interrupted' (resumable). Where Web Locks are missing nothing can wait: the run is
 * taken as interrupted when still active.
 */
export async function interruptWhenFree(db: PipetteDB, runId: string): Promise<void> {
  const mark = async () => {
    const run = await db.runs.get(runId);
    if (run && (run.status === 'running' || run.status === 'queued' || run.status === 'paused')) await db.runs.update(runId, { status: 'interrupted', updatedAt: Date.now() });
  };
  const locks = globalThis.navigator?.locks;
  if (!locks) return mark();
  await locks.request(writerLockName(runId), mark);
}

/** Name of the lock the tab driving a search holds (a second tab leaves it alone). */
export function searchLockName(searchId: string): string {
  return `pipette-tune-search-${searchId}`;
}

/** The search and trial a run belongs to, as a model saved from it records them (null: not a trial's run). */
export async function tuneLineageOf(db: PipetteDB, runId: string): Promise<TuneLineage | null> {
  const trial = await db.tuneTrials.where('runId').equals(runId).first();
  const search = trial ? await db.tuneSearches.get(trial.searchId) : undefined;
  if (!trial || !search) return null;
  const { metric, direction } = search.search.objective;
  return { searchId: search.id, searchName: search.name, trialId: trial.id, objective: { metric, direction, value: trial.best } };
}
