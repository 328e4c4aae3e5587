import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { createProject, importFile, packageFile } from './helpers';

type Penguin = Record<string, string | number | null>;
const penguins = JSON.parse(packageFile('vega-datasets', 'data/penguins.json').toString('utf8')) as Penguin[];
const COLUMNS = Object.keys(penguins[0]!);
const MASS = 'Body Mass (g)';

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
const massesOf = (rows: Penguin[]) => rows.map((p) => p[MASS]).filter((v): v is number => typeof v === 'number');
const en2 = (x: number) => new Intl.NumberFormat('en', { maximumFractionDigits: 2 }).format(x);

/** Penguins as CSV (missing values as empty fields), after `edit` changed rows or dropped columns. */
function penguinsCsv(edit: (rows: Penguin[]) => Penguin[] = (r) => r, columns = COLUMNS): Buffer {
  const rows = edit(penguins.map((p) => ({ ...p })));
  const cell = (v: string | number | null | undefined) => (v === null || v === undefined ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  const lines = [columns.map(cell).join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))];
  return Buffer.from(`${lines.join('\n')}\n`);
}

const statsRow = (page: Page, column: string) => page.locator(`[data-testid="stats-row"][data-column="${column}"]`);

async function importNewVersion(page: Page, dataset: string, name: string, csv: Buffer): Promise<void> {
  await page.getByTestId('stage-data').click();
  await page.getByTestId('import-target').selectOption({ label: `a new version of "${dataset}"` });
  await page.getByTestId('import-files').setInputFiles({ name, mimeType: 'text/csv', buffer: csv });
  await expect(page.getByTestId('import-done')).toContainText(name);
}

test('statistics of the demo penguins render with the real numbers, also broken down by species', async ({ page }) => {
  await page.goto('./');
  await page.getByTestId('open-demo').click();
  await expect(page.getByTestId('project-title')).toBeVisible({ timeout: 120_000 });
  await page.getByTestId('stage-validate').click();
  await expect(page.getByTestId('validate-version-select').locator('option:checked')).toHaveText('Palmer penguins v1 (344 rows)', { timeout: 120_000 });
  await expect(page.getByTestId('stats-meta')).toContainText('344 rows, 7 columns');
  await expect(page.getByTestId('stats-meta')).toContainText('data worker');

  const masses = massesOf(penguins);
  const row = statsRow(page, MASS);
  const shownMean = Number(await row.getByTestId('stat-mean').getAttribute('data-value'));
  expect(Math.abs(shownMean - mean(masses))).toBeLessThan(1e-9);
  await expect(row.getByTestId('stat-mean')).toHaveText(en2(mean(masses)));
  await expect(row.getByTestId('stat-min')).toHaveText(en2(Math.min(...masses)));
  await expect(row.getByTestId('stat-max')).toHaveText(en2(Math.max(...masses)));
  await expect(row.getByTestId('stat-missing')).toHaveAttribute('data-value', String(penguins.length - masses.length));
  await expect(row.locator('svg rect')).not.toHaveCount(0);

  const species = statsRow(page, 'Species');
  const adelie = penguins.filter((p) => p.Species === 'Adelie');
  await expect(species.getByTestId('stat-unique')).toHaveText('3');
  await expect(species.getByTestId('stat-top')).toHaveText('Adelie');
  await expect(species.getByTestId('stat-top-count')).toHaveText(String(adelie.length));

  // the Adelie slice: its own mean body mass
  await page.getByTestId('label-select').selectOption('Species');
  await page.getByTestId('slice-select').selectOption({ label: `Species = Adelie (${adelie.length} rows)` });
  await expect(page.getByTestId('stats-meta')).toContainText(`${adelie.length} rows`);
  const sliceMean = Number(await statsRow(page, MASS).getByTestId('stat-mean').getAttribute('data-value'));
  expect(Math.abs(sliceMean - mean(massesOf(adelie)))).toBeLessThan(1e-9);

  // no predict panel has logged requests: the skew section says so, with no number
  await page.getByTestId('tab-drift').click();
  await expect(page.getByTestId('skew-none')).toContainText('No serving requests have been logged yet');
});

