/**
 * The wasm backend's training kernels (core/train/wasm-kernels.ts) against the cpu backend's: every
 * kernel on several shapes, the backend parity check the app runs, and the Small CNN preset trained on
 * a sample of the bundled MNIST on both backends; then the kernels that replace slow ones of the backend
 * (gather, transpose, bias add and sum, ReLU's gradient, Adam, Identity) against the cpu backend's.
 */
import * as tf from '@tensorflow/tfjs';
import { unzipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../../src/core/model/model-spec';
import { compareParity, computeParityValues, PARITY_TOLERANCE } from '../../../src/core/train/backends';
import { PRESETS } from '../../../src/core/train/presets';
import { fusedAdam } from '../../../src/core/train/fused-adam';
import { asBlockTranspose, wasmTrainsConv } from '../../../src/core/train/wasm-kernels';
import { native, offsetOf, simd } from '../../../src/core/train/wasm-kernel-base';
import { skipsPacking } from '../../../src/core/train/wasm-matmul';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { decodePng, startWasmWithKernels } from './helpers';

beforeAll(startWasmWithKernels);

type Inputs = Record<string, { shape: number[]; values: Float32Array }>;

/** Run one kernel on a backend with the same input values; its output as a plain array. */
async function runOn(backend: 'cpu' | 'wasm', kernel: string, inputs: Inputs, attrs: object): Promise<Float32Array> {
  await tf.setBackend(backend);
  const tensors = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.values, v.shape)]));
  const out = tf.engine().runKernel(kernel, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
  const values = (await out.data()) as Float32Array;
  tf.dispose([out, ...Object.values(tensors)]);
  return values;
}

/** Pseudo-random values in [-1, 1), or small integers (ties for max-pool) when `integers`. */
function values(shape: number[], seed: number, integers = false): { shape: number[]; values: Float32Array } {
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  let s = seed;
  for (let i = 0; i < out.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = integers ? Math.floor((s / 2147483648) * 4) : (s / 2147483648) * 2 - 1;
  }
  return { shape, values: out };
}

/** Largest difference relative to the largest reference value (float32 sums in another order: ~1e-7). */
function relativeDiff(reference: Float32Array, candidate: Float32Array): number {
  expect(candidate.length).toBe(reference.length);
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < reference.length; i++) {
    scale = Math.max(scale, Math.abs(reference[i]!));
    diff = Math.max(diff, Math.abs(reference[i]! - candidate[i]!));
  }
  expect(scale).toBeGreaterThan(0);
  return Number.isNaN(diff) ? Infinity : diff / scale;
}

async function parity(kernel: string, inputs: Inputs, attrs: object): Promise<number> {
  return relativeDiff(await runOn('cpu', kernel, inputs, attrs), await runOn('wasm', kernel, inputs, attrs));
}

/** Output size of a conv/pool along one axis (TF's rule); explicit padding as [before, after]. */
function outSize(size: number, filter: number, stride: number, pad: 'same' | 'valid' | readonly [number, number]): number {
  if (typeof pad !== 'string') return Math.floor((size + pad[0] + pad[1] - filter) / stride) + 1;
  return pad === 'same' ? Math.ceil(size / stride) : Math.ceil((size - filter + 1) / stride);
}

