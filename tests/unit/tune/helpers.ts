/** A small space and a simulated runner for the oracle tests: trials created by nextTrial, finished by hand. */
import { nextTrial } from '../../../src/core/tune/oracle';
import type { BaseConfig, Decision, HpValues, SearchConfig, SearchSpace, TrialView } from '../../../src/core/tune/types';

export const BASE: BaseConfig = {
  layers: [{ type: 'dense', units: 64, activation: 'relu' }, { type: 'dropout', rate: 0.1 }, { type: 'dense', units: 32, activation: 'relu' }],
  hyper: { optimizer: 'adam', learningRate: 0.005, batchSize: 32, epochs: 20, patience: 5, classWeights: 'none' },
};

/** learning rate (log Float) and the first layer's units (Int, step 8). */
export const SPACE: SearchSpace = {
  version: 1,
  hps: [
    { name: 'lr', kind: 'float', min: 1e-4, max: 1e-1, sampling: 'log' },
    { name: 'units', kind: 'int', min: 8, max: 128, step: 8, sampling: 'linear' },
  ],
  bindings: [
    { hp: 'lr', target: { kind: 'hyper', field: 'learningRate' } },
    { hp: 'units', target: { kind: 'layer', index: 0, field: 'units' } },
  ],
  blocks: [],
};

export function search(algorithm: SearchConfig['algorithm'], over: Partial<SearchConfig> = {}): SearchConfig {
  return {
    algorithm,
    objective: { metric: 'val_acc', direction: 'max' },
    maxTrials: 10,
    hyperband: { maxEpochs: 10, factor: 3, iterations: 1 },
    bayesian: { alpha: 1e-4, beta: 2.6 },
    seed: 7,
    ...over,
  };
}

export function trialFrom(d: Extract<Decision, { kind: 'trial' }>, id: string): TrialView {
  return { id, values: d.values, status: 'running', epochs: d.epochs, initialEpoch: d.initialEpoch, parentId: d.parentId, bracket: d.bracket, round: d.round, iteration: d.iteration, history: [], best: null, bestEpoch: null };
}

/** Completes a trial with a constant objective `score` for every epoch it trained. */
export function complete(t: TrialView, score: number): void {
  t.status = 'completed';
  t.history = Array.from({ length: t.epochs }, () => score);
  t.best = score;
  t.bestEpoch = t.epochs;
}

/** Runs a search one trial at a time to its end; `score` gives each trial's objective. */
export function runSequential(s: SearchConfig, space: SearchSpace, score: (values: HpValues, t: TrialView) => number, limit = 500): { trials: TrialView[]; end: Decision } {
  const trials: TrialView[] = [];
  for (let i = 0; i < limit; i++) {
    const d = nextTrial(s, space, BASE, trials);
    if (d.kind !== 'trial') return { trials, end: d };
    const t = trialFrom(d, `t${trials.length}`);
    trials.push(t);
    complete(t, score(d.values, t));
  }
  throw new Error('the search did not end');
}

/** KerasTuner's repeated block: blocks 1..3, units_{i} active only when blocks > i. */
export const BLOCK_SPACE: SearchSpace = {
  version: 1,
  hps: [
    { name: 'lr', kind: 'float', min: 1e-4, max: 1e-1, sampling: 'log', default: 1e-3 },
    { name: 'blocks', kind: 'int', min: 1, max: 3, sampling: 'linear' },
    { name: 'units_0', kind: 'int', min: 16, max: 64, step: 16, sampling: 'linear' },
    { name: 'units_1', kind: 'int', min: 16, max: 64, step: 16, sampling: 'linear', condition: { parent: 'blocks', values: [2, 3] } },
    { name: 'units_2', kind: 'int', min: 16, max: 64, step: 16, sampling: 'linear', condition: { parent: 'blocks', values: [3] } },
    { name: 'optimizer', kind: 'choice', values: ['adam', 'sgd'] },
  ],
  bindings: [
    { hp: 'lr', target: { kind: 'hyper', field: 'learningRate' } },
    { hp: 'optimizer', target: { kind: 'hyper', field: 'optimizer' } },
  ],
  blocks: [{ count: 'blocks', at: 2, layers: [{ type: 'dense', units: 16, activation: 'relu' }, { type: 'dropout', rate: 0.2 }], bindings: [{ hp: 'units_{i}', layer: 0, field: 'units' }] }],
};
