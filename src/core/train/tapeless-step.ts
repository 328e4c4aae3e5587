/**
 * A training step without TF.js's tape for the nets that are a plain stack of Dense, Conv2D, MaxPooling2D,
 * Flatten and Dropout layers (the presets but the embedding and pooled ones): the gradients written out by
 * hand, the same ones the tape computes for the trainer's loss. The tape's and the layers' bookkeeping
 * (recording every kernel, walking the graph back, cloning the tensors it keeps, the layers' call hooks)
 * cost a sixth of the step: in Node on wasm, the Trainer's MLP step took 2.33-2.44 ms through the tape
 * and 1.99-2.04 ms with this one, and the Small CNN's 17.0-17.3 ms against 14.6-15.3 (a prototype).
 * Any other layer, activation or setting takes the tape (tapelessStepOf returns null);
 * tests/unit/train/tapeless-step.test.ts checks the gradients against the tape's.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { TF } from '../model/model-spec';
import type { LossAndGradients } from './batch-loop';
import { LOG_EPS, lossesFor } from './losses';

/** The wasm kernel for ReLU's gradient (wasm-step-kernels.ts); other backends have none. */
export const RELU_GRAD_KERNEL = 'PipetteReluGrad';

/** dy where x > 0, else 0: one kernel where the backend has it, else TF.js's own formula (three kernels). */
export function reluBackward(tf: TF, dy: tfjs.Tensor, x: tfjs.Tensor): tfjs.Tensor {
  if (tf.getKernel(RELU_GRAD_KERNEL, tf.getBackend())) return tf.engine().runKernel(RELU_GRAD_KERNEL, { dy, x }) as tfjs.Tensor;
  return tf.mul(dy, tf.cast(tf.step(x), 'float32'));
}

/**
 * The wasm kernel for a whole step of a plain dense stack (wasm-dense-step.ts); on other backends, or for
 * nets with anything but dense layers and dropout, the step below runs kernel by kernel.
 */
export const DENSE_STEP_KERNEL = 'PipetteDenseStep';

/** The dense step kernel's attributes, one entry per dense layer in the first three. */
export interface DenseStepAttrs {
  /** 1 where the layer's activation is ReLU. */
  relu: number[];
  /** 1 where the layer has a bias. */
  bias: number[];
  /** The rate of the dropout on the layer's input, 0 for none. */
  dropout: number[];
  /** For an unseeded dropout, the seed of the kernel's own draw of its mask. */
  seeds: number[];
  classification: boolean;
  /** The batch's real rows, which the loss divides by. */
  real: number;
}

type Pad = 'valid' | 'same';
type Pair = [number, number];

type Stage =
  | { kind: 'dense'; kernel: tfjs.Variable; bias: tfjs.Variable | null; relu: boolean }
  | { kind: 'conv'; kernel: tfjs.Variable; bias: tfjs.Variable | null; relu: boolean; strides: Pair; pad: Pad }
  | { kind: 'pool'; size: Pair; strides: Pair; pad: Pad }
  | { kind: 'flatten' }
  | { kind: 'dropout'; rate: number; seed: number | undefined };

/** The batch loss as the trainer's loss function gives it, every trainable variable's gradient, and the correct count. */
export interface TapelessStepResult extends LossAndGradients {
  /** The batch's correct count under `mask` (classification), else null. */
  correct: tfjs.Scalar | null;
}

export interface TapelessStep {
  /**
   * Forward and backward for one batch, all on the device (call it inside tf.tidy). `weights` weigh each
   * row's loss (the padding mask times the class weight), `mask` is the padding mask alone, and the loss
   * is sum(weights x per-row loss) / real.
   */
  run(xb: tfjs.Tensor, yb: tfjs.Tensor, weights: tfjs.Tensor1D, mask: tfjs.Tensor1D, real: number): TapelessStepResult;
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
  strides?: number | number[];
  padding?: string;
  dataFormat?: string;
  dilationRate?: number | number[];
  poolSize?: number | number[];
}

