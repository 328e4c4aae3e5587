import { expect, test, type Browser, type Page } from '@playwright/test';
import { openDemoPage } from './helpers';

/** A new page (downloads accepted) on the demo project's Pipelines page. */
export async function openDemoPipelines(browser: Browser): Promise<Page> {
  const page = await openDemoPage(browser);
  await page.getByTestId('stage-pipelines').click();
  await expect(page.getByTestId('pipelines-page')).toBeVisible();
  return page;
}

/** Press Run and wait for the new run (the newest, listed first) to finish. */
export async function runPipeline(page: Page): Promise<void> {
  const before = await page.getByTestId('pipeline-run').count();
  await page.getByTestId('pipeline-run-button').click();
  await expect(page.getByTestId('pipeline-run')).toHaveCount(before + 1);
  await expect(page.getByTestId('pipeline-run').first()).toHaveAttribute('data-status', 'finished', { timeout: 120_000 });
}

/** One page on the demo project's Pipelines page for a serial file's tests: opened before them, closed after. */
export function sharedDemoPipelines(): () => Page {
  let page: Page | undefined;
  test.beforeAll(async ({ browser }: { browser: Browser }) => {
    page = await openDemoPipelines(browser);
  });
  test.afterAll(async () => {
    await page?.context().close();
  });
  return () => page!;
}
