import { expect, test } from '@playwright/test';
import Papa from 'papaparse';
import { createProject, importFile, packageFile } from './helpers';

const weatherCsv = packageFile('vega-datasets', 'data/seattle-weather.csv');
const weather = Papa.parse<Record<string, string>>(weatherCsv.toString('utf8'), { header: true, skipEmptyLines: true }).data;

test('import a CSV through the file chooser, see rows and types, reload and find it, sort, export', async ({ page }) => {
  await createProject(page, 'Weather');
  await importFile(page, 'seattle-weather.csv', weatherCsv);
  await expect(page.getByTestId('import-done')).toContainText('1,461');

  const view = page.getByTestId('version-view');
  await expect(view.getByTestId('version-meta')).toContainText('1,461 rows');
  await expect(view.getByTestId('version-meta')).toContainText('6 columns');
  await expect(page.getByTestId('type-date')).toHaveText('date/time');
  await expect(page.getByTestId('type-precipitation')).toHaveText('number');
  await expect(page.getByTestId('type-weather')).toHaveText('categorical');
  const firstRow = page.getByTestId('row').first();
  await expect(firstRow).toContainText('2012-01-01');
  await expect(firstRow).toContainText('drizzle');

  // Reload: the version is still there, read back from IndexedDB.
  const url = page.url();
  await page.reload();
  expect(page.url()).toBe(url);
  await expect(page.getByTestId('version-meta')).toContainText('1,461 rows');
  await expect(page.getByTestId('row').first()).toContainText('drizzle');

  // Sort by temp_max, descending: the hottest day comes first.
  const hottest = weather.reduce((a, b) => (Number(b.temp_max) > Number(a.temp_max) ? b : a));
  await page.getByTestId('sort-temp_max').click();
  await page.getByTestId('sort-temp_max').click();
  await expect(page.getByTestId('row').first()).toContainText(hottest.date);
  await expect(page.getByTestId('row').first()).toContainText(hottest.temp_max);

  // Export as CSV: the same rows come back.
  const download = page.waitForEvent('download');
  await page.getByTestId('export-csv').click();
  const file = await download;
  const text = await (await file.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8'));
  const exported = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
  expect(exported.meta.fields).toEqual(['date', 'precipitation', 'temp_max', 'temp_min', 'wind', 'weather']);
  expect(exported.data).toHaveLength(1461);
  expect(Number(exported.data[100].temp_max)).toBe(Number(weather[100].temp_max));
  expect(exported.data[100].weather).toBe(weather[100].weather);
});

test('a bad file shows its error naming file and row, and earlier datasets are untouched', async ({ page }) => {
  await createProject(page, 'Bad input');
  await importFile(page, 'good.csv', Buffer.from('x,y\n1,a\n2,b\n'));
  await expect(page.getByTestId('import-done')).toBeVisible();
  await expect(page.getByTestId('dataset-item')).toHaveCount(1);

  await importFile(page, 'ragged.csv', Buffer.from('x,y\n1,a\n2\n3,c\n'));
  await expect(page.getByTestId('import-error')).toContainText('ragged.csv');
  await expect(page.getByTestId('import-error')).toContainText('row 2');

  await importFile(page, 'junk.csv', Buffer.from([0x00, 0xff, 0x13, 0x37, 0x00, 0x00, 0x89, 0x50, 0x00, 0x01]));
  await expect(page.getByTestId('import-error')).toContainText('junk.csv');

  await importFile(page, 'empty.csv', Buffer.alloc(0));
  await expect(page.getByTestId('import-error')).toContainText('empty.csv');

  // Nothing half written: still exactly one dataset, one version, and it opens with its two rows.
  await page.reload();
  await expect(page.getByTestId('dataset-item')).toHaveCount(1);
  await expect(page.getByTestId('version-link')).toHaveCount(1);
  await page.getByTestId('version-link').click();
  await expect(page.getByTestId('row')).toHaveCount(2);
  await expect(page.getByTestId('row').nth(1)).toContainText('b');
});

test('dataset text is shown as text, never as HTML', async ({ page }) => {
  await createProject(page, 'Escaping');
  await importFile(page, 'html.csv', Buffer.from('name,note\n"<img src=x onerror=window.__pwned=1>","<b>bold</b>"\n'));
  await expect(page.getByTestId('import-done')).toBeVisible();
  await expect(page.getByTestId('row').first()).toContainText('<b>bold</b>');
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await expect(page.getByTestId('data-table').locator('b')).toHaveCount(0);
});
