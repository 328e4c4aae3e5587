/**
 * What the AutoML view shows of a search, as pure functions (no store, no Svelte): the leaderboard's
 * trials with the preset run as one more, the progress (trials and epochs done of the Hyperband iteration
 * under way and in all, time left of the budget counted from the stored search time), and the winner in words. The arithmetic of the
 * leaderboard and the comparison is core/tune/automl-budget.ts's.
 */
import { FAMILY_PARAM } from '../core/tune/automl';
import { AUTOML_BUDGETS_MINUTES, compareWithPreset, leaderboard, type AutoMlTrial, type LeaderRow, type PresetComparison } from '../core/tune/automl-budget';
import { hyperbandSchedule } from '../core/tune/hyperband';
import { bestOf } from '../core/tune/search-loop';
import type { HpValues } from '../core/tune/types';
import { objectiveValue } from '../services/tune';
import type { RunRecord } from '../store/training-records';
import type { TuneSearchRecord, TuneTrialRecord } from '../store/tune-records';

export type BudgetChoice = (typeof AUTOML_BUDGETS_MINUTES)[number] | 'custom';

/** The budget in minutes: an offered one, or the custom field's when it is a number above 0 (else null). */
export function budgetMinutes(choice: BudgetChoice, custom: number | null): number | null {
  if (choice !== 'custom') return choice;
  return typeof custom === 'number' && Number.isFinite(custom) && custom > 0 ? custom : null;
}

/** The preset run as a leaderboard trial: finished when its run is done; its objective the best epoch's. */
export function presetTrial(run: Pick<RunRecord, 'id' | 'status' | 'history' | 'durationMs'>, search: Pick<TuneSearchRecord, 'search'>): AutoMlTrial {
  const { metric, direction } = search.search.objective;
  const history = run.history.map((h) => objectiveValue(metric, h));
  const best = bestOf(history, direction);
  const tieLoss = best.bestEpoch !== null ? run.history[best.bestEpoch - 1]?.valLoss : null;
  return {
    id: run.id,
    values: {},
    status: run.status === 'done' ? 'completed' : run.status === 'failed' ? 'failed' : run.status === 'cancelled' ? 'stopped' : 'running',
    ...best,
    ...(typeof tieLoss === 'number' && Number.isFinite(tieLoss) ? { tieLoss } : {}),
    epochs: run.history.length,
    seconds: run.durationMs / 1000,
    preset: true,
  };
}

/** The search's trials as the leaderboard reads them (a trial's epochs count its parent's). */
export function searchTrials(trials: readonly TuneTrialRecord[]): AutoMlTrial[] {
  return trials.map((t) => ({ id: t.id, values: t.values, status: t.status, best: t.best, bestEpoch: t.bestEpoch, ...(t.tieLoss !== undefined ? { tieLoss: t.tieLoss } : {}), epochs: t.history.length, seconds: t.durationMs / 1000 }));
}

export interface AutoMlBoard {
  rows: LeaderRow[];
  comparison: PresetComparison | null;
}

/** The leaderboard (the preset run first in creation order, then the trials) and the comparison with the preset. */
export function automlBoard(search: Pick<TuneSearchRecord, 'search'>, trials: readonly TuneTrialRecord[], presetRun: Parameters<typeof presetTrial>[0] | undefined): AutoMlBoard {
  const all = [...(presetRun ? [presetTrial(presetRun, search)] : []), ...searchTrials(trials)];
  const direction = search.search.objective.direction;
  const rows = leaderboard(all, direction);
  return { rows, comparison: compareWithPreset(rows, direction) };
}

/** A leaderboard row's model in short: its family and, for MLPs and CNNs, how many layers or conv blocks. */
export function modelOf(row: Pick<LeaderRow, 'family' | 'settings'>): { family: string; count: number | null } {
  const count = row.family === 'mlp' ? row.settings.mlp_layers : row.family === 'cnn' ? row.settings.cnn_blocks : undefined;
  return { family: row.family, count: typeof count === 'number' ? count : null };
}

/** The settings worth a column: the family's and the training settings, without the one-block counts (always 1). */
export function keySettings(settings: HpValues): HpValues {
  const out: HpValues = {};
  for (const [k, v] of Object.entries(settings)) if (k !== FAMILY_PARAM && !/_(flatten|head)$/.test(k)) out[k] = v;
  return out;
}

export interface AutoMlProgress {
  phase: 'preset' | 'search';
  /** The preset run's epochs trained and its epoch limit. */
  presetEpochs: number;
  presetMaxEpochs: number;
  /** The Hyperband iteration under way (1-based), its trials finished and epochs trained, and one schedule's totals. */
  iteration: number;
  iterationTrialsDone: number;
  iterationEpochsDone: number;
  scheduleTrials: number;
  scheduleEpochs: number;
  /** Over the whole search. */
  trialsDone: number;
  epochsDone: number;
  /** Budget time left; null once the search has ended. */
  leftMs: number | null;
  /** Search time used (the preset run's included). */
  usedMs: number;
}

/**
 * Time left of the budget: the stored search time is as of the search's last save (updatedAt); while it
 * runs, the time since that save is being spent too, so the countdown continues from it. Paused: what the
 * stored time leaves. Ended: null.
 */
export function budgetLeftMs(search: Pick<TuneSearchRecord, 'status' | 'budgetMs' | 'elapsedMs' | 'updatedAt'>, now: number): number | null {
  if (search.budgetMs === undefined) return null;
  if (search.status === 'running') return Math.max(0, search.budgetMs - search.elapsedMs - Math.max(0, now - search.updatedAt));
  if (search.status === 'paused') return Math.max(0, search.budgetMs - search.elapsedMs);
  return null;
}

/** Epochs a trial trained itself (a promoted trial's first ones are its parent's). */
const ownEpochs = (t: TuneTrialRecord) => Math.max(0, t.history.length - t.initialEpoch);

export function automlProgress(search: TuneSearchRecord, trials: readonly TuneTrialRecord[], presetRun: Pick<RunRecord, 'history'> | undefined, now: number): AutoMlProgress {
  const info = search.automl;
  const iteration = trials.reduce((most, t) => Math.max(most, t.iteration ?? 0), 0);
  const current = trials.filter((t) => (t.iteration ?? 0) === iteration);
  const schedule = hyperbandSchedule({ ...search.search.hyperband, iterations: 1 });
  return {
    phase: info?.phase ?? 'search',
    presetEpochs: presetRun?.history.length ?? 0,
    presetMaxEpochs: info?.presetConfig.hyper.epochs ?? 0,
    iteration: iteration + 1,
    iterationTrialsDone: current.filter((t) => t.status !== 'running').length,
    iterationEpochsDone: current.reduce((sum, t) => sum + ownEpochs(t), 0),
    scheduleTrials: schedule.trials,
    scheduleEpochs: schedule.epochs,
    trialsDone: trials.filter((t) => t.status !== 'running').length,
    epochsDone: trials.reduce((sum, t) => sum + ownEpochs(t), 0),
    leftMs: budgetLeftMs(search, now),
    usedMs: search.status === 'running' ? search.elapsedMs + Math.max(0, now - search.updatedAt) : search.elapsedMs,
  };
}
