/**
 * Transform (issue 13): analyze and apply a transform over the generated 1,000,000 x 20 table in the data
 * worker, through the app, one record batch at a time; and the core alone in Node on the same table.
 *
 * The spec: z_score of the 12 float columns, bucketize(10) of the 4 integer columns, a vocabulary of each
 * of the two string columns (18 steps). The page analyzes the Train stage's training split (70 % of the
 * rows, unstratified here: no label); the worker's record says how long each phase took: fit (every
 * analyzer pass) and statistics (each chunk's steps applied and fed to the Validate accumulator).
 *
 * Figures: analyze_apply_rows_per_second (training rows / (fit + statistics pass), in the worker),
 * peak_worker_mb (the data worker's JS heap + ArrayBuffers, sampled over CDP; worker-heap.ts) and
 * version_arrow_mb (the version's stored Arrow bytes); goal: >= 1,000,000 rows/s, memory under twice the
 * version's Arrow size. In Node: fitTransform + applyChunk over the table's 64k-row batches.
 */
import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import { openAsBlob } from 'node:fs';
import { decodeBatch } from '../../src/core/data/arrow';
import { importArrow } from '../../src/core/data/arrowfile';
import { applyChunk, evaluateChunk } from '../../src/core/transform/apply';
import { prepare } from '../../src/core/transform/reader.js';
import { chunkFromBatch } from '../../src/core/transform/chunk-arrow';
import { fitTransform } from '../../src/core/transform/fit';
import type { TransformSpec } from '../../src/core/transform/spec';
import type { SpecColumn } from '../../src/core/transform/check';
import { ROWS, generatedFile } from './generated-table';
import { report } from './report';
import { WorkerHeap, importThroughApp, isDataWorker } from './worker-heap';

const dir = join(process.cwd(), '.bench');
const BENCH = 'transform-1m-x-20';

test.use({ trace: 'off', screenshot: 'off', video: 'off' });

const FLOATS = Array.from({ length: 12 }, (_, c) => `n${c}`);
const INTEGERS = Array.from({ length: 4 }, (_, c) => `i${c}`);
const SPEC: TransformSpec = {
  steps: [
    ...FLOATS.map((c) => ({ name: `${c}_z`, op: 'z_score' as const, inputs: [c] })),
    ...INTEGERS.map((c) => ({ name: `${c}_bucket`, op: 'bucketize' as const, inputs: [c], params: { num_buckets: 10 } })),
    ...['color', 'code'].map((c) => ({ name: `${c}_id`, op: 'vocabulary' as const, inputs: [c] })),
  ],
};

interface StoredVersion {
  byteSize: number;
}
interface StoredTransform {
  fitted: { rows: number };
  seconds: number;
  timings: { split: number; fit: number; stats: number };
}

/** The newest transform record and the dataset version's stored size, read straight from IndexedDB. */
function readRecords(page: Page): Promise<{ transform: StoredTransform; version: StoredVersion }> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('pipette');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(['transforms', 'versions'], 'readonly');
          const transforms = tx.objectStore('transforms').getAll();
          const versions = tx.objectStore('versions').getAll();
          tx.oncomplete = () => {
            open.result.close();
            const t = (transforms.result as (StoredTransform & { createdAt: number })[]).sort((a, b) => b.createdAt - a.createdAt)[0]!;
            resolve({ transform: t, version: (versions.result as StoredVersion[])[0]! });
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
}