const pair = (v: number | number[] | undefined, fallback: number): Pair => (Array.isArray(v) ? [v[0] ?? fallback, v[1] ?? v[0] ?? fallback] : [v ?? fallback, v ?? fallback]);

/** A Dense or Conv2D layer's weights and activation, or null when the step cannot train it. */
function weightsOf(layer: tfjs.layers.Layer, c: LayerConfig, head: string | null): { kernel: tfjs.Variable; bias: tfjs.Variable | null; relu: boolean } | null {
  if (!layer.trainable || c.kernelRegularizer || c.biasRegularizer || c.activityRegularizer || c.kernelConstraint || c.biasConstraint) return null;
  const activation = c.activation ?? 'linear';
  if (head ? activation !== head : activation !== 'relu' && activation !== 'linear') return null;
  const [kernel, bias] = layer.trainableWeights.map((w) => w.read() as tfjs.Variable);
  if (!kernel || (c.useBias !== false) !== (bias !== undefined)) return null;
  return { kernel, bias: bias ?? null, relu: activation === 'relu' };
}

/** The rank of a layer's input, or null when it has several (a layer shared between inputs). */
function inputRank(layer: tfjs.layers.Layer): number | null {
  try {
    return (layer.input as tfjs.SymbolicTensor).shape.length;
  } catch {
    return null;
  }
}

/** The stages of a model this step can train, or null when it has anything else. */
function stagesOf(model: tfjs.LayersModel, classification: boolean): Stage[] | null {
  const layers = model.layers;
  const last = layers[layers.length - 1];
  if (!last || last.getClassName() !== 'Dense') return null;
  const stages: Stage[] = [];
  for (const [i, layer] of layers.entries()) {
    const c = layer.getConfig() as LayerConfig;
    const rank = inputRank(layer);
    if (rank === null) return null;
    const channelsLast = (c.dataFormat ?? 'channelsLast') === 'channelsLast';
    const pad = c.padding === 'same' || c.padding === 'valid' ? c.padding : null;
    switch (layer.getClassName()) {
      case 'Flatten':
        stages.push({ kind: 'flatten' });
        break;
      case 'Dropout':
        if (c.noiseShape != null || !(typeof c.rate === 'number')) return null;
        if (c.rate > 0 && c.rate < 1) stages.push({ kind: 'dropout', rate: c.rate, seed: c.seed ?? undefined });
        break;
      case 'Dense': {
        // Dense on rows only (on a higher rank it works along the last axis)
        const w = rank === 2 ? weightsOf(layer, c, i === layers.length - 1 ? (classification ? 'softmax' : 'linear') : null) : null;
        if (!w) return null;
        stages.push({ kind: 'dense', ...w });
        break;
      }
      case 'Conv2D': {
        const w = weightsOf(layer, c, null);
        if (!w || rank !== 4 || !channelsLast || !pad || pair(c.dilationRate, 1).some((d) => d !== 1)) return null;
        stages.push({ kind: 'conv', ...w, strides: pair(c.strides, 1), pad });
        break;
      }
      case 'MaxPooling2D': {
        if (rank !== 4 || !channelsLast || !pad) return null;
        const size = pair(c.poolSize, 2);
        stages.push({ kind: 'pool', size, strides: c.strides == null ? size : pair(c.strides, 1), pad });
        break;
      }
      default:
        return null;
    }
  }
  return stages;
}

/** A dense layer of a plain dense stack, with the dropout on its input (if any). */
interface DenseLayer {
  kernel: tfjs.Variable;
  bias: tfjs.Variable | null;
  relu: boolean;
  dropout: { rate: number; seed: number | undefined } | null;
}

/** The stages as dense layers, or null when there is a convolution or pool, or two dropouts in a row. */
function denseStackOf(stages: Stage[]): DenseLayer[] | null {
  const layers: DenseLayer[] = [];
  let dropout: DenseLayer['dropout'] = null;
  for (const s of stages) {
    if (s.kind === 'conv' || s.kind === 'pool' || (s.kind === 'dropout' && dropout)) return null;
    if (s.kind === 'dropout') dropout = { rate: s.rate, seed: s.seed };
    if (s.kind === 'dense') {
      layers.push({ kernel: s.kernel, bias: s.bias, relu: s.relu, dropout });
      dropout = null;
    }
  }
  return layers;
}

