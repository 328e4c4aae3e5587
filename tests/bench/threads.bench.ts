/**
 * All cores (issue 16), npm run bench -- threads: the MNIST MLP and Small CNN presets on wasm
 *  - threaded: the preview server sends COOP/COEP, so the page is cross-origin isolated and the training
 *    worker runs TF.js's threaded SIMD build on navigator.hardwareConcurrency threads (chosen in Settings:
 *    Automatic gives the MLP one thread, which this bench's figures are the evidence for);
 *  - single-threaded: the headers stripped and the service worker blocked, as on a host where isolation is
 *    not possible (the SIMD build, 1 thread);
 *  - two single-threaded workers at once (two tabs, each training the same model): their samples/s summed,
 *    against one threaded worker, which is what the Tune stage's pool size is chosen from. Each run's
 *    median epoch is used, as the first and last epochs of two runs side by side may not overlap;
 *  - one run split between two workers, each taking half of every batch (core/train/data-parallel.ts;
 *    Settings' "Two workers"), against one threaded worker: the evidence for the split rule.
 * The data and form are the train bench's (tests/bench/mnist-train.ts): 1,350 training digits, batch 64.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { stripIsolationHeaders } from '../e2e/helpers';
import { trainingMultiplyAdds } from '../../src/core/model/model-spec';
import { wasmPlanFor } from '../../src/core/train/threads';
import { ALL_PRESETS } from '../../src/app/train-presets';
import { fillForm, finishRun, gflops, importDigits, load, medianSamplesPerSecond, samplesPerSecond, startRun, train } from './mnist-train';
import { report } from './report';

/** A page with the bench's digits imported; `isolated` false: served as by a host without COOP/COEP, no service worker. */
async function benchPage(browser: Browser, isolated: boolean): Promise<Page> {
  const context = await browser.newContext(isolated ? {} : { serviceWorkers: 'block' });
  if (!isolated) await stripIsolationHeaders(context);
  const page = await context.newPage();
  await page.goto('./');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(isolated);
  if (isolated) {
    // every core whatever the model's size (Automatic would train the MLP on one: core/train/threads.ts)
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('threads-select').selectOption('all');
    await page.goBack();
  }
  await page.getByTestId('new-project-name').fill('Threads bench');
  await page.getByTestId('create-project').click();
  await importDigits(page);
  return page;
}

const MODELS = [
  ['mlp', 'mlp-pixels', 3, 40],
  ['cnn', 'small-cnn', 2, 8],
] as const;

test('threads', async ({ browser }) => {
  test.setTimeout(1_800_000);
  const threaded = await benchPage(browser, true);
  const single = await benchPage(browser, false);
  const second = await benchPage(browser, false);
  for (const [model, preset, epochs, sideBySideEpochs] of MODELS) {
    const on = await train(threaded, preset, 'wasm', epochs);
    expect(on.status).toBe('done');
    const threads = on.backend!.threads!;
    expect(threads).toBeGreaterThan(1);
    const onSpeed = samplesPerSecond(on);
    report('threads', `mnist_${model}_wasm_threads_samples_per_s`, onSpeed, 'samples/s', `${threads} threads (cross-origin isolated), best of ${epochs} epochs of ${on.trainRows} rows, batch 64; ${load()}`);
    report('threads', `mnist_${model}_wasm_threads_gflops`, gflops(model, onSpeed), 'GFLOP/s', `${threads} threads; ${load()}`);

    await chooseThreads(threaded, 'split');
    const split = await train(threaded, preset, 'wasm', epochs);
    await chooseThreads(threaded, 'all');
    expect(split.backend!.workers).toBe(2);
    const splitSpeed = samplesPerSecond(split);
    report('threads', `mnist_${model}_wasm_split_samples_per_s`, splitSpeed, 'samples/s', `each batch split between 2 workers of ${split.backend!.threads} thread(s), best of ${epochs} epochs; ${load()}`);
    report('threads', `mnist_${model}_wasm_split_gflops`, gflops(model, splitSpeed), 'GFLOP/s', `split between 2 workers; ${load()}`);
    report('threads', `mnist_${model}_wasm_split_over_threads`, splitSpeed / onSpeed, 'ratio', `informational: 2 workers splitting each batch over 1 worker on ${threads} threads`);

    const off = await train(single, preset, 'wasm', epochs);
    expect(off.backend!.threads).toBe(1);
    const offSpeed = samplesPerSecond(off);
    report('threads', `mnist_${model}_wasm_single_thread_samples_per_s`, offSpeed, 'samples/s', `not isolated: 1 thread, best of ${epochs} epochs; ${load()}`);
    report('threads', `mnist_${model}_wasm_threads_speedup`, onSpeed / offSpeed, 'ratio', `informational: ${threads} threads over 1`);

    // one threaded worker against two single-threaded ones training at the same time
    const oneWorker = await train(threaded, preset, 'wasm', sideBySideEpochs);
    await startRun(single, preset, 'wasm', sideBySideEpochs);
    await startRun(second, preset, 'wasm', sideBySideEpochs);
    const [a, b] = await Promise.all([finishRun(single), finishRun(second)]);
    const pair = medianSamplesPerSecond(a) + medianSamplesPerSecond(b);
    const alone = medianSamplesPerSecond(oneWorker);
    report('threads', `mnist_${model}_wasm_1worker_threads_samples_per_s`, alone, 'samples/s', `informational: one worker on ${threads} threads, median of ${sideBySideEpochs} epochs; ${load()}`);
    report('threads', `mnist_${model}_wasm_2workers_samples_per_s`, pair, 'samples/s', `informational: two single-threaded workers training at once, their median epochs summed (${medianSamplesPerSecond(a).toFixed(0)} + ${medianSamplesPerSecond(b).toFixed(0)}); ${load()}`);
    report('threads', `mnist_${model}_wasm_2workers_over_1worker`, pair / alone, 'ratio', 'informational: > 1 means parallel single-threaded trials use the cores better than one threaded trial');
  }
  for (const page of [threaded, single, second]) await page.context().close();
});