test('a new version with injected anomalies shows exactly those; accepting one writes a new schema version', async ({ page }) => {
  await createProject(page, 'Penguin checks');
  await importFile(page, 'penguins.csv', penguinsCsv());
  await expect(page.getByTestId('import-done')).toContainText('344');

  await page.getByTestId('stage-validate').click();
  await page.getByTestId('tab-schema').click();
  await expect(page.getByTestId('schema-none')).toBeVisible();
  await page.getByTestId('infer-schema').click();
  await expect(page.getByTestId('schema-version')).toHaveCount(1);
  const island = page.locator('[data-testid="schema-feature"][data-column="Island"]');
  await expect(island.getByTestId('domain-value')).toHaveText(['Biscoe', 'Dream', 'Torgersen']);
  // as TFDV, the inferred schema pins no numeric range; setting ranges from the statistics is an action (schema v2)
  const massFeature = page.locator(`[data-testid="schema-feature"][data-column="${MASS}"]`);
  await expect(massFeature.getByTestId('range-min')).toHaveValue('');
  await expect(massFeature.getByTestId('range-max')).toHaveValue('');
  await page.getByTestId('set-ranges').click();
  await expect(massFeature.getByTestId('range-max')).toHaveValue(String(Math.max(...massesOf(penguins))));
  await expect(page.getByTestId('schema-message')).toContainText(MASS);
  await page.getByTestId('save-schema').click();
  await expect(page.getByTestId('schema-version')).toHaveCount(2);

  // v2: three penguins on a new island, two far too heavy, and the Sex column dropped
  const newIsland = [10, 20, 30];
  const heavy = [5, 6];
  const edited = penguinsCsv(
    (rows) => {
      for (const i of newIsland) rows[i]!.Island = 'Atlantis';
      for (const i of heavy) rows[i]![MASS] = 99999;
      return rows;
    },
    COLUMNS.filter((c) => c !== 'Sex'),
  );
  await importNewVersion(page, 'penguins.csv', 'penguins-v2.csv', edited);

  await page.getByTestId('stage-validate').click();
  await page.getByTestId('tab-anomalies').click();
  await page.getByTestId('validate-version').selectOption({ label: 'penguins.csv v2' });
  await page.getByTestId('validate-run').click();
  const rows = page.getByTestId('anomaly-row');
  await expect(rows).toHaveCount(3);
  const byKind = (kind: string) => page.locator(`[data-testid="anomaly-row"][data-kind="${kind}"]`);
  await expect(byKind('out_of_domain')).toHaveAttribute('data-column', 'Island');
  await expect(byKind('out_of_domain').getByTestId('anomaly-count')).toHaveText('3');
  await expect(byKind('out_of_domain').getByTestId('anomaly-examples')).toContainText('"Atlantis"');
  // rows are numbered from 1, as in the Data table
  await expect(byKind('out_of_domain').getByTestId('anomaly-examples')).toContainText(`rows ${newIsland.map((i) => i + 1).join(', ')}`);
  await expect(byKind('out_of_range')).toHaveAttribute('data-column', MASS);
  await expect(byKind('out_of_range').getByTestId('anomaly-count')).toHaveText('2');
  await expect(byKind('out_of_range').getByTestId('anomaly-description')).toContainText(`above the maximum ${en2(Math.max(...massesOf(penguins)))}`);
  await expect(byKind('out_of_range').getByTestId('anomaly-examples')).toContainText(`rows ${heavy.map((i) => i + 1).join(', ')}`);
  await expect(byKind('missing_column')).toHaveAttribute('data-column', 'Sex');

  // accept the new island: schema v2 has it in the domain; mark the heavy penguins as a data error
  await byKind('out_of_domain').getByTestId('accept-anomaly').click();
  await expect(byKind('out_of_domain').getByTestId('anomaly-accepted')).toHaveText('Accepted into schema v3');
  await byKind('out_of_range').getByTestId('mark-data-error').click();
  await expect(byKind('out_of_range').getByTestId('anomaly-marked')).toBeVisible();

  await page.getByTestId('tab-schema').click();
  await expect(page.getByTestId('schema-version')).toHaveCount(3);
  await expect(page.locator('[data-testid="schema-version"][aria-pressed="true"]')).toHaveAttribute('data-version', '3');
  await expect(island.getByTestId('domain-value')).toHaveText(['Atlantis', 'Biscoe', 'Dream', 'Torgersen']);
  // the inferred version is unchanged, without ranges
  await page.locator('[data-testid="schema-version"][data-version="1"]').click();
  await expect(island.getByTestId('domain-value')).toHaveText(['Biscoe', 'Dream', 'Torgersen']);
  await expect(massFeature.getByTestId('range-max')).toHaveValue('');

  // against schema v3 only the two anomalies that were not accepted remain
  await page.getByTestId('tab-anomalies').click();
  await expect(page.getByTestId('validate-run')).toHaveText('Validate against schema v3');
  await page.getByTestId('validate-run').click();
  await expect(rows).toHaveCount(2);
  await expect(byKind('out_of_domain')).toHaveCount(0);
});

