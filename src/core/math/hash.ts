/**
 * Small non-cryptographic 32-bit hashes: FNV-1a over strings and murmur3's finalizer. Stable across
 * browsers, Node and platforms (32-bit integer math only), so seeds and keys built from them reproduce.
 */

/** FNV-1a offset basis (32-bit). */
export const FNV_OFFSET = 0x811c9dc5;

/** 32-bit FNV-1a over UTF-16 code units, as an unsigned integer. */
export function fnv1a32(text: string, seed = FNV_OFFSET): number {
  let h = seed | 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** murmur3's 32-bit finalizer (fmix32): every input bit reaches every output bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
