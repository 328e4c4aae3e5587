/**
 * The wasm backend's matrix products: BatchMatMul and _FusedMatMul, and the products inside the
 * convolution gradients (wasm-conv-kernels.ts).
 *
 * XNNPACK packs the right operand B into its own layout the first time it multiplies by it and keeps that
 * packing for later products by the same B (tfjs-backend-wasm caches one operator per B buffer). That pays
 * for the weights of inference, used batch after batch, but not in training: the weights are new after
 * every step, and gradients are used once, so every product packed first (0.34 of the 0.71 ms the MLP
 * preset's first layer took, measured in Node). A product by a B not multiplied before therefore goes to the
 * SIMD module's gemm, which reads B as it lies and gives XNNPACK's results bit for bit (the same sums in
 * the same order; tests/unit/train/wasm-kernels.test.ts); a B seen again goes to XNNPACK, which packs it
 * then, once. On a backend with threads XNNPACK splits a product between them and the gemm runs on one,
 * so there a product by one matrix stays with XNNPACK (a batch of them still goes to the gemm: `planned`).
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, type BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { native, offsetOf, simd, type Info, type KernelArgs } from './wasm-kernel-base';
import { transpose } from './wasm-step-kernels';

/** The B buffers the gemm has multiplied by: the next product by one of them is XNNPACK's, which packs it. */
const seen = new WeakSet<object>();

/** Whether a product by b skips XNNPACK's packing (noting that b was multiplied by: the next one packs it). */
export function skipsPacking(b: Info): boolean {
  if (getThreadsCount() > 1 || seen.has(b.dataId)) return false;
  seen.add(b.dataId);
  return true;
}

/**
 * a [rows, inner] x b [inner, cols] (+ bias [cols]) (then ReLU), no transposes: the gemm for a b not
 * multiplied before, else XNNPACK (its fast path: about 8x its transposed cases on the presets' shapes).
 */
export function product(backend: BackendWasm, a: Info, b: Info, rows: number, inner: number, cols: number, bias: Info | null = null, relu = false): Info {
  if (skipsPacking(b)) return gemm(backend, a, b, { batch: 1, aStep: 0, bStep: 0, rows, inner, cols, shape: [rows, cols] }, bias, relu);
  const inputs = { a: { ...a, shape: [1, rows, inner] }, b: { ...b, shape: [1, inner, cols] }, ...(bias ? { bias } : {}) };
  const attrs = { transposeA: false, transposeB: false, ...(bias || relu ? { activation: relu ? 'relu' : 'linear', leakyreluAlpha: 0 } : {}) };
  const out = native(bias || relu ? '_FusedMatMul' : 'BatchMatMul')({ inputs, attrs, backend }) as Info;
  return { ...out, shape: [rows, cols] };
}

/**
 * A product of untransposed operands as `batch` products of matrices: each a [rows, inner] by b [inner,
 * cols], `aStep` and `bStep` floats apart from one to the next.
 */
interface Plan {
  batch: number;
  aStep: number;
  bStep: number;
  rows: number;
  inner: number;
  cols: number;
  /** The output's shape. */
  shape: number[];
}

/**
 * The plan of a [..., rows, inner] x b [..., inner, cols]: a right operand that is one matrix takes the left
 * operand's leading axes into its rows (a batch by one matrix: one product); else one product per batch
 * entry, where the leading axes are equal or one operand has none above 1. Null for other broadcasts.
 */
function planOf(a: Info, b: Info): Plan | null {
  if (a.shape.length < 2 || b.shape.length < 2) return null;
  const [leadA, leadB] = [a.shape.slice(0, -2), b.shape.slice(0, -2)];
  const size = (axes: number[]) => axes.reduce((p, d) => p * d, 1);
  const [rows, inner] = a.shape.slice(-2) as [number, number];
  const cols = b.shape.at(-1)!;
  const lead = tf.backend_util.assertAndGetBroadcastShape(leadA, leadB);
  const shape = [...lead, rows, cols];
  if (size(leadB) === 1) return { batch: 1, aStep: 0, bStep: 0, rows: size(leadA) * rows, inner, cols, shape };
  const aStep = size(leadA) === 1 ? 0 : rows * inner;
  if (aStep && !tf.util.arraysEqual(leadA, leadB)) return null;
  return { batch: size(leadB), aStep, bStep: inner * cols, rows, inner, cols, shape };
}