// x [batch, height, width, inC], filter [fh, fw, inC, outC], stride, padding: both paddings, both strides,
// batch and channels > 1, a non-square filter and unequal strides
const CONVS = [
  { x: [2, 7, 7, 3], f: [3, 3, 3, 4], stride: 1, pad: 'valid' },
  { x: [2, 7, 7, 3], f: [3, 3, 3, 4], stride: 2, pad: 'same' },
  { x: [3, 8, 9, 2], f: [2, 3, 2, 5], stride: [2, 1], pad: 'same' },
  { x: [4, 9, 8, 5], f: [3, 3, 5, 6], stride: 2, pad: 'valid' },
  { x: [1, 5, 5, 1], f: [3, 3, 1, 2], stride: 1, pad: 'same' },
  // stride 1 (the input gradient as one XNNPACK convolution): an even filter's uneven 'same' padding,
  // explicit padding, and a left pad as wide as the filter (no such convolution: col2im)
  { x: [2, 6, 7, 3], f: [2, 2, 3, 4], stride: 1, pad: 'same' },
  { x: [2, 6, 5, 2], f: [3, 2, 2, 3], stride: 1, pad: [[0, 0], [2, 0], [1, 1], [0, 0]] },
  { x: [1, 5, 4, 2], f: [2, 2, 2, 3], stride: 1, pad: [[0, 0], [0, 1], [2, 0], [0, 0]] },
  // 4 or more channels: the filter gradient with the batch innermost, with padding and unequal strides,
  // and padding on the left and top (its first output columns read zeros)
  { x: [3, 6, 7, 4], f: [3, 2, 4, 3], stride: [1, 2], pad: 'same' },
  { x: [2, 7, 7, 4], f: [3, 3, 4, 8], stride: 1, pad: 'same' },
  { x: [2, 8, 9, 5], f: [3, 3, 5, 4], stride: 2, pad: [[0, 0], [2, 1], [2, 0], [0, 0]] },
  // fewer than 4 input channels and output channels a multiple of 4, with padding: the direct filter
  // gradient (SIMD), with strides
  { x: [2, 9, 9, 1], f: [3, 3, 1, 8], stride: 2, pad: 'same' },
  // no padding and output channels a multiple of 4: the filter gradient that reads the patches in x
  // (filter_grad_valid): unequal strides that leave inputs past the last patch, patch sizes (fh fw cin) that
  // are not a multiple of its 4 rows, out channels in tiles of 8 and of 4, the Small CNN's second
  // convolution, and explicit padding of 0
  { x: [2, 8, 7, 2], f: [2, 3, 2, 4], stride: [1, 2], pad: 'valid' },
  { x: [2, 10, 11, 3], f: [3, 2, 3, 12], stride: [2, 3], pad: 'valid' },
  { x: [3, 13, 13, 16], f: [3, 3, 16, 32], stride: 1, pad: 'valid' },
  { x: [2, 6, 6, 1], f: [3, 3, 1, 8], stride: 1, pad: [[0, 0], [0, 0], [0, 0], [0, 0]] },
] as const;

function convCase(c: (typeof CONVS)[number], dataFormat: 'NHWC' | 'NCHW') {
  const [n, h, w, inC] = c.x;
  const [fh, fw, , outC] = c.f;
  const [sh, sw] = typeof c.stride === 'number' ? [c.stride, c.stride] : c.stride;
  const explicit = typeof c.pad === 'string' ? null : c.pad;
  const oh = outSize(h, fh, sh, explicit ? explicit[1] : (c.pad as 'same' | 'valid'));
  const ow = outSize(w, fw, sw, explicit ? explicit[2] : (c.pad as 'same' | 'valid'));
  const nchw = dataFormat === 'NCHW';
  // explicit pads are given per axis of the data format
  const pad = explicit && nchw ? [explicit[0], explicit[3], explicit[1], explicit[2]] : c.pad;
  return {
    xShape: nchw ? [n, inC, h, w] : [n, h, w, inC],
    dyShape: nchw ? [n, outC, oh, ow] : [n, oh, ow, outC],
    attrs: { strides: c.stride, pad, dataFormat, dimRoundingMode: undefined },
  };
}

