import { describe, expect, it } from 'vitest';
import { evaluateBlessing, type MetricTable, type Threshold } from '../../../src/core/evaluate/blessing';
import { OVERALL } from '../../../src/core/evaluate/slices';

const candidate: MetricTable = {
  [OVERALL]: { accuracy: 0.82, logLoss: 0.41, auc: 0.9, custom: 3 },
  'sex="f"': { accuracy: 0.7, auc: NaN },
};
const production: MetricTable = {
  [OVERALL]: { accuracy: 0.85, logLoss: 0.4, auc: 0.88, custom: 2 },
  'sex="f"': { accuracy: 0.72 },
};

describe('blessing', () => {
  it('absolute thresholds: pass and fail, both directions', () => {
    const t: Threshold[] = [
      { kind: 'absolute', metric: 'accuracy', op: '>=', value: 0.6 }, // .82 >= .6 pass
      { kind: 'absolute', metric: 'logLoss', op: '<=', value: 0.4 }, // .41 <= .4 fails
    ];
    const b = evaluateBlessing(candidate, t, null);
    expect(b.blessed).toBe(false);
    expect(b.hadBaseline).toBe(false);
    expect(b.reasons.map((r) => [r.metric, r.passed, r.code])).toEqual([
      ['accuracy', true, 'absolute-pass'],
      ['logLoss', false, 'absolute-fail'],
    ]);
    expect(b.reasons[1]!.params).toEqual({ metric: 'logLoss', slice: OVERALL, value: 0.41, bound: 0.4, op: '<=' });
    expect(evaluateBlessing(candidate, [t[0]!], null).blessed).toBe(true);
  });

  it('a bound exactly met passes', () => {
    expect(evaluateBlessing(candidate, [{ kind: 'absolute', metric: 'accuracy', op: '>=', value: 0.82 }], null).blessed).toBe(true);
  });

  it('relative, higher is better: no worse than production by more than the tolerance', () => {
    // accuracy .82 vs .85: change -.03. Tolerance .05 -> limit .80, pass; tolerance .01 -> limit .84, fail
    const pass = evaluateBlessing(candidate, [{ kind: 'relative', metric: 'accuracy', tolerance: 0.05 }], production);
    expect(pass.blessed).toBe(true);
    expect(pass.reasons[0]).toMatchObject({ code: 'relative-pass', baseline: 0.85, direction: 'higher' });
    expect(pass.reasons[0]!.limit).toBeCloseTo(0.8, 12);
    expect(pass.reasons[0]!.change).toBeCloseTo(-0.03, 12);
    const fail = evaluateBlessing(candidate, [{ kind: 'relative', metric: 'accuracy', tolerance: 0.01 }], production);
    expect(fail.blessed).toBe(false);
    expect(fail.reasons[0]!.code).toBe('relative-fail');
    expect(fail.reasons[0]!.limit).toBeCloseTo(0.84, 12);
  });

  it('relative, lower is better (log loss)', () => {
    // logLoss .41 vs .40: worse by .01. Tolerance .02 -> limit .42 pass; tolerance 0 -> limit .40 fail
    expect(evaluateBlessing(candidate, [{ kind: 'relative', metric: 'logLoss', tolerance: 0.02 }], production).blessed).toBe(true);
    const fail = evaluateBlessing(candidate, [{ kind: 'relative', metric: 'logLoss', tolerance: 0 }], production);
    expect(fail.blessed).toBe(false);
    expect(fail.reasons[0]).toMatchObject({ code: 'relative-fail', direction: 'lower', baseline: 0.4, limit: 0.4 });
    // a better value always passes: AUC .9 vs .88 with zero tolerance
    expect(evaluateBlessing(candidate, [{ kind: 'relative', metric: 'auc', tolerance: 0 }], production).blessed).toBe(true);
  });

  it('relative tolerance as a fraction of the baseline', () => {
    // accuracy limit = .85 - .05 * .85 = .8075 -> .82 passes; .02 * .85 = .017 -> limit .833 fails
    expect(evaluateBlessing(candidate, [{ kind: 'relative', metric: 'accuracy', tolerance: 0.05, toleranceKind: 'relative' }], production).blessed).toBe(true);
    expect(evaluateBlessing(candidate, [{ kind: 'relative', metric: 'accuracy', tolerance: 0.02, toleranceKind: 'relative' }], production).blessed).toBe(false);
  });

  it('missing baseline: passes with a clear code by default, or fails when asked', () => {
    const t: Threshold[] = [
      { kind: 'absolute', metric: 'accuracy', op: '>=', value: 0.6 },
      { kind: 'relative', metric: 'accuracy', tolerance: 0.01 },
    ];
    const first = evaluateBlessing(candidate, t, undefined);
    expect(first.blessed).toBe(true);
    expect(first.reasons[1]).toMatchObject({ code: 'no-baseline', passed: true });
    const strict = evaluateBlessing(candidate, t, null, { missingBaseline: 'fail' });
    expect(strict.blessed).toBe(false);
    expect(strict.reasons[1]).toMatchObject({ code: 'no-baseline', passed: false });
  });

  it('slices, missing and undefined metrics, unknown directions', () => {
    const b = evaluateBlessing(
      candidate,
      [
        { kind: 'absolute', metric: 'accuracy', slice: 'sex="f"', op: '>=', value: 0.75 }, // .7 fails
        { kind: 'absolute', metric: 'auc', slice: 'sex="f"', op: '>=', value: 0.5 }, // NaN
        { kind: 'relative', metric: 'logLoss', slice: 'sex="f"', tolerance: 0.1 }, // baseline lacks it
        { kind: 'relative', metric: 'custom', tolerance: 0 }, // no known direction
        { kind: 'relative', metric: 'custom', direction: 'higher', tolerance: 0 }, // 3 >= 2
        { kind: 'absolute', metric: 'accuracy', slice: 'nope', op: '>=', value: 0 },
      ],
      production,
    );
    expect(b.blessed).toBe(false);
    expect(b.reasons.map((r) => [r.slice, r.passed, r.code])).toEqual([
      ['sex="f"', false, 'absolute-fail'],
      ['sex="f"', false, 'missing-metric'],
      ['sex="f"', false, 'missing-baseline-metric'],
      [OVERALL, false, 'unknown-direction'],
      [OVERALL, true, 'relative-pass'],
      ['nope', false, 'missing-metric'],
    ]);
  });

  it('bad thresholds fail rather than pass silently', () => {
    const b = evaluateBlessing(candidate, [{ kind: 'relative', metric: 'accuracy', tolerance: -1 }, { kind: 'absolute', metric: 'accuracy', op: '>=', value: NaN }], production);
    expect(b.reasons.map((r) => r.code)).toEqual(['bad-threshold', 'bad-threshold']);
    expect(b.blessed).toBe(false);
  });
});
