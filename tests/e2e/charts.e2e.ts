import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { createProject, importFile, openTrainForm } from './helpers';

// One project, one short run; the tests read its loss curve (issue 18: charts people can read, dark mode).
test.describe.configure({ mode: 'serial' });

let page: Page;
let runUrl: string;
const EPOCHS = 12;

interface Epoch {
  epoch: number;
  loss: number;
  valLoss: number | null;
}

/** Two numeric columns, the class is which side of x + y = 0 a row falls on (a fixed sequence, no RNG). */
function pointsCsv(): Buffer {
  const rows = ['x,y,side'];
  for (let i = 0; i < 300; i++) {
    const x = Math.sin(i * 1.7) * 3;
    const y = Math.cos(i * 0.9) * 3;
    rows.push(`${x.toFixed(3)},${y.toFixed(3)},${x + y > 0 ? 'above' : 'below'}`);
  }
  return Buffer.from(rows.join('\n') + '\n');
}

/** The run's per-epoch history as the store holds it. */
async function storedHistory(): Promise<Epoch[]> {
  return page.evaluate(
    () =>
      new Promise<Epoch[]>((resolve, reject) => {
        const open = indexedDB.open('pipette');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('runs').objectStore('runs').getAll();
          all.onsuccess = () => {
            open.result.close();
            resolve((all.result as { history: Epoch[] }[])[0]!.history);
          };
        };
      }),
  );
}

const lossChart = () => page.getByTestId('curve-loss');
const plotOf = (chart: Locator) => chart.getByTestId('chart-plot');

async function readout(chart: Locator): Promise<{ x: number; values: Record<string, number> }> {
  const r = chart.getByTestId('chart-readout');
  const values: Record<string, number> = {};
  for (const s of await r.locator('[data-series]').all()) values[(await s.getAttribute('data-series'))!] = Number(await s.getAttribute('data-value'));
  return { x: Number(await r.getAttribute('data-x')), values };
}

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  page = await (await browser.newContext()).newPage();
  await createProject(page, 'Charts');
  await importFile(page, 'points.csv', pointsCsv());
  await expect(page.getByTestId('dataset-item')).toHaveCount(1, { timeout: 60_000 });
  await openTrainForm(page, 'points');
  await page.getByTestId('train-label').selectOption('side');
  await page.getByTestId('train-task').selectOption('tabular-classification');
  await page.getByTestId('train-epochs').fill(String(EPOCHS));
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 150_000 });
  runUrl = page.url();
});

test.afterAll(async () => {
  await page.context().close();
});

test('hover and keyboard focus on the loss curve read the epoch values the run record holds', async () => {
  const history = await storedHistory();
  expect(history).toHaveLength(EPOCHS);
  const chart = lossChart();
  await expect(chart.getByTestId('chart-legend').locator('li')).toHaveCount(2);

  // focus starts at the latest epoch; Home goes to the first, the arrow to the next
  await plotOf(chart).focus();
  await expect(chart.getByTestId('chart-readout')).toHaveAttribute('data-x', String(EPOCHS));
  await page.keyboard.press('Home');
  await expect(chart.getByTestId('chart-readout')).toHaveAttribute('data-x', '1');
  expect(await readout(chart)).toEqual({ x: 1, values: { loss: history[0]!.loss, 'validation loss': history[0]!.valLoss } });
  await page.keyboard.press('ArrowRight');
  await expect(chart.getByTestId('chart-readout')).toHaveAttribute('data-x', '2');
  expect((await readout(chart)).values.loss).toBe(history[1]!.loss);
  await expect(plotOf(chart)).toHaveAttribute('aria-valuetext', /^epoch 2: loss /);

  // the pointer over epoch 5 (the x axis runs from epoch 1 to 12)
  const over = plotOf(chart).locator('.u-over');
  const box = (await over.boundingBox())!;
  await page.mouse.move(box.x + ((5 - 1) / (EPOCHS - 1)) * box.width, box.y + box.height / 2);
  await expect(chart.getByTestId('chart-readout')).toHaveAttribute('data-x', '5');
  expect((await readout(chart)).values).toEqual({ loss: history[4]!.loss, 'validation loss': history[4]!.valLoss });

  // the same numbers in the data table
  await chart.getByTestId('chart-table-toggle').click();
  await expect(chart.getByTestId('chart-table').locator('tbody tr')).toHaveCount(EPOCHS);
});

test('drag to zoom into some epochs, pan, and reset to the whole run', async () => {
  const plot = plotOf(lossChart());
  await expect(plot).toHaveAttribute('data-view', `1,${EPOCHS}`);
  const box = (await plot.locator('.u-over').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect(plot).toHaveAttribute('data-zoomed', 'true');
  const [lo, hi] = (await plot.getAttribute('data-view'))!.split(',').map(Number) as [number, number];
  expect(lo).toBeGreaterThan(1);
  expect(hi).toBeLessThan(EPOCHS);
  // ◀ and ▶ move the window by half its width
  await lossChart().getByTestId('chart-pan-right').click();
  const [lo2, hi2] = (await plot.getAttribute('data-view'))!.split(',').map(Number) as [number, number];
  expect(lo2).toBeCloseTo(lo + (hi - lo) / 2, 6);
  expect(hi2 - lo2).toBeCloseTo(hi - lo, 6);
  await lossChart().getByTestId('chart-reset').click();
  await expect(plot).toHaveAttribute('data-zoomed', 'false');
  await expect(plot).toHaveAttribute('data-view', `1,${EPOCHS}`);
});

test('the log-scale switch puts the loss axis on powers of ten, and back', async () => {
  const plot = plotOf(lossChart());
  // linear: the loss axis starts at 0
  await expect(plot).toHaveAttribute('data-y', /^0,/);
  await lossChart().getByTestId('chart-log').check();
  await expect(plot).toHaveAttribute('data-log', 'true');
  const [lo, hi] = (await plot.getAttribute('data-y'))!.split(',').map(Number) as [number, number];
  expect(lo).toBeGreaterThan(0);
  expect(Math.log10(lo)).toBeCloseTo(Math.round(Math.log10(lo)), 9);
  expect(Math.log10(hi)).toBeCloseTo(Math.round(Math.log10(hi)), 9);
  await lossChart().getByTestId('chart-log').uncheck();
  await expect(plot).toHaveAttribute('data-y', /^0,/);
});

test('dark mode: the switch recolours the chart from the theme and is kept over a reload; "system" follows the system', async () => {
  const plot = plotOf(lossChart());
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await expect(plot).toHaveAttribute('data-colors', '#1f5f99,#c2620a');

  await page.getByTestId('nav-settings').click();
  await page.getByTestId('theme-select').selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.goto(runUrl);
  await expect(plot).toHaveAttribute('data-colors', '#7cb4e8,#f0a15a');
  // the page's background follows too
  expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe('rgb(18, 22, 28)');

  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(plot).toHaveAttribute('data-colors', '#7cb4e8,#f0a15a');

  // back to "system": light while the system is light; when the system turns dark the chart on screen
  // redraws in the dark colours, without a reload or a new page
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('theme-select').selectOption('system');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.goto(runUrl);
  await expect(plot).toHaveAttribute('data-colors', '#1f5f99,#c2620a');
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(plot).toHaveAttribute('data-colors', '#7cb4e8,#f0a15a');
  await page.emulateMedia({ colorScheme: 'light' });
});
