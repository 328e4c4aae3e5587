import { describe, expect, it } from 'vitest';
import { l1Selection, permutationSelection, rfe, sequentialForward } from '../../../src/core/select';
import { knownAnswer } from './fixtures';

// Synthetic tasks whose informative features are known (fixtures.ts knownAnswer): x0 and x1 decide the
// class; x0 and the three one-hot columns of 'cat' make the numeric target. Every method must find them.
describe('wrapper methods find the informative features', () => {
  it('RFE (classification): x0 and x1 last standing, ranking as sklearn’s', async () => {
    const p = knownAnswer('classification');
    const progress: number[] = [];
    const result = await rfe(p, { nFeatures: 2, onProgress: (done, total) => progress.push(done / total) });
    expect(result.selected).toEqual([0, 1]);
    expect(new Set(result.order.slice(0, 2))).toEqual(new Set([0, 1]));
    // sklearn's ranking_: 1 for the two kept, then 2 for the last one eliminated ... 5 for the first
    expect([...result.ranking].sort()).toEqual([1, 1, 2, 3, 4, 5]);
    expect(result.ranking[result.order[2]!]).toBe(2);
    expect(result.ranking[result.order[5]!]).toBe(5);
    // the series runs from all six features down to one, each scored on the validation rows
    expect(result.path.map((s) => s.count)).toEqual([6, 5, 4, 3, 2, 1]);
    expect(result.path[4]!.features).toEqual([0, 1]);
    const accuracy = (i: number) => (result.path[i]!.scores.task === 'classification' ? result.path[i]!.scores.accuracy : NaN);
    expect(accuracy(4)).toBeGreaterThan(0.85);
    expect(accuracy(4)).toBeGreaterThan(accuracy(5));
    expect(progress).toEqual([1, 2, 3, 4, 5, 6].map((i) => i / 6));
  });

  it('RFE (regression, a one-hot categorical): keeps and drops the categorical’s columns together', async () => {
    const result = await rfe(knownAnswer('regression'), { nFeatures: 2 });
    expect(result.selected).toEqual([0, 3]);
    expect(result.path.find((s) => s.count === 2)!.scores).toMatchObject({ task: 'regression', r2: expect.toSatisfy((r2: number) => r2 > 0.99) });
  });

  it('sequential forward selection adds the informative features first', async () => {
    const cls = await sequentialForward(knownAnswer('classification'), { nFeatures: 2 });
    expect(cls.selected).toEqual([0, 1]);
    expect(cls.path.map((s) => s.count)).toEqual([1, 2]);
    const reg = await sequentialForward(knownAnswer('regression'), { nFeatures: 2 });
    expect(reg.selected).toEqual([0, 3]);
  });

  it('refuses a metric of the other task by name', async () => {
    await expect(sequentialForward(knownAnswer('regression'), { metric: 'rocAuc' })).rejects.toMatchObject({ code: 'not-for-task', details: { params: { method: 'rocAuc', task: 'regression' } } });
    await expect(permutationSelection(knownAnswer('classification'), { metric: 'rmse' })).rejects.toMatchObject({ code: 'not-for-task' });
  });

  it('sequential forward selection with a tolerance stops when the next feature adds too little', async () => {
    const result = await sequentialForward(knownAnswer('regression'), { tolerance: 0.01 });
    expect(result.selected).toEqual([0, 3]);
  });

  it('cancels between fits with an AbortError and reports nothing more', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const run = rfe(knownAnswer('classification'), { signal: controller.signal, onProgress: (done) => (seen.push(done), done === 2 && controller.abort()) });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual([1, 2]);
  });
});

describe('embedded methods find the informative features', () => {
  it('L1: the strength that scores best on validation keeps the informative features', async () => {
    const cls = await l1Selection(knownAnswer('classification'));
    // validation accuracy 0.94 is first reached at C ≈ 0.106 with x0 and x1 alone; weaker penalties add noise columns for no gain
    expect(cls.selected).toEqual([0, 1]);
    expect(cls.path).toHaveLength(10);
    expect(cls.path.every((step, i) => i === 0 || step.strength > cls.path[i - 1]!.strength)).toBe(true);
    // the strongest penalty of the path keeps nothing: it starts where every weight is zero
    expect(cls.path[0]!.features).toEqual([]);
    // a numeric target: the best R² of the path keeps the two informative features (and may keep noise: the
    // best score, not the sparsest near it, as sklearn's LassoCV)
    expect((await l1Selection(knownAnswer('regression'))).selected).toEqual(expect.arrayContaining([0, 3]));
    const progress: number[] = [];
    const reg = await l1Selection(knownAnswer('regression'), { alpha: 0.1, onProgress: (done, total) => progress.push(done, total) });
    expect(progress).toEqual([1, 1]);
    expect(reg.selected).toEqual([0, 3]);
    expect(reg.strength).toBe(0.1);
  });

  it('permutation importance: only the informative features hurt the score when shuffled', async () => {
    const result = await permutationSelection(knownAnswer('classification'), { repeats: 5, seed: 1 });
    expect(result.selected).toEqual([0, 1]);
    expect(result.importances[0]).toBeGreaterThan(0.1);
    for (const f of [2, 3, 4, 5]) expect(Math.abs(result.importances[f]!)).toBeLessThan(0.05);
    // seeded: the same call gives the same numbers
    const again = await permutationSelection(knownAnswer('classification'), { repeats: 5, seed: 1 });
    expect([...again.importances]).toEqual([...result.importances]);
    const reg = await permutationSelection(knownAnswer('regression'), { k: 2 });
    expect(reg.selected).toEqual([0, 3]);
  });
});
