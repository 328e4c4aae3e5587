import { expect, test, type Browser, type Page } from '@playwright/test';
import * as tf from '@tensorflow/tfjs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { encode, inputColumns, tableFromRecords, type PreprocessStats } from '../../src/core/model/preprocess';
import { openDemoPage, PENGUIN, predictPenguin } from './helpers';

// One demo project for the whole file: opening it imports five datasets (10,000 MNIST PNGs among them).
test.describe.configure({ mode: 'serial' });

let page: Page;

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  page = await openDemoPage(browser);
});

test.afterAll(async () => {
  await page.context().close();
});

async function openTrain(): Promise<void> {
  await page.getByTestId('stage-train').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Train');
  if ((await page.getByTestId('new-run-toggle').getAttribute('aria-expanded')) === 'false') await page.getByTestId('new-run-toggle').click();
  await expect(page.getByTestId('new-run')).toBeVisible();
}

async function pickDataset(name: string): Promise<void> {
  const option = page.getByTestId('train-dataset').locator('option', { hasText: name });
  await page.getByTestId('train-dataset').selectOption((await option.getAttribute('value'))!);
}

/** Start the run as the form stands, and return the run view once the run is done. */
async function startAndFinish(timeout: number) {
  await expect(page.getByTestId('train-start')).toBeEnabled();
  await page.getByTestId('train-start').click();
  const view = page.getByTestId('run-view');
  await expect(view.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout });
  return view;
}

async function numberAttr(locator: ReturnType<Page['getByTestId']>, name = 'data-value'): Promise<number> {
  return Number(await locator.getAttribute(name));
}

let penguinProbs: Record<string, number>;
/** The first penguins run's step times per backend, as its candidates table gives them. */
let penguinTimes: { name: string | null; ms: string | null }[];
let bundle: Buffer;

test('penguins: automatic backend, >= 0.95 test accuracy, flat tensor count, evaluation', async () => {
  await openTrain();
  await pickDataset('Palmer penguins');
  await expect(page.getByTestId('train-label')).toHaveValue('Species');
  await expect(page.getByTestId('train-task')).toHaveValue('tabular-classification');
  await expect(page.getByTestId('prepare-summary')).toContainText('3 classes: Adelie, Chinstrap, Gentoo');
  // 4 numbers + Island (3 + other) + Sex (3 + other): the input the layer editor shows
  await expect(page.getByTestId('shape-input')).toHaveText('[12]');
  await expect(page.getByTestId('shape-output')).toHaveText('[3]');
  // 12*64+64 + 64*32+32 + 32*3+3
  await expect(page.getByTestId('total-params')).toHaveAttribute('data-value', String(12 * 64 + 64 + 64 * 32 + 32 + 32 * 3 + 3));
  await expect(page.getByTestId('train-backend')).toHaveValue('auto');

  await page.getByTestId('train-start').click();
  const view = page.getByTestId('run-view');
  // while the model is timed the progress names the backend and its place: the last one timed (WebGPU on
  // a software GPU here, a second or more) shows "(n of n)"
  await expect(view.getByTestId('run-timing')).toContainText(/Timing this model's train step on (wasm|cpu|webgl|webgpu) \((\d) of \2\)…/, { timeout: 60_000 });
  await expect(view.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 150_000 });
  const accuracy = await numberAttr(view.getByTestId('metric-accuracy'));
  expect(accuracy).toBeGreaterThanOrEqual(0.95);
  // the automatic choice timed this model on the backends and says which it took
  const candidates = view.getByTestId('backend-candidates').locator('tbody tr');
  await expect(candidates).toHaveCount(4);
  // cpu is the parity check's reference, and only cpu (an unavailable backend was once called one too)
  const parity = await candidates.evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-backend'), r.querySelector('[data-testid="candidate-parity"]')!.textContent]));
  expect(parity.filter(([, text]) => text === 'reference')).toEqual([['cpu', 'reference']]);
  penguinTimes = await candidates.evaluateAll((rows) => rows.map((r) => ({ name: r.getAttribute('data-backend'), ms: r.getAttribute('data-ms') })));
  await expect(view.getByTestId('backend-saved-timings')).toHaveCount(0);
  const timed = penguinTimes
    .filter((c) => c.ms !== '')
    .map((c) => ({ name: c.name, ms: Number(c.ms) }))
    .sort((a, b) => a.ms - b.ms);
  expect(timed.length).toBeGreaterThan(0);
  await expect(view.getByTestId('run-backend')).toHaveAttribute('data-backend', timed[0]!.name!);
  expect(await numberAttr(view.getByTestId('run-backend'), 'data-ms')).toBe(timed[0]!.ms);
  // no tensor leak: the same count after every epoch
  await view.getByTestId('epoch-table-toggle').click();
  // the rows render once the details element is open; read them after that
  await expect(view.getByTestId('epoch-row').first()).toBeVisible();
  const tensors = await view.getByTestId('epoch-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-tensors')));
  expect(tensors.length).toBeGreaterThan(5);
  expect(new Set(tensors).size).toBe(1);
  // evaluation: per-class table, a 3x3 confusion matrix over the test rows, the worst predictions
  await expect(view.getByTestId('per-class').locator('tbody tr')).toHaveCount(3);
  const cells = await view.getByTestId('confusion-matrix').locator('tbody td').allTextContents();
  expect(cells).toHaveLength(9);
  expect(cells.map(Number).reduce((a, b) => a + b, 0)).toBe(await numberAttr(view.getByTestId('eval-title'), 'data-count'));
  await expect(view.getByTestId('worst-row')).toHaveCount(10);
  await expect(view.getByTestId('curve-loss').getByTestId('chart-legend').locator('li')).toHaveCount(2);

  await view.getByTestId('save-model-name').fill('Penguin species');
  await view.getByTestId('save-model').click();
  await expect(view.getByTestId('saved-model')).toBeVisible();
});

