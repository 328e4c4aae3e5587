import { describe, expect, it } from 'vitest';
import { ABSTAIN, type LabelMatrix } from '../../../src/core/label/lf';
import { fitLabelModel, majorityVote, predictLabels } from '../../../src/core/label/label-model';
import { empiricalAccuracy, rng, synthetic } from './helpers';

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
  it('recovers known accuracies within 0.03 from 20,000 rows without ground truth', () => {
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

  it('recovers accuracies with three classes: one-coin and full confusion, abstains modelled or missing', () => {
    const accuracy = [0.85, 0.75, 0.6, 0.7, 0.9];
    const coverage = [0.7, 0.6, 0.8, 0.5, 0.4];
    const { L } = synthetic(20_000, [0.5, 0.3, 0.2], accuracy, coverage, 11);
    for (const [model, abstain] of [
      ['one-coin', 'class-dependent'],
      ['confusion', 'class-dependent'],
      ['one-coin', 'missing'],
      ['confusion', 'missing'],
    ] as const) {
      const fit = fitLabelModel(L, { model, abstain });
      expect(fit.converged).toBe(true);
      for (let j = 0; j < accuracy.length; j++) expect(Math.abs(fit.accuracy[j]! - accuracy[j]!)).toBeLessThan(0.03);
    }
  });

  it('single-polarity functions: the confusion model recovers them, one-coin is biased, abstains-as-missing collapses', () => {
    // Three functions only ever vote 1, three only 0; each fires often on its class and rarely on the
    // other (P(fire | own class), P(fire | other class)), like keyword functions.
    const fire = [
      [0.5, 0.05],
      [0.3, 0.02],
      [0.4, 0.12],
      [0.6, 0.04],
      [0.35, 0.1],
      [0.45, 0.03],
    ];
    const polarity = [1, 1, 1, 0, 0, 0];
    const n = 20_000;
    const rand = rng(17);
    const L: LabelMatrix = { n, m: 6, k: 2, data: new Int8Array(n * 6).fill(ABSTAIN) };
    const truth = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      truth[i] = rand() < 0.35 ? 1 : 0;
      for (let j = 0; j < 6; j++) if (rand() < fire[j]![truth[i] === polarity[j] ? 0 : 1]!) L.data[i * 6 + j] = polarity[j]!;
    }
    const emp = empiricalAccuracy(L, truth);
    // With class-dependent abstains the full confusion model (the default) is the generating model here.
    const fit = fitLabelModel(L);
    for (let j = 0; j < 6; j++) expect(Math.abs(fit.accuracy[j]! - emp[j]!)).toBeLessThan(0.03);
    expect(Math.abs(fit.abstainRate[0]![1]! - 0.5)).toBeLessThan(0.03);
    expect(Math.abs(fit.classBalance[1]! - 0.35)).toBeLessThan(0.03);
    // One-coin ties a function's wrong votes to its firing rate, so it misreads their accuracies (measured:
    // 0.72 for a true 0.85) and labels worse (measured: 15,813 vs 16,275 of 20,000 rows right).
    const oneCoin = fitLabelModel(L, { model: 'one-coin' });
    const hits = (f: typeof fit) => {
      const p = predictLabels(f.probs, 2);
      let right = 0;
      for (let i = 0; i < n; i++) if (p[i] === truth[i]) right++;
      return right;
    };
    expect(Math.abs(oneCoin.accuracy[0]! - emp[0]!)).toBeGreaterThan(0.1);
    expect(hits(fit)).toBeGreaterThan(hits(oneCoin));
    // Abstains as missing data: every row one class explains single-polarity votes perfectly, and one-coin
    // EM goes there (with a full confusion matrix such votes carry no information at all).
    const missing = fitLabelModel(L, { abstain: 'missing', model: 'one-coin' });
    expect(Math.max(...missing.classBalance)).toBeGreaterThan(0.99);
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
