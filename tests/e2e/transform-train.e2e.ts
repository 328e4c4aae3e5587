/**
 * From raw data to a model that takes raw rows, in real Chromium: the penguins imported as they are, a
 * transform analyzed in the Transform page, a model trained on it in the Train stage (opened by the
 * transform's link), its bundle exported, and in Node, with only @tensorflow/tfjs and the bundle's own
 * files (transform.js imported from the bundle), raw JSON rows give the predict panel's probabilities.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import * as tf from '@tensorflow/tfjs';
import { strFromU8, unzipSync } from 'fflate';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createProject, importFile } from './helpers';

test.describe.configure({ mode: 'serial' });

const penguinsFile = readFileSync('public/demo/penguins.json');
const NUMBERS = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'];
/** Fill the measurements with their training means and z-score them, one-hot the island, the sex with an OOV bucket. */
const SPEC = {
  steps: [
    ...NUMBERS.flatMap((c, i) => [
      { name: `m${i}`, op: 'fill_missing', inputs: [c], params: { with: { analyzer: 'mean', input: c } } },
      { name: `m${i}_z`, op: 'z_score', inputs: [`m${i}`] },
    ]),
    { name: 'island', op: 'vocabulary', inputs: ['Island'] },
    { name: 'sex', op: 'vocabulary', inputs: ['Sex'], params: { num_oov_buckets: 1 } },
  ],
};
/** Raw rows as a consumer has them: numbers as numbers, a missing measurement, an unseen sex. */
const RAW = [
  { Island: 'Biscoe', 'Beak Length (mm)': 46.1, 'Beak Depth (mm)': 13.2, 'Flipper Length (mm)': 211, 'Body Mass (g)': 4500, Sex: 'FEMALE' },
  { Island: 'Dream', 'Beak Length (mm)': 49.5, 'Beak Depth (mm)': 19, 'Flipper Length (mm)': 200, 'Body Mass (g)': 3800, Sex: 'MALE' },
  { Island: 'Torgersen', 'Beak Length (mm)': null, 'Beak Depth (mm)': 18.1, 'Flipper Length (mm)': 190, 'Body Mass (g)': 3600, Sex: 'UNKNOWN' },
];

let page: Page;
const scratch = mkdtempSync(join(tmpdir(), 'pipette-bundle-'));

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  page = await (await browser.newContext({ acceptDownloads: true })).newPage();
});

test.afterAll(async () => {
  await page.context().close();
  rmSync(scratch, { recursive: true, force: true });
});

test('a transform of the raw penguins, analyzed in the Transform page', async () => {
  await createProject(page, 'Raw penguins');
  await importFile(page, 'penguins.json', penguinsFile, 'application/json');
  await expect(page.getByTestId('import-done')).toContainText('344');
  await page.getByTestId('stage-transform').click();
  await expect(page.getByTestId('transform-label-select')).toHaveValue('Species');
  await page.getByTestId('transform-name').fill('penguins-prep');
  await page.getByTestId('json-open').click();
  // a step reading the label column is refused before analyze, naming the step and the label
  const readsLabel = { steps: [...SPEC.steps, { name: 'species', op: 'vocabulary', inputs: ['Species'] }] };
  await page.getByTestId('json-text').fill(JSON.stringify(readsLabel));
  await page.getByTestId('json-apply').click();
  await expect(page.getByTestId('transform-refusal')).toHaveText('Step "species" reads "Species", the label column: a model trained on this transform would see the answer in its features. Read other columns, or choose another label.');
  await expect(page.getByTestId('transform-analyze')).toBeDisabled();
  await page.getByTestId('json-text').fill(JSON.stringify(SPEC));
  await page.getByTestId('json-apply').click();
  await expect(page.getByTestId('transform-refusal')).toHaveCount(0);
  await page.getByTestId('transform-analyze').click();
  await expect(page.getByTestId('transform-view').getByTestId('transform-view-title')).toHaveText('penguins-prep v1', { timeout: 60_000 });
});

