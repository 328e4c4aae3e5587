import { expect, test, type Browser, type Page } from '@playwright/test';
import { openDemoPipelines, runPipeline as runPipelineOn } from './pipeline-helpers';

// Lineage (ML Metadata) on the demo project (issue 14): after the demo pipeline ran, the production model's
// lineage goes back to the demo's dataset version, that version lists the model, two runs compare side by
// side, and the MLMD JSON download holds the Model artifacts with the events linking them.
test.describe.configure({ mode: 'serial' });

let page: Page;

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  page = await openDemoPipelines(browser);
});

test.afterAll(async () => {
  await page.context().close();
});

const run = (i: number) => page.getByTestId('pipeline-run').nth(i);

const runPipeline = () => runPipelineOn(page);

test('the production model goes back to the demo dataset version, and that version lists the model', async () => {
  const panel = page.getByTestId('lineage-panel');
  await expect(panel.getByTestId('lineage-empty')).toBeVisible();
  await page.getByTestId('pipeline-create-demo').click();
  await runPipeline();
  await expect(run(0)).toHaveAttribute('data-outcome', 'succeeded');
  // the demo's Evaluator blesses the model (accuracy >= 0.9), so the Pusher aliased it production
  await expect(run(0).locator('[data-testid="pipeline-component"][data-id="pusher"]').getByTestId('pipeline-not-pushed')).toHaveCount(0);

  await expect(panel.getByTestId('lineage-model').locator('option:checked')).toHaveText('penguins-pipeline v1 (production)');
  const graph = panel.getByTestId('lineage-graph');
  const node = (type: string) => graph.locator(`[data-testid="lineage-node"][data-type="${type}"]`);
  // model <- Trainer <- transform <- Transform <- schema <- SchemaGen <- statistics <- StatisticsGen <- examples <- ExampleGen
  await expect(graph.getByTestId('lineage-node')).toHaveCount(10);
  await expect(node('Model')).toHaveAttribute('data-depth', '0');
  await expect(node('Examples')).toHaveCount(1);
  await expect(node('Examples')).toContainText('Palmer penguins');
  await expect(node('Examples')).toContainText('version 1');
  for (const type of ['Trainer', 'TransformGraph', 'Schema', 'ExampleStatistics', 'ExampleGen']) await expect(node(type)).toHaveCount(1);

  await panel.getByTestId('lineage-ask-production').click();
  await expect(panel.getByTestId('lineage-production-answer')).toHaveText('The production model penguins-pipeline v1 was trained on Palmer penguins v1.');

  await panel.getByTestId('lineage-mode-version').check();
  // the demo project has other datasets too
  await panel.getByTestId('lineage-version').selectOption({ label: 'Palmer penguins v1' });
  await expect(node('Examples')).toHaveAttribute('data-depth', '0');
  await expect(node('Model')).toHaveCount(1);
  await panel.getByTestId('lineage-ask-used-by').click();
  await expect(panel.getByTestId('lineage-used-by-answer')).toHaveText('Models trained on it: penguins-pipeline v1.');
});

test('two runs side by side: the second (production moved, so evaluated again) differs in the evaluation and what reads its blessing', async () => {
  await runPipeline();
  const panel = page.getByTestId('lineage-panel');
  await panel.getByTestId('lineage-run-a').selectOption({ index: 1 });
  await panel.getByTestId('lineage-run-b').selectOption({ index: 2 });
  const rows = panel.getByTestId('lineage-diff-row');
  // everything up to the Trainer was cached (the same artifacts); the Pusher pushed the same model again
  await expect(rows).toHaveText([/^evaluator\s*output evaluation/, /^evaluator\s*output blessing/, /^pusher\s*input model_blessing/]);
});

test('the lineage downloads as MLMD JSON with Model artifacts and the events linking them', async () => {
  const download = page.waitForEvent('download');
  await page.getByTestId('lineage-download').click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('lineage.mlmd.json');
  const text = await (await file.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8'));
  const json = JSON.parse(text) as {
    artifactTypes: { id: string; name: string }[];
    executionTypes: { id: string; name: string }[];
    artifacts: { id: string; typeId: string; uri: string }[];
    executions: { id: string; typeId: string }[];
    events: { artifactId: string; executionId: string; type: string }[];
  };
  const modelType = json.artifactTypes.find((t) => t.name === 'Model')!;
  const models = json.artifacts.filter((a) => a.typeId === modelType.id);
  expect(models).toHaveLength(1);
  expect(models[0]!.uri).toMatch(/^pipette:model\//);
  const typeOf = (executionId: string) => json.executionTypes.find((t) => t.id === json.executions.find((e) => e.id === executionId)!.typeId)!.name;
  const linked = json.events.filter((e) => e.artifactId === models[0]!.id).map((e) => `${typeOf(e.executionId)} ${e.type}`);
  // made by the first run's Trainer, re-used by the second run's cached Trainer; read by both runs' Evaluator and Pusher
  expect(linked.sort()).toEqual(['Evaluator INPUT', 'Evaluator INPUT', 'Pusher INPUT', 'Pusher INPUT', 'Trainer OUTPUT', 'Trainer OUTPUT']);
});
