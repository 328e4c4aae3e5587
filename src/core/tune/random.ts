/**
 * Random search (KerasTuner's RandomSearchOracle): max_trials new draws, each one not tried before; when
 * more than 20 draws in a row repeat a tried set, the search stops with 'space-exhausted'.
 */
import { applyValues } from './space';
import { freshValues, rngFor, triedKeys } from './draw';
import type { BaseConfig, Decision, SearchConfig, SearchSpace, TrialView } from './types';

export function nextRandom(search: SearchConfig, space: SearchSpace, base: BaseConfig, trials: readonly TrialView[]): Decision {
  if (trials.length >= search.maxTrials) return { kind: 'done', why: 'max-trials' };
  const values = freshValues(space, rngFor(search, trials), triedKeys(trials));
  if (!values) return { kind: 'done', why: 'space-exhausted' };
  return { kind: 'trial', values, epochs: applyValues(base, space, values).hyper.epochs, initialEpoch: 0, parentId: null };
}
