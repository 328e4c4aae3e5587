/**
 * AutoML (issue 17, `npm run bench -- tune`, or `-- tune-automl` alone): "Find a model for me" from the Tune
 * page with a 2-minute budget on the Palmer penguins (species) and on 1,500 MNIST digits (150 a class, the
 * training benches' zip: the demo's 10,000 would spend the budget on loading), each against the default
 * preset trained once on the same split (the search's first step).
 *
 * Figures: automl_<dataset>_2min_accuracy (the leaderboard winner's validation accuracy, the objective the
 * search ranks by) and preset_<dataset>_accuracy (the preset run's, its best epoch's, as the leaderboard
 * shows it); the same two on the test split (each run's final weights, never seen by the search), the
 * number of finished trials and how the search ended. PIPETTE_AUTOML_10MIN=1 adds the 10-minute budgets.
 */
import { expect, test, type Page } from '@playwright/test';
import { createProject, importFile, packageFile } from '../e2e/helpers';
import { importDigits, load } from './mnist-train';
import { report } from './report';

const BENCH = 'tune';

test.use({ trace: 'off', screenshot: 'off', video: 'off' });

interface Outcome {
  doneWhy: string;
  best: number;
  preset: number;
  bestTest: number | null;
  presetTest: number | null;
  finished: number;
  /** The search's own time (its saved elapsedMs) and the wall time from Start to "done", in seconds. */
  searchSeconds: number;
  wallSeconds: number;
}

/** The search's test accuracies and finished trials, from IndexedDB. */
function testAccuracies(page: Page, name: string, bestTrial: string, presetRun: string): Promise<{ bestTest: number | null; presetTest: number | null; finished: number; doneWhy: string; searchSeconds: number }> {
  return page.evaluate(
    ({ name, bestTrial, presetRun }) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('pipette');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(['tuneSearches', 'tuneTrials', 'runs']);
          const searches = tx.objectStore('tuneSearches').getAll();
          const trials = tx.objectStore('tuneTrials').getAll();
          const runs = tx.objectStore('runs').getAll();
          tx.oncomplete = () => {
            const search = (searches.result as { id: string; name: string; doneWhy: string; elapsedMs: number }[]).find((s) => s.name === name)!;
            const accuracy = (id: string) => (runs.result as { id: string; metrics: { summary: Record<string, number> } | null }[]).find((r) => r.id === id)?.metrics?.summary.accuracy ?? null;
            const bestRun = bestTrial === presetRun ? presetRun : `${search.id}-t${bestTrial}`;
            const finished = (trials.result as { searchId: string; status: string }[]).filter((t) => t.searchId === search.id && t.status === 'completed').length;
            open.result.close();
            resolve({ bestTest: accuracy(bestRun), presetTest: accuracy(presetRun), finished, doneWhy: search.doneWhy, searchSeconds: search.elapsedMs / 1000 });
          };
        };
      }),
    { name, bestTrial, presetRun },
  );
}

/** One AutoML search from the Tune page on the newest dataset version's default label. */
async function automl(page: Page, minutes: number, n: number): Promise<Outcome> {
  await page.getByTestId('stage-tune').click();
  const form = page.getByTestId('automl-form');
  if ((await form.getAttribute('open')) === null) await form.locator('summary').click();
  await page.getByTestId('automl-budget-custom').check();
  await page.getByTestId('automl-minutes').fill(String(minutes));
  const started = Date.now();
  await page.getByTestId('automl-start').click();
  await expect(page.locator('#tune-search-title')).toHaveText(`AutoML ${n}`, { timeout: 120_000 });
  await expect(page.getByTestId('tune-status')).toHaveText('done', { timeout: (minutes + 5) * 60_000 });
  const wallSeconds = (Date.now() - started) / 1000;
  const objectives = (await page.getByTestId('automl-objective').allTextContents()).map(Number);
  const presetRow = page.locator('[data-testid="automl-row"][data-preset="1"]');
  const preset = Number(await presetRow.getByTestId('automl-objective').textContent());
  const bestTrial = (await page.getByTestId('automl-row').first().getAttribute('data-trial'))!;
  const presetRun = (await presetRow.getAttribute('data-trial'))!;
  return { best: objectives[0]!, preset, wallSeconds, ...(await testAccuracies(page, `AutoML ${n}`, bestTrial, presetRun)) };
}

function reportAll(dataset: string, minutes: number, o: Outcome, withPreset: boolean): void {
  const note = `${load()}; ${o.finished} trials finished, ended by ${o.doneWhy}`;
  report(BENCH, `automl_${dataset}_${minutes}min_accuracy`, o.best, 'val accuracy', `> preset; ${note}`);
  if (o.bestTest !== null) report(BENCH, `automl_${dataset}_${minutes}min_test_accuracy`, o.bestTest, 'test accuracy', note);
  // the budget holds: the search's own time, and the wall time from Start to done (page work included)
  report(BENCH, `automl_${dataset}_${minutes}min_search_seconds`, Math.round(o.searchSeconds), 's', `<= ${minutes * 60} (the budget); ${load()}`);
  report(BENCH, `automl_${dataset}_${minutes}min_wall_seconds`, Math.round(o.wallSeconds), 's', `about ${minutes * 60}; ${load()}`);
  if (!withPreset) return;
  report(BENCH, `preset_${dataset}_accuracy`, o.preset, 'val accuracy', `the default preset, same split; ${load()}`);
  if (o.presetTest !== null) report(BENCH, `preset_${dataset}_test_accuracy`, o.presetTest, 'test accuracy', load());
}

const TEN = process.env.PIPETTE_AUTOML_10MIN === '1';

test('AutoML on the penguins against the default preset', async ({ page }) => {
  test.setTimeout(TEN ? 1_800_000 : 600_000);
  await createProject(page, 'AutoML bench penguins');
  await importFile(page, 'penguins.json', packageFile('vega-datasets', 'data/penguins.json'), 'application/json');
  await expect(page.getByTestId('import-done')).toContainText('344', { timeout: 60_000 });
  reportAll('penguins', 2, await automl(page, 2, 1), true);
  if (TEN) reportAll('penguins', 10, await automl(page, 10, 2), false);
});

test('AutoML on 1,500 MNIST digits against the default preset', async ({ page }) => {
  test.setTimeout(TEN ? 1_800_000 : 600_000);
  await createProject(page, 'AutoML bench MNIST');
  await importDigits(page);
  reportAll('mnist', 2, await automl(page, 2, 1), true);
  if (TEN) reportAll('mnist', 10, await automl(page, 10, 2), false);
});
