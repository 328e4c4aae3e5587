/**
 * Sliced evaluation (issue 7; npm run bench -- evaluate): 100,000 rows over 50 slices, with the default
 * bootstrap (200 Poisson replicates per slice and for the whole set), through the app in the training
 * worker. A small model is trained on 5,000 rows of a generated table, then evaluated on a 100,000-row
 * version of the same table (used whole) sliced by a column of 50 values. Reported: the evaluation's own
 * timings from its record (whole call; reading + encoding + predicting; metrics and intervals per slice),
 * and for comparison the same slicing of the same number of predictions by the core in Node.
 */
import { expect, test } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SliceEvaluator } from '../../src/core/evaluate/slices';
import { report } from './report';

const ROWS = 100_000;
const TRAIN_ROWS = 5_000;
const GROUPS = 50;
const dir = join(process.cwd(), '.bench');

// the shared test-results folder is cleaned by other runs: keep no artifacts
test.use({ trace: 'off', screenshot: 'off', video: 'off' });

/** x1..x6 numbers, a group of 50 values with its own effect, and a yes/no label from a noisy logistic rule. */
function generateCsv(name: string, rows: number, seed: number): string {
  let s = seed;
  const rand = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const lines = ['x1,x2,x3,x4,x5,x6,group,label'];
  for (let i = 0; i < rows; i++) {
    const x = Array.from({ length: 6 }, () => (rand() + rand() + rand() - 1.5) * 2);
    const g = Math.floor(rand() * rand() * GROUPS);
    const z = x[0]! - 0.8 * x[1]! + 0.5 * x[2]! + (g % 5) * 0.3 - 0.6 + (rand() - 0.5) * 1.5;
    lines.push(`${x.map((v) => v.toFixed(4)).join(',')},g${String(g).padStart(2, '0')},${z > 0 ? 'yes' : 'no'}`);
  }
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n'));
  return path;
}

test('evaluate', async ({ page }) => {
  test.setTimeout(900_000);
  await page.goto('./');
  await page.getByTestId('new-project-name').fill('Evaluate bench');
  await page.getByTestId('create-project').click();
  await page.getByTestId('stage-data').click();
  await page.getByTestId('import-files').setInputFiles(generateCsv('evaluate-train.csv', TRAIN_ROWS, 1));
  await expect(page.getByTestId('import-done')).toContainText('evaluate-train.csv', { timeout: 120_000 });
  await page.getByTestId('import-files').setInputFiles(generateCsv('evaluate-100k.csv', ROWS, 2));
  await expect(page.getByTestId('import-done')).toContainText('evaluate-100k.csv', { timeout: 300_000 });

  // a small MLP, one epoch on wasm: the model only has to exist
  await page.getByTestId('stage-train').click();
  if ((await page.getByTestId('new-run-toggle').getAttribute('aria-expanded')) === 'false') await page.getByTestId('new-run-toggle').click();
  const train = page.getByTestId('train-dataset').locator('option', { hasText: 'evaluate-train' });
  await page.getByTestId('train-dataset').selectOption((await train.getAttribute('value'))!);
  await page.getByTestId('train-label').selectOption('label');
  await page.getByTestId('train-backend').selectOption('wasm');
  await page.getByTestId('train-epochs').fill('1');
  await page.getByTestId('train-start').click();
  const view = page.getByTestId('run-view');
  await expect(view.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 300_000 });
  await view.getByTestId('save-model').click();
  await expect(view.getByTestId('saved-model')).toBeVisible();

  await page.getByTestId('stage-evaluate').click();
  const big = page.getByTestId('evaluate-data').locator('option', { hasText: 'evaluate-100k' });
  await page.getByTestId('evaluate-data').selectOption((await big.getAttribute('value'))!);
  await page.getByTestId('slice-column').selectOption('group');
  await page.getByTestId('slice-kind').selectOption('categorical');
  await page.getByTestId('slice-add').click();
  await expect(page.getByTestId('slice-bootstrap')).toHaveValue('200');

  const meta = page.getByTestId('evaluation-meta');
  // twice: the first reads the version from IndexedDB, the second finds its predictions in memory
  for (const run of ['first', 'again'] as const) {
    const before = (await meta.count()) ? await meta.getAttribute('data-evaluation-id') : '';
    const clicked = Date.now();
    await page.getByTestId('evaluate-run').click();
    await expect(meta).not.toHaveAttribute('data-evaluation-id', before!, { timeout: 600_000 });
    const wall = Date.now() - clicked;
    await expect(page.getByTestId('evaluate-error')).toHaveCount(0);
    const overall = page.getByTestId('slice-table').locator('[data-slice="overall"]');
    await expect(overall).toHaveAttribute('data-count', String(ROWS));
    // 50 slices of group (every value has rows), plus the whole set
    await expect(page.getByTestId('slice-row')).toHaveCount(GROUPS + 1);
    const ms = Number(await meta.getAttribute('data-ms'));
    const sliceMs = Number(await meta.getAttribute('data-slice-ms'));
    const dataMs = Number(await meta.getAttribute('data-data-ms'));
    const note = `${ROWS} rows, ${GROUPS} slices + overall, bootstrap 200`;
    report('evaluate', `sliced_evaluation_${run}_ms`, ms, 'ms', `${note}; whole call in the worker${run === 'first' ? ', reading the version from IndexedDB' : ', predictions kept from the first'} (page wall time ${wall} ms)`);
    report('evaluate', `sliced_evaluation_${run}_metrics_ms`, sliceMs, 'ms', `${note}; metrics and bootstrap intervals only`);
    if (run === 'first') report('evaluate', 'sliced_evaluation_data_ms', dataMs, 'ms', `${ROWS} rows read from IndexedDB, encoded and predicted in the worker`);
  }

  // the core alone in Node, same sizes: binary predictions, 50 groups, 200 replicates
  let s = 7;
  const rand = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const yTrue = Int32Array.from({ length: ROWS }, () => (rand() < 0.4 ? 1 : 0));
  const probs = new Float32Array(ROWS * 2);
  for (let i = 0; i < ROWS; i++) {
    const p = Math.min(0.99, Math.max(0.01, yTrue[i]! * 0.5 + rand() * 0.5));
    probs[2 * i] = 1 - p;
    probs[2 * i + 1] = p;
  }
  const group = Array.from({ length: ROWS }, () => `g${Math.floor(rand() * GROUPS)}`);
  const started = performance.now();
  const evaluator = new SliceEvaluator({ kind: 'classification', yTrue, probs, classes: ['no', 'yes'] }, { columns: { group } });
  const result = evaluator.result(evaluator.overall(), [evaluator.slicing({ column: 'group', kind: 'categorical' })]);
  const nodeMs = performance.now() - started;
  expect(result.slicings[0]!.slices).toHaveLength(GROUPS);
  report('evaluate', 'sliced_metrics_core_node_ms', nodeMs, 'ms', `the core alone in Node on ${ROWS} synthetic predictions, ${GROUPS} slices + overall, bootstrap 200`);
});
