/**
 * The Optimize stage in real Chromium: a penguin classifier trained in the app, quantized to uint8 and
 * float16, pruned (with a cancel and a refused sparsity), distilled next to the same student from
 * scratch, compared, promoted, and the 8-bit bundle exported and loaded in Node with tf.loadLayersModel.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import * as tf from '@tensorflow/tfjs';
import { strFromU8, unzipSync } from 'fflate';
import { encode, inputColumns, tableFromRecords, type PreprocessStats } from '../../src/core/model/preprocess';
import { openDemoPage, PENGUIN, predictPenguin } from './helpers';

test.describe.configure({ mode: 'serial' });

let page: Page;

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  page = await openDemoPage(browser);
});

test.afterAll(async () => {
  await page.context().close();
});

async function openVersionInRegistry(modelId: string): Promise<void> {
  await page.getByTestId('stage-registry').click();
  await page.locator(`[data-testid="model-item"][data-model-id="${modelId}"]`).getByTestId('model-open').click();
  await expect(page.getByTestId('model-view')).toHaveAttribute('data-model-id', modelId);
}

const rows = () => page.getByTestId('compare-row');

test('train a small penguin classifier to optimize', async () => {
  await page.getByTestId('stage-train').click();
  if ((await page.getByTestId('new-run-toggle').getAttribute('aria-expanded')) === 'false') await page.getByTestId('new-run-toggle').click();
  const option = page.getByTestId('train-dataset').locator('option', { hasText: 'Palmer penguins' });
  await page.getByTestId('train-dataset').selectOption((await option.getAttribute('value'))!);
  await expect(page.getByTestId('prepare-summary')).toContainText('3 classes');
  await page.getByTestId('train-epochs').fill('25');
  await page.getByTestId('train-start').click();
  const view = page.getByTestId('run-view');
  await expect(view.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await view.getByTestId('save-model-name').fill('Penguin teacher');
  await view.getByTestId('save-model').click();
  await expect(view.getByTestId('saved-model')).toBeVisible();
});

test('quantize to uint8 and float16: new versions in the comparison, the 8-bit export loads in Node with the same predictions', async () => {
  await page.getByTestId('stage-optimize').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Optimize');
  await expect(page.getByTestId('optimize-model')).toContainText('Penguin teacher');
  await expect(page.getByTestId('dequantize-note')).toContainText('float32 when it loads the model');
  await expect(rows()).toHaveCount(1);

  await page.getByTestId('quantize-uint8').click();
  await expect(page.getByTestId('quantize-result')).toContainText('uint8');
  await page.getByTestId('quantize-float16').click();
  await expect(page.getByTestId('quantize-result')).toContainText('float16');

  await expect(rows()).toHaveCount(3);
  const original = rows().and(page.locator('[data-method="original"]'));
  const uint8 = rows().and(page.locator('[data-dtype="uint8"]'));
  const float16 = rows().and(page.locator('[data-dtype="float16"]'));
  const gzip = async (l: typeof original) => Number(await l.getAttribute('data-gzip'));
  const acc = async (l: typeof original) => Number(await l.getAttribute('data-accuracy'));
  expect(await gzip(uint8)).toBeLessThan(await gzip(float16));
  expect(await gzip(float16)).toBeLessThan(await gzip(original));
  expect(await acc(original)).toBeGreaterThanOrEqual(0.9);
  // per-tensor uint8 on a small MLP costs at most a test row or two here
  expect(Math.abs((await acc(uint8)) - (await acc(original)))).toBeLessThanOrEqual(0.04);
  await expect(page.getByTestId('chart-point')).toHaveCount(3);
  // the smallest variant that is at least as accurate as anything smaller is on the Pareto front
  await expect(uint8).toHaveAttribute('data-pareto', 'true');

  // Export the 8-bit bundle: model.json keeps the uint8 manifest, the shard is about a quarter.
  const download = page.waitForEvent('download');
  await uint8.getByTestId('compare-export').click();
  const files = unzipSync(new Uint8Array(Buffer.concat(await (await (await download).createReadStream()).toArray())));
  const modelJson = JSON.parse(strFromU8(files['model.json']!));
  const metadata = JSON.parse(strFromU8(files['metadata.json']!));
  const specs = modelJson.weightsManifest.flatMap((g: { weights: { quantization?: { dtype: string } }[] }) => g.weights);
  expect(specs.filter((w: { quantization?: { dtype: string } }) => w.quantization?.dtype === 'uint8').length).toBeGreaterThanOrEqual(2);
  expect(metadata.optimization.method).toBe('quantize');
  expect(strFromU8(files['README.md']!)).toContain('dequantizes');

  // In Node: tf.loadLayersModel dequantizes exactly as the app did.
  await tf.setBackend('cpu');
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: specs,
      weightData: new Uint8Array(Buffer.concat(modelJson.weightsManifest.flatMap((g: { paths: string[] }) => g.paths.map((p) => Buffer.from(files[p]!))))).buffer,
    }),
  );
  const stats = metadata.preprocessing as PreprocessStats;
  const types = Object.fromEntries(inputColumns(stats).map((c) => [c.column, c.type]));
  const x = (await encode(stats, tableFromRecords([PENGUIN], types), null, { labels: false })).x;
  const out = Array.from(await (model.predict(tf.tensor2d(x, [1, x.length])) as tf.Tensor).data());

  const ids = { uint8: (await uint8.getAttribute('data-model-id'))!, original: (await original.getAttribute('data-model-id'))! };
  await openVersionInRegistry(ids.uint8);
  const app8 = await predictPenguin(page);
  // the same dequantized float32 weights: equal up to the backends' float rounding
  metadata.labels.forEach((label: string, i: number) => expect(Math.abs(out[i]! - app8[label]!)).toBeLessThan(1e-5));
  await openVersionInRegistry(ids.original);
  const app32 = await predictPenguin(page);
  // and close to the float32 original: uint8 moves each weight by at most half a step
  metadata.labels.forEach((label: string) => expect(Math.abs(app8[label]! - app32[label]!)).toBeLessThan(0.05));
});

test('prune: a refused sparsity, a cancel that writes nothing, then 50 % sparsity per layer and an 8-bit copy', async () => {
  await page.getByTestId('stage-optimize').click();
  await expect(rows()).toHaveCount(3);
  await page.getByTestId('prune-final').fill('1');
  await expect(page.getByTestId('prune-issue')).toContainText('Final sparsity must be at least 0 and below 1');
  await expect(page.getByTestId('prune-start')).toBeDisabled();
  await page.getByTestId('prune-final').fill('0.5');
  await expect(page.getByTestId('prune-issue')).toHaveCount(0);

  // a long fine-tuning, cancelled from its progress bar
  await page.getByTestId('prune-epochs').fill('400');
  await page.getByTestId('prune-start').click();
  await expect(page.getByTestId('prune-status').getByRole('progressbar')).toHaveAttribute('value', /0\.\d*[1-9]/, { timeout: 60_000 });
  await page.getByTestId('prune-cancel').click();
  await expect(page.getByTestId('prune-cancelled')).toBeVisible();
  await expect(rows()).toHaveCount(3);

  // 240 training rows in batches of 32: 8 steps an epoch, 32 in 4 epochs; the schedule ends at step 20
  await page.getByTestId('prune-epochs').fill('4');
  await page.getByTestId('prune-end').fill('20');
  await page.getByTestId('prune-frequency').fill('5');
  await page.getByTestId('prune-start').click();
  await expect(page.getByTestId('prune-report')).toBeVisible({ timeout: 60_000 });
  const layers = page.getByTestId('prune-layer');
  await expect(layers).toHaveCount(3);
  for (const s of await layers.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-sparsity'))))) expect(Math.abs(s - 0.5)).toBeLessThan(0.02);
  await expect(rows()).toHaveCount(5);
  await expect(rows().and(page.locator('[data-method="prune"]'))).toHaveCount(1);
  await expect(rows().and(page.locator('[data-previous="prune"][data-dtype="uint8"]'))).toHaveCount(1);

  // a schedule past the end of fine-tuning: the worker refuses it by name, nothing is written
  await page.getByTestId('prune-end').fill('500');
  await page.getByTestId('prune-start').click();
  await expect(page.getByTestId('prune-error')).toContainText('End step');
  await expect(rows()).toHaveCount(5);
});

test('distill: a student next to the same student from scratch; promote a variant to staging', async () => {
  await page.getByTestId('distill-kind').selectOption('hidden');
  await page.getByTestId('distill-sizes').fill('8');
  // 12 inputs -> 8 -> 3 classes
  await expect(page.getByTestId('distill-params')).toHaveAttribute('data-student', String(12 * 8 + 8 + 8 * 3 + 3));
  await page.getByTestId('distill-sizes').fill('8, x');
  await expect(page.getByTestId('distill-issue')).toContainText('Hidden sizes');
  await page.getByTestId('distill-sizes').fill('512');
  await expect(page.getByTestId('distill-larger')).toBeVisible();
  await page.getByTestId('distill-sizes').fill('8');
  // half of the teacher's training rows: a share out of range is refused in the form, by name
  await page.getByTestId('distill-share').fill('0');
  await expect(page.getByTestId('distill-issue')).toContainText('Labeled rows must be a percentage');
  await page.getByTestId('distill-share').fill('50');
  await page.getByTestId('distill-epochs').fill('15');
  await page.getByTestId('distill-lr').fill('0.01');
  await page.getByTestId('distill-start').click();
  const pair = page.getByTestId('distill-pair');
  await expect(pair).toBeVisible({ timeout: 90_000 });
  expect(Number(await pair.getByTestId('pair-distilled').getAttribute('data-accuracy'))).toBeGreaterThanOrEqual(0.8);
  // the student trained on the labels alone learns too: above the 44 % of always answering Adelie
  const scratch = Number(await pair.getByTestId('pair-scratch').getAttribute('data-accuracy'));
  console.log(`distilled student ${await pair.getByTestId('pair-distilled').getAttribute('data-accuracy')}, from scratch ${scratch}`);
  expect(scratch).toBeGreaterThan(0.6);
  expect(scratch).toBeLessThanOrEqual(1);
  await expect(rows()).toHaveCount(7);
  await expect(rows().and(page.locator('[data-method="distill"]'))).toHaveCount(1);
  // the comparison measures the saved scratch variant at the accuracy the pair reported
  await expect(rows().and(page.locator('[data-method="scratch"]'))).toHaveAttribute('data-accuracy', String(scratch));
  // both students record the same half of the training rows, and the comparison says how many
  const used = Number(await pair.getByTestId('distill-rows').getAttribute('data-rows'));
  expect(used).toBeGreaterThan(50);
  for (const method of ['distill', 'scratch']) {
    const row = rows().and(page.locator(`[data-method="${method}"]`));
    await expect(row).toHaveAttribute('data-labeled-rows', String(used));
    await expect(row).toContainText(`${used} labeled rows (50%)`);
  }

  // Promote the 8-bit variant to staging, through the registry's aliases.
  const uint8 = rows().and(page.locator('[data-dtype="uint8"][data-previous=""]'));
  await page.getByTestId('promote-alias').selectOption('staging');
  await uint8.getByTestId('compare-promote').click();
  await expect(page.getByTestId('promote-done')).toContainText('staging');
  await expect(uint8).toContainText('staging');
  // production is gated on a blessing from an evaluation: refused with the reason, then allowed with one
  await page.getByTestId('promote-alias').selectOption('production');
  await uint8.getByTestId('compare-promote').click();
  await expect(page.getByTestId('promote-error')).toContainText('has not been evaluated');
  await expect(uint8).not.toContainText('production');
  await page.getByTestId('promote-reason').fill('8-bit download for the field app; accuracy checked in the comparison');
  await uint8.getByTestId('compare-promote').click();
  await expect(page.getByTestId('promote-done')).toContainText('production');
  await expect(uint8).toContainText('production');
});
