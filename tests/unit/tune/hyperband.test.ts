/**
 * Hyperband's whole schedule for max_epochs 10, factor 3, one iteration, computed by hand from KerasTuner's
 * _get_size / _get_epochs: 3 brackets (10 -> 3.3 -> 1.1 -> 0.37); bracket0_end_size = ceil(1 + log3 10) = 4.
 * Bracket 2: 12 trials x 2 epochs, 4 x (2 -> 4), 2 x (4 -> 10); bracket 1: 6 x 4, 2 x (4 -> 10); bracket 0:
 * 4 x 10. 30 trials (22 new, 8 promoted), 24 + 8 + 12 + 24 + 12 + 40 = 120 epochs.
 */
import { describe, expect, it } from 'vitest';
import { bracketCount, roundEpochs, roundSize } from '../../../src/core/tune/hyperband';
import { nextTrial } from '../../../src/core/tune/oracle';
import type { TrialView } from '../../../src/core/tune/types';
import { BASE, complete, runSequential, search, SPACE, trialFrom } from './helpers';

const HB = search('hyperband');
/** A score that orders trials by units, then learning rate: distinct for distinct values. */
const score = (v: Record<string, unknown>) => Number(v.units) + Number(v.lr);

describe('Hyperband (KerasTuner schedule)', () => {
  it('has the sizes and epochs of KerasTuner for max_epochs 10, factor 3', () => {
    const h = HB.hyperband;
    expect(bracketCount(h)).toBe(3);
    expect([0, 1, 2].map((r) => roundSize(h, 2, r))).toEqual([12, 4, 2]);
    expect([0, 1, 2].map((r) => roundEpochs(h, 2, r))).toEqual([2, 4, 10]);
    expect([0, 1].map((r) => [roundSize(h, 1, r), roundEpochs(h, 1, r)])).toEqual([[6, 4], [2, 10]]);
    expect([roundSize(h, 0, 0), roundEpochs(h, 0, 0)]).toEqual([4, 10]);
  });

  it('runs the whole schedule: 30 trials, 22 new, 8 promoted, 120 epochs, in KerasTuner order', () => {
    const { trials, end } = runSequential(HB, SPACE, score);
    expect(end).toEqual({ kind: 'done', why: 'schedule-complete' });
    expect(trials).toHaveLength(30);
    const row = (t: TrialView) => `b${t.bracket} r${t.round} ${t.initialEpoch}->${t.epochs}${t.parentId ? ' from' : ''}`;
    const expected = [
      ...Array(12).fill('b2 r0 0->2'),
      ...Array(4).fill('b2 r1 2->4 from'),
      ...Array(2).fill('b2 r2 4->10 from'),
      ...Array(6).fill('b1 r0 0->4'),
      ...Array(2).fill('b1 r1 4->10 from'),
      ...Array(4).fill('b0 r0 0->10'),
    ];
    expect(trials.map(row)).toEqual(expected);
    expect(trials.filter((t) => t.parentId === null)).toHaveLength(22);
    expect(trials.filter((t) => t.parentId !== null)).toHaveLength(8);
    expect(trials.reduce((s, t) => s + t.epochs - t.initialEpoch, 0)).toBe(120);
    // every new configuration differs; promoted trials keep their parent's values
    expect(new Set(trials.filter((t) => !t.parentId).map((t) => JSON.stringify(t.values))).size).toBe(22);
    for (const t of trials.filter((t) => t.parentId)) expect(t.values).toEqual(trials.find((p) => p.id === t.parentId)!.values);
  });

  it('promotes the top 1/factor of a round by the objective and its direction, best first', () => {
    for (const direction of ['max', 'min'] as const) {
      const { trials } = runSequential({ ...HB, objective: { metric: 'val_loss', direction } }, SPACE, score);
      const round0 = trials.slice(0, 12);
      const sorted = [...round0].sort((a, b) => (direction === 'max' ? b.best! - a.best! : a.best! - b.best!));
      expect(trials.slice(12, 16).map((t) => t.parentId)).toEqual(sorted.slice(0, 4).map((t) => t.id));
      const round1 = trials.slice(12, 16);
      const sorted1 = [...round1].sort((a, b) => (direction === 'max' ? b.best! - a.best! : a.best! - b.best!));
      expect(trials.slice(16, 18).map((t) => t.parentId)).toEqual(sorted1.slice(0, 2).map((t) => t.id));
      const b1 = trials.slice(18, 24);
      const sortedB1 = [...b1].sort((a, b) => (direction === 'max' ? b.best! - a.best! : a.best! - b.best!));
      expect(trials.slice(24, 26).map((t) => t.parentId)).toEqual(sortedB1.slice(0, 2).map((t) => t.id));
    }
  });

  it('promotes only when more of the round have completed than it throws away, else begins the next bracket', () => {
    const trials: TrialView[] = [];
    for (let i = 0; i < 12; i++) {
      const d = nextTrial(HB, SPACE, BASE, trials);
      if (d.kind !== 'trial') throw new Error(d.kind);
      trials.push(trialFrom(d, `t${i}`));
    }
    // 8 of 12 completed: 8 is not more than 12 - 4 thrown away, so no promotion: bracket 1 begins
    trials.slice(0, 8).forEach((t, i) => complete(t, i));
    const early = nextTrial(HB, SPACE, BASE, trials);
    expect(early).toMatchObject({ kind: 'trial', bracket: 1, round: 0, parentId: null, epochs: 4 });
    // 9 completed: the best of them is surely in the top 4 of 12, promoted from epoch 2 to 4
    complete(trials[8]!, 100);
    expect(nextTrial(HB, SPACE, BASE, trials)).toMatchObject({ kind: 'trial', bracket: 2, round: 1, parentId: 't8', initialEpoch: 2, epochs: 4 });
  });

  it('waits at the end while trials run, then is done; resumes the same schedule from the trials alone', () => {
    const { trials } = runSequential(HB, SPACE, score);
    const last = trials[29]!;
    last.status = 'running';
    expect(nextTrial(HB, SPACE, BASE, trials)).toEqual({ kind: 'wait' });
    // a resumed search: the first 20 trials give the 21st decision again, the same as the first run made
    const again = nextTrial(HB, SPACE, BASE, trials.slice(0, 20));
    expect(again).toMatchObject({ kind: 'trial', values: trials[20]!.values, bracket: 1, round: 0, epochs: 4 });
  });

  it('goes on past a failed trial: it is never promoted and its round promotes one fewer (KerasTuner)', () => {
    // t0 fails: 11 of 12 completed promote 3 (11, 10, 9 > 12 - 4), the 4th never; the next brackets run
    const t0: TrialView[] = [];
    for (;;) {
      const d = nextTrial(HB, SPACE, BASE, t0);
      if (d.kind !== 'trial') {
        expect(d).toEqual({ kind: 'done', why: 'schedule-complete' });
        break;
      }
      const t = trialFrom(d, `t${t0.length}`);
      t0.push(t);
      if (t.id === 't0') t.status = 'failed';
      else complete(t, score(d.values));
    }
    expect(t0.filter((t) => t.bracket === 2 && t.round === 1)).toHaveLength(3);
    // round 2 then has 3 candidates for 2 places out of 4: 3 > 4 - 2 promotes one, 2 > 2 none
    expect(t0.filter((t) => t.bracket === 2 && t.round === 2)).toHaveLength(1);
    expect(t0.some((t) => t.parentId === 't0')).toBe(false);
    expect(t0).toHaveLength(12 + 3 + 1 + 6 + 2 + 4);
  });

  it('runs two iterations as the brackets twice (60 trials, 240 epochs)', () => {
    const { trials } = runSequential({ ...HB, hyperband: { maxEpochs: 10, factor: 3, iterations: 2 } }, SPACE, score);
    expect(trials).toHaveLength(60);
    expect(trials.reduce((s, t) => s + t.epochs - t.initialEpoch, 0)).toBe(240);
    expect(trials.slice(30).every((t) => t.iteration === 1)).toBe(true);
  });
});
