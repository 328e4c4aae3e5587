import { expect, test, type Browser, type Page } from '@playwright/test';
import { strFromU8, unzipSync } from 'fflate';
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
  await expect(result.getByTestId('select-chart').getByTestId('chart-legend').locator('li')).toHaveCount(6);

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

/** The transform-train walk's spec: the measurements filled with their training means and z-scored, island and sex as vocabularies. */
const MEASUREMENTS = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'];
const SPEC = {
  steps: [
    ...MEASUREMENTS.flatMap((c, i) => [
      { name: `m${i}`, op: 'fill_missing', inputs: [c], params: { with: { analyzer: 'mean', input: c } } },
      { name: `m${i}_z`, op: 'z_score', inputs: [`m${i}`] },
    ]),
    { name: 'island', op: 'vocabulary', inputs: ['Island'] },
    { name: 'sex', op: 'vocabulary', inputs: ['Sex'] },
  ],
};
const STEP_FEATURES = ['m0_z', 'm1_z', 'm2_z', 'm3_z', 'island', 'sex'];
/** Each step's slots: a z-score one, the island's vocabulary its three islands, the sex's the training rows' MALE, FEMALE and '.'. */
const STEP_SLOTS: Record<string, number> = { m0_z: 1, m1_z: 1, m2_z: 1, m3_z: 1, island: 3, sex: 3 };

test("feature selection on a transform's outputs: its steps are the features, its label and split are fixed; Train on a subset of the steps", async () => {
  await page.getByTestId('stage-transform').click();
  const version = page.getByTestId('transform-version-select');
  await version.selectOption((await version.locator('option', { hasText: 'Palmer penguins' }).getAttribute('value'))!);
  await page.getByTestId('transform-label-select').selectOption('Species');
  await page.getByTestId('transform-name').fill('penguins-prep');
  await page.getByTestId('json-open').click();
  await page.getByTestId('json-text').fill(JSON.stringify(SPEC));
  await page.getByTestId('json-apply').click();
  await page.getByTestId('transform-analyze').click();
  await expect(page.getByTestId('transform-view').getByTestId('transform-view-title')).toHaveText('penguins-prep v1', { timeout: 60_000 });

  await page.getByTestId('transform-tab-select').click();
  const panel = page.getByTestId('select-panel');
  await panel.getByTestId('select-data').selectOption({ label: 'Transform penguins-prep v1' });
  await expect(panel.getByTestId('select-target')).toBeDisabled();
  await expect(panel.getByTestId('select-target')).toHaveValue('Species');
  await expect(panel.getByTestId('select-seed')).toBeDisabled();
  await expect(panel.getByTestId('select-seed')).toHaveValue('42');
  await expect(panel.getByTestId('select-transform-note')).toContainText('penguins-prep v1');
  await panel.getByTestId('select-k-f_test').fill('2');
  await panel.getByTestId('select-run').click();

  const result = panel.getByTestId('select-result');
  await expect(result).toBeVisible({ timeout: 120_000 });
  await expect(result.getByTestId('select-from-transform')).toContainText('penguins-prep v1');
  await expect(result.getByTestId('select-summary')).toContainText('Species');
  const all = result.locator('[data-method="all"]');
  await expect(all.getByTestId('select-row-count')).toHaveText('6');
  await expect(all.getByTestId('select-row-columns')).toHaveText(STEP_FEATURES.join(', '));
  expect(Number(await all.getByTestId('select-row-accuracy').textContent())).toBeGreaterThan(0.9);
  const fTest = result.locator('[data-method="f_test"]');
  await expect(fTest.getByTestId('select-row-count')).toHaveText('2');
  const chosen = (await fTest.getByTestId('select-row-columns').textContent())!.split(', ');
  expect(chosen).toHaveLength(2);
  for (const c of chosen) expect(STEP_FEATURES).toContain(c);
  // the fills are read by the z-scores only: left out as intermediate steps
  await expect(result.getByTestId('select-left-out')).toContainText('m0 (an intermediate step');

  // "Train on this subset" opens the Train stage on the transform with only the chosen steps
  await fTest.getByTestId('select-train').click();
  await expect(page).toHaveURL(/\/train\?transform=.+&features=/);
  await expect(page.getByTestId('train-transform').locator('option:checked')).toContainText('penguins-prep v1');
  for (const step of STEP_FEATURES) {
    const box = page.getByTestId(`train-output-${step}`);
    if (chosen.includes(step)) await expect(box).toBeChecked();
    else await expect(box).not.toBeChecked();
  }
  const slots = chosen.reduce((sum, step) => sum + STEP_SLOTS[step]!, 0);
  await expect(page.getByTestId('transform-note')).toContainText(`${slots} output${slots === 1 ? '' : 's'} of transform penguins-prep v1`);
  await expect(page.getByTestId('prepare-summary')).toContainText('3 classes');
  await page.getByTestId('train-epochs').fill('5');
  await page.getByTestId('train-name').fill('On two steps');
  await page.getByTestId('train-start').click();
  const view = page.getByTestId('run-view');
  await expect(view.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await view.getByTestId('save-model-name').fill('Penguins on two steps');
  await view.getByTestId('save-model').click();
  await expect(view.getByTestId('saved-model')).toBeVisible();

  // the model version takes exactly the chosen steps' slots: its bundle says so, and its transform.json lays out only them
  await page.getByTestId('stage-registry').click();
  const download = page.waitForEvent('download');
  await page.getByTestId('model-item').filter({ hasText: 'Penguins on two steps' }).getByTestId('model-download').click();
  const files = unzipSync(new Uint8Array(Buffer.concat(await (await (await download).createReadStream()).toArray())));
  const metadata = JSON.parse(strFromU8(files['metadata.json']!));
  expect(metadata.preprocessing.input).toEqual({ kind: 'tabular', features: slots });
  const fitted = JSON.parse(strFromU8(files['transform.json']!));
  expect(fitted.features.dim).toBe(slots);
  expect(fitted.features.layout.map((o: { name: string }) => o.name)).toEqual(STEP_FEATURES.filter((s) => chosen.includes(s)));
});
