/**
 * Optimization benchmark (npm run bench -- optimize), through the app as a person uses it, on the MNIST
 * demo model: the demo project's 10,000 digits, preset "MLP on pixels" (784-128-64-10, 109k parameters)
 * trained 5 epochs on wasm (default split 70/15/15). Then in the Optimize stage:
 *  - wall time from the click to the result on the page of: uint8 and float16 quantization; prune and
 *    fine-tune to 80 % sparsity (2 epochs, batch 64, then its uint8 copy); distillation of a student with
 *    the teacher's layers at x 0.25 width (3 epochs), and the same student from scratch; then the same pair
 *    on 10 % of the training rows (700, class balanced) for 10 epochs, where distillation should pay;
 *  - the comparison table's rows: parameters, bundle and gzip sizes, test accuracy (the 1,500 test digits)
 *    and the worker's latency for a batch of 32 on the active backend (median of 15 samples after 3 warm-ups, each sample timing enough calls to last 5 ms).
 */
import { expect, test, type Page } from '@playwright/test';
import { report } from './report';

async function timed(work: () => Promise<void>): Promise<number> {
  const started = Date.now();
  await work();
  return Date.now() - started;
}

async function trainMnist(page: Page): Promise<void> {
  await page.getByTestId('stage-train').click();
  if ((await page.getByTestId('new-run-toggle').getAttribute('aria-expanded')) === 'false') await page.getByTestId('new-run-toggle').click();
  const option = page.getByTestId('train-dataset').locator('option', { hasText: 'MNIST digits' });
  await page.getByTestId('train-dataset').selectOption((await option.getAttribute('value'))!);
  await expect(page.getByTestId('prepare-summary')).toContainText('10 classes', { timeout: 120_000 });
  await page.getByTestId('train-preset').selectOption('mlp-pixels');
  await page.getByTestId('train-backend').selectOption('wasm');
  await page.getByTestId('train-epochs').fill('5');
  await page.getByTestId('train-patience').fill('0');
  await page.getByTestId('train-start').click();
  const view = page.getByTestId('run-view');
  await expect(view.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 600_000 });
  await view.getByTestId('save-model-name').fill('MNIST MLP');
  await view.getByTestId('save-model').click();
  await expect(view.getByTestId('saved-model')).toBeVisible();
}

