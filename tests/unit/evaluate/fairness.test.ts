import { describe, expect, it } from 'vitest';
import { EvalError } from '../../../src/core/evaluate/errors';
import { FAIRNESS_RATES, fairnessIndicators, thresholdSweep } from '../../../src/core/evaluate/fairness';
import { Rng } from '../../../src/core/math/random';

describe('fairness indicators', () => {
  it('the issue anchor, exactly', () => {
    // labels [0,0,1,1], scores [.1,.5,.5,.9]; score >= threshold is positive.
    // 0.3: predicted [0,1,1,1] -> tp 2, fp 1, tn 1, fn 0: FPR 1/2, TPR 1, FDR 1/3, positive rate 3/4
    // 0.7: predicted [0,0,0,1] -> tp 1, fp 0, tn 2, fn 1: FPR 0, TPR 1/2, FOR 1/(1+2) = 1/3
    // Groups g = [a, b, a, b], so each group holds one negative and one positive.
    const r = fairnessIndicators({ column: 'g', groups: ['a', 'b', 'a', 'b'], positive: [0, 0, 1, 1], scores: [0.1, 0.5, 0.5, 0.9], thresholds: [0.3, 0.7] });
    const at3 = r.thresholds[0]!.overall;
    expect(at3.fpr).toBe(0.5);
    expect(at3.tpr).toBe(1);
    expect(at3.falseDiscoveryRate).toBe(1 / 3);
    expect(at3.positiveRate).toBe(0.75);
    const at7 = r.thresholds[1]!.overall;
    expect(at7.fpr).toBe(0);
    expect(at7.tpr).toBe(0.5);
    expect(at7.falseOmissionRate).toBe(1 / 3);
  });

  it('per-group rates and the gaps between groups by hand', () => {
    // a: labels [0,0,1,1], scores [.1,.5,.5,.9] -> at .5 predicted [0,1,1,1]: PR 3/4, TPR 1, FPR 1/2
    // b: labels [0,0,1,1], scores [.2,.3,.6,.7] -> at .5 predicted [0,0,1,1]: PR 1/2, TPR 1, FPR 0
    // demographic parity = 3/4 - 1/2 = 1/4; TPR gap 0; FPR gap 1/2; equalized odds = max = 1/2
    const r = fairnessIndicators({
      column: 'g',
      groups: ['b', 'b', 'b', 'b', 'a', 'a', 'a', 'a'],
      positive: [0, 0, 1, 1, 0, 0, 1, 1],
      scores: [0.2, 0.3, 0.6, 0.7, 0.1, 0.5, 0.5, 0.9],
      thresholds: [0.5],
      minCount: 5,
    });
    expect(r.groups).toEqual([
      { group: 'a', count: 4, positives: 2, negatives: 2, small: true },
      { group: 'b', count: 4, positives: 2, negatives: 2, small: true },
    ]);
    const t = r.thresholds[0]!;
    expect(t.groups.map((m) => [m.positiveRate, m.tpr, m.fpr, m.fnr])).toEqual([
      [0.75, 1, 0.5, 0],
      [0.5, 1, 0, 0],
    ]);
    expect(t.groups[0]!.precision).toBe(2 / 3);
    expect(t.groups[1]!.falseOmissionRate).toBe(0);
    expect(t.gaps.demographicParityDifference).toBe(0.25);
    expect(t.gaps.tprGap).toBe(0);
    expect(t.gaps.fprGap).toBe(0.5);
    expect(t.gaps.equalizedOddsDifference).toBe(0.5);
    expect(t.gaps.disparateImpactRatio).toBe(0.5 / 0.75);
  });

  it('a group without positives has undefined TPR and the gap uses the others', () => {
    // c: one negative only -> TPR NaN; groups a (TPR 1) and b (TPR 1/2) define the gap 1/2
    const r = fairnessIndicators({ column: 'g', groups: ['a', 'a', 'b', 'b', 'b', 'c'], positive: [1, 0, 1, 1, 0, 0], scores: [0.9, 0.1, 0.9, 0.2, 0.1, 0.8], thresholds: [0.5] });
    const t = r.thresholds[0]!;
    expect(t.groups[2]!.tpr).toBeNaN();
    expect(t.gaps.tprGap).toBe(0.5);
    // FPR: a 0, b 0, c 1 -> gap 1
    expect(t.gaps.fprGap).toBe(1);
    expect(t.gaps.equalizedOddsDifference).toBe(1);
  });

  it('sweeps 0.1 to 0.9 by default, missing values form a group', () => {
    expect(thresholdSweep()).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    const r = fairnessIndicators({ column: 'sex', groups: ['f', null, 'm', 'f'], positive: [1, 0, 1, 0], scores: [0.7, 0.2, 0.4, 0.5] });
    expect(r.thresholds).toHaveLength(9);
    expect(r.groups.map((g) => g.group)).toEqual(['f', 'm', null]);
  });

  it('clear errors: one group, one class, lengths', () => {
    const one = () => fairnessIndicators({ column: 'sex', groups: ['f', 'f'], positive: [0, 1], scores: [0.1, 0.9] });
    expect(one).toThrow(EvalError);
    expect(one).toThrow(/1 group/);
    try {
      one();
    } catch (e) {
      expect((e as EvalError).code).toBe('one-group');
      expect((e as EvalError).details.column).toBe('sex');
    }
    const oneClass = () => fairnessIndicators({ column: 'sex', groups: ['f', 'm'], positive: [1, 1], scores: [0.1, 0.9] });
    expect(oneClass).toThrow(/only positive/);
    expect(() => fairnessIndicators({ column: 'sex', groups: ['f'], positive: [1, 0], scores: [0.1, 0.9] })).toThrow(EvalError);
  });
});

