/**
 * The demo pipeline end to end in the tab (issue 14's `npm run bench -- pipeline`, the tab's figures): the
 * demo project opened, the demo pipeline added and run from the Pipelines page, every component through its
 * stage in the workers (the Trainer's 60 epochs included), then run again with nothing changed: every
 * component but the Evaluator (whose baseline, production, the first run may have moved) and the Pusher
 * (a side effect, never cached) reuses its outputs. Seconds per component and per run come from the run
 * record's start and finish times (the page shows them as data attributes).
 *
 * Figures: tab_first_run_seconds, tab_cached_rerun_seconds (goal: under 5 % of the first run), and
 * tab_<component>_seconds of the first run.
 */
import { expect, test, type Page } from '@playwright/test';
import { report } from './report';

const BENCH = 'pipeline';

test.use({ trace: 'off', screenshot: 'off', video: 'off' });

interface Timed {
  id: string;
  state: string;
  started: number;
  finished: number;
}

/** The newest run's components, and its seconds from the first start to the last finish. */
async function newestRun(page: Page): Promise<{ components: Timed[]; seconds: number }> {
  const components = await page
    .getByTestId('pipeline-run')
    .first()
    .getByTestId('pipeline-component')
    .evaluateAll((rows) => rows.map((r) => ({ id: r.getAttribute('data-id')!, state: r.getAttribute('data-state')!, started: Number(r.getAttribute('data-started')), finished: Number(r.getAttribute('data-finished')) })));
  const seconds = (Math.max(...components.map((c) => c.finished)) - Math.min(...components.map((c) => c.started))) / 1000;
  return { components, seconds };
}

async function runAndWait(page: Page): Promise<void> {
  const before = await page.getByTestId('pipeline-run').count();
  await page.getByTestId('pipeline-run-button').click();
  await expect(page.getByTestId('pipeline-run')).toHaveCount(before + 1);
  await expect(page.getByTestId('pipeline-run').first()).toHaveAttribute('data-status', 'finished', { timeout: 600_000 });
}

test('the demo pipeline in the tab: first run and cached re-run', async ({ page }) => {
  await page.goto('./');
  await page.getByTestId('open-demo').click();
  await expect(page.getByTestId('project-title')).toBeVisible({ timeout: 120_000 });
  await page.getByTestId('stage-pipelines').click();
  await page.getByTestId('pipeline-create-demo').click();
  await expect(page.getByTestId('pipeline-version')).toHaveText('penguins v1');

  await runAndWait(page);
  const first = await newestRun(page);
  expect(first.components.every((c) => c.state === 'succeeded')).toBe(true);
  report(BENCH, 'tab_first_run_seconds', first.seconds, 's', 'the demo pipeline on the demo penguins (344 rows), ExampleGen to Pusher in the workers, from the first start to the last finish');
  for (const c of first.components) report(BENCH, `tab_${c.id}_seconds`, (c.finished - c.started) / 1000, 's', `first run, ${c.id}`);

  await runAndWait(page);
  const second = await newestRun(page);
  expect(second.components.find((c) => c.id === 'trainer')?.state).toBe('cached');
  const ratio = second.seconds / first.seconds;
  report(BENCH, 'tab_cached_rerun_seconds', second.seconds, 's', `goal < 5 % of the first run: ${(ratio * 100).toFixed(1)} %; cached: ${second.components.filter((c) => c.state === 'cached').map((c) => c.id).join(', ')}`);
});