test('analyze and apply a transform over a generated 1,000,000 x 20 table', async ({ page, browser }) => {
  const { path } = generatedFile(dir);
  await importThroughApp(page, 'Bench transform', path);
  await page.getByTestId('stage-transform').click();
  await page.getByTestId('transform-label-select').selectOption('');
  await page.getByTestId('json-open').click();
  await page.getByTestId('json-text').fill(JSON.stringify(SPEC));
  await page.getByTestId('json-apply').click();
  await expect(page.getByTestId('transform-step')).toHaveCount(SPEC.steps.length);
  await expect(page.getByTestId('transform-refusal')).toHaveCount(0);

  // the page has the data worker running (its version list); sample its heap through the analyze
  const cdp = await browser.newBrowserCDPSession();
  await expect.poll(async () => (await cdp.send('Target.getTargets')).targetInfos.some(isDataWorker)).toBe(true);
  await cdp.detach();
  const heap = await WorkerHeap.attach(browser);
  await heap.start();
  await page.getByTestId('transform-analyze').click();
  await expect(page.getByTestId('transform-view-title')).toHaveText('transform v1', { timeout: 600_000 });
  const memory = await heap.stop();

  const { transform, version } = await readRecords(page);
  const trainRows = transform.fitted.rows;
  // the training split of a million rows at 70 %
  expect(trainRows).toBe(Math.round(ROWS * 0.7));
  const { fit, stats } = transform.timings;
  report(BENCH, 'analyze_apply_rows_per_second', trainRows / (fit + stats), 'rows/s', '>= 1,000,000 (training rows / (fit + statistics pass) in the worker)');
  report(BENCH, 'fit_seconds', fit, 's', `every analyzer pass over ${trainRows} training rows`);
  report(BENCH, 'stats_pass_seconds', stats, 's', 'the steps applied to each chunk and fed to the statistics');
  report(BENCH, 'split_seconds', transform.timings.split, 's', 'informational: reading the split');
  report(BENCH, 'peak_worker_mb', memory.peakTotalMb, 'MB', '< 2 x version_arrow_mb (JS heap + ArrayBuffers, sampled every 50 ms)');
  report(BENCH, 'worker_before_mb', memory.baseMb, 'MB', 'informational: at the start of the analyze');
  report(BENCH, 'version_arrow_mb', version.byteSize / 1024 / 1024, 'MB', 'the stored Arrow IPC of the version');

  // the core alone in Node, on all rows of the same table read by the same importer: analyze, then apply
  const batches: RecordBatch[] = [];
  const file = Object.assign(await openAsBlob(path), { name: 'generated-1m-x-20.arrow' }) as unknown as File;
  await importArrow(file, { write: async (b) => void batches.push(decodeBatch(b.ipc)), reset: async () => void (batches.length = 0) });
  expect(batches.reduce((n, b) => n + b.numRows, 0)).toBe(ROWS);
  const columns: SpecColumn[] = [...FLOATS.map((name) => ({ name, type: 'number' as const })), ...INTEGERS.map((name) => ({ name, type: 'integer' as const }))];
  columns.push({ name: 'color', type: 'categorical' }, { name: 'code', type: 'categorical' });
  const names = columns.map((c) => c.name);
  const started = performance.now();
  const fitted = await fitTransform(SPEC, columns, async function* () {
    for (const b of batches) yield chunkFromBatch(b, names);
  });
  const fittedAt = performance.now();
  // apply as tf.Transform's output: every step's column (indices stay integers)
  const steps = new Map(prepare(fitted).steps.map((ps) => [ps.name, ps]));
  let values = 0;
  for (const b of batches) {
    const out = evaluateChunk(chunkFromBatch(b, names), steps, steps.keys());
    // every step here is a number or an index: one value a row
    for (const name of steps.keys()) values += (out.get(name) as { values: ArrayLike<number> }).values.length;
  }
  const appliedAt = performance.now();
  expect(values).toBe(ROWS * SPEC.steps.length);
  // the model's input: indices one-hot, so the 5,000-value column alone is 5,000 floats a row
  const sample = batches.slice(0, 2);
  let dim = 0;
  for (const b of sample) dim = applyChunk(fitted, chunkFromBatch(b, names)).dim;
  const matrixDone = performance.now();
  expect(dim).toBe(fitted.features.dim);
  const sampleRows = sample.reduce((n, b) => n + b.numRows, 0);
  report(BENCH, 'node_core_analyze_apply_rows_per_second', ROWS / ((appliedAt - started) / 1000), 'rows/s', 'informational: fitTransform + every step applied, in Node, all rows');
  report(BENCH, 'node_core_fit_seconds', (fittedAt - started) / 1000, 's', 'informational');
  report(BENCH, 'node_core_apply_seconds', (appliedAt - fittedAt) / 1000, 's', 'informational: the transformed columns of every batch');
  report(BENCH, 'node_core_feature_matrix_rows_per_second', sampleRows / ((matrixDone - appliedAt) / 1000), 'rows/s', `informational: the dense model input, ${dim} floats a row`);
});
