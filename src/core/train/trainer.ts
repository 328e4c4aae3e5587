/**
 * The training loop the training worker runs: a custom loop (not model.fit) so that it can
 *  - shuffle each epoch from a seed (mixSeed(seed, epoch)): a run resumed from a checkpoint sees the same
 *    batches as one that never stopped;
 *  - keep every batch the same shape: the last partial batch is PADDED, not dropped. Its missing rows are
 *    filled with rows from the start of the epoch's order (real rows, so BatchNormalization's batch
 *    statistics stay realistic) whose loss weight is 0, so every example counts exactly once per epoch
 *    and the gradients are those of the real rows. (Dropping would lose up to batchSize - 1 rows of a
 *    small dataset every epoch; a smaller last batch would make GPU backends allocate new buffers.)
 *  - never read the GPU back per batch: batch losses and correct counts are summed on the device, and
 *    one data() per epoch reads train and validation loss and accuracy together;
 *  - stop between batches: an AbortSignal cancels, a PauseGate parks the loop on a promise until resumed,
 *    and the loop yields to the event loop every few milliseconds so those messages can arrive;
 *  - checkpoint the weights, the optimizer's state and the early-stopping state as plain typed arrays.
 *
 * The loss is categorical cross-entropy on the softmax head (classification) or mean squared error
 * (regression), each example weighted by its class weight (Keras's class_weight: the batch loss is the
 * mean of weight x loss over the real rows). Validation loss is unweighted. Classification targets may be
 * soft (a probability per class, as a label model gives): the cross-entropy -sum(y log p) and the class
 * weight sum(y w) are then expectations over the target distribution; one-hot targets are the special case.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { mixSeed } from '../math/random';
import { TrainError } from '../model/errors';
import type { TF } from '../model/model-spec';
import type { Encoded, LabelStats } from '../model/preprocess';
import { permutation } from '../model/split';

export type OptimizerName = 'adam' | 'sgd' | 'momentum' | 'rmsprop' | 'adagrad';
export const OPTIMIZERS: readonly OptimizerName[] = ['adam', 'sgd', 'momentum', 'rmsprop', 'adagrad'];

export interface EarlyStopping {
  /** Epochs without improvement of the validation loss (training loss without validation data) before stopping. */
  patience: number;
  /** Smallest decrease that counts as an improvement (default 0). */
  minDelta?: number;
  /** At the end, put back the weights of the best epoch (default true). */
  restoreBestWeights?: boolean;
}

export interface TrainConfig {
  task: 'classification' | 'regression';
  optimizer: OptimizerName;
  learningRate: number;
  batchSize: number;
  /** Total epochs of the run (a resumed run continues up to this). */
  epochs: number;
  /** One weight per class, multiplying that class's examples' loss (see balancedClassWeights). */
  classWeights?: readonly number[] | null;
  earlyStopping?: EarlyStopping | null;
  /** Seeds each epoch's shuffle. */
  seed: number;
  /** Yield to the event loop at least this often, in ms, so pause and cancel get through (default 25). */
  yieldEveryMs?: number;
  /** Call onBatch at most this often, in ms, besides each epoch's last batch (default 50; 0 = every batch). */
  progressEveryMs?: number;
}

/** y is one-hot float32 [n, classes] for classification, float32 [n, 1] for regression. */
export interface TrainTensors {
  x: tfjs.Tensor;
  y: tfjs.Tensor;
}

export interface EpochLog {
  /** 0-based. */
  epoch: number;
  loss: number;
  /** Training accuracy, accumulated over the epoch's batches (classification only). */
  acc: number | null;
  valLoss: number | null;
  valAcc: number | null;
  /** Wall time of the epoch, including validation. */
  ms: number;
}

export interface BatchProgress {
  epoch: number;
  /** 0-based batch within the epoch. */
  batch: number;
  batches: number;
  /** Progress of the whole run, 0..1. */
  fraction: number;
}

