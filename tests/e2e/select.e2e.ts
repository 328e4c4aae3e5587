import { expect, test, type Browser, type Page } from '@playwright/test';
import { openDemoPage } from './helpers';

// One demo project for the whole file.
test.describe.configure({ mode: 'serial' });

let page: Page;

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  page = await openDemoPage(browser);
});

test.afterAll(async () => {
  await page.context().close();
});

const PENGUIN_FEATURES = ['Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)', 'Sex'];

test('feature selection on the penguins: a row per method next to all features, and Train on a subset', async () => {
  await page.getByTestId('stage-transform').click();
  await page.getByTestId('transform-tab-select').click();
  const panel = page.getByTestId('select-panel');
  await expect(panel).toBeVisible();
  const option = panel.getByTestId('select-version').locator('option', { hasText: 'Palmer penguins' });
  await panel.getByTestId('select-version').selectOption((await option.getAttribute('value'))!);
  await panel.getByTestId('select-target').selectOption('Species');
  // a class target: chi2 is offered, r_regression (numeric targets) is not
  await expect(panel.getByTestId('select-method-r_regression')).toHaveCount(0);
  await panel.getByTestId('select-method-chi2').check();
  await panel.getByTestId('select-method-sfs').check();
  await panel.getByTestId('select-k-f_test').fill('2');
  await panel.getByTestId('select-k-sfs').fill('2');
  await panel.getByTestId('select-run').click();

  const result = panel.getByTestId('select-result');
  await expect(result).toBeVisible({ timeout: 120_000 });
  await expect(result.getByTestId('select-summary')).toContainText('Species');
  const rows = result.getByTestId('select-row');
  const methods = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-method')));
  expect(methods).toEqual(['all', 'variance_threshold', 'f_test', 'chi2', 'mutual_info', 'rfe', 'sfs', 'l1']);

  const all = result.locator('[data-method="all"]');
  await expect(all.getByTestId('select-row-count')).toHaveText('6');
  await expect(all.getByTestId('select-row-columns')).toHaveText(PENGUIN_FEATURES.join(', '));
  // the species are told apart well by the beak and flipper measurements: all features score high
  expect(Number(await all.getByTestId('select-row-accuracy').textContent())).toBeGreaterThan(0.9);

  const fTest = result.locator('[data-method="f_test"]');
  await expect(fTest.getByTestId('select-row-count')).toHaveText('2');
  const chosen = (await fTest.getByTestId('select-row-columns').textContent())!.split(', ');
  expect(chosen).toHaveLength(2);
  for (const c of chosen) expect(PENGUIN_FEATURES).toContain(c);
  for (const key of ['accuracy', 'macroF1', 'rocAuc']) {
    const value = Number(await fTest.getByTestId(`select-row-${key}`).textContent());
    expect(value).toBeGreaterThan(0);
    expect(value).toBeLessThanOrEqual(1);
  }
  await expect(result.locator('[data-method="sfs"]').getByTestId('select-row-count')).toHaveText('2');
  // no constant column among the penguins: VarianceThreshold(0) keeps all six
  await expect(result.locator('[data-method="variance_threshold"]').getByTestId('select-row-count')).toHaveText('6');
  // one line per ranking method (f_test, chi2, mutual_info, rfe, sfs) and the dashed "all features"
  await expect(result.getByTestId('select-chart').locator('polyline')).toHaveCount(6);

  await fTest.getByTestId('select-train').click();
  await expect(page).toHaveURL(/\/train\?/);
  await expect(page.getByTestId('new-run')).toBeVisible();
  await expect(page.getByTestId('train-label')).toHaveValue('Species');
  for (const c of PENGUIN_FEATURES) {
    const box = page.getByTestId(`train-feature-${c}`);
    if (chosen.includes(c)) await expect(box).toBeChecked();
    else await expect(box).not.toBeChecked();
  }
});
