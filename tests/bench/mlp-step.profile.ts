/**
 * The MLP on pixels preset's training step on wasm in Node (issue 16), as the Trainer takes it: the batch
 * gathered, the step without the tape (for this net one DENSE_STEP_KERNEL call), Adam. Then its parts:
 * the step without Adam, Adam alone, and the step's eight matrix products alone by the SIMD gemm and
 * filter_grad_valid (the floor of any step on one thread). Best of 5 rounds of 21 steps after 20.
 *   npx vitest run -c tests/bench/vitest.profile.config.ts tests/bench/mlp-step.profile.ts
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths, type BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';
import { buildModel } from '../../src/core/model/model-spec';
import { ALL_PRESETS } from '../../src/app/train-presets';
import { makeOptimizer } from '../../src/core/train/optimizers';
import { registerWasmTrainingKernels } from '../../src/core/train/wasm-kernels';
import { tapelessStepOf } from '../../src/core/train/tapeless-step';
import { applyGradientStep } from '../../src/core/train/batch-loop';
import { offsetOf, simd } from '../../src/core/train/wasm-kernel-base';

const B = 64;
const ROWS = 1344;

/** Best ms per call of fn over 5 rounds of n calls, after 20. */
function best(fn: (i: number) => void, n = 21): number {
  for (let i = 0; i < 20; i++) fn(i);
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const started = performance.now();
    for (let i = 0; i < n; i++) fn(i);
    rounds.push((performance.now() - started) / n);
  }
  return Math.min(...rounds);
}

it('times the MLP preset step on wasm and its parts', async () => {
  setWasmPaths(join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')), '/'));
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
  const preset = ALL_PRESETS.find((p) => p.id === 'mlp-pixels')!;
  const model = buildModel(tf, preset.make({ input: { kind: 'image', height: 28, width: 28, channels: 1 }, classes: 10 }));
  const optimizer = makeOptimizer(tf, 'adam', 0.001);
  const X = tf.randomUniform([ROWS, 28, 28, 1]);
  const Y = tf.oneHot(tf.randomUniform([ROWS], 0, 10, 'int32') as tf.Tensor1D, 10);
  const step = tapelessStepOf(tf, model, true)!;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const mask = tf.ones([B]) as tf.Tensor1D;
  const rowsOf = (i: number) => tf.tensor1d(Array.from({ length: B }, (_, j) => (i * B + j) % ROWS), 'int32');
  const whole = best((i) => {
    const idx = rowsOf(i);
    applyGradientStep(tf, optimizer, vars, () => step.run(tf.gather(X, idx), tf.gather(Y, idx), mask, mask, B)).dispose();
    idx.dispose();
  });
  const before = tf.memory().numTensors;
  const withoutAdam = best((i) => {
    const idx = rowsOf(i);
    tf.tidy(() => void step.run(tf.gather(X, idx), tf.gather(Y, idx), mask, mask, B));
    idx.dispose();
  });
  expect(tf.memory().numTensors).toBe(before);
  const grads = tf.tidy(() => vars.map((v) => tf.keep(tf.fill(v.shape, 0.001))));
  const adam = best(() => optimizer.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: grads[i]! }))));

  // the eight products alone, on buffers made once: x W1, h1 W2, h2 W3; dz W3^T, d2 W2^T; x^T d1, h1^T d2, h2^T dz
  const wasm = tf.backend() as BackendWasm;
  const k = simd(wasm);
  const at = (t: tf.Tensor) => offsetOf(wasm, t);
  const sizes = [784, 128, 64, 10];
  const keep = (shape: number[]) => tf.keep(tf.randomUniform(shape, -0.1, 0.1));
  const W = [0, 1, 2].map((l) => keep([sizes[l]!, sizes[l + 1]!]));
  const WT = [1, 2].map((l) => keep([sizes[l + 1]!, sizes[l]!]));
  const A = [0, 1, 2, 3].map((l) => keep([B, sizes[l]!]));
  const dW = [0, 1, 2].map((l) => keep([sizes[l]!, sizes[l + 1]!]));
  const hT = [1, 2].map((l) => keep([sizes[l]!, B]));
  const products = best(() => {
    for (let l = 0; l < 3; l++) k.gemm(at(A[l]!), at(W[l]!), at(A[l + 1]!), B, sizes[l]!, sizes[l + 1]!, 0, 1);
    for (let l = 2; l >= 1; l--) k.gemm(at(A[l + 1]!), at(WT[l - 1]!), at(A[l]!), B, sizes[l + 1]!, sizes[l]!, 0, 0);
    k.filter_grad_valid(at(A[0]!), at(A[1]!), at(dW[0]!), 1, 1, B, 128, 784, 784, 0, 4 * 784, 0, 0);
    k.filter_grad_valid(at(A[1]!), at(A[2]!), at(dW[1]!), 1, 1, B, 64, 128, 128, 0, 4 * 128, 0, 0);
    k.gemm(at(hT[1]!), at(A[3]!), at(dW[2]!), 64, B, 10, 0, 0);
  });
  const macs = B * (2 * (784 * 128 + 128 * 64 + 64 * 10) + 128 * 64 + 64 * 10);
  console.log(
    [
      `MLP on pixels, wasm in Node (1 thread), batch ${B}; load ${loadavg()[0]!.toFixed(2)}`,
      `step (gather, step without the tape, Adam) ${whole.toFixed(3)} ms = ${Math.round((B / whole) * 1000)} samples/s`,
      `  without Adam ${withoutAdam.toFixed(3)} ms; Adam alone ${adam.toFixed(3)} ms`,
      `  the 8 products alone ${products.toFixed(3)} ms (${((2 * macs) / products / 1e6).toFixed(1)} GFLOP/s)`,
    ].join('\n'),
  );
  tf.dispose([X, Y, mask, ...grads, ...W, ...WT, ...A, ...dW, ...hT]);
  optimizer.dispose();
  model.dispose();
});
