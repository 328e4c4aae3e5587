/**
 * The Tune stage's pool (issue 17, `npm run bench -- tune`): the same Hyperband search (max_epochs 10,
 * factor 3: 30 trials, 120 epochs) on the Palmer penguins from the Tune page with 1 training worker and with
 * 2, timed from Start to done in wall time. The faster becomes DEFAULT_TUNE_WORKERS (app/workers/tune-pool.ts).
 *
 * Figures: hyperband_trials, hyperband_epochs (the schedule as run), trials_per_minute_1_worker,
 * trials_per_minute_2_workers, and the training worker's tensor count after the first and after the last
 * trial of the 1-worker search (tensors_after_first_trial, tensors_after_last_trial: flat = no leak; read
 * from each trial run's last epoch record in IndexedDB). Worker memory: a third 1-worker search is paused
 * once a trial has finished (the running one finishes too), the training worker's heap and ArrayBuffers
 * are read after a full garbage collection over the DevTools protocol (worker-heap.ts), then it continues
 * on, paused again after about 15 trials and at its 30: worker_heap_mb_after_{first,middle,30}_trials and
 * worker_buffers_mb_after_{first,middle,30}_trials.
 */
import { expect, test, type Page } from '@playwright/test';
import { createProject, importFile, packageFile } from '../e2e/helpers';
import { report } from './report';
import { load } from './mnist-train';
import { WorkerHeap } from './worker-heap';

const BENCH = 'tune';

test.use({ trace: 'off', screenshot: 'off', video: 'off' });

async function search(page: Page, workers: number, n: number): Promise<number> {
  if ((await page.locator('details.new').getAttribute('open')) === null) await page.locator('details.new > summary').click();
  await page.getByTestId('tune-max-epochs').fill('10');
  await page.getByTestId('tune-factor').fill('3');
  await page.getByTestId('tune-workers').selectOption(String(workers));
  const started = Date.now();
  await page.getByRole('button', { name: 'Start search' }).click();
  await expect(page.locator('#tune-search-title')).toHaveText(`Search ${n}`);
  await expect(page.getByTestId('tune-progress')).toContainText('Schedule: 30 trials, 120 epochs');
  await expect(page.getByTestId('tune-status')).toHaveText('done', { timeout: 900_000 });
  const seconds = (Date.now() - started) / 1000;
  await expect(page.getByTestId('tune-progress')).toContainText('30 of 30 trials finished · 120 epochs trained');
  return seconds;
}

/** A new project with the penguins imported, on its Tune page. */
async function penguinsOnTunePage(page: Page, project: string): Promise<void> {
  await createProject(page, project);
  await importFile(page, 'penguins.json', packageFile('vega-datasets', 'data/penguins.json'), 'application/json');
  await expect(page.getByTestId('import-done')).toContainText('344', { timeout: 60_000 });
  await page.getByTestId('stage-tune').click();
}

/** Each run's name and validation loss per epoch. */
function runLosses(page: Page): Promise<{ name: string; valLoss: number[] }[]> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('pipette');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const q = open.result.transaction('runs').objectStore('runs').getAll();
          q.onsuccess = () =>
            resolve((q.result as { config: { name: string }; history: { valLoss: number | null }[] }[]).map((r) => ({ name: r.config.name, valLoss: r.history.flatMap((h) => (typeof h.valLoss === 'number' ? [h.valLoss] : [])) })));
        };
      }),
  );
}

/** Each trial run's name, creation time and tensor count after its last epoch. */
function trialTensors(page: Page): Promise<{ name: string; createdAt: number; tensors: number }[]> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('pipette');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const q = open.result.transaction('runs').objectStore('runs').getAll();
          q.onsuccess = () =>
            resolve(
              (q.result as { config: { name: string }; createdAt: number; history: { numTensors: number }[] }[]).map((r) => ({ name: r.config.name, createdAt: r.createdAt, tensors: r.history.at(-1)?.numTensors ?? -1 })),
            );
        };
      }),
  );
}

test('Hyperband on the penguins with 1 and 2 training workers', async ({ page }) => {
  test.setTimeout(1_800_000);
  await penguinsOnTunePage(page, 'Tune bench');

  const one = await search(page, 1, 1);
  const first = (await trialTensors(page)).filter((r) => r.name.startsWith('Search 1 ')).sort((a, b) => a.createdAt - b.createdAt);
  const two = await search(page, 2, 2);
  report(BENCH, 'hyperband_trials', 30, 'trials', 'KerasTuner: 30 for max_epochs 10, factor 3');
  report(BENCH, 'hyperband_epochs', 120, 'epochs', 'KerasTuner: 120');
  report(BENCH, 'trials_per_minute_1_worker', (30 / one) * 60, 'trials/min', 'the faster sets the default');
  report(BENCH, 'trials_per_minute_2_workers', (30 / two) * 60, 'trials/min', 'the faster sets the default');
  report(BENCH, 'tensors_after_first_trial', first[0]!.tensors, 'tensors', 'flat across trials');
  report(BENCH, 'tensors_after_last_trial', first.at(-1)!.tensors, 'tensors', 'flat across trials');
  report(BENCH, 'tensors_max_minus_min_trials_2_to_30', Math.max(...first.slice(1).map((r) => r.tensors)) - Math.min(...first.slice(1).map((r) => r.tensors)), 'tensors', '0');
});

