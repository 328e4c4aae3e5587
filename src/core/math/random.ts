/**
 * The seeded pseudo-random numbers of the whole app: mulberry32 (Tommy Ettinger, 2017), state one uint32,
 * behind a seed mixer so neighbouring seeds (1, 2, 3...) do not give related sequences. Only 32-bit integer
 * math and IEEE doubles: a seed gives the same numbers in every browser, in Node and on every platform.
 */
import { fmix32 } from './hash';

/** The golden-ratio increment of mulberry32's Weyl sequence. */
export const MULBERRY32_STEP = 0x6d2b79f5;

/** splitmix32-style finalizer: mixes several numbers into one well-spread 32-bit seed. */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) h = fmix32((h + (p >>> 0) + 0x9e3779b9) >>> 0);
  return h;
}

/** mulberry32's output for a state (after the state has been advanced by MULBERRY32_STEP), as a uint32. */
export function mulberry32Output(state: number): number {
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

/** mulberry32: tiny, fast, passes the usual statistical tests for this use; state is one uint32. */
export class Rng {
  #state: number;

  /** The seed is mixed first (mixSeed); `raw` starts mulberry32 at the seed itself. */
  constructor(seed: number, raw = false) {
    this.#state = raw ? seed >>> 0 : mixSeed(seed);
  }

  nextUint32(): number {
    this.#state = (this.#state + MULBERRY32_STEP) >>> 0;
    return mulberry32Output(this.#state);
  }

  /** Uniform in [0, 1): the uint32 divided by 2^32, exact in a double. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}
