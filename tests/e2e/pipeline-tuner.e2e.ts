import { expect, test, type Page } from '@playwright/test';
import { runPipeline, sharedDemoPipelines } from './pipeline-helpers';

// The Tuner in a pipeline (issue 17) on the demo project: the editor offers it with the Tune page's search
// settings and shows a space its layers cannot take at the space, in the Tune stage's words; a pipeline
// ExampleGen -> Tuner (random, 3 trials of 2 epochs) -> Trainer (reading best_hyperparameters) runs to
// success, the Trainer logging the best trial's values; the Tune page lists the search, done, with 3 trials.
test.describe.configure({ mode: 'serial' });

const demoPage = sharedDemoPipelines();
let page: Page;
test.beforeEach(() => {
  page = demoPage();
});

const panel = (id: string) => page.locator(`[data-testid="pipeline-component-panel"][data-id="${id}"]`);

const FEATURES = ['Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'].map((column) => ({ column }));
const BASE = {
  task: 'tabular-classification',
  presetId: 'mlp-classifier',
  features: FEATURES,
  layers: [{ type: 'dense', units: 16, activation: 'relu' }],
  modelSeed: 42,
  hyper: { optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: 2, patience: 0, classWeights: 'none' },
  backend: 'auto',
};
const SPACE = {
  version: 1,
  hps: [
    { name: 'units', kind: 'choice', values: [8, 16, 32] },
    { name: 'learning_rate', kind: 'float', min: 0.001, max: 0.1, sampling: 'log' },
  ],
  bindings: [
    { hp: 'units', target: { kind: 'layer', index: 0, field: 'units' } },
    { hp: 'learning_rate', target: { kind: 'hyper', field: 'learningRate' } },
  ],
  blocks: [],
};
const examples = { examples: { from: 'example_gen', port: 'examples' } };
const PIPELINE = {
  format: 'pipette-pipeline',
  version: 1,
  name: 'tuned',
  components: [
    { id: 'example_gen', type: 'ExampleGen', settings: { dataset: { name: 'Palmer penguins' }, version: 'latest', label: 'Species', split: { seed: 42, fractions: { train: 0.7, validation: 0.15, test: 0.15 } } }, inputs: {} },
    {
      id: 'tuner',
      type: 'Tuner',
      settings: { ...BASE, name: 'pipeline search', space: SPACE, search: { algorithm: 'random', objective: { metric: 'val_acc', direction: 'max' }, maxTrials: 3, hyperband: { maxEpochs: 10, factor: 3, iterations: 1 }, bayesian: { alpha: 0.0001, beta: 2.6 }, seed: 42 } },
      inputs: examples,
    },
    { id: 'trainer', type: 'Trainer', settings: { ...BASE, name: 'tuned model' }, inputs: { ...examples, hyperparameters: { from: 'tuner', port: 'best_hyperparameters' } } },
  ],
};

test('the editor offers the Tuner with the search\'s settings, and names a space its layers cannot take', async () => {
  await page.getByTestId('pipeline-new').click();
  await expect(page.getByTestId('pipeline-editor')).toBeVisible();
  const option = page.getByTestId('pipeline-add-type').locator('option[value="Tuner"]');
  await expect(option).toBeEnabled();
  await expect(option).toHaveText('Tuner — a hyperparameter search as the Tune stage runs it');
  await page.getByTestId('pipeline-add-type').selectOption('Tuner');
  await page.getByTestId('pipeline-add').click();
  await expect(panel('tuner')).toHaveAttribute('open', '');
  await expect(panel('tuner').getByTestId('pipeline-tuner-algorithm')).toHaveValue('random');
  await expect(panel('tuner').getByTestId('pipeline-tuner-max-trials')).toHaveValue('5');
  // a binding to a tenth layer: the default model has three
  const space = JSON.parse(await panel('tuner').getByTestId('pipeline-tuner-space').inputValue());
  space.bindings[0].target.index = 9;
  await panel('tuner').getByTestId('pipeline-tuner-space').fill(JSON.stringify(space));
  await panel('tuner').getByTestId('pipeline-tuner-space').blur();
  await expect(panel('tuner').locator('[data-testid="pipeline-field-problem"][data-field="space"]')).toContainText('Component "tuner": ');
  await expect(panel('tuner').locator('[data-testid="pipeline-field-problem"][data-field="space"]')).toContainText('units');
});

test('ExampleGen -> Tuner -> Trainer runs: the Trainer trains with the best trial\'s values', async () => {
  await page.getByTestId('pipeline-json').fill(JSON.stringify(PIPELINE, null, 2));
  await expect(page.getByTestId('pipeline-json-ok')).toHaveText('The pipeline is valid: 3 components.');
  // the Trainer reading best_hyperparameters says what they replace
  await page.locator('[data-testid="pipeline-node"][data-id="trainer"]').first().click();
  await expect(panel('trainer').getByTestId('pipeline-tuned-note')).toBeVisible();
  await expect(panel('tuner').getByTestId('pipeline-tuned-note')).toHaveCount(0);
  await page.getByTestId('pipeline-json-save').click();
  await expect(page.getByTestId('pipeline-version')).toHaveText('tuned v1');
  await runPipeline(page);
  const run = page.getByTestId('pipeline-run').first();
  await expect(run).toHaveAttribute('data-outcome', 'succeeded');
  for (const id of ['example_gen', 'tuner', 'trainer']) await expect(run.locator(`[data-testid="pipeline-component"][data-id="${id}"]`)).toHaveAttribute('data-state', 'succeeded');
  // the Tuner's best trial's values are what the Trainer trained with
  const tunerLog = (await run.locator('[data-testid="pipeline-component"][data-id="tuner"] pre').textContent()) ?? '';
  const best = /best: trial \d{4}, val_acc [\d.]+ at epoch \d: (\{.*\})/.exec(tunerLog);
  expect(best).not.toBeNull();
  await expect(run.locator('[data-testid="pipeline-component"][data-id="trainer"] pre')).toContainText(`hyperparameters: ${best![1]} (pipette:tune/`);
});

test('the Tune page lists the pipeline\'s search, done with its 3 trials', async () => {
  await page.getByTestId('stage-tune').click();
  await expect(page.getByTestId('tune-page')).toBeVisible();
  const item = page.locator('.searches li').filter({ hasText: 'pipeline search' });
  await expect(item.getByTestId('search-status')).toHaveText('done');
  await item.getByRole('button', { name: 'pipeline search' }).click();
  await expect(page.getByTestId('tune-status')).toHaveText('done');
  await expect(page.getByTestId('tune-why')).toBeVisible();
  await expect(page.getByTestId('tune-trial')).toHaveCount(3);
  await expect(page.locator('[data-testid="tune-trial"][data-status="completed"]')).toHaveCount(3);
});
