import { expect, test, type Browser, type Page } from '@playwright/test';
import { createProject, importFile, packageFile } from './helpers';

// AutoML on the Tune page (issue 17) in Chromium: "Find a model for me" on the Palmer penguins with a
// 1-minute budget. The default preset trains first, then a Hyperband search over the families runs until the
// budget stops it: done, a leaderboard with the preset row and at least one searched model, the comparison
// sentence with the leaderboard's numbers, and the time left counting down to the end.
test.describe.configure({ mode: 'serial' });

let page: Page;

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  page = await (await browser.newContext()).newPage();
  await createProject(page, 'AutoML penguins');
  await importFile(page, 'penguins.json', packageFile('vega-datasets', 'data/penguins.json'), 'application/json');
  await expect(page.getByTestId('import-done')).toContainText('344', { timeout: 60_000 });
});

test.afterAll(async () => {
  await page.context().close();
});

const leftMs = async () => Number(await page.getByTestId('automl-time').getAttribute('data-left-ms'));

test('a 1-minute AutoML search on the penguins stops at the budget with a leaderboard and the comparison', async () => {
  test.setTimeout(240_000);
  await page.getByTestId('stage-tune').click();
  const form = page.getByTestId('automl-form');
  await expect(form).toBeVisible();
  await expect(page.getByTestId('automl-label')).toHaveValue('Species');
  await page.getByTestId('automl-budget-custom').check();
  await page.getByTestId('automl-minutes').fill('1');
  await page.getByTestId('automl-start').click();

  const view = page.getByTestId('automl-view');
  await expect(view).toBeVisible({ timeout: 60_000 });
  await expect(page.locator('#tune-search-title')).toHaveText('AutoML 1');
  // the time left counts down while it runs (from the stored search time, ticking between saves)
  await expect.poll(leftMs, { timeout: 30_000 }).toBeGreaterThan(0);
  const first = await leftMs();
  await expect.poll(leftMs, { timeout: 10_000 }).toBeLessThan(first);
  // the preset run ends, the plan is made and the search runs
  await expect(page.getByTestId('automl-progress')).toHaveAttribute('data-phase', 'search', { timeout: 60_000 });
  await expect(page.getByTestId('automl-plan')).toContainText('Hyperband max_epochs');
  await expect(page.getByTestId('automl-progress')).toContainText('Hyperband iteration 1:');

  await expect(page.getByTestId('tune-status')).toHaveText('done', { timeout: 120_000 });
  await expect(page.getByTestId('tune-why')).toHaveText('The time limit was reached.');
  await expect(page.getByTestId('automl-time')).toHaveAttribute('data-left-ms', '');
  await expect(page.getByTestId('automl-time')).toContainText('Ended after');

  const rows = page.getByTestId('automl-row');
  expect(await rows.count()).toBeGreaterThanOrEqual(2);
  await expect(page.locator('[data-testid="automl-row"][data-preset="1"]')).toHaveCount(1);
  await expect(page.locator('[data-testid="automl-row"][data-preset="1"]')).toContainText('(baseline)');
  const objectives = (await page.getByTestId('automl-objective').allTextContents()).map(Number);
  expect(objectives).toEqual([...objectives].sort((a, b) => b - a));
  const presetObjective = Number(await page.locator('[data-testid="automl-row"][data-preset="1"]').getByTestId('automl-objective').textContent());

  // the sentence's numbers are the leaderboard's, rounded to 2 digits, and its change their difference
  const sentence = page.getByTestId('automl-compare').locator('span');
  const best = await sentence.getAttribute('data-best');
  const preset = await sentence.getAttribute('data-preset');
  expect(best).toBe(objectives[0]!.toFixed(2));
  expect(preset).toBe(presetObjective.toFixed(2));
  const delta = Number(best) - Number(preset);
  expect(await sentence.getAttribute('data-delta')).toBe(`${delta < 0 ? '-' : '+'}${Math.abs(delta).toFixed(2)}`);
  const winnerIsPreset = (await rows.first().getAttribute('data-preset')) === '1';
  await expect(sentence).toContainText(winnerIsPreset ? `The default preset is still the best: ${preset}` : `Best ${best} (`);
  if (!winnerIsPreset) await expect(sentence).toContainText(`vs the default preset ${preset} (`);
  await expect(page.getByTestId('automl-train-best')).toBeVisible();
});
