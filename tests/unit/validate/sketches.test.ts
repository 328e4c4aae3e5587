import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HyperLogLog, KllSketch, MAX_KEY_LENGTH, ValueCounter, hashString, valueKey } from '../../../src/core/validate/sketches';

describe('sketches', () => {
  it('Misra-Gries counts stay within their error bound after pruning and merging (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 400 }), fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 400 }), (s1, s2) => {
        const truth = new Map<string, number>();
        const a = new ValueCounter(8);
        const b = new ValueCounter(8);
        for (const v of s1) {
          a.add(`v${v}`);
          truth.set(`v${v}`, (truth.get(`v${v}`) ?? 0) + 1);
        }
        for (const v of s2) {
          b.add(`v${v}`);
          truth.set(`v${v}`, (truth.get(`v${v}`) ?? 0) + 1);
        }
        a.merge(b);
        expect(a.counts.size).toBeLessThanOrEqual(8);
        expect(a.error).toBeLessThanOrEqual((s1.length + s2.length) / (a.keep + 1) + 1e-9);
        for (const [k, t] of truth) {
          const c = a.counts.get(k) ?? 0;
          expect(c).toBeLessThanOrEqual(t);
          expect(c + a.error).toBeGreaterThanOrEqual(t);
        }
        if (a.exact) expect(a.distinct()).toBe(truth.size);
      }),
      { numRuns: 200 },
    );
  });

  it('HyperLogLog estimates within 3% from 1k to 1M distinct, and merges', () => {
    for (const n of [1000, 50_000, 1_000_000]) {
      const a = new HyperLogLog();
      const b = new HyperLogLog();
      for (let i = 0; i < n; i++) (i % 2 ? a : b).add(hashString(`item-${i}`));
      a.merge(b);
      expect(Math.abs(a.estimate() - n) / n).toBeLessThan(0.03);
    }
  });

  it('KLL keeps a few thousand values and merges', () => {
    const a = new KllSketch(200);
    const b = new KllSketch(200);
    for (let i = 0; i < 200_000; i++) (i % 3 ? a : b).add(i);
    a.merge(b);
    expect(a.n).toBe(200_000);
    expect(a.retained).toBeLessThan(3 * 200 + 100);
    const { items, cumulative } = a.sortedView();
    expect(cumulative[cumulative.length - 1]).toBe(200_000);
    const mid = items[cumulative.findIndex((c) => c > 100_000)]!;
    expect(Math.abs(mid - 100_000) / 200_000).toBeLessThan(0.02);
  });

  it('valueKey leaves short values alone and bounds long ones', () => {
    expect(valueKey('abc')).toBe('abc');
    const k = valueKey('😀'.repeat(1000));
    expect(k.length).toBeLessThanOrEqual(MAX_KEY_LENGTH + 18);
    expect(k).not.toBe(valueKey('😀'.repeat(999) + 'x'));
  });
});
