/**
 * Lessons in real Chromium on the demo project: three lessons completed by following their own steps
 * (data validation, scope and baseline, quantization), a step turning done in another tab while the
 * learner trains, wrong and right answers checked against the store, progress kept over a reload, the
 * Tune and AutoML lessons offered exactly when the stage registry builds what they need, and a workshop
 * opening at its lesson one.
 * With PIPETTE_SCREENSHOTS=1 it also writes docs/lessons-en.png and docs/lessons-zh-TW.png.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { STAGE_REGISTRY } from '../../src/app/stages';
import { openDemoPage, openTrainForm } from './helpers';

test.describe.configure({ mode: 'serial' });

let page: Page;

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  page = await openDemoPage(browser);
});

test.afterAll(async () => {
  await page.context().close();
});

const lessonRow = (p: Page, id: string) => p.locator(`[data-testid="lesson-row"][data-lesson="${id}"]`);
const step = (p: Page, id: string) => p.locator(`[data-testid="lesson-step"][data-step="${id}"]`);

async function openLesson(p: Page, id: string): Promise<void> {
  await p.getByTestId('stage-lessons').click();
  await lessonRow(p, id).getByTestId('lesson-open').click();
  await expect(p.getByTestId('lesson-view')).toHaveAttribute('data-lesson', id);
}

async function answer(p: Page, question: string, value: string, kind: 'select' | 'fill'): Promise<string | null> {
  const form = p.locator(`[data-testid="lesson-question"][data-question="${question}"]`);
  if (kind === 'select') await form.getByTestId('lesson-answer').selectOption(value);
  else await form.getByTestId('lesson-answer').fill(value);
  await form.getByTestId('lesson-check').click();
  await expect(form.getByTestId('lesson-outcome')).toBeVisible();
  return form.getByTestId('lesson-outcome').getAttribute('data-outcome');
}

test('the list: every lesson with its progress; a lesson is offered when the stage registry has what it needs', async () => {
  await page.getByTestId('stage-lessons').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Lessons');
  await expect(page.getByTestId('lesson-row')).toHaveCount(17);
  const tune = STAGE_REGISTRY.find((s) => s.id === 'tune') as { load: unknown; capabilities?: readonly string[] };
  const expected = { tuning: tune.load !== null, automl: tune.load !== null && !!tune.capabilities?.includes('automl') };
  for (const [id, offered] of Object.entries(expected)) {
    await expect(lessonRow(page, id)).toHaveAttribute('data-offered', String(offered));
    if (!offered) await expect(lessonRow(page, id).getByTestId('lesson-not-offered')).toContainText('not built yet');
  }
  // the demo's scope card is filled in: its first step is done already
  await expect(lessonRow(page, 'scope')).toHaveAttribute('data-done', '1');
  await expect(lessonRow(page, 'scope').getByTestId('lesson-progress')).toHaveText('1 of 4 done');
});

test('data validation: statistics, an inferred schema, ranges saved; the column with the most missing values', async () => {
  await openLesson(page, 'validation');
  await expect(step(page, 'stats')).toHaveAttribute('data-done', 'false');
  // the choices come from the records: before any statistics exist there is nothing to choose
  await expect(page.locator('[data-testid="lesson-question"][data-question="missing"]').getByTestId('lesson-answer').locator('option')).toHaveCount(1);

  await step(page, 'stats').getByTestId('lesson-step-link').click();
  await expect(page.getByTestId('validate-version-select').locator('option:checked')).toHaveText('Palmer penguins v1 (344 rows)', { timeout: 120_000 });
  await expect(page.getByTestId('stats-meta')).toContainText('344 rows');
  await page.getByTestId('tab-schema').click();
  await page.getByTestId('infer-schema').click();
  await expect(page.getByTestId('schema-version')).toHaveCount(1);
  await page.getByTestId('set-ranges').click();
  await page.getByTestId('save-schema').click();
  await expect(page.getByTestId('schema-version')).toHaveCount(2);

  await openLesson(page, 'validation');
  for (const id of ['stats', 'infer', 'ranges']) await expect(step(page, id)).toHaveAttribute('data-done', 'true');
  expect(await answer(page, 'missing', 'Species', 'select')).toBe('wrong');
  expect(await answer(page, 'missing', 'Sex', 'select')).toBe('correct');
  await expect(page.getByTestId('lesson-view').getByTestId('lesson-complete')).toBeVisible();
});

test('scope and baseline: a run beats the baseline; the step turns done in another tab while it trains', async () => {
  await openLesson(page, 'scope');
  const url = page.url();
  await expect(step(page, 'card')).toHaveAttribute('data-done', 'true');
  // the validation lesson's statistics hold the target column
  await expect(step(page, 'stats')).toHaveAttribute('data-done', 'true');
  await expect(step(page, 'beat')).toHaveAttribute('data-done', 'false');

  const other = await page.context().newPage();
  await other.goto(url);
  await expect(step(other, 'beat')).toHaveAttribute('data-done', 'false');

  await openTrainForm(page, 'Palmer penguins');
  await expect(page.getByTestId('prepare-summary')).toContainText('3 classes');
  await page.getByTestId('train-epochs').fill('25');
  await page.getByTestId('train-start').click();
  const view = page.getByTestId('run-view');
  await expect(view.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  // no reload, no click: the other tab's live query saw the finished run
  await expect(step(other, 'beat')).toHaveAttribute('data-done', 'true');
  await other.close();

  await view.getByTestId('save-model-name').fill('Penguin classifier');
  await view.getByTestId('save-model').click();
  await expect(view.getByTestId('saved-model')).toBeVisible();

  await openLesson(page, 'scope');
  expect(await answer(page, 'majority', '150', 'fill')).toBe('wrong');
  expect(await answer(page, 'majority', '152', 'fill')).toBe('correct');
  await expect(page.getByTestId('lesson-view').getByTestId('lesson-complete')).toBeVisible();
});

test('quantization: uint8 from the saved model; the share of weight bytes kept, as the Optimize page shows it', async () => {
  await openLesson(page, 'quantization');
  await expect(step(page, 'model')).toHaveAttribute('data-done', 'true');
  await step(page, 'quantize').getByTestId('lesson-step-link').click();
  await expect(page.getByTestId('optimize-model')).toContainText('Penguin classifier');
  await page.getByTestId('quantize-uint8').click();
  await expect(page.getByTestId('quantize-result')).toContainText('uint8');
  const shown = (await page.getByTestId('quantize-result').textContent())!.match(/\(([\d.]+)%/)![1]!;

  await openLesson(page, 'quantization');
  await expect(step(page, 'quantize')).toHaveAttribute('data-done', 'true');
  expect(await answer(page, 'percent', String(Number(shown) + 5), 'fill')).toBe('wrong');
  expect(await answer(page, 'percent', `${shown} %`, 'fill')).toBe('correct');
  await expect(page.getByTestId('lesson-view').getByTestId('lesson-complete')).toBeVisible();
});

test('progress survives a reload: three lessons complete, answers kept', async () => {
  await page.getByTestId('stage-lessons').click();
  await page.reload();
  for (const id of ['validation', 'scope', 'quantization']) await expect(lessonRow(page, id).getByTestId('lesson-complete')).toBeVisible();
  await openLesson(page, 'scope');
  await expect(page.locator('[data-testid="lesson-question"][data-question="majority"]')).toHaveAttribute('data-correct', 'true');
  await expect(page.locator('[data-testid="lesson-question"][data-question="majority"]').getByTestId('lesson-outcome')).toContainText('152');
});

test('screenshots of the Lessons page in both languages (PIPETTE_SCREENSHOTS=1)', async () => {
  test.skip(!process.env.PIPETTE_SCREENSHOTS, 'writes docs/ only when asked');
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.getByTestId('stage-lessons').click();
  await expect(lessonRow(page, 'scope').getByTestId('lesson-complete')).toBeVisible();
  await page.screenshot({ path: 'docs/lessons-en.png' });
  await page.getByTestId('header-locale').selectOption('zh-TW');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('課程');
  await page.screenshot({ path: 'docs/lessons-zh-TW.png' });
  await page.getByTestId('header-locale').selectOption('en');
});

test('a workshop: the teacher chooses lessons; the project opens the Lessons page at the first not yet complete', async () => {
  await page.getByTestId('stage-lessons').click();
  const chooser = page.getByTestId('workshop-chooser');
  await chooser.locator('summary').click();
  for (const id of ['serving', 'validation', 'scope']) await chooser.locator(`[data-testid="workshop-lesson"][data-lesson="${id}"]`).check();
  await chooser.getByTestId('workshop-save').click();
  await expect(chooser.getByTestId('workshop-saved')).toHaveText('Workshop saved: 3 lessons.');
  // what the project file's workshop export reads (store/lesson-records.ts), in course order
  const projectId = decodeURIComponent(page.url().match(/#\/p\/([^/]+)/)![1]!);
  const stored = await page.evaluate(
    (id) =>
      new Promise<unknown>((resolve, reject) => {
        const open = indexedDB.open('pipette');
        open.onsuccess = () => {
          const get = open.result.transaction('lessonWorkshops').objectStore('lessonWorkshops').get(id);
          get.onsuccess = () => (open.result.close(), resolve((get.result as { lessonIds: string[] }).lessonIds));
          get.onerror = () => reject(get.error);
        };
        open.onerror = () => reject(open.error);
      }),
    projectId,
  );
  expect(stored).toEqual(['scope', 'validation', 'serving']);

  // scope and validation are complete: the page opens at serving
  await page.getByTestId('stage-scope').click();
  await page.getByTestId('stage-lessons').click();
  await expect(page.getByTestId('lesson-view')).toHaveAttribute('data-lesson', 'serving');
  await page.getByTestId('lesson-back').click();
  await expect(page.getByTestId('lessons-workshop')).toContainText('3 lessons chosen by your teacher');
  expect(await page.getByTestId('lesson-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-lesson')))).toEqual(['scope', 'validation', 'serving']);
  await page.getByTestId('workshop-chooser').locator('summary').click();
  await page.getByTestId('workshop-clear').click();
  await expect(page.getByTestId('lesson-row')).toHaveCount(17);
});
