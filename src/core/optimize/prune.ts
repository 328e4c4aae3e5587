/**
 * Magnitude pruning during fine-tuning, after the TF Model Optimization toolkit (prune_low_magnitude with
 * a PolynomialDecay schedule; Zhu & Gupta 2017, "To prune, or not to prune"):
 *
 *   s(t) = s_f + (s_i - s_f) * (1 - p)^power,   p = clamp((t - begin) / (end - begin), 0, 1),  power 3
 *
 * Masks are updated at steps begin, begin + frequency, begin + 2 x frequency, ... up to end, as TF-MOT
 * does, and additionally at `end` itself even when (end - begin) is not a multiple of the frequency (TF-MOT
 * would then stop short of the final sparsity; we always reach it). Steps are the Trainer's optimizer
 * steps, 0-based over the whole run; a mask update at step t happens right after that step's update.
 *
 * Per layer (as TF-MOT: every pruned layer gets the same target), the kernels of Dense and Conv2D layers
 * (never biases, BatchNormalization or embeddings): keep round(n x (1 - s)) weights of largest |w| (TF-MOT's
 * count), prune the rest, so each mask prunes exactly n - round(n (1 - s)) weights. Ties at the threshold
 * are broken by position: the lower flat index is pruned first, so the same weights give the same mask.
 *
 * Masks are multiplied into the kernels after EVERY optimizer step (the Trainer's afterStep hook), so
 * pruned weights are exactly 0 whenever the model is read, saved or evaluated. Computing a mask reads the
 * kernel back once per mask update (every `frequency` steps); applying it stays on the device.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { TF } from '../model/model-spec';
import { Trainer, type FitOptions, type FitResult, type StepInfo, type TrainConfig } from '../train/trainer';
import type { OptimizationRecord } from './artifacts';
import { OptimizeError, optimizeErrorWhy } from './errors';

export interface PruningSchedule {
  /** Sparsity at beginStep, in [0, 1). */
  initialSparsity: number;
  /** Sparsity from endStep on, in [initialSparsity, 1). */
  finalSparsity: number;
  /** First step that prunes (>= 0). */
  beginStep: number;
  /** Step at which finalSparsity is reached (> beginStep). */
  endStep: number;
  /** Steps between mask updates (default 100 in TF-MOT; here the caller's choice, >= 1). */
  frequency: number;
  /** Exponent of the decay (default 3). */
  power?: number;
}

/** Throws OptimizeError naming the setting when the schedule is not usable. */
export function validateSchedule(s: PruningSchedule): void {
  const sparsity = (field: 'initialSparsity' | 'finalSparsity') => {
    const v = s[field];
    if (!(typeof v === 'number' && v >= 0 && v < 1)) {
      throw new OptimizeError('bad-sparsity', { field, params: { value: String(v) } }, `${field === 'initialSparsity' ? 'Initial' : 'Final'} sparsity must be at least 0 and below 1, got ${String(v)}`);
    }
  };
  sparsity('initialSparsity');
  sparsity('finalSparsity');
  if (s.finalSparsity < s.initialSparsity) {
    throw new OptimizeError(
      'bad-sparsity',
      { field: 'finalSparsity', params: { initial: s.initialSparsity, final: s.finalSparsity } },
      `Final sparsity ${s.finalSparsity} is below the initial ${s.initialSparsity}: magnitude pruning only adds zeros`,
    );
  }
  const int = (field: 'beginStep' | 'endStep' | 'frequency', min: number) => {
    const v = s[field];
    if (!(Number.isInteger(v) && v >= min)) {
      throw new OptimizeError('bad-schedule', { field, params: { value: String(v) } }, `${field} must be an integer of at least ${min}, got ${String(v)}`);
    }
  };
  int('beginStep', 0);
  int('endStep', 0);
  int('frequency', 1);
  if (!(s.endStep > s.beginStep)) {
    throw new OptimizeError('bad-schedule', { field: 'endStep', params: { begin: s.beginStep, end: s.endStep } }, `The end step (${s.endStep}) must come after the begin step (${s.beginStep})`);
  }
  if (s.power !== undefined && !(typeof s.power === 'number' && s.power > 0 && Number.isFinite(s.power))) {
    throw new OptimizeError('bad-option', { field: 'power', params: { value: String(s.power) } }, `The decay power must be a positive number, got ${String(s.power)}`);
  }
}

