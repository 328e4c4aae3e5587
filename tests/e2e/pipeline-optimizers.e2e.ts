import { expect, test, type Browser, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { openDemoPipelines, runPipeline } from './pipeline-helpers';

// An optimizer as a pipeline step in the tab (issue 14): the demo pipeline with a Quantizer after its Trainer,
// the Evaluator and Pusher on the quantized model. The Quantizer is the Optimize stage's own quantize: the
// new model version appears in the Registry as a variant of the trained one, and its lineage goes back
// through the Quantizer to the Trainer's model and the dataset version.
test.describe.configure({ mode: 'serial' });

let page: Page;

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  page = await openDemoPipelines(browser);
});

test.afterAll(async () => {
  await page.context().close();
});

const demo = JSON.parse(readFileSync('pipelines/demo.pipeline.json', 'utf8')) as { name: string; components: { id: string; type: string; settings: unknown; inputs: Record<string, { from: string; port: string }> }[] };

function quantized() {
  const spec = structuredClone(demo);
  spec.name = 'penguins-uint8';
  for (const c of spec.components) if (c.type === 'Evaluator' || c.type === 'Pusher') c.inputs.model = { from: 'quantizer', port: 'model' };
  spec.components.push({ id: 'quantizer', type: 'Quantizer', settings: { dtype: 'uint8' }, inputs: { model: { from: 'trainer', port: 'model' } } });
  return spec;
}

test('the demo plus a Quantizer: the quantized version is in the Registry and its lineage goes back through the Quantizer to the trained model', async () => {
  await page.getByTestId('pipeline-new-json').click();
  await page.getByTestId('pipeline-json').fill(JSON.stringify(quantized(), null, 2));
  await expect(page.getByTestId('pipeline-json-ok')).toBeVisible();
  await page.getByTestId('pipeline-json-save').click();
  await page.getByTestId('pipeline-version').filter({ hasText: 'penguins-uint8 v1' }).click();
  await expect(page.getByTestId('pipeline-dag').getByTestId('pipeline-node')).toHaveCount(9);

  await runPipeline(page);
  const run = page.getByTestId('pipeline-run').first();
  await expect(run).toHaveAttribute('data-outcome', 'succeeded');
  const component = (id: string) => run.locator(`[data-testid="pipeline-component"][data-id="${id}"]`);
  for (const id of ['trainer', 'quantizer', 'evaluator', 'pusher']) await expect(component(id)).toHaveAttribute('data-state', 'succeeded');
  // the demo's Evaluator blesses a model of accuracy >= 0.9; the 8-bit one keeps the float model's accuracy on penguins
  await expect(component('pusher').getByTestId('pipeline-not-pushed')).toHaveCount(0);

  // the Registry: the trained version and its uint8 variant, which the Pusher aliased production
  await page.getByTestId('stage-registry').click();
  await expect(page.getByTestId('model-item')).toHaveCount(2);
  const variant = page.getByTestId('model-item').filter({ hasText: 'penguins-pipeline (uint8)' });
  await expect(variant).toHaveCount(1);
  await expect(variant.getByTestId('model-alias')).toHaveText(/production/);
  await page.getByTestId('stage-pipelines').click();

  // its lineage: quantized model <- Quantizer <- the trained model <- Trainer <- ... <- Palmer penguins v1
  const panel = page.getByTestId('lineage-panel');
  await expect(panel.getByTestId('lineage-model').locator('option:checked')).toHaveText('penguins-pipeline (uint8) v2 (production)');
  const graph = panel.getByTestId('lineage-graph');
  const node = (type: string) => graph.locator(`[data-testid="lineage-node"][data-type="${type}"]`);
  await expect(node('Quantizer')).toHaveCount(1);
  await expect(node('Quantizer')).toHaveAttribute('data-depth', '1');
  await expect(node('Model')).toHaveCount(2);
  await expect(node('Model').filter({ hasText: 'penguins-pipeline (uint8)' })).toHaveAttribute('data-depth', '0');
  await expect(node('Model').filter({ hasNotText: '(uint8)' })).toHaveAttribute('data-depth', '2');
  await expect(node('Trainer')).toHaveAttribute('data-depth', '3');
  await expect(node('Examples')).toContainText('Palmer penguins');
  // the pipeline made it, so the records add no hand "Optimizer" execution beside the Quantizer
  await expect(node('Optimizer')).toHaveCount(0);
  await panel.getByTestId('lineage-ask-production').click();
  await expect(panel.getByTestId('lineage-production-answer')).toHaveText('The production model penguins-pipeline (uint8) v2 was trained on Palmer penguins v1.');
});