test('schema export, import, a file that is not a schema, and an edit saved as a new version', async ({ page }) => {
  await createProject(page, 'Schema files');
  await importFile(page, 'penguins.csv', penguinsCsv());
  await expect(page.getByTestId('import-done')).toBeVisible();
  await page.getByTestId('stage-validate').click();
  await page.getByTestId('tab-schema').click();
  await page.getByTestId('infer-schema').click();
  await expect(page.getByTestId('schema-version')).toHaveCount(1);

  const download = page.waitForEvent('download');
  await page.getByTestId('export-schema').click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('Schema-files-schema-v1.json');
  const text = Buffer.concat(await (await file.createReadStream()).toArray()).toString('utf8');
  const schema = JSON.parse(text) as { format: string; features: { name: string; presence: { required: boolean }; domain: { min?: number } | null }[] };
  expect(schema.format).toBe('pipette-schema');
  expect(schema.features.map((f) => f.name)).toEqual(COLUMNS);
  // no value range is inferred (as TFDV's infer_schema)
  expect(schema.features.find((f) => f.name === MASS)!.domain).toBeNull();

  // a data file is not a schema: a clear message, nothing imported
  await page.getByTestId('import-schema').setInputFiles({ name: 'penguins.json', mimeType: 'application/json', buffer: packageFile('vega-datasets', 'data/penguins.json') });
  await expect(page.getByTestId('schema-issues')).toContainText('penguins.json is not a Pipette schema');
  await expect(page.getByTestId('schema-issues')).toContainText('expected a JSON object, got an array');
  const broken = { ...schema, features: schema.features.map((f, i) => (i === 3 ? { ...f, domain: { kind: 'range', min: 'heavy', max: null } } : f)) };
  await page.getByTestId('import-schema').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(broken)) });
  await expect(page.getByTestId('schema-issues')).toContainText('features[3].domain.min');
  await expect(page.getByTestId('schema-issues')).toContainText('expected a number, got the string "heavy"');
  await expect(page.getByTestId('schema-version')).toHaveCount(1);

  // the exported file imports back as version 2
  await page.getByTestId('import-schema').setInputFiles({ name: 'good.json', mimeType: 'application/json', buffer: Buffer.from(text) });
  await expect(page.getByTestId('schema-message')).toHaveText('Imported good.json as schema v2.');
  await expect(page.getByTestId('schema-version')).toHaveCount(2);

  // an edit: Species optional (at least 90%), saved as version 3
  const speciesRow = page.locator('[data-testid="schema-feature"][data-column="Species"]');
  await speciesRow.getByTestId('presence').selectOption('optional');
  await speciesRow.getByTestId('min-fraction').fill('90');
  await speciesRow.getByTestId('min-fraction').blur();
  await expect(page.getByTestId('schema-dirty')).toBeVisible();
  await page.getByTestId('save-schema').click();
  await expect(page.getByTestId('schema-message')).toHaveText('Saved as schema v3.');
  await expect(page.getByTestId('schema-version')).toHaveCount(3);
  const again = page.waitForEvent('download');
  await page.getByTestId('export-schema').click();
  const v3 = JSON.parse(Buffer.concat(await (await (await again).createReadStream()).toArray()).toString('utf8')) as typeof schema;
  expect(v3.features.find((f) => f.name === 'Species')!.presence).toEqual({ required: false, minFraction: 0.9 });
});

