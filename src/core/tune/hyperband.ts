/**
 * Hyperband with KerasTuner's exact schedule (keras_tuner/tuners/hyperband.py, HyperbandOracle), rebuilt
 * from the trials on every call instead of kept as state: each trial carries its iteration, bracket and
 * round, so the brackets are the groups of trials by (iteration, bracket) in the order they began.
 *
 * Brackets run from the most aggressive (bracket B - 1, many short trials) down to 0 (plain random search
 * at max epochs), B the number of times max_epochs can be divided by factor while staying >= 1. Round r of
 * bracket b holds _get_size(b, r) trials trained to _get_epochs(b, r) epochs; a trial of round r >= 1
 * continues the best completed trial of round r - 1 not promoted yet, from its epochs (initial epoch), once
 * more of round r - 1 have completed than it will throw away (so the one promoted is surely in its top
 * 1/factor). When no bracket has a trial to start, the next bracket begins; after the last one, the search
 * waits for running trials, then is done.
 *
 * One difference: KerasTuner labels a promoted trial with the bracket current at that moment
 * (tuner/bracket = self._current_bracket); here a trial carries the bracket it belongs to, which the
 * schedule needs to be rebuilt from the trials.
 */
import { anyRunning, freshValues, rngFor, triedKeys } from './draw';
import type { Decision, SearchConfig, SearchSpace, TrialView } from './types';

type HyperbandSettings = SearchConfig['hyperband'];

/** _get_num_brackets: how many times max_epochs divides by factor while >= 1 (min_epochs). */
export function bracketCount(h: HyperbandSettings): number {
  let epochs = h.maxEpochs;
  let brackets = 0;
  while (epochs >= 1) {
    epochs /= h.factor;
    brackets++;
  }
  return brackets;
}

/** _get_size: trials in round `round` of bracket `bracket` (each bracket takes about the same epochs). */
export function roundSize(h: HyperbandSettings, bracket: number, round: number): number {
  const bracket0EndSize = Math.ceil(1 + Math.log(h.maxEpochs) / Math.log(h.factor));
  return Math.ceil((bracket0EndSize / (bracket + 1)) * h.factor ** (bracket - round));
}

/** _get_epochs: the epochs a trial of that round is trained to (cumulative). */
export function roundEpochs(h: HyperbandSettings, bracket: number, round: number): number {
  return Math.ceil(h.maxEpochs / h.factor ** (bracket - round));
}

/**
 * Trials and epochs one full schedule trains when every trial completes: round r of bracket b trains
 * roundSize(b, r) trials from roundEpochs(b, r - 1) (a promoted trial continues its parent) to
 * roundEpochs(b, r). Max epochs 10, factor 3: 30 trials, 120 epochs.
 */
export function hyperbandSchedule(h: HyperbandSettings): { trials: number; epochs: number } {
  let trials = 0;
  let epochs = 0;
  for (let bracket = bracketCount(h) - 1; bracket >= 0; bracket--) {
    for (let round = 0; round <= bracket; round++) {
      const size = roundSize(h, bracket, round);
      trials += size;
      epochs += size * (roundEpochs(h, bracket, round) - (round > 0 ? roundEpochs(h, bracket, round - 1) : 0));
    }
  }
  return { trials: trials * h.iterations, epochs: epochs * h.iterations };
}

interface BracketRun {
  iteration: number;
  bracket: number;
  rounds: TrialView[][];
}

/** The bracket started k-th (0-based): iterations repeat brackets B-1 .. 0. */
function bracketAt(k: number, count: number): { iteration: number; bracket: number } {
  return { iteration: Math.floor(k / count), bracket: count - 1 - (k % count) };
}

function bracketRuns(trials: readonly TrialView[], count: number): { runs: BracketRun[]; current: number } {
  const byIndex = new Map<number, BracketRun>();
  let current = -1;
  for (const t of trials) {
    if (t.bracket === undefined || t.round === undefined) continue;
    const iteration = t.iteration ?? 0;
    const k = iteration * count + (count - 1 - t.bracket);
    let run = byIndex.get(k);
    if (!run) {
      run = { iteration, bracket: t.bracket, rounds: Array.from({ length: t.bracket + 1 }, () => []) };
      byIndex.set(k, run);
    }
    run.rounds[t.round]?.push(t);
    current = Math.max(current, k);
  }
  return { runs: [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, run]) => run), current };
}

/** Better first by the objective's direction; a trial without a value last; ties by the lower validation loss, then in their order. */
export function byObjective<T extends TrialView>(trials: readonly T[], direction: 'min' | 'max'): T[] {
  const key = (t: TrialView) => (t.best === null || Number.isNaN(t.best) ? Infinity : direction === 'max' ? -t.best : t.best);
  return [...trials].sort((a, b) => key(a) - key(b) || compareTieLoss(a, b));
}

/** Equal objectives: the lower validation loss first (a trial without one after); 0 keeps the trials' order. */
export function compareTieLoss(a: Pick<TrialView, 'tieLoss'>, b: Pick<TrialView, 'tieLoss'>): number {
  const la = a.tieLoss ?? Infinity;
  const lb = b.tieLoss ?? Infinity;
  return la === lb ? 0 : la < lb ? -1 : 1;
}

function promotion(search: SearchConfig, run: BracketRun): Decision | null {
  const h = search.hyperband;
  for (let round = 1; round < run.rounds.length; round++) {
    const promoted = new Set(run.rounds[round]!.map((t) => t.parentId));
    const candidates = run.rounds[round - 1]!.filter((t) => !promoted.has(t.id) && t.status === 'completed');
    if (candidates.length <= roundSize(h, run.bracket, round - 1) - roundSize(h, run.bracket, round)) continue;
    const best = byObjective(candidates, search.objective.direction)[0]!;
    const epochs = roundEpochs(h, run.bracket, round);
    return { kind: 'trial', values: { ...best.values }, epochs, initialEpoch: roundEpochs(h, run.bracket, round - 1), parentId: best.id, bracket: run.bracket, round, iteration: run.iteration };
  }
  return null;
}

function newTrial(search: SearchConfig, space: SearchSpace, trials: readonly TrialView[], iteration: number, bracket: number): Decision {
  const values = freshValues(space, rngFor(search, trials), triedKeys(trials));
  if (!values) return anyRunning(trials) ? { kind: 'wait' } : { kind: 'done', why: 'space-exhausted' };
  return { kind: 'trial', values, epochs: roundEpochs(search.hyperband, bracket, 0), initialEpoch: 0, parentId: null, bracket, round: 0, iteration };
}

export function nextHyperband(search: SearchConfig, space: SearchSpace, trials: readonly TrialView[]): Decision {
  const h = search.hyperband;
  const count = bracketCount(h);
  const { runs, current } = bracketRuns(trials, count);
  for (const run of runs) {
    const last = run.rounds.length - 1;
    if (run.rounds[last]!.length === roundSize(h, run.bracket, last)) continue; // complete
    if (run.rounds[0]!.length < roundSize(h, run.bracket, 0)) return newTrial(search, space, trials, run.iteration, run.bracket);
    const promote = promotion(search, run);
    if (promote) return promote;
  }
  if (current + 1 >= count * h.iterations) return anyRunning(trials) ? { kind: 'wait' } : { kind: 'done', why: 'schedule-complete' };
  const next = bracketAt(current + 1, count);
  return newTrial(search, space, trials, next.iteration, next.bracket);
}
