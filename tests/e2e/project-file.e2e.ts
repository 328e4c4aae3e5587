/**
 * A project in one file (issue 18) in real Chromium: the demo project, after its pipeline trained and
 * evaluated a model, is exported from the home page and imported in a fresh browser context; the copy has
 * the same rows, statistics, predictions and lineage. A truncated or altered file is refused naming what
 * is wrong and leaves no project; a workshop link on the same site opens a workshop file.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataStart, readZipDirectory, type ReadAt } from '../../src/core/project-file/zip-read';
import { openDemoPipelines, runPipeline } from './pipeline-helpers';
import { PENGUIN } from './helpers';

test.describe.configure({ mode: 'serial' });

/** What the round trip compares, read the same way on both sides. */
interface Observed {
  rows: string[];
  statistic: string;
  probabilities: Record<string, number>;
  lineage: string[];
}

let exported = '';
let workshopFile = '';
let original: Observed;

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

async function observe(page: Page): Promise<Observed> {
  await page.getByTestId('stage-data').click();
  await page.getByTestId('version-link').first().click();
  const grid = page.getByTestId('data-table');
  await expect(grid.getByTestId('row').first()).toBeVisible();
  const rows = (await grid.getByTestId('row').allInnerTexts()).slice(0, 5);

  await page.getByTestId('stage-validate').click();
  await expect(page.getByTestId('validate-version-select').locator('option:checked')).toHaveText('Palmer penguins v1 (344 rows)', { timeout: 120_000 });
  const mass = page.locator('[data-testid="stats-row"][data-column="Body Mass (g)"]');
  const statistic = (await mass.getByTestId('stat-mean').getAttribute('data-value'))!;

  await page.getByTestId('stage-registry').click();
  await expect(page.getByTestId('model-item')).toContainText('penguins-pipeline');
  const panel = page.getByTestId('predict-panel');
  const fields = await panel.locator('[data-testid^="predict-field-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.slice('predict-field-'.length)));
  for (const column of fields) await panel.getByTestId(`predict-field-${column}`).fill(PENGUIN[column as keyof typeof PENGUIN] ?? '');
  await panel.getByTestId('predict-run').click();
  await expect(panel.getByTestId('predict-prob')).toHaveCount(3);
  const probabilities: Record<string, number> = {};
  for (const li of await panel.getByTestId('predict-prob').all()) probabilities[(await li.getAttribute('data-label'))!] = Number(await li.getAttribute('data-value'));

  await page.getByTestId('stage-pipelines').click();
  const graph = page.getByTestId('lineage-panel').getByTestId('lineage-graph');
  await expect(graph.getByTestId('lineage-node')).toHaveCount(10);
  const lineage = await graph.getByTestId('lineage-node').evaluateAll((els, uuid) =>
    els.map((e) => [e.getAttribute('data-type'), e.getAttribute('data-depth'), (e.getAttribute('data-uri') ?? '').replace(new RegExp(uuid, 'g'), '<id>'), e.textContent?.trim()].join(' | ')),
    UUID.source,
  );
  return { rows, statistic, probabilities, lineage: lineage.sort() };
}

async function exportFrom(page: Page, workshop: boolean): Promise<string> {
  await page.goto('./#/');
  await page.getByTestId('export-project').first().click();
  const dialog = page.getByTestId('export-dialog');
  await dialog.getByTestId('export-workshop').setChecked(workshop);
  const download = page.waitForEvent('download');
  await dialog.getByTestId('export-start').click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/\.pipette$/);
  await expect(dialog.getByTestId('export-done')).toContainText(file.suggestedFilename());
  const path = join(mkdtempSync(join(tmpdir(), 'pipette-project-file-')), workshop ? 'workshop.pipette' : 'demo.pipette');
  await file.saveAs(path);
  await dialog.getByTestId('export-close').click();
  return path;
}

async function freshPage(browser: Browser, options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
  const page = await (await browser.newContext(options)).newPage();
  await page.goto('./');
  await expect(page.getByTestId('no-projects')).toBeVisible();
  return page;
}

test('the demo project after training and evaluating exports as one file', async ({ browser }) => {
  test.setTimeout(400_000);
  const page = await openDemoPipelines(browser);
  await page.getByTestId('pipeline-create-demo').click();
  await runPipeline(page);
  // the Evaluator blessed the model and the Pusher made it production
  await expect(page.getByTestId('pipeline-run').first()).toHaveAttribute('data-outcome', 'succeeded');
  original = await observe(page);
  exported = await exportFrom(page, false);
  // the teacher chooses the workshop's lessons on the Lessons page, then exports a workshop file
  await page.getByTestId('project-link').first().click();
  await page.getByTestId('stage-lessons').click();
  const chooser = page.getByTestId('workshop-chooser');
  await chooser.locator('summary').click();
  for (const id of ['pruning', 'distillation']) await chooser.locator(`[data-testid="workshop-lesson"][data-lesson="${id}"]`).check();
  await chooser.getByTestId('workshop-save').click();
  await expect(chooser.getByTestId('workshop-saved')).toHaveText('Workshop saved: 2 lessons.');
  workshopFile = await exportFrom(page, true);
  await page.context().close();
});

