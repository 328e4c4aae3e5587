import { expect, test, type Browser, type Page } from '@playwright/test';
import { strFromU8, unzipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parsePipeline } from '../../src/core/pipeline/spec';
import { openDemoPipelines } from './pipeline-helpers';

// Continuous training (issue 14) on the demo project: the demo pipeline saved with "on new data" on runs by
// itself when a new version of the Palmer penguins is imported on the Data page, is listed with why it ran,
// and moves the production alias exactly when its Pusher pushed; a version of the pipeline whose threshold
// cannot pass is not pushed, saying which threshold failed, and production stays. Then the export buttons:
// the pipeline JSON (what `pipette run` reads), the CI workflow, the TFX pipeline (with the classes of the
// model the runs trained) and the Kubeflow spec with their notes, and a pipeline JSON imported back.
test.describe.configure({ mode: 'serial' });

let page: Page;
const FIXTURE = 'tests/fixtures/penguins-v2.csv';

interface StoredRun {
  id: string;
  status: string;
  outcome?: string;
  pipelineVersion: number;
  trigger: { kind: string; versionNumber?: number };
  outputs: Record<string, Record<string, { properties: Record<string, unknown> }[]>>;
}

/** Read an IndexedDB store of the app's database in the page (what the app wrote, not what it shows). */
function readStore<T>(store: string): Promise<T[]> {
  return page.evaluate(
    (name) =>
      new Promise<T[]>((resolve, reject) => {
        const open = indexedDB.open('pipette');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction(name).objectStore(name).getAll();
          request.onsuccess = () => {
            open.result.close();
            resolve(request.result as T[]);
          };
          request.onerror = () => reject(request.error);
        };
      }),
    store,
  );
}

const finishedNewDataRuns = async () => (await readStore<StoredRun>('pipelineRuns')).filter((r) => r.trigger.kind === 'new-data' && r.status === 'finished');

async function productionModel(): Promise<string | null> {
  const aliases = await readStore<{ alias: string; modelId: string }>('aliases');
  return aliases.find((a) => a.alias === 'production')?.modelId ?? null;
}

/** Import the fixture as the next version of the Palmer penguins on the Data page, and stay there. */
async function importNewVersion(): Promise<void> {
  await page.getByTestId('stage-data').click();
  const target = page.getByTestId('import-target').locator('option', { hasText: 'Palmer penguins' });
  await page.getByTestId('import-target').selectOption((await target.getAttribute('value'))!);
  await page.getByTestId('import-files').setInputFiles(FIXTURE);
  await expect(page.getByTestId('import-done')).toBeVisible({ timeout: 60_000 });
}

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  page = await openDemoPipelines(browser);
});

test.afterAll(async () => {
  await page.context().close();
});

test('a new version of the penguins runs the pipeline by itself while the Data page is open, listed with why', async () => {
  await page.getByTestId('pipeline-create-demo').click();
  await expect(page.getByTestId('pipeline-version')).toHaveText('penguins v1');
  await page.getByTestId('pipeline-trigger-new-data').check();
  await expect(page.getByTestId('pipeline-trigger-new-data')).toBeChecked();
  await expect(page.getByTestId('pipeline-no-runs')).toBeVisible();

  await importNewVersion();
  // still on the Data page: the run happens there
  await expect.poll(async () => (await finishedNewDataRuns()).length, { timeout: 150_000 }).toBe(1);
  await expect(page.getByTestId('import-done')).toBeVisible();
  const [run] = await finishedNewDataRuns();
  expect(run!.trigger).toMatchObject({ kind: 'new-data', versionNumber: 2 });
  expect(run!.outcome, JSON.stringify(run)).toBe('succeeded');
  expect(Object.keys(run!.outputs).sort(), JSON.stringify(run)).toEqual(['evaluator', 'example_gen', 'example_validator', 'pusher', 'schema_gen', 'statistics_gen', 'trainer', 'transform']);

  const pushed = run!.outputs.pusher!.pushed_model![0]!.properties;
  // production is the run's model exactly when its Pusher pushed (no model was production before)
  expect(await productionModel()).toBe(pushed.pushed ? pushed.modelId : null);

  await page.getByTestId('stage-pipelines').click();
  const listed = page.locator(`[data-testid="pipeline-run"][data-id="${run!.id}"]`);
  await expect(listed.getByTestId('pipeline-run-why')).toHaveText('Why: new version 2 of Palmer penguins');
  const pusher = listed.locator('[data-testid="pipeline-component"][data-id="pusher"]');
  await expect(pusher.getByTestId(pushed.pushed ? 'pipeline-pushed' : 'pipeline-not-pushed')).toBeVisible();
  // only one run: the trigger asked once for version 2
  await expect(page.getByTestId('pipeline-run')).toHaveCount(1);
});