/** Settings' "WebAssembly threads", as a person picks it. */
async function chooseThreads(page: Page, choice: 'one' | 'all' | 'split'): Promise<void> {
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('threads-select').selectOption(choice);
  await page.goBack();
}

/**
 * The evidence for the thread and split rules (core/train/threads.ts) beyond the two presets: the MLP on
 * pixels with wider dense layers, each trained on 1 thread, on 2 in one worker and split between two
 * workers (Settings), twice in turn, the best epoch of 4.
 */
const WIDTHS = [
  [256, 128],
  [512, 256],
  [512, 512],
  [1024, 512],
] as const;

test('the thread rule on wider dense nets', async ({ browser }) => {
  test.setTimeout(1_800_000);
  const page = await (await browser.newContext()).newPage();
  await page.goto('./');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await page.getByTestId('new-project-name').fill('Threads rule bench');
  await page.getByTestId('create-project').click();
  await importDigits(page);
  const preset = ALL_PRESETS.find((p) => p.id === 'mlp-pixels')!;
  for (const [first, second] of WIDTHS) {
    const spec = preset.make({ input: { kind: 'image', height: 28, width: 28, channels: 1 }, classes: 10 });
    const dense = spec.layers.filter((l) => l.type === 'dense') as { units: number }[];
    dense[0]!.units = first;
    dense[1]!.units = second;
    const macs = trainingMultiplyAdds(spec)! * 64;
    const best = { one: 0, all: 0, split: 0 };
    for (const choice of ['one', 'all', 'split', 'one', 'all', 'split'] as const) {
      await chooseThreads(page, choice);
      await fillForm(page, 'mlp-pixels', 'wasm', 4);
      const units = page.locator('[data-testid^="layer-units-"]');
      await units.nth(0).fill(String(first));
      await units.nth(1).fill(String(second));
      await expect(page.getByTestId('train-start')).toBeEnabled();
      await page.getByTestId('train-start').click();
      const r = await finishRun(page);
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      expect(r.backend!.threads).toBe(choice === 'one' ? 1 : choice === 'split' ? Math.floor(cores / 2) : cores);
      expect(r.backend!.workers ?? 1).toBe(choice === 'split' ? 2 : 1);
      best[choice] = Math.max(best[choice], samplesPerSecond(r));
    }
    const plan = wasmPlanFor('auto', spec, 64, 2)!;
    const rule = plan.split ? 'the split' : plan.threads > 1 ? 'every core' : 'one thread';
    report('threads', `dense_${first}_${second}_threads_speedup`, best.all / best.one, 'ratio', `informational: every core over 1 thread (${best.all.toFixed(0)} / ${best.one.toFixed(0)} samples/s, best of two runs each); ${(macs / 1e6).toFixed(0)} M multiply-adds a step, so the rule gives ${rule} on 2 cores; ${load()}`);
    report('threads', `dense_${first}_${second}_split_speedup`, best.split / best.one, 'ratio', `informational: split between 2 workers over 1 thread (${best.split.toFixed(0)} / ${best.one.toFixed(0)} samples/s, best of two runs each); ${load()}`);
  }
  await page.context().close();
});
