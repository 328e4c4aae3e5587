import { describe, expect, it } from 'vitest';
import { countPositives, sweepThresholds } from '../../../src/core/math/threshold-sweep';

function sweep(positive: ArrayLike<boolean | number>, scores: ArrayLike<number>): number[][] {
  const steps: number[][] = [];
  sweepThresholds(positive, scores, (threshold, tp, fp) => steps.push([threshold, tp, fp]));
  return steps;
}

describe('threshold sweep', () => {
  it('cumulative tp and fp per distinct score, highest first, ties in one step (by hand)', () => {
    // score: .3 .9 .8 .8 .1 ; positive: 0 1 0 1 1
    // >= .9: {.9+}            tp 1 fp 0
    // >= .8: + {.8-, .8+}     tp 2 fp 1   (the tie moves both counts at once)
    // >= .3: + {.3-}          tp 2 fp 2
    // >= .1: + {.1+}          tp 3 fp 2
    expect(sweep([0, 1, 0, 1, 1], [0.3, 0.9, 0.8, 0.8, 0.1])).toEqual([
      [0.9, 1, 0],
      [0.8, 2, 1],
      [0.3, 2, 2],
      [0.1, 3, 2],
    ]);
    expect(countPositives([0, 1, 0, 1, 1])).toBe(3);
    expect(countPositives([true, false])).toBe(1);
    expect(countPositives([0, 1, 0, 1, 1], 3)).toBe(1);
  });

  it('nothing to visit without examples; scores are left as they are', () => {
    expect(sweep([], [])).toEqual([]);
    const scores = Float64Array.from([0.2, 0.7]);
    sweep([1, 0], scores);
    expect(Array.from(scores)).toEqual([0.2, 0.7]);
  });
});
