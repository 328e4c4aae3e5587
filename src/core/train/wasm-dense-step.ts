/**
 * The step without the tape for a plain stack of dense layers (the MLP presets) as one wasm kernel
 * (DENSE_STEP_KERNEL, called by tapeless-step.ts): the forward pass, the trainer's loss and the correct
 * count, and every weight's gradient, in one call. The same step as TF.js kernels is about 60 calls
 * (products, transposes, bias sums, ReLU gradients, dropout, the softmax and the loss's dozen small
 * kernels), and on the MLP preset's 1.0 ms of matrix products the engine's dispatch of those calls cost
 * another 0.4 ms a step in Node. Here the products are wasm-matmul.ts's (the SIMD gemm, or XNNPACK where
 * the backend has threads), the rest the SIMD module's loops and plain JS over the head's few values.
 * tests/unit/train/tapeless-step.test.ts checks it against the tape on wasm.
 */
import { getThreadsCount, type BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { DenseStepAttrs } from './tapeless-step';
import { MULBERRY32_STEP, mixSeed } from '../math/random';
import { LOG_EPS } from './losses';
import { batchMatMul, product } from './wasm-matmul';
import { offsetOf, simd, type Info, type KernelArgs } from './wasm-kernel-base';

const f = Math.fround;

/**
 * Inputs: x [rows, ...] (flattened to its first layer's inputs), y [rows, outputs], the rows' loss weights
 * and padding mask [rows], each layer's `kernel{l}` and `bias{l}`, and for a layer with dropout before it
 * `uniform{l}` if the dropout is seeded (tf.dropout's uniform draw over that layer's input; else the kernel
 * draws from attrs.seeds). Outputs: the loss, the correct count
 * (0 for regression), then each layer's kernel gradient and, if it has one, its bias gradient.
 */
export function denseStep({ inputs, backend, attrs }: KernelArgs): Info[] {
  const wasm = backend as BackendWasm;
  const a = attrs as unknown as DenseStepAttrs;
  const x = inputs.x!;
  const rows = x.shape[0]!;
  const layers = a.relu.length;
  const kernels = Array.from({ length: layers }, (_, l) => inputs[`kernel${l}`]!);
  const sizes = [kernels[0]!.shape[0]!, ...kernels.map((k) => k.shape[1]!)];
  const k = simd(wasm);
  const at = (t: Info) => offsetOf(wasm, t);
  // views after every allocation: a heap that grows detaches the views taken earlier
  const view = (t: Info) => wasm.typedArrayFromHeap(t) as Float32Array;
  // the step's own buffers, freed at the end, and its outputs, freed if it fails
  const temps: Info[] = [];
  const temp = (shape: number[]) => {
    const t = wasm.makeOutput(shape, 'float32');
    temps.push(t);
    return t;
  };
  const outputs: Info[] = [];
  const output = (shape: number[]) => {
    const t = wasm.makeOutput(shape, 'float32');
    outputs.push(t);
    return t;
  };
  // the inputs each dropout keeps, by layer
  const kept: Uint8Array[] = [];
  try {
    // forward: each layer's input (after its dropout) and output (after its ReLU)
    const ins: Info[] = [];
    const outs: Info[] = [];
    let act: Info = { ...x, shape: [rows, sizes[0]!] };
    for (let l = 0; l < layers; l++) {
      if (a.dropout[l]) {
        kept[l] = keptOf(inputs[`uniform${l}`] ? view(inputs[`uniform${l}`]!) : null, rows * sizes[l]!, a.dropout[l]!, a.seeds[l]!);
        const dropped = temp([rows, sizes[l]!]);
        scaleKept(view(act), view(dropped), kept[l]!, a.dropout[l]!);
        act = dropped;
      }
      ins.push(act);
      const bias = a.bias[l] ? inputs[`bias${l}`]! : null;
      act = product(wasm, act, kernels[l]!, rows, sizes[l]!, sizes[l + 1]!, bias, a.relu[l] === 1);
      temps.push(act);
      outs.push(act);
    }
    // the loss, the correct count and the gradient by the head's output (its pre-activation)
    const loss = output([]);
    const correct = output([]);
    let d = temp([rows, sizes[layers]!]);
    const head = headGradient(view(outs[layers - 1]!), view(inputs.y!), view(inputs.weights!), view(inputs.mask!), view(d), rows, sizes[layers]!, a);
    view(loss)[0] = head.loss;
    view(correct)[0] = head.correct;
    // backward
    const grads: Info[][] = [];
    for (let l = layers - 1; l >= 0; l--) {
      const [inner, cols] = [sizes[l]!, sizes[l + 1]!];
      const dW = weightGradient(wasm, ins[l]!, d, inner, cols);
      outputs.push(dW);
      const layerGrads = [dW];
      if (a.bias[l]) {
        const db = output([cols]);
        view(db).fill(0);
        k.column_sum(at(d), at(db), rows, cols);
        layerGrads.push(db);
      }
      grads.unshift(layerGrads);
      if (l === 0) break;
      // d W^T, W transposed first as the BatchMatMul kernel does it
      const dx = batchMatMul({ inputs: { a: d, b: kernels[l]! }, attrs: { transposeA: false, transposeB: true }, backend: wasm });
      temps.push(dx);
      if (a.dropout[l]) scaleKept(view(dx), view(dx), kept[l]!, a.dropout[l]!);
      if (a.relu[l - 1]) k.relu_grad(at(dx), at(outs[l - 1]!), at(dx), rows * inner);
      d = dx;
    }
    return [loss, correct, ...grads.flat()];
  } catch (e) {
    for (const t of outputs) wasm.disposeData(t.dataId);
    throw e;
  } finally {
    for (const t of temps) wasm.disposeData(t.dataId);
  }
}

/**
 * x^T d, a dense layer's kernel gradient ([inner, cols] from x [rows, inner] and d [rows, cols]). With
 * cols a multiple of 4 and one thread, the product of a 1x1 convolution's filter gradient
 * (filter_grad_valid, reading x's columns where they lie): in Node it took 0.33 ms on the MLP preset's
 * first layer, against 0.04 + 0.36 ms for a transpose and the gemm. Else the BatchMatMul kernel's
 * transpose and product.
 */
function weightGradient(wasm: BackendWasm, x: Info, d: Info, inner: number, cols: number): Info {
  if (cols % 4 === 0 && getThreadsCount() === 1) {
    const dW = wasm.makeOutput([inner, cols], 'float32');
    (wasm.typedArrayFromHeap(dW) as Float32Array).fill(0);
    // every row a pixel whose patch is its inner values (one run of them, so rowBytes goes unused)
    simd(wasm).filter_grad_valid(offsetOf(wasm, x), offsetOf(wasm, d), offsetOf(wasm, dW), 1, 1, x.shape[0]!, cols, inner, inner, 0, 4 * inner, 0, 0);
    return dW;
  }
  return batchMatMul({ inputs: { a: x, b: d }, attrs: { transposeA: true, transposeB: false }, backend: wasm });
}

/**
 * Which of n inputs a dropout of `rate` keeps: by tf.dropout's rule on its uniform draw u (kept where
 * floor(u + keep) is 1, in float32) when the layer is seeded, so that it keeps what the stage-by-stage
 * step would; else drawn here from `seed` (TF.js's seeded generator took 0.1 ms for the MLP preset's 8,192).
 */
function keptOf(uniform: Float32Array | null, n: number, rate: number, seed: number): Uint8Array {
  const kept = new Uint8Array(n);
  if (uniform) {
    const keep = f(1 - rate);
    for (let i = 0; i < n; i++) kept[i] = f(uniform[i]! + keep) >= 1 ? 1 : 0;
    return kept;
  }
  // mulberry32 (core/math/random.ts's Rng) written out: kept where the uint32 drawn is at least rate x 2^32
  const threshold = rate * 4294967296;
  // a local: Vitest's module transform makes every read of an import a property lookup
  const step = MULBERRY32_STEP;
  let state = mixSeed(seed);
  for (let i = 0; i < n; i++) {
    state = (state + step) | 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    kept[i] = (t ^ (t >>> 14)) >>> 0 >= threshold ? 1 : 0;
  }
  return kept;
}

/** to = from x tf.dropout's multiplier (1 / keep, in float32) where kept, else 0 (to may be from). */
function scaleKept(from: Float32Array, to: Float32Array, kept: Uint8Array, rate: number): void {
  const scale = f(1 / f(1 - rate));
  // a Float32Array rounds the product of two float32 values as float32 arithmetic would
  for (let i = 0; i < kept.length; i++) to[i] = kept[i] ? from[i]! * scale : 0;
}

/**
 * The trainer's loss over the head's output z (tapeless-step.ts's formulas, in double precision): the
 * softmax's cross-entropy clipped before the log, or the mean squared error; each row weighed by
 * weights / real. Writes the gradient by z into dz; returns the loss and the correct count under the mask.
 */
function headGradient(z: Float32Array, y: Float32Array, weights: Float32Array, mask: Float32Array, dz: Float32Array, rows: number, cols: number, a: DenseStepAttrs): { loss: number; correct: number } {
  let loss = 0;
  let correct = 0;
  const [low, high] = [f(LOG_EPS), f(1 - LOG_EPS)];
  const p = new Float64Array(cols);
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    const scale = weights[r]! / a.real;
    if (!a.classification) {
      let sq = 0;
      for (let c = 0; c < cols; c++) {
        const e = z[o + c]! - y[o + c]!;
        sq += e * e;
        dz[o + c] = e * scale * (2 / cols);
      }
      loss += weights[r]! * (sq / cols);
      continue;
    }
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, z[o + c]!);
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += p[c] = Math.exp(z[o + c]! - max);
    // d loss / d p = -w y / p inside the clip (0 outside); through the softmax dz = u - sum(u) p, u = -w y
    let rowLoss = 0;
    let uSum = 0;
    let best = 0;
    let label = 0;
    for (let c = 0; c < cols; c++) {
      const q = f(p[c]! / sum);
      p[c] = q;
      const clipped = Math.min(Math.max(q, low), high);
      rowLoss -= y[o + c]! * Math.log(clipped);
      const u = clipped === q ? -scale * y[o + c]! : 0;
      dz[o + c] = u;
      uSum += u;
      if (q > p[best]!) best = c;
      if (y[o + c]! > y[o + label]!) label = c;
    }
    for (let c = 0; c < cols; c++) dz[o + c] = dz[o + c]! - uSum * p[c]!;
    loss += weights[r]! * rowLoss;
    if (best === label) correct += mask[r]!;
  }
  return { loss: loss / a.real, correct };
}