test('registry: predict, aliases, export a TF.js bundle, import it back with the same predictions', async () => {
  await page.getByTestId('stage-registry').click();
  await expect(page.getByTestId('model-item')).toHaveCount(1);
  await expect(page.getByTestId('model-item')).toContainText('Penguin species');
  await expect(page.getByTestId('model-item')).toContainText('Palmer penguins v1');

  penguinProbs = await predictPenguin(page);
  expect(Object.keys(penguinProbs).sort()).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
  expect(Object.values(penguinProbs).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  expect(await page.getByTestId('predict-result').getAttribute('data-predicted')).toBe('Gentoo');

  // never evaluated: production asks for a written reason first (the Evaluate stage's tests bless a model)
  await page.getByTestId('alias-input').fill('production');
  await expect(page.getByTestId('alias-override-needed')).toContainText('has not been evaluated');
  await expect(page.getByTestId('alias-set')).toBeDisabled();
  await page.getByTestId('alias-override-reason').fill('Registry test: export and import need a production version');
  await page.getByTestId('alias-set').click();
  await expect(page.getByTestId('model-alias')).toHaveText(/production/);

  // Download: model.json + shards + metadata.json + README.md, loadable by tf.loadLayersModel unchanged.
  const download = page.waitForEvent('download');
  await page.getByTestId('model-download').click();
  bundle = Buffer.concat(await (await (await download).createReadStream()).toArray());
  const files = unzipSync(new Uint8Array(bundle));
  expect(Object.keys(files).sort()).toEqual(['README.md', 'group1-shard1of1.bin', 'metadata.json', 'model.json']);
  const modelJson = JSON.parse(strFromU8(files['model.json']!));
  const metadata = JSON.parse(strFromU8(files['metadata.json']!));
  expect(metadata.labels).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
  expect(metadata.lineage.splitSeed).toBe(42);
  // In Node: the same files, loaded the way tf.loadLayersModel loads them over HTTP, give the same numbers.
  await tf.setBackend('cpu');
  const model = await tf.loadLayersModel({
    load: async () => ({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights),
      weightData: new Uint8Array(Buffer.concat(modelJson.weightsManifest.flatMap((g: { paths: string[] }) => g.paths.map((p) => Buffer.from(files[p]!))))).buffer,
    }),
  });
  const stats = metadata.preprocessing as PreprocessStats;
  const types = Object.fromEntries(inputColumns(stats).map((c) => [c.column, c.type]));
  const x = (await encode(stats, tableFromRecords([PENGUIN], types), null, { labels: false })).x;
  const out = Array.from(await (model.predict(tf.tensor2d(x, [1, x.length])) as tf.Tensor).data());
  metadata.labels.forEach((label: string, i: number) => expect(Math.abs(out[i]! - penguinProbs[label]!)).toBeLessThan(1e-5));

  // Import the zip: a new version whose predictions are the same numbers.
  await page.getByTestId('model-import').setInputFiles({ name: 'penguins.zip', mimeType: 'application/zip', buffer: bundle });
  await expect(page.getByTestId('import-done')).toBeVisible();
  await expect(page.getByTestId('model-item')).toHaveCount(2);
  await expect(page.getByTestId('model-view')).toContainText('v2');
  const again = await predictPenguin(page);
  for (const label of Object.keys(penguinProbs)) expect(again[label]).toBe(penguinProbs[label]);

  // A zip of something else, and a model.json without its weights: clear messages, nothing written.
  await page.getByTestId('model-import').setInputFiles({ name: 'notes.zip', mimeType: 'application/zip', buffer: Buffer.from('hello, not a zip') });
  await expect(page.getByTestId('import-error')).toContainText('not a zip');
  const noWeights = zipSync({ 'model.json': files['model.json']!, 'metadata.json': files['metadata.json']! });
  await page.getByTestId('model-import').setInputFiles({ name: 'no-weights.zip', mimeType: 'application/zip', buffer: Buffer.from(noWeights) });
  await expect(page.getByTestId('import-error')).toContainText('group1-shard1of1.bin');
  const wrongSize = zipSync({ ...files, 'group1-shard1of1.bin': files['group1-shard1of1.bin']!.subarray(0, 100), 'x.txt': strToU8('') });
  await page.getByTestId('model-import').setInputFiles({ name: 'short.zip', mimeType: 'application/zip', buffer: Buffer.from(wrongSize) });
  await expect(page.getByTestId('import-error')).toContainText('weight');
  await expect(page.getByTestId('model-item')).toHaveCount(2);

  // Deleting asks first.
  const v2 = page.locator('[data-testid="model-item"][data-version="2"]');
  await v2.getByTestId('model-delete').click();
  await page.getByTestId('confirm-cancel').click();
  await expect(page.getByTestId('model-item')).toHaveCount(2);
  await v2.getByTestId('model-delete').click();
  await page.getByTestId('confirm-ok').click();
  await expect(page.getByTestId('model-item')).toHaveCount(1);
  await expect(page.getByTestId('model-alias')).toHaveText(/production/);
});