test("the transform's link opens the Train stage on it: its split, its outputs as the features; a model is trained", async () => {
  await page.getByTestId('transform-view').getByTestId('transform-train-link').click();
  await expect(page).toHaveURL(/\/train\?transform=/);
  await expect(page.getByTestId('train-transform').locator('option:checked')).toContainText('penguins-prep v1');
  // 4 z-scores + 3 islands + the sexes of the training rows (MALE, FEMALE, '.') and one OOV bucket
  await expect(page.getByTestId('transform-note')).toContainText('11 outputs of transform penguins-prep v1');
  await expect(page.getByTestId('train-label')).toBeDisabled();
  await expect(page.getByTestId('split-fixed')).toBeVisible();
  await expect(page.getByTestId('train-seed')).toHaveValue('42');
  await expect(page.getByTestId('train-seed')).toBeDisabled();
  await expect(page.getByTestId('prepare-summary')).toContainText('3 classes');
  await page.getByTestId('train-epochs').fill('30');
  await page.getByTestId('train-name').fill('On penguins-prep');
  await page.getByTestId('train-start').click();
  const view = page.getByTestId('run-view');
  await expect(view.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await view.getByTestId('save-model-name').fill('Penguins on a transform');
  await view.getByTestId('save-model').click();
  await expect(view.getByTestId('saved-model')).toBeVisible();
});

test("the exported bundle predicts raw JSON rows in Node exactly as the app's predict panel", async () => {
  await page.getByTestId('stage-registry').click();
  await expect(page.getByTestId('model-item')).toContainText('Penguins on a transform');
  const panel = page.getByTestId('predict-panel');
  // a categorical input offers the fitted vocabulary of the step reading it (most frequent first), and takes other values too
  const offered = (column: string) => panel.getByTestId(`predict-choices-${column}`).locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  expect(await offered('Island')).toEqual(['Biscoe', 'Dream', 'Torgersen']);
  expect((await offered('Sex')).sort()).toEqual(['.', 'FEMALE', 'MALE']);
  await expect(panel.getByTestId('predict-field-Island')).toHaveAttribute('list', /.+/);
  const appProbs: Record<string, number>[] = [];
  for (const row of RAW) {
    // the form asks for the raw columns the transform reads, typed as text
    for (const [column, v] of Object.entries(row)) await panel.getByTestId(`predict-field-${column}`).fill(v === null ? '' : String(v));
    await panel.getByTestId('predict-run').click();
    await expect(panel.getByTestId('predict-result')).toBeVisible();
    const before = JSON.stringify(appProbs.at(-1) ?? {});
    let probs: Record<string, number> = {};
    await expect
      .poll(async () => {
        probs = {};
        for (const li of await panel.getByTestId('predict-prob').all()) probs[(await li.getAttribute('data-label'))!] = Number(await li.getAttribute('data-value'));
        return Object.keys(probs).length === 3 && JSON.stringify(probs) !== before;
      })
      .toBe(true);
    appProbs.push(probs);
  }

  const download = page.waitForEvent('download');
  await page.getByTestId('model-download').click();
  const files = unzipSync(new Uint8Array(Buffer.concat(await (await (await download).createReadStream()).toArray())));
  expect(Object.keys(files).sort()).toEqual(['README.md', 'group1-shard1of1.bin', 'metadata.json', 'model.json', 'transform.js', 'transform.json']);
  expect(strFromU8(files['README.md']!)).toContain("import { applyToRows } from './penguins-on-a-transform/transform.js';");
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(scratch, name), bytes);
  // an ES module project, as the README says (this test file itself is compiled to CommonJS)
  writeFileSync(join(scratch, 'package.json'), '{ "type": "module" }');

  // The consumer: @tensorflow/tfjs, the bundle's transform.js and transform.json, raw rows.
  const { applyToRows } = await import(pathToFileURL(join(scratch, 'transform.js')).href);
  const fitted = JSON.parse(readFileSync(join(scratch, 'transform.json'), 'utf8'));
  const modelJson = JSON.parse(readFileSync(join(scratch, 'model.json'), 'utf8'));
  const weights = Buffer.concat(modelJson.weightsManifest.flatMap((g: { paths: string[] }) => g.paths.map((p) => readFileSync(join(scratch, p)))));
  await tf.setBackend('cpu');
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );
  const { features, rows, dim } = applyToRows(fitted, RAW);
  expect([rows, dim]).toEqual([3, 11]);
  const out = Array.from(await (model.predict(tf.tensor2d(features, [rows, dim])) as tf.Tensor).data());
  const labels = JSON.parse(strFromU8(files['metadata.json']!)).labels as string[];
  expect(labels).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
  RAW.forEach((_, r) => labels.forEach((label, k) => expect(Math.abs(out[r * 3 + k]! - appProbs[r]![label]!)).toBeLessThan(1e-6)));
  // a model that learned something: the Biscoe female is a Gentoo, the Dream male a Chinstrap
  expect(out[2]!).toBeGreaterThan(0.5);
  expect(out[3 + 1]!).toBeGreaterThan(0.5);
});

test('the Validate stage compares the served raw rows through the transform with its transformed training rows', async () => {
  await page.getByTestId('stage-validate').click();
  await page.getByTestId('tab-drift').click();
  await expect(page.getByTestId('skew-logged')).toContainText('3');
  await page.getByTestId('skew-transform').selectOption({ label: 'Through transform penguins-prep v1' });
  await page.getByTestId('skew-run').click();
  await expect(page.getByTestId('skew-through')).toContainText('The 3 requests served by models trained on this transform');
  // the transform's outputs are the columns compared: a z-scored measurement and the island's index
  const row = (column: string) => page.locator(`[data-testid="skew-row"][data-column="${column}"]`);
  await expect(row('m0_z').getByTestId('distance')).toHaveAttribute('data-value', /^0\.\d+|^1$/);
  await expect(row('island')).toHaveCount(1);
  await expect(row('Island')).toHaveCount(0);
});

