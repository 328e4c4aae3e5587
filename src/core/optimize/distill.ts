/**
 * Knowledge distillation (Hinton, Vinyals & Dean 2015), in the convention of Keras's distillation
 * example: alpha weighs the student's own loss on the hard labels, 1 - alpha the distillation term,
 * which is scaled by T^2 so its gradients keep their size as the temperature changes:
 *
 *   loss = alpha * CE(y, softmax(z_s)) + (1 - alpha) * T^2 * KL(softmax(z_t / T) || softmax(z_s / T))
 *   CE(y, q)  = -sum_k y_k log q_k                 (y one-hot)
 *   KL(p || q) = sum_k p_k (log p_k - log q_k)      (0 log 0 = 0, computed with log-softmax: no clipping)
 *
 * averaged over the rows of a batch. z_s and z_t are logits. Our models end in Dense(classes, softmax),
 * so the logits are the head's pre-activation: x through the layers before the head, times the head's
 * kernel, plus its bias, with the head's own variables (exact, and the student's gradients flow through
 * them). A model whose last layer is not a Dense with softmax falls back to log(p) (p clipped at 1e-30):
 * log softmax(z) = z - logsumexp(z) differs from z by one constant per row, and softmax is unchanged by
 * adding a constant to every logit, so softmax(log(p) / T) = softmax(z / T) exactly, short of the clip.
 *
 * The training loop is the Trainer's own epoch (core/train/batch-loop.ts): the same seeded shuffle per
 * epoch (mixSeed(seed, epoch)), the same fixed-size batches whose padded rows weigh 0, the same optimizers,
 * one readback per epoch, so a distilled student and the same student trained from scratch by the Trainer
 * see the same batches. The teacher's logits are computed once for the training rows (the teacher is
 * frozen, dropout off).
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { BundleMetadata } from '../model/bundle';
import { buildModel, inferShapes, type ModelSpec, type TF } from '../model/model-spec';
import { BatchMasks, readSums, runEpoch, YieldClock } from '../train/batch-loop';
import { makeOptimizer, Trainer, type EpochLog, type FitOptions, type FitResult, type OptimizerName, type TrainConfig, type TrainTensors } from '../train/trainer';
import type { OptimizationRecord } from './artifacts';
import { OptimizeError, optimizeErrorWhy } from './errors';

export interface DistillSettings {
  /** Weight of the hard-label loss, in [0, 1]; 1 - alpha weighs the distillation term. */
  alpha: number;
  /** Softening temperature, > 0 (Keras's example: 10; Hinton et al.: 1 to 20). */
  temperature: number;
}

export function validateDistillSettings(s: DistillSettings): void {
  if (!(typeof s.alpha === 'number' && s.alpha >= 0 && s.alpha <= 1)) {
    throw new OptimizeError('bad-option', { field: 'alpha', params: { value: String(s.alpha) } }, `alpha must be between 0 and 1, got ${String(s.alpha)}`);
  }
  if (!(typeof s.temperature === 'number' && s.temperature > 0 && Number.isFinite(s.temperature))) {
    throw new OptimizeError('bad-option', { field: 'temperature', params: { value: String(s.temperature) } }, `The temperature must be a positive number, got ${String(s.temperature)}`);
  }
}

/** Per-row distillation loss [batch] for student and teacher logits [batch, classes] and one-hot y. */
export function distillationLossPerRow(tf: TF, studentLogits: tfjs.Tensor, teacherLogits: tfjs.Tensor, y: tfjs.Tensor, s: DistillSettings): tfjs.Tensor {
  return tf.tidy(() => {
    const T = s.temperature;
    const ce = tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(studentLogits)), -1));
    const logP = tf.logSoftmax(tf.div(teacherLogits, T));
    const logQ = tf.logSoftmax(tf.div(studentLogits, T));
    const kl = tf.sum(tf.mul(tf.exp(logP), tf.sub(logP, logQ)), -1);
    return tf.add(tf.mul(ce, s.alpha), tf.mul(kl, (1 - s.alpha) * T * T));
  });
}

/** The batch mean of distillationLossPerRow (a scalar). */
export function distillationLoss(tf: TF, studentLogits: tfjs.Tensor, teacherLogits: tfjs.Tensor, y: tfjs.Tensor, s: DistillSettings): tfjs.Scalar {
  return tf.tidy(() => tf.mean(distillationLossPerRow(tf, studentLogits, teacherLogits, y, s)) as tfjs.Scalar);
}