test('serving skew: the predict panel\'s logged requests against the training data, per column', async () => {
  // The registry test's predictions (all of a Biscoe penguin) were logged; compare them with Palmer penguins v1.
  await page.getByTestId('stage-validate').click();
  await page.getByTestId('tab-drift').click();
  await expect(page.getByTestId('skew-logged')).toBeVisible();
  const option = page.getByTestId('skew-training').locator('option', { hasText: 'Palmer penguins' });
  await page.getByTestId('skew-training').selectOption((await option.first().getAttribute('value'))!);
  await page.getByTestId('skew-run').click();
  const island = page.locator('[data-testid="skew-row"][data-column="Island"]');
  await expect(island).toBeVisible();
  // L-infinity distance: training has Biscoe 168, Dream 124, Torgersen 52 of 344; serving is all Biscoe,
  // so the largest gap is 1 - 168/344 = 0.5116.
  expect(Number(await island.getByTestId('distance').getAttribute('data-value'))).toBeCloseTo(1 - 168 / 344, 4);
});

test('one tiny training step on the webgpu backend, chosen by hand; runs compare side by side', async () => {
  await openTrain();
  await pickDataset('Palmer penguins');
  await page.getByTestId('train-backend').selectOption('webgpu');
  await page.getByTestId('train-epochs').fill('1');
  await page.getByTestId('train-patience').fill('0');
  const view = await startAndFinish(120_000);
  await expect(view.getByTestId('run-backend')).toHaveAttribute('data-backend', 'webgpu');
  await expect(view.getByTestId('run-epochs')).toHaveAttribute('data-value', '1');

  await expect(page.getByTestId('run-item')).toHaveCount(2);
  for (const box of await page.getByTestId('run-compare').all()) await box.check();
  const compare = page.getByTestId('compare-view');
  await expect(compare.getByTestId('compare-table')).toContainText('webgpu');
  await expect(compare.getByTestId('compare-loss').getByTestId('chart-legend').locator('li')).toHaveCount(2);
  for (const box of await page.getByTestId('run-compare').all()) await box.uncheck();
});

