/**
 * A project in one file (issue 18; npm run bench -- project-file): the demo project after its pipeline
 * trained, evaluated and pushed a model is exported from the home page and imported in a fresh browser
 * context. Reported: export and import speed in MB of the file per second (click to download; file chosen
 * to the project page), and the peak JS heap of the page and of the data worker while each runs (sampled
 * every 50 ms over the DevTools protocol, so a spike shorter than that can be missed; the Blobs the export
 * makes live in the browser's blob store, which neither heap counts).
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDemoPipelines, runPipeline } from '../e2e/pipeline-helpers';
import { generatedCsv } from './generated-csv';
import { report } from './report';
import { WorkerHeap, importThroughApp } from './worker-heap';

test.use({ trace: 'off', screenshot: 'off', video: 'off' });

/** The page's JS heap, sampled while `work` runs: the peak in MB. */
async function pagePeak<T>(page: Page, work: () => Promise<T>): Promise<{ value: T; peakMb: number }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  let peak = 0;
  const sample = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    peak = Math.max(peak, metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0);
  };
  const timer = setInterval(() => void sample().catch(() => {}), 50);
  try {
    const value = await work();
    await sample();
    return { value, peakMb: peak / 1024 / 1024 };
  } finally {
    clearInterval(timer);
    await cdp.detach().catch(() => {});
  }
}

test('project-file', async ({ browser }) => {
  test.setTimeout(900_000);
  const page = await openDemoPipelines(browser);
  await page.getByTestId('pipeline-create-demo').click();
  await runPipeline(page);
  await page.goto('./#/');
  await page.getByTestId('export-project').first().click();
  const dialog = page.getByTestId('export-dialog');
  // a refused import first: the data worker runs, so its heap can be watched from the start
  await page.getByTestId('project-file-input').setInputFiles({ name: 'x.pipette', mimeType: 'application/zip', buffer: Buffer.from('not a zip') }).catch(() => {});
  const workerHeap = await WorkerHeap.attach(browser);
  await workerHeap.start();
  const exported = await pagePeak(page, async () => {
    const started = Date.now();
    const download = page.waitForEvent('download', { timeout: 600_000 });
    await dialog.getByTestId('export-start').click();
    const file = await download;
    const seconds = (Date.now() - started) / 1000;
    const path = join(mkdtempSync(join(tmpdir(), 'pipette-bench-')), file.suggestedFilename());
    await file.saveAs(path);
    return { seconds, path };
  });
  const exportWorker = await workerHeap.stop();
  const mb = statSync(exported.value.path).size / 1024 / 1024;
  await page.context().close();

  const fresh = await (await browser.newContext()).newPage();
  await fresh.goto('./');
  await fresh.getByTestId('project-file-input').setInputFiles({ name: 'x.pipette', mimeType: 'application/zip', buffer: Buffer.from('not a zip') });
  await expect(fresh.getByTestId('project-import-error')).toBeVisible();
  const importHeap = await WorkerHeap.attach(browser);
  await importHeap.start();
  const imported = await pagePeak(fresh, async () => {
    const started = Date.now();
    await fresh.getByTestId('project-file-input').setInputFiles(exported.value.path);
    await expect(fresh.getByTestId('project-title')).toBeVisible({ timeout: 600_000 });
    return (Date.now() - started) / 1000;
  });
  const importWorker = await importHeap.stop();
  await fresh.context().close();

  const note = `demo project after the demo pipeline, file ${mb.toFixed(1)} MB`;
  report('project-file', 'file_mb', mb, 'MB', note);
  report('project-file', 'export_mb_per_second', mb / exported.value.seconds, 'MB/s', `${note}, ${exported.value.seconds.toFixed(2)} s click to download`);
  report('project-file', 'import_mb_per_second', mb / imported.value, 'MB/s', `${note}, ${imported.value.toFixed(2)} s file chosen to project page`);
  report('project-file', 'peak_page_mb', Math.max(exported.peakMb, imported.peakMb), 'MB', `page JS heap, export ${exported.peakMb.toFixed(1)} / import ${imported.peakMb.toFixed(1)}`);
  report('project-file', 'peak_data_worker_mb', Math.max(exportWorker.peakTotalMb, importWorker.peakTotalMb), 'MB',
    `data worker heap + ArrayBuffers: export ${exportWorker.peakTotalMb.toFixed(1)} (base ${exportWorker.baseMb.toFixed(1)}) / import ${importWorker.peakTotalMb.toFixed(1)} (base ${importWorker.baseMb.toFixed(1)}); the file is ${mb.toFixed(1)} MB`);
});

const LARGE_ROWS = 3_000_000;

// "A project of several hundred MB must not need twice its size in memory": the data worker's peak while
// exporting and importing a project holding one large version, against the file's size
test('project-file large', async ({ browser }) => {
  test.setTimeout(900_000);
  const csv = await generatedCsv(LARGE_ROWS, 7);
  const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
  await importThroughApp(page, 'Large', csv);
  await page.goto('./#/');
  await page.getByTestId('export-project').first().click();
  const heap = await WorkerHeap.attach(browser);
  await heap.start();
  const started = Date.now();
  const download = page.waitForEvent('download', { timeout: 800_000 });
  await page.getByTestId('export-dialog').getByTestId('export-start').click();
  const file = await download;
  const exportSeconds = (Date.now() - started) / 1000;
  const exportHeap = await heap.stop();
  const path = join(mkdtempSync(join(tmpdir(), 'pipette-bench-')), file.suggestedFilename());
  await file.saveAs(path);
  const mb = statSync(path).size / 1024 / 1024;
  await page.context().close();

  const fresh = await (await browser.newContext()).newPage();
  await fresh.goto('./');
  await fresh.getByTestId('project-file-input').setInputFiles({ name: 'x.pipette', mimeType: 'application/zip', buffer: Buffer.from('not a zip') });
  await expect(fresh.getByTestId('project-import-error')).toBeVisible();
  const importHeap = await WorkerHeap.attach(browser);
  await importHeap.start();
  const importStarted = Date.now();
  await fresh.getByTestId('project-file-input').setInputFiles(path);
  await expect(fresh.getByTestId('project-title')).toBeVisible({ timeout: 800_000 });
  const importSeconds = (Date.now() - importStarted) / 1000;
  const importPeak = await importHeap.stop();
  await fresh.context().close();

  const note = `one version of ${LARGE_ROWS.toLocaleString('en')} x 10 rows, file ${mb.toFixed(0)} MB`;
  report('project-file', 'large_file_mb', mb, 'MB', note);
  report('project-file', 'large_export_mb_per_second', mb / exportSeconds, 'MB/s', `${note}, ${exportSeconds.toFixed(1)} s`);
  report('project-file', 'large_import_mb_per_second', mb / importSeconds, 'MB/s', `${note}, ${importSeconds.toFixed(1)} s`);
  report('project-file', 'large_peak_data_worker_mb', Math.max(exportHeap.peakTotalMb, importPeak.peakTotalMb), 'MB',
    `data worker JS heap + ArrayBuffers: export ${exportHeap.peakTotalMb.toFixed(0)} (base ${exportHeap.baseMb.toFixed(0)}), import ${importPeak.peakTotalMb.toFixed(0)} (base ${importPeak.baseMb.toFixed(0)}); goal well under 2 x the ${mb.toFixed(0)} MB file`);
});
