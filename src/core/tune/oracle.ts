/**
 * The oracles' one entry point: the next trial of a search, decided from its settings, its space, its
 * base config and its trials so far (in creation order) and nothing else, so a reloaded search resumes
 * by re-reading them. The same inputs give the same decision: randomness comes from the search's seed
 * mixed with the number of trials.
 */
import { nextBayesian } from './bayesian';
import { nextHyperband } from './hyperband';
import { nextRandom } from './random';
import type { BaseConfig, Decision, SearchConfig, SearchSpace, TrialView } from './types';

/**
 * 'trial': create and run this trial (with Hyperband, train to decision.epochs from decision.initialEpoch,
 * continuing parentId's checkpoint; otherwise decision.epochs is the config's hyper.epochs); 'wait':
 * everything runnable is running, ask again when a trial ends; 'done': start nothing new (running trials
 * finish).
 */
export function nextTrial(search: SearchConfig, space: SearchSpace, base: BaseConfig, trials: readonly TrialView[]): Decision {
  switch (search.algorithm) {
    case 'random':
      return nextRandom(search, space, base, trials);
    case 'hyperband':
      return nextHyperband(search, space, trials);
    case 'bayesian':
      return nextBayesian(search, space, base, trials);
  }
}
