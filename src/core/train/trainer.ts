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
import { trainErrorWhy } from '../model/errors';
import type { TF } from '../model/model-spec';
import { BatchMasks, batchIndices, identityOrder, readSums, runEpoch, YieldClock } from './batch-loop';
import { checkWeightsFit, namedToTensor, optimizerFromCheckpoint, readAdamPowers, readNamed, type Checkpoint, type NamedArray } from './checkpoint';
import { lossesFor, type Losses } from './losses';
import { makeOptimizer, type OptimizerName } from './optimizers';
import { PauseGate } from './pause-gate';
import { ProgressTracker, type BatchProgress } from './progress';
import { rowWeights, splitStep, type StepPartner } from './data-parallel';
import { tapelessStepOf, type TapelessStep } from './tapeless-step';
import type { TrainTensors } from './tensors';

// The training API in one place: the services, optimize and the tests import these from here.
export { checkpointTransferables, type Checkpoint, type NamedArray } from './checkpoint';
export { makeOptimizer, OPTIMIZERS, type OptimizerName } from './optimizers';
export { PauseGate } from './pause-gate';
export { estimateRun, type BatchProgress, type EpochStep, type RunEstimate, type StepTimes } from './progress';
export { balancedClassWeights, balancedSoftClassWeights, predict, predictEncodedRows, toTensors, type TrainTensors } from './tensors';

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
  /** Call onBatch at most this often, in ms, besides the last batch of each pass and the epoch's end (default 50; 0 = every batch). */
  progressEveryMs?: number;
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

export interface FitOptions {
  train: TrainTensors;
  validation?: TrainTensors | null;
  signal?: AbortSignal;
  /** Progress of every part of an epoch (progress.ts), with their measured times; no values are read back for it. */
  onBatch?: (p: BatchProgress) => void;
  /** After each epoch, once its metrics are read; awaited, so a checkpoint can be written in it. */
  onEpoch?: (log: EpochLog) => void | Promise<void>;
  /**
   * After every optimizer step, before the next batch (e.g. pruning masks that keep weights at zero).
   * `step` counts steps over the whole run (epoch x batches + batch), so it survives a resume. A returned
   * promise is awaited.
   */
  afterStep?: (step: StepInfo) => void | Promise<void>;
  /**
   * A second worker that takes the second half of every batch (data-parallel.ts), for a model the
   * tapeless step trains; its maxRows must be half the batch (rounded down). Else ignored.
   */
  partner?: StepPartner | null;
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

type LayersModel = tfjs.LayersModel;

/** What one fit() keeps from epoch to epoch (made once; the tensors are freed when the fit ends). */
interface FitState extends FitOptions {
  rows: number;
  size: number;
  classification: boolean;
  losses: Losses;
  vars: tfjs.Variable[];
  /** Class weights and the loss masks of a full and of the last batch. */
  classWeights: tfjs.Tensor1D | null;
  /** The step without the tape, for plain dense and convolution nets (tapeless-step.ts); null takes the tape. */
  tapelessStep: TapelessStep | null;
  masks: BatchMasks;
  /** The partner and the masks of the leader's part of a batch, when the batch is split. */
  split: { partner: StepPartner; masks: BatchMasks } | null;
  clock: YieldClock;
  progress: ProgressTracker;
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

  get #restoreBest(): boolean {
    return this.#config.earlyStopping ? this.#config.earlyStopping.restoreBestWeights !== false : false;
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