export interface FitOptions {
  train: TrainTensors;
  validation?: TrainTensors | null;
  signal?: AbortSignal;
  /** Progress only: no values are read back from the device for it. */
  onBatch?: (p: BatchProgress) => void;
  /** After each epoch, once its metrics are read; awaited, so a checkpoint can be written in it. */
  onEpoch?: (log: EpochLog) => void | Promise<void>;
  /**
   * After every optimizer step, before the next batch (e.g. pruning masks that keep weights at zero).
   * `step` counts steps over the whole run (epoch x batches + batch), so it survives a resume. A returned
   * promise is awaited.
   */
  afterStep?: (step: StepInfo) => void | Promise<void>;
}

export interface StepInfo {
  epoch: number;
  batch: number;
  /** 0-based optimizer step over the whole run. */
  step: number;
}

export type FitStatus = 'completed' | 'early-stopped' | 'cancelled' | 'diverged';

export interface FitResult {
  status: FitStatus;
  /** Completed epochs in total (including those before a resume). */
  epochs: number;
  history: EpochLog[];
  bestEpoch: number | null;
  bestLoss: number | null;
  /** The best epoch's weights were put back at the end. */
  restoredBest: boolean;
}

/** A tensor's values as plain data (the values are always a copy, safe to transfer). */
export interface NamedArray {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  values: Float32Array | Int32Array;
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

async function readAdamPowers(optimizer: tfjs.Optimizer): Promise<[number, number] | undefined> {
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

/**
 * Parks a loop between batches. pause() takes effect at the next batch boundary; resume() releases it.
 * An aborted signal also releases a parked loop, so a paused run can still be cancelled. `onPark` is
 * called each time a loop actually parks (the moment a pause has taken effect).
 */
export class PauseGate {
  #paused = false;
  #waiters: (() => void)[] = [];
  readonly #onPark: () => void;

  constructor(onPark: () => void = () => {}) {
    this.#onPark = onPark;
  }

  get paused(): boolean {
    return this.#paused;
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  wait(signal?: AbortSignal): Promise<void> {
    if (!this.#paused || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.#waiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
      this.#onPark();
    });
  }
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

type Variable = tfjs.Variable;

/**
 * Loss masks for fixed-size batches: 1 for the real rows, 0 for the padding of the last batch. One tensor
 * per real-row count, made once and kept until dispose().
 */
export class BatchMasks {
  readonly #masks = new Map<number, tfjs.Tensor1D>();
  constructor(
    private readonly tf: TF,
    private readonly size: number,
  ) {}

  get(real: number): tfjs.Tensor1D {
    let m = this.#masks.get(real);
    if (!m) {
      const values = new Float32Array(this.size);
      values.fill(1, 0, real);
      this.#masks.set(real, (m = this.tf.tensor1d(values)));
    }
    return m;
  }

  dispose(): void {
    for (const m of this.#masks.values()) m.dispose();
    this.#masks.clear();
  }
}
type LayersModel = tfjs.LayersModel;

/** The optimizer a run's config names (shared by training, distillation and backend timing). */
export function makeOptimizer(tf: TF, name: OptimizerName, lr: number): tfjs.Optimizer {
  switch (name) {
    case 'adam':
      return tf.train.adam(lr);
    case 'sgd':
      return tf.train.sgd(lr);
    case 'momentum':
      return tf.train.momentum(lr, 0.9);
    case 'rmsprop':
      return tf.train.rmsprop(lr);
    case 'adagrad':
      return tf.train.adagrad(lr);
    default:
      throw new RangeError(`unknown optimizer '${String(name)}'`);
  }
}

const LOG_EPS = 1e-7;

/** Fixed-size index batches over a permutation; the last one wraps around to the start (see the top). */
function batchIndices(order: Uint32Array, batch: number, size: number): { idx: Int32Array; real: number } {
  const n = order.length;
  const start = batch * size;
  const idx = new Int32Array(size);
  for (let j = 0; j < size; j++) idx[j] = order[(start + j) % n]!;
  return { idx, real: Math.min(size, n - start) };
}

function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

async function readNamed(t: tfjs.Tensor, name: string): Promise<NamedArray> {
  const dtype = t.dtype === 'int32' ? 'int32' : 'float32';
  const raw = await t.data();
  // data() may hand back the backend's own storage (cpu): copy before anyone transfers or edits it
  const values = dtype === 'int32' ? Int32Array.from(raw as Int32Array) : Float32Array.from(raw as Float32Array);
  return { name, shape: t.shape.slice(), dtype, values };
}

export class Trainer {
  readonly gate: PauseGate;
  readonly #tf: TF;
  readonly #model: LayersModel;
  readonly #config: TrainConfig;
  #optimizer: tfjs.Optimizer;
  #epoch = 0;
  #history: EpochLog[] = [];
  #bestLoss: number | null = null;
  #bestEpoch: number | null = null;
  /** Copies of the best epoch's weights, on the device (no readback), when restoring them is asked for. */
  #bestWeights: tfjs.Tensor[] | null = null;
  #running = false;

  constructor(tf: TF, model: LayersModel, config: TrainConfig, gate = new PauseGate()) {
    if (!(Number.isInteger(config.batchSize) && config.batchSize > 0)) throw new RangeError(`batch size must be a positive integer, got ${config.batchSize}`);
    if (!(Number.isInteger(config.epochs) && config.epochs >= 0)) throw new RangeError(`epochs must be a non-negative integer, got ${config.epochs}`);
    if (!(config.learningRate > 0 && Number.isFinite(config.learningRate))) throw new RangeError(`learning rate must be positive, got ${config.learningRate}`);
    this.#tf = tf;
    this.#model = model;
    this.#config = config;
    this.gate = gate;
    this.#optimizer = makeOptimizer(tf, config.optimizer, config.learningRate);
  }

  /** Completed epochs. */
  get epoch(): number {
    return this.#epoch;
  }

  get history(): readonly EpochLog[] {
    return this.#history;
  }

  pause(): void {
    this.gate.pause();
  }

  resume(): void {
    this.gate.resume();
  }

  /** Train from the current epoch up to config.epochs. */
  async fit(options: FitOptions): Promise<FitResult> {
    if (this.#running) throw new Error('this trainer is already running');
    this.#running = true;
    try {
      return await this.#fit(options);
    } finally {
      this.#running = false;
    }
  }

  async #fit({ train, validation, signal, onBatch, onEpoch, afterStep }: FitOptions): Promise<FitResult> {
    const tf = this.#tf;
    const cfg = this.#config;
    const n = train.x.shape[0]!;
    if (n === 0) throw new TrainError('bad-split', {}, 'The training split has no rows');
    if (train.y.shape[0] !== n) throw new RangeError(`x has ${n} rows but y has ${train.y.shape[0]}`);
    const classification = cfg.task === 'classification';
    const classes = train.y.shape[1] ?? 1;
    if (cfg.classWeights && cfg.classWeights.length !== classes) {
      throw new RangeError(`expected ${classes} class weights, got ${cfg.classWeights.length}`);
    }
    // A batch larger than the data would only repeat rows: cap it, still one fixed shape for the run.
    const size = Math.min(cfg.batchSize, n);
    const batches = Math.ceil(n / size);
    const yieldEvery = cfg.yieldEveryMs ?? 25;
    const progressEvery = cfg.progressEveryMs ?? 50;
    const vars = this.#model.trainableWeights.map((w) => w.read() as Variable);
    const patience = cfg.earlyStopping?.patience;
    const restoreBest = cfg.earlyStopping ? cfg.earlyStopping.restoreBestWeights !== false : false;
    const minDelta = cfg.earlyStopping?.minDelta ?? 0;

    // Kept for the whole fit, made once: class weights and the loss masks of a full and of the last batch.
    const classWeights = cfg.classWeights && classification ? tf.tensor1d(Array.from(cfg.classWeights), 'float32') : null;
    const masks = new BatchMasks(tf, size);
    const mask = (real: number) => masks.get(real);

    const perExampleLoss = (y: tfjs.Tensor, pred: tfjs.Tensor): tfjs.Tensor =>
      classification
        ? tf.neg(tf.sum(tf.mul(y, tf.log(tf.clipByValue(pred, LOG_EPS, 1 - LOG_EPS))), -1))
        : tf.mean(tf.square(tf.sub(pred, y)), -1);
    const correctOf = (y: tfjs.Tensor, pred: tfjs.Tensor, m: tfjs.Tensor): tfjs.Scalar =>
      tf.sum(tf.mul(m, tf.cast(tf.equal(tf.argMax(pred, -1), tf.argMax(y, -1)), 'float32')));

    let status: FitStatus = 'completed';
    let lastYield = performance.now();
    let lastProgress = -Infinity;
    try {
      while (this.#epoch < cfg.epochs) {
        const epoch = this.#epoch;
        const started = performance.now();
        const order = permutation(n, mixSeed(cfg.seed, epoch));
        let lossSum: tfjs.Tensor = tf.scalar(0);
        let correctSum: tfjs.Tensor = tf.scalar(0);
        try {
          for (let b = 0; b < batches; b++) {
            if (this.gate.paused) {
              await this.gate.wait(signal);
              lastYield = performance.now();
            }
            if (signal?.aborted) {
              status = 'cancelled';
              break;
            }
            const { idx, real } = batchIndices(order, b, size);
            const m = mask(real);
            const idxT = tf.tensor1d(idx, 'int32');
            let correct: tfjs.Tensor | null = null;
            const cost = this.#optimizer.minimize(
              () => {
                const xb = tf.gather(train.x, idxT);
                const yb = tf.gather(train.y, idxT);
                const pred = this.#model.apply(xb, { training: true }) as tfjs.Tensor;
                const weights = classWeights ? tf.mul(m, tf.sum(tf.mul(yb, classWeights), -1)) : m;
                if (classification) correct = tf.keep(correctOf(yb, pred, m));
                // divide by the real rows, not the batch size: padding rows weigh 0
                return tf.div(tf.sum(tf.mul(weights, perExampleLoss(yb, pred))), real) as tfjs.Scalar;
              },
              true,
              vars,
            )!;
            idxT.dispose();
            const nextLoss = tf.tidy(() => tf.add(lossSum, tf.mul(cost, real)));
            lossSum.dispose();
            cost.dispose();
            lossSum = nextLoss;
            if (correct) {
              const nextCorrect = tf.add(correctSum, correct);
              correctSum.dispose();
              (correct as tfjs.Tensor).dispose();
              correctSum = nextCorrect;
            }
            if (afterStep) {
              const pending = afterStep({ epoch, batch: b, step: epoch * batches + b });
              if (pending) await pending;
            }
            const now = performance.now();
            if (onBatch && (b === batches - 1 || now - lastProgress >= progressEvery)) {
              lastProgress = now;
              onBatch({ epoch, batch: b, batches, fraction: Math.min(1, (epoch + (b + 1) / batches) / Math.max(1, cfg.epochs)) });
            }
            if (now - lastYield >= yieldEvery) {
              await nextTask();
              lastYield = performance.now();
            }
          }
          if (status === 'cancelled') break;

          const val = validation ? this.#evaluateSums(validation, size, perExampleLoss, correctOf, mask) : null;
          // The epoch's single readback: train loss and correct count, validation loss and correct count.
          const packed = tf.tidy(() => tf.stack([lossSum, correctSum, val?.loss ?? tf.scalar(0), val?.correct ?? tf.scalar(0)]));
          let values: Float32Array;
          try {
            values = (await packed.data()) as Float32Array;
          } finally {
            packed.dispose();
            val?.loss.dispose();
            val?.correct.dispose();
          }
          const nVal = validation ? validation.x.shape[0]! : 0;
          const log: EpochLog = {
            epoch,
            loss: values[0]! / n,
            acc: classification ? values[1]! / n : null,
            valLoss: validation && nVal ? values[2]! / nVal : null,
            valAcc: validation && nVal && classification ? values[3]! / nVal : null,
            ms: performance.now() - started,
          };
          this.#history.push(log);
          this.#epoch = epoch + 1;

          if (!Number.isFinite(log.loss) || (log.valLoss !== null && !Number.isFinite(log.valLoss))) {
            status = 'diverged';
            await onEpoch?.(log);
            break;
          }
          let stop = false;
          if (cfg.earlyStopping) {
            const monitored = log.valLoss ?? log.loss;
            if (this.#bestLoss === null || monitored < this.#bestLoss - minDelta) {
              this.#bestLoss = monitored;
              this.#bestEpoch = epoch;
              if (restoreBest) this.#keepBestWeights();
            } else if (patience !== undefined && epoch - this.#bestEpoch! >= patience) {
              stop = true;
            }
          }
          await onEpoch?.(log);
          if (stop) {
            status = 'early-stopped';
            break;
          }
        } finally {
          lossSum.dispose();
          correctSum.dispose();
        }
      }
    } finally {
      classWeights?.dispose();
      masks.dispose();
    }

    let restoredBest = false;
    if (status !== 'cancelled' && restoreBest && this.#bestWeights && this.#bestEpoch !== null && this.#bestEpoch !== this.#epoch - 1) {
      this.#model.setWeights(this.#bestWeights);
      restoredBest = true;
    }
    return {
      status,
      epochs: this.#epoch,
      history: this.#history.slice(),
      bestEpoch: this.#bestEpoch,
      bestLoss: this.#bestLoss,
      restoredBest,
    };
  }

  /** Summed validation loss and correct count, in fixed-size padded batches, on the device. */
  #evaluateSums(
    data: TrainTensors,
    size: number,
    perExampleLoss: (y: tfjs.Tensor, p: tfjs.Tensor) => tfjs.Tensor,
    correctOf: (y: tfjs.Tensor, p: tfjs.Tensor, m: tfjs.Tensor) => tfjs.Scalar,
    mask: (real: number) => tfjs.Tensor1D,
  ): { loss: tfjs.Tensor; correct: tfjs.Tensor } {
    const tf = this.#tf;
    const n = data.x.shape[0]!;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    let loss: tfjs.Tensor = tf.scalar(0);
    let correct: tfjs.Tensor = tf.scalar(0);
    for (let b = 0; b * size < n; b++) {
      const { idx, real } = batchIndices(order, b, size);
      const m = mask(real);
      const [l, c] = tf.tidy(() => {
        const idxT = tf.tensor1d(idx, 'int32');
        const xb = tf.gather(data.x, idxT);
        const yb = tf.gather(data.y, idxT);
        const pred = this.#model.apply(xb, { training: false }) as tfjs.Tensor;
        return [tf.add(loss, tf.sum(tf.mul(m, perExampleLoss(yb, pred)))), tf.add(correct, correctOf(yb, pred, m))];
      });
      loss.dispose();
      correct.dispose();
      loss = l!;
      correct = c!;
    }
    return { loss, correct };
  }

  #keepBestWeights(): void {
    const tf = this.#tf;
    const copies = this.#model.weights.map((w) => tf.clone(w.read()));
    this.#disposeBest();
    this.#bestWeights = copies;
  }

  #disposeBest(): void {
    if (this.#bestWeights) for (const t of this.#bestWeights) t.dispose();
    this.#bestWeights = null;
  }

  /**
   * The run's state after the last completed epoch, as plain typed arrays (reads the device once).
   * Call it between epochs (in onEpoch) or after fit: mid-epoch the weights are ahead of `epoch`.
   */
  async getCheckpoint(): Promise<Checkpoint> {
    const weights = await Promise.all(this.#model.weights.map((w) => readNamed(w.read(), w.originalName)));
    const named = await this.#optimizer.getWeights();
    let optimizerWeights: NamedArray[];
    try {
      optimizerWeights = await Promise.all(named.map((w) => readNamed(w.tensor, w.name)));
    } finally {
      // the iteration count is a fresh scalar; the rest are the optimizer's own variables
      named[0]?.tensor.dispose();
    }
    const names = this.#model.weights.map((w) => w.originalName);
    const bestWeights =
      this.#bestWeights && this.#bestEpoch !== null && this.#bestEpoch !== this.#epoch - 1
        ? await Promise.all(this.#bestWeights.map((t, i) => readNamed(t, names[i]!)))
        : null;
    return {
      version: 1,
      epoch: this.#epoch,
      weights,
      optimizer: {
        name: this.#config.optimizer,
        learningRate: this.#config.learningRate,
        weights: optimizerWeights,
        ...(this.#config.optimizer === 'adam' ? { adamPowers: await readAdamPowers(this.#optimizer) } : {}),
      },
      bestLoss: this.#bestLoss,
      bestEpoch: this.#bestEpoch,
      bestWeights,
      history: this.#history.map((h) => ({ ...h })),
    };
  }

  /**
   * Continue a run: the model's weights, the optimizer's state, the epoch, the history and the
   * early-stopping state. Throws TrainError('bad-checkpoint') naming the weight that does not fit.
   */
  async restoreCheckpoint(c: Checkpoint): Promise<void> {
    if (this.#running) throw new Error('cannot restore while training');
    const tf = this.#tf;
    if (!c || c.version !== 1) throw new TrainError('bad-checkpoint', {}, `Unknown checkpoint version ${String(c?.version)}`);
    if (c.optimizer.name !== this.#config.optimizer) {
      throw new TrainError('bad-checkpoint', {}, `The checkpoint was made with the ${c.optimizer.name} optimizer, this run uses ${this.#config.optimizer}`);
    }
    const modelWeights = this.#model.weights;
    const check = (list: NamedArray[]) => {
      if (list.length !== modelWeights.length) {
        throw new TrainError('bad-checkpoint', {}, `The checkpoint has ${list.length} weights, the model ${modelWeights.length}`);
      }
      list.forEach((w, i) => {
        const mw = modelWeights[i]!;
        const size = w.shape.reduce((a, b) => a * b, 1);
        if (w.name !== mw.originalName || w.shape.join() !== mw.shape.join() || w.values.length !== size) {
          throw new TrainError(
            'bad-checkpoint',
            { weight: w.name },
            `Checkpoint weight ${i + 1} "${w.name}" [${w.shape.join(', ')}] does not fit the model's "${mw.originalName}" [${mw.shape.join(', ')}]`,
          );
        }
      });
    };
    check(c.weights);
    if (c.bestWeights) check(c.bestWeights);
    const toTensor = (w: NamedArray) => tf.tensor(w.values, w.shape, w.dtype);

    const weights = c.weights.map(toTensor);
    this.#model.setWeights(weights);
    weights.forEach((t) => t.dispose());

    const optimizer = makeOptimizer(tf, this.#config.optimizer, this.#config.learningRate);
    if (c.optimizer.weights.length > 1) {
      const state = c.optimizer.weights.map((w) => ({ name: w.name, tensor: toTensor(w) }));
      try {
        await optimizer.setWeights(state);
        writeAdamPowers(tf, optimizer, c.optimizer.adamPowers);
      } catch (e) {
        optimizer.dispose();
        throw new TrainError('bad-checkpoint', {}, `The optimizer state does not fit: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        // setWeights keeps its own references; ours can go
        state.forEach((s) => s.tensor.dispose());
      }
    } else if (c.optimizer.weights.length === 1) {
      // only the iteration count (plain SGD, or no step taken yet)
      const iter = toTensor(c.optimizer.weights[0]!);
      try {
        await optimizer.setWeights([{ name: c.optimizer.weights[0]!.name, tensor: iter }]);
      } finally {
        iter.dispose();
      }
    }
    this.#optimizer.dispose();
    this.#optimizer = optimizer;

    this.#epoch = c.epoch;
    this.#history = c.history.map((h) => ({ ...h }));
    this.#bestLoss = c.bestLoss;
    this.#bestEpoch = c.bestEpoch;
    this.#disposeBest();
    const restoreBest = this.#config.earlyStopping ? this.#config.earlyStopping.restoreBestWeights !== false : false;
    if (restoreBest && c.bestEpoch !== null) {
      // without bestWeights the checkpoint's own weights are the best only if its last epoch was the best
      const best = c.bestWeights ?? (c.bestEpoch === c.epoch - 1 ? c.weights : null);
      this.#bestWeights = best ? best.map(toTensor) : null;
    }
  }

  /** Free the optimizer's state and the best-weight copies (not the model). */
  dispose(): void {
    this.#optimizer.dispose();
    this.#disposeBest();
  }
}

/**
 * Model outputs for every row of x, in fixed-size padded batches (the same shapes as training), read
 * back once at the end. Returns n x outputs values, row-major.
 */
export async function predict(tf: TF, model: LayersModel, x: tfjs.Tensor, batchSize: number): Promise<Float32Array> {
  const n = x.shape[0]!;
  if (n === 0) return new Float32Array(0);
  const size = Math.min(batchSize, n);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
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