/** How to get a model's logits (see the top): the head's pre-activation, or log-probabilities. */
export interface LogitsOf {
  (x: tfjs.Tensor, training: boolean): tfjs.Tensor;
  /** 'head': exact pre-softmax logits; 'log-probs': log(p), equal up to a per-row constant. */
  readonly method: 'head' | 'log-probs';
}

const LOG_CLIP = 1e-30;

export function logitsFunction(tf: TF, model: tfjs.LayersModel): LogitsOf {
  const head = model.layers[model.layers.length - 1];
  const config = head?.getConfig() as { activation?: string } | undefined;
  let body: tfjs.LayersModel | null = null;
  if (head && head.getClassName() === 'Dense' && config?.activation === 'softmax' && model.inputs.length === 1) {
    // a model sharing the layers (and so the variables) up to the head's input. A head on a sequence, or
    // used at more than one place (no single input), falls back to log-probabilities below.
    try {
      const input = head.input as tfjs.SymbolicTensor;
      if (input.shape.length === 2) body = tf.model({ inputs: model.inputs, outputs: input });
    } catch {
      body = null;
    }
  }
  if (body && head) {
    const net = body;
    const kernel = head.weights.find((w) => w.originalName.endsWith('/kernel'))!;
    const bias = head.weights.find((w) => w.originalName.endsWith('/bias'));
    const f = (x: tfjs.Tensor, training: boolean) =>
      tf.tidy(() => {
        const h = net.apply(x, { training }) as tfjs.Tensor;
        const z = tf.matMul(h as tfjs.Tensor2D, kernel.read() as tfjs.Tensor2D);
        return bias ? tf.add(z, bias.read()) : z;
      });
    return Object.assign(f, { method: 'head' as const });
  }
  const f = (x: tfjs.Tensor, training: boolean) => tf.tidy(() => tf.log(tf.clipByValue(model.apply(x, { training }) as tfjs.Tensor, LOG_CLIP, 1)));
  return Object.assign(f, { method: 'log-probs' as const });
}

// ---------------------------------------------------------------------------------------------------
// Checks

/** A distillation that runs anyway but deserves a word, by code: the page says it in the person's language. */
export interface DistillWarning {
  code: 'bigger-student'; // more parameters than the teacher: distillation is meant to make a model smaller
  params: { student: number; teacher: number };
}

/** A warning in English, for a model's notes (its README). */
export function distillWarningNote(w: DistillWarning): string {
  return `The student has more parameters (${w.params.student.toLocaleString('en')}) than its teacher (${w.params.teacher.toLocaleString('en')}): distillation is meant to make a model smaller.`;
}

export interface DistillCheck {
  warnings: DistillWarning[];
  /** teacherColumn[studentClass]: where each of the student's classes is in the teacher's output. */
  teacherColumn: number[];
  teacherParams: number;
  studentParams: number;
}

/**
 * Teacher against student before any training: both classify, over the same labels (the same set; the
 * order may differ and is mapped), with the same input shape. A student with more parameters than its
 * teacher is allowed but warned about (distillation is meant to make a model smaller).
 */
