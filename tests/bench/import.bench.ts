import { expect, test } from '@playwright/test';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { generatedCsv } from './generated-csv';
import { report } from './report';

const ROWS = 1_000_000;

test('import', async ({ page }) => {
  const csv = await generatedCsv(ROWS, 42);

  await page.goto('./');
  await page.getByTestId('new-project-name').fill('Bench');
  await page.getByTestId('create-project').click();
  await page.getByTestId('stage-data').click();

  const started = Date.now();
  await page.getByTestId('import-files').setInputFiles(csv);
  await expect(page.getByTestId('import-done')).toBeVisible({ timeout: 600_000 });
  const seconds = (Date.now() - started) / 1000;
  report('import', 'csv_rows_per_second', ROWS / seconds, 'rows/s', '>= 300000');
  report('import', 'csv_import_seconds', seconds, 's', '1M x 10 CSV into a persisted version');
  await expect(page.getByTestId('version-meta')).toContainText('1,000,000 rows');

  // Reopen after a reload: time from navigation to the first rows on screen.
  await page.reload();
  await expect(page.getByTestId('row').first()).toContainText('red');
  const reopenMs = await page.evaluate(() => performance.now());
  report('import', 'reopen_after_reload_ms', reopenMs, 'ms', '< 1000');

  // Sorting a million rows by a float column, in the worker.
  const sortStart = Date.now();
  await page.getByTestId('sort-a').click();
  // Sorted: the first row on screen is no longer row 1 (its row number cell changes).
  await expect(page.getByTestId('row').first().getByRole('gridcell').first()).not.toHaveText('1', { timeout: 120_000 });
  report('import', 'sort_1m_rows_ms', Date.now() - sortStart, 'ms', 'informational');
});

test('bundle', async () => {
  // The main bundle: the entry script and the chunks index.html preloads (TF.js lives only in worker chunks).
  const html = readFileSync('dist/index.html', 'utf8');
  const scripts = [...html.matchAll(/(?:src|href)="\.?\/?(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  let gzip = 0;
  for (const s of new Set(scripts)) gzip += gzipSync(readFileSync(join('dist', s))).length;
  report('bundle', 'main_bundle_gzip_kb', gzip / 1024, 'KB', '< 200 (without TF.js)');
  const tfChunks = readdirSync('dist/assets').filter((f) => f.endsWith('.js') && readFileSync(join('dist/assets', f), 'utf8').includes('tfjs'));
  const mainHasTf = scripts.some((s) => tfChunks.includes(s.replace('assets/', '')) && readFileSync(join('dist', s), 'utf8').includes('registerKernel'));
  report('bundle', 'main_bundle_contains_tfjs', mainHasTf ? 1 : 0, 'bool', '0');
});
