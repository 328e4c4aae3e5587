/** Shared by the label tests: a seeded PRNG and synthetic votes with known accuracies. */
import { ABSTAIN, emptyLabelMatrix, type LabelMatrix } from '../../../src/core/label/lf';

/** mulberry32: small, seeded, good enough for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * n rows with true classes drawn from `balance`; function j votes on a row with probability coverage[j]
 * (independently of the class), and its vote is the true class with probability accuracy[j], otherwise a
 * uniformly chosen other class: exactly the one-coin Dawid-Skene model.
 */
export function synthetic(
  n: number,
  balance: number[],
  accuracy: number[],
  coverage: number[],
  seed: number,
): { L: LabelMatrix; truth: Int32Array } {
  const k = balance.length;
  const m = accuracy.length;
  const rand = rng(seed);
  const L = emptyLabelMatrix(n, m, k);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let u = rand();
    let y = 0;
    while (y < k - 1 && u >= balance[y]!) u -= balance[y++]!;
    truth[i] = y;
    for (let j = 0; j < m; j++) {
      if (rand() >= coverage[j]!) continue;
      let v = y;
      if (rand() >= accuracy[j]!) {
        v = Math.floor(rand() * (k - 1));
        if (v >= y) v++;
      }
      L.data[i * m + j] = v;
    }
  }
  return { L, truth };
}

/** Empirical accuracy of each function on the rows it votes on, against the truth. */
export function empiricalAccuracy(L: LabelMatrix, truth: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let j = 0; j < L.m; j++) {
    let right = 0;
    let all = 0;
    for (let i = 0; i < L.n; i++) {
      const v = L.data[i * L.m + j]!;
      if (v === ABSTAIN) continue;
      all++;
      if (v === truth[i]) right++;
    }
    out.push(right / all);
  }
  return out;
}
