import { readFileSync } from 'node:fs';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { DEFAULT_FRACTIONS, splitRows } from '../../src/core/model/split';
import { createProject, importFile } from './helpers';

type Penguin = Record<string, string | number | null>;
// the bundled demo's penguins (public/demo, built from vega-datasets)
const penguinsFile = readFileSync('public/demo/penguins.json');
const penguins = JSON.parse(penguinsFile.toString('utf8')) as Penguin[];
const MASS = 'Body Mass (g)';
const FLIPPER = 'Flipper Length (mm)';

/** The rows the Train stage trains on: seed 42, its default fractions, stratified by Species. */
const train = Array.from(splitRows(penguins.length, { seed: 42, fractions: DEFAULT_FRACTIONS, labels: penguins.map((p) => p.Species as string), stratify: true }).train);

const step = (page: Page, i: number) => page.getByTestId('transform-step').nth(i);

async function addStep(page: Page, op: string, name: string, inputs: string[]): Promise<Locator> {
  const steps = page.getByTestId('transform-step');
  const before = await steps.count();
  await page.getByTestId('transform-new-op').selectOption(op);
  await page.getByTestId('transform-add-step').click();
  await expect(steps).toHaveCount(before + 1);
  const row = steps.last();
  await row.getByTestId('step-name').fill(name);
  for (const [j, input] of inputs.entries()) {
    if (j > 0) await row.getByTestId('step-add-input').click();
    await row.getByTestId('step-input').nth(j).selectOption(input);
  }
  return row;
}

async function openPenguins(page: Page): Promise<void> {
  await createProject(page, 'Penguin transform');
  await importFile(page, 'penguins.json', penguinsFile, 'application/json');
  await expect(page.getByTestId('import-done')).toContainText('344');
  await page.getByTestId('stage-transform').click();
  await expect(page.getByTestId('transform-version-select').locator('option:checked')).toHaveText('penguins.json v1 (344 rows)');
  await expect(page.getByTestId('transform-label-select')).toHaveValue('Species');
}

const value = async (cell: Locator) => JSON.parse((await cell.getAttribute('data-value'))!) as unknown;