describe('wasm training kernels match cpu', () => {
  it('are registered', () => {
    expect(wasmTrainsConv()).toBe(true);
  });

  for (const dataFormat of ['NHWC', 'NCHW'] as const) {
    it(`Conv2DBackpropFilter (${dataFormat})`, async () => {
      for (const c of CONVS) {
        const { xShape, dyShape, attrs } = convCase(c, dataFormat);
        const inputs = { x: values(xShape, 1), dy: values(dyShape, 2) };
        expect(await parity('Conv2DBackpropFilter', inputs, { ...attrs, filterShape: c.f }), JSON.stringify(c)).toBeLessThan(1e-4);
      }
    });

    it(`Conv2DBackpropInput (${dataFormat})`, async () => {
      for (const c of CONVS) {
        const { xShape, dyShape, attrs } = convCase(c, dataFormat);
        const inputs = { dy: values(dyShape, 3), filter: values([...c.f], 4) };
        expect(await parity('Conv2DBackpropInput', inputs, { ...attrs, inputShape: xShape }), JSON.stringify(c)).toBeLessThan(1e-4);
      }
    });
  }

  it('MaxPoolGrad, ties included (the first maximum of a window takes the gradient)', async () => {
    const pools = [
      { x: [2, 6, 6, 3], size: 2, stride: 2, pad: 'valid' },
      { x: [2, 7, 7, 4], size: 3, stride: 2, pad: 'same' },
      { x: [3, 5, 6, 2], size: 2, stride: 1, pad: 'valid' },
      { x: [1, 5, 5, 16], size: 3, stride: 1, pad: 'same' },
      // windows side by side inside the input, channels a multiple of 4 (max_pool_grad_tiles): inputs past
      // the last window (odd sizes), a window of 3; then 'same' windows that reach past the input (not tiles)
      { x: [2, 7, 9, 8], size: 2, stride: 2, pad: 'valid' },
      { x: [1, 7, 6, 4], size: 3, stride: 3, pad: 'valid' },
      { x: [2, 5, 5, 4], size: 2, stride: 2, pad: 'same' },
    ] as const;
    for (const p of pools) {
      const [n, h, w, c] = p.x;
      const dy = [n, outSize(h, p.size, p.stride, p.pad), outSize(w, p.size, p.stride, p.pad), c];
      for (const integers of [false, true]) {
        const input = values([...p.x], 5, integers);
        // the kernel's `output` input (the pool's result) is not read by either backend: any values do
        const inputs = { dy: values(dy, 6), input, output: values(dy, 7) };
        const attrs = { filterSize: p.size, strides: p.stride, pad: p.pad };
        expect(await parity('MaxPoolGrad', inputs, attrs), JSON.stringify({ ...p, integers })).toBeLessThan(1e-4);
      }
    }
  });

  it('MaxPoolGrad with NaNs: never the largest, and a window of NaNs passes no gradient', async () => {
    for (const p of [
      { x: [2, 6, 6, 3], size: 2, stride: 2, pad: 'valid' },
      { x: [2, 6, 6, 4], size: 2, stride: 2, pad: 'valid' },
      { x: [1, 5, 5, 4], size: 3, stride: 1, pad: 'same' },
    ] as const) {
      const [n, h, w, c] = p.x;
      const input = values([...p.x], 5, true);
      // every 5th input NaN, and the whole first window of channel 0
      for (let i = 0; i < input.values.length; i += 5) input.values[i] = Number.NaN;
      for (const [y, x] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) input.values[(y * w + x) * c] = Number.NaN;
      const dy = [n, outSize(h, p.size, p.stride, p.pad), outSize(w, p.size, p.stride, p.pad), c];
      const inputs = { dy: values(dy, 6), input, output: values(dy, 7) };
      const attrs = { filterSize: p.size, strides: p.stride, pad: p.pad };
      expect(await parity('MaxPoolGrad', inputs, attrs), JSON.stringify(p)).toBeLessThan(1e-4);
    }
  });

  it('BatchMatMul with transposed operands and a broadcast batch', async () => {
    const cases = [
      { a: [1, 6, 5], b: [1, 5, 7], ta: false, tb: false },
      { a: [1, 5, 6], b: [1, 5, 7], ta: true, tb: false },
      { a: [1, 6, 5], b: [1, 7, 5], ta: false, tb: true },
      { a: [3, 5, 6], b: [3, 7, 5], ta: true, tb: true },
      { a: [3, 64, 40], b: [1, 40, 9], ta: false, tb: false },
      { a: [2, 40, 64], b: [1, 9, 40], ta: true, tb: true },
    ];
    for (const m of cases) {
      const inputs = { a: values(m.a, 8), b: values(m.b, 9) };
      expect(await parity('BatchMatMul', inputs, { transposeA: m.ta, transposeB: m.tb }), JSON.stringify(m)).toBeLessThan(1e-4);
    }
  });

  it('_FusedMatMul with bias and ReLU, transposed operands, and the cases left to the backend (a batch, another activation, PReLU)', async () => {
    const cases = [
      { a: [1, 6, 5], b: [1, 5, 7], ta: false, tb: false, activation: 'relu', bias: [7] },
      { a: [1, 5, 6], b: [1, 7, 5], ta: true, tb: true, activation: 'linear', bias: [7] },
      { a: [1, 9, 13], b: [1, 13, 3], ta: false, tb: false, activation: 'relu', bias: null },
      // a batch by one matrix, as one product (the backend's own gets this wrong in TF.js 4.22: 0.48 off)
      { a: [3, 6, 5], b: [1, 5, 7], ta: false, tb: false, activation: 'relu', bias: [7] },
      { a: [2, 5, 6], b: [1, 7, 5], ta: true, tb: true, activation: 'linear', bias: null },
      { a: [2, 6, 5], b: [2, 5, 7], ta: false, tb: false, activation: 'relu', bias: [7] },
      { a: [1, 6, 5], b: [1, 5, 7], ta: false, tb: false, activation: 'elu', bias: [7] },
      { a: [1, 6, 5], b: [1, 5, 7], ta: false, tb: false, activation: 'prelu', bias: [7], prelu: [7] },
    ];
    for (const m of cases) {
      const inputs: Inputs = { a: values(m.a, 10), b: values(m.b, 11) };
      if (m.bias) inputs.bias = values(m.bias, 12);
      if (m.prelu) inputs.preluActivationWeights = values(m.prelu, 13);
      expect(await parity('_FusedMatMul', inputs, { transposeA: m.ta, transposeB: m.tb, activation: m.activation, leakyreluAlpha: 0.2 }), JSON.stringify(m)).toBeLessThan(1e-5);
    }
  });

  it("the gemm gives XNNPACK's products bit for bit, around its tiles of 4 rows and 8, 4 and 1 columns", async () => {
    await tf.setBackend('wasm');
    const wasm = tf.backend() as BackendWasm;
    let cut = 0;
    let passed = 0;
    for (const [m, k, n] of [[1, 1, 1], [3, 2, 5], [4, 3, 8], [5, 7, 13], [9, 1, 4], [6, 8, 12], [64, 784, 128], [64, 64, 10]] as const) {
      for (const withBias of [false, true]) {
        for (const relu of [false, true]) {
          const [a, b, bias] = [values([m, k], m + k), values([k, n], n), values([n], 3)].map((v) => tf.tensor(v.values, v.shape));
          const out = wasm.makeOutput([m, n], 'float32');
          simd(wasm).gemm(offsetOf(wasm, a!), offsetOf(wasm, b!), offsetOf(wasm, out), m, k, n, withBias ? offsetOf(wasm, bias!) : 0, relu ? 1 : 0);
          const gemm = tf.engine().makeTensorFromTensorInfo(out);
          const inputs = { a: a!.reshape([1, m, k]), b: b!.reshape([1, k, n]), ...(withBias ? { bias: bias! } : {}) };
          const xnnpack = native('_FusedMatMul')({ inputs, attrs: { transposeA: false, transposeB: false, activation: relu ? 'relu' : 'linear' }, backend: wasm }) as tf.TensorInfo;
          const xnn = tf.engine().makeTensorFromTensorInfo(xnnpack);
          const [got, want] = [await gemm.data(), await xnn.data()];
          expect(Array.from(got), JSON.stringify({ m, k, n, withBias, relu })).toEqual(Array.from(want));
          if (relu) [cut, passed] = [cut + want.filter((v) => v === 0).length, passed + want.filter((v) => v > 0).length];
          tf.dispose([a!, b!, bias!, gemm, xnn, inputs.a, inputs.b]);
        }
      }
    }
    // the cases compare something: ReLU cut values and passed others
    expect(cut).toBeGreaterThan(100);
    expect(passed).toBeGreaterThan(100);
  });

  it('a product by a right operand not multiplied by before skips the packing; the next one by it is packed', async () => {
    await tf.setBackend('wasm');
    const b = tf.ones([3, 4]);
    expect([skipsPacking(b), skipsPacking(b), skipsPacking(b)]).toEqual([true, false, false]);
    // through the kernel: a tf.matMul by b2 notes it, so the next asks for packing
    const b2 = tf.ones([3, 4]);
    tf.matMul(tf.ones([2, 3]), b2).dispose();
    expect(skipsPacking(b2)).toBe(false);
    tf.dispose([b, b2]);
  });

  it("passes the app's backend parity check, which includes a CNN's gradients", async () => {
    await tf.setBackend('cpu');
    const reference = await computeParityValues();
    await tf.setBackend('wasm');
    const result = compareParity(reference, await computeParityValues());
    expect(result.ok).toBe(true);
    // float32 sums in another order: far below the check's tolerance
    expect(result.maxAbsDiff).toBeLessThan(PARITY_TOLERANCE / 10);
  });

  it('leak no tensors or wasm memory', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(values([2, 7, 7, 3], 1).values, [2, 7, 7, 3]);
    const f = tf.tensor4d(values([3, 3, 3, 4], 2).values, [3, 3, 3, 4]);
    const step = () => tf.tidy(() => tf.grads((a, b) => tf.sum(tf.maxPool(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'), 2, 1, 'same')))([x, f]));
    tf.dispose(step());
    const before = tf.memory();
    tf.dispose(step());
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    expect(tf.engine().backend.numDataIds()).toBe(before.numDataBuffers);
    tf.dispose([x, f]);
  });
});

/** Every `every`-th MNIST digit image of the bundled demo set, 2x2-averaged to 14x14 (keeps cpu fast). */
function mnistSample(perClass: number, skip: number): { x: Float32Array; labels: number[] } {
  const zip = unzipSync(readFileSync(join(process.cwd(), 'public/demo/mnist.zip')));
  const x = new Float32Array(perClass * 10 * 196);
  const labels: number[] = [];
  // interleave the classes so every batch has all of them
  for (let i = 0; i < perClass; i++) {
    for (let digit = 0; digit <= 9; digit++) {
      const png = decodePng(zip[`mnist/${digit}/${String(skip + i).padStart(4, '0')}.png`]!);
      const at = labels.length * 196;
      for (let y = 0; y < 14; y++) {
        for (let c = 0; c < 14; c++) {
          const p = (yy: number, xx: number) => png.data[(2 * y + yy) * 28 + 2 * c + xx]!;
          x[at + y * 14 + c] = (p(0, 0) + p(0, 1) + p(1, 0) + p(1, 1)) / (4 * 255);
        }
      }
      labels.push(digit);
    }
  }
  return { x, labels };
}

/**
 * The Small CNN preset trained with Adam on the sample, no shuffling and dropout off (its masks are
 * unseeded, so the two backends would drop different units); its test accuracy and final weights.
 */
async function trained(backend: 'cpu' | 'wasm', train: ReturnType<typeof mnistSample>, test: ReturnType<typeof mnistSample>): Promise<{ accuracy: number; weights: Float32Array }> {
  await tf.setBackend(backend);
  const preset = PRESETS.find((p) => p.id === 'small-cnn')!;
  const model = buildModel(tf, preset.make({ input: { kind: 'image', height: 14, width: 14, channels: 1 }, classes: 10 }));
  const optimizer = tf.train.adam(0.005);
  const batch = 25;
  for (let epoch = 0; epoch < 3; epoch++) {
    for (let start = 0; start < train.labels.length; start += batch) {
      const n = Math.min(batch, train.labels.length - start);
      const loss = optimizer.minimize(
        () => {
          const x = tf.tensor4d(train.x.subarray(start * 196, (start + n) * 196), [n, 14, 14, 1]);
          const y = tf.oneHot(tf.tensor1d(train.labels.slice(start, start + n), 'int32'), 10);
          return tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: false }) as tf.Tensor) as tf.Scalar;
        },
        true,
      )!;
      loss.dispose();
    }
  }
  const predicted = tf.tidy(() => (model.predict(tf.tensor4d(test.x, [test.labels.length, 14, 14, 1])) as tf.Tensor).argMax(-1));
  const classes = await predicted.data();
  const flat = tf.concat(model.getWeights().map((w) => w.reshape([-1])));
  const weights = (await flat.data()) as Float32Array;
  tf.dispose([predicted, flat]);
  optimizer.dispose();
  model.dispose();
  return { accuracy: test.labels.filter((label, i) => classes[i] === label).length / test.labels.length, weights };
}

