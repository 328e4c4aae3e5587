import { describe, expect, it } from 'vitest';
import { mutualInfoClassif, mutualInfoRegression, SelectError } from '../../../src/core/select';
import { classes, classificationRows, expectClose, prepared, regressionRows } from './fixtures';

// Reference numbers: scikit-learn 1.2.1 (Debian's python3-sklearn) on the fixtures' rows, e.g.
// mutual_info_classif(X, y, n_neighbors=3, random_state=0). sklearn adds 1e-10 noise to continuous values;
// random_state 0 and 1 give the same numbers to all 16 digits on these rows (no tied distances), which is
// why the estimator without noise can match them.
describe('mutual information against scikit-learn', () => {
  it('mutual_info_classif: Ross (2014), k = 3', async () => {
    const { x, y } = classificationRows();
    const mi = await mutualInfoClassif(prepared(x, { kind: 'classification', y, classes: classes(3) }));
    expect(mi.method).toBe('mutual_info_classif');
    expectClose(mi.columnScores, [0.5306015905288908, 0.05118142735872766, 0.33999765914322566, 0.014084489710319392], 1e-12);
  });

  it('mutual_info_regression: Kraskov et al. (2004), k = 3 and k = 5', async () => {
    const { x, y } = regressionRows();
    const p = prepared(x, { kind: 'regression', y });
    expectClose((await mutualInfoRegression(p)).columnScores, [0.6547769647332888, 0.23540721330420977, 0.07564142243399141, 0.7059306670537873], 1e-12);
    expectClose((await mutualInfoRegression(p, { neighbors: 5 })).columnScores, [0.696627791638297, 0.13195429080791943, 0.1138381226556926, 0.7224424061852432], 1e-12);
  });

  it('discrete columns: the contingency table with classes, Ross with a numeric target', async () => {
    // columns floor(3 x0), floor(3 x1) of the regression rows; floor(2 x0), floor(2 x1) of the classification rows:
    // mutual_info_regression(Xd, y, discrete_features=True), mutual_info_classif(Xd, y, discrete_features=True)
    const r = regressionRows();
    const reg = prepared(r.x.map((row) => [Math.floor(row[0]! * 3), Math.floor(row[1]! * 3)]), { kind: 'regression', y: r.y });
    expectClose((await mutualInfoRegression(reg, { discrete: [true, true] })).columnScores, [0.6565785138092246, 0.23000748899631995], 1e-12);
    const c = classificationRows();
    const cls = prepared(c.x.map((row) => [Math.floor(row[0]! * 2), Math.floor(row[1]! * 2)]), { kind: 'classification', y: c.y, classes: classes(3) });
    expectClose((await mutualInfoClassif(cls, { discrete: [true, true] })).columnScores, [0.6036861093553667, 0.003338911230904462], 1e-12);
  });

  it('a column equal to a binary class carries ln 2 nats', async () => {
    const p = prepared([[0], [0], [1], [1]], { kind: 'classification', y: [0, 0, 1, 1], classes: classes(2) });
    expect((await mutualInfoClassif(p, { discrete: [true] })).columnScores[0]).toBeCloseTo(Math.LN2, 15);
  });

  it('reports each column as a step and stops when cancelled', async () => {
    const { x, y } = regressionRows();
    const p = prepared(x, { kind: 'regression', y });
    const seen: string[] = [];
    await mutualInfoRegression(p, { onProgress: (done, total) => seen.push(`${done}/${total}`) });
    expect(seen).toEqual(['1/4', '2/4', '3/4', '4/4']);
    const controller = new AbortController();
    const run = mutualInfoRegression(p, { signal: controller.signal, onProgress: (done) => done === 2 && controller.abort() });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('refuses too few rows, a bad k and the other task', async () => {
    const p = prepared([[1], [2], [3]], { kind: 'regression', y: [1, 2, 3] });
    await expect(mutualInfoRegression(p)).rejects.toMatchObject({ code: 'too-few-rows', details: { params: { rows: 3, needed: 4 } } });
    await expect(mutualInfoRegression(p, { neighbors: 0 })).rejects.toMatchObject({ code: 'bad-option', details: { field: 'neighbors' } });
    await expect(mutualInfoClassif(p)).rejects.toBeInstanceOf(SelectError);
  });
});
