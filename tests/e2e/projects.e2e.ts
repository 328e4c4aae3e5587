import { expect, test } from '@playwright/test';
import { createProject } from './helpers';

test('create, rename and delete a project (with confirmation); the scope card is saved', async ({ page }) => {
  await createProject(page, 'Churn');
  await page.getByTestId('scope-problem').fill('Predict which customers leave next month.');
  await page.getByTestId('scope-metric').selectOption('auc');
  await page.getByTestId('scope-baseline').fill('0.71');
  await page.getByTestId('scope-baseline-source').fill('Last year\'s rule-based model');
  await page.getByTestId('scope-save').click();
  await expect(page.getByTestId('scope-saved')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('scope-problem')).toHaveValue('Predict which customers leave next month.');
  await expect(page.getByTestId('scope-baseline')).toHaveValue('0.71');
  await expect(page.getByTestId('scope-metric')).toHaveValue('auc');

  // Every stage is built now (Tune was the last): its page opens, not the "not built yet" one.
  await page.getByTestId('stage-tune').click();
  await expect(page.getByTestId('tune-page')).toBeVisible();
  await expect(page.getByTestId('not-built')).toHaveCount(0);

  await page.getByTestId('nav-settings').waitFor();
  await page.goto('./');
  const item = page.getByTestId('project-item').filter({ hasText: 'Churn' });
  await item.getByTestId('rename-project').click();
  // While renaming, the item shows an input instead of its name.
  await page.getByTestId('rename-input').fill('Customer churn');
  await page.getByTestId('rename-save').click();
  const renamed = page.getByTestId('project-item').filter({ hasText: 'Customer churn' });
  await expect(renamed).toHaveCount(1);

  await renamed.getByTestId('delete-project').click();
  await page.getByTestId('confirm-cancel').click();
  await expect(renamed).toHaveCount(1);
  await renamed.getByTestId('delete-project').click();
  await page.getByTestId('confirm-ok').click();
  await expect(renamed).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('project-item').filter({ hasText: 'Customer churn' })).toHaveCount(0);
});

test('switch to Traditional Chinese; the choice is remembered', async ({ page }) => {
  await page.goto('./');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Projects');
  await page.getByTestId('header-locale').selectOption('zh-TW');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('專案');
  await expect(page.getByTestId('open-demo')).toHaveText('開啟示範專案');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('專案');
  expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-TW');
  await createProject(page, '測試專案');
  await expect(page.getByTestId('stage-validate')).toHaveText('驗證');
});
