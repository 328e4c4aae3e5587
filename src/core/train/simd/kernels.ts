/**
 * Pipette's SIMD kernels (kernels.wat), instantiated on the TF.js wasm backend's memory: they read and
 * write tensors in place in that heap, with f32x4 arithmetic that plain JS cannot express (a JS loop over
 * Adam's update is slower than TF.js's 15 separate kernels; this is several times faster than those).
 */
import { KERNELS_WASM, KERNELS_WASM_SHARED } from './kernels-wasm';

export interface SimdKernels {
  /** Byte offsets of w, m, v, g and the three outputs, the element count, then b1, 1 - b1, b2, 1 - b2, 1 - b1^t, 1 - b2^t, epsilon, -learning rate. */
  /** out[r, c] = x[r, c] + bias[c]. */
  bias_add(x: number, bias: number, out: number, rows: number, channels: number): void;
  /** out[c] += sum over r of x[r, c] (out zeroed first by the caller). */
  column_sum(x: number, out: number, rows: number, cols: number): void;
  /** out = dy * (x > 0 ? 1 : 0). */
  relu_grad(dy: number, x: number, out: number, n: number): void;
  /** MaxPoolGrad, NHWC (byte offsets of x, dy, dx; dx zeroed by the caller), then the pool's geometry. */
  max_pool_grad(x: number, dy: number, dx: number, batch: number, inH: number, inW: number, channels: number, outH: number, outW: number, strideH: number, strideW: number, filterH: number, filterW: number, padTop: number, padLeft: number): void;
  /** dst[n, b, a, s] = src[n, a, b, s] (byte offsets, then the sizes). */
  transpose(src: number, dst: number, batch: number, A: number, B: number, S: number): void;
  /** A convolution's filter gradient, NHWC, output channels a multiple of 4 (byte offsets of x, dy, dw; dw zeroed by the caller). */
  filter_grad(x: number, dy: number, dw: number, batch: number, inH: number, inW: number, cin: number, outH: number, outW: number, cout: number, strideH: number, strideW: number, filterH: number, filterW: number, padTop: number, padLeft: number): void;
  /** MaxPoolGrad, NHWC, for windows that tile x (strides equal to the window, no padding), channels a multiple of 4; dx past the last window is left as it was. */
  max_pool_grad_tiles(x: number, dy: number, dx: number, batch: number, inH: number, inW: number, channels: number, outH: number, outW: number, filterH: number, filterW: number): void;
  /** dw += patches(x)^T dy for an unpadded NHWC convolution (dw zeroed by the caller; cout a multiple of 4): byte offsets of x, dy, dw, then batch, outH, outW, cout, the patch size (fh fw cin), the floats of a filter row's run (fw cin), and the bytes from one input row to the next, from one output pixel's patch to the next along a row, from one output row's to the next, and from one image to the next. */
  filter_grad_valid(x: number, dy: number, dw: number, batch: number, outH: number, outW: number, cout: number, patchSize: number, run: number, rowBytes: number, pixelBytes: number, rowStep: number, imageBytes: number): void;
  /** c = a b (+ bias) (then max 0 if relu): byte offsets of a [m, k], b [k, n], c [m, n], then m, k, n, the bias's offset (0: none), relu (1 or 0). */
  gemm(a: number, b: number, c: number, m: number, k: number, n: number, bias: number, relu: number): void;
  adam(w: number, m: number, v: number, g: number, ow: number, om: number, ov: number, n: number, b1: number, c1: number, b2: number, c2: number, d1: number, d2: number, eps: number, negLr: number): void;
}

const instances = new WeakMap<WebAssembly.Memory, SimdKernels>();

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** The kernels on this memory (made once per memory; synchronous: the module is about 600 bytes). */
export function simdKernels(memory: WebAssembly.Memory): SimdKernels {
  let kernels = instances.get(memory);
  if (!kernels) {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const module = new WebAssembly.Module(decode(shared ? KERNELS_WASM_SHARED : KERNELS_WASM));
    kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SimdKernels;
    instances.set(memory, kernels);
  }
  return kernels;
}
