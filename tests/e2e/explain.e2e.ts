import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { openDemoPage, openTrainForm, packageFile } from './helpers';
import { openEvaluate } from './explain-nav';

// The fairness walk-through and the explanations, on the demo project's penguins (and MNIST for images).
test.describe.configure({ mode: 'serial' });

let page: Page;

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  page = await openDemoPage(browser);
});

test.afterAll(async () => {
  await page.context().close();
});

async function num(locator: Locator, name = 'data-value'): Promise<number> {
  return Number(await locator.getAttribute(name));
}

/** Train a model on a demo dataset with the form's defaults (and the given epochs), save it under a name. */
async function trainAndSave(dataset: string, name: string, epochs: number): Promise<void> {
  await openTrainForm(page, dataset);
  await expect(page.getByTestId('prepare-summary')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('train-epochs').fill(String(epochs));
  await expect(page.getByTestId('train-start')).toBeEnabled();
  await page.getByTestId('train-start').click();
  const view = page.getByTestId('run-view');
  await expect(view.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 150_000 });
  await view.getByTestId('save-model-name').fill(name);
  await view.getByTestId('save-model').click();
  await expect(view.getByTestId('saved-model')).toBeVisible();
}

test('fairness: a penguin species model by sex, rates per group and gaps that agree with them', async () => {
  await trainAndSave('Palmer penguins', 'Penguin species', 12);
  await openEvaluate(page, 'Penguin species', 'fairness');
  const panel = page.getByTestId('fairness-panel');
  await expect(panel.getByTestId('fairness-column')).toHaveValue('Sex');
  await panel.getByTestId('fairness-positive').selectOption('Adelie');
  await panel.getByTestId('fairness-run').click();
  const result = panel.getByTestId('fairness-result');
  await expect(result).toHaveAttribute('data-column', 'Sex');
  await expect(result.getByTestId('fairness-rates')).toHaveAttribute('data-threshold', '0.5');

  // FEMALE and MALE among the groups, their rows adding up to the evaluation set
  const groups = result.getByTestId('fairness-group');
  const names = await groups.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-group')));
  expect(names).toEqual(expect.arrayContaining(['FEMALE', 'MALE']));
  const counts = await groups.evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-count'))));
  const overall = result.getByTestId('fairness-overall');
  expect(counts.reduce((a, b) => a + b, 0)).toBe(Number((await overall.locator('td').first().textContent())!.replace(/\D/g, '')));

  // every rate shown is in [0, 1] or undefined; the gaps are the spreads of the rates shown
  const checkThreshold = async () => {
    const rate = async (r: string) => {
      const raw = await groups.evaluateAll((rows, r) => rows.map((row) => row.querySelector(`[data-rate="${r}"]`)?.getAttribute('data-value') ?? null), r);
      // every group has the cell, holding a number or NaN (undefined): a missing value is not read as 0
      for (const v of raw) expect(v, `${r} of a group`).toMatch(/^(NaN|-?\d+(\.\d+)?(e-?\d+)?)$/);
      return raw.map(Number).filter((v) => !Number.isNaN(v));
    };
    for (const r of ['positiveRate', 'tpr', 'fpr', 'fnr', 'precision', 'falseDiscoveryRate', 'falseOmissionRate']) {
      for (const v of await rate(r)) expect(v >= 0 && v <= 1).toBe(true);
    }
    const spread = (v: number[]) => Math.max(...v) - Math.min(...v);
    const positive = await rate('positiveRate');
    const dpd = await num(result.locator('[data-gap="demographicParityDifference"]'));
    expect(dpd).toBeCloseTo(spread(positive), 10);
    const eod = await num(result.locator('[data-gap="equalizedOddsDifference"]'));
    expect(eod).toBeCloseTo(Math.max(spread(await rate('tpr')), spread(await rate('fpr'))), 10);
    // a chart per rate, a bar per group
    await expect(result.getByTestId('fairness-chart')).toHaveCount(7);
    await expect(result.locator('[data-testid="fairness-chart"][data-rate="positiveRate"] [data-testid="fairness-bar"]')).toHaveCount(names.length);
    return positive;
  };
  const at05 = await checkThreshold();
  // a lower threshold predicts Adelie at least as often in every group
  await result.getByTestId('fairness-threshold').selectOption({ label: '0.2' });
  await expect(result.getByTestId('fairness-rates')).toHaveAttribute('data-threshold', '0.2');
  const at02 = await checkThreshold();
  at02.forEach((v, i) => expect(v).toBeGreaterThanOrEqual(at05[i]!));
});

