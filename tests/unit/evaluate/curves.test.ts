import { describe, expect, it } from 'vitest';
import {
  binaryTarget,
  binOf,
  calibrationCurve,
  metricsFromCounts,
  precisionRecallCurve,
  rocCurve,
  thresholdMetrics,
  topLabelCalibration,
} from '../../../src/core/evaluate/curves';
import { EvalError } from '../../../src/core/evaluate/errors';

// scikit-learn's documented example: y = [0, 0, 1, 1], scores = [0.1, 0.4, 0.35, 0.8]
const y = [0, 0, 1, 1];
const s = [0.1, 0.4, 0.35, 0.8];

describe('threshold metrics', () => {
  it('counts and every rate at one threshold (score >= threshold is positive)', () => {
    // at 0.35 predicted positive: 0.4 (neg), 0.35 (pos), 0.8 (pos) -> tp 2, fp 1, tn 1, fn 0
    const m = thresholdMetrics(y, s, 0.35);
    expect([m.tp, m.fp, m.tn, m.fn, m.count]).toEqual([2, 1, 1, 0, 4]);
    expect(m.positiveRate).toBe(3 / 4);
    expect(m.accuracy).toBe(3 / 4); // (2 + 1) / 4
    expect(m.tpr).toBe(1); // 2 / 2
    expect(m.fpr).toBe(1 / 2); // 1 / (1 + 1)
    expect(m.tnr).toBe(1 / 2);
    expect(m.fnr).toBe(0);
    expect(m.precision).toBe(2 / 3); // 2 / (2 + 1)
    expect(m.npv).toBe(1); // 1 / (1 + 0)
    expect(m.falseDiscoveryRate).toBe(1 / 3);
    expect(m.falseOmissionRate).toBe(0);
    expect(m.f1).toBeCloseTo(0.8, 12); // 2 * (2/3) * 1 / (2/3 + 1) = (4/3) / (5/3)
  });

  it('undefined rates are NaN, not 0', () => {
    // no positives: TPR and FNR have a zero denominator; threshold 1 predicts nothing: precision too
    const m = thresholdMetrics([0, 0], [0.2, 0.7], 1);
    expect(m.tpr).toBeNaN();
    expect(m.fnr).toBeNaN();
    expect(m.precision).toBeNaN();
    expect(m.fpr).toBe(0);
    expect(m.f1).toBeNaN();
    expect(metricsFromCounts(0.5, 0, 1, 0, 1).f1).toBe(0); // precision 0 and recall 0
  });
});

describe('ROC and precision-recall', () => {
  it('reuses the training ROC: AUC 0.75', () => {
    // pairs (pos, neg): 0.35>0.1 yes, 0.35>0.4 no, 0.8>0.1 yes, 0.8>0.4 yes -> 3/4
    expect(rocCurve(y, s)!.auc).toBe(0.75);
  });

  it('precision-recall points and average precision by hand', () => {
    // descending: 0.8 P (tp1 fp0: P 1, R .5), 0.4 N (P .5, R .5), 0.35 P (P 2/3, R 1), 0.1 N (P .5, R 1)
    // AP = (.5 - 0) * 1 + 0 * .5 + (1 - .5) * 2/3 + 0 = 5/6
    const pr = precisionRecallCurve(y, s)!;
    expect(pr.points.map((p) => [p.threshold, p.precision, p.recall])).toEqual([
      [0.1, 0.5, 1],
      [0.35, 2 / 3, 1],
      [0.4, 0.5, 0.5],
      [0.8, 1, 0.5],
      [Infinity, 1, 0],
    ]);
    expect(pr.averagePrecision).toBeCloseTo(5 / 6, 12);
    expect(pr.positives).toBe(2);
    expect(precisionRecallCurve([0, 0], [0.1, 0.2])).toBeNull();
  });

  it('tied scores move together', () => {
    // scores all 0.5: one point (P 0.5, R 1), AP = 1 * 0.5
    const pr = precisionRecallCurve([1, 0], [0.5, 0.5])!;
    expect(pr.points).toHaveLength(2);
    expect(pr.averagePrecision).toBe(0.5);
  });

  it('binary targets from two-column and one-column outputs', () => {
    const t = binaryTarget([0, 1, 1], [0.9, 0.1, 0.3, 0.7, 0.6, 0.4], 2);
    expect(Array.from(t.positive)).toEqual([0, 1, 1]);
    expect(Array.from(t.scores)).toEqual([0.1, 0.7, 0.4]);
    expect(Array.from(binaryTarget([1, 0], [0.8, 0.3], 1).scores)).toEqual([0.8, 0.3]);
    expect(() => binaryTarget([0, 1], [0.1, 0.2, 0.7], 3)).toThrow(EvalError);
  });
});

