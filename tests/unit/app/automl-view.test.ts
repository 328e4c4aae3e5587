/**
 * The AutoML view's pure parts (app/automl-view.ts): the budget countdown from the stored search time, the
 * leaderboard with the preset run as a row, the winner's model in short, the budget field. Numbers by hand.
 */
import { describe, expect, it } from 'vitest';
import { automlBoard, automlProgress, budgetLeftMs, budgetMinutes, keySettings, modelOf, presetTrial } from '../../../src/app/automl-view';
import type { EpochRecord, RunRecord } from '../../../src/store/training-records';
import type { TuneSearchRecord, TuneTrialRecord } from '../../../src/store/tune-records';

const epoch = (valAcc: number, ms = 10): EpochRecord => ({ epoch: 0, loss: 1, acc: null, valLoss: 1 - valAcc, valAcc, ms, numTensors: 0 });
const run = (status: RunRecord['status'], accs: number[], durationMs = 1000): Pick<RunRecord, 'id' | 'status' | 'history' | 'durationMs'> => ({ id: 's-tpreset', status, history: accs.map((a) => epoch(a)), durationMs });

const search = { search: { objective: { metric: 'val_acc', direction: 'max' } } } as unknown as TuneSearchRecord;

function trial(id: string, values: Record<string, string | number>, status: TuneTrialRecord['status'], history: number[], over: Partial<TuneTrialRecord> = {}): TuneTrialRecord {
  const best = history.length ? Math.max(...history) : null;
  return { id, searchId: 's', runId: `s-t${id}`, values, status, epochs: history.length, initialEpoch: 0, parentId: null, history, best, bestEpoch: best === null ? null : history.indexOf(best) + 1, durationMs: 2000, startedAt: 0, ...over };
}

const MLP2 = { family: 'mlp', mlp_layers: 2, mlp_units_0: 64, mlp_units_1: 32, mlp_dropout: 0, learning_rate: 0.005, batch_size: 32 };

describe('AutoML leaderboard and comparison', () => {
  it('ranks finished trials with the preset row; a promoted trial and its parent are one row', () => {
    const trials = [
      trial('0000', MLP2, 'completed', [0.8, 0.95]),
      trial('0001', { family: 'linear', learning_rate: 0.01, batch_size: 16 }, 'stopped', [0.99]),
      trial('0002', MLP2, 'completed', [0.8, 0.95, 0.96, 0.97], { parentId: '0000', initialEpoch: 2 }),
      trial('0003', { family: 'linear', learning_rate: 0.001, batch_size: 64 }, 'completed', [0.7, 0.85]),
    ];
    const board = automlBoard(search, trials, run('done', [0.5, 0.9, 0.88]));
    // 0002 (0.97) replaces its parent 0000; the budget-stopped 0001 is left out; the preset's best epoch 0.9
    expect(board.rows.map((r) => [r.trialId, r.objective, r.preset])).toEqual([
      ['0002', 0.97, false],
      ['s-tpreset', 0.9, true],
      ['0003', 0.85, false],
    ]);
    expect(board.rows[1]).toMatchObject({ family: 'preset', epochs: 3, seconds: 1, bestEpoch: 2 });
    expect(board.comparison).toEqual({ best: '0.97', preset: '0.90', delta: '+0.07', improved: true, winnerIsPreset: false });
    expect(modelOf(board.rows[0]!)).toEqual({ family: 'mlp', count: 2 });
    expect(modelOf(board.rows[2]!)).toEqual({ family: 'linear', count: null });
  });

  it('ties on the objective go to the lower validation loss at the best epoch, the preset run’s too', () => {
    const saturated = { ...run('done', [0.9, 1, 1]), history: [0.9, 1, 1].map((a, i) => ({ ...epoch(a), valLoss: [0.4, 0.1, 0.05][i]! })) };
    expect(presetTrial(saturated, search)).toMatchObject({ best: 1, bestEpoch: 2, tieLoss: 0.1 });
    const board = automlBoard(search, [trial('0000', MLP2, 'completed', [1], { tieLoss: 0.2 }), trial('0001', { family: 'linear' }, 'completed', [1], { tieLoss: 0.08 })], saturated);
    expect(board.rows.map((r) => r.trialId)).toEqual(['0001', 's-tpreset', '0000']);
  });

  it('has no comparison while the preset run has not finished', () => {
    expect(presetTrial(run('cancelled', [0.5, 0.6]), search).status).toBe('stopped');
    const board = automlBoard(search, [trial('0000', MLP2, 'completed', [0.9])], run('cancelled', [0.5, 0.6]));
    expect(board.rows.map((r) => r.trialId)).toEqual(['0000']);
    expect(board.comparison).toBeNull();
  });

  it('shows the family’s and training settings, not the one-block counts', () => {
    expect(keySettings({ mlp_flatten: 1, cnn_head: 1, cnn_blocks: 2, cnn_filters_0: 16, learning_rate: 0.001 })).toEqual({ cnn_blocks: 2, cnn_filters_0: 16, learning_rate: 0.001 });
  });
});

