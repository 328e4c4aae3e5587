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

  // Make another backend active: the table marks it, and only it. The automatic choice is the fastest by
  // measurement, which on a loaded 2-core machine is sometimes cpu (then it has no "Use" button): switch to
  // cpu, else to wasm.
  const target = (await page.getByTestId('backend-use-cpu').count()) > 0 ? 'cpu' : 'wasm';
  await page.getByTestId(`backend-use-${target}`).click();
  await expect(page.getByTestId(`backend-row-${target}`).getByTestId('backend-active')).toBeVisible();
  await expect(page.getByTestId('backend-active')).toHaveCount(1);

  // Storage use and quota are shown.
  await expect(page.getByTestId('storage-quota')).not.toBeEmpty();
});

test('a file over the import limit is refused with its size and the limit; nothing is written', async ({ page }) => {
  await page.goto('./#/settings');
  await page.getByTestId('import-limit').fill('1');
  await page.getByTestId('import-limit').blur();
  await page.goto('./');
  await page.getByTestId('new-project-name').fill('Limits');
  await page.getByTestId('create-project').click();
  await page.getByTestId('stage-data').click();
  const rows = Array.from({ length: 120_000 }, (_, i) => `${i},${i * 2}`).join('\n');
  await page.getByTestId('import-files').setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: Buffer.from(`a,b\n${rows}\n`) });
  await expect(page.getByTestId('import-error')).toContainText('big.csv is 1.4 MB; the import limit is 1 MB');
  await expect(page.getByTestId('no-datasets')).toBeVisible();
});
