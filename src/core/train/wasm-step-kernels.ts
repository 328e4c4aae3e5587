/**
 * Replacements for wasm kernels a training step spends much of its time in (see wasm-kernels.ts), most of
 * them loops of the SIMD module (simd/kernels.wat). Each hands the cases it does not cover to the
 * backend's own kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { AdamAttrs } from './fused-adam';
import { inHeap, native, offsetOf, simd, type Info, type KernelArgs } from './wasm-kernel-base';

/**
 * Identity shares the input's buffer (as the cpu and webgl backends do, and as the wasm backend's own
 * Reshape does) instead of copying it: TF.js clones every tensor it saves for the backward pass, so the
 * backend's copying Identity moved about 2 ms of activations a step of the Small CNN. Safe because no
 * kernel writes into its inputs (ours included: fused Adam writes new buffers).
 */
export function identity({ inputs, backend }: KernelArgs): Info {
  const { x } = inputs as { x: Info };
  if (x.dtype === 'string') return native('Identity')({ inputs, backend: backend as BackendWasm }) as Info;
  (backend as BackendWasm).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * GatherV2 as copies of whole slices: out[b, o, i, ...] = x[b, o, indices[b, i], ...] (b the batch
 * dimensions, o the axes before `axis`). The backend's own kernel computes every element's address
 * (1.5 ms for a batch of 64 MNIST rows in Node, a quarter of the MLP preset's step) and fails with
 * batchDims > 0 ("memory access out of bounds" in TF.js 4.22); this is one copyWithin per slice. 1-byte
 * types (bool) go to the backend's own.
 */
export function gatherV2(args: KernelArgs): Info {
  const wasm = args.backend as BackendWasm;
  const { x, indices } = args.inputs as { x: Info; indices: Info };
  const { axis, batchDims } = args.attrs as unknown as tf.GatherV2Attrs;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') return native('GatherV2')(args as Parameters<tf.KernelFunc>[0]) as Info;
  const ax = tf.util.parseAxisParam(axis, x.shape)[0]!;
  const info = tf.backend_util.segment_util.collectGatherOpShapeInfo(x as tf.TensorInfo as tf.Tensor, indices as tf.TensorInfo as tf.Tensor, ax, batchDims);
  const { batchSize, outerSize, dimSize, sliceSize } = info;
  const idx = wasm.readSync(indices.dataId) as Int32Array;
  for (const i of idx) if (!(i >= 0 && i < dimSize)) throw new Error(`GatherV2: the index value ${i} is not in [0, ${dimSize - 1}]`);
  const out = wasm.makeOutput(info.outputShape, x.dtype);
  if (out.shape.includes(0)) return out;
  // one heap view for both (after the allocation: a heap that grows detaches earlier views)
  const from = inHeap(wasm, x);
  const perBatch = idx.length / batchSize;
  let dst = inHeap(wasm, out).at;
  for (let b = 0; b < batchSize; b++) {
    for (let o = 0; o < outerSize; o++) {
      const base = from.at + (b * outerSize + o) * dimSize * sliceSize;
      for (let j = b * perBatch; j < (b + 1) * perBatch; j++, dst += sliceSize) {
        const at = base + idx[j]! * sliceSize;
        from.heap.copyWithin(dst, at, at + sliceSize);
      }
    }
  }
  return out;
}

/**
 * Add with a bias broadcast along the last axis ([..., C] + [C], a layer's bias) by the SIMD module: the
 * backend's own broadcasting add took 1.4 ms on the Small CNN's first convolution (64x26x26x16), this
 * about a third of that. Every other add goes to the backend's own.
 */
export function add(args: KernelArgs): Info {
  const wasm = args.backend as BackendWasm;
  const { a, b } = args.inputs as { a: Info; b: Info };
  const [x, bias] = tf.util.sizeFromShape(a.shape) >= tf.util.sizeFromShape(b.shape) ? [a, b] : [b, a];
  const channels = x.shape[x.shape.length - 1];
  const isBias = x.dtype === 'float32' && bias.dtype === 'float32' && x.shape.length >= 2 && bias.shape.length <= x.shape.length && channels === tf.util.sizeFromShape(bias.shape) && bias.shape[bias.shape.length - 1] === channels;
  if (!isBias || !channels) return native('Add')(args as Parameters<tf.KernelFunc>[0]) as Info;
  const out = wasm.makeOutput(x.shape, 'float32');
  simd(wasm).bias_add(offsetOf(wasm, x), offsetOf(wasm, bias), offsetOf(wasm, out), tf.util.sizeFromShape(x.shape) / channels, channels);
  return out;
}

/**
 * Sum over leading axes (a bias's gradient: [N, H, W, C] summed over N, H, W) as column sums by the SIMD
 * module; the backend's own transposes the whole tensor first (2.1 ms on the Small CNN's first
 * convolution). Other reductions go to the backend's own.
 */
export function sum(args: KernelArgs): Info {
  const wasm = args.backend as BackendWasm;
  const { x } = args.inputs as { x: Info };
  const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
  const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((ax, i) => ax === i);
  if (x.dtype !== 'float32' || !leading) return native('Sum')(args as Parameters<tf.KernelFunc>[0]) as Info;
  const kept = x.shape.slice(axes.length);
  const out = wasm.makeOutput(keepDims ? [...axes.map(() => 1), ...kept] : kept, 'float32');
  const cols = tf.util.sizeFromShape(kept);
  (wasm.typedArrayFromHeap(out) as Float32Array).fill(0);
  if (cols > 0) simd(wasm).column_sum(offsetOf(wasm, x), offsetOf(wasm, out), tf.util.sizeFromShape(x.shape) / cols, cols);
  return out;
}

/**
 * A transpose as [batch, A, B, S] -> [batch, B, A, S], when it is one: the axes that stay next to each
 * other are merged first, so [64, 11, 11, 32] with perm [1, 2, 0, 3] is [1, 64, 121, 32] -> [121, 64].
 * null for any other permutation.
 */
export function asBlockTranspose(shape: readonly number[], perm: readonly number[]): { batch: number; A: number; B: number; S: number } | null {
  // runs of input axes that stay adjacent and in order in the output, in output order
  const runs: number[][] = [];
  for (const axis of perm) {
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1] === axis - 1) last.push(axis);
    else runs.push([axis]);
  }
  const size = (run: readonly number[] | undefined) => (run ? run.reduce((p, ax) => p * shape[ax]!, 1) : 1);
  // the output's runs, by their place in the input
  const order = runs.map((run) => run[0]!);
  const byInput = [...order].sort((a, b) => a - b).map((first) => order.indexOf(first));
  // byInput[i] = output position of the input's i-th run; the forms: [1, 0], [0, 2, 1], [1, 0, 2], [0, 2, 1, 3]
  const key = byInput.join();
  const r = (i: number) => size(runs[byInput[i]!]);
  if (key === '0') return { batch: 1, A: 1, B: 1, S: r(0) };
  if (key === '1,0') return { batch: 1, A: r(0), B: r(1), S: 1 };
  if (key === '0,2,1') return { batch: r(0), A: r(1), B: r(2), S: 1 };
  if (key === '1,0,2') return { batch: 1, A: r(0), B: r(1), S: r(2) };
  if (key === '0,2,1,3') return { batch: r(0), A: r(1), B: r(2), S: r(3) };
  return null;
}