test('the training worker\'s memory across 30 trials', async ({ page, browser }) => {
  test.setTimeout(900_000);
  await penguinsOnTunePage(page, 'Tune bench: memory');
  if ((await page.locator('details.new').getAttribute('open')) === null) await page.locator('details.new > summary').click();
  await page.getByTestId('tune-max-epochs').fill('10');
  await page.getByTestId('tune-factor').fill('3');
  await page.getByTestId('tune-workers').selectOption('1');
  await page.getByRole('button', { name: 'Start search' }).click();
  const completed = () => page.locator('[data-testid="tune-trial"][data-status="completed"]').count();
  let heap: WorkerHeap | null = null;
  /** Pause once `n` trials finished (the running one finishes too), read the settled worker, continue. */
  const pausedAt = async (n: number): Promise<{ trials: number; mb: { heap: number; buffers: number } }> => {
    await expect.poll(completed, { timeout: 120_000, intervals: [50] }).toBeGreaterThanOrEqual(n);
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect(page.getByTestId('tune-status')).toHaveText('paused', { timeout: 120_000 });
    // the pool's first worker, named with its thread count ("train (1 thread)": protocol/train.ts trainWorkerName)
    heap ??= await WorkerHeap.attach(browser, (t) => t.type === 'worker' && /^train( \(|$)/.test(t.title));
    const at = { trials: await completed(), mb: await heap.settledMb() };
    await page.getByRole('button', { name: 'Continue' }).click();
    return at;
  };
  const early = await pausedAt(1);
  const middle = await pausedAt(15);
  await expect(page.getByTestId('tune-status')).toHaveText('done', { timeout: 900_000 });
  await expect(page.getByTestId('tune-progress')).toContainText('30 of 30 trials finished');
  const last = await heap!.settledMb();
  const note = `after a full GC; flat across trials; ${load()}`;
  const figures = (at: string, mb: { heap: number; buffers: number }, done: string) => {
    report(BENCH, `worker_heap_mb_after_${at}_trials`, Number(mb.heap.toFixed(2)), 'MB', `JS heap; ${done}${note}`);
    report(BENCH, `worker_buffers_mb_after_${at}_trials`, Number(mb.buffers.toFixed(2)), 'MB', `ArrayBuffers and wasm memory; ${done}${note}`);
  };
  figures('first', early.mb, `${early.trials} trials done; `);
  figures('middle', middle.mb, `${middle.trials} trials done; `);
  figures('30', last, '');
});

/**
 * Hyperband against random search at the same epoch budget (issue 17): Hyperband max_epochs 10, factor 3
 * (120 epochs over 30 trials, most of them short) and random search of 12 trials x 10 epochs (120 epochs),
 * the same suggested space, seed and 2 workers, on the penguins from the Tune page. Figures:
 * hyperband_best_accuracy and random_best_accuracy, the best validation accuracy of any trial of each.
 */
test('Hyperband against random search at 120 epochs on the penguins', async ({ page }) => {
  test.setTimeout(1_800_000);
  await penguinsOnTunePage(page, 'Tune bench: Hyperband vs random');
  const best = async (): Promise<number> => Math.max(...(await page.getByTestId('trial-best').allTextContents()).map(Number));

  await search(page, 2, 1);
  const hyperband = await best();

  if ((await page.locator('details.new').getAttribute('open')) === null) await page.locator('details.new > summary').click();
  await page.getByTestId('tune-algorithm').selectOption('random');
  await page.getByTestId('tune-max-trials').fill('12');
  await page.getByLabel('Epochs per trial').fill('10');
  await page.getByRole('button', { name: 'Start search' }).click();
  await expect(page.locator('#tune-search-title')).toHaveText('Search 2');
  await expect(page.getByTestId('tune-status')).toHaveText('done', { timeout: 900_000 });
  await expect(page.getByTestId('tune-progress')).toContainText('12 of 12 trials finished · 120 epochs trained');
  const random = await best();
  report(BENCH, 'hyperband_best_accuracy', hyperband, 'validation accuracy', 'the best trial of Hyperband 10/3 (120 epochs)');
  report(BENCH, 'random_best_accuracy', random, 'validation accuracy', 'the best of 12 random trials x 10 epochs (120 epochs)');
  // the penguins' validation rows are easily all right: the lowest validation loss of any epoch tells the searches apart
  const losses = await runLosses(page);
  const lowest = (search: string) => Math.min(...losses.filter((r) => r.name.startsWith(`${search} `)).flatMap((r) => r.valLoss));
  report(BENCH, 'hyperband_best_val_loss', lowest('Search 1'), 'validation loss', 'lowest of any epoch of any trial');
  report(BENCH, 'random_best_val_loss', lowest('Search 2'), 'validation loss', 'lowest of any epoch of any trial');
});