test('a pipeline version whose threshold cannot pass is not pushed, says which threshold failed, and production stays', async () => {
  const production = await productionModel();
  const spec = JSON.parse(readFileSync('pipelines/demo.pipeline.json', 'utf8')) as { components: { id: string; settings: Record<string, unknown> }[] };
  spec.components.find((c) => c.id === 'evaluator')!.settings.thresholds = [{ kind: 'absolute', metric: 'accuracy', op: '<=', value: 0.05 }];
  await page.getByTestId('pipeline-new-json').click();
  await page.getByTestId('pipeline-json').fill(JSON.stringify(spec, null, 2));
  await page.getByTestId('pipeline-json-save').click();
  await expect(page.getByTestId('pipeline-version').first()).toHaveText('penguins v2');

  await importNewVersion();
  await expect.poll(async () => (await finishedNewDataRuns()).length, { timeout: 150_000 }).toBe(2);
  const run = (await finishedNewDataRuns()).find((r) => r.trigger.versionNumber === 3)!;
  expect(run.pipelineVersion).toBe(2);
  expect(run.outputs.pusher!.pushed_model![0]!.properties.pushed).toBe(false);
  expect(await productionModel()).toBe(production);

  await page.getByTestId('stage-pipelines').click();
  const listed = page.locator(`[data-testid="pipeline-run"][data-id="${run.id}"]`);
  await expect(listed.getByTestId('pipeline-run-why')).toHaveText('Why: new version 3 of Palmer penguins');
  const reasons = listed.getByTestId('pipeline-not-pushed-reason');
  await expect(reasons).toHaveCount(1);
  await expect(reasons).toHaveAttribute('data-code', 'absolute-fail');
  await expect(reasons).toHaveText(/^Accuracy on Whole set is [\d.]+, which is not ≤ 0\.05\.$/);
});

test('the pipeline JSON, the CI workflow, the TFX pipeline and the Kubeflow spec download, and a pipeline JSON imports back (refused by field)', async () => {
  await page.locator('[data-testid="pipeline-version"]', { hasText: 'penguins v1' }).click();

  const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('pipeline-download-json').click()]);
  expect(json.suggestedFilename()).toBe('penguins.pipeline.json');
  const text = readFileSync((await json.path())!, 'utf8');
  expect(parsePipeline(text)).toEqual(parsePipeline(readFileSync('pipelines/demo.pipeline.json', 'utf8')));

  const [workflow] = await Promise.all([page.waitForEvent('download'), page.getByTestId('pipeline-download-workflow').click()]);
  const yml = readFileSync((await workflow.path())!, 'utf8');
  expect(yml).toContain("      - 'pipelines/**'\n      - 'data/**'");
  expect(yml).toContain('      - run: npx pipette run pipelines/penguins.pipeline.json --data data --out pipette-out\n');

  // TFX: pipeline.py and module.py zipped, module.py with the trained model's classes; Kubeflow: kfp.yaml; each with its notes
  const [tfx] = await Promise.all([page.waitForEvent('download'), page.getByTestId('pipeline-download-tfx').click()]);
  expect(tfx.suggestedFilename()).toBe('penguins-tfx.zip');
  const files = unzipSync(readFileSync((await tfx.path())!));
  expect(Object.keys(files).sort()).toEqual(['module.py', 'pipeline.py']);
  expect(strFromU8(files['module.py']!)).toContain('CLASSES = ["Adelie", "Chinstrap", "Gentoo"]');
  expect(strFromU8(files['pipeline.py']!)).toContain('CsvExampleGen');
  const notes = page.getByTestId('pipeline-export-note');
  await expect(notes.filter({ hasText: "example_gen: CsvExampleGen splits by hash buckets in the same proportions, not by Pipette's seeded, stratified split" })).toHaveCount(1);
  await expect(notes.filter({ hasText: 'class order' })).toHaveCount(0);
  const [kfp] = await Promise.all([page.waitForEvent('download'), page.getByTestId('pipeline-download-kfp').click()]);
  const kfpSpec = parse(readFileSync((await kfp.path())!, 'utf8')) as Record<string, unknown>;
  expect(Object.keys(kfpSpec).sort()).toEqual(['components', 'deploymentSpec', 'pipelineInfo', 'root', 'schemaVersion', 'sdkVersion']);
  await expect(page.getByTestId('pipeline-export-notes')).toBeVisible();

  const broken = JSON.parse(text) as { components: { inputs: Record<string, unknown> }[] };
  broken.components[1]!.inputs = { examples: { from: 'nowhere', port: 'examples' } };
  await page.getByTestId('pipeline-import-json').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(broken)) });
  await expect(page.getByTestId('pipeline-problem')).toHaveText('statistics_gen.examples reads from "nowhere", which is not a component of this pipeline.');
  await expect(page.getByTestId('pipeline-version')).toHaveCount(2);
  await page.getByTestId('pipeline-import-json').setInputFiles({ name: 'penguins.pipeline.json', mimeType: 'application/json', buffer: Buffer.from(text) });
  await expect(page.getByTestId('pipeline-imported')).toHaveText('Imported as penguins version 3.');
  await expect(page.getByTestId('pipeline-problem')).toHaveCount(0);
});

