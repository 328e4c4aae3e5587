/**
 * Optuna's MedianPruner (a PercentilePruner at 50, interval_steps 1, n_min_trials 1): stop a trial whose
 * best intermediate value so far is worse than the median (numpy's linear percentile) of the completed
 * trials' values at the same step, once startupTrials trials have completed and after warmupEpochs
 * steps. Optuna's steps are 0-based: epoch e is step e - 1.
 */
import { quantileSorted } from '../math/quantile';
import type { SearchConfig, TrialView } from './types';

/**
 * Whether to stop `trial` after `epoch` (1-based) whose objective is `value`; the values of its earlier
 * epochs are its history. Hyperband searches never prune (their schedule stops trials).
 */
export function shouldPrune(search: SearchConfig, trial: TrialView, epoch: number, value: number, trials: readonly TrialView[]): boolean {
  const pruner = search.pruner;
  if (!pruner || search.algorithm === 'hyperband') return false;
  const completed = trials.filter((t) => t.status === 'completed' && t.id !== trial.id);
  if (completed.length === 0 || completed.length < pruner.startupTrials) return false;
  const step = epoch - 1;
  if (step < pruner.warmupEpochs) return false;
  const max = search.objective.direction === 'max';
  const own = [...trial.history.slice(0, step), value].filter((v) => !Number.isNaN(v));
  if (own.length === 0) return true; // Optuna: a best value of NaN is pruned
  const best = max ? Math.max(...own) : Math.min(...own);
  const atStep = completed.map((t) => t.history[step]).filter((v): v is number => v !== undefined && !Number.isNaN(v));
  if (atStep.length === 0) return false;
  const median = quantileSorted(atStep.sort((a, b) => a - b), 0.5);
  return max ? best < median : best > median;
}
