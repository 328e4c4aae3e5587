/**
 * A core-level stand-in for the end model of the spam demo (the real one is trained by the training stage
 * with TF.js): logistic regression on hashed bag-of-words features, trained by SGD on soft labels
 * (cross-entropy against P(spam) from the label model), in plain TypeScript.
 */
import { fnv1a32 } from '../../../src/core/math/hash';
import { rng } from './helpers';

const DIM = 1 << 18;

const fnv = (s: string): number => fnv1a32(s);

/** Sparse, L2-normalized binary features: words of subject and body, and the sender's domain. */
export interface Doc {
  idx: Uint32Array;
  val: number;
}

export function featurize(from: string, subject: string, body: string): Doc {
  const set = new Set<number>();
  for (const w of subject.toLowerCase().match(/[a-z0-9$!%']+/g) ?? []) set.add(fnv(`s:${w}`) % DIM);
  for (const w of body.toLowerCase().match(/[a-z0-9$!%']+/g) ?? []) set.add(fnv(`b:${w}`) % DIM);
  const domain = /@([\w.-]+)/.exec(from)?.[1]?.toLowerCase();
  if (domain) for (const part of domain.split('.')) set.add(fnv(`d:${part}`) % DIM);
  const idx = Uint32Array.from(set);
  return { idx, val: idx.length ? 1 / Math.sqrt(idx.length) : 0 };
}

export class LogisticRegression {
  readonly w = new Float64Array(DIM);
  b = 0;

  score(d: Doc): number {
    let z = this.b;
    for (let t = 0; t < d.idx.length; t++) z += this.w[d.idx[t]!]! * d.val;
    return 1 / (1 + Math.exp(-z));
  }

  /** SGD with a decaying step and L2; target[i] is the probability of class 1. Deterministic (seeded order). */
  fit(docs: readonly Doc[], target: ArrayLike<number>, { epochs = 15, lr = 0.5, l2 = 1e-6, seed = 1 } = {}): this {
    const order = docs.map((_, i) => i);
    const rand = rng(seed);
    let step = 0;
    for (let e = 0; e < epochs; e++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (const i of order) {
        const d = docs[i]!;
        const rate = lr / (1 + step++ / docs.length);
        const g = this.score(d) - target[i]!;
        for (let t = 0; t < d.idx.length; t++) {
          const f = d.idx[t]!;
          this.w[f] = this.w[f]! - rate * (g * d.val + l2 * this.w[f]!);
        }
        this.b -= rate * g;
      }
    }
    return this;
  }
}