describe('fairness intervals', () => {
  /** Two groups; group b's scores run higher, so its positive rate and FPR are higher. */
  function data(n: number, seed: number) {
    const rng = new Rng(seed);
    const groups: string[] = [];
    const positive: number[] = [];
    const scores: number[] = [];
    for (let i = 0; i < n; i++) {
      const g = rng.next() < 0.5 ? 'a' : 'b';
      const y = rng.next() < 0.4 ? 1 : 0;
      groups.push(g);
      positive.push(y);
      scores.push(Math.min(1, Math.max(0, 0.25 + 0.35 * y + (g === 'b' ? 0.1 : 0) + 0.5 * (rng.next() - 0.5))));
    }
    return { column: 'g', groups, positive, scores };
  }

  it('bootstrap intervals for every rate and gap contain the point estimates and narrow with data', () => {
    const small = fairnessIndicators({ ...data(400, 1), bootstrap: { samples: 300, seed: 2 } });
    const big = fairnessIndicators({ ...data(8000, 1), bootstrap: { samples: 300, seed: 2 } });
    for (const r of [small, big]) {
      for (const t of r.thresholds) {
        t.groups.forEach((m, g) => {
          for (const rate of FAIRNESS_RATES) {
            const ci = t.intervals!.groups[g]![rate];
            if (Number.isNaN(m[rate]) || ci === null) continue;
            expect(ci.lo, `${t.threshold} ${g} ${rate}`).toBeLessThanOrEqual(m[rate] + 1e-12);
            expect(ci.hi, `${t.threshold} ${g} ${rate}`).toBeGreaterThanOrEqual(m[rate] - 1e-12);
          }
        });
        for (const [name, value] of Object.entries(t.gaps)) {
          const ci = t.intervals!.gaps[name as keyof typeof t.gaps];
          if (Number.isNaN(value) || ci === null) continue;
          // a max - min statistic is biased upwards in resamples, so allow the point a hair outside
          expect(ci.lo, `${t.threshold} ${name}`).toBeLessThanOrEqual(value + 0.02);
          expect(ci.hi, `${t.threshold} ${name}`).toBeGreaterThanOrEqual(value - 0.02);
        }
      }
    }
    const width = (r: typeof small) => {
      const ci = r.thresholds[4]!.intervals!.gaps.demographicParityDifference!;
      return ci.hi - ci.lo;
    };
    expect(width(big)).toBeLessThan(width(small) / 2);
    // reproducible, and off unless asked for
    expect(fairnessIndicators({ ...data(400, 1), bootstrap: { samples: 300, seed: 2 } })).toEqual(small);
    expect(fairnessIndicators(data(50, 1)).thresholds[0]!.intervals).toBeNull();
  });
});
