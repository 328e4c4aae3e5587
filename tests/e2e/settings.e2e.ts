import { expect, test } from '@playwright/test';

test('settings: the TF.js backends this browser offers, each checked against cpu, and switching the active one', async ({ page }) => {
  await page.goto('./#/settings');
  await page.getByTestId('backends-check').click();
  await expect(page.getByTestId('backends-table')).toBeVisible({ timeout: 120_000 });

  // cpu is the reference; wasm and webgl run in headless Chromium here and must agree with it.
  await expect(page.getByTestId('backend-parity-cpu')).toContainText('Reference');
  for (const name of ['wasm', 'webgl'])
    await expect(page.getByTestId(`backend-parity-${name}`)).toContainText('Pass');
  await expect(page.getByTestId('backend-active')).toHaveCount(1);

  // Make cpu active: the table marks it, and only it.
  await page.getByTestId('backend-use-cpu').click();
  await expect(page.getByTestId('backend-row-cpu').getByTestId('backend-active')).toBeVisible();
  await expect(page.getByTestId('backend-active')).toHaveCount(1);

  // Storage use and quota are shown.
  await expect(page.getByTestId('storage-quota')).not.toBeEmpty();
});