test('steps built in the editor are fitted on the training rows; the preview and statistics follow from the fitted state', async ({ page }) => {
  await openPenguins(page);
  await addStep(page, 'z_score', 'mass_z', [MASS]);
  const bucket = await addStep(page, 'bucketize', 'flipper_bucket', [FLIPPER]);
  await expect(bucket.getByTestId('param-num_buckets')).toHaveValue('4');
  await addStep(page, 'vocabulary', 'island_id', ['Island']);
  await addStep(page, 'cross', 'island_x_flipper', ['island_id', 'flipper_bucket']);
  // the leaves are the model features: mass_z and the cross, not the two steps the cross reads
  expect(await Promise.all([0, 1, 2, 3].map((i) => step(page, i).getByTestId('step-output').isChecked()))).toEqual([true, false, false, true]);
  await expect(page.getByTestId('transform-refusal')).toHaveCount(0);

  await page.getByTestId('transform-analyze').click();
  const view = page.getByTestId('transform-view');
  await expect(view.getByTestId('transform-view-title')).toHaveText('transform v1', { timeout: 60_000 });
  await expect(view.getByTestId('transform-view-rows')).toHaveText(String(train.length));

  // the fitted mean and (biased) standard deviation are those of the training rows only
  const masses = train.map((i) => penguins[i]![MASS]).filter((v): v is number => typeof v === 'number');
  const mean = masses.reduce((a, b) => a + b, 0) / masses.length;
  const std = Math.sqrt(masses.reduce((a, b) => a + (b - mean) ** 2, 0) / masses.length);
  const fitted = (name: string) => view.locator(`[data-testid="fitted-step"][data-name="${name}"]`);
  const shownMean = Number(await fitted('mass_z').getByTestId('fact-mean').getAttribute('data-value'));
  const shownStd = Number(await fitted('mass_z').getByTestId('fact-std').getAttribute('data-value'));
  expect(Math.abs(shownMean - mean)).toBeLessThan(1e-9);
  expect(Math.abs(shownStd - std)).toBeLessThan(1e-9);
  // the vocabulary: the islands of the training rows, most frequent first, with their counts
  const islands = new Map<string, number>();
  for (const i of train) islands.set(penguins[i]!.Island as string, (islands.get(penguins[i]!.Island as string) ?? 0) + 1);
  const byCount = [...islands].sort((a, b) => b[1] - a[1]);
  await expect(fitted('island_id').getByTestId('vocabulary-entry')).toHaveText(byCount.map(([island]) => island));
  await expect(fitted('island_id').getByTestId('fact-vocabulary')).toContainText(`${byCount[0]![0]} (${byCount[0]![1]})`);
  const boundaries = (await value(fitted('flipper_bucket').getByTestId('fact-boundaries'))) as number[];
  expect(boundaries).toHaveLength(3);

  // the preview: 20 rows, each transformed value computed by hand from the raw cell and the fitted state shown
  const rows = view.getByTestId('preview-row');
  await expect(rows).toHaveCount(20);
  const pairs = new Map<string, number>();
  for (let r = 0; r < 20; r++) {
    const row = rows.nth(r);
    const p = penguins[r]!;
    const cell = (testid: string, key: string, name: string) => row.locator(`[data-testid="${testid}"][data-${key}="${name}"]`);
    await expect(cell('preview-raw', 'column', 'Island')).toHaveText(p.Island as string);
    const z = (await value(cell('preview-value', 'step', 'mass_z'))) as number | null;
    if (p[MASS] === null) expect(z).toBeNull();
    else expect(Math.abs(z! - ((p[MASS] as number) - shownMean) / shownStd)).toBeLessThan(1e-12);
    const b = (await value(cell('preview-value', 'step', 'flipper_bucket'))) as number;
    const flipper = p[FLIPPER] as number | null;
    // bucket i holds boundaries[i-1] <= x < boundaries[i]; a missing value is the last bucket
    expect(b).toBe(flipper === null ? boundaries.length : boundaries.filter((x) => x <= flipper).length);
    expect(await value(cell('preview-value', 'step', 'island_id'))).toBe(byCount.findIndex(([island]) => island === p.Island));
    // the cross: one index per (island, bucket) pair, the same pair the same index
    const cross = (await value(cell('preview-value', 'step', 'island_x_flipper'))) as number;
    const key = `${p.Island}|${b}`;
    if (pairs.has(key)) expect(cross).toBe(pairs.get(key));
    else expect([...pairs.values()]).not.toContain(cross);
    pairs.set(key, cross);
  }

  // the statistics of the transformed training rows: z-scores with mean 0, one row per training row
  const stats = view.getByTestId('transform-stats');
  const zStats = stats.locator('[data-testid="stats-row"][data-column="mass_z"]');
  expect(Math.abs(Number(await zStats.getByTestId('stat-mean').getAttribute('data-value')))).toBeLessThan(1e-9);
  await expect(zStats.getByTestId('stat-count')).toHaveAttribute('data-value', String(train.length));
  await expect(zStats.getByTestId('stat-missing')).toHaveAttribute('data-value', String(train.length - masses.length));
  await expect(stats.locator('[data-testid="stats-row"][data-column="island_id"]').getByTestId('stat-max')).toHaveAttribute('data-value', '2');

  // the version list, the Train link and the exported transform.json
  await expect(page.getByTestId('transform-version')).toHaveCount(1);
  const id = await view.getAttribute('data-id');
  await expect(view.getByTestId('transform-train-link')).toHaveAttribute('href', new RegExp(`/train\\?transform=${id}$`));
  const download = page.waitForEvent('download');
  await view.getByTestId('transform-export').click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('transform-v1.transform.json');
  const exported = JSON.parse(readFileSync((await file.path())!, 'utf8'));
  expect(exported.format).toBe('pipette-transform');
  expect(exported.steps[0].state.mean).toBe(shownMean);

  // edited into a second version: numbered within its name, from the first
  await view.getByTestId('transform-edit').click();
  await step(page, 3).getByTestId('step-remove').click();
  await page.getByTestId('transform-analyze').click();
  await expect(view.getByTestId('transform-view-title')).toHaveText('transform v2', { timeout: 60_000 });
  await expect(page.getByTestId('transform-version')).toHaveCount(2);
});

test('a step that cannot apply is refused naming the step and the column, before anything runs; the JSON view edits the same steps', async ({ page }) => {
  await openPenguins(page);
  await addStep(page, 'z_score', 'island_z', ['Island']);
  const refusal = page.getByTestId('transform-refusal');
  await expect(refusal).toHaveText('Step "island_z" cannot read "Island", which is text; it reads a number.');
  await expect(page.getByTestId('transform-analyze')).toBeDisabled();
  await expect(step(page, 0)).toHaveClass(/refused/);
  await expect(page.getByTestId('transform-versions')).toHaveCount(0);

  // fixed in the JSON view: the same spec, another input
  await page.getByTestId('json-open').click();
  const text = page.getByTestId('json-text');
  const spec = JSON.parse(await text.inputValue());
  expect(spec).toEqual({ steps: [{ name: 'island_z', op: 'z_score', inputs: ['Island'] }] });
  await text.fill(JSON.stringify({ steps: [{ name: 'beak_z', op: 'z_score', inputs: ['Beak Length (mm)'] }] }));
  await page.getByTestId('json-apply').click();
  await expect(step(page, 0).getByTestId('step-name')).toHaveValue('beak_z');
  await expect(refusal).toHaveCount(0);
  await expect(page.getByTestId('transform-analyze')).toBeEnabled();

  // JSON that is not a spec is said so, and the steps stay
  await text.fill('{"steps": 3}');
  await page.getByTestId('json-apply').click();
  await expect(page.getByTestId('json-problem')).toContainText('This is not a transform spec');
  await expect(step(page, 0).getByTestId('step-name')).toHaveValue('beak_z');
});