/** The model aliased production; when none is, the newest model is made production (with a written reason). */
async function ensureProduction(): Promise<string> {
  const production = await productionModel();
  if (production) return production;
  await page.getByTestId('stage-registry').click();
  await page.getByTestId('model-open').first().click();
  await page.getByTestId('alias-input').fill('production');
  if (await page.getByTestId('alias-override-reason').isVisible()) await page.getByTestId('alias-override-reason').fill('Continuous training test: the drift trigger watches production');
  await page.getByTestId('alias-set').click();
  await expect.poll(productionModel).not.toBeNull();
  return (await productionModel())!;
}

/** A penguin far from the Palmer penguins: another island, every measure beyond the data's range. */
const SHIFTED: Record<string, string> = { Island: 'Torgersen', Sex: 'MALE', 'Beak Length (mm)': '75', 'Beak Depth (mm)': '30', 'Flipper Length (mm)': '260', 'Body Mass (g)': '8000' };

/** Predict SHIFTED in the registry's predict panel for a model (each prediction is logged as a served request). */
async function predictShifted(modelId: string): Promise<void> {
  await page.getByTestId('stage-registry').click();
  await page.locator(`[data-testid="model-item"][data-model-id="${modelId}"]`).getByTestId('model-open').click();
  const panel = page.getByTestId('predict-panel');
  for (const field of await panel.locator('[data-testid^="predict-field-"]').all()) {
    const column = (await field.getAttribute('data-testid'))!.slice('predict-field-'.length);
    const value = SHIFTED[column] ?? '';
    if ((await field.evaluate((e) => e.tagName)) === 'SELECT') await field.selectOption(value);
    else await field.fill(value);
  }
  const logged = (await readStore('servingRequests')).length;
  await panel.getByTestId('predict-run').click();
  await expect(panel.getByTestId('predict-result')).toBeVisible();
  await expect.poll(async () => (await readStore('servingRequests')).length).toBe(logged + 1);
}

interface DriftTrigger {
  kind: 'drift';
  modelId: string;
  column: string;
  distance: number;
  threshold: number;
}

test('served requests drifting from the production model\'s training data run the pipeline once, listed with why', async () => {
  const production = await ensureProduction();
  await page.getByTestId('stage-pipelines').click();
  await page.getByTestId('pipeline-trigger-drift-threshold').fill('0.3');
  await page.getByTestId('pipeline-trigger-drift').check();
  await expect(page.getByTestId('pipeline-trigger-drift')).toBeChecked();
  const driftRuns = async () => (await readStore<StoredRun>('pipelineRuns')).filter((r) => r.trigger.kind === 'drift');
  expect(await driftRuns()).toHaveLength(0);

  // one shifted penguin already moves the island's shares by more than 0.3 (Torgersen is 52 of 344 in v1)
  await predictShifted(production);
  await expect.poll(async () => (await driftRuns()).filter((r) => r.status === 'finished').length, { timeout: 150_000 }).toBe(1);
  const [run] = await driftRuns();
  const trigger = run!.trigger as unknown as DriftTrigger;
  expect(trigger).toMatchObject({ kind: 'drift', modelId: production, threshold: 0.3 });
  expect(Object.keys(SHIFTED)).toContain(trigger.column);
  expect(trigger.distance).toBeGreaterThan(0.3);
  expect(run!.outcome, JSON.stringify(run)).toBe('succeeded');

  await page.getByTestId('stage-pipelines').click();
  const listed = page.locator(`[data-testid="pipeline-run"][data-id="${run!.id}"]`);
  const distance = String(Number(trigger.distance.toPrecision(3)));
  await expect(listed.getByTestId('pipeline-run-why')).toHaveText(`Why: served requests drifted: ${trigger.column} ${distance} > 0.3`);
  await expect(listed.getByTestId('pipeline-run-why')).toHaveAttribute('data-kind', 'drift');
  // the same requests do not run it again
  await expect(page.getByTestId('pipeline-trigger-waiting')).toHaveCount(0);
  expect(await driftRuns()).toHaveLength(1);
  await page.getByTestId('pipeline-trigger-drift').uncheck();
  await expect(page.getByTestId('pipeline-trigger-drift')).not.toBeChecked();
});

