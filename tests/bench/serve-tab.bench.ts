/**
 * Serving in the tab (issue 15's tab_<model>_c8_rps): a page of the built app in Chromium calls the
 * service worker's :predict route with 8 concurrent fetch loops for SECONDS, each request answered through
 * the service worker, this window and its training worker (the route as a client of this origin uses it).
 * Models in the demo project's registry: penguins-pipeline (the demo pipeline's model on a transform, one
 * raw row per request) and an MLP on pixels trained one epoch on the demo's MNIST digits (one 28x28x1
 * digit per request, its encoded input). Figures: tab_penguins_c8_rps, tab_mnist_c8_rps (answered
 * requests per second over the loops' time) and tab_<model>_c8_errors (answers other than 200).
 */
import { expect, test, type Page } from '@playwright/test';
import { openTrainForm, PENGUIN, waitForServiceWorker } from '../e2e/helpers';
import { openDemoPipelines, runPipeline } from '../e2e/pipeline-helpers';
import { load } from './mnist-train';
import { report } from './report';

const SECONDS = 5;
const CONCURRENCY = 8;

/** `concurrency` loops posting `body` to the route until `seconds` have passed: answers per second and errors. */
function loops(page: Page, path: string, body: string, seconds: number): Promise<{ rps: number; errors: number; answered: number }> {
  return page.evaluate(
    async ([path, body, seconds, concurrency]) => {
      const until = performance.now() + seconds * 1000;
      let answered = 0;
      let errors = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (performance.now() < until) {
            const r = await fetch(path, { method: 'POST', body });
            await r.arrayBuffer();
            if (r.status === 200) answered++;
            else errors++;
          }
        }),
      );
      return { rps: answered / ((performance.now() - started) / 1000), errors, answered };
    },
    [path, body, seconds, CONCURRENCY] as const,
  );
}

async function measure(page: Page, model: string, name: string, body: string): Promise<void> {
  const path = `v1/models/${name}:predict`;
  await loops(page, path, body, 1); // warm-up: the version loaded, TF.js kernels
  const r = await loops(page, path, body, SECONDS);
  report('serve', `tab_${model}_c${CONCURRENCY}_rps`, r.rps, 'requests/s', `informational: ${CONCURRENCY} fetch loops from a page for ${SECONDS} s, ${r.answered} answered; ${load()}`);
  report('serve', `tab_${model}_c${CONCURRENCY}_errors`, r.errors, 'requests', '0');
}

test("the tab's :predict route: penguins and MNIST at 8 concurrent fetch loops", async ({ browser }) => {
  test.setTimeout(1_200_000);
  const page = await openDemoPipelines(browser);
  await waitForServiceWorker(page);
  await page.getByTestId('pipeline-create-demo').click();
  await runPipeline(page);

  await openTrainForm(page, 'MNIST digits');
  await expect(page.getByTestId('prepare-summary')).toContainText('10 classes', { timeout: 120_000 });
  await page.getByTestId('train-preset').selectOption('mlp-pixels');
  await page.getByTestId('train-epochs').fill('1');
  await expect(page.getByTestId('train-start')).toBeEnabled();
  await page.getByTestId('train-start').click();
  const view = page.getByTestId('run-view');
  await expect(view.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 600_000 });
  await view.getByTestId('save-model-name').fill('mnist');
  await view.getByTestId('save-model').click();
  await expect(view.getByTestId('saved-model-link')).toBeVisible();

  const penguin = Object.fromEntries(Object.entries(PENGUIN).map(([k, v]) => [k, /^[\d.]+$/.test(v) ? Number(v) : v]));
  const check = async (name: string, body: string) => {
    const status = await page.evaluate(async ([path, body]) => (await fetch(path, { method: 'POST', body })).status, [`v1/models/${name}:predict`, body] as const);
    expect(status).toBe(200);
  };
  const penguinBody = JSON.stringify({ instances: [penguin] });
  await check('penguins-pipeline', penguinBody);
  await measure(page, 'penguins', 'penguins-pipeline', penguinBody);

  // the MNIST model's input as its metadata declares it: one example of that shape (a mid-grey digit)
  const metadata = await page.evaluate(async () => (await fetch('v1/models/mnist/metadata')).json());
  const inputs = metadata.metadata.signature_def.signature_def.serving_default.inputs as Record<string, { tensor_shape: { dim: { size: string }[] } }>;
  const [inputName, spec] = Object.entries(inputs)[0]!;
  const dims = spec.tensor_shape.dim.slice(1).map((d) => Number(d.size));
  const example = (level: number): unknown => (level === dims.length ? 0.5 : Array.from({ length: dims[level]! }, () => example(level + 1)));
  const mnistBody = JSON.stringify({ instances: [Object.keys(inputs).length === 1 ? example(0) : { [inputName]: example(0) }] });
  await check('mnist', mnistBody);
  await measure(page, 'mnist', 'mnist', mnistBody);
  await page.context().close();
});
