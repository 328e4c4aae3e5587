/**
 * Where an epoch of the Small CNN (and of the MLP on pixels) goes on wasm (issue 16), in Node: the preset
 * on 28x28x1, batch 64, Adam 0.001, 21 steps (1,350 rows, the benches' epoch) after 3 warm-up steps, each
 * step under tf.profile. Prints, per kernel, its share of the steps' wall time and its calls per step, and
 * the rest (TF.js's engine, the optimizer's bookkeeping, tape and JS between kernels) as "outside
 * kernels". Node's wasm is single-threaded, as in a page without cross-origin isolation.
 *   npx vitest run -c tests/bench/vitest.profile.config.ts tests/bench/cnn-wasm.profile.ts (one file at a
 *   time: two profiles side by side share the 2 cores)
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';
import { buildModel } from '../../src/core/model/model-spec';
import { ALL_PRESETS } from '../../src/app/train-presets';
import { makeOptimizer } from '../../src/core/train/optimizers';
import { registerWasmTrainingKernels } from '../../src/core/train/wasm-kernels';

const BATCH = 64;
const STEPS = 21;

for (const [id, name] of [
  ['small-cnn', 'Small CNN'],
  ['mlp-pixels', 'MLP on pixels'],
] as const) {
  it(`profiles one epoch of the ${name} on wasm`, async () => {
    setWasmPaths(join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')), '/'));
    registerWasmTrainingKernels();
    expect(await tf.setBackend('wasm')).toBe(true);
    const preset = ALL_PRESETS.find((p) => p.id === id)!;
    const model = buildModel(tf, preset.make({ input: { kind: 'image', height: 28, width: 28, channels: 1 }, classes: 10 }));
    // the app's Adam (one kernel per variable on wasm)
    const optimizer = makeOptimizer(tf, 'adam', 0.001);
    const x = tf.randomUniform([BATCH, 28, 28, 1]);
    const y = tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32') as tf.Tensor1D, 10);
    const step = () => {
      const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true)!;
      loss.dataSync();
      loss.dispose();
    };
    for (let i = 0; i < 3; i++) step();
    const byKernel = new Map<string, number>();
    const calls = new Map<string, number>();
    let wall = 0;
    for (let i = 0; i < STEPS; i++) {
      const started = performance.now();
      const info = await tf.profile(step);
      wall += performance.now() - started;
      for (const k of info.kernels) {
        byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
        calls.set(k.name, (calls.get(k.name) ?? 0) + 1);
      }
    }
    const inKernels = [...byKernel.values()].reduce((a, b) => a + b, 0);
    const rows = [...byKernel.entries()].sort((a, b) => b[1] - a[1]);
    const lines = rows.map(([k, ms]) => `${k.padEnd(24)} ${(ms / STEPS).toFixed(2).padStart(7)} ms/step  ${((100 * ms) / wall).toFixed(1).padStart(5)} %  ${String(calls.get(k)! / STEPS).padStart(4)} calls`);
    const perStep = [...calls.values()].reduce((a, b) => a + b, 0) / STEPS;
    lines.push(`${'outside kernels'.padEnd(24)} ${((wall - inKernels) / STEPS).toFixed(2).padStart(7)} ms/step  ${((100 * (wall - inKernels)) / wall).toFixed(1).padStart(5)} %`);
    console.log(`${name} on wasm (Node, 1 thread), ${STEPS} steps of ${BATCH}: ${(wall / STEPS).toFixed(1)} ms/step under tf.profile, ${((STEPS * BATCH) / (wall / 1000)).toFixed(0)} samples/s, ${perStep} kernel calls a step; load ${loadavg()[0]!.toFixed(2)}\n${lines.join('\n')}`);
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  });
}
