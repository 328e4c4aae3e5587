import { describe, expect, it } from 'vitest';
import { chi2, dropCorrelated, fClassif, fRegression, rankByScore, rRegression, selectKBest, varianceThreshold } from '../../../src/core/select';
import { thrown } from '../app/error-helpers';
import { classes, classificationRows, expectClose, prepared, regressionRows } from './fixtures';

const regression = (y: number[]) => ({ kind: 'regression' as const, y });
const classification = (y: number[], k: number) => ({ kind: 'classification' as const, y, classes: classes(k) });


describe('VarianceThreshold', () => {
  it("scikit-learn's guide example: threshold .8 (1 - .8) removes column 0", () => {
    // population variances: column 0 has one 1 in 6 rows, 1/6 · 5/6 = 5/36; column 1: 4/6 · 2/6 = 8/36;
    // column 2: 3/6 · 3/6 = 9/36; the threshold is 0.16 = 5.76/36
    const p = prepared([[0, 0, 1], [0, 1, 0], [1, 0, 0], [0, 1, 1], [0, 1, 0], [0, 1, 1]], regression([0, 0, 0, 0, 0, 0]));
    const result = varianceThreshold(p, 0.8 * (1 - 0.8));
    expectClose(result.variances, [5 / 36, 8 / 36, 9 / 36], 1e-15);
    expect(result.selected).toEqual([1, 2]);
  });

  it('threshold 0 drops constant features; a one-hot feature stays when one of its columns varies', () => {
    const p = prepared([[3, 1, 0], [3, 0, 1], [3, 1, 0]], regression([1, 2, 3]), { groups: [{ name: 'const', columns: [0] }, { name: 'colour', columns: [1, 2] }] });
    expect(varianceThreshold(p).selected).toEqual([1]);
    expect(thrown(() => varianceThreshold(p, -1))).toMatchObject({ code: 'bad-option', details: { field: 'threshold' } });
  });
});

describe('F, chi2 and correlation against hand computations', () => {
  it('f_classif: one-way ANOVA', () => {
    // classes [1, 2, 3] and [5, 6, 10]: means 2 and 7, grand mean 4.5;
    // between = 3 (2 - 4.5)² + 3 (7 - 4.5)² = 37.5 on 1 df; within = (1 + 0 + 1) + (4 + 1 + 9) = 16 on 4 df;
    // F = 37.5 / (16 / 4) = 9.375. p-value: sklearn.feature_selection.f_classif, 0.03759011151114647
    const p = prepared([[1], [2], [3], [5], [6], [10]], classification([0, 0, 0, 1, 1, 1], 2));
    const f = fClassif(p);
    expect(f.columnScores[0]).toBeCloseTo(9.375, 12);
    expect(f.columnPValues![0]).toBeCloseTo(0.03759011151114647, 14);
  });

  it('chi2: observed class sums against the column sum shared by class size', () => {
    // y = [0, 0, 1, 1]; column a = [1, 3, 0, 2]: sums 4 and 2, expected 3 and 3: 1/3 + 1/3 = 2/3;
    // column b = [1, 1, 0, 0]: sums 2 and 0, expected 1 and 1: 1 + 1 = 2. p-values: sklearn's chi2
    const p = prepared([[1, 1], [3, 1], [0, 0], [2, 0]], classification([0, 0, 1, 1], 2));
    const c = chi2(p);
    expectClose(c.columnScores, [2 / 3, 2], 1e-15);
    expectClose(c.columnPValues!, [0.4142161782425251, 0.15729920705028105], 1e-12);
  });

  it('r_regression and f_regression', () => {
    // x = [1, 2, 3, 4], y = [2, 4, 5, 9]: deviations [-1.5, -.5, .5, 1.5] and [-3, -1, 0, 4];
    // Sxy = 11, Sxx = 5, Syy = 26, r = 11 / √130; F = r² / (1 - r²) · 2 = (121 / 9) · 2 = 242 / 9.
    // p-value: sklearn's f_regression, 0.035236178762267804
    const p = prepared([[1], [2], [3], [4]], regression([2, 4, 5, 9]));
    expect(rRegression(p).columnScores[0]).toBeCloseTo(11 / Math.sqrt(130), 14);
    const f = fRegression(p);
    expect(f.columnScores[0]).toBeCloseTo(242 / 9, 12);
    expect(f.columnPValues![0]).toBeCloseTo(0.035236178762267804, 14);
  });

  it('a constant column scores 0 with p = 1 in f_regression (force_finite), a perfect one the largest double with p = 0', () => {
    const p = prepared([[1, 5], [2, 5], [3, 5], [4, 5]], regression([3, 5, 7, 9]));
    const f = fRegression(p);
    expect([...f.columnScores]).toEqual([Number.MAX_VALUE, 0]);
    expect([...f.columnPValues!]).toEqual([0, 1]);
  });
});

