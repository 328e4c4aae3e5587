import { describe, expect, it } from 'vitest';
import { fitModel, predictModel } from '../../../src/core/select';
import { logisticObjective, standardize } from '../../../src/core/select/linear';
import { l1Path } from '../../../src/core/select/sparse';
import { classes, classificationRows, expectClose, prepared, regressionRows } from './fixtures';

// Reference numbers: scikit-learn 1.2.1 on the fixtures' rows standardized by StandardScaler (the model
// standardizes the same way), e.g. LogisticRegression(C=1.0, multi_class='multinomial', solver='newton-cg',
// tol=1e-14, max_iter=100000).fit(Z, y).coef_ (newton-cg: sklearn's lbfgs stops on scipy's default relative
// decrease of 2.2e-9 and is 1e-6 away from the optimum here); Ridge(alpha=1.0); Lasso(alpha=0.05, tol=1e-14,
// max_iter=1000000).
describe('the small models against scikit-learn', () => {
  it('multinomial logistic regression (L2, C = 1): weights and probabilities to 1e-6', () => {
    const { x, y } = classificationRows();
    const p = prepared(x, { kind: 'classification', y, classes: classes(3) });
    const model = fitModel(p, [0, 1, 2, 3], { tolerance: 1e-10 });
    expectClose(model.weights, [
      -1.8226472758688088, -0.07862111751491499, -0.5161609384792494, 0.12689306205037004,
      0.17837988468902058, -0.18394853093099214, -0.35383240820261025, -0.22113511696194602,
      1.6442673911797878, 0.26256964844590713, 0.8699933466818593, 0.09424205491157626,
    ], 1e-6);
    // intercepts are defined up to a common shift (they are not penalized): compare differences
    const sk = [-0.35622092767360364, 0.5947091836505196, -0.23848825597691561];
    for (const [a, b] of [[0, 1], [1, 2]] as const) expect(model.bias[a]! - model.bias[b]!).toBeCloseTo(sk[a]! - sk[b]!, 6);
    const probs = predictModel(model, p.validation, p.d);
    const rows = [0, 1, 2, 59];
    const want = [
      [9.2522246655020668e-1, 6.8583736643943752e-2, 6.1937968058495118e-3],
      [5.9998033225575276e-1, 3.8348449256991068e-1, 1.6535175174336655e-2],
      [1.0036294267526674e-2, 4.7453953511807208e-2, 9.4250975222066613e-1],
      [1.2931286536278392e-4, 1.9181701349594901e-2, 9.8068898578504238e-1],
    ];
    rows.forEach((r, i) => expectClose(probs.slice(r * 3, r * 3 + 3), want[i]!, 1e-6));
  });

  it('two classes (C = 0.5): the softmax with W0 = -W1 is sklearn’s multinomial binary model', () => {
    const { x, y } = classificationRows();
    const p = prepared(x, { kind: 'classification', y: y.map((c) => (c === 2 ? 1 : 0)), classes: classes(2) });
    const model = fitModel(p, [0, 1, 2, 3], { C: 0.5, tolerance: 1e-10 });
    expectClose(model.weights.slice(4), [0.9268306063278208, 0.18661658666882242, 0.5787961427475957, 0.10786581394780746], 1e-6);
    expectClose(model.weights.slice(0, 4), [-0.9268306063278208, -0.18661658666882242, -0.5787961427475957, -0.10786581394780746], 1e-6);
    expect(model.bias[1]! - model.bias[0]!).toBeCloseTo(2 * -0.6263975909479328, 6);
    const probs = predictModel(model, p.validation, p.d);
    expectClose([probs[1]!, probs[5]!], [0.026733670728687608, 0.9154938871645394], 1e-6);
  });

  it('ridge (alpha = 1), exactly', () => {
    const { x, y } = regressionRows();
    const p = prepared(x, { kind: 'regression', y });
    const model = fitModel(p, [0, 1, 2, 3]);
    expectClose(model.weights, [0.447301644083935, -0.29332314379866153, -0.0050962514082082515, 0.11277376545459207], 1e-12);
    expect(model.bias[0]).toBeCloseTo(0.6237972772905294, 14);
  });

  it('the lasso by coordinate descent (alpha = 0.05 and 0.3), zeros exactly where sklearn has them', () => {
    const { x, y } = regressionRows();
    const p = prepared(x, { kind: 'regression', y });
    const [a, b] = l1Path(p, [0, 1, 2, 3], { strengths: [0.05, 0.3], tolerance: 1e-13 });
    expectClose(a!.model.weights.slice(0, 2), [0.5119818722757695, -0.2498678385625112], 1e-9);
    expect([...a!.model.weights.slice(2)]).toEqual([0, 0]);
    expectClose([b!.model.weights[0]!, b!.model.weights[3]!], [0.0968148150278017, 0.15244336540810635], 1e-9);
    expect([b!.model.weights[1], b!.model.weights[2]]).toEqual([0, 0]);
  });

  it('an empty subset trains the intercept alone: the class shares, or the mean', () => {
    const p = prepared([[1], [2], [3], [4]], { kind: 'classification', y: [0, 1, 1, 1], classes: classes(2) });
    const probs = predictModel(fitModel(p, [], { tolerance: 1e-10 }), p.validation, p.d);
    expectClose(probs.slice(0, 2), [0.25, 0.75], 1e-8);
    const q = prepared([[1], [2], [3]], { kind: 'regression', y: [1, 2, 6] });
    expect([...predictModel(fitModel(q, []), q.validation, q.d)]).toEqual([3, 3, 3]);
  });
});

describe('the L1 logistic regression', () => {
  it('matches scikit-learn and meets the optimality conditions: |∂loss/∂w| ≤ λ at zero weights, = λ against the sign elsewhere', () => {
    // LogisticRegression(penalty='l1', C=0.1, solver='saga', multi_class='multinomial', tol=1e-12,
    // max_iter=1000000).fit(Z, y).coef_ on the standardized rows: x0 for classes 0 and 2, x2 for class 2, zeros elsewhere
    const { x, y } = classificationRows();
    const p = prepared(x, { kind: 'classification', y, classes: classes(3) });
    const C = 0.1;
    const [fit] = l1Path(p, [0, 1, 2, 3], { strengths: [C], tolerance: 1e-10, maxIterations: 100_000 });
    const { weights, bias } = fit!.model;
    expectClose([weights[0]!, weights[8]!, weights[10]!], [-0.5347672064995518, 0.421462834131531, 0.2982048904735254], 1e-5);
    expect([...weights].map((w, q) => (w === 0 ? q : -1)).filter((q) => q >= 0)).toEqual([1, 2, 3, 4, 5, 6, 7, 9, 11]);
    const lambda = 1 / (C * 60);
    const { z } = standardize(p, [0, 1, 2, 3]);
    const grad = new Float64Array(15);
    logisticObjective(z, p.train.y, 4, 3, Infinity)(Float64Array.from([...weights, ...bias]), grad);
    for (let q = 0; q < 12; q++) {
      if (weights[q] === 0) expect(Math.abs(grad[q]!)).toBeLessThanOrEqual(lambda + 1e-8);
      else expect(grad[q]! + lambda * Math.sign(weights[q]!)).toBeCloseTo(0, 7);
    }
    for (let c = 12; c < 15; c++) expect(grad[c]).toBeCloseTo(0, 7);
  });
});
