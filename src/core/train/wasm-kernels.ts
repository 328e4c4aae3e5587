/**
 * Training kernels for TF.js 4.22's wasm backend: the convolution gradients it lacks
 * (Conv2DBackpropFilter) or runs as naive native loops (Conv2DBackpropInput, MaxPoolGrad), matrix
 * products (BatchMatMul, _FusedMatMul) that never hand XNNPACK a transposed operand nor weights it would
 * pack for one use (wasm-matmul.ts), and replacements for kernels a training
 * step spends much of its time in (GatherV2, Identity, bias adds and sums, Transpose, ReLU's gradient,
 * Adam), most of them loops of the SIMD module in simd/. Without them a CNN cannot train on wasm, and
 * with the backend's own versions a step of the Small CNN preset is several times slower. Each kernel
 * hands the cases it does not cover to the backend's own.
 */
import * as tf from '@tensorflow/tfjs';
import { DENSE_STEP_KERNEL, RELU_GRAD_KERNEL, reluBackward } from './tapeless-step';
import { ADAM_KERNEL } from './fused-adam';
import { conv2DBackpropFilter, conv2DBackpropInput, maxPoolGrad } from './wasm-conv-kernels';
import { denseStep } from './wasm-dense-step';
import { batchMatMul, fusedMatMul } from './wasm-matmul';
import { natives, type Info, type KernelArgs } from './wasm-kernel-base';
import { adam, add, gatherV2, identity, reluGrad, sum, transpose } from './wasm-step-kernels';

export { backendMemory } from './wasm-kernel-base';
export { asBlockTranspose } from './wasm-step-kernels';

const OURS: Record<string, (args: KernelArgs) => Info | Info[]> = {
  Conv2DBackpropFilter: conv2DBackpropFilter,
  Conv2DBackpropInput: conv2DBackpropInput,
  MaxPoolGrad: maxPoolGrad,
  BatchMatMul: batchMatMul,
  _FusedMatMul: fusedMatMul,
  GatherV2: gatherV2,
  Transpose: transpose,
  Add: add,
  Sum: sum,
  [RELU_GRAD_KERNEL]: reluGrad,
  Identity: identity,
  [ADAM_KERNEL]: adam,
  [DENSE_STEP_KERNEL]: denseStep,
};

/**
 * Register the kernels for 'wasm', replacing the backend's own. Idempotent; call after importing
 * '@tensorflow/tfjs-backend-wasm' (before or after it initializes), in every process that trains on wasm
 * (the training worker, the command line).
 */
export function registerWasmTrainingKernels(): void {
  registerReluGradient();
  for (const [name, kernelFunc] of Object.entries(OURS)) {
    const current = tf.getKernel(name, 'wasm');
    if (current?.kernelFunc === kernelFunc) continue;
    if (current) {
      natives.set(name, current);
      tf.unregisterKernel(name, 'wasm');
    }
    // the native kernel's setup (binding its wasm function) still has to run when the backend starts
    const setupFunc = current?.setupFunc;
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc, ...(setupFunc ? { setupFunc } : {}) });
  }
}

let reluGradientRegistered = false;

/**
 * ReLU's gradient through one kernel where the backend has it (wasm: reluGrad above), else TF.js's own
 * formula (reluBackward): three kernels and two intermediate tensors the size of the activation.
 * Gradients are registered for every backend, hence the fallback.
 */
function registerReluGradient(): void {
  if (reluGradientRegistered) return;
  reluGradientRegistered = true;
  tf.registerGradient({
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved as [tf.Tensor];
      const d = dy as tf.Tensor;
      return {
        x: () => reluBackward(tf, d, x),
      };
    },
  });
}

/** Whether this process's wasm backend can train convolutions (the kernels above are registered). */
export function wasmTrainsConv(): boolean {
  return tf.getKernel('Conv2DBackpropFilter', 'wasm') != null;
}