/** The plan's products by the gemm. */
function gemm(backend: BackendWasm, a: Info, b: Info, plan: Plan, bias: Info | null, relu: boolean): Info {
  const { batch, aStep, bStep, rows, inner, cols } = plan;
  const out = backend.makeOutput(plan.shape, 'float32');
  const kernels = simd(backend);
  const [pa, pb, pc, pbias] = [offsetOf(backend, a), offsetOf(backend, b), offsetOf(backend, out), bias ? offsetOf(backend, bias) : 0];
  for (let i = 0; i < batch; i++) kernels.gemm(pa + 4 * i * aStep, pb + 4 * i * bStep, pc + 4 * i * rows * cols, rows, inner, cols, pbias, relu ? 1 : 0);
  return out;
}

/**
 * A product of untransposed operands: one by one matrix by `product`; a batch of them by the gemm, as
 * XNNPACK would pack every one (and the backend's own _FusedMatMul adds a bias wrongly to a batch in
 * TF.js 4.22); the backend's own for other broadcasts.
 */
function planned(backend: BackendWasm, a: Info, b: Info, bias: Info | null, relu: boolean, byBackend: () => Info): Info {
  const plan = planOf(a, b);
  if (!plan) return byBackend();
  if (plan.batch > 1) return gemm(backend, a, b, plan, bias, relu);
  return { ...product(backend, a, b, plan.rows, plan.inner, plan.cols, bias, relu), shape: plan.shape };
}

/** The last two axes of a tensor swapped, by the SIMD Transpose. */
function transposeLast(backend: BackendWasm, t: Info): Info {
  const perm = t.shape.map((_, i) => i);
  const n = perm.length;
  [perm[n - 2], perm[n - 1]] = [perm[n - 1]!, perm[n - 2]!];
  return transpose({ inputs: { x: t }, attrs: { perm }, backend });
}

/** A product's operands with the transposed ones transposed (new buffers, which `done` disposes). */
function plain(backend: BackendWasm, a: Info, b: Info, transposeA: boolean, transposeB: boolean) {
  const a2 = transposeA ? transposeLast(backend, a) : a;
  const b2 = transposeB ? transposeLast(backend, b) : b;
  return {
    a: a2,
    b: b2,
    done() {
      if (a2 !== a) backend.disposeData(a2.dataId);
      if (b2 !== b) backend.disposeData(b2.dataId);
    },
  };
}

/**
 * BatchMatMul with any transposed operand transposed first (a dense layer's gradients are x^T dy and
 * dy W^T, which XNNPACK would run on a slow path), then `planned`.
 */
export function batchMatMul({ inputs, backend, attrs }: KernelArgs): Info {
  const wasm = backend as BackendWasm;
  const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
  const { a: x, b: y } = inputs as { a: Info; b: Info };
  if (x.dtype !== 'float32' || y.dtype !== 'float32') return native('BatchMatMul')({ inputs, attrs, backend: wasm }) as Info;
  const ops = plain(wasm, x, y, transposeA, transposeB);
  try {
    const byBackend = () => native('BatchMatMul')({ inputs: { a: ops.a, b: ops.b }, attrs: { transposeA: false, transposeB: false }, backend: wasm }) as Info;
    return planned(wasm, ops.a, ops.b, null, false, byBackend);
  } finally {
    ops.done();
  }
}

/**
 * _FusedMatMul (a Dense layer's forward pass) with a linear or ReLU activation and a bias of one value per
 * column by `planned`; any other case by the backend's own.
 */
export function fusedMatMul(args: KernelArgs): Info {
  const wasm = args.backend as BackendWasm;
  const { a: x, b: y, bias, preluActivationWeights } = args.inputs as { a: Info; b: Info; bias?: Info; preluActivationWeights?: Info };
  const { transposeA, transposeB, activation } = args.attrs as unknown as tf._FusedMatMulAttrs;
  const cols = transposeB ? y.shape.at(-2) : y.shape.at(-1);
  const biasFits = !bias || (bias.shape.length === 1 && bias.shape[0] === cols && bias.dtype === 'float32');
  if (preluActivationWeights || (activation !== 'linear' && activation !== 'relu') || !biasFits || x.dtype !== 'float32' || y.dtype !== 'float32') {
    return native('_FusedMatMul')(args as Parameters<tf.KernelFunc>[0]) as Info;
  }
  const ops = plain(wasm, x, y, transposeA, transposeB);
  try {
    const byBackend = () => native('_FusedMatMul')({ ...args, inputs: { ...args.inputs, a: ops.a, b: ops.b }, attrs: { ...args.attrs, transposeA: false, transposeB: false } } as Parameters<tf.KernelFunc>[0]) as Info;
    return planned(wasm, ops.a, ops.b, bias ?? null, activation === 'relu', byBackend);
  } finally {
    ops.done();
  }
}
