import { describe, expect, it } from 'vitest';
import { compareSubsets, scoreByFeatureCount, SelectError } from '../../../src/core/select';
import { scorePredictions } from '../../../src/core/select/scores';
import { classes, prepared } from './fixtures';

describe('compareSubsets against hand computations', () => {
  it('regression: least squares (alpha = 0) on a subset, the intercept alone, and all features', async () => {
    // train x = 0..3 with y = 2x + 1 exactly and a noise column z; validation x = 4, 5, 6 with y = 9.5, 10, 14.
    // On x (and on x with z) least squares fits the line exactly: predictions 9, 11, 13, errors .5, -1, 1:
    // MAE = 2.5 / 3, RMSE = √(2.25 / 3), R² = 1 - 2.25 / SST with SST = Σ (y - 11.1667)² = 12.1667 (sklearn's
    // r2_score: 0.8150684931506849). The intercept alone predicts the train mean 4: errors 5.5, 6, 10,
    // MAE 21.5 / 3, RMSE √(166.25 / 3), R² = 1 - 166.25 / 12.1667 = -12.664383561643836
    const rows = [[0, 1], [1, -1], [2, 0.5], [3, 2], [4, 0], [5, 1], [6, -2]];
    const y = [1, 3, 5, 7, 9.5, 10, 14];
    const p = prepared(rows, { kind: 'regression', y }, { names: ['x', 'z'], train: [0, 1, 2, 3], validation: [4, 5, 6] });
    const table = await compareSubsets(p, [{ method: 'f_regression', features: [0] }, { method: 'nothing', features: [] }], { model: { alpha: 0 } });
    expect(table.map((r) => [r.method, r.names, r.count])).toEqual([['all', ['x', 'z'], 2], ['f_regression', ['x'], 1], ['nothing', [], 0]]);
    for (const row of table.slice(0, 2)) {
      expect(row.scores.task).toBe('regression');
      if (row.scores.task !== 'regression') continue;
      expect(row.scores.mae).toBeCloseTo(2.5 / 3, 10);
      expect(row.scores.rmse).toBeCloseTo(Math.sqrt(0.75), 10);
      expect(row.scores.r2).toBeCloseTo(0.8150684931506849, 10);
    }
    expect(table[2]!.scores).toEqual({ task: 'regression', mae: expect.closeTo(21.5 / 3, 12), rmse: expect.closeTo(Math.sqrt(166.25 / 3), 12), r2: expect.closeTo(-12.664383561643836, 12) });
  });

  it('classification: a symmetric problem puts the boundary at x = 0', async () => {
    // train x = -3, -2, -1 (class 0) and 1, 2, 3 (class 1): by symmetry the fitted P(class 1) rises with x and is
    // ½ at 0. Validation x = -2, -.5, .5, 1, 2, -1 with truth 0, 1, 0, 1, 1, 0: predicted 0, 0, 1, 1, 1, 0, so 4 of 6
    // right; each class has precision 2/3 and recall 2/3, macro F1 2/3; AUC: the positives (-.5, 1, 2) rank
    // above 2, 3 and 3 of the 3 negatives (-2, .5, -1): 8/9
    const xs = [-3, -2, -1, 1, 2, 3, -2, -0.5, 0.5, 1, 2, -1];
    const y = [0, 0, 0, 1, 1, 1, 0, 1, 0, 1, 1, 0];
    const p = prepared(xs.map((v) => [v]), { kind: 'classification', y, classes: classes(2) }, { train: [0, 1, 2, 3, 4, 5], validation: [6, 7, 8, 9, 10, 11] });
    const [all] = await compareSubsets(p, []);
    expect(all!.scores).toEqual({ task: 'classification', accuracy: expect.closeTo(4 / 6, 12), macroF1: expect.closeTo(2 / 3, 12), rocAuc: expect.closeTo(8 / 9, 12) });
  });

  it('three classes: ROC AUC one-vs-rest, the unweighted mean over the classes', () => {
    // class 0: positives score .6, .3 above all four negatives (.2, .1, .1, .2): 1; class 1: .5, .3 against .3, .2, .4,
    // .3: 4 + (½ + 1 + 0 + ½) = 6 of 8; class 2: .7, .5 against .1, .3, .3, .6: 4 + 3 = 7 of 8. Mean (1 + .75 + .875) / 3
    // = 0.875. Argmax: 0, 1, 2, 1, 2, 2 against 0, 1, 2, 0, 1, 2, 4 of 6 right; precision / recall / F1 of the classes
    // 1 / ½ / ⅔, ½ / ½ / ½, ⅔ / 1 / ⅘, macro F1 = (⅔ + ½ + ⅘) / 3 = 59/90 (macro precision would be 13/18).
    // sklearn's roc_auc_score(y, P, multi_class='ovr') and f1_score(y, P.argmax(1), average='macro') agree
    const p = prepared([[0], [0], [0], [0], [0], [0]], { kind: 'classification', y: [0, 1, 2, 0, 1, 2], classes: classes(3) });
    const probs = [[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.1, 0.2, 0.7], [0.3, 0.4, 0.3], [0.1, 0.3, 0.6], [0.2, 0.3, 0.5]].flat();
    expect(scorePredictions(p, probs)).toEqual({ task: 'classification', accuracy: expect.closeTo(4 / 6, 15), macroF1: expect.closeTo(59 / 90, 15), rocAuc: expect.closeTo(0.875, 15) });
  });

  it('refuses a subset naming a feature that does not exist, by method', async () => {
    const p = prepared([[1], [2], [3]], { kind: 'regression', y: [1, 2, 3] });
    const error = await compareSubsets(p, [{ method: 'chi2', features: [0, 4] }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SelectError);
    expect(error).toMatchObject({ code: 'bad-subset', details: { params: { method: 'chi2', feature: 4 } } });
  });
});

describe('scoreByFeatureCount', () => {
  it('scores the first 1, 2, ... features of an order', async () => {
    const rows = [[0, 1], [1, -1], [2, 0.5], [3, 2], [4, 0], [5, 1], [6, -2]];
    const p = prepared(rows, { kind: 'regression', y: [1, 3, 5, 7, 9.5, 10, 14] }, { train: [0, 1, 2, 3], validation: [4, 5, 6] });
    const progress: string[] = [];
    const series = await scoreByFeatureCount(p, [1, 0], { model: { alpha: 0 }, onProgress: (d, t) => progress.push(`${d}/${t}`) });
    expect(series.map((s) => [s.count, s.features])).toEqual([[1, [1]], [2, [0, 1]]]);
    // with x among the features the line is exact again (R² of the hand computation above)
    expect(series[1]!.scores).toMatchObject({ r2: expect.closeTo(0.8150684931506849, 10) });
    expect(progress).toEqual(['1/2', '2/2']);
  });
});
