import { expect, test, type Browser, type Page } from '@playwright/test';
import { openDemoPipelines, runPipeline as runPipelineOn } from './pipeline-helpers';
import { readFileSync } from 'node:fs';

// The Pipelines stage on the demo project (issue 14): the demo pipeline created, run through the stages'
// own operations in the data and training workers, its records shown in the Validate, Transform and
// Registry pages, a second run cached as TFX caches, and a run continued after a reload.
test.describe.configure({ mode: 'serial' });

let page: Page;

const DATA_COMPONENTS = ['example_gen', 'statistics_gen', 'schema_gen', 'example_validator', 'transform'];
const ALL = [...DATA_COMPONENTS, 'trainer', 'evaluator', 'pusher'];
const demoText = readFileSync('pipelines/demo.pipeline.json', 'utf8');

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  page = await openDemoPipelines(browser);
});

test.afterAll(async () => {
  await page.context().close();
});

const run = (i: number) => page.getByTestId('pipeline-run').nth(i);
const component = (runIndex: number, id: string) => run(runIndex).locator(`[data-testid="pipeline-component"][data-id="${id}"]`);

async function times(runIndex: number, id: string): Promise<[number, number]> {
  const row = component(runIndex, id);
  return [Number(await row.getAttribute('data-started')), Number(await row.getAttribute('data-finished'))];
}

const runPipeline = () => runPipelineOn(page);

test('the demo pipeline is shown as a graph and runs its components in dependency order, pushing only a blessed model', async () => {
  await page.getByTestId('pipeline-create-demo').click();
  await expect(page.getByTestId('pipeline-version')).toHaveText('penguins v1');
  const dag = page.getByTestId('pipeline-dag');
  await expect(dag.getByTestId('pipeline-node')).toHaveCount(8);
  await expect(dag.locator('[data-testid="pipeline-edge"][data-from="transform"][data-to="trainer"]')).toContainText('TransformGraph');
  await expect(dag.locator('[data-testid="pipeline-edge"][data-from="example_validator"][data-to="trainer"]')).toContainText('runs after');

  await runPipeline();
  await expect(run(0)).toHaveAttribute('data-outcome', 'succeeded');
  for (const id of ALL) await expect(component(0, id)).toHaveAttribute('data-state', 'succeeded');
  // each started after what it reads (or runs after) had finished
  for (const [from, to] of [['example_gen', 'statistics_gen'], ['statistics_gen', 'schema_gen'], ['schema_gen', 'example_validator'], ['schema_gen', 'transform'], ['example_validator', 'trainer'], ['transform', 'trainer'], ['trainer', 'evaluator'], ['evaluator', 'pusher']] as const) {
    expect((await times(0, to))[0]).toBeGreaterThanOrEqual((await times(0, from))[1]);
  }
  await expect(dag.locator('[data-testid="pipeline-node"][data-id="pusher"]')).toHaveAttribute('data-state', 'succeeded');
  // the Registry: one model version, aliased production exactly when the Pusher says it pushed
  const notPushed = await component(0, 'pusher').getByTestId('pipeline-not-pushed').count();
  await page.getByTestId('stage-registry').click();
  await expect(page.getByTestId('model-item')).toHaveCount(1);
  await expect(page.getByTestId('model-item')).toContainText('penguins-pipeline');
  await expect(page.getByTestId('model-alias')).toHaveCount(notPushed ? 0 : 1);
  if (!notPushed) await expect(page.getByTestId('model-alias')).toHaveText(/production/);
  await page.getByTestId('stage-pipelines').click();
});

test('what the run made appears in the Validate and Transform pages', async () => {
  await page.getByTestId('stage-validate').click();
  const version = page.getByTestId('validate-version-select').locator('option', { hasText: 'Palmer penguins' });
  await page.getByTestId('validate-version-select').selectOption((await version.getAttribute('value'))!);
  await page.getByTestId('label-select').selectOption('Species');
  // the StatisticsGen's statistics (by Species) are the page's, read from the cache
  await expect(page.getByTestId('stats-meta')).toHaveAttribute('data-cached', 'true');
  await page.getByTestId('tab-schema').click();
  await expect(page.getByTestId('schema-version')).toHaveCount(1);
  await expect(page.getByTestId('schema-version')).toContainText('inferred from Palmer penguins v1');

  await page.getByTestId('stage-transform').click();
  await expect(page.getByTestId('transform-version')).toHaveCount(1);
  await expect(page.getByTestId('transform-version')).toContainText('penguins-prep v1');
  await page.getByTestId('stage-pipelines').click();
});

