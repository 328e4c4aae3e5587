import { expect, type Page } from '@playwright/test';
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
