import { describe, expect, it } from 'vitest';
import { EvalError } from '../../../src/core/evaluate/errors';
import { assignSlices, columnValues } from '../../../src/core/evaluate/slice-assign';
import { confusionSummary, type Predictions } from '../../../src/core/evaluate/slice-metrics';
import { evaluateSlices, metricTable, OVERALL } from '../../../src/core/evaluate/slices';
import { fillPoisson1, percentileInterval } from '../../../src/core/math/bootstrap';
import { quantileSorted } from '../../../src/core/math/quantile';
import { classificationMetrics } from '../../../src/core/model/metrics';
import { Rng } from '../../../src/core/math/random';

// Eight binary examples in two slices of column g. p = P(class 1); probs rows are [1 - p, p].
//   g   y  p     predicted (argmax)
//   a   0  .1    0  right
//   a   0  .6    1  wrong
//   a   1  .4    0  wrong
//   a   1  .9    1  right
//   b   1  .8    1  right
//   b   1  .7    1  right
//   b   0  .2    0  right
//   b   0  .3    0  right
const g = ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b'];
const y = [0, 0, 1, 1, 1, 1, 0, 0];
const p = [0.1, 0.6, 0.4, 0.9, 0.8, 0.7, 0.2, 0.3];
const binary: Predictions = { kind: 'classification', yTrue: y, probs: p.flatMap((v) => [1 - v, v]), classes: ['no', 'yes'] };

describe('slice assignment', () => {
  it('categorical: one slice per value, most frequent first, missing last', () => {
    const a = assignSlices({ column: 'c', kind: 'categorical' }, { c: ['x', 'y', null, 'y', 'z', 'y', 'x'] }, 7);
    expect(a.slices.map((s) => s[0])).toEqual([
      { column: 'c', kind: 'value', value: 'y' },
      { column: 'c', kind: 'value', value: 'x' },
      { column: 'c', kind: 'value', value: 'z' },
      { column: 'c', kind: 'missing' },
    ]);
    expect(Array.from(a.ids)).toEqual([1, 0, 3, 0, 2, 0, 1]);
  });

  it('thousands of values: the top N plus "other"', () => {
    // value v0 appears 3 times, v1 twice, then 2998 singletons
    const values = ['v0', 'v0', 'v0', 'v1', 'v1', ...Array.from({ length: 2998 }, (_, i) => `u${i}`)];
    const a = assignSlices({ column: 'c', kind: 'categorical', topN: 2 }, { c: values }, values.length);
    expect(a.slices).toEqual([
      [{ column: 'c', kind: 'value', value: 'v0' }],
      [{ column: 'c', kind: 'value', value: 'v1' }],
      [{ column: 'c', kind: 'other', distinct: 2998 }],
    ]);
    expect(a.ids[values.length - 1]).toBe(2);
    const e = evaluateSlices(
      { kind: 'regression', yTrue: values.map(() => 1), yPred: values.map(() => 1) },
      { columns: { c: values }, specs: [{ column: 'c', kind: 'categorical' }], bootstrap: false },
    );
    // the default keeps the 50 most frequent values: v0 (3 rows), v1 (2) and 48 singletons = 53 rows
    expect(e.slicings[0]!.slices).toHaveLength(51);
    expect(e.slicings[0]!.slices[50]!.count).toBe(3003 - 53);
  });

  it('numeric quantile buckets, equal-width buckets and explicit cuts', () => {
    const v = [1, 2, 3, 4, 5, 6, 7, 8, NaN];
    // quantile, 4 buckets over 8 finite values: cuts sorted[2] = 3, sorted[4] = 5, sorted[6] = 7
    const q = assignSlices({ column: 'v', kind: 'numeric', buckets: 4 }, { v }, 9);
    expect(q.slices.map((s) => s[0])).toEqual([
      { column: 'v', kind: 'range', bucket: 0, lo: 1, hi: 3, closed: false },
      { column: 'v', kind: 'range', bucket: 1, lo: 3, hi: 5, closed: false },
      { column: 'v', kind: 'range', bucket: 2, lo: 5, hi: 7, closed: false },
      { column: 'v', kind: 'range', bucket: 3, lo: 7, hi: 8, closed: true },
      { column: 'v', kind: 'missing' },
    ]);
    expect(Array.from(q.ids)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4]);
    // equal width, 2 buckets between 1 and 8: cut at 4.5
    const w = assignSlices({ column: 'v', kind: 'numeric', buckets: 2, method: 'equal-width' }, { v }, 9);
    expect(Array.from(w.ids)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2]);
    // explicit cuts: (-inf, 2), [2, 6), [6, inf)
    const c = assignSlices({ column: 'v', kind: 'numeric', cuts: [2, 6] }, { v }, 9);
    expect(Array.from(c.ids)).toEqual([0, 1, 1, 1, 1, 2, 2, 2, 3]);
    expect(c.slices[0]![0]).toMatchObject({ lo: -Infinity, hi: 2 });
  });

  it('heavy ties give fewer quantile buckets, not empty ones', () => {
    const v = [0, 0, 0, 0, 0, 0, 1, 2];
    // cuts sorted[2] = 0, sorted[4] = 0, sorted[6] = 1: the zeros are dropped (at the minimum)
    const q = assignSlices({ column: 'v', kind: 'numeric', buckets: 4 }, { v }, 8);
    expect(q.slices).toHaveLength(2);
    expect(Array.from(q.ids)).toEqual([0, 0, 0, 0, 0, 0, 1, 1]);
  });

  it('crosses keep the combinations that occur', () => {
    const a = assignSlices({ cross: [{ column: 'g', kind: 'categorical' }, { column: 'h', kind: 'categorical' }] }, { g: ['a', 'a', 'b', 'b'], h: [1, 2, 1, 1] }, 4);
    // g: a (2), b (2) -> tie, by value; h: 1 (3), 2 (1)
    expect(a.slices).toHaveLength(3);
    expect(Array.from(a.ids)).toEqual([0, 1, 2, 2]);
    expect(a.slices[1]).toEqual([
      { column: 'g', kind: 'value', value: 'a' },
      { column: 'h', kind: 'value', value: 2 },
    ]);
  });

  it('clear errors for a missing or short column', () => {
    expect(() => assignSlices({ column: 'nope', kind: 'categorical' }, {}, 2)).toThrow(/nope/);
    expect(() => assignSlices({ column: 'c', kind: 'categorical' }, { c: [1] }, 2)).toThrowError(
      expect.objectContaining({ name: 'EvalError', code: 'length-mismatch', details: expect.objectContaining({ column: 'c' }), message: 'Column "c" has 1 values for 2 rows' }),
    );
  });
});