export function checkDistillation(
  teacher: { metadata: BundleMetadata; params: number; inputShape: readonly number[] },
  student: { labels: readonly string[] | null; params: number; inputShape: readonly number[] },
): DistillCheck {
  const t = teacher.metadata;
  if (t.task !== 'classification' || !t.labels) {
    throw new OptimizeError('not-classification', {}, `The teacher "${t.name}" is a ${t.task} model: distillation needs a classifier's class probabilities`);
  }
  if (!student.labels) throw new OptimizeError('not-classification', {}, 'The student is not a classifier: distillation needs class labels');
  const tLabels = t.labels;
  const sLabels = student.labels;
  const missing = sLabels.filter((l) => !tLabels.includes(l));
  const extra = tLabels.filter((l) => !sLabels.includes(l));
  if (missing.length || extra.length || tLabels.length !== sLabels.length) {
    const list = (xs: readonly string[]) => xs.slice(0, 5).map((x) => JSON.stringify(x)).join(', ') + (xs.length > 5 ? ', …' : '');
    const why = missing.length && extra.length ? 'missing-and-extra' : missing.length ? 'missing-labels' : extra.length ? 'extra-labels' : 'duplicate-label';
    throw optimizeErrorWhy(
      'label-mismatch',
      why,
      { params: { teacher: tLabels.length, student: sLabels.length, missing: list(missing), missingCount: missing.length, extra: list(extra), extraCount: extra.length } },
      `The teacher "${t.name}" was trained on another label set: ${missing.length ? `it does not know ${list(missing)}` : ''}${missing.length && extra.length ? '; ' : ''}${extra.length ? `it also predicts ${list(extra)}, which this data does not have` : ''}${!missing.length && !extra.length ? 'a class name appears twice' : ''}`,
    );
  }
  if (teacher.inputShape.join() !== student.inputShape.join()) {
    throw new OptimizeError(
      'input-mismatch',
      { params: { teacher: teacher.inputShape.join('x'), student: student.inputShape.join('x') } },
      `The teacher takes inputs of shape [${teacher.inputShape.join(', ')}], the student [${student.inputShape.join(', ')}]: both must read the same encoded features`,
    );
  }
  const warnings: DistillWarning[] = [];
  if (student.params > teacher.params) warnings.push({ code: 'bigger-student', params: { student: student.params, teacher: teacher.params } });
  return { warnings, teacherColumn: sLabels.map((l) => tLabels.indexOf(l)), teacherParams: teacher.params, studentParams: student.params };
}

export function modelParams(model: tfjs.LayersModel): number {
  return model.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a! * b!, 1)!, 0);
}

// ---------------------------------------------------------------------------------------------------
// Training

export interface DistillConfig extends DistillSettings {
  optimizer: OptimizerName;
  learningRate: number;
  batchSize: number;
  epochs: number;
  seed: number;
  /** Yield to the event loop at least this often, in ms (default 25). */
  yieldEveryMs?: number;
}

export interface DistillResult {
  status: 'completed' | 'cancelled' | 'diverged';
  history: EpochLog[];
}

/** Logits for every row of x in fixed-size batches, on the device ([n, classes]). */
function allLogits(tf: TF, logits: LogitsOf, x: tfjs.Tensor, size: number): tfjs.Tensor {
  const n = x.shape[0]!;
  const parts: tfjs.Tensor[] = [];
  for (let start = 0; start < n; start += size) {
    parts.push(tf.tidy(() => logits(tf.slice(x, start, Math.min(size, n - start)), false)));
  }
  const all = tf.concat(parts);
  parts.forEach((p) => p.dispose());
  return all;
}

/**
 * Train `student` in place on the distillation loss against `teacher`'s logits. `train.y` is the
 * student's one-hot labels; `teacherColumn` (from checkDistillation) maps them to the teacher's order.
 */
