/**
 * AutoML's budget plan with a per-trial overhead (issue 17): on small data a run's loading, encoding and
 * backend timing outweigh its epochs, so each trial of a schedule costs that overhead once. Figures by hand
 * from hyperbandSchedule's totals (factor 3): max_epochs 3 -> 6 trials, 11 epochs; 4 -> 10, 26; 8 -> 10, 49;
 * 9 -> 30, 98.
 */
import { describe, expect, it } from 'vitest';
import { planHyperband } from '../../../src/core/tune/automl-budget';

describe('planHyperband with secondsPerTrial', () => {
  it('counts each trial’s overhead against the budget', () => {
    // 100 s, 1 s an epoch, 2 s a trial = 2 epochs a trial: max 8 costs 49 + 10 x 2 = 69; max 9 costs 98 + 60 = 158
    expect(planHyperband({ budgetSeconds: 100, spentSeconds: 0, secondsPerEpoch: 1, secondsPerTrial: 2, slots: 1, maxEpochsCap: 12, margin: 1 })).toEqual({
      hyperband: { maxEpochs: 8, factor: 3, iterations: 1 },
      affordableEpochs: 100,
      plannedEpochs: 49,
      plannedTrials: 10,
      fits: true,
    });
    // without the overhead the same budget takes max 9 (98 epochs)
    expect(planHyperband({ budgetSeconds: 100, spentSeconds: 0, secondsPerEpoch: 1, slots: 1, maxEpochsCap: 12, margin: 1 }).hyperband.maxEpochs).toBe(9);
  });

  it('repeats a schedule while schedule and overhead fit', () => {
    // cap 4: one schedule costs 26 + 10 x 2 = 46; 140 affords 3 of them (138)
    expect(planHyperband({ budgetSeconds: 140, spentSeconds: 0, secondsPerEpoch: 1, secondsPerTrial: 2, slots: 1, maxEpochsCap: 4, margin: 1 })).toMatchObject({
      hyperband: { maxEpochs: 4, iterations: 3 },
      plannedEpochs: 78,
      plannedTrials: 30,
      fits: true,
    });
    // 20 s affords not even max 3 (11 + 12 = 23): one schedule, stopped by the budget
    expect(planHyperband({ budgetSeconds: 20, spentSeconds: 0, secondsPerEpoch: 1, secondsPerTrial: 2, slots: 1, maxEpochsCap: 12, margin: 1 })).toMatchObject({
      hyperband: { maxEpochs: 3, iterations: 1 },
      fits: false,
    });
  });
});