describe('sliced metrics', () => {
  it('overall and per-slice metrics by hand, with counts and small-slice flags', () => {
    const e = evaluateSlices(binary, { columns: { g }, specs: [{ column: 'g', kind: 'categorical' }], minCount: 5, bootstrap: false });
    expect(e.metrics).toEqual(['accuracy', 'logLoss', 'macroPrecision', 'macroRecall', 'macroF1', 'auc', 'precision', 'recall']);
    const o = e.overall;
    expect(o.id).toBe(OVERALL);
    expect(o.count).toBe(8);
    expect(o.small).toBe(false);
    expect(o.metrics.accuracy!.value).toBe(6 / 8);
    // AUC overall: positives .4 .9 .8 .7 vs negatives .1 .6 .2 .3 -> .4 beats 3, the others all 4: 15/16
    expect(o.metrics.auc!.value).toBe(15 / 16);
    const [a, b] = e.slicings[0]!.slices;
    expect(a!.id).toBe('g="a"');
    expect(a!.count).toBe(4);
    expect(a!.small).toBe(true);
    // a: 2 of 4 right; confusion [[1,1],[1,1]] -> precision, recall, F1 all 1/2 per class
    expect(a!.metrics.accuracy!.value).toBe(0.5);
    expect(a!.metrics.macroF1!.value).toBe(0.5);
    // a: AUC: .4>.1 yes, .4>.6 no, .9>.1, .9>.6 yes -> 3/4
    expect(a!.metrics.auc!.value).toBe(0.75);
    // a: log loss = -(ln .9 + ln .4 + ln .4 + ln .9) / 4 = -(ln .9 + ln .4) / 2 ≈ 0.510826
    expect(a!.metrics.logLoss!.value).toBeCloseTo(-(Math.log(0.9) + Math.log(0.4)) / 2, 6);
    expect(a!.metrics.logLoss!.value).toBeCloseTo(0.510826, 5);
    // b: all right, AUC 1, log loss -(ln .8 + ln .7) / 2 ≈ 0.289909
    expect(b!.metrics.accuracy!.value).toBe(1);
    expect(b!.metrics.auc!.value).toBe(1);
    expect(b!.metrics.logLoss!.value).toBeCloseTo(0.289909, 5);
    expect(b!.metrics.accuracy!.ci).toBeNull();
    // at the default threshold .5 (score >= .5 positive): overall .6 (neg) .9 .8 .7 (pos) predicted
    // positive -> precision 3/4, recall 3 of 4 positives; a: .6 (neg) .9 (pos) -> 1/2, 1/2; b: 1, 1
    expect([o.metrics.precision!.value, o.metrics.recall!.value]).toEqual([0.75, 0.75]);
    expect([a!.metrics.precision!.value, a!.metrics.recall!.value]).toEqual([0.5, 0.5]);
    expect([b!.metrics.precision!.value, b!.metrics.recall!.value]).toEqual([1, 1]);
  });

  it('precision and recall follow a chosen decision threshold', () => {
    // threshold .65: predicted positive .9 .8 .7 (all positives) -> precision 1, recall 3/4
    // threshold .85: only .9 -> precision 1, recall 1/4; threshold .95: nothing predicted -> precision NaN
    const at = (threshold: number) => evaluateSlices({ ...binary, threshold } as Predictions, { bootstrap: false }).overall.metrics;
    expect([at(0.65).precision!.value, at(0.65).recall!.value]).toEqual([1, 0.75]);
    expect([at(0.85).precision!.value, at(0.85).recall!.value]).toEqual([1, 0.25]);
    expect(at(0.95).precision!.value).toBeNaN();
    expect(at(0.95).recall!.value).toBe(0);
  });

  it('AUC is NaN on a slice with one class', () => {
    const e = evaluateSlices(binary, { columns: { c: [1, 1, 2, 2, 1, 1, 2, 2] }, specs: [{ column: 'c', kind: 'categorical' }], bootstrap: false });
    // c=1 holds y = 0 0 1 1; c=2 holds y = 1 1 0 0: both have two classes; a slice by y has one
    const byLabel = evaluateSlices(binary, { columns: { y }, specs: [{ column: 'y', kind: 'categorical' }], bootstrap: false });
    expect(e.slicings[0]!.slices[0]!.metrics.auc!.value).not.toBeNaN();
    expect(byLabel.slicings[0]!.slices[0]!.metrics.auc!.value).toBeNaN();
  });

  it('non-finite outputs are refused with a clear error', () => {
    try {
      evaluateSlices({ kind: 'regression', yTrue: [1, 2], yPred: [1, NaN] });
      expect.unreachable();
    } catch (e) {
      expect((e as EvalError).code).toBe('non-finite');
    }
  });

  it('regression metrics by hand', () => {
    // y 1 2 3 4, prediction 1.5 2 2.5 5: errors -.5 0 .5 -1
    // MAE 2/4 = .5; MSE (.25 + 0 + .25 + 1)/4 = .375; R² = 1 - 1.5 / 5 (SST around 2.5) = .7
    const e = evaluateSlices({ kind: 'regression', yTrue: [1, 2, 3, 4], yPred: [1.5, 2, 2.5, 5] }, { bootstrap: false });
    expect(e.overall.metrics.mae!.value).toBe(0.5);
    expect(e.overall.metrics.rmse!.value).toBeCloseTo(Math.sqrt(0.375), 12);
    expect(e.overall.metrics.r2!.value).toBeCloseTo(0.7, 12);
  });

  it('the weighted confusion summary equals metrics.ts with unit weights', () => {
    const rng = new Rng(3);
    const n = 300;
    const k = 4;
    const yt = Array.from({ length: n }, () => rng.int(k));
    const probs = Array.from({ length: n * k }, () => rng.next());
    const report = classificationMetrics(yt, probs, ['a', 'b', 'c', 'd']);
    const conf = report.confusion.flat();
    const s = confusionSummary(conf, k, n);
    expect(s.accuracy).toBeCloseTo(report.accuracy, 12);
    expect(s.precision).toBeCloseTo(report.macro.precision, 12);
    expect(s.recall).toBeCloseTo(report.macro.recall, 12);
    expect(s.f1).toBeCloseTo(report.macro.f1, 12);
  });
});

