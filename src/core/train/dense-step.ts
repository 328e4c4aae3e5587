/**
 * A training step without TF.js's tape for the nets that are a stack of Dense layers (with Flatten and
 * Dropout between them): the gradients written out by hand, the same ones the tape computes for the
 * trainer's loss. On wasm, the MNIST "MLP on pixels" preset spent about a sixth of its step in the tape's
 * and the layers' bookkeeping (recording every kernel, walking the graph back, cloning saved tensors, the
 * layers' call hooks): the Trainer's step in Node took 2.33-2.44 ms through the tape and 1.99-2.04 ms
 * with this one, most of it now the matrix products. Any other layer, activation or setting takes the
 * tape (denseStepOf returns null); tests/unit/train/dense-step.test.ts checks the gradients against the
 * tape's.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { TF } from '../model/model-spec';
import type { LossAndGradients } from './batch-loop';

/** The wasm kernel for ReLU's gradient (wasm-step-kernels.ts); other backends have none. */
export const RELU_GRAD_KERNEL = 'PipetteReluGrad';

/** dy where x > 0, else 0: one kernel where the backend has it, else TF.js's own formula (three kernels). */
export function reluBackward(tf: TF, dy: tfjs.Tensor, x: tfjs.Tensor): tfjs.Tensor {
  if (tf.getKernel(RELU_GRAD_KERNEL, tf.getBackend())) return tf.engine().runKernel(RELU_GRAD_KERNEL, { dy, x }) as tfjs.Tensor;
  return tf.mul(dy, tf.cast(tf.step(x), 'float32'));
}

/** The trainer's clip of predicted probabilities before the log (Keras's epsilon). */
export const LOG_EPS = 1e-7;

type Stage =
  | { kind: 'dense'; kernel: tfjs.Variable; bias: tfjs.Variable | null; relu: boolean }
  | { kind: 'dropout'; rate: number; seed: number | undefined };

/** The batch loss as the trainer's loss function gives it, every trainable variable's gradient, and the correct count. */
export interface DenseStepResult extends LossAndGradients {
  /** The batch's correct count under `mask` (classification), else null. */
  correct: tfjs.Scalar | null;
}

export interface DenseStep {
  /**
   * Forward and backward for one batch, all on the device (call it inside tf.tidy). `weights` weigh each
   * row's loss (the padding mask times the class weight), `mask` is the padding mask alone, and the loss
   * is sum(weights x per-row loss) / real.
   */
  run(xb: tfjs.Tensor, yb: tfjs.Tensor, weights: tfjs.Tensor1D, mask: tfjs.Tensor1D, real: number): DenseStepResult;
}

interface LayerConfig {
  activation?: string;
  useBias?: boolean;
  kernelRegularizer?: unknown;
  biasRegularizer?: unknown;
  activityRegularizer?: unknown;
  kernelConstraint?: unknown;
  biasConstraint?: unknown;
  rate?: number;
  noiseShape?: unknown;
  seed?: number;
}

/** The stages of a model this step can train, or null when it has anything else. */
function stagesOf(model: tfjs.LayersModel, classification: boolean): Stage[] | null {
  const layers = model.layers;
  const inputRank = model.inputs[0]?.shape.length ?? 0;
  const stages: Stage[] = [];
  for (const [i, layer] of layers.entries()) {
    const c = layer.getConfig() as LayerConfig;
    switch (layer.getClassName()) {
      case 'Flatten':
        // only where it makes the rows (a Flatten of rows is nothing to do)
        if (i !== 0 && inputRank > 2) return null;
        break;
      case 'Dropout':
        if (c.noiseShape != null || !(typeof c.rate === 'number')) return null;
        if (c.rate > 0 && c.rate < 1) stages.push({ kind: 'dropout', rate: c.rate, seed: c.seed ?? undefined });
        break;
      case 'Dense': {
        if (!layer.trainable || c.kernelRegularizer || c.biasRegularizer || c.activityRegularizer || c.kernelConstraint || c.biasConstraint) return null;
        const last = i === layers.length - 1;
        const activation = c.activation ?? 'linear';
        const head = classification ? 'softmax' : 'linear';
        if (last ? activation !== head : activation !== 'relu' && activation !== 'linear') return null;
        const [kernel, bias] = layer.trainableWeights.map((w) => w.read() as tfjs.Variable);
        if (!kernel || (c.useBias !== false) !== (bias !== undefined)) return null;
        stages.push({ kind: 'dense', kernel, bias: bias ?? null, relu: activation === 'relu' });
        break;
      }
      default:
        return null;
    }
  }
  const last = layers[layers.length - 1];
  if (!last || last.getClassName() !== 'Dense' || (inputRank > 2 && layers[0]?.getClassName() !== 'Flatten')) return null;
  return stages;
}

