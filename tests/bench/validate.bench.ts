/**
 * Full statistics (issue 4): in the data worker, in Chromium, of (a) 3 million rows of flights and (b) a
 * generated 1,000,000 x 20 table, both imported through the app's normal import path first. Reports
 * rows/s, values/s and the worker's peak memory, and compares with the same aggregates computed by arquero
 * (a general-purpose dataframe library) and by our core, both in Node on the same data.
 *
 * Flights: vega-datasets' flights-3m.parquet (ZSTD-compressed pages; date, delay, distance, origin,
 * destination), imported through the app and, for the comparison, through the same importer in Node.
 *
 * Memory: performance.measureUserAgentSpecificMemory needs cross-origin isolation and performance.memory
 * does not exist in workers, so the data worker's heap is sampled every 50 ms over the DevTools protocol
 * (Runtime.getHeapUsage: usedSize = JS heap, backingStorageSize = ArrayBuffer stores such as the exact
 * value arrays). The peak is of the samples, so a spike shorter than 50 ms can be missed.
 */
import { expect, test, type Browser, type CDPSession, type Page } from '@playwright/test';
import { mkdirSync, openAsBlob, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Bool, Dictionary, Float64, Int32, Table, TimestampMillisecond, Utf8, makeVector, tableToIPC, vectorFromArray, type RecordBatch } from 'apache-arrow';
import * as aq from 'arquero';
import { decodeBatch } from '../../src/core/data/arrow';
import { importParquet } from '../../src/core/data/parquet';
import { StatsAccumulator, columnsOf } from '../../src/core/validate';
import { report } from './report';

const dir = join(process.cwd(), '.bench');
const ROWS = 1_000_000;
const FLIGHTS_PARQUET = join(process.cwd(), 'node_modules/vega-datasets/data/flights-3m.parquet');

// the shared test-results folder is cleaned by other runs: keep no artifacts
test.use({ trace: 'off', screenshot: 'off', video: 'off' });

// ---------------------------------------------------------------------------------------------------------
// The generated table: 12 floats, 4 integers, 2 categories, 1 boolean, 1 date; a few columns with missing values

interface Generated {
  numeric: Record<string, Float64Array>;
  integer: Record<string, Int32Array>;
  categorical: Record<string, (string | null)[]>;
  flag: boolean[];
  day: Float64Array;
}

function generate(): Generated {
  let seed = 20240611;
  const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const numeric: Record<string, Float64Array> = {};
  for (let c = 0; c < 12; c++) {
    const a = new Float64Array(ROWS);
    for (let i = 0; i < ROWS; i++) {
      // normal-ish (sum of uniforms), log-normal-ish and uniform columns, 1% missing in every third
      const u = rand() + rand() + rand() - 1.5;
      const v = c % 3 === 0 ? u * 10 + c : c % 3 === 1 ? Math.exp(u) * 100 : rand() * 1000;
      a[i] = c % 3 === 0 && rand() < 0.01 ? NaN : v;
    }
    numeric[`n${c}`] = a;
  }
  const integer: Record<string, Int32Array> = {};
  for (let c = 0; c < 4; c++) integer[`i${c}`] = Int32Array.from({ length: ROWS }, () => Math.floor(rand() * 10 ** (c + 1)));
  const words = ['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black', 'white'];
  const categorical = {
    color: Array.from({ length: ROWS }, () => (rand() < 0.02 ? null : words[Math.floor(rand() * rand() * words.length)]!)),
    code: Array.from({ length: ROWS }, () => `K${Math.floor(rand() * 5000)}`),
  };
  const flag = Array.from({ length: ROWS }, () => rand() < 0.3);
  const day = Float64Array.from({ length: ROWS }, () => Date.UTC(2020, 0, 1) + Math.floor(rand() * 1500) * 86_400_000);
  return { numeric, integer, categorical, flag, day };
}

