import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';

// One demo project for the file: a small penguins model is trained once, then evaluated, blessed and promoted.
test.describe.configure({ mode: 'serial' });

let page: Page;

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  page = await (await browser.newContext()).newPage();
  await page.goto('./');
  await page.getByTestId('open-demo').click();
  await expect(page.getByTestId('project-title')).toBeVisible({ timeout: 120_000 });
});

test.afterAll(async () => {
  await page.context().close();
});

async function openEvaluate(): Promise<void> {
  await page.getByTestId('stage-evaluate').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Evaluate');
}

/** Press Evaluate and wait for the recorded evaluation it produced. */
async function evaluate(): Promise<string> {
  const meta = page.getByTestId('evaluation-meta');
  const before = (await meta.count()) ? await meta.getAttribute('data-evaluation-id') : '';
  await page.getByTestId('evaluate-run').click();
  await expect(page.getByTestId('evaluate-run')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('evaluate-error')).toHaveCount(0);
  await expect(meta).toHaveAttribute('data-evaluation-id', /.+/);
  await expect(meta).not.toHaveAttribute('data-evaluation-id', before!);
  return (await page.getByTestId('evaluation-meta').getAttribute('data-evaluation-id'))!;
}

async function setProduction(): Promise<void> {
  await page.getByTestId('alias-input').fill('production');
}

test('a small penguins model, evaluated by island and sex: counts, metrics and small-slice flags per slice', async () => {
  test.setTimeout(300_000);
  await page.getByTestId('stage-train').click();
  if ((await page.getByTestId('new-run-toggle').getAttribute('aria-expanded')) === 'false') await page.getByTestId('new-run-toggle').click();
  const option = page.getByTestId('train-dataset').locator('option', { hasText: 'Palmer penguins' });
  await page.getByTestId('train-dataset').selectOption((await option.getAttribute('value'))!);
  await expect(page.getByTestId('train-label')).toHaveValue('Species');
  // fast: wasm chosen by hand (no backend timing), few epochs; penguins need little to pass 0.6
  await page.getByTestId('train-backend').selectOption('wasm');
  await page.getByTestId('train-epochs').fill('15');
  await page.getByTestId('train-start').click();
  const view = page.getByTestId('run-view');
  await expect(view.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 150_000 });
  const testCount = Number(await view.getByTestId('eval-title').getAttribute('data-count'));
  const runAccuracy = Number(await view.getByTestId('metric-accuracy').getAttribute('data-value'));
  await view.getByTestId('save-model-name').fill('Penguins');
  await view.getByTestId('save-model').click();
  await expect(view.getByTestId('saved-model')).toBeVisible();

  await openEvaluate();
  await expect(page.getByTestId('evaluate-model')).toContainText('v1 · Penguins');
  for (const column of ['Island', 'Sex']) {
    await page.getByTestId('slice-column').selectOption(column);
    await page.getByTestId('slice-add').click();
  }
  await expect(page.getByTestId('slice-spec')).toHaveText([/Island/, /Sex/]);
  await evaluate();

  const table = page.getByTestId('slice-table');
  const overall = table.locator('[data-slice="overall"]');
  await expect(overall).toHaveAttribute('data-count', String(testCount));
  // the whole test split gives the run's own test accuracy
  expect(Number(await overall.getAttribute('data-value'))).toBeCloseTo(runAccuracy, 10);
  const rows = await table.getByTestId('slice-row').evaluateAll((trs) => trs.map((tr) => ({ id: tr.getAttribute('data-slice')!, count: Number(tr.getAttribute('data-count')), small: tr.getAttribute('data-small') === 'true' })));
  const island = rows.filter((r) => r.id.startsWith('Island='));
  const sex = rows.filter((r) => r.id.startsWith('Sex='));
  expect(island.map((r) => r.id).sort()).toEqual(['Island="Biscoe"', 'Island="Dream"', 'Island="Torgersen"']);
  expect(sex.length).toBeGreaterThanOrEqual(2);
  // each slicing covers every test row once; slices under 30 rows are flagged, the others not
  expect(island.reduce((a, r) => a + r.count, 0)).toBe(testCount);
  expect(sex.reduce((a, r) => a + r.count, 0)).toBe(testCount);
  for (const r of rows) expect(r.small, r.id).toBe(r.count < 30);
  expect(rows.some((r) => r.small)).toBe(true);
  await expect(table.getByTestId('slice-small')).toHaveCount(rows.filter((r) => r.small).length);
  // sortable: by count, the whole set first, then the slices from the largest down
  await page.getByTestId('slice-sort').selectOption('count');
  const sorted = (await table.getByTestId('slice-row').evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-count'))))).slice(1);
  expect(sorted).toEqual([...sorted].sort((a, b) => b - a));
  await expect(table.getByTestId('slice-row').first()).toHaveAttribute('data-slice', 'overall');
  await page.getByTestId('slice-sort').selectOption('slice');
  // intervals drawn as whiskers on the chart
  expect(await page.getByTestId('slice-chart').locator('line.whisker').count()).toBeGreaterThan(0);
});

