/** Exact quantiles by selection equal the same ranks of a full sort; bucket lookup is the same at any size. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/math/random';
import { quantileBoundaries, valuesAtRanks } from '../../../src/core/transform/quantiles';
import { bucketIndex } from '../../../src/core/transform/reader.js';

describe('quantile selection', () => {
  it('puts every asked rank where a full sort would, with many ties and any order', () => {
    const rng = new Rng(11);
    for (const [n, distinct] of [
      [1, 1],
      [17, 3],
      [1000, 5],
      [5000, 100_000],
      [20_000, 7],
    ] as const) {
      const values = Float64Array.from({ length: n }, () => Math.floor(rng.next() * distinct) - distinct / 2);
      const sorted = Float64Array.from(values).sort();
      const ranks = Array.from({ length: 40 }, () => Math.floor(rng.next() * n));
      expect(valuesAtRanks(Float64Array.from(values), ranks), `n ${n}`).toEqual(ranks.map((r) => sorted[r]!));
      // sorted and reversed inputs, the worst cases of a naive pivot
      expect(valuesAtRanks(Float64Array.from(sorted).reverse(), ranks)).toEqual(ranks.map((r) => sorted[r]!));
      expect(quantileBoundaries(Float64Array.from(values), 10)).toEqual(Array.from({ length: 9 }, (_, i) => sorted[Math.floor(((i + 1) * n) / 10)]!));
    }
  });
});

describe('bucketIndex', () => {
  it('counts the boundaries <= x alike for few boundaries (a scan) and many (a binary search)', () => {
    const rng = new Rng(5);
    for (const size of [1, 9, 16, 17, 200]) {
      const boundaries = Float64Array.from({ length: size }, () => Math.floor(rng.next() * 50)).sort();
      for (let t = 0; t < 500; t++) {
        const x = t % 50 === 0 ? NaN : Math.floor(rng.next() * 60) - 5 + (t % 2) * 0.5;
        const expected = Number.isNaN(x) ? size : boundaries.filter((b) => b <= x).length;
        expect(bucketIndex(x, boundaries), `${size} boundaries, x ${x}`).toBe(expected);
      }
    }
  });
});
