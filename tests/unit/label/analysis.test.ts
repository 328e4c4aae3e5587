import { describe, expect, it } from 'vitest';
import { lfSummary } from '../../../src/core/label/analysis';
import { ABSTAIN } from '../../../src/core/label/lf';
import { rng, synthetic } from './helpers';

/** The definitions, written the slow and obvious way. */
function bruteForce(L: { n: number; m: number; data: ArrayLike<number> }, gold: ArrayLike<number>) {
  const at = (i: number, j: number) => L.data[i * L.m + j]!;
  const lfs = [];
  for (let j = 0; j < L.m; j++) {
    let cov = 0;
    let ov = 0;
    let conf = 0;
    let right = 0;
    let wrong = 0;
    const pol = new Set<number>();
    for (let i = 0; i < L.n; i++) {
      const v = at(i, j);
      if (v === ABSTAIN) continue;
      cov++;
      pol.add(v);
      let other = false;
      let differs = false;
      for (let o = 0; o < L.m; o++) {
        if (o === j || at(i, o) === ABSTAIN) continue;
        other = true;
        if (at(i, o) !== v) differs = true;
      }
      if (other) ov++;
      if (differs) conf++;
      if (gold[i] !== ABSTAIN) {
        if (gold[i] === v) right++;
        else wrong++;
      }
    }
    lfs.push({ polarity: [...pol].sort(), coverage: cov / L.n, overlaps: ov / L.n, conflicts: conf / L.n, correct: right, incorrect: wrong });
  }
  let any = 0;
  let two = 0;
  let mixed = 0;
  for (let i = 0; i < L.n; i++) {
    const votes = [];
    for (let j = 0; j < L.m; j++) if (at(i, j) !== ABSTAIN) votes.push(at(i, j));
    if (votes.length > 0) any++;
    if (votes.length > 1) two++;
    if (new Set(votes).size > 1) mixed++;
  }
  return { lfs, coverage: any / L.n, overlap: two / L.n, conflict: mixed / L.n };
}

describe('LF summary', () => {
  it('coverage, overlaps, conflicts and empirical accuracy equal a brute-force count', () => {
    const { L, truth } = synthetic(2_000, [0.4, 0.35, 0.25], [0.9, 0.6, 0.75, 0.5], [0.3, 0.6, 0.1, 0.45], 3);
    const rand = rng(9);
    const gold = Int32Array.from(truth, (y) => (rand() < 0.2 ? y : ABSTAIN)); // a fifth of the rows labeled
    const got = lfSummary(L, gold);
    const want = bruteForce(L, gold);
    expect(got.coverage).toBeCloseTo(want.coverage, 12);
    expect(got.overlap).toBeCloseTo(want.overlap, 12);
    expect(got.conflict).toBeCloseTo(want.conflict, 12);
    got.lfs.forEach((s, j) => {
      const w = want.lfs[j]!;
      expect(s.polarity).toEqual(w.polarity);
      expect(s.coverage).toBeCloseTo(w.coverage, 12);
      expect(s.overlaps).toBeCloseTo(w.overlaps, 12);
      expect(s.conflicts).toBeCloseTo(w.conflicts, 12);
      expect([s.correct, s.incorrect]).toEqual([w.correct, w.incorrect]);
      expect(s.accuracy).toBeCloseTo(w.correct / (w.correct + w.incorrect), 12);
    });
  });

  it('a hand-sized case', () => {
    // rows x LFs; the third LF never votes.
    const data = Int8Array.from([1, 1, -1, /**/ 1, 0, -1, /**/ -1, 0, -1, /**/ -1, -1, -1]);
    const s = lfSummary({ n: 4, m: 3, k: 2, data }, [1, 1, -1, 0]);
    expect(s.coverage).toBe(0.75);
    expect(s.overlap).toBe(0.5);
    expect(s.conflict).toBe(0.25);
    expect(s.lfs[0]).toEqual({ polarity: [1], coverage: 0.5, overlaps: 0.5, conflicts: 0.25, correct: 2, incorrect: 0, accuracy: 1 });
    expect(s.lfs[1]).toEqual({ polarity: [0, 1], coverage: 0.75, overlaps: 0.5, conflicts: 0.25, correct: 1, incorrect: 1, accuracy: 0.5 });
    expect(s.lfs[2]!.coverage).toBe(0);
    expect(Number.isNaN(s.lfs[2]!.accuracy)).toBe(true);
  });
});
