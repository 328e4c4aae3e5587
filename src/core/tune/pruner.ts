/** Optuna's MedianPruner (interval 1) over a search's trials. */
import type { SearchConfig, TrialView } from './types';

/**
 * Whether to stop `trial` after `epoch` (1-based) whose objective is `value`: pruning is on, at least
 * startupTrials trials have completed, epoch - 1 >= warmupEpochs, and the trial's best value so far is
 * worse than the median of the completed trials' values at this epoch.
 */
export function shouldPrune(search: SearchConfig, trial: TrialView, epoch: number, value: number, trials: readonly TrialView[]): boolean {
  void search;
  void trial;
  void epoch;
  void value;
  void trials;
  throw new Error('not built yet');
}
