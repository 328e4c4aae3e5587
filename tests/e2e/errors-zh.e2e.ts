import { readFileSync } from 'node:fs';
import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { catalogs, format, type MessageKey } from '../../src/app/i18n/catalog';
import { createProject, importFile, openTrainForm } from './helpers';

// Issue 12 item 7, done when "a zh-TW e2e run of an error from each stage shows no English sentence":
// one project in zh-TW, one error a person can hit in each stage. The expected text is built from the
// zh-TW catalog, so the English message (or a missing translation) fails the test.
test.describe.configure({ mode: 'serial' });

let page: Page;

const zh = (key: MessageKey, params?: Record<string, string | number>) => format(catalogs['zh-TW'][key], params, 'zh-TW');

/** English sentences: three or more Latin words in a row (the rule of tests/unit/app/errors.test.ts). */
function englishWords(text: string): string[] {
  return text.match(/[A-Za-z]+(?:[ ,'-]+[A-Za-z]+){2,}/g) ?? [];
}

/** The error is shown, says `expected` (from the zh-TW catalog), and has no English sentence. */
async function saysInZh(error: Locator, ...expected: string[]): Promise<void> {
  await expect(error).toBeVisible();
  // shown means written: a short wait, so the known-English cases below fail fast
  for (const part of expected) await expect(error).toContainText(part, { timeout: 3000 });
  const text = await error.innerText();
  expect(englishWords(text), text).toEqual([]);
}

// 40 rows: two numbers, a text note and a two-class label; the model trained on it reads x and y
const good = ['x,y,note,label', ...Array.from({ length: 40 }, (_, i) => `${i},${(i * 7) % 13},note number ${i},${i % 2 ? 'spam' : 'ham'}`)].join('\n');
// no x or y, and a label with one class
const oneClass = ['p,q,label', ...Array.from({ length: 30 }, (_, i) => `${i},${i * 2},ham`)].join('\n');

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  page = await (await browser.newContext()).newPage();
  // the language setting, as a person chooses it (remembered in localStorage)
  await page.goto('./#/settings');
  await page.getByTestId('locale-select').selectOption('zh-TW');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-TW');
  await createProject(page, '錯誤訊息');
});

test.afterAll(async () => {
  await page.context().close();
});

test('the installed app has a zh-TW name and description (manifest)', async () => {
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(href).toBeTruthy();
  const manifest = await page.evaluate(async (url) => (await fetch(url)).json(), href!);
  expect(manifest.name_localized?.['zh-TW']).toMatch(/機器學習/);
  expect(manifest.description_localized?.['zh-TW']).toMatch(/[\u4e00-\u9fff]/);
});

test('Data: a ragged CSV row', async () => {
  await importFile(page, 'good.csv', Buffer.from(good));
  await expect(page.getByTestId('import-done')).toBeVisible();
  await importFile(page, 'oneclass.csv', Buffer.from(oneClass));
  await expect(page.getByTestId('import-done')).toContainText('oneclass.csv');
  await importFile(page, 'ragged.csv', Buffer.from('x,y\n1,a\n2\n3,c\n'));
  await saysInZh(page.getByTestId('import-error'), zh('data.importFailed'), zh('error.ragged-row', { file: 'ragged.csv', row: 2, actual: 1, expected: 2 }));
});

async function openLabel(): Promise<void> {
  await page.getByTestId('stage-label').click();
  const option = page.getByTestId('label-version-select').locator('option', { hasText: 'good' });
  await page.getByTestId('label-version-select').selectOption((await option.getAttribute('value'))!);
}

test('Label: a label schema with one class', async () => {
  await openLabel();
  await page.getByTestId('label-tab-schema').click();
  await page.getByTestId('schema-classes').fill('ham');
  await page.getByTestId('schema-save').click();
  await saysInZh(page.getByTestId('schema-error'), zh('label.schema.needTwo'));
  await page.getByTestId('schema-classes').fill('ham\nspam');
  await page.getByTestId('schema-save').click();
  await expect(page.getByTestId('schema-version')).toHaveAttribute('data-version', '1');
});

// The regex engine's reason is English: zh-TW names the pattern and leaves the engine's words out.
test('Label: a labeling function with an invalid regular expression', async () => {
  await page.getByTestId('label-tab-functions').click();
  await page.getByTestId('lf-add').click();
  await page.getByTestId('lf-kind').selectOption('regex');
  await page.getByTestId('lf-columns').selectOption('note');
  await page.getByTestId('lf-pattern').fill('(');
  await page.getByTestId('lf-save').click();
  await saysInZh(page.getByTestId('lf-draft-error'), zh('label.error.lf-bad-regex', { pattern: '(' }));
});

test('Validate: a schema file that is not a schema (an array)', async () => {
  await page.getByTestId('stage-validate').click();
  await page.getByTestId('tab-schema').click();
  await page.getByTestId('import-schema').setInputFiles({ name: 'rows.json', mimeType: 'application/json', buffer: Buffer.from('[{"x":1},{"x":2}]') });
  await saysInZh(
    page.getByTestId('schema-issues'),
    zh('validate.schema.importFailed', { file: 'rows.json' }),
    zh('schema.issue.expected', { wanted: zh('schema.wanted.json-object'), got: zh('schema.got.array') }),
  );
  await expect(page.getByTestId('schema-none')).toBeVisible();
});

test('Transform: a z-score of a text column, refused before anything runs', async () => {
  await page.getByTestId('stage-transform').click();
  await page.getByTestId('transform-version-select').selectOption({ label: zh('transform.versionOption', { dataset: 'good.csv', n: 1, rows: 40 }) });
  await page.getByTestId('transform-new-op').selectOption('z_score');
  await page.getByTestId('transform-add-step').click();
  await page.getByTestId('step-input').selectOption('note');
  await saysInZh(page.getByTestId('transform-refusal'), zh('transform.error.wrong-input-kind', { step: 'z_score', column: 'note', kind: zh('transform.kind.string'), expected: zh('transform.kind.number') }));
  await expect(page.getByTestId('transform-analyze')).toBeDisabled();
});

test('Feature selection: chi2 over a column with negative values names the column and the row', async () => {
  // every value of z is negative, so the first training row the test reads is refused, whichever it is
  const negative = ['z,w,label', ...Array.from({ length: 30 }, (_, i) => `${-1 - (i % 3)},${i},${i % 2 ? 'spam' : 'ham'}`)].join('\n');
  await importFile(page, 'negative.csv', Buffer.from(negative));
  await expect(page.getByTestId('import-done')).toContainText('negative.csv');
  await page.getByTestId('stage-transform').click();
  await page.getByTestId('transform-tab-select').click();
  const panel = page.getByTestId('select-panel');
  await panel.getByTestId('select-version').selectOption({ label: zh('select.versionOption', { dataset: 'negative.csv', n: 1, rows: 30 }) });
  await panel.getByTestId('select-target').selectOption('label');
  await panel.getByTestId('select-method-chi2').check();
  await panel.getByTestId('select-run').click();
  const error = panel.getByTestId('select-error');
  await saysInZh(error, zh('select.failed', { message: '' }).trim());
  // the catalog's sentence with the column named; the row and the value are the data's
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const sentence = escape(zh('select.error.negative-feature', { column: 'z', row: '<row>', value: '<value>' }))
    .replace('<row>', '\\d+')
    .replace('<value>', '-[123]');
  await expect(error).toHaveText(new RegExp(sentence));
});

test('Train: a label with one class in the training split', async () => {
  await openTrainForm(page, 'oneclass');
  await expect(page.getByTestId('train-label')).toHaveValue('label');
  await expect(page.getByTestId('train-task')).toHaveValue('tabular-classification');
  await saysInZh(page.getByTestId('prepare-error'), zh('train.error.one-class', { column: 'label', value: 'ham' }));
  await expect(page.getByTestId('train-start')).toBeDisabled();

  // a small model for the stages after Train
  await openTrainForm(page, 'good');
  await expect(page.getByTestId('prepare-summary')).toBeVisible();
  await page.getByTestId('train-epochs').fill('3');
  await page.getByTestId('train-backend').selectOption('cpu');
  await expect(page.getByTestId('train-start')).toBeEnabled();
  await page.getByTestId('train-start').click();
  const view = page.getByTestId('run-view');
  await expect(view.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  await view.getByTestId('save-model').click();
  await expect(view.getByTestId('saved-model')).toBeVisible();
});

test('Registry: an alias that is not a valid name', async () => {
  await page.getByTestId('stage-registry').click();
  await expect(page.getByTestId('model-item')).toHaveCount(1);
  await page.getByTestId('model-open').click();
  await page.getByTestId('alias-input').fill('Not Valid!');
  await page.getByTestId('alias-set').click();
  await saysInZh(page.getByTestId('alias-error'), zh('registry.alias.invalid'));
});

test('Registry: importing a file that is not a zip', async () => {
  await page.getByTestId('model-import').setInputFiles({ name: 'notes.zip', mimeType: 'application/zip', buffer: Buffer.from('hello, not a zip') });
  await saysInZh(page.getByTestId('import-error'), zh('registry.importFailed', { message: zh('train.error.not-zip', { what: zh('train.notZip.no-zip-header') }) }));
  await expect(page.getByTestId('model-item')).toHaveCount(1);
});

test('Optimize: a pruning schedule with a final sparsity of 1', async () => {
  await page.getByTestId('stage-optimize').click();
  await page.getByTestId('prune-final').fill('1');
  await saysInZh(page.getByTestId('prune-issue'), zh('optimize.form.sparsityRange', { field: zh('optimize.field.finalSparsity') }));
  await expect(page.getByTestId('prune-start')).toBeDisabled();
});

test('Evaluate: a dataset version without the model\'s columns', async () => {
  await page.getByTestId('stage-evaluate').click();
  const option = page.getByTestId('evaluate-data').locator('option', { hasText: 'oneclass' });
  await page.getByTestId('evaluate-data').selectOption((await option.getAttribute('value'))!);
  await page.getByTestId('evaluate-run').click();
  const error = page.getByTestId('evaluate-error');
  await expect(error).toBeVisible();
  const column = (await error.innerText()).includes('「x」') ? 'x' : 'y';
  await saysInZh(error, zh('evaluate.error.input-mismatch', { column }));
});

test('Pipelines: a pipeline whose wire reads the wrong kind of artifact', async () => {
  await page.getByTestId('stage-pipelines').click();
  await page.getByTestId('pipeline-new-json').click();
  const demo = readFileSync('pipelines/demo.pipeline.json', 'utf8');
  const wrong = demo.replace('"from": "transform",\n          "port": "transform_graph"', '"from": "statistics_gen",\n          "port": "statistics"');
  expect(wrong).not.toBe(demo);
  await page.getByTestId('pipeline-json').fill(wrong);
  await saysInZh(page.getByTestId('pipeline-json-problem'), zh('pipeline.error.kind-mismatch', { component: 'trainer', port: 'transform_graph', expected: 'TransformGraph', from: 'statistics_gen', output: 'statistics', actual: 'Statistics' }));
  await expect(page.getByTestId('pipeline-json-save')).toBeDisabled();
});

test('Tune: a search space whose minimum is above its maximum names the parameter', async () => {
  await page.getByTestId('stage-tune').click();
  await expect(page.getByTestId('tune-page')).toBeVisible();
  const space = page.getByTestId('tune-space');
  // the space as JSON (the no-code editor's text), under its summary
  await page.locator('summary', { hasText: zh('tune.run.space') }).click();
  // the suggested space, with the units' bounds the wrong way round
  const suggested = JSON.parse(await space.inputValue()) as { hps: { name: string; min?: number; max?: number }[] };
  const units = suggested.hps.find((h) => h.name === 'units')!;
  Object.assign(units, { min: 128, max: 16 });
  await space.fill(JSON.stringify(suggested));
  await saysInZh(page.getByTestId('tune-problems'), zh('tune.error.min-above-max', { param: 'units', min: 128, max: 16 }));
  await expect(page.getByRole('button', { name: zh('tune.run.start') })).toBeDisabled();
});
