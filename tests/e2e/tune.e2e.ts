import { expect, test, type Browser, type Page, type Worker as PwWorker } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';
import { createProject, importFile, packageFile } from './helpers';
import { trainWorkerName } from '../../src/protocol/train';

// The Tune stage (issue 17) in Chromium: a Hyperband search on the Palmer penguins, reloaded while it runs
// and then with one of its training workers dead, continues and finishes with exactly its schedule's trials;
// the best trial is saved to the registry with the search in its lineage, and the trials exported. The search: max_epochs 10, factor 3, one iteration = KerasTuner's 30 trials (22
// new, 8 promoted) and 120 epochs.
test.describe.configure({ mode: 'serial' });

let page: Page;

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  page = await (await browser.newContext({ acceptDownloads: true })).newPage();
  await createProject(page, 'Tune penguins');
  await importFile(page, 'penguins.json', packageFile('vega-datasets', 'data/penguins.json'), 'application/json');
  await expect(page.getByTestId('import-done')).toContainText('344', { timeout: 60_000 });
});

test.afterAll(async () => {
  await page.context().close();
});

const trials = () => page.getByTestId('tune-trial');
/** The best trial's objective as the trials table shows it (4 decimals). */
let bestObjective = '';

test('a Hyperband search reloaded mid-search finishes with its schedule', async () => {
  test.setTimeout(300_000);
  await page.getByTestId('stage-tune').click();
  await expect(page.getByTestId('tune-page')).toBeVisible();
  await page.getByTestId('tune-max-epochs').fill('10');
  await page.getByTestId('tune-factor').fill('3');
  await expect(page.getByTestId('tune-problems')).toHaveCount(0);
  await page.getByRole('button', { name: 'Start search' }).click();
  await expect(page.getByTestId('tune-progress')).toContainText('Schedule: 30 trials, 120 epochs');

  // reload once five trials have finished, while the search runs
  await expect.poll(() => page.locator('[data-testid="tune-trial"][data-status="completed"]').count(), { timeout: 120_000, intervals: [100] }).toBeGreaterThanOrEqual(5);
  await expect(page.getByTestId('tune-status')).toHaveText('running');
  await page.reload();
  await expect(page.getByTestId('tune-page')).toBeVisible();

  // then the app's training worker (pool slot 0) dies while both slots train: it closes itself, from inside
  // (as a crash or an out-of-memory kill ends it: no event, its calls never answered). The pool sees its life
  // lock come free, starts a fresh worker, and the trial it was training resumes from its last checkpoint.
  await expect.poll(() => page.locator('[data-testid="tune-trial"][data-status="completed"]').count(), { timeout: 120_000, intervals: [100] }).toBeGreaterThanOrEqual(12);
  const resumes = async () => (await page.locator('[data-testid="tune-trial"] td[data-resumed]').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-resumed'))))).reduce((a, b) => a + b, 0);
  const resumedBefore = await resumes();
  // the wasm backend's thread workers, parked in Atomics.wait, never answer: they count as unnamed after 2 s
  const nameOf = (w: PwWorker) => Promise.race([w.evaluate(() => self.name), new Promise<string>((r) => setTimeout(() => r(''), 2000))]).catch(() => '');
  // a penguins trial lasts under a second, so a close can fall between two of slot 0's trials (or while slot 0
  // waits for the other slot's trial that ends a bracket), where it loses nothing and nothing is resumed: then
  // the fresh slot-0 worker is closed again (at most 4 times)
  for (let attempt = 0; attempt < 4 && (await resumes()) === resumedBefore; attempt++) {
    await expect.poll(() => page.locator('[data-testid="tune-trial"][data-status="running"]').count(), { timeout: 60_000, intervals: [20] }).toBe(2);
    const named = await Promise.all(page.workers().map(async (w) => ({ w, name: await nameOf(w) })));
    if (attempt === 0) {
      // a penguins model's step is far below the threshold for threads: both workers started on one wasm
      // thread (app/workers/train-threads.ts), not two threads each on the shared cores
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      const names = named.map((x) => x.name).filter((n) => n.startsWith('train'));
      expect(names.sort()).toEqual([trainWorkerName('train', cores > 1 ? 1 : null), trainWorkerName('train-2', cores > 1 ? 1 : null)]);
    }
    // slot 0 is the app's training worker: 'train', or 'train (1 thread)' as two workers share 2 cores
    const slot0 = named.find((x) => x.name === 'train' || x.name.startsWith('train ('))!.w;
    const closed = slot0.waitForEvent('close', { timeout: 30_000 });
    // closed at once, while both slots were just seen training (not awaited: the evaluate's answer may be lost)
    void slot0.evaluate(() => void setTimeout(() => self.close(), 0)).catch(() => {});
    await closed;
    const completedAtClose = await page.locator('[data-testid="tune-trial"][data-status="completed"]').count();
    // a trial the close interrupted is resumed at once (the life lock comes free as the thread ends); once
    // three more trials have finished without a resume, the close missed
    await page
      .waitForFunction(
        ({ before, completed }) => {
          const cells = [...document.querySelectorAll('[data-testid="tune-trial"] td[data-resumed]')];
          const sum = cells.reduce((a, td) => a + Number(td.getAttribute('data-resumed')), 0);
          const now = document.querySelectorAll('[data-testid="tune-trial"][data-status="completed"]').length;
          return sum > before || now >= completed + 3 || document.querySelector('[data-testid="tune-status"]')?.textContent === 'done';
        },
        { before: resumedBefore, completed: completedAtClose },
        { timeout: 15_000 },
      )
      .catch(() => {});
    if ((await page.getByTestId('tune-status').textContent()) === 'done') break;
  }
  await expect(page.getByTestId('tune-status')).toHaveText('done', { timeout: 150_000 });
  expect(await resumes()).toBeGreaterThan(resumedBefore);
  await expect(page.getByTestId('tune-why')).toHaveText('The schedule is complete.');
  await expect(trials()).toHaveCount(30);
  await expect(page.locator('[data-testid="tune-trial"][data-status="completed"]')).toHaveCount(30);
  await expect(page.getByTestId('tune-progress')).toContainText('30 of 30 trials finished · 120 epochs trained');
  // the trials that were running at the reload (one per worker) continued their runs from their last checkpoints
  expect(await page.locator('[data-testid="tune-trial"] td[data-resumed="1"]').count()).toBeGreaterThanOrEqual(1);
  // the table sorts by the objective from its header
  await page.getByTestId('sort-best').click();
  const bests = await page.getByTestId('trial-best').allTextContents();
  expect(bests.map(Number)).toEqual([...bests.map(Number)].sort((a, b) => b - a));
  // the chart's last point: the best so far over all 30 trials is the table's best objective
  const chart = page.getByTestId('tune-chart');
  await chart.getByTestId('chart-plot').focus();
  await page.keyboard.press('End');
  const readout = chart.getByTestId('chart-readout');
  await expect(readout).toHaveAttribute('data-x', '30');
  const bestSoFar = Number(await readout.locator('[data-series="Best so far"]').getAttribute('data-value'));
  expect(bestSoFar.toFixed(4)).toBe(bests[0]);
  bestObjective = bests[0]!;
  await expect(page.getByTestId('tune-parallel')).toBeVisible();
});

test('the trials export as CSV, one row each', async () => {
  const download = page.waitForEvent('download');
  await page.getByTestId('tune-export-csv').click();
  const text = readFileSync((await (await download).path())!, 'utf8');
  const rows = text.trim().split('\r\n');
  expect(rows[0]).toMatch(/^trial,status,parent,bracket,round,initial_epoch,epochs,best_epoch,val_acc,/);
  expect(rows).toHaveLength(31);
  // 8 promoted trials, each continuing its parent (2 -> 4 and 4 -> 10 epochs)
  expect(rows.filter((r) => /^\d{4},completed,\d{4},/.test(r))).toHaveLength(8);
});

test('"Train the best" opens its run on the Train page', async () => {
  const href = await page.getByTestId('tune-train-best').getAttribute('href');
  const runId = decodeURIComponent(href!.split('fromRun=')[1]!);
  await page.getByTestId('tune-train-best').click();
  await expect(page.locator(`[data-testid="run-view"][data-run-id="${runId}"]`)).toBeVisible();
  await expect(page.locator(`[data-testid="run-view"][data-run-id="${runId}"]`).getByTestId('run-status')).toHaveAttribute('data-status', 'done');
  await page.getByTestId('stage-tune').click();
});

test('the best trial is saved to the registry and exported', async () => {
  await page.getByTestId('tune-save-best').click();
  await expect(page.getByTestId('tune-saved')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('stage-registry').click();
  await expect(page.getByText(/Search 1 · trial \d{4}/).first()).toBeVisible();
  // its lineage names the search, the trial and its objective, and links back to the search
  const lineage = page.getByTestId('model-tune-lineage');
  await expect(lineage).toHaveText(new RegExp(`^From Tune search "Search 1", trial \\d{4} \\(val_acc ${bestObjective.replace('.', '\\.')}\\)$`));
  // exported as a TF.js bundle whose metadata carries the same lineage, and whose weight files model.json names are all there
  const trialId = /trial (\d{4})/.exec((await lineage.textContent())!)![1];
  const download = page.waitForEvent('download');
  await page.getByTestId('model-item').filter({ hasText: /Search 1 · trial/ }).getByTestId('model-download').click();
  const files = unzipSync(new Uint8Array(Buffer.concat(await (await (await download).createReadStream()).toArray())));
  const modelJson = JSON.parse(strFromU8(files['model.json']!)) as { weightsManifest: { paths: string[] }[] };
  for (const path of modelJson.weightsManifest.flatMap((g) => g.paths)) expect(files[path]?.length ?? 0).toBeGreaterThan(0);
  const metadata = JSON.parse(strFromU8(files['metadata.json']!)) as { lineage: { tune?: { searchName: string; trialId: string; objective: { metric: string } } } };
  expect(metadata.lineage.tune).toMatchObject({ searchName: 'Search 1', trialId, objective: { metric: 'val_acc' } });
  await lineage.click();
  await expect(page.getByTestId('tune-page')).toBeVisible();
  await expect(page.locator('#tune-search-title')).toHaveText('Search 1');
});