describe('AutoML time left and progress', () => {
  const stored = { status: 'running', budgetMs: 60_000, elapsedMs: 20_000, updatedAt: 1_000 } as const;

  it('counts down from the last saved search time while running', () => {
    // 20 s used at the save (t = 1 s); 5 s later 35 s are left
    expect(budgetLeftMs(stored, 6_000)).toBe(35_000);
    expect(budgetLeftMs(stored, 1_000)).toBe(40_000);
    expect(budgetLeftMs(stored, 100_000)).toBe(0);
    // paused: no time passes; ended: nothing is left to count
    expect(budgetLeftMs({ ...stored, status: 'paused' }, 100_000)).toBe(40_000);
    expect(budgetLeftMs({ ...stored, status: 'done' }, 6_000)).toBeNull();
  });

  it('counts trials and epochs of the Hyperband iteration under way and in all', () => {
    const s = {
      search: { objective: { metric: 'val_acc', direction: 'max' }, hyperband: { maxEpochs: 10, factor: 3, iterations: 1000 } },
      ...stored,
      automl: { phase: 'search', presetRunId: 'p', presetConfig: { hyper: { epochs: 60 } }, families: ['mlp', 'linear'] },
    } as unknown as TuneSearchRecord;
    const trials = [
      trial('0000', MLP2, 'completed', [0.8, 0.9], { iteration: 0 }),
      trial('0001', MLP2, 'completed', [0.8, 0.9, 0.95], { parentId: '0000', initialEpoch: 2, iteration: 0 }),
      trial('0002', MLP2, 'completed', [0.7], { iteration: 1 }),
      trial('0003', MLP2, 'running', [0.6, 0.65], { iteration: 1 }),
    ];
    expect(automlProgress(s, trials, run('done', [0.5]), 6_000)).toEqual({
      phase: 'search',
      presetEpochs: 1,
      presetMaxEpochs: 60,
      // the second iteration: 1 of its trials finished, 1 + 2 of its epochs; one schedule of 10/3 is 30 trials, 120 epochs
      iteration: 2,
      iterationTrialsDone: 1,
      iterationEpochsDone: 3,
      scheduleTrials: 30,
      scheduleEpochs: 120,
      trialsDone: 3,
      // 2 + 1 (0001's first 2 epochs are its parent's) + 1 + 2
      epochsDone: 6,
      leftMs: 35_000,
      usedMs: 25_000,
    });
  });

  it('takes an offered budget or a positive custom one', () => {
    expect(budgetMinutes(10, null)).toBe(10);
    expect(budgetMinutes('custom', 1)).toBe(1);
    expect(budgetMinutes('custom', 0)).toBeNull();
    expect(budgetMinutes('custom', null)).toBeNull();
  });
});
