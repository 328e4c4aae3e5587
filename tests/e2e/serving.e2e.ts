/**
 * The tab's TF Serving routes (issue 15) in real Chromium: the demo pipeline's penguin model (trained on
 * a transform, so it takes raw rows) called with `fetch` from the page under <app base>/v1/models, through
 * the service worker, an app window and the training worker: its status, a prediction on a raw row equal
 * to the registry's predict panel, TF Serving's 400 and 404 errors, the Deploy page's list and log, the
 * same prediction offline, the requests logged for the Validate stage's skew check, and the Monitoring view's
 * counts, error rate, predicted class and drift.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { PENGUIN, waitForServiceWorker } from './helpers';
import { openDemoPipelines, runPipeline } from './pipeline-helpers';

test.describe.configure({ mode: 'serial' });

let page: Page;
const MODEL = 'penguins-pipeline';
/** The panel's probabilities for the penguin, by class. */
let panelProbs: Record<string, number> = {};
/** The served raw row: the penguin's measurements as JSON numbers. */
let row: Record<string, string | number | null> = {};
let version = '';

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  page = await openDemoPipelines(browser);
  await waitForServiceWorker(page);
});

test.afterAll(async () => {
  await page.context().close();
});

/** A request from the page, as any script of this origin makes it. */
async function call(path: string, body?: string): Promise<{ status: number; text: string; type: string | null }> {
  return page.evaluate(
    async ([path, body]) => {
      const r = await fetch(path, body === undefined ? {} : { method: 'POST', body });
      return { status: r.status, text: await r.text(), type: r.headers.get('Content-Type') };
    },
    [path, body] as const,
  );
}

