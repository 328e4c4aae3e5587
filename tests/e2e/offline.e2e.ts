import { expect, test } from '@playwright/test';
import { waitForServiceWorker } from './helpers';

test('open the demo project offline: the app, its workers and the demo data come from the precache', async ({ page, context }) => {
  await page.goto('./');
  await waitForServiceWorker(page);

  // going offline shows the badge (the window's 'offline' event)
  await context.setOffline(true);
  await expect(page.getByTestId('offline-badge')).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Projects');
  // after the reload the app came from the precache: the network is still down (a same-origin file the
  // precache lacks cannot be fetched; online it would be a 404). Chromium 150 under emulated offline
  // reports navigator.onLine true in a reloaded page, so the badge is asserted before the reload.
  expect(await page.evaluate(() => fetch(`./not-precached-${Date.now()}.txt`).then(() => 'reached', () => 'unreachable'))).toBe('unreachable');

  await page.getByTestId('open-demo').click();
  await expect(page.getByTestId('dataset-item')).toHaveCount(5, { timeout: 120_000 });
  for (const name of ['Palmer penguins', 'Seattle weather', 'Iris', 'MNIST digits', 'SpamAssassin emails'])
    await expect(page.getByTestId('dataset-list')).toContainText(name);

  // MNIST: 10,000 digit images with labels from their folders.
  const mnist = page.getByTestId('dataset-item').filter({ hasText: 'MNIST digits' });
  await expect(mnist.getByTestId('version-link')).toContainText('10,000 rows');
  await mnist.getByTestId('version-link').click();
  await expect(page.getByTestId('type-image')).toHaveText('image');
  await expect(page.getByTestId('type-label')).toHaveText('categorical');
  const img = page.getByTestId('row').first().locator('img');
  await expect(img).toBeVisible();
  expect(await img.evaluate((el: HTMLImageElement) => el.decode().then(() => el.naturalWidth))).toBe(28);

  // Still offline, a reload shows the same data from IndexedDB.
  await page.reload();
  await expect(page.getByTestId('row').first().locator('img')).toBeVisible();
  await page.getByTestId('stage-scope').click();
  await expect(page.getByTestId('scope-baseline')).toHaveValue('0.442');
});