export async function distill(
  tf: TF,
  options: {
    teacher: tfjs.LayersModel;
    student: tfjs.LayersModel;
    train: TrainTensors;
    validation?: TrainTensors | null;
    config: DistillConfig;
    teacherColumn?: readonly number[];
    signal?: AbortSignal;
    onEpoch?: (log: EpochLog) => void | Promise<void>;
  },
): Promise<DistillResult> {
  const { teacher, student, train, validation, config: cfg, signal, onEpoch } = options;
  validateDistillSettings(cfg);
  if (!(Number.isInteger(cfg.batchSize) && cfg.batchSize > 0)) throw new OptimizeError('bad-option', { field: 'batchSize', params: { value: String(cfg.batchSize) } }, `batch size must be a positive integer, got ${cfg.batchSize}`);
  if (!(Number.isInteger(cfg.epochs) && cfg.epochs >= 0)) throw new OptimizeError('bad-option', { field: 'epochs', params: { value: String(cfg.epochs) } }, `epochs must be a non-negative integer, got ${cfg.epochs}`);
  if (!(cfg.learningRate > 0 && Number.isFinite(cfg.learningRate))) throw new OptimizeError('bad-option', { field: 'learningRate', params: { value: String(cfg.learningRate) } }, `learning rate must be positive, got ${cfg.learningRate}`);
  const n = train.x.shape[0]!;
  if (n === 0) throw optimizeErrorWhy('bad-option', 'empty-train', {}, 'The training split has no rows');
  const size = Math.min(cfg.batchSize, n);
  const studentLogits = logitsFunction(tf, student);
  const teacherLogitsOf = logitsFunction(tf, teacher);
  const optimizer = makeOptimizer(tf, cfg.optimizer, cfg.learningRate);
  const vars = student.trainableWeights.map((w) => w.read() as tfjs.Variable);

  let teacherAll = allLogits(tf, teacherLogitsOf, train.x, size);
  const classes = train.y.shape[1]!;
  if (teacherAll.shape[1] !== classes) {
    teacherAll.dispose();
    throw optimizeErrorWhy('label-mismatch', 'outputs', { params: { teacher: teacherAll.shape[1]!, student: classes } }, `The teacher has ${teacherAll.shape[1]} outputs, the labels ${classes} classes`);
  }
  const column = options.teacherColumn;
  if (column && column.some((c, i) => c !== i)) {
    const reordered = tf.gather(teacherAll, tf.tensor1d(Int32Array.from(column), 'int32'), 1);
    teacherAll.dispose();
    teacherAll = reordered;
  }
  const masks = new BatchMasks(tf, size);
  const clock = new YieldClock(cfg.yieldEveryMs ?? 25);
  const history: EpochLog[] = [];
  let status: DistillResult['status'] = 'completed';
  try {
    for (let epoch = 0; epoch < cfg.epochs; epoch++) {
      const started = performance.now();
      const { lossSum, cancelled } = await runEpoch({
        tf,
        optimizer,
        vars,
        rows: n,
        seed: cfg.seed,
        epoch,
        size,
        masks,
        clock,
        signal,
        loss: (idx, m, real) => {
          const xb = tf.gather(train.x, idx);
          const yb = tf.gather(train.y, idx);
          const tb = tf.gather(teacherAll, idx);
          const per = distillationLossPerRow(tf, studentLogits(xb, true), tb, yb, cfg);
          // divide by the real rows: padding rows weigh 0 (as in the Trainer)
          return tf.div(tf.sum(tf.mul(m, per)), real) as tfjs.Scalar;
        },
      });
      try {
        if (cancelled) {
          status = 'cancelled';
          break;
        }
        const val = validation ? evaluate(tf, student, validation, size) : null;
        let values: Float32Array;
        try {
          values = await readSums(tf, [lossSum, val?.loss, val?.correct]);
        } finally {
          val?.loss.dispose();
          val?.correct.dispose();
        }
        const nVal = validation?.x.shape[0] ?? 0;
        const log: EpochLog = {
          epoch,
          loss: values[0]! / n,
          acc: null,
          valLoss: nVal ? values[1]! / nVal : null,
          valAcc: nVal ? values[2]! / nVal : null,
          ms: performance.now() - started,
        };
        history.push(log);
        await onEpoch?.(log);
        if (!Number.isFinite(log.loss)) {
          status = 'diverged';
          break;
        }
      } finally {
        lossSum.dispose();
      }
    }
  } finally {
    teacherAll.dispose();
    masks.dispose();
    optimizer.dispose();
  }
  return { status, history };
}

/** Summed hard-label cross-entropy and correct count on the device. */
function evaluate(tf: TF, model: tfjs.LayersModel, data: TrainTensors, size: number): { loss: tfjs.Tensor; correct: tfjs.Tensor } {
  const n = data.x.shape[0]!;
  let loss: tfjs.Tensor = tf.scalar(0);
  let correct: tfjs.Tensor = tf.scalar(0);
  for (let start = 0; start < n; start += size) {
    const [l, c] = tf.tidy(() => {
      const count = Math.min(size, n - start);
      const p = model.apply(tf.slice(data.x, start, count), { training: false }) as tfjs.Tensor;
      const y = tf.slice(data.y, start, count);
      const ce = tf.neg(tf.sum(tf.mul(y, tf.log(tf.clipByValue(p, 1e-7, 1 - 1e-7)))));
      const ok = tf.sum(tf.cast(tf.equal(tf.argMax(p, -1), tf.argMax(y, -1)), 'float32'));
      return [tf.add(loss, ce), tf.add(correct, ok)];
    });
    loss.dispose();
    correct.dispose();
    loss = l!;
    correct = c!;
  }
  return { loss, correct };
}

