/**
 * All cores (issue 16): the wasm backend's threaded build needs a cross-origin isolated page. The preview
 * server sends COOP/COEP itself; here they are taken off every response it sends, so the app is served as
 * by a plain static host, and only the service worker's own headers (src/sw.ts) can isolate it.
 */
import { expect, test, type Page } from '@playwright/test';
import { createProject, importFile, openTrainForm, stripIsolationHeaders } from './helpers';

/** 120 rows of two numbers and a class that the first one decides. */
function twoClassCsv(): Buffer {
  const rows = Array.from({ length: 120 }, (_, i) => `${(i % 17) / 4},${(i % 5) - 2},${i % 17 < 8 ? 'low' : 'high'}`);
  return Buffer.from(`a,b,label\n${rows.join('\n')}\n`);
}

async function importTwoClass(page: Page): Promise<void> {
  await createProject(page, 'Threads');
  await importFile(page, 'two-class.csv', twoClassCsv());
  await expect(page.getByTestId('import-done')).toBeVisible();
}

/** One epoch of a small dense net on wasm, chosen by hand; returns the run's thread count as the page shows it. */
async function trainOnWasm(page: Page): Promise<number> {
  await openTrainForm(page, 'two-class.csv');
  await page.getByTestId('train-label').selectOption('label');
  await page.getByTestId('train-backend').selectOption('wasm');
  await page.getByTestId('train-epochs').fill('1');
  await expect(page.getByTestId('train-start')).toBeEnabled();
  await page.getByTestId('train-start').click();
  const view = page.getByTestId('run-view');
  await expect(view.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(view.getByTestId('run-backend')).toHaveAttribute('data-backend', 'wasm');
  return Number(await view.getByTestId('run-backend').getAttribute('data-threads'));
}

test('the service worker isolates the page after one reload, and wasm trains on one thread or every core', async ({ browser }) => {
  const context = await browser.newContext();
  await stripIsolationHeaders(context);
  // every document this tab loads writes down whether it was isolated
  await context.addInitScript(() => {
    const seen = JSON.parse(sessionStorage.getItem('test.isolated') ?? '[]') as boolean[];
    sessionStorage.setItem('test.isolated', JSON.stringify([...seen, crossOriginIsolated]));
  });
  const page = await context.newPage();
  await page.goto('./');
  // during the reload an evaluation may land in the closing document
  await expect.poll(() => page.evaluate(() => crossOriginIsolated).catch(() => false), { timeout: 120_000 }).toBe(true);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Projects');
  // the host's document was not isolated; the one reload came through the service worker, which was
  expect(await page.evaluate(() => JSON.parse(sessionStorage.getItem('test.isolated')!))).toEqual([false, true]);
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  expect(cores).toBeGreaterThan(1);
  await importTwoClass(page);
  // a net this small (under 2,000 multiply-adds a step) trains faster on one thread (core/train/threads.ts)
  expect(await trainOnWasm(page)).toBe(1);
  // every core, as chosen in Settings: the next run's worker starts with all of them
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('threads-not-isolated')).toHaveCount(0);
  await page.getByTestId('threads-select').selectOption('all');
  await page.goBack();
  expect(await trainOnWasm(page)).toBe(cores);
  await context.close();
});

test('with no service worker and no isolation, wasm trains single-threaded', async ({ browser }) => {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  await stripIsolationHeaders(context);
  const page = await context.newPage();
  await page.goto('./');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Projects');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
  // every core chosen, but without isolation there is only the single-threaded build
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('threads-not-isolated')).toBeVisible();
  await page.getByTestId('threads-select').selectOption('all');
  await page.goBack();
  await importTwoClass(page);
  expect(await trainOnWasm(page)).toBe(1);
  await context.close();
});