function arrowFile(g: Generated): Uint8Array {
  const cols: Record<string, ReturnType<typeof makeVector>> = {};
  for (const [k, a] of Object.entries(g.numeric)) {
    // NaN marks a missing value in the generator; in the file it is an Arrow null
    cols[k] = a.some((x) => Number.isNaN(x)) ? vectorFromArray(Array.from(a, (x) => (Number.isNaN(x) ? null : x)), new Float64()) : makeVector(a);
  }
  for (const [k, a] of Object.entries(g.integer)) cols[k] = makeVector(a);
  for (const [k, a] of Object.entries(g.categorical)) cols[k] = vectorFromArray(a, new Dictionary(new Utf8(), new Int32()));
  cols.flag = vectorFromArray(g.flag, new Bool());
  cols.day = vectorFromArray(Array.from(g.day, (ms) => ms), new TimestampMillisecond());
  return tableToIPC(new Table(cols), 'file');
}

// ---------------------------------------------------------------------------------------------------------
// Node: our core and arquero on the same data

/** Columns as arquero takes them (missing numbers as NaN, which arquero treats as invalid). */
type Columns = Record<string, ArrayLike<unknown>>;

/**
 * The aggregates our statistics compute, in arquero: moments, extremes, zeros, deciles, a 20-bin histogram
 * and top values. Timed in parts, since arquero's median and quantiles (a sort per column) dominate.
 */
function arqueroStats(columns: Columns, numeric: string[], strings: string[], booleans: string[]): { groups: number; parts: Record<string, number> } {
  const t = aq.table(columns);
  const parts: Record<string, number> = {};
  const part = <T>(name: string, fn: () => T): T => {
    const started = performance.now();
    const out = fn();
    parts[name] = (performance.now() - started) / 1000;
    return out;
  };
  const moments: Record<string, string> = {};
  const quantiles: Record<string, string> = {};
  for (const c of numeric) {
    moments[`${c}_valid`] = `d => op.valid(d['${c}'])`;
    moments[`${c}_mean`] = `d => op.mean(d['${c}'])`;
    moments[`${c}_std`] = `d => op.stdevp(d['${c}'])`;
    moments[`${c}_min`] = `d => op.min(d['${c}'])`;
    moments[`${c}_max`] = `d => op.max(d['${c}'])`;
    moments[`${c}_zeros`] = `d => op.sum(d['${c}'] === 0 ? 1 : 0)`;
    for (let q = 0; q <= 10; q++) quantiles[`${c}_q${q}`] = `d => op.quantile(d['${c}'], ${q / 10})`;
  }
  for (const c of strings) {
    moments[`${c}_valid`] = `d => op.valid(d['${c}'])`;
    moments[`${c}_distinct`] = `d => op.distinct(d['${c}'])`;
    moments[`${c}_len`] = `d => op.mean(op.length(d['${c}']))`;
  }
  for (const c of booleans) moments[`${c}_true`] = `d => op.sum(d['${c}'] ? 1 : 0)`;
  const summary = part('moments', () => t.rollup(moments).object() as Record<string, number>);
  if (numeric.length > 0) part('quantiles', () => t.rollup(quantiles).object());
  let groups = 0;
  part('histograms', () => {
    for (const c of numeric) {
      const lo = summary[`${c}_min`]!;
      const hi = summary[`${c}_max`]!;
      const step = (hi - lo) / 20 || 1;
      groups += t.filter(`d => op.is_finite(d['${c}'])`).groupby({ bin: `d => op.bin(d['${c}'], ${lo}, ${hi}, ${step})` }).count().numRows();
    }
  });
  part('top_values', () => {
    for (const c of strings) groups += t.groupby(c).count().orderby(aq.desc('count')).slice(0, 1000).numRows();
  });
  return { groups, parts };
}

