/**
 * What the training benches share: 1,500 MNIST digits (150 per class) from the mnist package as a zip of
 * PNGs, a run through the Train form (90 % train, batch 64, no early stopping) read back from its record,
 * and the throughput, GFLOP/s and load average each figure is written with.
 */
import { expect, type Page } from '@playwright/test';
import { zipSync } from 'fflate';
import { loadavg } from 'node:os';
import { encodePng } from '../../src/core/data/png';
import { packageFile } from '../e2e/helpers';

const PER_CLASS = 150;

/**
 * Multiply-adds per training sample, from the layer shapes of the two presets on 28x28x1 MNIST.
 * A dense layer in -> out costs in*out forward; a conv layer with a k x k filter, cin -> cout channels and
 * an oh x ow output costs oh*ow*cout*k*k*cin forward. Backward costs the same again for the weight
 * gradient (x^T dy, or im2col^T dy) and once more for the input gradient (dy W^T) of every layer but the
 * first (the pixels need no gradient); pooling, activations, biases and the optimizer are O(size), left out.
 *   MLP 784-128-64-10: forward 784*128 + 128*64 + 64*10 = 109,184; backward 109,184 + (128*64 + 64*10)
 *     = 118,016; total 227,200.
 *   Small CNN: conv 3x3 1->16 (26x26 out) 26*26*16*9 = 97,344; pool -> 13x13; conv 3x3 16->32 (11x11 out)
 *     11*11*32*144 = 557,568; pool -> 5x5x32 = 800; dense 800*64 = 51,200; dense 64*10 = 640; forward
 *     706,752; backward 706,752 + (557,568 + 51,200 + 640) = 1,316,160; total 2,022,912.
 */
export const MACS_PER_SAMPLE = { mlp: 227_200, cnn: 2_022_912 } as const;

/** Achieved GFLOP/s: 2 FLOPs per multiply-add. */
export function gflops(model: keyof typeof MACS_PER_SAMPLE, samplesPerSecond: number): number {
  return (2 * MACS_PER_SAMPLE[model] * samplesPerSecond) / 1e9;
}

/** The machine's 1-minute load average, for the notes: other processes on the cores slow every figure. */
export function load(): string {
  return `load ${loadavg()[0]!.toFixed(2)}`;
}

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type Backend = (typeof BACKENDS)[number];

export function mnistZip(): Buffer {
  const files: Record<string, Uint8Array> = {};
  for (let digit = 0; digit <= 9; digit++) {
    const { data } = JSON.parse(packageFile('mnist', `src/digits/${digit}.json`).toString('utf8')) as { data: number[] };
    for (let i = 0; i < PER_CLASS; i++) {
      const pixels = new Uint8Array(784);
      for (let p = 0; p < 784; p++) pixels[p] = Math.round(data[i * 784 + p]! * 255);
      files[`mnist/${digit}/${String(i).padStart(4, '0')}.png`] = encodePng(pixels, 28, 28, 1);
    }
  }
  return Buffer.from(zipSync(files, { level: 0 }));
}

export interface RunFacts {
  status: string;
  trainRows: number;
  epochMs: number[];
  backend: { name: Backend; msPerStep: number; threads?: number; workers?: number; timedAt?: number; candidates: { name: Backend; msPerStep?: number; error?: string }[] } | null;
}

/** The run record, read straight from IndexedDB. */
export function runFacts(page: Page, runId: string): Promise<RunFacts> {
  return page.evaluate(
    (id) =>
      new Promise<RunFacts>((resolve, reject) => {
        const open = indexedDB.open('pipette');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction('runs').objectStore('runs').get(id);
          req.onerror = () => reject(req.error);
          req.onsuccess = () => {
            const r = req.result;
            open.result.close();
            resolve({ status: r.status, trainRows: r.split?.counts.train ?? 0, epochMs: r.history.map((h: { ms: number }) => h.ms), backend: r.backend ?? null });
          };
        };
      }),
    runId,
  );
}

export async function openForm(page: Page): Promise<void> {
  await page.getByTestId('stage-train').click();
  if ((await page.getByTestId('new-run-toggle').getAttribute('aria-expanded')) === 'false') await page.getByTestId('new-run-toggle').click();
  const option = page.getByTestId('train-dataset').locator('option', { hasText: 'mnist-bench.zip' });
  await page.getByTestId('train-dataset').selectOption((await option.getAttribute('value'))!);
}

/** One run through the form; returns its record once it has finished (or null when it cannot start). */
export async function train(page: Page, preset: string, backend: Backend | 'auto', epochs = 1): Promise<RunFacts & { runId: string }> {
  await startRun(page, preset, backend, epochs);
  return finishRun(page);
}

/** Fill the form and start the run. */
export async function startRun(page: Page, preset: string, backend: Backend | 'auto', epochs: number): Promise<void> {
  await fillForm(page, preset, backend, epochs);
  await expect(page.getByTestId('train-start')).toBeEnabled();
  await page.getByTestId('train-start').click();
}

/** The form filled for a run of `preset` (90 % train, batch 64, no early stopping), not started. */
export async function fillForm(page: Page, preset: string, backend: Backend | 'auto', epochs: number): Promise<void> {
  await openForm(page);
  await page.getByTestId('train-preset').selectOption(preset);
  await page.getByTestId('train-backend').selectOption(backend);
  await page.getByTestId('train-split-train').fill('0.9');
  await page.getByTestId('train-split-validation').fill('0');
  await page.getByTestId('train-split-test').fill('0.1');
  await page.getByTestId('train-epochs').fill(String(epochs));
  await page.getByTestId('train-patience').fill('0');
  await page.getByTestId('train-batch').fill('64');
  await expect(page.getByTestId('prepare-summary')).toContainText('train 1,350');
}

/** The run on view once it has finished, from its record. */
export async function finishRun(page: Page): Promise<RunFacts & { runId: string }> {
  const view = page.getByTestId('run-view');
  await expect(view.getByTestId('run-status')).toHaveAttribute('data-status', /done|failed/, { timeout: 600_000 });
  const runId = (await view.getAttribute('data-run-id'))!;
  return { runId, ...(await runFacts(page, runId)) };
}

/** The run's best epoch: one slow epoch (another process on the 2 cores, a GC) should not decide a figure. */
export function samplesPerSecond(r: RunFacts): number {
  return r.trainRows / (Math.min(...r.epochMs) / 1000);
}

/** The run's median epoch: for runs side by side, whose first and last epochs may not overlap. */
export function medianSamplesPerSecond(r: RunFacts): number {
  const sorted = [...r.epochMs].sort((a, b) => a - b);
  return r.trainRows / (sorted[Math.floor(sorted.length / 2)]! / 1000);
}

/** Import the bench's digits into the project open in `page`. */
export async function importDigits(page: Page): Promise<void> {
  await page.getByTestId('stage-data').click();
  await page.getByTestId('import-files').setInputFiles({ name: 'mnist-bench.zip', mimeType: 'application/zip', buffer: mnistZip() });
  await expect(page.getByTestId('import-done')).toBeVisible({ timeout: 120_000 });
}