test('MNIST: the layer editor refuses an invalid stack; an MLP on wasm reaches >= 0.90; a drawn digit is predicted', async () => {
  await openTrain();
  await pickDataset('MNIST digits');
  await expect(page.getByTestId('train-task')).toHaveValue('image-classification');
  await expect(page.getByTestId('train-label')).toHaveValue('label');
  await expect(page.getByTestId('prepare-summary')).toContainText('10 classes', { timeout: 60_000 });
  await expect(page.getByTestId('shape-input')).toHaveText('[28 × 28 × 1]');
  // small CNN: conv, pool, conv, pool, flatten, dropout, dense
  await expect(page.getByTestId('layer-row')).toHaveCount(7);
  await expect(page.getByTestId('layer-shape-4')).toHaveText('[800]');
  // the editor names layer types as the spec's messages do (model-spec.ts LAYER_DISPLAY_NAMES)
  await expect(page.getByTestId('layer-type-0').locator('option:checked')).toHaveText('Conv2D');
  await expect(page.getByTestId('layer-type-1').locator('option:checked')).toHaveText('MaxPooling2D');

  // Flatten moved before the last pooling layer: refused, with the layer named.
  await page.getByTestId('layer-up-4').click();
  await expect(page.getByTestId('spec-issues')).toBeVisible();
  await expect(page.getByTestId('layer-issue').first()).toHaveText(
    'Layer 5 (MaxPooling2D): needs an image-shaped input (height x width x channels) but gets a flat vector of 3872 (it comes after Flatten: move it before)',
  );
  await expect(page.getByTestId('train-start')).toBeDisabled();
  // the same problem in Traditional Chinese
  await page.getByTestId('header-locale').selectOption('zh-TW');
  await expect(page.getByTestId('layer-issue').first()).toHaveText('第 5 層（MaxPooling2D）：需要影像形狀的輸入（高 × 寬 × 通道），但收到長度 3872 的一維向量（它在 Flatten 之後：請把它移到前面）');
  await page.getByTestId('header-locale').selectOption('en');
  await page.getByTestId('layer-down-3').click();
  await expect(page.getByTestId('spec-issues')).toHaveCount(0);

  // Make it an MLP: drop the four conv/pool layers, widen the dense layer.
  for (let i = 0; i < 4; i++) await page.getByTestId('layer-remove-0').click();
  await expect(page.getByTestId('layer-row')).toHaveCount(3);
  await page.getByTestId('layer-units-2').fill('128');
  await expect(page.getByTestId('total-params')).toHaveAttribute('data-value', String(784 * 128 + 128 + 128 * 10 + 10));
  await page.getByTestId('train-backend').selectOption('wasm');
  await page.getByTestId('train-epochs').fill('5');
  await page.getByTestId('train-lr').fill('0.002');
  await page.getByTestId('train-batch').fill('64');

  const view = await startAndFinish(180_000);
  await expect(view.getByTestId('run-backend')).toHaveAttribute('data-backend', 'wasm');
  expect(await numberAttr(view.getByTestId('metric-accuracy'))).toBeGreaterThanOrEqual(0.9);
  await expect(view.getByTestId('confusion-matrix').locator('tbody tr')).toHaveCount(10);
  await expect(view.getByTestId('worst-row').first().locator('img')).toBeVisible();

  await view.getByTestId('save-model-name').fill('MNIST MLP');
  await view.getByTestId('save-model').click();
  await view.getByTestId('saved-model-link').click();
  const mnist = page.getByTestId('model-item').filter({ hasText: 'MNIST MLP' });
  await mnist.getByTestId('model-open').click();

  // Draw a "1": one vertical stroke.
  const canvas = page.getByTestId('digit-canvas');
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.15);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * (0.15 + 0.07 * i));
  await page.mouse.up();
  await page.getByTestId('predict-run').click();
  await expect(page.getByTestId('predict-result')).toHaveAttribute('data-predicted', '1');
  await expect(page.getByTestId('predict-prob')).toHaveCount(10);
});