test('a second run reuses every unchanged component (cached) and makes no new schema, transform or model', async () => {
  const pushedFirst = (await component(0, 'pusher').getByTestId('pipeline-not-pushed').count()) === 0;
  await runPipeline();
  for (const id of [...DATA_COMPONENTS, 'trainer']) await expect(component(0, id)).toHaveAttribute('data-state', 'cached');
  await expect(component(0, 'trainer').getByTestId('pipeline-component-state')).toHaveText('cached');
  // the Evaluator reads production when it starts: if the first run moved production, that changed, so it
  // evaluates again; the Pusher acts every time (a side effect is never cached)
  await expect(component(0, 'evaluator')).toHaveAttribute('data-state', pushedFirst ? 'succeeded' : 'cached');
  await expect(component(0, 'pusher')).toHaveAttribute('data-state', 'succeeded');
  await page.getByTestId('stage-transform').click();
  await expect(page.getByTestId('transform-version')).toHaveCount(1);
  await page.getByTestId('stage-registry').click();
  await expect(page.getByTestId('model-item')).toHaveCount(1);
  await page.getByTestId('stage-pipelines').click();
});

test('a wiring error in the JSON editor names the component and port, and nothing is saved', async () => {
  await page.getByTestId('pipeline-new-json').click();
  const wrong = demoText.replace('"from": "transform",\n          "port": "transform_graph"', '"from": "statistics_gen",\n          "port": "statistics"');
  expect(wrong).not.toBe(demoText);
  await page.getByTestId('pipeline-json').fill(wrong);
  await expect(page.getByTestId('pipeline-json-problem')).toHaveText('trainer.transform_graph expects TransformGraph but statistics_gen.statistics gives Statistics.');
  await expect(page.getByTestId('pipeline-json-save')).toBeDisabled();
  await expect(page.getByTestId('pipeline-version')).toHaveCount(1);
});

// MNIST's 10,000 images: statistics that take long enough to reload the page while they are computed
const digits = {
  format: 'pipette-pipeline',
  version: 1,
  name: 'digits',
  components: [
    { id: 'example_gen', type: 'ExampleGen', settings: { dataset: { name: 'MNIST digits' }, version: 'latest', label: 'label', split: { seed: 42, fractions: { train: 0.7, validation: 0.15, test: 0.15 } } }, inputs: {} },
    { id: 'statistics_gen', type: 'StatisticsGen', settings: {}, inputs: { examples: { from: 'example_gen', port: 'examples' } } },
    { id: 'schema_gen', type: 'SchemaGen', settings: {}, inputs: { statistics: { from: 'statistics_gen', port: 'statistics' } } },
  ],
};

test('a run continues after a reload from its last finished component', async () => {
  await page.getByTestId('pipeline-json').fill(JSON.stringify(digits, null, 2));
  await expect(page.getByTestId('pipeline-json-ok')).toBeVisible();
  await page.getByTestId('pipeline-json-save').click();
  await expect(page.getByTestId('pipeline-version')).toHaveCount(2);
  await expect(page.getByTestId('pipeline-version').first()).toHaveText('digits v1');
  await page.getByTestId('pipeline-version').first().click();

  const before = await page.getByTestId('pipeline-run').count();
  await page.getByTestId('pipeline-run-button').click();
  await expect(page.getByTestId('pipeline-run')).toHaveCount(before + 1);
  const runId = (await run(0).getAttribute('data-id'))!;
  await expect(component(0, 'statistics_gen')).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  const exampleGen = await times(0, 'example_gen');
  const statsStarted = Number(await component(0, 'statistics_gen').getAttribute('data-started'));
  const reloadAt = Date.now();
  await page.reload();

  await expect(page.getByTestId('pipeline-run')).toHaveCount(before + 1);
  await expect(run(0)).toHaveAttribute('data-id', runId);
  await expect(run(0)).toHaveAttribute('data-status', 'finished', { timeout: 120_000 });
  await expect(run(0)).toHaveAttribute('data-outcome', 'succeeded');
  for (const id of ['example_gen', 'statistics_gen', 'schema_gen']) await expect(component(0, id)).toHaveAttribute('data-state', 'succeeded');
  // what had finished was not run again, and the run went on after the reload from where it stood
  expect(await times(0, 'example_gen')).toEqual(exampleGen);
  const [statsStart] = await times(0, 'statistics_gen');
  if (statsStart === statsStarted) {
    // statistics_gen finished in the moment between being seen running and the reload landing (its
    // statistics of the digits take under a second): kept, and the next component started after the reload
    expect((await times(0, 'schema_gen'))[0]).toBeGreaterThan(reloadAt);
  } else {
    // it was running when the page went away: nothing of it was kept, it started again after the reload
    expect(statsStart).toBeGreaterThan(reloadAt);
  }
  await page.getByTestId('stage-validate').click();
  await page.getByTestId('tab-schema').click();
  await expect(page.getByTestId('schema-version').first()).toContainText('inferred from MNIST digits v1');
});
