/**
 * What the wasm training kernels share (wasm-kernels.ts registers them; wasm-conv-kernels.ts and
 * wasm-step-kernels.ts define them): the backend's own kernels they fall back to, where a tensor lies in
 * the backend's heap, and the SIMD module on that heap.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { simdKernels, type SimdKernels } from './simd/kernels';

export type Info = tf.TensorInfo;
export type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

/** The backend's own kernels that ours replace, kept to call (BatchMatMul) or to restore in tests. */
export const natives = new Map<string, tf.KernelConfig>();

export function native(name: string): tf.KernelFunc {
  const config = natives.get(name) ?? tf.getKernel(name, 'wasm');
  if (!config) throw new Error(`the wasm backend has no ${name} kernel`);
  return config.kernelFunc;
}

/** A tensor's place in the wasm heap: the heap as one array (for copyWithin between tensors) and its first index. */
export function inHeap(backend: BackendWasm, t: Info): { heap: Float32Array; at: number } {
  const view = backend.typedArrayFromHeap(t) as Float32Array;
  return { heap: new Float32Array(view.buffer), at: view.byteOffset / 4 };
}

/** Byte offset of a tensor in the wasm heap. */
export function offsetOf(wasm: BackendWasm, t: Info): number {
  return (wasm.typedArrayFromHeap(t) as Float32Array).byteOffset;
}

export function simd(wasm: BackendWasm): SimdKernels {
  return simdKernels(backendMemory(wasm)!);
}

/** The backend's WebAssembly.Memory: exported by the plain builds, made in JS by the threaded one. */
export function backendMemory(wasm: BackendWasm): WebAssembly.Memory | undefined {
  const module = wasm.wasm as unknown as { asm?: { memory?: WebAssembly.Memory }; wasmMemory?: WebAssembly.Memory };
  return module.asm?.memory ?? module.wasmMemory;
}
