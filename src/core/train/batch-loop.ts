/**
 * One epoch of optimizer steps, as the Trainer and distillation (core/optimize/distill.ts) both take
 * them (see trainer.ts's top for why): a seeded shuffle per epoch, fixed-size batches whose last one is
 * padded with rows of weight 0, the loss summed on the device, a pause gate and an AbortSignal checked
 * between batches, and a yield to the event loop every few milliseconds.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { mixSeed } from '../math/random';
import type { TF } from '../model/model-spec';
import { permutation } from '../model/split';
import type { PauseGate } from './pause-gate';

/**
 * Loss masks for fixed-size batches: 1 for the real rows, 0 for the padding of the last batch. One tensor
 * per real-row count, made once and kept until dispose().
 */
export class BatchMasks {
  readonly #masks = new Map<number, tfjs.Tensor1D>();
  constructor(
    private readonly tf: TF,
    /** The batch's rows. */
    readonly size: number,
  ) {}

  get(real: number): tfjs.Tensor1D {
    let m = this.#masks.get(real);
    if (!m) {
      const values = new Float32Array(this.size);
      values.fill(1, 0, real);
      // kept: the first call for a count may come inside a tidy (a split step's, data-parallel.ts)
      this.#masks.set(real, (m = this.tf.keep(this.tf.tensor1d(values))));
    }
    return m;
  }

  dispose(): void {
    for (const m of this.#masks.values()) m.dispose();
    this.#masks.clear();
  }
}

/** Fixed-size index batches over a permutation; the last one wraps around to the start (see trainer.ts). */
export function batchIndices(order: Uint32Array, batch: number, size: number): { idx: Int32Array; real: number } {
  const n = order.length;
  const start = batch * size;
  const idx = new Int32Array(size);
  for (let j = 0; j < size; j++) idx[j] = order[(start + j) % n]!;
  return { idx, real: Math.min(size, n - start) };
}

/** 0, 1, ..., n - 1: the unshuffled order that evaluation and prediction batch over. */
export function identityOrder(n: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}

let selfChannel: MessageChannel | null = null;
const waiting: (() => void)[] = [];

/**
 * Resolves in a new task, after the messages queued meanwhile (pause, cancel) have been handled. Not
 * setTimeout(0): a loop that awaits it again and again nests its timers, and the browser then clamps each
 * to 4 ms (3.9 ms a yield measured in a Chromium worker, every 25 ms of training: 13 % of the time idle),
 * while a message to itself takes 0.02 ms. Node has setImmediate (a MessagePort there would keep the
 * process alive).
 */
export function nextTask(): Promise<void> {
  if (typeof process === 'object' && typeof process.versions?.node === 'string') return new Promise((resolve) => setImmediate(resolve));
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  if (!selfChannel) {
    selfChannel = new MessageChannel();
    selfChannel.port1.onmessage = () => waiting.shift()?.();
  }
  return new Promise((resolve) => {
    waiting.push(resolve);
    selfChannel!.port2.postMessage(null);
  });
}

/** Yields to the event loop at least every `everyMs`, so that pause and cancel messages get through. */
export class YieldClock {
  #last = performance.now();
  constructor(private readonly everyMs: number) {}

  /** Start over (after the loop was parked, which let the messages through anyway). */
  restart(): void {
    this.#last = performance.now();
  }