test('the drift view flags a shifted column, and the overview shows both versions', async ({ page }) => {
  await createProject(page, 'Penguin drift');
  await importFile(page, 'penguins.csv', penguinsCsv());
  await expect(page.getByTestId('import-done')).toBeVisible();
  // v2: every body mass 10 kg heavier (the other columns as they were)
  await importNewVersion(
    page,
    'penguins.csv',
    'penguins-heavy.csv',
    penguinsCsv((rows) => rows.map((r) => ({ ...r, [MASS]: typeof r[MASS] === 'number' ? r[MASS] + 10_000 : null }))),
  );

  await page.getByTestId('stage-validate').click();
  await page.getByTestId('validate-version-select').selectOption({ label: 'penguins.csv v1 (344 rows)' });
  await page.getByTestId('tab-schema').click();
  await page.getByTestId('infer-schema').click();
  await expect(page.getByTestId('schema-version')).toHaveCount(1);
  // thresholds for every column, saved as schema v2
  await page.getByTestId('bulk-value').fill('0.1');
  await page.getByTestId('bulk-apply').click();
  await expect(page.locator('[data-testid="schema-feature"][data-column="Body Mass (g)"]').getByTestId('drift-threshold')).toHaveValue('0.1');
  await page.getByTestId('save-schema').click();
  await expect(page.getByTestId('schema-version')).toHaveCount(2);

  await page.getByTestId('tab-drift').click();
  await page.getByTestId('drift-baseline').selectOption({ label: 'penguins.csv v1' });
  await page.getByTestId('drift-current').selectOption({ label: 'penguins.csv v2' });
  await expect(page.getByTestId('drift-thresholds')).toHaveText('Thresholds from schema v2.');
  await page.getByTestId('drift-run').click();
  const mass = page.locator(`[data-testid="drift-row"][data-column="${MASS}"]`);
  await expect(mass).toHaveAttribute('data-flagged', 'true');
  // the shifted histogram no longer overlaps the old one: Jensen-Shannon divergence 1
  expect(Number(await mass.getByTestId('distance').getAttribute('data-value'))).toBeGreaterThan(0.999999);
  await expect(mass.getByTestId('status')).toHaveText('flagged');
  // the chart: the mass column's bar against its 0.1 threshold, read with the keyboard
  const driftChart = page.getByTestId('drift-chart');
  await driftChart.getByTestId('chart-plot').focus();
  for (let i = 0; i < 8 && (await driftChart.getByTestId('chart-readout').getAttribute('data-category')) !== MASS; i++) await page.keyboard.press('ArrowRight');
  await expect(driftChart.getByTestId('chart-readout')).toHaveAttribute('data-threshold', '0.1');
  expect(Number(await driftChart.getByTestId('chart-readout').locator('[data-series]').getAttribute('data-value'))).toBeGreaterThan(0.999999);
  for (const c of COLUMNS.filter((c) => c !== MASS)) {
    const other = page.locator(`[data-testid="drift-row"][data-column="${c}"]`);
    await expect(other).toHaveAttribute('data-flagged', 'false');
    await expect(other.getByTestId('distance')).toHaveAttribute('data-value', '0');
  }
  await expect(page.getByTestId('drift-summary')).toHaveText('Columns checked: 7; flagged: 1; not checked (no threshold): 0.');

  // accepting the drift raises the threshold in a new schema version
  await mass.getByTestId('accept-drift').click();
  await expect(mass).toContainText('Accepted into schema v3');

  // the overview, v2 against v1: overlaid histograms, and sorted by drift the shifted column comes first
  await page.getByTestId('tab-overview').click();
  await page.getByTestId('validate-version-select').selectOption({ label: 'penguins.csv v2 (344 rows)' });
  await page.getByTestId('compare-select').selectOption({ label: 'penguins.csv v1 (344 rows)' });
  await expect(page.getByTestId('legend')).toContainText('penguins.csv v2');
  await expect(page.getByTestId('legend')).toContainText('penguins.csv v1');
  const row = statsRow(page, MASS);
  await expect(row.getByTestId('stats-row-b').getByTestId('stat-mean')).toHaveText(en2(mean(massesOf(penguins))));
  await expect(row.locator('tr').first().getByTestId('stat-mean')).toHaveText(en2(mean(massesOf(penguins)) + 10_000));
  await expect(row.locator('svg rect[data-series="0"]')).not.toHaveCount(0);
  await expect(row.locator('svg rect[data-series="1"]')).not.toHaveCount(0);
  // drawn in the theme's chart colours
  expect(await row.locator('svg rect[data-series="0"]').first().evaluate((r) => getComputedStyle(r).fill)).toBe('rgb(31, 95, 153)');
  await page.getByTestId('sort-select').selectOption('drift');
  await expect(page.getByTestId('numeric-stats').getByTestId('stats-row').first()).toHaveAttribute('data-column', MASS);
});

