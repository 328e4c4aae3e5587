import { describe, expect, it } from 'vitest';
import { cohenKappa, fleissKappa } from '../../../src/core/label/agreement';
import { uncertaintyOrder } from '../../../src/core/label/active';

describe("Cohen's kappa", () => {
  it('equals a hand computation and lists the disagreements', () => {
    // 12 rows; the last two are labeled by only one of the two, so 10 rows count.
    const a = [0, 0, 0, 0, 1, 1, 1, 2, 2, 0, 1, -1];
    const b = [0, 0, 1, 0, 1, 1, 2, 2, 0, 0, -1, 2];
    // Confusion (A rows, B columns) over the 10 shared rows:
    //        B0 B1 B2 | A total
    //   A0    4  1  0 |  5
    //   A1    0  2  1 |  3
    //   A2    1  0  1 |  2
    //   B tot 5  3  2 | 10
    // p_o = (4 + 2 + 1) / 10 = 0.7
    // p_e = (5*5 + 3*3 + 2*2) / 100 = 38 / 100 = 0.38
    // kappa = (0.7 - 0.38) / (1 - 0.38) = 0.32 / 0.62 = 0.516129...
    const r = cohenKappa(a, b, 3);
    expect(r.n).toBe(10);
    expect([...r.confusion]).toEqual([4, 1, 0, 0, 2, 1, 1, 0, 1]);
    expect(r.observed).toBeCloseTo(0.7, 12);
    expect(r.expected).toBeCloseTo(0.38, 12);
    expect(r.kappa).toBeCloseTo(0.32 / 0.62, 12);
    expect(r.disagreements).toEqual([2, 6, 8]);
  });

  it('is 1 for perfect agreement and NaN when undefined', () => {
    expect(cohenKappa([0, 1, 1, 0], [0, 1, 1, 0], 2).kappa).toBe(1);
    expect(Number.isNaN(cohenKappa([1, 1], [1, 1], 2).kappa)).toBe(true);
    expect(Number.isNaN(cohenKappa([-1, 1], [0, -1], 2).kappa)).toBe(true);
  });
});

describe("Fleiss' kappa", () => {
  it("matches Fleiss' 1971 worked example (Wikipedia's 10 x 5 table, 14 raters): 0.210", () => {
    const table = [
      [0, 0, 0, 0, 14],
      [0, 2, 6, 4, 2],
      [0, 0, 3, 5, 6],
      [0, 3, 9, 2, 0],
      [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0],
      [3, 2, 6, 3, 0],
      [2, 5, 3, 2, 2],
      [6, 5, 2, 1, 0],
      [0, 2, 2, 3, 7],
    ];
    const labels: number[] = [];
    for (const row of table) row.forEach((count, c) => labels.push(...Array<number>(count).fill(c)));
    const { kappa, rows } = fleissKappa(labels, 14, 5);
    expect(rows).toBe(10);
    expect(kappa).toBeCloseTo(0.21, 3);
  });
});

describe('uncertainty sampling', () => {
  // Rows: confident, unsure, no probabilities, labeled already, medium.
  const probs = Float32Array.from([0.95, 0.05, 0.55, 0.45, NaN, NaN, 0.5, 0.5, 0.7, 0.3]);
  it('orders unlabeled rows by least confidence and by margin', () => {
    const skip = [0, 0, 0, 1, 0];
    expect([...uncertaintyOrder(probs, 2, { skip })]).toEqual([1, 4, 0]);
    expect([...uncertaintyOrder(probs, 2, { skip, strategy: 'margin', limit: 2 })]).toEqual([1, 4]);
  });
  it('margin and least confidence differ with three classes', () => {
    // row 0: top 0.4 (least confident), margin 0.05; row 1: top 0.5, margin 0.01 (smallest margin)
    const p3 = Float32Array.from([0.4, 0.35, 0.25, 0.5, 0.49, 0.01]);
    expect([...uncertaintyOrder(p3, 3, { strategy: 'least-confidence' })]).toEqual([0, 1]);
    expect([...uncertaintyOrder(p3, 3, { strategy: 'margin' })]).toEqual([1, 0]);
  });
});