describe('F, chi2 and correlation against scikit-learn on 60 rows', () => {
  // Numbers from scikit-learn 1.2.1 (Debian's python3-sklearn) on the fixtures' rows:
  // f_classif(X, y), chi2(X, y), f_regression(X, y), r_regression(X, y)
  it('classification target', () => {
    const { x, y } = classificationRows();
    const p = prepared(x, classification(y, 3));
    const f = fClassif(p);
    expectClose(f.columnScores, [49.78330491202609, 0.1761930327635393, 18.896030099501292, 0.9771675551306712], 1e-12);
    expectClose(f.columnPValues!, [3.1153559486288476e-13, 8.3891101764059972e-1, 5.063286030977274e-7, 3.8259089746512343e-1], 1e-9);
    const c = chi2(p);
    expectClose(c.columnScores, [8.690832026516222, 0.06790404681002093, 7.556727438387726, 0.5430606828471248], 1e-12);
    expectClose(c.columnPValues!, [0.012966113050673706, 0.9666178785595356, 0.022860066326594215, 0.7622121565153032], 1e-11);
  });

  it('numeric target', () => {
    const { x, y } = regressionRows();
    const p = prepared(x, regression(y));
    expectClose(rRegression(p).columnScores, [0.8739114144452262, -0.4278636544632403, 0.1308585170842377, 0.8757395747546467], 1e-13);
    const f = fRegression(p);
    expectClose(f.columnScores, [187.47267996180454, 12.997281028825089, 1.0104928165981144, 190.8413889066002], 1e-11);
    expectClose(f.columnPValues!, [8.016680949037134e-20, 6.494682813342076e-4, 3.189602969188707e-1, 5.388420753591054e-20], 1e-8);
  });
});

describe('features of several columns, ranking, refusals', () => {
  it('a one-hot feature scores as its best column, with that column’s p-value', () => {
    const p = prepared([[1, 1, 0, 0], [3, 1, 0, 0], [0, 0, 1, 0], [2, 0, 0, 1]], classification([0, 0, 1, 1], 2), {
      groups: [{ name: 'count', columns: [0] }, { name: 'colour', columns: [1, 2, 3] }],
    });
    const c = chi2(p);
    // colour=red is [1, 1, 0, 0]: chi² 2 as in the hand computation above; the other two score 1 each
    expectClose(c.columnScores, [2 / 3, 2, 1, 1], 1e-15);
    expect([...c.scores]).toEqual([c.columnScores[0], 2]);
    expect(c.pValues![1]).toBe(c.columnPValues![1]);
  });

  it('selectKBest keeps the k best, NaN last, ties by order', () => {
    expect(selectKBest([0.5, NaN, 2, 0.5, 3], 3)).toEqual([4, 2, 0]);
    expect(rankByScore([NaN, 1, 1])).toEqual([1, 2, 0]);
    expect(thrown(() => selectKBest([1], -1))).toMatchObject({ code: 'bad-option', details: { field: 'k' } });
  });

  it('chi2 refuses a negative value, naming the column and the row', () => {
    const p = prepared([[1, 0], [2, -0.5], [0, 1]], classification([0, 1, 1], 2), { names: ['count', 'balance'], train: [0, 2, 1] });
    expect(thrown(() => chi2(p))).toMatchObject({ code: 'negative-feature', details: { column: 'balance', params: { row: 1, value: -0.5 } } });
  });

  it('a method for the other task is refused by name', () => {
    const p = prepared([[1], [2], [3]], regression([1, 2, 4]));
    expect(thrown(() => fClassif(p))).toMatchObject({ code: 'not-for-task', details: { params: { method: 'f_classif', task: 'regression' } } });
    const q = prepared([[1], [2], [3], [4]], classification([0, 1, 2, 0], 3));
    expect(thrown(() => rRegression(q))).toMatchObject({ code: 'not-for-task' });
    expect(thrown(() => fRegression(q))).toMatchObject({ code: 'not-for-task' });
  });
});

describe('dropCorrelated', () => {
  it('drops the less relevant feature of a correlated pair and keeps the rest', () => {
    // x3 = x0 + 0.2 u: numpy.corrcoef gives r(x0, x3) = 0.9794627120117242; x3's |r| with y (0.8757) is
    // above x0's (0.8739), so x0 is the redundant one; no other pair is above 0.2 in magnitude
    const { x, y } = regressionRows();
    const result = dropCorrelated(prepared(x, regression(y)), 0.9);
    expect(result.selected).toEqual([1, 2, 3]);
    expect(result.dropped).toHaveLength(1);
    expect(result.dropped[0]).toMatchObject({ feature: 0, keptFeature: 3 });
    expect(result.dropped[0]!.r).toBeCloseTo(0.9794627120117242, 13);
    expect(result.correlations[1 * 4 + 2]).toBeCloseTo(-0.1098991154588725, 13);
    expect(dropCorrelated(prepared(x, regression(y)), 0.99).selected).toEqual([0, 1, 2, 3]);
  });

  it('a chain a ~ b ~ c keeps a and c when b goes (b is compared only with the features kept)', () => {
    // e1 = [1, -1, 1, -1] and e2 = [1, 1, -1, -1] are centred and orthogonal; a = e1, c = cos θ e1 + sin θ e2
    // with cos θ = 0.81, and b halfway between: r(a, b) = r(b, c) = cos(θ / 2) = √(1.81 / 2) ≈ 0.951, r(a, c) = 0.81.
    // With y = a, relevance goes a, b, c: a is kept, b is dropped for a, c is compared with a only and kept
    const theta = Math.acos(0.81);
    const e1 = [1, -1, 1, -1];
    const e2 = [1, 1, -1, -1];
    const mix = (t: number) => e1.map((v, i) => Math.cos(t) * v + Math.sin(t) * e2[i]!);
    const [a, b, c] = [mix(0), mix(theta / 2), mix(theta)];
    const r = dropCorrelated(prepared(a.map((_, i) => [a[i]!, b[i]!, c[i]!]), regression(a)), 0.9);
    expect(r.selected).toEqual([0, 2]);
    expect(r.dropped).toEqual([{ feature: 1, keptFeature: 0, r: expect.closeTo(Math.sqrt(1.81 / 2), 12) }]);
    expect(r.correlations[0 * 3 + 2]).toBeCloseTo(0.81, 12);
  });
});
