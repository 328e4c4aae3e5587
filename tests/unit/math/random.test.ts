import { describe, expect, it } from 'vitest';
import { mixSeed, mulberry32Output, MULBERRY32_STEP, Rng } from '../../../src/core/math/random';

/** mulberry32 transcribed from Tommy Ettinger's C reference, in BigInt so no JS 32-bit trick is shared. */
function reference(seed: number, count: number): number[] {
  const M = 0xffffffffn;
  let x = BigInt(seed >>> 0);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    x = (x + 0x6d2b79f5n) & M;
    let z = x;
    z = ((z ^ (z >> 15n)) * (z | 1n)) & M;
    z = (z ^ ((z + (((z ^ (z >> 7n)) * (z | 61n)) & M)) & M)) & M;
    out.push(Number(z ^ (z >> 14n)));
  }
  return out;
}

describe('seeded random numbers', () => {
  it('a raw-seeded Rng is mulberry32 as the C reference computes it', () => {
    for (const seed of [0, 1, 42, 0xdeadbeef]) {
      const rng = new Rng(seed, true);
      expect(Array.from({ length: 50 }, () => rng.nextUint32())).toEqual(reference(seed, 50));
    }
    expect(mulberry32Output(MULBERRY32_STEP)).toBe(reference(0, 1)[0]);
  });

  it('a default Rng starts mulberry32 at the mixed seed, and mixSeed is fixed', () => {
    const rng = new Rng(7);
    expect(Array.from({ length: 5 }, () => rng.nextUint32())).toEqual(reference(mixSeed(7), 5));
    // pinned: these seeds feed stored splits, bootstraps and sketches, so they must never drift
    // (values of the mixer as it was in core/train/split.ts before it moved here)
    expect(mixSeed()).toBe(0x9e3779b9);
    expect(mixSeed(7)).toBe(0x737a208a);
    expect(mixSeed(1, 2)).toBe(0x941c1b2d);
    expect(mixSeed(1, 2)).not.toBe(mixSeed(2, 1));
    expect(new Set([1, 2, 3, 4].map((s) => mixSeed(s))).size).toBe(4);
  });

  it('next is in [0, 1) with mean about 1/2; int(n) covers 0..n-1 evenly', () => {
    const rng = new Rng(3);
    let sum = 0;
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60000; i++) {
      const u = rng.next();
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
      counts[rng.int(6)]!++;
    }
    expect(sum / 60000).toBeCloseTo(0.5, 2);
    // each face expects 10000 draws, standard deviation about 91
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(500);
  });
});