  async tick(): Promise<void> {
    if (performance.now() - this.#last >= this.everyMs) {
      await nextTask();
      this.#last = performance.now();
    }
  }
}

export interface EpochSteps {
  tf: TF;
  optimizer: tfjs.Optimizer;
  vars: tfjs.Variable[];
  /** Rows, and the seed and epoch that shuffle them: permutation(rows, mixSeed(seed, epoch)). */
  rows: number;
  seed: number;
  epoch: number;
  /** The batch size (at most `rows`); masks are made for it. */
  size: number;
  masks: BatchMasks;
  clock: YieldClock;
  signal?: AbortSignal;
  gate?: PauseGate;
  /**
   * The batch's loss, inside optimizer.minimize: the mean over its `real` rows, the padding weighed by
   * `mask`'s zeros. `idx` are the batch's rows (to tf.gather).
   */
  loss: (idx: tfjs.Tensor1D, mask: tfjs.Tensor1D, real: number) => tfjs.Scalar;
  /**
   * Instead of `loss` through the tape: the batch's loss and every variable's gradient by its name,
   * computed by the caller (tapeless-step.ts), inside a tidy; the step applies them. `rows` are idx's values.
   */
  gradients?: (idx: tfjs.Tensor1D, mask: tfjs.Tensor1D, real: number, rows: Int32Array) => LossAndGradients;
  /** After each optimizer step; a returned promise is awaited before the next batch. */
  afterStep?: (batch: number, batches: number) => void | Promise<void>;
  /** After afterStep, for progress (no values are read back for it); `ms` is the batch's wall time, parked time left out. */
  onBatch?: (batch: number, batches: number, ms: number) => void;
}

/**
 * Train one epoch. Returns the loss summed over the real rows (each batch's mean x its real rows), on the
 * device, for the caller to read and dispose; `cancelled` when the signal stopped it between batches.
 */
export async function runEpoch(o: EpochSteps): Promise<{ lossSum: tfjs.Tensor; cancelled: boolean }> {
  const { tf, size } = o;
  const order = permutation(o.rows, mixSeed(o.seed, o.epoch));
  const batches = Math.ceil(o.rows / size);
  let lossSum: tfjs.Tensor = tf.scalar(0);
  try {
    for (let b = 0; b < batches; b++) {
      if (o.gate?.paused) {
        await o.gate.wait(o.signal);
        o.clock.restart();
      }
      if (o.signal?.aborted) return { lossSum, cancelled: true };
      const started = performance.now();
      const { idx, real } = batchIndices(order, b, size);
      const mask = o.masks.get(real);
      const idxT = tf.tensor1d(idx, 'int32');
      const { gradients } = o;
      const cost = gradients
        ? applyGradientStep(tf, o.optimizer, o.vars, () => gradients(idxT, mask, real, idx))
        : o.optimizer.minimize(() => o.loss(idxT, mask, real), true, o.vars)!;
      idxT.dispose();
      const next = tf.tidy(() => tf.add(lossSum, tf.mul(cost, real)));
      lossSum.dispose();
      cost.dispose();
      lossSum = next;
      if (o.afterStep) {
        const pending = o.afterStep(b, batches);
        if (pending) await pending;
      }
      o.onBatch?.(b, batches, performance.now() - started);
      await o.clock.tick();
    }
  } catch (e) {
    lossSum.dispose();
    throw e;
  }
  return { lossSum, cancelled: false };
}

/** What a step without the tape computes (tapeless-step.ts): the loss, and each variable's gradient by its name. */
export interface LossAndGradients {
  loss: tfjs.Scalar;
  grads: Map<string, tfjs.Tensor>;
}

/**
 * One optimizer step with gradients computed by `compute` (inside a tidy), given to the optimizer in
 * `vars`'s order as minimize gives them. Returns the loss, for the caller to dispose.
 */
export function applyGradientStep(tf: TF, optimizer: tfjs.Optimizer, vars: readonly tfjs.Variable[], compute: () => LossAndGradients): tfjs.Scalar {
  let names: string[] = [];
  const [loss, ...grads] = tf.tidy(() => {
    const step = compute();
    names = [...step.grads.keys()];
    return [step.loss, ...step.grads.values()];
  });
  try {
    const byName = new Map(names.map((name, i) => [name, grads[i]!]));
    const list = vars.map((v) => {
      const tensor = byName.get(v.name);
      if (!tensor) throw new Error(`no gradient for the variable ${v.name}`);
      return { name: v.name, tensor };
    });
    optimizer.applyGradients(list);
  } catch (e) {
    loss!.dispose();
    throw e;
  } finally {
    tf.dispose(grads);
  }
  return loss as tfjs.Scalar;
}

/** The epoch's single readback: scalars summed on the device (a missing one reads as 0). */
export async function readSums(tf: TF, sums: readonly (tfjs.Tensor | null | undefined)[]): Promise<Float32Array> {
  const packed = tf.tidy(() => tf.stack(sums.map((s) => s ?? tf.scalar(0))));
  try {
    return (await packed.data()) as Float32Array;
  } finally {
    packed.dispose();
  }
}