test('the demo pipeline trains a model on a transform; the predict panel predicts a penguin', async () => {
  await page.getByTestId('pipeline-create-demo').click();
  await runPipeline(page);
  await page.getByTestId('stage-registry').click();
  await expect(page.getByTestId('model-item')).toContainText(MODEL);
  const panel = page.getByTestId('predict-panel');
  const fields = await panel.locator('[data-testid^="predict-field-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.slice('predict-field-'.length)));
  expect(fields).toContain('Island');
  for (const column of fields) {
    const text = PENGUIN[column as keyof typeof PENGUIN] ?? '';
    await panel.getByTestId(`predict-field-${column}`).fill(text);
    row[column] = text === '' ? null : /^[\d.]+$/.test(text) ? Number(text) : text;
  }
  await panel.getByTestId('predict-run').click();
  await expect(panel.getByTestId('predict-prob')).toHaveCount(3);
  for (const li of await panel.getByTestId('predict-prob').all()) panelProbs[(await li.getAttribute('data-label'))!] = Number(await li.getAttribute('data-value'));
});

test("fetch from the page: the model's status, a raw row predicted as the panel did, TF Serving's 400 and 404", async () => {
  const status = await call(`v1/models/${MODEL}`);
  expect(status.status).toBe(200);
  expect(status.type).toBe('application/json');
  const versions = JSON.parse(status.text).model_version_status as { version: string; state: string }[];
  expect(versions).toHaveLength(1);
  expect(versions[0]!.state).toBe('AVAILABLE');
  version = versions[0]!.version;

  const metadata = JSON.parse((await call(`v1/models/${MODEL}/metadata`)).text);
  expect(metadata.pipette.input_kind).toBe('raw_rows');
  const labels = metadata.pipette.labels as string[];
  expect(labels.slice().sort()).toEqual(Object.keys(panelProbs).sort());

  const predicted = await call(`v1/models/${MODEL}:predict`, JSON.stringify({ instances: [row] }));
  expect(predicted.status).toBe(200);
  const probs = JSON.parse(predicted.text).predictions[0] as number[];
  // the same model, transform and row; the route reads the numbers as float32, the panel as float64
  labels.forEach((label, i) => expect(Math.abs(probs[i]! - panelProbs[label]!)).toBeLessThan(1e-5));

  // a body rapidjson cannot read: TF Serving's own words, with the offset
  const bad = await call(`v1/models/${MODEL}:predict`, '{"instances": [1 2]}');
  expect(bad.status).toBe(400);
  expect(JSON.parse(bad.text)).toEqual({ error: "JSON Parse error: Missing a comma or ']' after an array element. at offset: 17" });
  const unknown = await call('v1/models/no-such-model');
  expect(unknown.status).toBe(404);
  expect(JSON.parse(unknown.text)).toEqual({ error: 'Could not find any versions of model no-such-model' });
});

test("the Deploy page lists the served model and the requests the tab answered", async () => {
  const project = (await page.getByTestId('project-title').textContent())!.trim();
  await page.getByTestId('stage-serving').click();
  await expect(page.getByTestId('deploy-project')).toContainText(`"${project}"`);
  const model = page.locator(`[data-testid="deploy-model"][data-name="${MODEL}"]`);
  await expect(model.getByTestId('deploy-versions')).toHaveText(version);
  // the fetch example names this origin's own URL
  await expect(page.getByTestId('deploy-fetch-status')).toContainText(new URL(`v1/models/${MODEL}`, page.url()).href);
  await expect(page.getByTestId('deploy-curl')).toContainText(`npx pipette serve '${MODEL}-v${version}.zip' --port 8501 --model_name '${MODEL}'`);
  // the predict example sends a real row of the model's data (its first test row), and it answers
  await expect(page.getByTestId('deploy-fetch-predict')).toHaveAttribute('data-from-data', 'true');
  const example = (await page.getByTestId('deploy-fetch-predict').textContent())!;
  const body = example.slice(example.indexOf('JSON.stringify(') + 'JSON.stringify('.length, example.lastIndexOf('),'));
  const exampleRow = (JSON.parse(body) as { instances: Record<string, unknown>[] }).instances[0]!;
  expect(Object.keys(exampleRow).sort()).toEqual(Object.keys(row).sort());
  expect(Object.values(exampleRow).filter((v) => typeof v === 'number').length).toBeGreaterThan(0);
  expect((await call(`v1/models/${MODEL}:predict`, body)).status).toBe(200);
  const rows = page.getByTestId('deploy-log-row');
  await expect(rows).toHaveCount(6);
  // the page says an error by its code in the person's language
  await expect(rows.nth(1).getByTestId('deploy-log-error')).toHaveText('No such model, version or label is served (status 404).');
  // newest first: the example's prediction, the 404, the 400, the prediction, the metadata, the status
  const seen = await rows.evaluateAll((trs) => trs.slice(1).map((tr) => [tr.getAttribute('data-status'), tr.getAttribute('data-model'), tr.getAttribute('data-version'), tr.getAttribute('data-path')]));
  expect(seen).toEqual([
    ['404', 'no-such-model', '', '/v1/models/no-such-model'],
    ['400', MODEL, '', `/v1/models/${MODEL}:predict`],
    ['200', MODEL, version, `/v1/models/${MODEL}:predict`],
    ['200', MODEL, version, `/v1/models/${MODEL}/metadata`],
    ['200', MODEL, '', `/v1/models/${MODEL}`],
  ]);
});

test('offline, the tab still answers; the served rows reach the Validate stage', async () => {
  await page.context().setOffline(true);
  const predicted = await call(`v1/models/${MODEL}/versions/${version}:predict`, JSON.stringify({ instances: [row] }));
  expect(predicted.status).toBe(200);
  expect(await page.evaluate(() => fetch(`./not-precached-${Date.now()}.txt`).then(() => 'reached', () => 'unreachable'))).toBe('unreachable');
  await expect(page.getByTestId('deploy-log-row')).toHaveCount(7);
  await page.context().setOffline(false);
  // the panel's row and the three served rows
  await page.getByTestId('stage-validate').click();
  await page.getByTestId('tab-drift').click();
  await expect(page.getByTestId('skew-logged')).toContainText(/\b4\b/);
});

test("the Monitoring view counts the model's answers, its errors and the predicted class; its served rows' drift", async () => {
  // after every request a window answered (the 503 below is answered by none): for this model the status,
  // the metadata, two predictions of the penguin, the example's prediction and the 400; the 404 named another model
  await page.getByTestId('stage-serving').click();
  const monitor = page.locator(`[data-testid="monitor"][data-model="${MODEL}"]`);
  await expect(monitor.getByTestId('monitor-requests')).toHaveAttribute('data-value', '6');
  await expect(monitor.getByTestId('monitor-errors')).toHaveAttribute('data-value', '1');
  await expect(monitor.getByTestId('monitor-error-rate')).toHaveAttribute('data-value', String(1 / 6));
  await expect(monitor.getByTestId('monitor-error-rate')).toContainText('1/6');
  // both predictions of the penguin give the panel's most probable class (the example row's class aside)
  const expected = Object.entries(panelProbs).reduce((a, b) => (b[1] > a[1] ? b : a))[0];
  const classes = await monitor.getByTestId('monitor-class').evaluateAll((tds) => tds.map((td) => [td.getAttribute('data-class'), Number(td.getAttribute('data-count'))]));
  expect(classes.reduce((n, [, c]) => n + (c as number), 0)).toBe(3);
  expect((classes.find(([c]) => c === expected)?.[1] as number) ?? 0).toBeGreaterThanOrEqual(2);
  await expect(monitor.getByTestId('monitor-latency')).toContainText('p99');
  // the model's logged rows (the panel's and the three served) measured against its training data
  await expect(monitor.getByTestId('monitor-drift-requests')).toContainText(/\b4\b/);
  expect(await monitor.getByTestId('monitor-drift-row').count()).toBeGreaterThan(0);
});

test('the Monitoring view imports a pipette serve request log: its summary and drift; a bad line is named', async () => {
  const monitor = page.locator(`[data-testid="monitor"][data-model="${MODEL}"]`);
  const at = (s: number) => new Date(Date.parse('2026-12-03T03:00:00Z') + s * 1000).toISOString();
  const line = (s: number, fields: object) => JSON.stringify({ time: at(s), model: MODEL, version: 1, api: 'predict', status: 200, latency_ms: 3, ...fields });
  const log = [
    line(0, { input_kind: 'raw_rows', inputs: [row], classes: ['Adelie'] }),
    line(30, { input_kind: 'raw_rows', inputs: [row, row], classes: ['Adelie', 'Adelie'] }),
    line(60, { model: 'other-model', input_kind: 'encoded', inputs: [{ x: 1 }] }),
    line(90, { status: 400, error: 'JSON Parse error' }),
  ].join('\n');
  await monitor.getByTestId('monitor-import').setInputFiles({ name: 'requests.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(log) });
  await expect(monitor.getByTestId('monitor-imported')).toHaveAttribute('data-requests', '3');
  await expect(monitor.getByTestId('monitor-requests')).toHaveAttribute('data-value', '3');
  await expect(monitor.getByTestId('monitor-errors')).toHaveAttribute('data-value', '1');
  await expect(monitor.getByTestId('monitor-imported-others')).toContainText('other-model (1)');
  const classes = await monitor.getByTestId('monitor-class').evaluateAll((tds) => tds.map((td) => [td.getAttribute('data-class'), td.getAttribute('data-count')]));
  expect(classes).toEqual([['Adelie', '3']]);
  // the log's three raw rows against the model's training data
  await expect(monitor.getByTestId('monitor-drift-requests')).toContainText(/\b3\b/);
  expect(await monitor.getByTestId('monitor-drift-row').count()).toBeGreaterThan(0);
  await monitor.getByRole('button', { name: "Show this browser's requests" }).click();
  await expect(monitor.getByTestId('monitor-requests')).toHaveAttribute('data-value', '6');

  const bad = [line(0, {}), line(1, { latency_ms: 'fast' })].join('\n');
  await monitor.getByTestId('monitor-import').setInputFiles({ name: 'bad.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(bad) });
  await expect(monitor.getByTestId('monitor-import-problem')).toHaveText('Line 2 of the request log: the field "latency_ms" is missing or not what the log format holds.');
  await expect(monitor.getByTestId('monitor-requests')).toHaveAttribute('data-value', '6');
});

test('with no Pipette window open, a request gets 503 saying to open Pipette', async () => {
  const other = await page.context().newPage();
  await page.close();
  // a tab opened on a status URL: the service worker answers it, and the only window is that tab itself
  const response = await other.goto(`v1/models/${MODEL}`);
  expect(response!.status()).toBe(503);
  expect(JSON.parse(await response!.text()).error).toMatch(/^No Pipette window is open to answer this request: open Pipette/);
  page = other;
});
