import { describe, expect, it } from 'vitest';
import { ABSTAIN, type LabelMatrix } from '../../../src/core/label/lf';
import { fitLabelModel, majorityVote, predictLabels } from '../../../src/core/label/label-model';
import { empiricalAccuracy, synthetic } from './helpers';

const matrix = (rows: number[][], k: number): LabelMatrix => ({
  n: rows.length,
  m: rows[0]!.length,
  k,
  data: Int8Array.from(rows.flat()),
});

describe('majority vote', () => {
  const L = matrix(
    [
      [1, 1, 0], // clear 1
      [0, -1, -1], // single vote
      [-1, -1, -1], // nobody votes
      [0, 1, -1], // tie between 0 and 1
      [2, 1, 2], // clear 2
      [2, 1, 0], // three-way tie
    ],
    3,
  );

  it('takes the most frequent vote and leaves uncovered rows out', () => {
    expect([...majorityVote(L)]).toEqual([1, 0, ABSTAIN, ABSTAIN, 2, ABSTAIN]);
  });

  it('breaks ties by the lowest class, or by a fixed hash of the row', () => {
    expect([...majorityVote(L, { tieBreak: 'lowest' })]).toEqual([1, 0, ABSTAIN, 0, 2, 0]);
    const r = majorityVote(L, { tieBreak: 'random', seed: 3 });
    expect([r[0], r[1], r[2], r[4]]).toEqual([1, 0, ABSTAIN, 2]);
    expect([0, 1]).toContain(r[3]);
    expect([0, 1, 2]).toContain(r[5]);
    expect([...majorityVote(L, { tieBreak: 'random', seed: 3 })]).toEqual([...r]);
  });
});

describe('Dawid-Skene label model', () => {
  it('recovers known one-coin accuracies within 0.03 from 20,000 rows without ground truth', () => {
    const accuracy = [0.9, 0.8, 0.7, 0.65, 0.85, 0.6];
    const coverage = [0.6, 0.5, 0.7, 0.4, 0.3, 0.8];
    const { L, truth } = synthetic(20_000, [0.3, 0.7], accuracy, coverage, 7);
    const fit = fitLabelModel(L);
    expect(fit.converged).toBe(true);
    // Against the generating accuracies and against the sample's own empirical accuracies.
    const emp = empiricalAccuracy(L, truth);
    for (let j = 0; j < accuracy.length; j++) {
      expect(Math.abs(fit.accuracy[j]! - accuracy[j]!)).toBeLessThan(0.03);
      expect(Math.abs(fit.accuracy[j]! - emp[j]!)).toBeLessThan(0.03);
    }
    expect(Math.abs(fit.classBalance[1]! - 0.7)).toBeLessThan(0.03);
    // It should also label better than majority vote on the covered rows, since the accuracies differ.
    const lm = predictLabels(fit.probs, 2);
    const mv = majorityVote(L, { tieBreak: 'random' });
    let lmRight = 0;
    let mvRight = 0;
    let covered = 0;
    for (let i = 0; i < L.n; i++) {
      if (!fit.covered[i]) continue;
      covered++;
      if (lm[i] === truth[i]) lmRight++;
      if (mv[i] === truth[i]) mvRight++;
    }
    expect(lmRight / covered).toBeGreaterThan(mvRight / covered);
  });

  it('recovers accuracies with three classes, in both the one-coin and the full-confusion model', () => {
    const accuracy = [0.85, 0.75, 0.6, 0.7, 0.9];
    const coverage = [0.7, 0.6, 0.8, 0.5, 0.4];
    const { L } = synthetic(20_000, [0.5, 0.3, 0.2], accuracy, coverage, 11);
    for (const model of ['one-coin', 'confusion'] as const) {
      const fit = fitLabelModel(L, { model });
      expect(fit.converged).toBe(true);
      for (let j = 0; j < accuracy.length; j++) expect(Math.abs(fit.accuracy[j]! - accuracy[j]!)).toBeLessThan(0.03);
    }
  });

  it('marks rows where every function abstains as not covered, with NaN probabilities', () => {
    const L = matrix(
      [
        [1, 1],
        [-1, -1],
        [0, -1],
      ],
      2,
    );
    const fit = fitLabelModel(L);
    expect([...fit.covered]).toEqual([1, 0, 1]);
    expect(Number.isNaN(fit.probs[2])).toBe(true);
    expect(fit.probs[0]! + fit.probs[1]!).toBeCloseTo(1, 5);
    expect([...predictLabels(fit.probs, 2)]).toEqual([1, ABSTAIN, 0]);
  });

  it('is deterministic and honours a given class balance', () => {
    const { L } = synthetic(3_000, [0.5, 0.5], [0.8, 0.7, 0.6], [0.5, 0.5, 0.5], 5);
    const a = fitLabelModel(L);
    const b = fitLabelModel(L);
    expect([...a.probs]).toEqual([...b.probs]);
    const fixed = fitLabelModel(L, { classBalance: [0.2, 0.8] });
    expect([...fixed.classBalance].map((x) => +x.toFixed(6))).toEqual([0.2, 0.8]);
  });
});
