/**
 * Every request the app makes, from the page, its workers and its service worker, goes to its own origin:
 * a walk through the demo project, every stage, a training run and the Settings page's backend checks
 * (which load TF.js's wasm binaries in the training worker).
 */
import { expect, test } from '@playwright/test';
import { openTrainForm } from './helpers';

test('a walk through every stage requests nothing from another origin', async ({ page, context, baseURL }) => {
  const origin = new URL(baseURL!).origin;
  const urls: string[] = [];
  context.on('request', (r) => urls.push(r.url()));

  await page.goto('./');
  await page.getByTestId('open-demo').click();
  await expect(page.getByTestId('project-title')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('dataset-item')).toHaveCount(5, { timeout: 120_000 });
  // The navigation's own list of stages, built or not.
  const stages = await page.locator('[data-testid^="stage-"]').evaluateAll((links) => links.map((a) => a.getAttribute('data-testid')!.slice('stage-'.length)));
  expect(stages.length).toBeGreaterThanOrEqual(11);
  for (const stage of stages) {
    await page.getByTestId(`stage-${stage}`).click();
    await expect(page.getByTestId(`stage-${stage}`)).toHaveAttribute('aria-current', 'page');
    await page.waitForLoadState('networkidle');
  }

  // One short training run, so the training worker loads TF.js and trains.
  await openTrainForm(page, 'Palmer penguins');
  await page.getByTestId('train-epochs').fill('1');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });

  await page.getByTestId('nav-settings').click();
  await page.getByTestId('backends-check').click();
  await expect(page.getByTestId('backends-table')).toBeVisible({ timeout: 120_000 });
  await page.waitForLoadState('networkidle');

  // The recording sees the workers' requests too: the demo files are fetched in the data worker, the
  // wasm binaries in the training worker.
  expect(urls.some((u) => u.endsWith('/demo/index.json'))).toBe(true);
  expect(urls.some((u) => u.endsWith('.wasm'))).toBe(true);
  const foreign = urls.filter((u) => !u.startsWith('blob:') && !u.startsWith('data:') && new URL(u).origin !== origin);
  expect(foreign).toEqual([]);
});
