/** Encoded rows in and out of the device: class weights, the tensors fit() takes, and batched prediction. */
import type * as tfjs from '@tensorflow/tfjs';
import { TrainError } from '../model/errors';
import type { TF } from '../model/model-spec';
import type { Encoded, LabelStats } from '../model/preprocess';
import { batchIndices, identityOrder } from './batch-loop';

/** y is one-hot float32 [n, classes] for classification, float32 [n, 1] for regression. */
export interface TrainTensors {
  x: tfjs.Tensor;
  y: tfjs.Tensor;
}

/** Keras's "balanced" class weights: n / (classes x count of the class). */
export function balancedClassWeights(labels: ArrayLike<number>, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++;
  return counts.map((c) => (c ? labels.length / (classes * c) : 1));
}

/**
 * The same for soft labels (rows x classes probabilities): a row counts toward each class by its
 * probability, so one-hot targets give exactly balancedClassWeights.
 */
export function balancedSoftClassWeights(probs: ArrayLike<number>, classes: number): number[] {
  const rows = probs.length / classes;
  const mass = new Array<number>(classes).fill(0);
  for (let i = 0; i < rows; i++) for (let c = 0; c < classes; c++) mass[c]! += probs[i * classes + c]!;
  return mass.map((m) => (m > 0 ? rows / (classes * m) : 1));
}

/**
 * Encoded rows as the tensors fit() takes: classification labels one-hot, or `soft` targets (rows x
 * classes probabilities, e.g. a label model's) as they are; the loss is the same cross-entropy.
 */
export function toTensors(tf: TF, data: Encoded, label: LabelStats, soft?: Float32Array | null): TrainTensors {
  if (!data.y && !soft) throw new TrainError('missing-label', { column: label.column }, 'The encoded rows have no labels');
  if (soft && (label.task !== 'classification' || soft.length !== data.rows * label.classes.length))
    throw new RangeError(`soft targets need ${data.rows} x classes probabilities, got ${soft.length} values`);
  const x = tf.tensor(data.x, [data.rows, ...data.featureShape], 'float32');
  const y = soft
    ? tf.tensor2d(soft, [data.rows, soft.length / data.rows], 'float32')
    : label.task === 'classification'
      ? tf.tidy(() => tf.oneHot(tf.tensor1d(data.y as Int32Array, 'int32'), label.classes.length).toFloat())
      : tf.tensor2d(data.y as Float32Array, [data.rows, 1], 'float32');
  return { x, y };
}

/** Model outputs (n x outputs, row-major) for encoded rows, the input tensor disposed after. */
export async function predictEncodedRows(tf: TF, model: tfjs.LayersModel, enc: Pick<Encoded, 'x' | 'rows' | 'featureShape'>, batchSize: number): Promise<Float32Array> {
  const x = tf.tensor(enc.x, [enc.rows, ...enc.featureShape], 'float32');
  try {
    return await predict(tf, model, x, batchSize);
  } finally {
    x.dispose();
  }
}

/**
 * Model outputs for every row of x, in fixed-size padded batches (the same shapes as training), read
 * back once at the end. Returns n x outputs values, row-major.
 */
export async function predict(tf: TF, model: tfjs.LayersModel, x: tfjs.Tensor, batchSize: number): Promise<Float32Array> {
  const n = x.shape[0]!;
  if (n === 0) return new Float32Array(0);
  const size = Math.min(batchSize, n);
  const order = identityOrder(n);
  const parts: tfjs.Tensor[] = [];
  try {
    for (let b = 0; b * size < n; b++) {
      const { idx, real } = batchIndices(order, b, size);
      parts.push(
        tf.tidy(() => {
          const out = model.apply(tf.gather(x, tf.tensor1d(idx, 'int32')), { training: false }) as tfjs.Tensor;
          return real < size ? tf.slice(out, 0, real) : out;
        }),
      );
    }
    const all = parts.length === 1 ? parts[0]! : tf.concat(parts);
    try {
      return Float32Array.from((await all.data()) as Float32Array);
    } finally {
      if (parts.length > 1) all.dispose();
    }
  } finally {
    for (const p of parts) p.dispose();
  }
}
