/**
 * Bayesian optimization as KerasTuner's BayesianOptimizationOracle: random trials until
 * num_initial_points have a score (default max(3 x the number of hyperparameters, 3)); then a Gaussian
 * process (gp.ts) over the trials' [0, 1] vectors, the objective framed as a minimization, running trials
 * "hallucinated" at a pessimistic mean + std so parallel workers do not pick the same point, and the next
 * point the minimum of the lower confidence bound mean - beta x std (KerasTuner's
 * _upper_confidence_bound). KerasTuner minimizes it with L-BFGS-B from 50 random starts; here it is a
 * dense random search (CANDIDATES points) refined around the best few by shrinking random steps. Pruned
 * trials count with the best value they reached (KerasTuner has no pruning); a trial without a value is
 * left out. A proposal that repeats tried values is replaced by a fresh random draw (KerasTuner would run
 * it again).
 */
import type { Rng } from '../math/random';
import { fitGp, type GpFit } from './gp';
import { anyRunning, freshValues, rngFor, triedKeys } from './draw';
import { applyValues, fromVector, toVector, valuesKey } from './space';
import type { BaseConfig, Decision, HpValues, SearchConfig, SearchSpace, TrialView } from './types';

export const CANDIDATES = 2000;
const REFINE_FROM = 5;
const REFINE_STEPS = 40;

export function initialPoints(search: SearchConfig, space: SearchSpace): number {
  return search.bayesian.numInitialPoints ?? Math.max(3 * space.hps.length, 3);
}

const scored = (t: TrialView) => (t.status === 'completed' || t.status === 'pruned') && t.best !== null && Number.isFinite(t.best);

/** The process over the scored trials (minimization frame), with running trials added at mean + std. */
export function fitTrials(search: SearchConfig, space: SearchSpace, trials: readonly TrialView[]): GpFit | null {
  const sign = search.objective.direction === 'max' ? -1 : 1;
  const done = trials.filter(scored);
  const x = done.map((t) => toVector(space, t.values));
  const y = done.map((t) => sign * t.best!);
  const first = fitGp(x, y, search.bayesian.alpha);
  const running = trials.filter((t) => t.status === 'running');
  if (!first || running.length === 0) return first;
  for (const t of running) {
    const v = toVector(space, t.values);
    const { mean, std } = first.predict(v);
    x.push(v);
    y.push(mean + std);
  }
  return fitGp(x, y, search.bayesian.alpha);
}

/** The point of [0, 1]^d with the lowest mean - beta x std: random candidates, then local refinement. */
export function minimizeBound(gp: GpFit, dims: number, beta: number, rng: Rng): number[] {
  const bound = (p: number[]) => {
    const { mean, std } = gp.predict(p);
    return mean - beta * std;
  };
  const points: { p: number[]; v: number }[] = [];
  for (let i = 0; i < CANDIDATES; i++) {
    const p = Array.from({ length: dims }, () => rng.next());
    points.push({ p, v: bound(p) });
  }
  points.sort((a, b) => a.v - b.v);
  let best = points[0]!;
  for (const start of points.slice(0, REFINE_FROM)) {
    let here = start;
    let radius = 0.1;
    for (let s = 0; s < REFINE_STEPS; s++) {
      const p = here.p.map((c) => Math.min(1, Math.max(0, c + (rng.next() * 2 - 1) * radius)));
      const v = bound(p);
      if (v < here.v) here = { p, v };
      else radius *= 0.9;
    }
    if (here.v < best.v) best = here;
  }
  return best.p;
}

export function nextBayesian(search: SearchConfig, space: SearchSpace, base: BaseConfig, trials: readonly TrialView[]): Decision {
  if (trials.length >= search.maxTrials) return { kind: 'done', why: 'max-trials' };
  const rng = rngFor(search, trials);
  const tried = triedKeys(trials);
  let values: HpValues | null = null;
  if (trials.filter(scored).length >= initialPoints(search, space)) {
    const gp = fitTrials(search, space, trials);
    if (gp) {
      const proposal = fromVector(space, minimizeBound(gp, space.hps.length, search.bayesian.beta, rng));
      if (!tried.has(valuesKey(proposal))) values = proposal;
    }
  }
  values ??= freshValues(space, rng, tried);
  if (!values) return anyRunning(trials) ? { kind: 'wait' } : { kind: 'done', why: 'space-exhausted' };
  return { kind: 'trial', values, epochs: applyValues(base, space, values).hyper.epochs, initialEpoch: 0, parentId: null };
}
