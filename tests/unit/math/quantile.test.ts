import { describe, expect, it } from 'vitest';
import { quantileSorted, type7Quantile } from '../../../src/core/math/quantile';

describe('type 7 quantile', () => {
  it('matches numpy.percentile (method "linear", the default) on hand-checked values', () => {
    // numpy.percentile([1, 2, 3, 4], [0, 10, 25, 50, 75, 90, 100]) = [1, 1.3, 1.75, 2.5, 3.25, 3.7, 4]
    // e.g. q = .1: h = 3 * .1 = .3, so 1 + .3 * (2 - 1) = 1.3
    const xs = [1, 2, 3, 4];
    const got = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1].map((q) => quantileSorted(xs, q));
    const want = [1, 1.3, 1.75, 2.5, 3.25, 3.7, 4];
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 12));
    // numpy.percentile([10, 20, 30, 40, 50], 25) = 20: h = 4 * .25 = 1 lands on a rank exactly
    expect(quantileSorted([10, 20, 30, 40, 50], 0.25)).toBe(20);
    // numpy.percentile([10, 20, 30, 40, 50], 40) = 26: h = 1.6, 20 + .6 * 10
    expect(quantileSorted([10, 20, 30, 40, 50], 0.4)).toBeCloseTo(26, 12);
  });

  it('reads only the order statistics it needs, through the accessor', () => {
    const read: number[] = [];
    const at = (rank: number) => (read.push(rank), [5, 7, 11][rank]!);
    expect(type7Quantile(at, 3, 0.75)).toBe(9); // h = 1.5: halfway between 7 and 11
    expect(read).toEqual([1, 2]);
  });

  it('edges: one value, the maximum, equal infinite neighbours, no values', () => {
    expect(quantileSorted([42], 0.3)).toBe(42);
    expect(quantileSorted([1, 2, 3], 1)).toBe(3);
    // x + f (y - x) would be ∞ + f (∞ - ∞) = NaN; equal neighbours give that value
    expect(quantileSorted([0, Infinity, Infinity], 0.75)).toBe(Infinity);
    expect(quantileSorted([], 0.5)).toBeNaN();
  });
});