  async #fit(options: FitOptions): Promise<FitResult> {
    const tf = this.#tf;
    const cfg = this.#config;
    const { train } = options;
    const n = train.x.shape[0]!;
    if (n === 0) throw trainErrorWhy('bad-split', 'empty-train', {}, 'The training split has no rows');
    if (train.y.shape[0] !== n) throw new RangeError(`x has ${n} rows but y has ${train.y.shape[0]}`);
    const classification = cfg.task === 'classification';
    const classes = train.y.shape[1] ?? 1;
    if (cfg.classWeights && cfg.classWeights.length !== classes) {
      throw new RangeError(`expected ${classes} class weights, got ${cfg.classWeights.length}`);
    }
    // A batch larger than the data would only repeat rows: cap it, still one fixed shape for the run.
    const size = Math.min(cfg.batchSize, n);
    const tapelessStep = tapelessStepOf(tf, this.#model, classification);
    const partner = options.partner && tapelessStep && options.partner.maxRows === Math.floor(size / 2) ? options.partner : null;
    const state: FitState = {
      ...options,
      rows: n,
      size,
      classification,
      losses: lossesFor(tf, classification),
      vars: this.#model.trainableWeights.map((w) => w.read() as tfjs.Variable),
      classWeights: cfg.classWeights && classification ? tf.tensor1d(Array.from(cfg.classWeights), 'float32') : null,
      tapelessStep,
      masks: new BatchMasks(tf, size),
      split: partner ? { partner, masks: new BatchMasks(tf, size - partner.maxRows) } : null,
      clock: new YieldClock(cfg.yieldEveryMs ?? 25),
      progress: new ProgressTracker(cfg.epochs, cfg.progressEveryMs ?? 50, options.onBatch),
    };

    let status: FitStatus = 'completed';
    try {
      while (this.#epoch < cfg.epochs) {
        const log = await this.#trainEpoch(state);
        if (!log) {
          status = 'cancelled';
          break;
        }
        const stop = await this.#endEpoch(log, state);
        if (stop) {
          status = stop;
          break;
        }
      }
    } finally {
      state.progress.stop();
      state.classWeights?.dispose();
      state.masks.dispose();
      state.split?.masks.dispose();
    }

    let restoredBest = false;
    if (status !== 'cancelled' && this.#restoreBest && this.#bestWeights && this.#bestEpoch !== null && this.#bestEpoch !== this.#epoch - 1) {
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

  /** One epoch's steps, then validation and the epoch's single readback. null when cancelled. */
  async #trainEpoch(f: FitState): Promise<EpochLog | null> {
    const tf = this.#tf;
    const cfg = this.#config;
    const epoch = this.#epoch;
    const started = performance.now();
    const valRows = f.validation ? f.validation.x.shape[0]! : 0;
    f.progress.startEpoch(epoch, Math.ceil(f.rows / f.size), Math.ceil(valRows / f.size));
    let lossSum: tfjs.Tensor | null = null;
    let correctSum: tfjs.Tensor = tf.scalar(0);
    let correct: tfjs.Tensor | null = null;
    // the batch's rows and each row's loss weight (the padding mask times its class weight)
    const batch = (idx: tfjs.Tensor1D, m: tfjs.Tensor1D) => {
      const xb = tf.gather(f.train.x, idx);
      const yb = tf.gather(f.train.y, idx);
      return { xb, yb, weights: rowWeights(tf, yb, m, f.classWeights) };
    };
    const tapeless = (idx: tfjs.Tensor1D, m: tfjs.Tensor1D, real: number) => {
      const { xb, yb, weights } = batch(idx, m);
      return f.tapelessStep!.run(xb, yb, weights, m, real);
    };
    try {
      const run = await runEpoch({
        tf,
        optimizer: this.#optimizer,
        vars: f.vars,
        rows: f.rows,
        seed: cfg.seed,
        epoch,
        size: f.size,
        masks: f.masks,
        clock: f.clock,
        signal: f.signal,
        gate: this.gate,
        loss: (idx, m, real) => {
          const { xb, yb, weights } = batch(idx, m);
          const pred = this.#model.apply(xb, { training: true }) as tfjs.Tensor;
          if (f.classification) correct = tf.keep(f.losses.correct(yb, pred, m));
          // divide by the real rows, not the batch size: padding rows weigh 0
          return tf.div(tf.sum(tf.mul(weights, f.losses.perExample(yb, pred))), real) as tfjs.Scalar;
        },
        ...(f.tapelessStep && {
          gradients: (idx: tfjs.Tensor1D, m: tfjs.Tensor1D, real: number, rows: Int32Array) => {
            const step = f.split ? splitStep(tf, f.split.partner, f.vars, f.split.masks, idx, rows, real, tapeless) : tapeless(idx, m, real);
            if (step.correct) correct = tf.keep(step.correct);
            return step;
          },
        }),
        afterStep: (b, batches) => {
          if (correct) {
            const nextCorrect = tf.add(correctSum, correct);
            correctSum.dispose();
            correct.dispose();
            correctSum = nextCorrect;
            correct = null;
          }
          return f.afterStep?.({ epoch, batch: b, step: epoch * batches + b });
        },
        onBatch: (b, _batches, ms) => f.progress.batch(b, ms),
      });
      lossSum = run.lossSum;
      if (run.cancelled) return null;

      const val = f.validation ? await this.#evaluateSums(f.validation, f) : null;
      f.progress.metrics();
      let values: Float32Array;
      try {
        // train loss and correct count, validation loss and correct count
        values = await readSums(tf, [lossSum, correctSum, val?.loss, val?.correct]);
      } finally {
        val?.loss.dispose();
        val?.correct.dispose();
      }
      const n = f.rows;
      const nVal = f.validation ? f.validation.x.shape[0]! : 0;
      return {
        epoch,
        loss: values[0]! / n,
        acc: f.classification ? values[1]! / n : null,
        valLoss: f.validation && nVal ? values[2]! / nVal : null,
        valAcc: f.validation && nVal && f.classification ? values[3]! / nVal : null,
        ms: performance.now() - started,
      };
    } finally {
      lossSum?.dispose();
      correctSum.dispose();
    }
  }

  /** Records a finished epoch: the status that ends the fit after it (divergence, early stopping), or null. */
  async #endEpoch(log: EpochLog, f: FitState): Promise<FitStatus | null> {
    const onEpoch = async (l: EpochLog) => {
      if (f.onEpoch) {
        f.progress.checkpoint();
        await f.onEpoch(l);
      }
      f.progress.endDone();
    };
    this.#history.push(log);
    this.#epoch = log.epoch + 1;
    if (!Number.isFinite(log.loss) || (log.valLoss !== null && !Number.isFinite(log.valLoss))) {
      await onEpoch(log);
      return 'diverged';
    }
    let stop = false;
    const es = this.#config.earlyStopping;
    if (es) {
      const monitored = log.valLoss ?? log.loss;
      if (this.#bestLoss === null || monitored < this.#bestLoss - (es.minDelta ?? 0)) {
        this.#bestLoss = monitored;
        this.#bestEpoch = log.epoch;
        if (this.#restoreBest) this.#keepBestWeights();
      } else if (es.patience !== undefined && log.epoch - this.#bestEpoch! >= es.patience) {
        stop = true;
      }
    }
    await onEpoch(log);
    return stop ? 'early-stopped' : null;
  }

  /** Summed validation loss and correct count, in fixed-size padded batches, on the device; each batch timed and reported. */
  async #evaluateSums(data: TrainTensors, f: FitState): Promise<{ loss: tfjs.Tensor; correct: tfjs.Tensor }> {
    const tf = this.#tf;
    const { size, losses, masks } = f;
    const n = data.x.shape[0]!;
    const order = identityOrder(n);
    let loss: tfjs.Tensor = tf.scalar(0);
    let correct: tfjs.Tensor = tf.scalar(0);
    for (let b = 0; b * size < n; b++) {
      const started = performance.now();
      const { idx, real } = batchIndices(order, b, size);
      const m = masks.get(real);
      const [l, c] = tf.tidy(() => {
        const idxT = tf.tensor1d(idx, 'int32');
        const xb = tf.gather(data.x, idxT);
        const yb = tf.gather(data.y, idxT);
        const pred = this.#model.apply(xb, { training: false }) as tfjs.Tensor;
        return [tf.add(loss, tf.sum(tf.mul(m, losses.perExample(yb, pred)))), tf.add(correct, losses.correct(yb, pred, m))];
      });
      loss.dispose();
      correct.dispose();
      loss = l!;
      correct = c!;
      f.progress.validationBatch(b, performance.now() - started);
      // a long validation pass lets messages (cancel, pause) through too
      await f.clock.tick();
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
    if (!c || c.version !== 1) throw trainErrorWhy('bad-checkpoint', 'version', { params: { version: String(c?.version) } }, `Unknown checkpoint version ${String(c?.version)}`);
    if (c.optimizer.name !== this.#config.optimizer) {
      throw trainErrorWhy('bad-checkpoint', 'optimizer', { params: { checkpoint: c.optimizer.name, run: this.#config.optimizer } }, `The checkpoint was made with the ${c.optimizer.name} optimizer, this run uses ${this.#config.optimizer}`);
    }
    checkWeightsFit(c.weights, this.#model.weights);
    if (c.bestWeights) checkWeightsFit(c.bestWeights, this.#model.weights);
    const toTensor = (w: NamedArray) => namedToTensor(tf, w);

    const weights = c.weights.map(toTensor);
    this.#model.setWeights(weights);
    weights.forEach((t) => t.dispose());

    const optimizer = await optimizerFromCheckpoint(tf, c, this.#config.optimizer, this.#config.learningRate);
    this.#optimizer.dispose();
    this.#optimizer = optimizer;

    this.#epoch = c.epoch;
    this.#history = c.history.map((h) => ({ ...h }));
    this.#bestLoss = c.bestLoss;
    this.#bestEpoch = c.bestEpoch;
    this.#disposeBest();
    if (this.#restoreBest && c.bestEpoch !== null) {
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
