/**
 * A run's state as plain typed arrays (weights, optimizer state, early stopping, history), so it can be
 * stored in IndexedDB or transferred, and put back into a model and a fresh optimizer.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { trainErrorWhy } from '../model/errors';
import type { TF } from '../model/model-spec';
import { makeOptimizer, type OptimizerName } from './optimizers';
import type { EpochLog } from './trainer';

/** A tensor's values as plain data (the values are always a copy, safe to transfer). */
export interface NamedArray {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  values: Float32Array | Int32Array;
}

/** Everything needed to continue a run: plain data, so it can be stored in IndexedDB or transferred. */
export interface Checkpoint {
  version: 1;
  /** Completed epochs; training resumes with epoch index `epoch`. */
  epoch: number;
  /** model.weights in order (trainable and not, e.g. BatchNormalization's moving statistics), named by layer. */
  weights: NamedArray[];
  optimizer: {
    name: OptimizerName;
    learningRate: number;
    weights: NamedArray[];
    /** Adam's running beta1^t and beta2^t (see adamPowers); absent for other optimizers and older checkpoints. */
    adamPowers?: [number, number];
  };
  /** The best monitored loss so far and its epoch (early stopping). */
  bestLoss: number | null;
  bestEpoch: number | null;
  /** The best epoch's weights when they differ from `weights`, for restoring them at the end. */
  bestWeights: NamedArray[] | null;
  history: EpochLog[];
}

/** The ArrayBuffers of a checkpoint, for postMessage / Comlink.transfer. */
export function checkpointTransferables(c: Checkpoint): ArrayBuffer[] {
  const all = [...c.weights, ...c.optimizer.weights, ...(c.bestWeights ?? [])];
  return [...new Set(all.map((w) => w.values.buffer as ArrayBuffer))];
}

export async function readNamed(t: tfjs.Tensor, name: string): Promise<NamedArray> {
  const dtype = t.dtype === 'int32' ? 'int32' : 'float32';
  const raw = await t.data();
  // data() may hand back the backend's own storage (cpu): copy before anyone transfers or edits it
  const values = dtype === 'int32' ? Int32Array.from(raw as Int32Array) : Float32Array.from(raw as Float32Array);
  return { name, shape: t.shape.slice(), dtype, values };
}

/**
 * TF.js's Adam keeps beta1^t and beta2^t as running products (one multiply a step), but its setWeights
 * recomputes them with pow(beta, t), which differs in the last float32 bits after a few dozen steps. The
 * checkpoint keeps the products themselves, so a resumed run takes exactly the steps it would have taken.
 */
interface AdamPowerVariables {
  accBeta1?: tfjs.Variable;
  accBeta2?: tfjs.Variable;
}

export async function readAdamPowers(optimizer: tfjs.Optimizer): Promise<[number, number] | undefined> {
  const { accBeta1, accBeta2 } = optimizer as unknown as AdamPowerVariables;
  if (!accBeta1 || !accBeta2) return undefined;
  return [(await accBeta1.data())[0]!, (await accBeta2.data())[0]!];
}

function writeAdamPowers(tf: TF, optimizer: tfjs.Optimizer, powers: [number, number] | undefined): void {
  const { accBeta1, accBeta2 } = optimizer as unknown as AdamPowerVariables;
  if (!powers || !accBeta1 || !accBeta2) return;
  tf.tidy(() => {
    accBeta1.assign(tf.scalar(powers[0]));
    accBeta2.assign(tf.scalar(powers[1]));
  });
}

export function namedToTensor(tf: TF, w: NamedArray): tfjs.Tensor {
  return tf.tensor(w.values, w.shape, w.dtype);
}

/** Throws TrainError('bad-checkpoint') naming the first checkpoint weight that does not fit the model's. */
export function checkWeightsFit(list: readonly NamedArray[], modelWeights: tfjs.LayersModel['weights']): void {
  if (list.length !== modelWeights.length) {
    throw trainErrorWhy('bad-checkpoint', 'weight-count', { params: { checkpoint: list.length, model: modelWeights.length } }, `The checkpoint has ${list.length} weights, the model ${modelWeights.length}`);
  }
  list.forEach((w, i) => {
    const mw = modelWeights[i]!;
    const size = w.shape.reduce((a, b) => a * b, 1);
    if (w.name !== mw.originalName || w.shape.join() !== mw.shape.join() || w.values.length !== size) {
      throw trainErrorWhy(
        'bad-checkpoint',
        'weight-mismatch',
        { weight: w.name, params: { index: i + 1, shape: `[${w.shape.join(', ')}]`, modelWeight: mw.originalName, modelShape: `[${mw.shape.join(', ')}]` } },
        `Checkpoint weight ${i + 1} "${w.name}" [${w.shape.join(', ')}] does not fit the model's "${mw.originalName}" [${mw.shape.join(', ')}]`,
      );
    }
  });
}

/** A fresh optimizer carrying the checkpoint's state. Throws TrainError('bad-checkpoint') when it does not fit. */
export async function optimizerFromCheckpoint(tf: TF, c: Checkpoint, name: OptimizerName, learningRate: number): Promise<tfjs.Optimizer> {
  const optimizer = makeOptimizer(tf, name, learningRate);
  if (c.optimizer.weights.length > 1) {
    const state = c.optimizer.weights.map((w) => ({ name: w.name, tensor: namedToTensor(tf, w) }));
    try {
      await optimizer.setWeights(state);
      writeAdamPowers(tf, optimizer, c.optimizer.adamPowers);
    } catch (e) {
      optimizer.dispose();
      const detail = e instanceof Error ? e.message : String(e);
      throw trainErrorWhy('bad-checkpoint', 'optimizer-state', { params: { detail } }, `The optimizer state does not fit: ${detail}`);
    } finally {
      // setWeights keeps its own references; ours can go
      state.forEach((s) => s.tensor.dispose());
    }
  } else if (c.optimizer.weights.length === 1) {
    // only the iteration count (plain SGD, or no step taken yet)
    const iter = namedToTensor(tf, c.optimizer.weights[0]!);
    try {
      await optimizer.setWeights([{ name: c.optimizer.weights[0]!.name, tensor: iter }]);
    } finally {
      iter.dispose();
    }
  }
  return optimizer;
}
