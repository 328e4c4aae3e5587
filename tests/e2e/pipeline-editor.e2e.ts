import { expect, test, type Locator, type Page } from '@playwright/test';
import { runPipeline, sharedDemoPipelines } from './pipeline-helpers';

// The pipeline editor (issue 14) on the demo project: a pipeline built by clicks alone (ExampleGen ->
// StatisticsGen -> SchemaGen -> ExampleValidator), a wire that would close a cycle refused next to its port,
// a wrong kind typed in the JSON view shown at the port in the graph editor and mended there, then saved as a
// version and run to success.
test.describe.configure({ mode: 'serial' });

const demoPage = sharedDemoPipelines();
let page: Page;
test.beforeEach(() => {
  page = demoPage();
});

const panel = (id: string) => page.locator(`[data-testid="pipeline-component-panel"][data-id="${id}"]`);
const port = (id: string, name: string) => panel(id).locator(`[data-testid="pipeline-port"][data-port="${name}"]`);
const source = (id: string, name: string): Locator => port(id, name).getByTestId('pipeline-port-source');

async function add(type: string, id: string): Promise<void> {
  await page.getByTestId('pipeline-add-type').selectOption(type);
  await page.getByTestId('pipeline-add').click();
  await expect(panel(id)).toHaveAttribute('open', '');
}

test('a pipeline built by clicks: each port offers the outputs of its kind, the graph follows', async () => {
  await page.getByTestId('pipeline-new').click();
  await expect(page.getByTestId('pipeline-editor')).toBeVisible();
  await expect(page.getByTestId('pipeline-json-problem')).toHaveText('The pipeline has no components yet.');
  // every type can be chosen, the Tuner too (pipeline-tuner.e2e.ts runs one)
  await expect(page.getByTestId('pipeline-add-type').locator('option:disabled')).toHaveCount(0);

  await page.getByTestId('pipeline-name').fill('checks');
  await page.getByTestId('pipeline-name').press('Tab');

  await add('ExampleGen', 'example_gen');
  // no dataset yet: the settings check names the field next to it
  await expect(panel('example_gen').locator('[data-testid="pipeline-field-problem"][data-field="dataset.name"]')).toBeVisible();
  await panel('example_gen').getByTestId('pipeline-setting-dataset').selectOption('Palmer penguins');
  await panel('example_gen').getByTestId('pipeline-setting-label').selectOption('Species');
  await expect(panel('example_gen').getByTestId('pipeline-field-problem')).toHaveCount(0);

  await add('StatisticsGen', 'statistics_gen');
  await expect(port('statistics_gen', 'examples').getByTestId('pipeline-port-problem')).toHaveText('Component "statistics_gen" needs its input examples (Examples) wired to a component that gives it.');
  // a port offers only the outputs of its kind (and "not wired")
  await expect(source('statistics_gen', 'examples').locator('option')).toHaveText(['not wired', 'example_gen.examples']);
  await source('statistics_gen', 'examples').selectOption('example_gen.examples');
  await expect(port('statistics_gen', 'examples').getByTestId('pipeline-port-problem')).toHaveCount(0);

  await add('SchemaGen', 'schema_gen');
  await source('schema_gen', 'statistics').selectOption('statistics_gen.statistics');
  await add('ExampleValidator', 'example_validator');
  await source('example_validator', 'statistics').selectOption('statistics_gen.statistics');
  await source('example_validator', 'schema').selectOption('schema_gen.schema');

  await expect(page.getByTestId('pipeline-json-ok')).toHaveText('The pipeline is valid: 4 components.');
  const dag = page.getByTestId('pipeline-dag');
  await expect(dag.getByTestId('pipeline-node')).toHaveCount(4);
  await expect(dag.getByTestId('pipeline-edge')).toHaveCount(4);
  await expect(dag.locator('[data-testid="pipeline-edge"][data-from="schema_gen"][data-to="example_validator"]')).toContainText('schema → schema (Schema)');
  // the JSON view holds what the clicks made
  const spec = JSON.parse(await page.getByTestId('pipeline-json').inputValue());
  expect(spec.name).toBe('checks');
  expect(spec.components.map((c: { id: string }) => c.id)).toEqual(['example_gen', 'statistics_gen', 'schema_gen', 'example_validator']);
  expect(spec.components[0].settings).toEqual({ dataset: { name: 'Palmer penguins' }, version: 'latest', label: 'Species', split: { seed: 42, fractions: { train: 0.7, validation: 0.15, test: 0.15 } } });
  expect(spec.components[3].inputs).toEqual({ statistics: { from: 'statistics_gen', port: 'statistics' }, schema: { from: 'schema_gen', port: 'schema' } });
});