interface TimedRun extends StoredRun {
  startedAt: number;
  finishedAt?: number;
  components: Record<string, { state: string; startedAt?: number }>;
}

test('a run resumed after a reload and a run started in another tab take turns under the project\'s run lock', async () => {
  // a version whose Trainer is never cached and trains 150 epochs, so each run trains (and a reload can catch one training)
  const spec = JSON.parse(readFileSync('pipelines/demo.pipeline.json', 'utf8')) as { components: { id: string; cache?: boolean; settings: { hyper?: object } }[] };
  const trainer = spec.components.find((c) => c.id === 'trainer')!;
  trainer.cache = false;
  trainer.settings.hyper = { ...trainer.settings.hyper, epochs: 150, patience: 0 };
  await page.getByTestId('pipeline-new-json').click();
  await page.getByTestId('pipeline-json').fill(JSON.stringify(spec, null, 2));
  await page.getByTestId('pipeline-json-save').click();
  await expect(page.getByTestId('pipeline-version').first()).toHaveText('penguins v4');
  const runsOfV4 = async () => (await readStore<TimedRun>('pipelineRuns')).filter((r) => r.pipelineVersion === 4);

  const other = await page.context().newPage();
  await other.goto(page.url());
  await other.locator('[data-testid="pipeline-version"]', { hasText: 'penguins v4' }).click();

  await page.getByTestId('pipeline-run-button').click();
  await expect.poll(async () => (await runsOfV4()).find((r) => r.components.trainer?.state === 'running')?.id ?? null, { timeout: 60_000 }).not.toBeNull();
  const [first] = await runsOfV4();

  // the other tab of the same project presses Run: its run waits for the project's run lock
  await other.getByTestId('pipeline-run-button').click();
  const pendingRunLocks = () => other.evaluate(async () => ((await navigator.locks.query()).pending ?? []).filter((l) => l.name?.startsWith('pipette-pipeline-runs-')).length);
  await expect.poll(pendingRunLocks).toBe(1);
  expect(await runsOfV4()).toHaveLength(1);

  // reload while the first run trains: this tab continues it, the other tab's run takes the lock it let go
  const reloadedAt = Date.now();
  await page.reload();
  await expect(page.getByTestId('pipelines-page')).toBeVisible();
  await expect.poll(async () => (await runsOfV4()).filter((r) => r.status === 'finished').length, { timeout: 240_000 }).toBe(2);
  const runs = await runsOfV4();
  const resumed = runs.find((r) => r.id === first!.id)!;
  const second = runs.find((r) => r.id !== first!.id)!;
  expect(resumed.outcome, JSON.stringify(resumed.components)).toBe('succeeded');
  expect(second.outcome, JSON.stringify(second.components)).toBe('succeeded');
  // the other tab's run started only once the first let go of the lock
  expect(second.startedAt).toBeGreaterThanOrEqual(reloadedAt);
  // the resumed run trained again, and the two never ran at the same time: one finished before the other started
  const resumedAt = resumed.components.trainer!.startedAt!;
  expect(resumedAt).toBeGreaterThan(first!.components.trainer!.startedAt!);
  expect(resumed.finishedAt! <= second.startedAt || second.finishedAt! <= resumedAt, JSON.stringify({ resumedAt, resumedEnd: resumed.finishedAt, second: [second.startedAt, second.finishedAt] })).toBe(true);
  await other.close();
});
