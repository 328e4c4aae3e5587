/**
 * Adam with one kernel per variable where the backend has one ('PipetteAdam', registered for wasm by
 * wasm-kernels.ts): TF.js's AdamOptimizer runs about 15 element-wise kernels per variable and step
 * (about half of the MLP preset's 197 kernel calls a step on wasm), each with the engine's bookkeeping.
 * The kernel (simd/kernels.wat) computes the same float32 operations in the same order, so the weights
 * are bit-identical to TF.js's; backends without it take TF.js's own path. The state (moments, beta powers,
 * iterations) is AdamOptimizer's, so checkpoints and getWeights/setWeights are unchanged.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { TF } from '../model/model-spec';

export const ADAM_KERNEL = 'PipetteAdam';

export interface AdamAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** AdamOptimizer's private state, read by the subclass. */
interface AdamState {
  accBeta1: tfjs.Variable;
  accBeta2: tfjs.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tfjs.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tfjs.Variable }[];
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  incrementIterations(): void;
}

/** tf.train.adam(learningRate) (beta1 0.9, beta2 0.999, the backend's epsilon) with the fused step where the backend has it. */
export function fusedAdam(tf: TF, learningRate: number): tfjs.AdamOptimizer {
  class FusedAdam extends tf.AdamOptimizer {
    override applyGradients(variableGradients: Parameters<tfjs.AdamOptimizer['applyGradients']>[0]): void {
      if (!tf.getKernel(ADAM_KERNEL, tf.getBackend())) return super.applyGradients(variableGradients);
      const s = this as unknown as AdamState;
      const list: { name: string; tensor: tfjs.Tensor | undefined }[] = Array.isArray(variableGradients) ? variableGradients : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
      const attrs: AdamAttrs = { learningRate: s.learningRate, beta1: s.beta1, beta2: s.beta2, epsilon: s.epsilon };
      tf.tidy(() => {
        list.forEach(({ name, tensor: gradient }, i) => {
          const value = tf.engine().registeredVariables[name]!;
          // the moments are made as AdamOptimizer makes them (same names, so checkpoints match)
          s.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
          s.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
          if (gradient == null) return;
          const m = s.accumulatedFirstMoment[i]!.variable;
          const v = s.accumulatedSecondMoment[i]!.variable;
          const [w2, m2, v2] = tf.engine().runKernel(ADAM_KERNEL, { value, m, v, gradient, accBeta1: s.accBeta1, accBeta2: s.accBeta2 }, attrs as unknown as tfjs.NamedAttrMap) as tfjs.Tensor[];
          m.assign(m2!);
          v.assign(v2!);
          value.assign(w2!);
        });
        s.accBeta1.assign(tf.mul(s.accBeta1, s.beta1));
        s.accBeta2.assign(tf.mul(s.accBeta2, s.beta2));
      });
      s.incrementIterations();
    }
  }
  return new FusedAdam(learningRate, 0.9, 0.999);
}
