/**
 * What the Transform page shows of a fitted step's state (the analyzers' outputs, fitted.ts documents
 * them): mean and standard deviation, range, bucket boundaries, the top of a vocabulary, PCA variances.
 * Pure; the component words and formats each fact.
 */
import type { FittedStep } from '../core/transform/fitted';

export type FittedFact =
  | { key: 'mean' | 'std' | 'min' | 'max' | 'count' | 'documents' | 'buckets' | 'value' | 'left' | 'right'; value: number | null }
  | { key: 'boundaries' | 'variances'; values: number[] }
  | { key: 'vocabulary'; size: number; top: { token: string; count: number }[] };

const num = (x: unknown): number | null => (typeof x === 'number' ? x : null);
const nums = (x: unknown): number[] => (Array.isArray(x) ? x.filter((v): v is number => typeof v === 'number') : []);

/** The facts of one step, in the order shown; `top` vocabulary entries at most. */
export function fittedFacts(step: FittedStep, top = 10): FittedFact[] {
  const s = step.state;
  switch (step.op) {
    case 'z_score': {
      const variance = num(s.var);
      return [
        { key: 'mean', value: num(s.mean) },
        { key: 'std', value: variance === null ? null : Math.sqrt(variance) },
        { key: 'count', value: num(s.count) },
      ];
    }
    case 'scale_0_1':
      return [
        { key: 'min', value: num(s.min) },
        { key: 'max', value: num(s.max) },
        { key: 'count', value: num(s.count) },
      ];
    case 'bucketize':
      return [{ key: 'boundaries', values: nums(s.boundaries) }];
    case 'vocabulary':
    case 'cross': {
      if (!Array.isArray(s.vocabulary)) return [{ key: 'buckets', value: step.size }];
      const counts = nums(s.counts);
      const tokens = s.vocabulary as string[];
      return [{ key: 'vocabulary', size: tokens.length, top: tokens.slice(0, top).map((token, i) => ({ token, count: counts[i] ?? 0 })) }];
    }
    case 'hash_strings':
      return [{ key: 'buckets', value: step.size }];
    case 'tfidf':
      return [{ key: 'documents', value: num(s.documents) }];
    case 'pca':
      return [{ key: 'variances', values: nums(s.variances) }];
    case 'arith':
      return [
        ...(s.left !== null && s.left !== undefined ? [{ key: 'left' as const, value: num(s.left) }] : []),
        ...(s.right !== null && s.right !== undefined ? [{ key: 'right' as const, value: num(s.right) }] : []),
      ];
    case 'fill_missing':
      return [{ key: 'value', value: num(s.value) }];
    default:
      return [];
  }
}
