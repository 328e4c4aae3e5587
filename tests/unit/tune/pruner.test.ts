/**
 * The median pruner by hand. Five completed trials' val_acc at epoch 2: 0.6, 0.5, 0.7, 0.4, 0.9 -> median
 * 0.6. Optuna compares the trial's best value so far with it.
 */
import { describe, expect, it } from 'vitest';
import { shouldPrune } from '../../../src/core/tune/pruner';
import type { TrialView } from '../../../src/core/tune/types';
import { search } from './helpers';

function trial(id: string, history: number[], status: TrialView['status'] = 'completed'): TrialView {
  return { id, values: {}, status, epochs: 3, initialEpoch: 0, parentId: null, history, best: null, bestEpoch: null };
}

const done = [trial('a', [0.5, 0.6, 0.7]), trial('b', [0.4, 0.5, 0.6]), trial('c', [0.6, 0.7, 0.8]), trial('d', [0.3, 0.4, 0.5]), trial('e', [0.2, 0.9, 0.9])];
const pruned = search('random', { pruner: { kind: 'median', startupTrials: 5, warmupEpochs: 0 } });

describe('median pruner (Optuna MedianPruner)', () => {
  it('prunes a trial whose best so far is below the median at that epoch (maximizing)', () => {
    const t = trial('x', [0.55], 'running');
    expect(shouldPrune(pruned, t, 2, 0.58, done)).toBe(true); // best 0.58 < 0.6
    expect(shouldPrune(pruned, t, 2, 0.6, done)).toBe(false); // equal is not worse
    expect(shouldPrune(pruned, trial('y', [0.65], 'running'), 2, 0.3, done)).toBe(false); // best so far 0.65
  });

  it('waits for startup trials and warm-up epochs, ignores running and pruned trials, never prunes without a pruner', () => {
    const t = trial('x', [0.2], 'running');
    expect(shouldPrune(pruned, t, 2, 0.1, done.slice(0, 4))).toBe(false); // 4 completed: the median 0.55 is not used yet
    expect(shouldPrune(pruned, t, 2, 0.1, [...done.slice(0, 4), trial('p', [0.1, 0.1], 'pruned'), trial('r', [0.1, 0.1], 'running')])).toBe(false);
    expect(shouldPrune({ ...pruned, pruner: { kind: 'median', startupTrials: 5, warmupEpochs: 2 } }, t, 2, 0.1, done)).toBe(false); // step 1 < 2
    expect(shouldPrune({ ...pruned, pruner: { kind: 'median', startupTrials: 5, warmupEpochs: 1 } }, t, 2, 0.1, done)).toBe(true); // step 1 >= 1
    expect(shouldPrune(search('random'), t, 2, 0.1, done)).toBe(false);
  });

  it('minimizing: interpolated median of an even count (0.2, 0.4, 0.6, 0.8 -> 0.5)', () => {
    const s = search('bayesian', { objective: { metric: 'val_loss', direction: 'min' }, pruner: { kind: 'median', startupTrials: 4, warmupEpochs: 0 } });
    const losses = [0.2, 0.4, 0.6, 0.8].map((v, i) => trial(`l${i}`, [v]));
    expect(shouldPrune(s, trial('x', [], 'running'), 1, 0.51, losses)).toBe(true);
    expect(shouldPrune(s, trial('x', [], 'running'), 1, 0.5, losses)).toBe(false);
  });
});