test('a threshold that fails gives NOT BLESSED with the reason; production then needs a written override', async () => {
  await page.getByTestId('tab-blessing').click();
  const first = page.getByTestId('threshold-row').first();
  await expect(first.getByTestId('threshold-metric')).toHaveValue('accuracy');
  await first.getByTestId('threshold-value').fill('1.01');
  await evaluate();
  const result = page.getByTestId('blessing-result');
  await expect(result).toHaveAttribute('data-blessed', 'false');
  await expect(result).toContainText('NOT BLESSED');
  const failed = result.locator('[data-testid="blessing-reason"][data-passed="false"]');
  await expect(failed).toHaveCount(1);
  await expect(failed).toHaveAttribute('data-code', 'absolute-fail');
  await expect(failed).toContainText(/Accuracy on Whole set is [\d.]+, which is not ≥ 1\.01/);
  // no production yet: the relative threshold had nothing to compare with
  await expect(result.locator('[data-code="no-baseline"]')).toHaveCount(1);

  await page.getByTestId('stage-registry').click();
  const item = page.getByTestId('model-item');
  await expect(item.getByTestId('blessing-badge')).toHaveAttribute('data-blessed', 'false');
  await item.getByTestId('blessing-badge').locator('summary').click();
  await expect(item.getByTestId('blessing-reason').first()).toContainText('1.01');
  await setProduction();
  await expect(page.getByTestId('alias-override-needed')).toContainText('did not bless');
  await expect(page.getByTestId('alias-set')).toBeDisabled();
  await page.getByTestId('alias-override-reason').fill('Demo: the only model we have');
  await page.getByTestId('alias-set').click();
  await expect(page.getByTestId('model-alias')).toHaveText(/production/);
  await expect(item.getByTestId('blessing-override')).toContainText('Demo: the only model we have');
  // take production away again, so the blessing below is what allows it
  await page.getByRole('button', { name: 'Remove alias production' }).click();
  await expect(page.getByTestId('model-alias')).toHaveCount(0);
});

test('passing thresholds give BLESSED, and promotion to production needs no override', async () => {
  await openEvaluate();
  await page.getByTestId('tab-blessing').click();
  await page.getByTestId('threshold-row').first().getByTestId('threshold-value').fill('0.6');
  // a bound on one slice as well
  await page.getByTestId('threshold-add-absolute').click();
  const added = page.getByTestId('threshold-row').last();
  await added.getByTestId('threshold-slice').selectOption('Island="Biscoe"');
  await added.getByTestId('threshold-value').fill('0.5');
  await evaluate();
  const result = page.getByTestId('blessing-result');
  await expect(result).toHaveAttribute('data-blessed', 'true');
  await expect(result).toContainText('BLESSED');
  await expect(result.locator('[data-passed="false"]')).toHaveCount(0);
  await expect(result.getByTestId('blessing-reason').last()).toContainText('Island = Biscoe');
  await expect(page.getByTestId('evaluation-item')).toHaveCount(3);
  // the reasons are in the person's language
  await page.getByTestId('header-locale').selectOption('zh-TW');
  await expect(result).toContainText('已核可');
  await expect(result.getByTestId('blessing-reason').first()).toContainText(/整個資料集的準確率為 [\d.]+，≥ 0\.6。/);
  await page.getByTestId('header-locale').selectOption('en');

  await page.getByTestId('stage-registry').click();
  await expect(page.getByTestId('model-item').getByTestId('blessing-badge')).toHaveAttribute('data-blessed', 'true');
  await setProduction();
  await expect(page.getByTestId('alias-override-needed')).toHaveCount(0);
  await page.getByTestId('alias-set').click();
  await expect(page.getByTestId('model-alias')).toHaveText(/production/);
});