/** A noisy binary task: the score tracks the label, group by row parity. */
function synthetic(n: number, seed: number): { pred: Predictions; group: string[] } {
  const rng = new Rng(seed);
  const yt: number[] = [];
  const probs: number[] = [];
  const group: string[] = [];
  for (let i = 0; i < n; i++) {
    const label = rng.next() < 0.4 ? 1 : 0;
    const score = Math.min(0.99, Math.max(0.01, 0.3 + 0.35 * label + 0.6 * (rng.next() - 0.5)));
    yt.push(label);
    probs.push(1 - score, score);
    group.push(i % 3 === 0 ? 'x' : 'y');
  }
  return { pred: { kind: 'classification', yTrue: yt, probs, classes: ['0', '1'] }, group };
}

describe('bootstrap intervals', () => {
  it('contain the point estimate, are reproducible, and narrow with more data', () => {
    const small = synthetic(200, 1);
    const big = synthetic(5000, 1);
    const opts = (group: string[]) => ({ columns: { group }, specs: [{ column: 'group', kind: 'categorical' as const }], bootstrap: { samples: 300, seed: 7 } });
    const e1 = evaluateSlices(small.pred, opts(small.group));
    const e2 = evaluateSlices(big.pred, opts(big.group));
    for (const e of [e1, e2]) {
      for (const s of [e.overall, ...e.slicings[0]!.slices]) {
        for (const name of e.metrics) {
          const m = s.metrics[name]!;
          expect(m.ci, `${s.id} ${name}`).not.toBeNull();
          expect(m.ci!.lo).toBeLessThanOrEqual(m.value);
          expect(m.ci!.hi).toBeGreaterThanOrEqual(m.value);
          expect(m.ci!.replicates).toBe(300);
        }
      }
    }
    const width = (e: typeof e1, name: string) => e.overall.metrics[name]!.ci!.hi - e.overall.metrics[name]!.ci!.lo;
    for (const name of e1.metrics) expect(width(e2, name)).toBeLessThan(width(e1, name) / 2);
    // same seed, same intervals
    expect(evaluateSlices(small.pred, opts(small.group))).toEqual(e1);
    // the interval of a slice does not depend on the other slicings asked for
    const more = evaluateSlices(small.pred, {
      ...opts(small.group),
      columns: { group: small.group, parity: small.group.map((_, i) => i % 2) },
      specs: [{ column: 'parity', kind: 'categorical' }, { column: 'group', kind: 'categorical' }],
    });
    expect(more.slicings[1]!.slices[1]!.metrics.auc).toEqual(e1.slicings[0]!.slices[1]!.metrics.auc);
  });

  it('the AUC interval is about 2 standard errors (Hanley-McNeil) wide each way', () => {
    const { pred } = synthetic(5000, 2);
    const e = evaluateSlices(pred, { bootstrap: { samples: 400, seed: 1 } });
    const auc = e.overall.metrics.auc!;
    // Hanley & McNeil (1982) standard error of AUC
    const yt = Array.from(pred.yTrue);
    const P = yt.filter((v) => v === 1).length;
    const N = yt.length - P;
    const A = auc.value;
    const q1 = A / (2 - A);
    const q2 = (2 * A * A) / (1 + A);
    const se = Math.sqrt((A * (1 - A) + (P - 1) * (q1 - A * A) + (N - 1) * (q2 - A * A)) / (P * N));
    const half = (auc.ci!.hi - auc.ci!.lo) / 2;
    expect(half / (1.96 * se)).toBeGreaterThan(0.7);
    expect(half / (1.96 * se)).toBeLessThan(1.4);
  });

  it('regression intervals contain the point estimate', () => {
    const rng = new Rng(5);
    const yt = Array.from({ length: 1000 }, () => rng.next() * 10);
    const yp = yt.map((v) => v + (rng.next() - 0.5) * 2);
    const e = evaluateSlices({ kind: 'regression', yTrue: yt, yPred: yp }, { bootstrap: { samples: 200 } });
    for (const name of ['mae', 'rmse', 'r2']) {
      const m = e.overall.metrics[name]!;
      expect(m.ci!.lo).toBeLessThanOrEqual(m.value);
      expect(m.ci!.hi).toBeGreaterThanOrEqual(m.value);
    }
    // MAE of uniform(-1, 1) errors is 0.5: the interval should be narrow around it
    expect(e.overall.metrics.mae!.ci!.hi - e.overall.metrics.mae!.ci!.lo).toBeLessThan(0.08);
  });

  it('Poisson(1) draws have mean 1 and variance 1', () => {
    const n = 200_000;
    const w = new Uint8Array(n);
    fillPoisson1(new Rng(11), w);
    let s = 0;
    let s2 = 0;
    let zeros = 0;
    for (const k of w) {
      s += k;
      s2 += k * k;
      if (k === 0) zeros++;
    }
    // P(0) = 1/e
    expect(zeros / n).toBeCloseTo(Math.exp(-1), 2);
    expect(s / n).toBeCloseTo(1, 2);
    expect(s2 / n - (s / n) ** 2).toBeCloseTo(1, 1);
  });

  it('percentile intervals and quantiles', () => {
    // type-7 quantile of 1..5 at .25: h = 4 * .25 = 1 -> 2
    expect(quantileSorted([1, 2, 3, 4, 5], 0.25)).toBe(2);
    expect(quantileSorted([1, 2], 0.5)).toBe(1.5);
    // 101 values 0..100: the 95 % interval is [2.5, 97.5]; NaN replicates are left out
    const values = [...Array.from({ length: 101 }, (_, i) => i), NaN];
    const ci = percentileInterval(values, 0.95)!;
    expect(ci.lo).toBeCloseTo(2.5, 12);
    expect(ci.hi).toBeCloseTo(97.5, 12);
    expect(ci.replicates).toBe(101);
    expect(percentileInterval([NaN, 1], 0.95)).toBeNull();
  });

  it('metricTable feeds blessing', () => {
    const e = evaluateSlices(binary, { columns: { g }, specs: [{ column: 'g', kind: 'categorical' }], bootstrap: false });
    const t = metricTable(e);
    expect(t[OVERALL]!.accuracy).toBe(0.75);
    expect(t['g="b"']!.auc).toBe(1);
  });
});

describe('columns from Arrow', () => {
  it('reads categorical, numeric and boolean vectors with their nulls', async () => {
    const arrow = await import('apache-arrow');
    const cat = arrow.vectorFromArray(['a', null, 'b', 'a'], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()));
    expect(Array.from(columnValues(cat))).toEqual(['a', null, 'b', 'a']);
    const num = arrow.vectorFromArray([1.5, null, 3], new arrow.Float64());
    expect(Array.from(columnValues(num))).toEqual([1.5, null, 3]);
    const dense = arrow.vectorFromArray([1, 2, 3], new arrow.Float64());
    expect(columnValues(dense)).toBeInstanceOf(Float64Array);
    const bool = arrow.vectorFromArray([true, null, false], new arrow.Bool());
    expect(Array.from(columnValues(bool))).toEqual([true, null, false]);
    // and they slice like plain arrays: numeric null -> the missing slice
    const a = assignSlices({ column: 'n', kind: 'numeric', buckets: 2 }, { n: columnValues(num) }, 3);
    expect(a.slices.map((s) => s[0]!.kind)).toEqual(['range', 'range', 'missing']);
  });
});
