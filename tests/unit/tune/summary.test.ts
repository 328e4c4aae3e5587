/** KerasTuner-style results summary and the CSV / JSON of every trial. */
import { describe, expect, it } from 'vitest';
import { csvField, resultsSummary, trialsCsv, trialsJson } from '../../../src/core/tune/summary';
import type { SearchSpace, TrialView } from '../../../src/core/tune/types';

const space: SearchSpace = {
  version: 1,
  hps: [
    { name: 'act', kind: 'choice', values: ['relu', 'say "hi", twice'] },
    { name: 'units', kind: 'int', min: 8, max: 64, step: 8, sampling: 'linear', condition: { parent: 'act', values: ['relu'] } },
  ],
  bindings: [],
  blocks: [],
};

function t(id: string, status: TrialView['status'], best: number | null, values: TrialView['values']): TrialView {
  return { id, values, status, epochs: 4, initialEpoch: 2, parentId: id === 't2' ? 't0' : null, bracket: 1, round: 0, history: [], best, bestEpoch: best === null ? null : 3 };
}
const trials = [t('t0', 'completed', 0.8, { act: 'relu', units: 16 }), t('t1', 'failed', null, { act: 'say "hi", twice' }), t('t2', 'completed', 0.9, { act: 'relu', units: 32 }), t('t3', 'pruned', 0.85, { act: 'relu', units: 8 }), t('t4', 'running', 0.95, { act: 'relu', units: 64 })];

describe('results', () => {
  it('lists the best trials first by direction, failed and running ones left out', () => {
    expect(resultsSummary(trials, { metric: 'val_acc', direction: 'max' }).map((r) => [r.rank, r.id, r.score])).toEqual([[1, 't2', 0.9], [2, 't3', 0.85], [3, 't0', 0.8]]);
    expect(resultsSummary(trials, { metric: 'val_loss', direction: 'min' }, 1).map((r) => r.id)).toEqual(['t0']);
  });

  it('ranks equal objectives by the lower validation loss, a trial without one after', () => {
    const tied = [{ ...t('a', 'completed', 1, {}) }, { ...t('b', 'completed', 1, {}), tieLoss: 0.2 }, { ...t('c', 'completed', 1, {}), tieLoss: 0.05 }, { ...t('d', 'completed', 0.9, {}), tieLoss: 0.01 }];
    expect(resultsSummary(tied, { metric: 'val_acc', direction: 'max' }).map((r) => r.id)).toEqual(['c', 'b', 'a', 'd']);
  });

  it('quotes CSV fields by RFC 4180', () => {
    expect(['plain', 'a,b', 'say "hi"', 'two\nlines', ' edge', 3, true, null].map(csvField)).toEqual(['plain', '"a,b"', '"say ""hi"""', '"two\nlines"', '" edge"', '3', 'true', '']);
  });

  it('writes every trial as CSV with a column per hyperparameter (empty when inactive) and as JSON', () => {
    const csv = trialsCsv(space, { metric: 'val_acc', direction: 'max' }, trials.slice(0, 3), [{ header: 'seconds', of: (x) => (x.id === 't0' ? 12.5 : null) }]);
    expect(csv).toBe(
      [
        'trial,status,parent,bracket,round,initial_epoch,epochs,best_epoch,val_acc,act,units,seconds',
        't0,completed,,1,0,2,4,3,0.8,relu,16,12.5',
        't1,failed,,1,0,2,4,,,"say ""hi"", twice",,',
        't2,completed,t0,1,0,2,4,3,0.9,relu,32,',
        '',
      ].join('\r\n'),
    );
    const json = JSON.parse(trialsJson(space, { metric: 'val_acc', direction: 'max' }, trials));
    expect(json.trials).toHaveLength(5);
    expect(json.space).toEqual(space);
  });
});