test('when production moves, a blessing whose relative threshold compared with it shows STALE and production asks again', async () => {
  // evaluated again while v1 is production: the relative threshold compares with v1
  await openEvaluate();
  await page.getByTestId('tab-blessing').click();
  await evaluate();
  await expect(page.getByTestId('blessing-result')).toHaveAttribute('data-blessed', 'true');
  await expect(page.getByTestId('blessing-result')).toContainText('Compared with production v1.');

  await page.getByTestId('stage-registry').click();
  const badge = page.getByTestId('model-item').getByTestId('blessing-badge');
  await expect(badge).toHaveAttribute('data-stale', 'false');
  await badge.locator('summary').click();
  await expect(badge.getByTestId('blessing-data')).toHaveText('Computed on Palmer penguins v1, the test split.');
  // production moves (here: away): the comparison with v1 no longer says anything about promotion
  await page.getByRole('button', { name: 'Remove alias production' }).click();
  await expect(badge).toHaveAttribute('data-stale', 'true');
  await expect(badge.getByTestId('blessing-stale')).toHaveText('STALE');
  await expect(badge.getByTestId('blessing-stale-why')).toContainText('compared with production v1; production is now none');
  await page.screenshot({ path: join(tmpdir(), 'pipette-registry-stale.png'), fullPage: true });
  await setProduction();
  await expect(page.getByTestId('alias-override-needed')).toContainText('The blessing of v1 is stale');
  await expect(page.getByTestId('alias-set')).toBeDisabled();
  await page.getByTestId('alias-override-reason').fill('Same weights as before the alias was removed');
  await page.getByTestId('alias-set').click();
  await expect(page.getByTestId('model-alias')).toHaveText(/production/);
  await expect(badge.getByTestId('blessing-override')).toContainText('Same weights as before the alias was removed');
});

test('curves: ROC, PR and reliability for a class against the rest, metrics at a chosen threshold', async () => {
  await openEvaluate();
  await page.getByTestId('tab-curves').click();
  // the model's curve, chance, and the chosen threshold's point; the ROC's data table starts at (0, 0) for both lines
  await expect(page.getByTestId('curve-roc').getByTestId('chart-legend').locator('li')).toHaveCount(3);
  await expect(page.getByTestId('curve-pr').getByTestId('chart-legend').locator('li')).toHaveCount(2);
  await expect(page.getByTestId('curve-calibration').getByTestId('chart-plot').locator('canvas')).toBeVisible();
  await page.getByTestId('curve-roc').getByTestId('chart-table-toggle').click();
  const firstRow = page.getByTestId('curve-roc').getByTestId('chart-table').locator('tbody tr').first();
  await expect(firstRow).toBeVisible();
  expect((await firstRow.locator('th, td').allTextContents()).slice(0, 3)).toEqual(['0', '0', '0']);
  await page.getByTestId('curves-class').selectOption('Gentoo');
  await expect(page.getByTestId('curves')).toContainText('"Gentoo"');
  const slider = page.getByTestId('curves-threshold');
  await slider.fill('80');
  const at = page.getByTestId('curves-at');
  await expect(at).toHaveAttribute('data-threshold', '0.8');
  const counts = await Promise.all(['at-tp', 'at-fp', 'at-tn', 'at-fn'].map(async (id) => Number((await at.getByTestId(id).textContent())!.replace(/,/g, ''))));
  const total = Number(await page.getByTestId('slice-table').locator('[data-slice="overall"]').getAttribute('data-count'));
  expect(counts.reduce((a, b) => a + b, 0)).toBe(total);
});

test('a dataset version without the model\'s columns is refused, naming the column', async () => {
  const iris = page.getByTestId('evaluate-data').locator('option', { hasText: 'Iris' });
  await page.getByTestId('evaluate-data').selectOption((await iris.getAttribute('value'))!);
  await page.getByTestId('evaluate-run').click();
  await expect(page.getByTestId('evaluate-error')).toContainText(/The model reads column "(Island|Beak Length \(mm\)|Beak Depth \(mm\)|Flipper Length \(mm\)|Body Mass \(g\)|Sex)", which this dataset version does not have/);
  // the message was about that choice: going back to the model's own split clears it
  await page.getByTestId('evaluate-data').selectOption('');
  await expect(page.getByTestId('evaluate-error')).toHaveCount(0);
});