/** The scheduled sparsity at a step (the formula; before beginStep it is the initial sparsity). */
export function sparsityAt(s: PruningSchedule, step: number): number {
  const p = Math.min(1, Math.max(0, (step - s.beginStep) / (s.endStep - s.beginStep)));
  return s.finalSparsity + (s.initialSparsity - s.finalSparsity) * (1 - p) ** (s.power ?? 3);
}

/** Whether masks are updated after this step. */
export function shouldPruneAt(s: PruningSchedule, step: number): boolean {
  if (step < s.beginStep || step > s.endStep) return false;
  return (step - s.beginStep) % s.frequency === 0 || step === s.endStep;
}

/** How many of n weights a mask at this sparsity prunes (TF-MOT keeps round(n (1 - s))). */
export function prunedCount(n: number, sparsity: number): number {
  return n - Math.round(n * (1 - sparsity));
}

/**
 * 1 = keep, 0 = prune: exactly prunedCount(n, sparsity) zeros, at the smallest |w|, ties pruned in
 * index order.
 */
export function magnitudeMask(values: ArrayLike<number>, sparsity: number): Uint8Array {
  const n = values.length;
  const mask = new Uint8Array(n).fill(1);
  const prune = prunedCount(n, sparsity);
  if (prune <= 0) return mask;
  const abs = new Float32Array(n);
  for (let i = 0; i < n; i++) abs[i] = Math.abs(values[i]!);
  const threshold = Float32Array.from(abs).sort()[prune - 1]!;
  let left = prune;
  for (let i = 0; i < n; i++) {
    if (abs[i]! < threshold) {
      mask[i] = 0;
      left--;
    }
  }
  for (let i = 0; i < n && left > 0; i++) {
    if (abs[i] === threshold) {
      mask[i] = 0;
      left--;
    }
  }
  return mask;
}

export interface LayerSparsity {
  layer: string;
  /** The kernel's weight name, e.g. dense_1/kernel. */
  weight: string;
  kind: 'Dense' | 'Conv2D';
  size: number;
  /** The sparsity of the current mask (0 before the first update). */
  target: number;
  /** Weights the mask prunes. */
  masked: number;
  /** Weights that are exactly 0 now (masked ones, plus any that happen to be 0). */
  zeros: number;
  sparsity: number;
}

export interface SparsityReport {
  layers: LayerSparsity[];
  /** Over the pruned kernels. */
  prunedWeights: number;
  zeros: number;
  sparsity: number;
  /** Over all of the model's weights (biases and others included). */
  totalParams: number;
  modelSparsity: number;
}

interface Target {
  layer: string;
  kind: 'Dense' | 'Conv2D';
  variable: tfjs.LayerVariable;
  mask: tfjs.Tensor | null;
  masked: number;
  target: number;
}

/** The kernels pruning applies to: every Dense and Conv2D layer's, or those of the named layers. */
export function prunableKernels(model: tfjs.LayersModel, layers?: readonly string[]): { layer: string; kind: 'Dense' | 'Conv2D'; variable: tfjs.LayerVariable }[] {
  const found: { layer: string; kind: 'Dense' | 'Conv2D'; variable: tfjs.LayerVariable }[] = [];
  const wanted = layers ? new Set(layers) : null;
  for (const layer of model.layers) {
    const kind = layer.getClassName();
    if (kind !== 'Dense' && kind !== 'Conv2D') {
      if (wanted?.has(layer.name)) {
        throw new OptimizeError('nothing-to-prune', { layer: layer.name }, `Layer "${layer.name}" is a ${kind}; only Dense and Conv2D kernels are pruned`);
      }
      continue;
    }
    if (wanted && !wanted.has(layer.name)) continue;
    const kernel = layer.weights.find((w) => w.originalName.endsWith('/kernel'));
    if (kernel) found.push({ layer: layer.name, kind, variable: kernel });
  }
  if (wanted) {
    const names = new Set(model.layers.map((l) => l.name));
    const missing = [...wanted].find((n) => !names.has(n));
    if (missing) throw new OptimizeError('nothing-to-prune', { layer: missing }, `The model has no layer "${missing}"`);
  }
  if (found.length === 0) throw new OptimizeError('nothing-to-prune', {}, 'The model has no Dense or Conv2D layer whose kernel could be pruned');
  return found;
}