/** The hand-written step for `model`, or null when it needs the tape (see the top). */
export function denseStepOf(tf: TF, model: tfjs.LayersModel, classification: boolean): DenseStep | null {
  const stages = stagesOf(model, classification);
  if (!stages) return null;
  const firstDense = stages.findIndex((s) => s.kind === 'dense');
  return {
    run(xb, yb, weights, mask, real) {
      const rows = xb.shape[0]!;
      // forward, keeping each stage's input and the dropout multipliers
      const inputs: tfjs.Tensor[] = [];
      const multipliers: (tfjs.Tensor | null)[] = [];
      let a: tfjs.Tensor = xb.rank > 2 ? tf.reshape(xb, [rows, -1]) : xb;
      for (const [i, s] of stages.entries()) {
        inputs.push(a);
        if (s.kind === 'dropout') {
          // tf.dropout's own mask, drawn the same way (so a seeded Dropout layer draws the same one)
          const keep = 1 - s.rate;
          const multiplier = tf.div(tf.floor(tf.add(tf.randomUniform(a.shape, 0, 1, 'float32', s.seed), keep)), keep);
          multipliers.push(multiplier);
          a = tf.mul(a, multiplier);
        } else {
          multipliers.push(null);
          const head = i === stages.length - 1;
          a = tf.fused.matMul({ a: a as tfjs.Tensor2D, b: s.kernel as tfjs.Tensor as tfjs.Tensor2D, bias: s.bias ?? undefined, activation: !head && s.relu ? 'relu' : 'linear' });
        }
      }
      const outputs = [...inputs.slice(1), a];
      // the loss and its gradient by the head's pre-activation z, each row weighed by weights / real
      const rowScale = tf.reshape(tf.div(weights, real), [rows, 1]);
      let dz: tfjs.Tensor;
      let loss: tfjs.Scalar;
      let correct: tfjs.Scalar | null = null;
      if (classification) {
        const p = tf.softmax(a);
        const clipped = tf.clipByValue(p, LOG_EPS, 1 - LOG_EPS);
        loss = tf.neg(tf.sum(tf.mul(rowScale, tf.mul(yb, tf.log(clipped))))) as tfjs.Scalar;
        // d loss / d p = -w y / p where the clip passes p (its gradient is 0 outside); through the softmax,
        // dz = u - sum(u) p with u = dp * p = -w y (inside the clip)
        const inside = tf.cast(tf.equal(clipped, p), 'float32');
        const u = tf.neg(tf.mul(rowScale, tf.mul(yb, inside)));
        dz = tf.sub(u, tf.mul(tf.sum(u, -1, true), p));
        correct = tf.sum(tf.mul(mask, tf.cast(tf.equal(tf.argMax(p, -1), tf.argMax(yb, -1)), 'float32'))) as tfjs.Scalar;
      } else {
        const err = tf.sub(a, yb);
        const columns = a.shape[1]!;
        loss = tf.div(tf.sum(tf.mul(rowScale, tf.square(err))), columns) as tfjs.Scalar;
        dz = tf.mul(err, tf.mul(rowScale, 2 / columns));
      }
      // backward: dz is the gradient by stage i's output before its activation
      const grads = new Map<string, tfjs.Tensor>();
      let d = dz;
      for (let i = stages.length - 1; i >= firstDense; i--) {
        const s = stages[i]!;
        if (s.kind === 'dropout') {
          d = tf.mul(d, multipliers[i]!);
          continue;
        }
        const head = i === stages.length - 1;
        if (!head && s.relu) d = reluBackward(tf, d, outputs[i]!);
        grads.set(s.kernel.name, tf.matMul(inputs[i]!, d, true, false));
        if (s.bias) grads.set(s.bias.name, tf.sum(d, 0));
        if (i > firstDense) d = tf.matMul(d, s.kernel, false, true);
      }
      return { loss, correct, grads };
    },
  };
}
