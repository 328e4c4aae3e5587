/** Random search: max_trials distinct draws; repeats retried (KerasTuner's 20 collisions) then 'space-exhausted'. */
import { describe, expect, it } from 'vitest';
import { MAX_COLLISIONS } from '../../../src/core/tune/draw';
import { nextTrial } from '../../../src/core/tune/oracle';
import { valuesKey } from '../../../src/core/tune/space';
import type { SearchSpace } from '../../../src/core/tune/types';
import { BASE, runSequential, search, SPACE } from './helpers';

const tiny: SearchSpace = { version: 1, hps: [{ name: 'opt', kind: 'choice', values: ['adam', 'sgd', 'rmsprop'] }], bindings: [{ hp: 'opt', target: { kind: 'hyper', field: 'optimizer' } }], blocks: [] };

describe('random search', () => {
  it('runs max_trials distinct trials with the config epochs, then stops saying why', () => {
    const { trials, end } = runSequential(search('random', { maxTrials: 10 }), SPACE, () => 0.5);
    expect(end).toEqual({ kind: 'done', why: 'max-trials' });
    expect(trials).toHaveLength(10);
    expect(new Set(trials.map((t) => valuesKey(t.values))).size).toBe(10);
    expect(trials.every((t) => t.epochs === BASE.hyper.epochs && t.initialEpoch === 0 && t.parentId === null)).toBe(true);
  });

  it('stops with space-exhausted when every draw repeats (a 3-value space, 10 trials asked)', () => {
    const { trials, end } = runSequential(search('random', { maxTrials: 10 }), tiny, () => 0.5);
    expect(trials.map((t) => t.values.opt).sort()).toEqual(['adam', 'rmsprop', 'sgd']);
    expect(end).toEqual({ kind: 'done', why: 'space-exhausted' });
    expect(MAX_COLLISIONS).toBe(20);
  });

  it('decides the same from the same trials (a resumed search repeats its draws); another seed differs', () => {
    const s = search('random', { maxTrials: 10 });
    const { trials } = runSequential(s, SPACE, () => 0.5);
    for (let n = 0; n < 10; n++) expect(nextTrial(s, SPACE, BASE, trials.slice(0, n))).toMatchObject({ kind: 'trial', values: trials[n]!.values });
    expect(nextTrial({ ...s, seed: 8 }, SPACE, BASE, [])).not.toMatchObject({ values: trials[0]!.values });
  });
});