test('bad input: a sensitive column with one group in the evaluation data is refused by name', async () => {
  // the penguins again, males only, as a second dataset: evaluated whole, Sex has one group
  const penguins = JSON.parse(packageFile('vega-datasets', 'data/penguins.json').toString('utf8')) as { Sex: string | null }[];
  await page.getByTestId('stage-data').click();
  await page.getByTestId('import-files').setInputFiles({ name: 'male-penguins.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(penguins.filter((p) => p.Sex === 'MALE'))) });
  await expect(page.getByTestId('import-done')).toBeVisible({ timeout: 60_000 });
  await openEvaluate(page, 'Penguin species', 'fairness', 'male-penguins');
  const panel = page.getByTestId('fairness-panel');
  await expect(panel.getByTestId('fairness-column')).toContainText('Sex (groups: 1)');
  await panel.getByTestId('fairness-column').selectOption('Sex');
  await panel.getByTestId('fairness-run').click();
  await expect(panel.getByTestId('fairness-error')).toHaveText('The sensitive column "Sex" has only 1 group in the evaluation set; fairness compares at least two groups.');
  await expect(panel.getByTestId('fairness-result')).toHaveCount(0);
});

test('explanations: importance, integrated gradients with completeness, KernelSHAP, What-If and the nearest counterfactual', async () => {
  await openEvaluate(page, 'Penguin species', 'explain');
  const panel = page.getByTestId('explain-panel');

  // global permutation importance, with progress, by original column
  await panel.getByTestId('importance-run').click();
  const importance = panel.getByTestId('importance-result');
  await expect(importance).toBeVisible();
  const features = await importance.getByTestId('importance-bar').evaluateAll((bars) => bars.map((b) => b.getAttribute('data-label')));
  expect([...features].sort()).toEqual(['Beak Depth (mm)', 'Beak Length (mm)', 'Body Mass (g)', 'Flipper Length (mm)', 'Island', 'Sex']);
  expect(await num(importance.getByTestId('importance-bar').first())).toBeGreaterThan(0);

  // one prediction: integrated gradients shown with the completeness check within 5%
  const first = panel.getByTestId('explain-row-item').first();
  const predicted = (await first.getAttribute('data-predicted'))!;
  await first.getByTestId('explain-pick').click();
  const row = panel.getByTestId('explain-row');
  const ig = row.getByTestId('ig-result');
  await expect(ig).toBeVisible();
  await expect(ig).toHaveAttribute('data-output', predicted);
  const sum = await num(ig, 'data-sum');
  const delta = (await num(ig, 'data-fx')) - (await num(ig, 'data-fbaseline'));
  expect(Math.abs(sum - delta)).toBeLessThanOrEqual(0.05 * Math.abs(delta));
  await expect(ig.getByTestId('ig-completeness')).toContainText('within 5%');
  await expect(ig.getByTestId('ig-bar')).toHaveCount(6);

  // KernelSHAP: the values shown sum to f(x) - E[f]
  await row.getByTestId('shap-run').click();
  const shap = row.getByTestId('shap-result');
  await expect(shap).toBeVisible();
  const values = await shap.getByTestId('shap-bar').evaluateAll((bars) => bars.map((b) => Number(b.getAttribute('data-value'))));
  expect(values).toHaveLength(6);
  expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo((await num(shap, 'data-fx')) - (await num(shap, 'data-expected')), 4);
  await expect(shap.getByTestId('shap-additivity')).toContainText('exact Shapley values');

  // What-If: the stored prediction first; a Gentoo's measurements on Biscoe make the prediction Gentoo
  const whatIf = row.getByTestId('whatif-panel');
  await expect(whatIf.getByTestId('whatif-prediction')).toHaveAttribute('data-predicted', predicted);
  const probBefore = await num(whatIf.locator(`[data-testid="whatif-prob"][data-label="${predicted}"]`));
  await whatIf.getByTestId('whatif-field-Island').selectOption('Biscoe');
  await whatIf.getByTestId('whatif-field-Beak Length (mm)').fill('47.5');
  await whatIf.getByTestId('whatif-field-Beak Depth (mm)').fill('14.5');
  await whatIf.getByTestId('whatif-field-Flipper Length (mm)').fill('220');
  await whatIf.getByTestId('whatif-field-Body Mass (g)').fill('5200');
  await expect(whatIf.getByTestId('whatif-prediction')).toHaveAttribute('data-predicted', 'Gentoo');
  if (predicted !== 'Gentoo') expect(await num(whatIf.locator(`[data-testid="whatif-prob"][data-label="${predicted}"]`))).toBeLessThan(probBefore);

  // explained again, the edited values: attributions for Gentoo, still complete within 5%
  await expect(ig.getByTestId('ig-of')).toContainText('row');
  await row.getByTestId('ig-run').click();
  await expect(ig.getByTestId('ig-of')).toContainText('edited');
  await expect(ig).toHaveAttribute('data-output', 'Gentoo');
  const editedDelta = (await num(ig, 'data-fx')) - (await num(ig, 'data-fbaseline'));
  expect(Math.abs((await num(ig, 'data-sum')) - editedDelta)).toBeLessThanOrEqual(0.05 * Math.abs(editedDelta));

  // the nearest evaluation row with a different prediction than these values, and what differs
  await whatIf.getByTestId('cf-run').click();
  const cf = whatIf.getByTestId('cf-result');
  await expect(cf).toBeVisible();
  expect(await cf.getAttribute('data-predicted')).not.toBe('Gentoo');
  expect(await cf.getByTestId('cf-change').count()).toBeGreaterThan(0);
  // opening it shows that row, predicted as the counterfactual said
  const cfRow = (await cf.getAttribute('data-row'))!;
  const cfPredicted = (await cf.getAttribute('data-predicted'))!;
  await cf.getByTestId('cf-open').click();
  await expect(row).toHaveAttribute('data-row', cfRow);
  await expect(row.getByTestId('whatif-prediction')).toHaveAttribute('data-predicted', cfPredicted);
});

test('an image model: integrated gradients and a saliency heatmap next to the digit', async () => {
  await openTrainForm(page, 'MNIST digits');
  await expect(page.getByTestId('prepare-summary')).toContainText('10 classes', { timeout: 60_000 });
  // a small MLP: drop the conv/pool layers, one epoch is enough to explain
  for (let i = 0; i < 4; i++) await page.getByTestId('layer-remove-0').click();
  await page.getByTestId('train-epochs').fill('1');
  await page.getByTestId('train-start').click();
  const view = page.getByTestId('run-view');
  await expect(view.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 150_000 });
  await view.getByTestId('save-model-name').fill('Digits');
  await view.getByTestId('save-model').click();
  await expect(view.getByTestId('saved-model')).toBeVisible();

  await openEvaluate(page, 'Digits', 'explain');
  const panel = page.getByTestId('explain-panel');
  await expect(panel.getByTestId('importance-run')).toHaveCount(0);
  await panel.getByTestId('explain-row-item').first().getByTestId('explain-pick').click();
  const ig = panel.getByTestId('ig-result');
  await expect(ig).toBeVisible({ timeout: 60_000 });
  const delta = (await num(ig, 'data-fx')) - (await num(ig, 'data-fbaseline'));
  expect(Math.abs((await num(ig, 'data-sum')) - delta)).toBeLessThanOrEqual(0.05 * Math.abs(delta));
  for (const id of ['ig-digit', 'ig-heatmap', 'saliency-map']) await expect(ig.getByTestId(id)).toBeVisible();
  // the heatmap is drawn: some pixels bright, some dark
  const spread = await ig.getByTestId('saliency-map').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let min = 255;
    let max = 0;
    for (let i = 0; i < d.length; i += 4) {
      min = Math.min(min, d[i]!);
      max = Math.max(max, d[i]!);
    }
    return max - min;
  });
  expect(spread).toBeGreaterThan(100);
  // the nearest digit predicted differently: opened as a row of its own, no table of pixels
  const predicted = await panel.getByTestId('whatif-prediction').getAttribute('data-predicted');
  await panel.getByTestId('cf-run').click();
  const cf = panel.getByTestId('cf-result');
  await expect(cf).toBeVisible();
  expect(await cf.getAttribute('data-predicted')).not.toBe(predicted);
  await expect(cf.getByTestId('cf-change')).toHaveCount(0);
});