/** One step of a dense stack by the backend's DENSE_STEP_KERNEL (see wasm-dense-step.ts for its inputs and outputs). */
function denseStep(tf: TF, layers: DenseLayer[], classification: boolean, xb: tfjs.Tensor, yb: tfjs.Tensor, weights: tfjs.Tensor1D, mask: tfjs.Tensor1D, real: number): TapelessStepResult {
  const rows = xb.shape[0]!;
  const inputs: tfjs.NamedTensorMap = { x: xb, y: yb, weights, mask };
  layers.forEach((l, i) => {
    inputs[`kernel${i}`] = l.kernel;
    if (l.bias) inputs[`bias${i}`] = l.bias;
    // a seeded Dropout layer draws the mask the stage-by-stage step draws; the kernel draws the others
    if (l.dropout?.seed !== undefined) inputs[`uniform${i}`] = tf.randomUniform([rows, l.kernel.shape[0]!], 0, 1, 'float32', l.dropout.seed);
  });
  const attrs: DenseStepAttrs = {
    relu: layers.map((l, i) => (l.relu && i < layers.length - 1 ? 1 : 0)),
    bias: layers.map((l) => (l.bias ? 1 : 0)),
    dropout: layers.map((l) => l.dropout?.rate ?? 0),
    seeds: layers.map(() => Math.floor(Math.random() * 4294967296)),
    classification,
    real,
  };
  const [loss, correct, ...out] = tf.engine().runKernel(DENSE_STEP_KERNEL, inputs, attrs as unknown as tfjs.NamedAttrMap) as tfjs.Tensor[];
  const grads = new Map<string, tfjs.Tensor>();
  for (const l of layers) {
    grads.set(l.kernel.name, out.shift()!);
    if (l.bias) grads.set(l.bias.name, out.shift()!);
  }
  return { loss: loss as tfjs.Scalar, correct: classification ? (correct as tfjs.Scalar) : null, grads };
}

