/**
 * The oracles' one entry point: the next trial of a search, decided from its settings, its space and its
 * trials so far (in creation order) and nothing else, so a reloaded search resumes by re-reading them.
 * The same inputs give the same decision: randomness comes from the search's seed mixed with the number
 * of trials.
 */
import type { BaseConfig, Decision, SearchConfig, SearchSpace, TrialView } from './types';

/**
 * 'trial': create and run this trial (with Hyperband, train hyper.epochs = decision.epochs from
 * decision.initialEpoch, continuing parentId's checkpoint); 'wait': everything runnable is running, ask
 * again when a trial ends; 'done': start nothing new (running trials finish).
 */
export function nextTrial(search: SearchConfig, space: SearchSpace, base: BaseConfig, trials: readonly TrialView[]): Decision {
  void search;
  void space;
  void base;
  void trials;
  throw new Error('not built yet');
}