/**
 * Transpose by the SIMD module where it is a (batched, blocked) matrix transpose, which covers what
 * training needs: the dense layers' x^T and W^T, the filter gradient's x and dy. The backend's own took
 * about 1 ms for each of the Small CNN's 173k- and 248k-value transposes in a step, this about 0.2 ms.
 */
export function transpose(args: KernelArgs): Info {
  const wasm = args.backend as BackendWasm;
  const { x } = args.inputs as { x: Info };
  const { perm } = args.attrs as unknown as tf.TransposeAttrs;
  const block = x.dtype === 'float32' || x.dtype === 'int32' ? asBlockTranspose(x.shape, perm) : null;
  if (!block) return native('Transpose')(args as Parameters<tf.KernelFunc>[0]) as Info;
  const out = wasm.makeOutput(perm.map((ax) => x.shape[ax]!), x.dtype);
  if (block.batch * block.A * block.B * block.S > 0) simd(wasm).transpose(offsetOf(wasm, x), offsetOf(wasm, out), block.batch, block.A, block.B, block.S);
  return out;
}

/** ReLU's gradient in one pass (RELU_GRAD_KERNEL in tapeless-step.ts; see registerReluGradient in wasm-kernels.ts). */
export function reluGrad({ inputs, backend }: KernelArgs): Info {
  const wasm = backend as BackendWasm;
  const { dy, x } = inputs as { dy: Info; x: Info };
  const out = wasm.makeOutput(x.shape, 'float32');
  simd(wasm).relu_grad(offsetOf(wasm, dy), offsetOf(wasm, x), offsetOf(wasm, out), tf.util.sizeFromShape(x.shape));
  return out;
}

/**
 * One Adam step of one variable (fused-adam.ts) by the SIMD module: the new weights and moments in three
 * new buffers (a variable's buffer may be shared with a clone, such as the best epoch's weights, so none
 * is written in place). Without the backend's memory (another TF.js build) TF.js's own update runs.
 */
export function adam({ inputs, backend, attrs }: KernelArgs): Info[] {
  const wasm = backend as BackendWasm;
  const { value, m, v, gradient, accBeta1, accBeta2 } = inputs as Record<string, Info>;
  const a = attrs as unknown as AdamAttrs;
  const outs = [value!, m!, v!].map((t) => wasm.makeOutput(t.shape, 'float32'));
  // views after every allocation: a heap that grows detaches the views taken earlier
  const view = (t: Info) => wasm.typedArrayFromHeap(t) as Float32Array;
  const at = (t: Info) => offsetOf(wasm, t);
  const f = Math.fround;
  simd(wasm).adam(
    at(value!), at(m!), at(v!), at(gradient!), at(outs[0]!), at(outs[1]!), at(outs[2]!), view(gradient!).length,
    a.beta1, f(1 - a.beta1), a.beta2, f(1 - a.beta2), f(1 - view(accBeta1!)[0]!), f(1 - view(accBeta2!)[0]!), a.epsilon, -a.learningRate,
  );
  return outs;
}