/** A small weather log: one row per day from `start` (YYYY-MM-DD), `days` days, repeated to `rows` rows. */
function weatherCsv(start: string, days: number, rows: number, shift: number, hail: boolean): Buffer {
  const t0 = Date.parse(`${start}T00:00:00Z`);
  const lines = ['date,temp,weather'];
  for (let i = 0; i < rows; i++) {
    const date = new Date(t0 + (i % days) * 86_400_000).toISOString().slice(0, 10);
    const weather = hail && i % 5 === 0 ? 'hail' : ['sun', 'rain', 'cloud'][i % 3];
    lines.push(`${date},${10 + shift + (i % 7)},${weather}`);
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

test('without thresholds drift says nothing was checked; suggested thresholds check all but the date; a schema change marks the result stale', async ({ page }) => {
  await createProject(page, 'Weather drift');
  await importFile(page, 'weather.csv', weatherCsv('2025-01-01', 31, 93, 0, false));
  await expect(page.getByTestId('import-done')).toContainText('93');
  await importNewVersion(page, 'weather.csv', 'weather-feb.csv', weatherCsv('2025-02-01', 28, 84, 4, true));

  await page.getByTestId('stage-validate').click();
  await page.getByTestId('validate-version-select').selectOption({ label: 'weather.csv v1 (93 rows)' });
  // a date column is not a numeric column, and its mean and median are days
  await expect(page.getByTestId('date-stats').getByTestId('stats-row')).toHaveAttribute('data-column', 'date');
  await expect(page.getByTestId('numeric-stats').locator('[data-testid="stats-row"][data-column="date"]')).toHaveCount(0);
  await expect(statsRow(page, 'date').getByTestId('stat-mean')).toHaveText(/^2025-01-\d\d$/);
  await expect(statsRow(page, 'date').getByTestId('stat-median')).toHaveText(/^2025-01-\d\d$/);

  await page.getByTestId('tab-schema').click();
  await page.getByTestId('infer-schema').click();
  await expect(page.getByTestId('schema-version')).toHaveCount(1);
  // no ranges inferred, for numbers or dates
  for (const c of ['date', 'temp']) await expect(page.locator(`[data-testid="schema-feature"][data-column="${c}"]`).getByTestId('range-min')).toHaveValue('');

  await page.getByTestId('tab-drift').click();
  await page.getByTestId('drift-baseline').selectOption({ label: 'weather.csv v1' });
  await page.getByTestId('drift-current').selectOption({ label: 'weather.csv v2' });
  await page.getByTestId('drift-run').click();
  const row = (c: string) => page.locator(`[data-testid="drift-row"][data-column="${c}"]`);
  // temp moved a lot, but with no threshold that is not a pass: nothing was checked
  await expect(row('temp').getByTestId('distance')).not.toHaveAttribute('data-value', '');
  expect(Number(await row('temp').getByTestId('distance').getAttribute('data-value'))).toBeGreaterThan(0.1);
  await expect(page.getByTestId('drift-summary')).toHaveAttribute('data-checked', '0');
  await expect(page.getByTestId('drift-summary')).toContainText('Nothing was checked');
  await expect(row('temp').getByTestId('status')).toHaveText('not checked');
  await expect(row('date').getByTestId('distance')).toContainText('left out: dates and times drift between periods by design');
  await page.screenshot({ path: join(tmpdir(), 'pipette-drift-unchecked.png'), fullPage: true });

  // the offer: suggested thresholds as schema v2, compared again with them
  await page.getByTestId('drift-suggest').click();
  await expect(page.getByTestId('drift-thresholds')).toHaveText('Thresholds from schema v2.');
  await expect(page.getByTestId('drift-summary')).toHaveText('Columns checked: 2; flagged: 2; not checked (no threshold): 1.');
  await expect(row('temp')).toHaveAttribute('data-flagged', 'true');
  await expect(row('weather')).toHaveAttribute('data-flagged', 'true');
  await expect(row('date').getByTestId('status')).toHaveText('not checked');
  await expect(page.getByTestId('drift-stale')).toHaveCount(0);

  // a schema change after the comparison: the result is marked stale until compared again
  await page.getByTestId('tab-schema').click();
  await expect(page.getByTestId('schema-version')).toHaveCount(2);
  const weather = page.locator('[data-testid="schema-feature"][data-column="weather"]');
  await expect(weather.getByTestId('drift-threshold')).toHaveValue('0.1');
  await weather.getByTestId('drift-threshold').fill('0.5');
  await weather.getByTestId('drift-threshold').blur();
  await page.getByTestId('save-schema').click();
  await expect(page.getByTestId('schema-version')).toHaveCount(3);
  await page.getByTestId('tab-drift').click();
  await expect(page.getByTestId('drift-stale')).toContainText('now v3');
  await page.getByTestId('drift-rerun').click();
  await expect(page.getByTestId('drift-stale')).toHaveCount(0);
  await expect(row('weather')).toHaveAttribute('data-flagged', 'false');
  await expect(page.getByTestId('drift-summary')).toHaveText('Columns checked: 2; flagged: 1; not checked (no threshold): 1.');
});