/**
 * Holds the masks of one model's prunable kernels and updates them on the schedule. Pass `afterStep` to
 * Trainer.fit (or call it after every optimizer step of your own loop).
 */
export class Pruner {
  readonly schedule: PruningSchedule;
  readonly #tf: TF;
  readonly #model: tfjs.LayersModel;
  readonly #targets: Target[];

  constructor(tf: TF, model: tfjs.LayersModel, schedule: PruningSchedule, options: { layers?: readonly string[] } = {}) {
    validateSchedule(schedule);
    this.#tf = tf;
    this.#model = model;
    this.schedule = { ...schedule };
    this.#targets = prunableKernels(model, options.layers).map((k) => ({ ...k, mask: null, masked: 0, target: 0 }));
  }

  /** The hook: update masks on the schedule, then apply them. */
  readonly afterStep = async (info: Pick<StepInfo, 'step'>): Promise<void> => {
    if (shouldPruneAt(this.schedule, info.step)) await this.updateMasks(sparsityAt(this.schedule, info.step));
    this.applyMasks();
  };

  /** Recompute every mask at this sparsity from the kernels' current values, and apply them. */
  async updateMasks(sparsity: number): Promise<void> {
    const tf = this.#tf;
    for (const t of this.#targets) {
      const values = (await t.variable.read().data()) as Float32Array;
      const bits = magnitudeMask(values, sparsity);
      const next = tf.tensor(Float32Array.from(bits), t.variable.shape as number[], 'float32');
      t.mask?.dispose();
      t.mask = next;
      t.masked = prunedCount(values.length, sparsity);
      t.target = sparsity;
    }
    this.applyMasks();
  }

  /** Multiply each kernel by its mask (on the device, no readback). */
  applyMasks(): void {
    const tf = this.#tf;
    tf.tidy(() => {
      // + 0 turns the -0 of a negative weight times 0 into +0: one zero bit pattern compresses better
      for (const t of this.#targets) if (t.mask) t.variable.write(tf.add(tf.mul(t.variable.read(), t.mask), 0));
    });
  }

  /** Per-layer sparsity of the kernels as they are now (reads them back). */
  async report(): Promise<SparsityReport> {
    return sparsityReport(this.#model, this.#targets);
  }

  dispose(): void {
    for (const t of this.#targets) {
      t.mask?.dispose();
      t.mask = null;
    }
  }
}

/**
 * The sparsity of a model's Dense and Conv2D kernels as they are (for a model loaded from a bundle, say,
 * where no masks are known): `target` and `masked` then count the zeros.
 */
export async function measureSparsity(model: tfjs.LayersModel): Promise<SparsityReport> {
  return sparsityReport(model, null);
}

async function sparsityReport(model: tfjs.LayersModel, targets: readonly Target[] | null): Promise<SparsityReport> {
  const kernels = targets ?? prunableKernels(model).map((k) => ({ ...k, mask: null, masked: -1, target: -1 }));
  const layers: LayerSparsity[] = [];
  for (const t of kernels) {
    const values = (await t.variable.read().data()) as Float32Array;
    let zeros = 0;
    for (let i = 0; i < values.length; i++) if (values[i] === 0) zeros++;
    const size = values.length;
    layers.push({
      layer: t.layer,
      weight: t.variable.originalName,
      kind: t.kind,
      size,
      target: t.target < 0 ? zeros / size : t.target,
      masked: t.masked < 0 ? zeros : t.masked,
      zeros,
      sparsity: zeros / size,
    });
  }
  const prunedWeights = layers.reduce((n, l) => n + l.size, 0);
  const zeros = layers.reduce((n, l) => n + l.zeros, 0);
  const totalParams = model.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a! * b!, 1)!, 0);
  return { layers, prunedWeights, zeros, sparsity: prunedWeights ? zeros / prunedWeights : 0, totalParams, modelSparsity: totalParams ? zeros / totalParams : 0 };
}

