import { describe, expect, it } from 'vitest';
import { fmix32, fnv1a32 } from '../../../src/core/math/hash';

describe('32-bit hashes', () => {
  it('fnv1a32 gives the published FNV-1a test vectors (ASCII: one code unit per byte)', () => {
    // from the FNV reference test suite (isthe.com/chongo/tech/comp/fnv, FNV1a_32)
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('fnv1a32 by hand for one character, and the seed replaces the offset basis', () => {
    // 'a' = 0x61: (0x811c9dc5 ^ 0x61) * 16777619 mod 2^32
    expect(fnv1a32('a')).toBe(Number((BigInt((0x811c9dc5 ^ 0x61) >>> 0) * 16777619n) % 2n ** 32n));
    expect(fnv1a32('a', 7)).toBe(Number((BigInt(7 ^ 0x61) * 16777619n) % 2n ** 32n));
  });

  it('fmix32 is murmur3 finalizer: MurmurHash3_x86_32 of no bytes is fmix32(seed)', () => {
    // published MurmurHash3_x86_32 vectors: ("", seed 0) = 0, ("", seed 1) = 0x514e28b7, ("", seed 0xffffffff) = 0x81f16f39
    expect(fmix32(0)).toBe(0);
    expect(fmix32(1)).toBe(0x514e28b7);
    expect(fmix32(0xffffffff)).toBe(0x81f16f39);
    expect(fmix32(-1)).toBe(0x81f16f39);
  });
});