/** The hand-written step for `model`, or null when it needs the tape (see the top). */
export function tapelessStepOf(tf: TF, model: tfjs.LayersModel, classification: boolean): TapelessStep | null {
  const stages = stagesOf(model, classification);
  if (!stages) return null;
  const firstTrainable = stages.findIndex((s) => s.kind === 'dense' || s.kind === 'conv');
  const losses = lossesFor(tf, classification);
  const dense = denseStackOf(stages);
  return {
    run(xb, yb, weights, mask, real) {
      if (dense && tf.getKernel(DENSE_STEP_KERNEL, tf.getBackend())) return denseStep(tf, dense, classification, xb, yb, weights, mask, real);
      const rows = xb.shape[0]!;
      // forward, keeping each stage's input and the dropout multipliers
      const inputs: tfjs.Tensor[] = [];
      const multipliers: (tfjs.Tensor | null)[] = [];
      let a: tfjs.Tensor = xb;
      for (const [i, s] of stages.entries()) {
        inputs.push(a);
        multipliers.push(null);
        const act = i < stages.length - 1 && 'relu' in s && s.relu ? 'relu' : 'linear';
        switch (s.kind) {
          case 'dropout': {
            // tf.dropout's own mask, drawn the same way (so a seeded Dropout layer draws the same one)
            const keep = 1 - s.rate;
            const multiplier = tf.div(tf.floor(tf.add(tf.randomUniform(a.shape, 0, 1, 'float32', s.seed), keep)), keep);
            multipliers[i] = multiplier;
            a = tf.mul(a, multiplier);
            break;
          }
          case 'flatten':
            a = tf.reshape(a, [rows, -1]);
            break;
          case 'dense':
            a = tf.fused.matMul({ a: a as tfjs.Tensor2D, b: s.kernel as tfjs.Tensor as tfjs.Tensor2D, bias: s.bias ?? undefined, activation: act });
            break;
          case 'conv':
            a = tf.fused.conv2d({ x: a as tfjs.Tensor4D, filter: s.kernel as tfjs.Tensor as tfjs.Tensor4D, strides: s.strides, pad: s.pad, bias: s.bias ?? undefined, activation: act });
            break;
          case 'pool':
            a = tf.maxPool(a as tfjs.Tensor4D, s.size, s.strides, s.pad);
            break;
        }
      }
      const outputs = [...inputs.slice(1), a];
      // the trainer's loss, and its gradient by the head's pre-activation z, each row weighed by weights / real
      const pred = classification ? tf.softmax(a) : a;
      const loss = tf.div(tf.sum(tf.mul(weights, losses.perExample(yb, pred))), real) as tfjs.Scalar;
      const correct = classification ? losses.correct(yb, pred, mask) : null;
      const rowScale = tf.reshape(tf.div(weights, real), [rows, 1]);
      let dz: tfjs.Tensor;
      if (classification) {
        // d loss / d p = -w y / p where the clip passes p (its gradient is 0 outside); through the softmax,
        // dz = u - sum(u) p with u = dp * p = -w y (inside the clip)
        const inside = tf.cast(tf.equal(tf.clipByValue(pred, LOG_EPS, 1 - LOG_EPS), pred), 'float32');
        const u = tf.neg(tf.mul(rowScale, tf.mul(yb, inside)));
        dz = tf.sub(u, tf.mul(tf.sum(u, -1, true), pred));
      } else {
        const columns = a.shape[1]!;
        dz = tf.mul(tf.sub(a, yb), tf.mul(rowScale, 2 / columns));
      }
      // backward: d is the gradient by stage i's output (by its pre-activation at the head)
      const grads = new Map<string, tfjs.Tensor>();
      let d = dz;
      // a stage whose ReLU gradient was taken on the pool after it
      let reluDone = -1;
      for (let i = stages.length - 1; i >= firstTrainable; i--) {
        const s = stages[i]!;
        const x = inputs[i]!;
        switch (s.kind) {
          case 'dropout':
            d = tf.mul(d, multipliers[i]!);
            break;
          case 'flatten':
            d = tf.reshape(d, x.shape);
            break;
          case 'pool': {
            // After a ReLU stage, its gradient goes on the pool's output, a quarter of its input's size for a
            // pool of 2: the pool passes each gradient to its window's largest input, which ReLU passes on
            // exactly where it is above 0, that is where the pool's output is.
            const before = stages[i - 1];
            if (before && (before.kind === 'conv' || before.kind === 'dense') && before.relu) {
              d = reluBackward(tf, d, outputs[i]!);
              reluDone = i - 1;
            }
            d = tf.engine().runKernel('MaxPoolGrad', { dy: d, input: x, output: outputs[i]! }, { filterSize: s.size, strides: s.strides, pad: s.pad } as unknown as tfjs.NamedAttrMap) as tfjs.Tensor;
            break;
          }
          case 'dense':
          case 'conv': {
            if (i < stages.length - 1 && s.relu && reluDone !== i) d = reluBackward(tf, d, outputs[i]!);
            const conv = s.kind === 'conv' ? { strides: s.strides, pad: s.pad, dataFormat: 'NHWC' } : null;
            grads.set(
              s.kernel.name,
              conv ? (tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: d }, { ...conv, filterShape: s.kernel.shape } as unknown as tfjs.NamedAttrMap) as tfjs.Tensor) : tf.matMul(x, d, true, false),
            );
            if (s.bias) grads.set(s.bias.name, tf.sum(d, conv ? [0, 1, 2] : 0));
            if (i > firstTrainable) {
              d = conv
                ? (tf.engine().runKernel('Conv2DBackpropInput', { dy: d, filter: s.kernel }, { ...conv, inputShape: x.shape } as unknown as tfjs.NamedAttrMap) as tfjs.Tensor)
                : tf.matMul(d, s.kernel, false, true);
            }
            break;
          }
        }
      }
      return { loss, correct, grads };
    },
  };
}