export interface PruneFineTuneOptions extends Omit<FitOptions, 'afterStep'> {
  schedule: PruningSchedule;
  /** The fine-tuning run (usually a lower learning rate than the original training). */
  config: TrainConfig;
  /** Only these layers (names), default every Dense and Conv2D layer. */
  layers?: readonly string[];
  /** Also called after every step, after the masks are applied. */
  afterStep?: FitOptions['afterStep'];
}

/** Optimizer steps a fit of this config over n rows takes (the Trainer's fixed batches). */
export function stepsOf(config: Pick<TrainConfig, 'epochs' | 'batchSize'>, n: number): number {
  const size = Math.min(config.batchSize, n);
  return config.epochs * Math.ceil(n / size);
}

/**
 * Fine-tune `model` in place with the Trainer while pruning on the schedule; the kernels end exactly at the
 * final sparsity (the schedule must end within the run: checked first, nothing trained otherwise).
 */
export async function pruneAndFineTune(tf: TF, model: tfjs.LayersModel, options: PruneFineTuneOptions): Promise<{ fit: FitResult; report: SparsityReport }> {
  validateSchedule(options.schedule);
  if (options.config.earlyStopping) {
    // it could stop, or restore weights from, before the schedule's end: the sparsity would fall short
    throw optimizeErrorWhy('bad-option', 'early-stopping', { field: 'earlyStopping' }, 'Early stopping cannot be used while pruning: it could end fine-tuning before the schedule reaches its final sparsity');
  }
  const steps = stepsOf(options.config, options.train.x.shape[0]!);
  if (options.schedule.endStep > steps - 1) {
    throw new OptimizeError(
      'bad-schedule',
      { field: 'endStep', params: { end: options.schedule.endStep, steps } },
      `The schedule ends at step ${options.schedule.endStep}, but fine-tuning takes only ${steps} steps (0 to ${steps - 1}): lower the end step or train more epochs`,
    );
  }
  const pruner = new Pruner(tf, model, options.schedule, { layers: options.layers });
  const trainer = new Trainer(tf, model, options.config);
  try {
    const { schedule: _s, config: _c, layers: _l, afterStep, ...fit } = options;
    const result = await trainer.fit({
      ...fit,
      afterStep: async (info) => {
        await pruner.afterStep(info);
        await afterStep?.(info);
      },
    });
    return { fit: result, report: await pruner.report() };
  } finally {
    trainer.dispose();
    pruner.dispose();
  }
}

/** What a pruned variant's metadata records: the schedule, the fine-tuning and the sparsity reached. */
export function pruningRecord(schedule: PruningSchedule, config: Pick<TrainConfig, 'optimizer' | 'learningRate' | 'batchSize' | 'epochs'>, report: SparsityReport): OptimizationRecord {
  return {
    method: 'prune',
    settings: {
      ...schedule,
      power: schedule.power ?? 3,
      optimizer: config.optimizer,
      learningRate: config.learningRate,
      batchSize: config.batchSize,
      epochs: config.epochs,
      layers: report.layers.map((l) => ({ layer: l.layer, sparsity: l.sparsity })),
    },
    notes: [
      `Magnitude pruning: ${(report.sparsity * 100).toFixed(1)} % of the Dense and Conv2D kernel weights are exactly 0 (biases are not pruned).`,
      'The zeros are still stored as float32: the bundle has the same size, but its gzip size shrinks; quantizing it as well shrinks both.',
    ],
  };
}