describe('calibration', () => {
  const p = [0.1, 0.15, 0.3, 0.35, 0.8, 0.9];
  const o = [0, 1, 0, 0, 1, 1];

  it('uniform bins, ECE, MCE and Brier by hand', () => {
    // edges 0 .2 .4 .6 .8 1: bin0 {.1,.15} pred .125 obs .5; bin1 {.3,.35} pred .325 obs 0;
    // bins 2, 3 empty; bin4 {.8,.9} pred .85 obs 1 (0.8 sits on an edge and goes up)
    // ECE = 2/6 (.375 + .325 + .15) = .85 / 3; MCE = .375
    // Brier = (.01 + .7225 + .09 + .1225 + .04 + .01) / 6 = .995 / 6
    const c = calibrationCurve(o, p, { bins: 5 });
    expect(c.bins.map((b) => b.count)).toEqual([2, 2, 0, 0, 2]);
    expect(c.bins[0]!.meanPredicted).toBeCloseTo(0.125, 12);
    expect(c.bins[0]!.observedRate).toBe(0.5);
    expect(c.bins[1]!.meanPredicted).toBeCloseTo(0.325, 12);
    expect(c.bins[2]!.meanPredicted).toBeNaN();
    expect(c.bins[4]!.observedRate).toBe(1);
    expect(c.ece).toBeCloseTo(0.85 / 3, 12);
    expect(c.mce).toBeCloseTo(0.375, 12);
    expect(c.brier).toBeCloseTo(0.995 / 6, 12);
  });

  it('quantile bins hold about equal counts', () => {
    // 6 sorted scores, 3 bins: cuts at sorted[2] = .3 and sorted[4] = .8
    const c = calibrationCurve(o, p, { bins: 3, strategy: 'quantile' });
    expect(c.bins.map((b) => [b.lo, b.hi, b.count])).toEqual([
      [0, 0.3, 2],
      [0.3, 0.8, 2],
      [0.8, 1, 2],
    ]);
    expect(c.ece).toBeCloseTo(0.85 / 3, 12); // the same groups as above
  });

  it('a perfectly calibrated set has ECE 0', () => {
    // bins [0, .5) and [.5, 1]: all four land in the second; mean predicted (.5 + .5 + 1 + 1) / 4 = .75,
    // observed 3/4, so the gap is 0
    const c = calibrationCurve([1, 0, 1, 1], [0.5, 0.5, 1, 1], { bins: 2 });
    expect(c.ece).toBe(0);
  });

  it('top-label calibration of a multiclass model', () => {
    // argmax: row0 class 0 (.7, right), row1 class 2 (.5, wrong: truth 1)
    const c = topLabelCalibration([0, 1], [0.7, 0.2, 0.1, 0.2, 0.3, 0.5], 3, { bins: 2 });
    // one bin [.5, 1] with both: pred (.7 + .5)/2 = .6, observed 1/2 -> ECE .1
    expect(c.bins[1]!.count).toBe(2);
    expect(c.ece).toBeCloseTo(0.1, 12);
  });

  it('a diverged model (NaN scores) gets a clear error', () => {
    expect(() => calibrationCurve([1, 0], [0.5, NaN])).toThrow(/NaN at position 1/);
    expect(() => thresholdMetrics([1, 0], [Infinity, 0.2], 0.5)).toThrow(EvalError);
    expect(() => precisionRecallCurve([1, 0], [NaN, 0.2])).toThrow(EvalError);
  });

  it('binOf: half-open bins, the last one closed', () => {
    const edges = [0, 0.5, 1];
    expect([binOf(edges, 0), binOf(edges, 0.49), binOf(edges, 0.5), binOf(edges, 1)]).toEqual([0, 0, 1, 1]);
    expect(() => calibrationCurve([1], [0.5], { bins: 0 })).toThrow(EvalError);
  });
});