function coreStats(batches: RecordBatch[]): number {
  const acc = new StatsAccumulator(columnsOf(batches[0]!), { expectedRows: batches.reduce((s, b) => s + b.numRows, 0) });
  for (const b of batches) acc.add(b);
  return acc.finish().columns.length;
}

/** Best of `runs` timings (the machine is shared: the best run is the least disturbed one). */
function timed<T>(fn: () => T, runs = 2): { value: T; seconds: number } {
  let best = Infinity;
  let value!: T;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    value = fn();
    best = Math.min(best, (performance.now() - started) / 1000);
  }
  return { value, seconds: best };
}

// ---------------------------------------------------------------------------------------------------------
// Browser: import, then statistics in the worker while its heap is sampled

class WorkerHeap {
  private peakUsed = 0;
  private peakTotal = 0;
  private base = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private nextId = 1;
  private pending = new Map<number, (r: { usedSize: number; backingStorageSize?: number }) => void>();

  private constructor(
    private readonly cdp: CDPSession,
    private readonly sessionId: string,
  ) {
    cdp.on('Target.receivedMessageFromTarget', (m) => {
      const msg = JSON.parse(m.message) as { id?: number; result?: { usedSize: number; backingStorageSize?: number } };
      if (msg.id !== undefined && msg.result) this.pending.get(msg.id)?.(msg.result);
    });
  }

  static async attach(browser: Browser): Promise<WorkerHeap> {
    const cdp = await browser.newBrowserCDPSession();
    const { targetInfos } = await cdp.send('Target.getTargets');
    const target = targetInfos.find(isDataWorker);
    if (!target) throw new Error('the data worker is not running');
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
    return new WorkerHeap(cdp, sessionId);
  }

