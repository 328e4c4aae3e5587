/**
 * The wasm training kernels (core/train/wasm-kernels.ts) one at a time on the Small CNN preset's shapes
 * (28x28x1 digits, batch 64): conv 3x3 1->16 valid, max-pool 2, conv 3x3 16->32 valid, max-pool 2, and
 * the dense layers' transposed matrix products. Each kernel is run 5 times to warm up and then timed
 * over 30 runs; the median ms per call is printed next to the forward Conv2D and MaxPool of the backend
 * (XNNPACK) on the same shapes, for scale; then the backend's matrix product at its best (square
 * matrices, and the MLP's first layer) in GFLOP/s, the ceiling of any wasm training step on this machine.
 * Node's wasm is single-threaded. Issue 16.
 *   npx vitest run -c tests/bench/vitest.profile.config.ts tests/bench/cnn-kernels.profile.ts
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../src/core/train/wasm-kernels';

const RUNS = 30;
/** The backend's own kernels that Pipette's replace, for comparison. */
const NATIVE = new Map<string, tf.KernelConfig>();

/** Median ms of one call of a kernel on these inputs (outputs disposed); `own` false: the backend's own kernel. */
function time(kernel: string, inputs: tf.NamedTensorMap, attrs: object, own = true): number {
  const backend = tf.backend();
  const run = own
    ? () => tf.engine().runKernel(kernel, inputs, attrs as tf.NamedAttrMap) as tf.Tensor
    : () => {
        const info = NATIVE.get(kernel)!.kernelFunc({ inputs, attrs: attrs as tf.NamedAttrMap, backend }) as tf.TensorInfo;
        return tf.engine().makeTensorFromTensorInfo(info);
      };
  const once = () => {
    const started = performance.now();
    // wasm kernels run synchronously: the output is complete here (reading it back would add a copy,
    // 0.3-1.2 ms for the 2.8 MB outputs of the first layer)
    const out = run();
    const ms = performance.now() - started;
    out.dispose();
    return ms;
  };
  for (let i = 0; i < 5; i++) once();
  const times = Array.from({ length: RUNS }, once).sort((a, b) => a - b);
  return times[RUNS >> 1]!;
}

it('times each wasm training kernel on the Small CNN shapes', async () => {
  setWasmPaths(join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')), '/'));
  for (const name of ['Conv2DBackpropInput', 'MaxPoolGrad']) NATIVE.set(name, tf.getKernel(name, 'wasm')!);
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
  const r = (shape: number[]) => tf.randomUniform(shape, -1, 1);
  const conv = { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1 };
  const pool = { filterSize: 2, strides: 2, pad: 'valid' };
  const x1 = r([64, 28, 28, 1]);
  const dy1 = r([64, 26, 26, 16]);
  const x2 = r([64, 13, 13, 16]);
  const f2 = r([3, 3, 16, 32]);
  const dy2 = r([64, 11, 11, 32]);
  const f1 = r([3, 3, 1, 16]);
  const a = r([64, 800]);
  const dyDense = r([64, 64]);
  const w = r([800, 64]);
  const rows: [string, number][] = [
    ['Conv2D forward 1->16 (XNNPACK)', time('Conv2D', { x: x1, filter: f1 }, conv)],
    ['Conv2D forward 16->32 (XNNPACK)', time('Conv2D', { x: x2, filter: f2 }, conv)],
    ['Conv2DBackpropFilter 1->16', time('Conv2DBackpropFilter', { x: x1, dy: dy1 }, { ...conv, filterShape: [3, 3, 1, 16] })],
    ['Conv2DBackpropFilter 16->32', time('Conv2DBackpropFilter', { x: x2, dy: dy2 }, { ...conv, filterShape: [3, 3, 16, 32] })],
    ['Conv2DBackpropInput 16->32', time('Conv2DBackpropInput', { dy: dy2, filter: f2 }, { ...conv, inputShape: [64, 13, 13, 16] })],
    ['MaxPool forward 26x26x16 (XNNPACK)', time('MaxPool', { x: dy1 }, pool)],
    ['MaxPoolGrad 26x26x16', time('MaxPoolGrad', { dy: x2, input: dy1, output: x2 }, pool)],
    ['MaxPoolGrad 26x26x16 (backend\'s own)', time('MaxPoolGrad', { dy: x2, input: dy1, output: x2 }, pool, false)],
    ['Conv2DBackpropInput 16->32 (backend\'s own)', time('Conv2DBackpropInput', { dy: dy2, filter: f2 }, { ...conv, inputShape: [64, 13, 13, 16] }, false)],
    ['MaxPoolGrad 11x11x32', time('MaxPoolGrad', { dy: r([64, 5, 5, 32]), input: dy2, output: r([64, 5, 5, 32]) }, pool)],
    ['BatchMatMul x^T dy 800x64x64', time('BatchMatMul', { a: a.reshape([1, 64, 800]), b: dyDense.reshape([1, 64, 64]) }, { transposeA: true, transposeB: false })],
    ['BatchMatMul dy W^T 64x64x800', time('BatchMatMul', { a: dyDense.reshape([1, 64, 64]), b: w.reshape([1, 800, 64]) }, { transposeA: false, transposeB: true })],
  ];
  console.log(`wasm kernels on the Small CNN's shapes (Node, 1 thread), median of ${RUNS}; load ${loadavg()[0]!.toFixed(2)}\n${rows.map(([name, ms]) => `${name.padEnd(44)} ${ms.toFixed(2).padStart(6)} ms`).join('\n')}`);
  // the same operands every run: XNNPACK keeps the packed right-hand matrix, so this is its best case
  const peaks = [[512, 512, 512], [1024, 1024, 1024], [64, 784, 128]].map(([m, k, n]) => {
    const [a, b] = [r([m!, k!]), r([k!, n!])];
    for (let i = 0; i < 3; i++) tf.matMul(a, b).dispose();
    const started = performance.now();
    for (let i = 0; i < 10; i++) tf.matMul(a, b).dispose();
    tf.matMul(a, b).dataSync();
    const ms = (performance.now() - started) / 11;
    return `matMul ${m}x${k}x${n}`.padEnd(44) + ` ${ms.toFixed(2).padStart(6)} ms  ${((2 * m! * k! * n!) / ms / 1e6).toFixed(1)} GFLOP/s`;
  });
  console.log(`the wasm backend's matrix product at its best (Node, 1 thread):\n${peaks.join('\n')}`);
});