describe('the Small CNN preset on wasm', () => {
  it('trains to the accuracy it reaches on cpu', async () => {
    const train = mnistSample(25, 0);
    const test = mnistSample(20, 100);
    const onCpu = await trained('cpu', train, test);
    const onWasm = await trained('wasm', train, test);
    // it learned: chance is 0.1
    expect(onCpu.accuracy).toBeGreaterThan(0.45);
    // Same initial weights (the spec's seed), batches and updates: only float32 rounding differs (sums in
    // another order, ~1e-7 relative per kernel), and 30 Adam steps keep that small, so the weights agree
    // to 1e-4 (measured: 6e-6) and the predictions differ only on images at a decision boundary: at most 2 of 200.
    expect(relativeDiff(onCpu.weights, onWasm.weights)).toBeLessThan(1e-4);
    expect(Math.abs(onWasm.accuracy - onCpu.accuracy)).toBeLessThanOrEqual(0.01);
  });
});

/** What `run` returns on cpu and on wasm (the same tensors made on each), as plain arrays with the shape. */
async function onBoth(run: () => tf.Tensor): Promise<{ cpu: number[]; wasm: number[]; cpuShape: number[]; wasmShape: number[] }> {
  const out: { values: number[]; shape: number[] }[] = [];
  for (const backend of ['cpu', 'wasm'] as const) {
    await tf.setBackend(backend);
    const t = run();
    out.push({ values: Array.from(await t.data()), shape: t.shape });
    t.dispose();
  }
  return { cpu: out[0]!.values, wasm: out[1]!.values, cpuShape: out[0]!.shape, wasmShape: out[1]!.shape };
}