  async sample(): Promise<number> {
    const id = this.nextId++;
    const result = new Promise<{ usedSize: number; backingStorageSize?: number }>((resolve) => this.pending.set(id, resolve));
    await this.cdp.send('Target.sendMessageToTarget', { sessionId: this.sessionId, message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' }) });
    const r = await result;
    this.pending.delete(id);
    this.peakUsed = Math.max(this.peakUsed, r.usedSize);
    const total = r.usedSize + (r.backingStorageSize ?? 0);
    this.peakTotal = Math.max(this.peakTotal, total);
    return total;
  }

  async start(): Promise<void> {
    this.base = await this.sample();
    this.peakUsed = 0;
    this.peakTotal = 0;
    this.timer = setInterval(() => void this.sample().catch(() => {}), 50);
  }

  async stop(): Promise<{ baseMb: number; peakHeapMb: number; peakTotalMb: number }> {
    if (this.timer) clearInterval(this.timer);
    await this.sample();
    const mb = (x: number) => x / 1024 / 1024;
    return { baseMb: mb(this.base), peakHeapMb: mb(this.peakUsed), peakTotalMb: mb(this.peakTotal) };
  }
}

async function importThroughApp(page: Page, project: string, path: string, outcome: 'import-done' | 'import-error' = 'import-done'): Promise<number> {
  await page.goto('./');
  await page.getByTestId('new-project-name').fill(project);
  await page.getByTestId('create-project').click();
  await page.getByTestId('stage-data').click();
  const started = Date.now();
  await page.getByTestId('import-files').setInputFiles(path);
  await expect(page.getByTestId(outcome)).toBeVisible({ timeout: 850_000 });
  return (Date.now() - started) / 1000;
}

/** Drop cached statistics (straight in IndexedDB), so opening the stage computes them again. */
async function clearStatistics(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('pipette');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('statistics', 'readwrite');
          tx.objectStore('statistics').clear();
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
}

/** The data worker's DevTools target: started from a blob: URL (protocol/inheriting-worker.ts), it is known by its name. */
function isDataWorker(t: { type: string; url: string; title: string }): boolean {
  return t.type === 'worker' && (t.title === 'data' || t.url.includes('data.worker'));
}

interface WorkerRun {
  seconds: number;
  wall: number;
  memory: { baseMb: number; peakHeapMb: number; peakTotalMb: number };
}

/** Open the Validate stage (statistics start at once) while sampling the worker's heap. */
async function oneRun(page: Page, browser: Browser, rows: number, columns: number): Promise<WorkerRun> {
  // the heap sampler attaches to a running data worker; an idle one stops after a minute (app/workers),
  // and the version's page (its table) starts it again
  const cdp = await browser.newBrowserCDPSession();
  const running = async () => (await cdp.send('Target.getTargets')).targetInfos.some(isDataWorker);
  if (!(await running())) await page.reload();
  await expect.poll(running).toBe(true);
  await cdp.detach();
  const heap = await WorkerHeap.attach(browser);
  await heap.start();
  const started = Date.now();
  await page.getByTestId('stage-validate').click();
  const meta = page.getByTestId('stats-meta');
  await expect(meta).toHaveAttribute('data-cached', 'false', { timeout: 600_000 });
  const wall = (Date.now() - started) / 1000;
  const memory = await heap.stop();
  await expect(meta).toContainText(`${new Intl.NumberFormat('en').format(rows)} rows, ${columns} columns`);
  return { seconds: Number(await meta.getAttribute('data-seconds')), wall, memory };
}

/** Two cold computations of the statistics in the worker (cache cleared and page reloaded between). */
async function statsInWorker(page: Page, browser: Browser, bench: string, rows: number, columns: number): Promise<number> {
  // the version's page after the import: its table starts the data worker again after the reload
  const versionPage = page.url();
  const first = await oneRun(page, browser, rows, columns);
  await clearStatistics(page);
  await page.goto(versionPage);
  await page.reload();
  await expect(page.getByTestId('row').first()).toBeVisible();
  const second = await oneRun(page, browser, rows, columns);
  const best = first.seconds < second.seconds ? first : second;
  report(bench, 'worker_stats_seconds', best.seconds, 's', bench === 'validate-1m-x-20' ? '< 2 (best of 2)' : 'best of 2');
  report(bench, 'worker_stats_seconds_other_run', (best === first ? second : first).seconds, 's', 'informational');
  report(bench, 'worker_rows_per_second', rows / best.seconds, 'rows/s', 'informational');
  report(bench, 'worker_values_per_second', (rows * columns) / best.seconds, 'values/s', 'informational');
  report(bench, 'page_wall_seconds', best.wall, 's', 'click to rendered overview');
  const peakHeap = Math.max(first.memory.peakHeapMb, second.memory.peakHeapMb);
  const peakTotal = Math.max(first.memory.peakTotalMb, second.memory.peakTotalMb);
  report(bench, 'worker_before_mb', Math.min(first.memory.baseMb, second.memory.baseMb), 'MB', 'JS heap + ArrayBuffers at start, over CDP');
  report(bench, 'worker_peak_js_heap_mb', peakHeap, 'MB', 'sampled every 50 ms');
  report(bench, 'worker_peak_heap_plus_buffers_mb', peakTotal, 'MB', 'sampled every 50 ms');
  return best.seconds;
}

function nodeComparison(bench: string, batches: RecordBatch[], columns: Columns, numeric: string[], strings: string[], booleans: string[], workerSeconds: number): void {
  const rows = batches.reduce((s, b) => s + b.numRows, 0);
  const values = rows * (numeric.length + strings.length + booleans.length);
  const core = timed(() => coreStats(batches));
  const arq = timed(() => arqueroStats(columns, numeric, strings, booleans), 1);
  expect(arq.value.groups).toBeGreaterThan(0);
  report(bench, 'node_core_seconds', core.seconds, 's', 'same data, our core in Node, best of 2');
  report(bench, 'node_core_values_per_second', values / core.seconds, 'values/s', 'informational');
  report(bench, 'node_arquero_seconds', arq.seconds, 's', 'same aggregates, arquero 8.0.3 in Node');
  for (const [name, seconds] of Object.entries(arq.value.parts)) report(bench, `node_arquero_${name}_seconds`, seconds, 's', 'part of node_arquero_seconds');
  report(bench, 'arquero_over_core_node', arq.seconds / core.seconds, 'x', '> 1 means our core is faster');
  report(bench, 'arquero_node_over_worker', arq.seconds / workerSeconds, 'x', 'arquero in Node vs the whole worker pass (IndexedDB reads included)');
}

/** Record batches of 64k rows, as the store holds them. */
function rebatch(table: Table, size = 65_536): RecordBatch[] {
  const out: RecordBatch[] = [];
  for (let i = 0; i < table.numRows; i += size) out.push(...table.slice(i, i + size).batches);
  return out;
}

test('statistics of a generated 1,000,000 x 20 table', async ({ page, browser }) => {
  mkdirSync(dir, { recursive: true });
  const g = generate();
  const path = join(dir, 'generated-1m-x-20.arrow');
  const ipc = arrowFile(g);
  try {
    if (statSync(path).size !== ipc.byteLength) throw new Error('stale');
  } catch {
    writeFileSync(path, ipc);
  }
  const importSeconds = await importThroughApp(page, 'Bench 1M x 20', path);
  report('validate-1m-x-20', 'import_seconds', importSeconds, 's', 'Arrow IPC file, informational');
  const workerSeconds = await statsInWorker(page, browser, 'validate-1m-x-20', ROWS, 20);
  // 12 floats and 4 integers in the numbers table; the date has its own table (its statistics are numeric,
  // in ms since 1970, but it is not a number); every one stayed exact (an estimated median is marked with *)
  await expect(page.getByTestId('numeric-stats').getByTestId('stats-row')).toHaveCount(16);
  await expect(page.getByTestId('date-stats').getByTestId('stats-row')).toHaveAttribute('data-column', 'day');
  await expect(page.getByTestId('stat-median').filter({ hasText: '*' })).toHaveCount(0);

  const table = new Table([decodeBatch(ipc)]);
  const columns: Columns = { ...g.numeric, ...g.integer, ...g.categorical, flag: g.flag, day: g.day };
  nodeComparison('validate-1m-x-20', rebatch(table), columns, [...Object.keys(g.numeric), ...Object.keys(g.integer), 'day'], ['color', 'code'], ['flag'], workerSeconds);
});

test('statistics of 3 million flights', async ({ page, browser }) => {
  // The real file, through the app's import path (its pages are ZSTD-compressed).
  const importSeconds = await importThroughApp(page, 'Bench flights', FLIGHTS_PARQUET);
  report('validate-flights-3m', 'import_seconds', importSeconds, 's', 'ZSTD Parquet, informational');

  // The same file through the same importer in Node, for the comparison.
  const file = Object.assign(await openAsBlob(FLIGHTS_PARQUET), { name: 'flights-3m.parquet' }) as unknown as File;
  const batches: RecordBatch[] = [];
  await importParquet(file, { write: async (b) => void batches.push(decodeBatch(b.ipc)), reset: async () => void (batches.length = 0) });
  const rows = batches.reduce((n, b) => n + b.numRows, 0);
  expect(rows).toBe(3_000_000);
  const workerSeconds = await statsInWorker(page, browser, 'validate-flights-3m', rows, 5);

  const table = new Table(batches);
  const columns: Columns = {};
  for (const name of ['date', 'delay', 'distance'])
    columns[name] = Float64Array.from(table.getChild(name)!.toArray() as ArrayLike<number>, Number);
  for (const name of ['origin', 'destination']) columns[name] = Array.from(table.getChild(name)!, (v) => (v === null ? null : String(v)));
  nodeComparison('validate-flights-3m', batches, columns, ['date', 'delay', 'distance'], ['origin', 'destination'], [], workerSeconds);
});