test('a reload mid-training leaves the run interrupted; resume continues from the checkpoint to the same quality', async () => {
  await openTrain();
  await pickDataset('MNIST digits');
  await page.getByTestId('train-preset').selectOption('mlp-pixels');
  await expect(page.getByTestId('layer-row')).toHaveCount(4);
  await page.getByTestId('train-backend').selectOption('wasm');
  // 30 epochs: on wasm an epoch of the demo's digits takes about 0.4 s, and the checks below must still
  // find the run training after the first two (with 6 epochs it had sometimes finished by then)
  await page.getByTestId('train-epochs').fill('30');
  await page.getByTestId('train-patience').fill('0');
  await expect(page.getByTestId('train-start')).toBeEnabled();
  await page.getByTestId('train-start').click();
  const view = page.getByTestId('run-view');
  await expect(view.getByTestId('run-status')).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  // pause after two checkpoints, so the reload lands mid-run
  await expect.poll(() => numberAttr(view.getByTestId('run-epochs')), { timeout: 120_000 }).toBeGreaterThanOrEqual(2);
  // while it trains: what the epoch is doing, the estimated time per epoch and left, the time since the start
  await expect(view.getByTestId('run-step')).toHaveAttribute('data-step', /^(batches|validation|metrics|checkpoint)$/);
  await expect(view.getByTestId('run-step')).toContainText(/Epoch \d+ of 30 · /);
  expect(await numberAttr(view.getByTestId('run-estimate'), 'data-epoch-s')).toBeGreaterThan(0);
  expect(await numberAttr(view.getByTestId('run-estimate'), 'data-left-s')).toBeGreaterThan(0);
  expect(await numberAttr(view.getByTestId('run-duration'), 'data-ms')).toBeGreaterThan(0);
  await view.getByTestId('run-pause').click();
  await expect(view.getByTestId('run-status')).toHaveAttribute('data-status', 'paused');
  const epochs = await numberAttr(view.getByTestId('run-epochs'));
  expect(epochs).toBeLessThan(30);

  await page.reload();
  await openTrain();
  const run = page.getByTestId('run-view');
  await expect(run.getByTestId('run-status')).toHaveAttribute('data-status', 'interrupted');
  await expect(run.getByTestId('run-interrupted')).toContainText(`epoch ${epochs}`);
  await run.getByTestId('run-resume').click();
  await expect(run.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 180_000 });
  await expect(run.getByTestId('run-epochs')).toHaveAttribute('data-value', '30');
  await expect(run.getByTestId('run-epochs')).toContainText('resumed 1×');
  expect(await numberAttr(run.getByTestId('run-duration'), 'data-ms')).toBeGreaterThan(0);
  expect(await numberAttr(run.getByTestId('metric-accuracy'))).toBeGreaterThanOrEqual(0.9);
});

test('the duration counts from the start of a run, before its first epoch ends', async () => {
  await openTrain();
  await pickDataset('MNIST digits');
  // the Small CNN: an epoch of the demo's digits takes seconds, so the first one can be watched
  await page.getByTestId('train-preset').selectOption('small-cnn');
  await page.getByTestId('train-backend').selectOption('wasm');
  await page.getByTestId('train-epochs').fill('2');
  await expect(page.getByTestId('train-start')).toBeEnabled();
  await page.getByTestId('train-start').click();
  const view = page.getByTestId('run-view');
  await expect(view.getByTestId('run-step')).toHaveAttribute('data-step', 'batches', { timeout: 120_000 });
  await expect.poll(() => numberAttr(view.getByTestId('run-duration'), 'data-ms')).toBeGreaterThan(0);
  // ... and that was during the first epoch: none has finished yet (the record says 0 s until one does)
  await expect(view.getByTestId('run-epochs')).toHaveAttribute('data-value', '0');
  await view.getByTestId('run-cancel').click();
  await expect(view.getByTestId('run-status')).toHaveAttribute('data-status', 'cancelled');
});