test('a wire that closes a cycle is refused next to its port, and the draft stays as it was', async () => {
  const before = await page.getByTestId('pipeline-json').inputValue();
  // the StatisticsGen's optional schema input fits the SchemaGen's output, which reads these statistics
  await page.getByTestId('pipeline-node').filter({ hasText: 'statistics_gen' }).first().click();
  await expect(panel('statistics_gen')).toHaveAttribute('open', '');
  await source('statistics_gen', 'schema').selectOption('schema_gen.schema');
  await expect(port('statistics_gen', 'schema').getByTestId('pipeline-port-refusal')).toHaveText(
    'statistics_gen.schema: this wire would close a circle, so none of these components could start: statistics_gen → schema_gen → statistics_gen.',
  );
  await expect(source('statistics_gen', 'schema')).toHaveValue('');
  expect(await page.getByTestId('pipeline-json').inputValue()).toBe(before);
  await expect(page.getByTestId('pipeline-json-save')).toBeEnabled();
});

test('a wrong kind typed in the JSON view shows at the port, and choosing the right output mends both views', async () => {
  const text = await page.getByTestId('pipeline-json').inputValue();
  const wrong = text.replace(/("schema": \{\s*"from": )"schema_gen",(\s*"port": )"schema"/, '$1"statistics_gen",$2"statistics"');
  expect(wrong).not.toBe(text);
  await page.getByTestId('pipeline-json').fill(wrong);
  const problem = 'example_validator.schema expects Schema but statistics_gen.statistics gives Statistics.';
  await expect(page.getByTestId('pipeline-json-problem')).toHaveText(problem);
  await expect(page.getByTestId('pipeline-json-save')).toBeDisabled();
  await page.getByTestId('pipeline-node').filter({ hasText: 'example_validator' }).first().press('Enter');
  await expect(port('example_validator', 'schema').getByTestId('pipeline-port-problem')).toHaveText(problem);
  await expect(page.locator('[data-testid="pipeline-node"][data-id="example_validator"] [data-testid="pipeline-node-input"][data-port="schema"]')).toHaveClass(/bad/);

  await source('example_validator', 'schema').selectOption('schema_gen.schema');
  await expect(port('example_validator', 'schema').getByTestId('pipeline-port-problem')).toHaveCount(0);
  await expect(page.getByTestId('pipeline-json-ok')).toBeVisible();
  expect(JSON.parse(await page.getByTestId('pipeline-json').inputValue()).components[3].inputs.schema).toEqual({ from: 'schema_gen', port: 'schema' });
});

test('renaming a component carries its wires, removing one names the port that read it', async () => {
  await panel('schema_gen').locator('summary').click();
  await panel('schema_gen').getByTestId('pipeline-rename-input').fill('schema');
  await panel('schema_gen').getByTestId('pipeline-rename').click();
  await expect(panel('schema')).toBeVisible();
  await expect(source('example_validator', 'schema')).toHaveValue('schema.schema');
  // a taken name is refused at the component
  await panel('schema').getByTestId('pipeline-rename-input').fill('example_gen');
  await panel('schema').getByTestId('pipeline-rename').click();
  await expect(panel('schema').getByTestId('pipeline-component-refusal')).toHaveText('Two components are named "example_gen".');

  const kept = await page.getByTestId('pipeline-json').inputValue();
  await panel('schema').getByTestId('pipeline-remove').click();
  await expect(panel('schema')).toHaveCount(0);
  await expect(port('example_validator', 'schema').getByTestId('pipeline-port-problem')).toHaveText('example_validator.schema reads from "schema", which is not a component of this pipeline.');
  await expect(page.getByTestId('pipeline-json-save')).toBeDisabled();
  // put it back as it was (the JSON view edits the same draft)
  await page.getByTestId('pipeline-json').fill(kept);
  await expect(page.getByTestId('pipeline-json-ok')).toBeVisible();
  await expect(panel('schema')).toBeVisible();
});

test('saved as a new version, it runs and succeeds', async () => {
  await page.getByTestId('pipeline-json-save').click();
  await expect(page.getByTestId('pipeline-editor')).toHaveCount(0);
  await expect(page.getByTestId('pipeline-version')).toHaveText('checks v1');
  await runPipeline(page);
  const run = page.getByTestId('pipeline-run').first();
  await expect(run).toHaveAttribute('data-outcome', 'succeeded');
  for (const id of ['example_gen', 'statistics_gen', 'schema', 'example_validator']) {
    await expect(run.locator(`[data-testid="pipeline-component"][data-id="${id}"]`)).toHaveAttribute('data-state', 'succeeded');
  }
  await expect(page.locator('[data-testid="pipeline-dag"] [data-testid="pipeline-node"][data-id="example_validator"]')).toHaveAttribute('data-state', 'succeeded');
});