test('optimize', async ({ page }) => {
  test.setTimeout(1_800_000);
  await page.goto('./');
  await page.getByTestId('open-demo').click();
  await expect(page.getByTestId('project-title')).toBeVisible({ timeout: 300_000 });
  await trainMnist(page);

  await page.getByTestId('stage-optimize').click();
  const rows = page.getByTestId('compare-row');
  await expect(rows).toHaveCount(1, { timeout: 120_000 });

  for (const dtype of ['uint8', 'float16'] as const) {
    const ms = await timed(async () => {
      await page.getByTestId(`quantize-${dtype}`).click();
      await expect(page.getByTestId('quantize-result')).toContainText(`${dtype}:`, { timeout: 120_000 });
    });
    report('optimize', `quantize_${dtype}_ms`, ms, 'ms', 'click to saved version: bundle, quantize, test accuracy, write');
  }

  await page.getByTestId('prune-final').fill('0.8');
  await page.getByTestId('prune-epochs').fill('2');
  await page.getByTestId('prune-batch').fill('64');
  await page.getByTestId('prune-end').fill('150');
  await page.getByTestId('prune-frequency').fill('10');
  await page.getByTestId('prune-lr').fill('0.001');
  const pruneMs = await timed(async () => {
    await page.getByTestId('prune-start').click();
    await expect(page.getByTestId('prune-report')).toBeVisible({ timeout: 600_000 });
  });
  report('optimize', 'prune_finetune_ms', pruneMs, 'ms', '80 % sparsity over 2 epochs of 7,000 digits (batch 64), then the uint8 copy');

  await page.getByTestId('distill-kind').selectOption('narrower');
  await page.getByTestId('distill-factor').selectOption('0.25');
  await page.getByTestId('distill-epochs').fill('3');
  await page.getByTestId('distill-batch').fill('64');
  await page.getByTestId('distill-lr').fill('0.002');
  await page.getByTestId('distill-temperature').fill('5');
  await page.getByTestId('distill-alpha').fill('0.5');
  let distillMs = 0;
  const bothMs = await timed(async () => {
    const started = Date.now();
    await page.getByTestId('distill-start').click();
    await expect(page.getByTestId('distill-status')).toContainText('from scratch', { timeout: 600_000 });
    distillMs = Date.now() - started;
    await expect(page.getByTestId('distill-pair')).toBeVisible({ timeout: 600_000 });
  });
  report('optimize', 'distill_ms', distillMs, 'ms', 'student x 0.25 width, 3 epochs, T 5, alpha 0.5 (teacher logits once, then the loop)');
  report('optimize', 'distill_and_scratch_ms', bothMs, 'ms', 'the distilled student plus the same student from scratch, measured and saved');

  // The classic setting: the students get a tenth of the teacher's labeled rows (700 of 7,000, class
  // balanced), the distilled one also the teacher's probabilities on them; 10 epochs.
  await page.getByTestId('distill-share').fill('10');
  await page.getByTestId('distill-epochs').fill('10');
  const shareMs = await timed(async () => {
    await page.getByTestId('distill-start').click();
    await expect(page.getByTestId('distill-rows')).toHaveAttribute('data-rows', '700', { timeout: 600_000 });
  });
  const pair = page.getByTestId('distill-pair');
  const sharedAcc = async (id: string) => Number(await pair.getByTestId(id).getAttribute('data-accuracy'));
  const [distilled10, scratch10] = [await sharedAcc('pair-distilled'), await sharedAcc('pair-scratch')];
  report('optimize', 'distill_share10_ms', shareMs, 'ms', 'student x 0.25 width on 10 % of the training rows (700), 10 epochs, T 5, alpha 0.5, plus the same student from scratch on them');
  report('optimize', 'distill_share10_test_accuracy', distilled10, 'accuracy', 'distilled student, 700 labeled rows + the teacher\'s soft targets, 10 epochs; 1,500 test digits');
  report('optimize', 'scratch_share10_test_accuracy', scratch10, 'accuracy', 'the same student from scratch on the same 700 labeled rows, 10 epochs; 1,500 test digits');
  report('optimize', 'distill_minus_scratch_share10', Number((distilled10 - scratch10).toFixed(4)), 'accuracy', 'distilled minus scratch at 10 % of the labels');

  await expect(rows).toHaveCount(9, { timeout: 300_000 });
  await expect(rows.first()).toHaveAttribute('data-latency', /\d/, { timeout: 300_000 });
  const facts = await rows.evaluateAll((els) =>
    els.map((e) => ({
      name: e.querySelector('td:nth-child(2)')!.textContent!.trim(),
      method: [e.getAttribute('data-previous'), e.getAttribute('data-method'), e.getAttribute('data-dtype')].filter(Boolean).join('+'),
      params: Number(e.getAttribute('data-params')),
      bundle: Number(e.getAttribute('data-bundle')),
      gzip: Number(e.getAttribute('data-gzip')),
      weightGzip: Number(e.getAttribute('data-weight-gzip')),
      accuracy: Number(e.getAttribute('data-accuracy')),
      latency: Number(e.getAttribute('data-latency')),
      pareto: e.getAttribute('data-pareto') === 'true',
      labeledRows: Number(e.getAttribute('data-labeled-rows') || 0),
    })),
  );
  const original = facts.find((f) => f.method === 'original')!;
  for (const f of facts) {
    // the students of the 10 % pair are named by their share
    if (f.labeledRows === 700) f.method += '_share10';
    const what = `${f.method} "${f.name}"`;
    report('optimize', `${f.method}_params`, f.params, 'parameters', what);
    report('optimize', `${f.method}_bundle_bytes`, f.bundle, 'bytes', `${what}; ${(f.bundle / original.bundle).toFixed(3)}x the original`);
    report('optimize', `${f.method}_gzip_bytes`, f.gzip, 'bytes', `${what}; ${(f.gzip / original.gzip).toFixed(3)}x the original${f.pareto ? '; on the Pareto front' : ''}`);
    report('optimize', `${f.method}_test_accuracy`, f.accuracy, 'accuracy', `${what}; 1,500 test digits`);
    report('optimize', `${f.method}_latency_ms`, f.latency, 'ms', `${what}; batch of 32 in the training worker`);
  }
});