// ---------------------------------------------------------------------------------------------------
// Student from a spec: distilled, and from scratch for comparison

export interface StudentRun {
  student: tfjs.LayersModel;
  history: EpochLog[];
  status: string;
  warnings: DistillWarning[];
  params: number;
}

/**
 * Build the student from its spec (seeded: the scratch run below starts from the very same weights),
 * check it against the teacher, and distill. On a check failure nothing is built.
 */
export async function distillStudent(
  tf: TF,
  options: {
    teacher: tfjs.LayersModel;
    teacherMetadata: BundleMetadata;
    studentSpec: ModelSpec;
    /** The student's class labels, in the order of train.y's columns. */
    labels: readonly string[];
    train: TrainTensors;
    validation?: TrainTensors | null;
    config: DistillConfig;
    signal?: AbortSignal;
    onEpoch?: (log: EpochLog) => void | Promise<void>;
  },
): Promise<StudentRun> {
  validateDistillSettings(options.config);
  const shapes = inferShapes(options.studentSpec);
  const check = checkDistillation(
    { metadata: options.teacherMetadata, params: modelParams(options.teacher), inputShape: options.teacher.inputs[0]!.shape.slice(1) as number[] },
    { labels: options.studentSpec.head.kind === 'classification' ? options.labels : null, params: shapes.totalParams, inputShape: shapes.inputShape ?? [] },
  );
  const student = buildModel(tf, options.studentSpec);
  try {
    const result = await distill(tf, {
      teacher: options.teacher,
      student,
      train: options.train,
      validation: options.validation,
      config: options.config,
      teacherColumn: check.teacherColumn,
      signal: options.signal,
      onEpoch: options.onEpoch,
    });
    return { student, history: result.history, status: result.status, warnings: check.warnings, params: shapes.totalParams };
  } catch (e) {
    student.dispose();
    throw e;
  }
}

/** The same student spec trained from scratch on the hard labels by the Trainer, for comparison. */
export async function trainStudentFromScratch(
  tf: TF,
  options: {
    studentSpec: ModelSpec;
    train: TrainTensors;
    validation?: TrainTensors | null;
    config: Omit<TrainConfig, 'task'>;
    signal?: AbortSignal;
    onBatch?: FitOptions['onBatch'];
  },
): Promise<{ student: tfjs.LayersModel; fit: FitResult; params: number }> {
  const student = buildModel(tf, options.studentSpec);
  const trainer = new Trainer(tf, student, { ...options.config, task: 'classification' });
  try {
    const fit = await trainer.fit({ train: options.train, validation: options.validation, signal: options.signal, onBatch: options.onBatch });
    return { student, fit, params: inferShapes(options.studentSpec).totalParams };
  } catch (e) {
    student.dispose();
    throw e;
  } finally {
    trainer.dispose();
  }
}

/** What a student's metadata records: distilled (with its settings and teacher) or trained from scratch. */
export function studentRecord(
  method: 'distill' | 'scratch',
  config: { optimizer: OptimizerName; learningRate: number; batchSize: number; epochs: number; seed: number; alpha?: number; temperature?: number; labeledShare?: number; labeledRows?: number },
  teacher: { name: string; params: number },
  warnings: readonly DistillWarning[] = [],
): OptimizationRecord {
  const settings: Record<string, unknown> = { optimizer: config.optimizer, learningRate: config.learningRate, batchSize: config.batchSize, epochs: config.epochs, seed: config.seed };
  // how many labeled rows the student learned from (a share of the teacher's training rows, or all)
  if (config.labeledRows !== undefined) Object.assign(settings, { labeledShare: config.labeledShare ?? 1, labeledRows: config.labeledRows });
  if (method === 'distill') Object.assign(settings, { alpha: config.alpha, temperature: config.temperature, teacher: teacher.name, teacherParams: teacher.params });
  return {
    method,
    settings,
    notes:
      method === 'distill'
        ? [
            `Trained on alpha x cross-entropy with the labels + (1 - alpha) x T^2 x KL(teacher || student) at temperature T (Hinton et al. 2015; Keras's convention), against "${teacher.name}".`,
            ...warnings.map(distillWarningNote),
          ]
        : [`The same student architecture trained on the labels alone, for comparison with distillation from "${teacher.name}".`],
  };
}
