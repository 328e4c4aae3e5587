import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

/** A file from an npm data package (real data, bundled with the app's dependencies). */
export function packageFile(pkg: string, path: string): Buffer {
  const dir = (require.resolve.paths(pkg) ?? []).map((p) => join(p, pkg)).find((d) => existsSync(d));
  if (!dir) throw new Error(`package ${pkg} is not installed`);
  return readFileSync(join(dir, path));
}

export async function createProject(page: Page, name: string): Promise<void> {
  await page.goto('./');
  await page.getByTestId('new-project-name').fill(name);
  await page.getByTestId('create-project').click();
  await expect(page.getByTestId('project-title')).toHaveText(name);
}

export async function importFile(page: Page, name: string, buffer: Buffer, mimeType = 'text/csv'): Promise<void> {
  await page.getByTestId('stage-data').click();
  await page.getByTestId('import-files').setInputFiles({ name, mimeType, buffer });
}

/** Wait until the service worker controls the page (precache done), reloading once if needed. */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  if (!(await page.evaluate(() => navigator.serviceWorker.controller !== null))) await page.reload();
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
}

/** A page of its own with the demo project open (five datasets imported; MNIST is 10,000 PNGs). */
export async function openDemoPage(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
  await page.goto('./');
  await page.getByTestId('open-demo').click();
  await expect(page.getByTestId('project-title')).toBeVisible({ timeout: 120_000 });
  return page;
}

/** One penguin as the predict panel's form takes it. */
export const PENGUIN = { Island: 'Biscoe', 'Beak Length (mm)': '46.1', 'Beak Depth (mm)': '13.2', 'Flipper Length (mm)': '211', 'Body Mass (g)': '4500', Sex: 'FEMALE' };

/** The predict panel's class probabilities for PENGUIN, for the model version open in the Registry. */
export async function predictPenguin(page: Page): Promise<Record<string, number>> {
  const panel = page.getByTestId('predict-panel');
  await panel.getByTestId('predict-field-Island').selectOption(PENGUIN.Island);
  await panel.getByTestId('predict-field-Sex').selectOption(PENGUIN.Sex);
  for (const c of ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'] as const) await panel.getByTestId(`predict-field-${c}`).fill(PENGUIN[c]);
  await panel.getByTestId('predict-run').click();
  await expect(panel.getByTestId('predict-result')).toBeVisible();
  const probs: Record<string, number> = {};
  for (const li of await panel.getByTestId('predict-prob').all()) probs[(await li.getAttribute('data-label'))!] = Number(await li.getAttribute('data-value'));
  return probs;
}

/** The Train stage's new-run form, opened, with a dataset chosen by (part of) its name. */
export async function openTrainForm(page: Page, dataset: string): Promise<void> {
  await page.getByTestId('stage-train').click();
  if ((await page.getByTestId('new-run-toggle').getAttribute('aria-expanded')) === 'false') await page.getByTestId('new-run-toggle').click();
  const option = page.getByTestId('train-dataset').locator('option', { hasText: dataset });
  await page.getByTestId('train-dataset').selectOption((await option.getAttribute('value'))!);
}

/**
 * Serve as a plain static host would: COOP/COEP removed from every response of the preview server, so
 * only the service worker's headers can make the page cross-origin isolated (wasm threads, issue 16).
 */
export async function stripIsolationHeaders(context: BrowserContext): Promise<void> {
  await context.route('**/*', async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers['cross-origin-opener-policy'];
    delete headers['cross-origin-embedder-policy'];
    await route.fulfill({ response, headers });
  });
}
