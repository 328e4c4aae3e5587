/**
 * Random draws without repeats, as KerasTuner's Oracle._random_values: a draw whose active values were
 * already tried is a collision; after more than 20 collisions in a row the space counts as exhausted.
 */
import { mixSeed, Rng } from '../math/random';
import { sampleValues, valuesKey } from './space';
import type { HpValues, SearchConfig, SearchSpace, TrialView } from './types';

/** KerasTuner's Oracle._max_collisions. */
export const MAX_COLLISIONS = 20;

/** The decision's random numbers: the search's seed mixed with how many trials exist, so a resume repeats them. */
export function rngFor(search: SearchConfig, trials: readonly TrialView[], salt = 0): Rng {
  return new Rng(mixSeed(search.seed, trials.length, salt));
}

/** The keys of every trial's values (running and failed ones too: KerasTuner records a values set when its trial starts). */
export function triedKeys(trials: readonly TrialView[]): Set<string> {
  return new Set(trials.map((t) => valuesKey(t.values)));
}

/** New random values, or null when more than MAX_COLLISIONS draws in a row were already tried. */
export function freshValues(space: SearchSpace, rng: Rng, tried: ReadonlySet<string>): HpValues | null {
  for (let collisions = 0; collisions <= MAX_COLLISIONS; collisions++) {
    const values = sampleValues(space, rng);
    if (!tried.has(valuesKey(values))) return values;
  }
  return null;
}

/** Whether any trial is still running (then a 'done' can still become work: wait instead). */
export function anyRunning(trials: readonly TrialView[]): boolean {
  return trials.some((t) => t.status === 'running');
}
