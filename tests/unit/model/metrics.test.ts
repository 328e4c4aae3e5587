import { describe, expect, it } from 'vitest';
import {
  argmaxRows,
  classificationMetrics,
  confusionMatrix,
  logLoss,
  regressionMetrics,
  rocCurve,
  worstPredictions,
} from '../../../src/core/model/metrics';

// Three classes, six examples. Predicted class = argmax of each row.
//   row  true  probs             predicted  p(true)
//   0    0     .7  .2  .1        0          .7
//   1    0     .3  .6  .1        1          .3
//   2    1     .2  .5  .3        1          .5
//   3    1     .6  .3  .1        0          .3
//   4    2     .1  .1  .8        2          .8
//   5    2     .5  .25 .25       0          .25
const yTrue = [0, 0, 1, 1, 2, 2];
const probs = [0.7, 0.2, 0.1, 0.3, 0.6, 0.1, 0.2, 0.5, 0.3, 0.6, 0.3, 0.1, 0.1, 0.1, 0.8, 0.5, 0.25, 0.25];
const classes = ['a', 'b', 'c'];

describe('classification metrics', () => {
  it('argmax and confusion matrix', () => {
    expect(Array.from(argmaxRows(probs, 3))).toEqual([0, 1, 1, 0, 2, 0]);
    // rows = true class, columns = predicted class
    expect(confusionMatrix(yTrue, [0, 1, 1, 0, 2, 0], 3)).toEqual([
      [1, 1, 0],
      [1, 1, 0],
      [1, 0, 1],
    ]);
  });

  it('accuracy, per-class precision / recall / F1, macro averages', () => {
    const r = classificationMetrics(yTrue, probs, classes);
    // correct: rows 0, 2, 4 -> 3 / 6
    expect(r.accuracy).toBe(0.5);
    expect(r.count).toBe(6);
    // a: tp 1, predicted 3 (rows 0, 3, 5), support 2 -> P 1/3, R 1/2, F1 2(1/6)/(5/6) = 2/5
    // b: tp 1, predicted 2 (rows 1, 2),    support 2 -> P 1/2, R 1/2, F1 1/2
    // c: tp 1, predicted 1 (row 4),        support 2 -> P 1,   R 1/2, F1 2(1/2)/(3/2) = 2/3
    const [a, b, c] = r.perClass;
    expect(a).toEqual({ label: 'a', precision: 1 / 3, recall: 0.5, f1: expect.closeTo(2 / 5, 12), support: 2 });
    expect(b).toEqual({ label: 'b', precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    expect(c).toEqual({ label: 'c', precision: 1, recall: 0.5, f1: expect.closeTo(2 / 3, 12), support: 2 });
    // macro P = (1/3 + 1/2 + 1) / 3 = 11/18; R = 1/2; F1 = (2/5 + 1/2 + 2/3) / 3 = 47/90
    expect(r.macro.precision).toBeCloseTo(11 / 18, 12);
    expect(r.macro.recall).toBeCloseTo(0.5, 12);
    expect(r.macro.f1).toBeCloseTo(47 / 90, 12);
    expect(r.roc).toBeNull();
    expect(r.positiveClass).toBeNull();
  });

  it('log loss: mean of -ln p(true class)', () => {
    // -(ln .7 + ln .3 + ln .5 + ln .3 + ln .8 + ln .25) / 6
    //   = (0.35667 + 1.20397 + 0.69315 + 1.20397 + 0.22314 + 1.38629) / 6 = 5.06720 / 6 = 0.84453
    const expected = -(Math.log(0.7) + Math.log(0.3) + Math.log(0.5) + Math.log(0.3) + Math.log(0.8) + Math.log(0.25)) / 6;
    expect(logLoss(yTrue, probs, 3)).toBeCloseTo(expected, 12);
    expect(expected).toBeCloseTo(0.84453, 5);
    expect(classificationMetrics(yTrue, probs, classes).logLoss).toBeCloseTo(expected, 12);
    // a zero probability is clipped to 1e-15, not infinite: -ln(1e-15) = 34.538...
    expect(logLoss([1], [1, 0], 2)).toBeCloseTo(-Math.log(1e-15), 6);
  });

  it('a class never predicted has precision 0, and a class absent from truth and predictions is left out of macro', () => {
    const r = classificationMetrics([0, 1], [0.9, 0.1, 0, 0.8, 0.2, 0], ['x', 'y', 'z']);
    // y is never predicted: P 0 (0/0 -> 0), R 0, F1 0; z is neither true nor predicted: not averaged
    expect(r.perClass[1]).toEqual({ label: 'y', precision: 0, recall: 0, f1: 0, support: 1 });
    // macro over x and y: P (1/2 + 0) / 2, R (1 + 0) / 2
    expect(r.macro.precision).toBe(0.25);
    expect(r.macro.recall).toBe(0.5);
  });
});

describe('ROC and AUC', () => {
  // Three positives, three negatives, with ties at 0.9 and 0.4:
  //   score  .9 (+)  .9 (-)  .6 (+)  .4 (+)  .4 (-)  .1 (-)
  // Thresholds and points (fpr, tpr): inf (0,0); .9 (1/3,1/3); .6 (1/3,2/3); .4 (2/3,1); .1 (1,1)
  // Trapezoids: 1/3 * (0 + 1/3)/2 = 1/18; 0; 1/3 * (2/3 + 1)/2 = 5/18; 1/3 * (1 + 1)/2 = 6/18 -> 12/18 = 2/3
  // Check by Mann-Whitney: of 9 (pos, neg) pairs, pos wins 1+1 + 1+1 + 1 and ties .5 + .5 -> 6/9 = 2/3
  const positive = [1, 0, 1, 1, 0, 0];
  const scores = [0.9, 0.9, 0.6, 0.4, 0.4, 0.1];

  it('steps once per distinct threshold, so ties count as half', () => {
    const roc = rocCurve(positive, scores)!;
    expect(roc.points.map((p) => [p.threshold, p.fpr, p.tpr])).toEqual([
      [Infinity, 0, 0],
      [0.9, 1 / 3, 1 / 3],
      [0.6, 1 / 3, 2 / 3],
      [0.4, 2 / 3, 1],
      [0.1, 1, 1],
    ]);
    expect(roc.auc).toBeCloseTo(2 / 3, 12);
    expect([roc.positives, roc.negatives]).toEqual([3, 3]);
  });

  it('does not depend on the order of tied examples', () => {
    const order = [1, 0, 2, 4, 3, 5];
    const roc = rocCurve(order.map((i) => positive[i]!), order.map((i) => scores[i]!))!;
    expect(roc.auc).toBeCloseTo(2 / 3, 12);
  });

  it('perfect, inverted, all-tied, and one-class inputs', () => {
    expect(rocCurve([1, 1, 0, 0], [0.9, 0.8, 0.2, 0.1])!.auc).toBe(1);
    expect(rocCurve([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1])!.auc).toBe(0);
    // every score equal: one diagonal step from (0,0) to (1,1)
    expect(rocCurve([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5])!.auc).toBe(0.5);
    expect(rocCurve([1, 1], [0.3, 0.4])).toBeNull();
  });

  it('binary classification reports ROC on the second class', () => {
    const p = scores.flatMap((s) => [1 - s, s]);
    const r = classificationMetrics(positive, p, ['no', 'yes']);
    expect(r.positiveClass).toBe(1);
    expect(r.roc!.auc).toBeCloseTo(2 / 3, 12);
  });
});

describe('regression metrics', () => {
  it('MAE, RMSE, R² (the scikit-learn documentation example)', () => {
    // errors: .5, -.5, 0, -1 -> MAE (.5 + .5 + 0 + 1)/4 = .5; MSE (.25 + .25 + 0 + 1)/4 = .375
    // mean 2.875; SST = .125² + 3.375² + .875² + 4.125² = 29.1875; R² = 1 - 1.5/29.1875 = 0.948608...
    const r = regressionMetrics([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]);
    expect(r.mae).toBe(0.5);
    expect(r.rmse).toBeCloseTo(Math.sqrt(0.375), 12);
    expect(r.r2).toBeCloseTo(0.9486081370449679, 12);
    expect(r.count).toBe(4);
  });

  it('constant truth: R² is 1 when perfect, else 0', () => {
    expect(regressionMetrics([2, 2], [2, 2]).r2).toBe(1);
    expect(regressionMetrics([2, 2], [1, 3]).r2).toBe(0);
  });
});

describe('worstPredictions', () => {
  it('classification: highest -ln p(true) first, ties by position', () => {
    // p(true): .7 .3 .5 .3 .8 .25 -> worst: row 5 (.25), then rows 1 and 3 (.3 each, earlier first)
    const worst = worstPredictions({ kind: 'classification', yTrue, probs, classes: 3, rows: [10, 11, 12, 13, 14, 15] }, 3);
    expect(worst.map((w) => w.index)).toEqual([5, 1, 3]);
    expect(worst[0]).toEqual({ index: 5, row: 15, loss: -Math.log(0.25), actual: 2, predicted: 0, confidence: 0.5 });
  });

  it('regression: largest absolute error first', () => {
    const worst = worstPredictions({ kind: 'regression', yTrue: [3, -0.5, 2, 7], yPred: [2.5, 0.0, 2, 8] }, 2);
    expect(worst).toEqual([
      { index: 3, loss: 1, actual: 7, predicted: 8 },
      { index: 0, loss: 0.5, actual: 3, predicted: 2.5 },
    ]);
  });

  it('NaN losses (a diverged model) rank worst', () => {
    const worst = worstPredictions({ kind: 'regression', yTrue: [1, 2], yPred: [5, NaN] }, 1);
    expect(worst[0]!.index).toBe(1);
  });
});
