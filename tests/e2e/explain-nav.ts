import { expect, type Page } from '@playwright/test';

/** The Evaluate stage on a model version (by name) and an evaluation dataset version, a tab open. */
export async function openEvaluate(page: Page, model: string, tab: 'fairness' | 'explain', data?: string): Promise<void> {
  await page.getByTestId('stage-evaluate').click();
  const option = page.getByTestId('evaluate-model').locator('option', { hasText: model });
  await page.getByTestId('evaluate-model').selectOption((await option.getAttribute('value'))!);
  await expect(page.getByTestId('evaluate-model')).toHaveValue((await option.getAttribute('value'))!);
  const version = data ? page.getByTestId('evaluate-data').locator('option', { hasText: data }) : page.getByTestId('evaluate-data').locator('option').first();
  await page.getByTestId('evaluate-data').selectOption((await version.getAttribute('value'))!);
  await page.getByTestId(`tab-${tab}`).click();
}