/** Exactly the cpu backend's values and shape. */
async function sameOnBoth(run: () => tf.Tensor, label: string): Promise<void> {
  const r = await onBoth(run);
  expect(r.wasmShape, label).toEqual(r.cpuShape);
  expect(r.wasm, label).toEqual(r.cpu);
}

function permutations(n: number): number[][] {
  if (n === 1) return [[0]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}

describe('wasm kernels that replace slow ones give the cpu backend\'s results', () => {
  it('GatherV2 on any axis, float32 and int32, batched (where the backend\'s own fails), and an index out of range', async () => {
    const x = values([5, 3, 4], 11).values;
    for (const dtype of ['float32', 'int32'] as const) {
      const make = () => tf.tensor(dtype === 'int32' ? Array.from(x, (v) => Math.round(v * 100)) : x, [5, 3, 4], dtype);
      for (const [indices, axis] of [[[4, 0, 0, 2], 0], [[2, 0, 1, 1, 2], 1], [[3, 3, 0], 2], [[1, 2], -1]] as const) {
        await sameOnBoth(() => tf.tidy(() => tf.gather(make(), tf.tensor1d([...indices], 'int32'), axis)), `${dtype} axis ${axis}`);
      }
      await sameOnBoth(() => tf.tidy(() => tf.gather(make(), tf.tensor2d([[2, 0], [1, 1]], [2, 2], 'int32'), 1)), `${dtype} 2-D indices`);
      await sameOnBoth(() => tf.tidy(() => tf.gather(make(), tf.tensor2d([[2, 0], [1, 1], [0, 0], [2, 2], [1, 0]], [5, 2], 'int32'), 1, 1)), `${dtype} batchDims 1`);
    }
    await tf.setBackend('wasm');
    const t = tf.tensor(x, [5, 3, 4]);
    expect(() => tf.gather(t, tf.tensor1d([1, 5], 'int32'))).toThrow('GatherV2: the index value 5 is not in [0, 4]');
    t.dispose();
  });

  it('Transpose: every permutation of a 4-D tensor (float32 and int32) and matrices of every size around the 4x4 tiles', async () => {
    const x = values([2, 3, 4, 5], 12).values;
    for (const perm of permutations(4)) {
      await sameOnBoth(() => tf.tidy(() => tf.transpose(tf.tensor(x, [2, 3, 4, 5]), perm)), `float32 ${perm}`);
      await sameOnBoth(() => tf.tidy(() => tf.transpose(tf.tensor(Array.from(x, (v) => Math.round(v * 1000)), [2, 3, 4, 5], 'int32'), perm)), `int32 ${perm}`);
    }
    for (const [rows, cols] of [[1, 9], [4, 4], [5, 8], [7, 9], [13, 18], [64, 37]]) {
      await sameOnBoth(() => tf.tidy(() => tf.transpose(tf.tensor(values([rows, cols], 13).values, [rows, cols]))), `${rows}x${cols}`);
    }
  });

  it('Transpose is read as a block transpose where it is one', () => {
    // the filter gradient's dy: [64, 121, 32] -> [121, 64, 32]
    expect(asBlockTranspose([64, 121, 32], [1, 0, 2])).toEqual({ batch: 1, A: 64, B: 121, S: 32 });
    expect(asBlockTranspose([64, 11, 11, 32], [1, 2, 0, 3])).toEqual({ batch: 1, A: 64, B: 121, S: 32 });
    expect(asBlockTranspose([3, 5, 6], [0, 2, 1])).toEqual({ batch: 3, A: 5, B: 6, S: 1 });
    expect(asBlockTranspose([2, 3, 4], [2, 0, 1])).toEqual({ batch: 1, A: 6, B: 4, S: 1 });
    expect(asBlockTranspose([2, 3, 4], [0, 1, 2])).toEqual({ batch: 1, A: 1, B: 1, S: 24 });
    expect(asBlockTranspose([2, 3, 4, 5], [2, 0, 3, 1])).toBeNull();
  });

  it('Add with a bias along the last axis (either operand), and every other broadcast as before', async () => {
    const cases: [number[], number[], 'float32' | 'int32'][] = [
      [[2, 3, 3, 5], [5], 'float32'],
      [[6], [4, 6], 'float32'],
      [[4, 8], [1, 8], 'float32'],
      [[4, 8], [8], 'int32'],
      [[3, 4], [3, 1], 'float32'],
      [[3, 4], [3, 4], 'float32'],
      [[3, 4], [], 'float32'],
      [[5, 1], [1], 'float32'],
    ];
    for (const [a, b, dtype] of cases) {
      const make = (shape: number[], seed: number) => tf.tensor(values(shape, seed).values.map((v) => (dtype === 'int32' ? Math.round(v * 100) : v)), shape, dtype);
      await sameOnBoth(() => tf.tidy(() => tf.add(make(a, 14), make(b, 15))), `${a} + ${b} ${dtype}`);
    }
  });

  it('Sum over leading axes as column sums, and every other reduction as before', async () => {
    const x = values([6, 5, 4, 3], 16).values;
    for (const [axis, keepDims] of [[[0, 1, 2], false], [[0, 1, 2], true], [[0], false], [[1, 0], true], [[0, 1, 2, 3], false], [[1, 2], false], [-1, false]] as const) {
      const r = await onBoth(() => tf.tidy(() => tf.sum(tf.tensor(x, [6, 5, 4, 3]), axis as number | number[], keepDims)));
      expect(r.wasmShape).toEqual(r.cpuShape);
      // float32 sums of up to 120 values in another order
      expect(relativeDiff(new Float32Array(r.cpu), new Float32Array(r.wasm)), `${axis} ${keepDims}`).toBeLessThan(1e-5);
    }
  });

  it("ReLU's gradient: dy where x > 0, else 0, by one kernel on wasm and by TF.js's formula on cpu", async () => {
    const x = [-2, -0.5, 0, 0.25, 3, -1, 7, 0, 1, -3, 2];
    const w = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    const grad = () => tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), tf.tensor1d(w))))(tf.tensor1d(x)));
    const r = await onBoth(grad);
    const expected = x.map((v, i) => (v > 0 ? w[i]! : 0));
    expect(r.cpu).toEqual(expected);
    expect(r.wasm).toEqual(expected);
    await tf.setBackend('wasm');
    const kernels = (await tf.profile(() => grad().dispose())).kernels.map((k) => k.name);
    expect(kernels).toContain('PipetteReluGrad');
    expect(kernels).not.toContain('Step');
  });

  it('Identity shares the buffer: a clone costs no copy and outlives its original', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor1d([1, 2, 3]);
    const buffers = tf.engine().backend.numDataIds();
    const y = tf.clone(x);
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
    x.dispose();
    expect(Array.from(await y.data())).toEqual([1, 2, 3]);
    y.dispose();
    expect(tf.engine().backend.numDataIds()).toBe(buffers - 1);
  });

  it("Adam by one kernel per variable: TF.js's weights and moments bit for bit, its checkpoint names, no leak", async () => {
    // sizes around the kernel's 4-wide loop: 7 = 4 + 3, 15 = 12 + 3, 8
    const shapes = [[7], [3, 5], [8]];
    const run = async (backend: 'cpu' | 'wasm', fused: boolean) => {
      await tf.setBackend(backend);
      const vars = shapes.map((s, i) => tf.variable(tf.tensor(values(s, 20 + i).values, s), true, `adam_test_${backend}_${fused}_${i}`));
      const optimizer = fused ? fusedAdam(tf, 0.01) : tf.train.adam(0.01);
      let tensors = 0;
      for (let step = 0; step < 6; step++) {
        const grads = shapes.map((s, i) => ({ name: vars[i]!.name, tensor: tf.tensor(values(s, 100 * step + i).values.map((v) => v * (step + 1)), s) }));
        optimizer.applyGradients(grads);
        tf.dispose(grads.map((g) => g.tensor));
        if (step === 1) tensors = tf.memory().numTensors;
      }
      expect(tf.memory().numTensors).toBe(tensors);
      const state = await optimizer.getWeights();
      const out = {
        weights: await Promise.all(vars.map(async (v) => Array.from(await v.data()))),
        state: await Promise.all(state.map(async (w) => ({ name: w.name.replace(/adam_test_\w+?_(true|false)_/, ''), values: Array.from(await w.tensor.data()) }))),
      };
      state[0]!.tensor.dispose();
      optimizer.dispose();
      tf.dispose(vars);
      return out;
    };
    const reference = await run('cpu', false);
    expect(await run('wasm', true)).toEqual(reference);
    // the cpu backend has no such kernel: TF.js's own update
    expect(await run('cpu', true)).toEqual(reference);
    await tf.setBackend('wasm');
    const v = tf.variable(tf.zeros([5]), true, 'adam_test_profiled');
    const optimizer = fusedAdam(tf, 0.01);
    const profile = await tf.profile(() => optimizer.applyGradients([{ name: v.name, tensor: tf.ones([5]) }]));
    expect(profile.kernels.filter((k) => k.name === 'PipetteAdam')).toHaveLength(1);
    optimizer.dispose();
    v.dispose();
  });
});
