import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/core/math/sha256';
import { Rng } from '../../../src/core/math/random';

describe('sha256Hex', () => {
  it('gives the FIPS 180-4 example digests', () => {
    // FIPS 180-4's examples (NIST's SHA256.pdf): one block, two blocks
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it("agrees with Node's crypto on every length across the padding boundaries and on non-ASCII text", () => {
    const rng = new Rng(7);
    for (let n = 0; n < 200; n++) {
      const text = Array.from({ length: n }, () => String.fromCharCode(32 + rng.int(95))).join('');
      expect(sha256Hex(text), `length ${n}`).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    }
    const taiwan = '管線的快取鍵 🐧 penguins';
    expect(sha256Hex(taiwan)).toBe(createHash('sha256').update(taiwan, 'utf8').digest('hex'));
  });
});