test('the Small CNN on wasm splits each batch between two workers and learns; with one thread chosen in Settings it trains in one', async () => {
  /**
   * Two epochs of the Small CNN without its dropout (so two runs can match) on 5 % of the digits (500
   * rows: 8 batches of 64 an epoch, the last with 52 real rows, 20 of them in the partner's half), on
   * wasm; the run view when done. Few steps: the two ways sum their floats in different orders, and that
   * grows over many steps.
   */
  const trainCnn = async () => {
    await openTrain();
    await pickDataset('MNIST digits');
    await page.getByTestId('train-preset').selectOption('small-cnn');
    await expect(page.getByTestId('layer-row')).toHaveCount(7);
    await expect(page.getByTestId('layer-type-5').locator('option:checked')).toHaveText('Dropout');
    await page.getByTestId('layer-remove-5').click();
    await page.getByTestId('train-backend').selectOption('wasm');
    await page.getByTestId('train-split-train').fill('0.05');
    await page.getByTestId('train-split-validation').fill('0');
    await page.getByTestId('train-split-test').fill('0.95');
    await expect(page.getByTestId('prepare-summary')).toContainText('train 500');
    await page.getByTestId('train-epochs').fill('2');
    await page.getByTestId('train-lr').fill('0.001');
    await page.getByTestId('train-batch').fill('64');
    const view = await startAndFinish(180_000);
    // the run trained the edited stack (choosing the preset the form already had used to let the next prepare put the dropout back)
    await expect(view.getByTestId('run-layers')).toHaveText('Conv 16 · Pool · Conv 32 · Pool · Flatten · Dense 64');
    await view.getByTestId('epoch-table-toggle').click();
    const rows = view.getByTestId('epoch-row');
    await expect(rows).toHaveCount(2);
    const losses = await Promise.all([0, 1].map(async (i) => Number(await rows.nth(i).getAttribute('data-loss'))));
    const tensors = await Promise.all([0, 1].map(async (i) => Number(await rows.nth(i).getAttribute('data-tensors'))));
    return { view, losses, tensors, accuracy: await numberAttr(view.getByTestId('metric-accuracy')) };
  };
  const chooseThreads = async (choice: 'auto' | 'one') => {
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('threads-select').selectOption(choice);
    await page.goBack();
  };

  // Automatic: the CNN's 129 M multiply-adds a step are split between two single-threaded workers
  expect(await page.evaluate(() => crossOriginIsolated && navigator.hardwareConcurrency >= 2)).toBe(true);
  const split = await trainCnn();
  const backend = split.view.getByTestId('run-backend');
  await expect(backend).toHaveAttribute('data-workers', '2');
  await expect(backend).toHaveAttribute('data-threads', '1');
  await expect(backend).toContainText('each batch split over 2 workers');
  expect(split.tensors[1]).toBe(split.tensors[0]);
  // it learned: the second epoch's loss is below the first's
  expect(split.losses[1]).toBeLessThan(split.losses[0]!);

  // The same run in one worker on one thread gives the same losses: the split sums the whole batch's
  // gradient, only in another order (2.4e-7 apart here; 0.0086 with the partner's gradients dropped).
  await chooseThreads('one');
  const alone = await trainCnn();
  await expect(alone.view.getByTestId('run-backend')).toHaveAttribute('data-workers', '1');
  expect(alone.losses[1]).toBeLessThan(alone.losses[0]!);
  for (const i of [0, 1]) expect(Math.abs(split.losses[i]! - alone.losses[i]!)).toBeLessThan(1e-4);
  await chooseThreads('auto');
});

test('a second Automatic run of the penguins model starts from the step times the first one saved', async () => {
  await openTrain();
  await pickDataset('Palmer penguins');
  await page.getByTestId('train-backend').selectOption('auto');
  // the first run's split (the test before this one left 5 % for training)
  await page.getByTestId('train-split-train').fill('0.7');
  await page.getByTestId('train-split-validation').fill('0.15');
  await page.getByTestId('train-split-test').fill('0.15');
  await page.getByTestId('train-epochs').fill('1');
  const view = await startAndFinish(150_000);
  // the same numbers to the last digit: taken from the first run, not measured again
  const candidates = view.getByTestId('backend-candidates').locator('tbody tr');
  await expect(candidates).toHaveCount(4);
  expect(await candidates.evaluateAll((rows) => rows.map((r) => ({ name: r.getAttribute('data-backend'), ms: r.getAttribute('data-ms') })))).toEqual(penguinTimes);
  await view.getByText('Backend measurements for this model').click();
  await expect(view.getByTestId('backend-saved-timings')).toContainText('by an earlier run of the same model');
});

test("Settings' Check again forgets the saved step times: the next run of the model times it again", async () => {
  await page.getByTestId('nav-settings').click();
  // the first click reads the saved check; the second, "Check again", measures anew
  await page.getByTestId('backends-check').click();
  await expect(page.getByTestId('backends-check')).toHaveText('Check again', { timeout: 120_000 });
  await page.getByTestId('backends-check').click();
  await expect(page.getByTestId('backends-checked-at')).toHaveAttribute('data-cached', 'false', { timeout: 180_000 });
  await page.goBack();
  await openTrain();
  await pickDataset('Palmer penguins');
  await expect(page.getByTestId('train-split-train')).toHaveValue('0.7');
  await page.getByTestId('train-epochs').fill('1');
  const view = await startAndFinish(150_000);
  await expect(view.getByTestId('backend-candidates').locator('tbody tr')).toHaveCount(4);
  await expect(view.getByTestId('backend-saved-timings')).toHaveCount(0);
});
