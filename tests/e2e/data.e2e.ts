import { expect, test } from '@playwright/test';
import fs from 'node:fs';
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

test('a second file with the same columns is proposed as a new version, so Validate compares the two', async ({ page }) => {
  const [header, ...lines] = weatherCsv.toString('utf8').trimEnd().split('\n');
  const half = (from: number, to: number) => Buffer.from(`${[header, ...lines.slice(from, to)].join('\n')}\n`);
  await createProject(page, 'Two years');
  await importFile(page, 'weather-2012.csv', half(0, 366));
  await expect(page.getByTestId('import-done')).toContainText('366');
  // the first file has nothing to match
  await expect(page.getByTestId('import-proposal')).toHaveCount(0);

  // a file with other columns is no candidate
  await importFile(page, 'other.csv', Buffer.from('a,b\n1,2\n'));
  await expect(page.getByTestId('import-done')).toContainText('other.csv');
  await expect(page.getByTestId('import-proposal')).toHaveCount(0);

  await importFile(page, 'weather-2013.csv', half(366, 731));
  await expect(page.getByTestId('import-done')).toContainText('365');
  await expect(page.getByTestId('import-proposal')).toContainText('weather-2013.csv has the same columns as "weather-2012.csv"');
  await page.getByTestId('import-proposal-accept').click();
  await expect(page.getByTestId('import-proposal')).toHaveCount(0);
  // one weather dataset with two versions (and other.csv)
  await expect(page.getByTestId('dataset-item')).toHaveCount(2);
  await expect(page.getByTestId('dataset-list')).not.toContainText('weather-2013.csv');
  await expect(page.getByTestId('version-meta')).toContainText('365 rows');

  // Validate's drift compares v1 with v2 by default
  await page.getByTestId('stage-validate').click();
  await page.getByTestId('tab-drift').click();
  await expect(page.getByTestId('drift-baseline').locator('option:checked')).toHaveText('weather-2012.csv v1');
  await expect(page.getByTestId('drift-current').locator('option:checked')).toHaveText('weather-2012.csv v2');
});

test('a reload during an import shows the interrupted banner on the first load after it', async ({ page }, info) => {
  // big enough that the import is still running when the page reloads
  const path = info.outputPath('big.csv');
  const row = Buffer.from('12345,6.789,some text that takes room,2020-01-02\n');
  fs.writeFileSync(path, Buffer.concat([Buffer.from('id,x,note,day\n'), Buffer.alloc(row.length * 1_500_000, row)]));
  await createProject(page, 'Reloaded');
  await page.getByTestId('stage-data').click();
  await page.getByTestId('import-files').setInputFiles(path);
  // rows have been written, so the job and its half-written version are in the store
  await expect(page.getByText(/Importing big\.csv: [\d,]*[1-9][\d,]* rows/)).toBeVisible({ timeout: 30_000 });
  // The old page's worker letting go late, made certain: another tab queues for the import's writer locks
  // and, once the reload frees them, holds them for 3 s, so the new page's start-up sweep sees them held.
  const other = await page.context().newPage();
  await other.goto('./');
  const queued = await other.evaluate(async () => {
    const names = ((await navigator.locks.query()).held ?? []).map((l) => l.name ?? '').filter((n) => n.startsWith('pipette-writer-'));
    for (const name of names) void navigator.locks.request(name, () => new Promise((done) => setTimeout(done, 3000)));
    return names.length;
  });
  expect(queued).toBe(2); // the job's lock and its version's
  await page.reload();
  await expect(page.getByTestId('interrupted-job')).toContainText('An import of big.csv was interrupted', { timeout: 30_000 });
  // nothing of it was kept
  await expect(page.getByTestId('no-datasets')).toBeVisible();
});