test('a truncated, an altered and a tampered file are refused naming what is wrong (en, zh-TW), and leave no project', async ({ browser }) => {
  const page = await freshPage(browser);
  const bytes = readFileSync(exported);
  const input = page.getByTestId('project-file-input');
  await input.setInputFiles({ name: 'cut.pipette', mimeType: 'application/zip', buffer: bytes.subarray(0, bytes.length - 5000) });
  await expect(page.getByTestId('project-import-error')).toHaveText('The project file ends early: it was cut off while it was downloaded or copied. Get the whole file again. Nothing was imported.');
  // one byte of the first Arrow batch flipped: the zip is intact, its checksum is not
  const altered = Buffer.from(bytes);
  const read: ReadAt = async (o, n) => altered.subarray(o, o + n);
  const entry = (await readZipDirectory(altered.length, read)).get('tables/batches/0001.bin')!;
  altered[(await dataStart(entry, altered.length, read)) + 200]! ^= 0xff;
  await input.setInputFiles({ name: 'altered.pipette', mimeType: 'application/zip', buffer: altered });
  await expect(page.getByTestId('project-import-error')).toHaveText('The project file was altered or damaged: its entry tables/batches/0001.bin (table batches) does not match its SHA-256 checksum. Nothing was imported.');
  await page.reload();
  await expect(page.getByTestId('no-projects')).toBeVisible();

  // in zh-TW: the altered file, and a record of another project with every checksum redone
  await page.goto('./#/settings');
  await page.getByTestId('locale-select').selectOption('zh-TW');
  await page.goto('./#/');
  await input.setInputFiles({ name: 'altered.pipette', mimeType: 'application/zip', buffer: altered });
  await expect(page.getByTestId('project-import-error')).toHaveText('專案檔已被修改或損壞：其項目 tables/batches/0001.bin（資料表 batches）與 SHA-256 檢查碼不符。 沒有匯入任何內容。');
  const entries = unzipSync(bytes);
  const models = JSON.parse(strFromU8(entries['tables/models/0001.json']!)) as { projectId: string }[];
  models[0]!.projectId = '00000000-0000-4000-8000-000000000000';
  entries['tables/models/0001.json'] = strToU8(JSON.stringify(models));
  const manifest = JSON.parse(strFromU8(entries['manifest.json']!)) as { entries: Record<string, { sha256: string; bytes: number }> };
  manifest.entries['tables/models/0001.json'] = { sha256: createHash('sha256').update(entries['tables/models/0001.json']).digest('hex'), bytes: entries['tables/models/0001.json'].length };
  entries['manifest.json'] = strToU8(JSON.stringify(manifest));
  await input.setInputFiles({ name: 'foreign-record.pipette', mimeType: 'application/zip', buffer: Buffer.from(zipSync(entries)) });
  await expect(page.getByTestId('project-import-error')).toHaveText(
    '資料表 models 的第 1 筆紀錄（項目 tables/models/0001.json）不屬於這個檔案的專案：其欄位 projectId 指向別處。 沒有匯入任何內容。',
  );
  await page.reload();
  await expect(page.getByTestId('no-projects')).toBeVisible();
  await page.context().close();
});

test('imported in a fresh browser context: the same rows, statistics, predictions and lineage', async ({ browser }) => {
  test.setTimeout(300_000);
  const page = await freshPage(browser);
  await page.getByTestId('project-file-input').setInputFiles(exported);
  await expect(page.getByTestId('project-title')).toBeVisible({ timeout: 120_000 });
  const copy = await observe(page);
  expect(copy.rows).toEqual(original.rows);
  expect(copy.statistic).toBe(original.statistic);
  // the same weights; a fresh worker may predict on another backend than the one that trained: float rounding
  for (const [label, p] of Object.entries(original.probabilities)) expect(Math.abs(copy.probabilities[label]! - p), label).toBeLessThan(1e-5);
  expect(copy.lineage).toEqual(original.lineage);
  await page.context().close();
});

test('a workshop link on the same site opens the workshop file as a new project at its first lesson', async ({ browser }) => {
  // no service worker: the link's file is served by this test's route, as a static host would serve it
  const page = await freshPage(browser, { serviceWorkers: 'block' });
  await page.route('**/workshop.pipette', (route) => route.fulfill({ body: readFileSync(workshopFile), contentType: 'application/zip' }));
  await page.goto('./#/open?file=workshop.pipette');
  await expect(page.getByTestId('project-title')).toBeVisible({ timeout: 120_000 });
  // the Lessons page, at the first chosen lesson
  expect(new URL(page.url()).hash).toMatch(/^#\/p\/[^/]+\/lessons/);
  await expect(page.getByTestId('lesson-view')).toHaveAttribute('data-lesson', 'pruning');
  await page.goto('./#/open?file=https://example.com/workshop.pipette');
  await expect(page.getByTestId('project-import-error')).toContainText('which is not on this site');
  await page.context().close();
});

