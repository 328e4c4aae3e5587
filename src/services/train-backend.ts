/**
 * Choosing a run's backend by timing THIS model's train step on each backend that passed the parity
 * check against cpu (the fixed check in core/train/backends.ts). The parity check says a backend computes
 * correctly; only the real model's step says which one is fastest for it: WebGPU's per-dispatch cost
 * loses on a small MLP and wins on a big CNN.
 */
import { TrainError } from '../core/model/errors';
import type * as tfjs from '@tensorflow/tfjs';
import type { ModelSpec, TF } from '../core/model/model-spec';
import { medianStepMs } from '../core/train/step-timing';
import { applyGradientStep } from '../core/train/batch-loop';
import { tapelessStepOf } from '../core/train/tapeless-step';
import { lossesFor } from '../core/train/losses';
import { makeOptimizer, type OptimizerName } from '../core/train/trainer';
import type { BackendName, BackendReport } from '../protocol/train';
import type { BackendCandidate, BackendChoice } from '../store/training-records';

/** What the service needs from the worker's backend selector (a fake in Node tests). */
export interface BackendControl {
  /** Parity and availability of every backend (probing them once, then cached). */
  reports(): Promise<BackendReport[]>;
  /** Make `name` TF.js's active backend; throws with the reason when it cannot. */
  use(name: BackendName): Promise<void>;
  /** The wasm backend's thread count (1 where the page is not cross-origin isolated); undefined before wasm started. */
  wasmThreads?(): number | undefined;
  /** Step times saved per model: an 'auto' run of a model timed before reuses them instead of timing again. */
  timings?: TimingCache;
}

/** One model's step times on the backends, as an 'auto' choice measured them. */
export interface SavedTimings {
  candidates: BackendCandidate[];
  timedAt: number;
}

/**
 * Where step times are saved, by the probe's key (the model and its step). The store keeps them apart per
 * browser, TF.js version, isolation and wasm thread count, and forgets them when the backends are checked again.
 */
export interface TimingCache {
  get(key: string): Promise<SavedTimings | undefined>;
  put(key: string, saved: SavedTimings): Promise<void>;
}

export interface StepProbe {
  /** Builds the model on the active backend (a fresh one per backend). */
  build: () => tfjs.LayersModel | Promise<tfjs.LayersModel>;
  /** One batch of real training data: x row-major for [batch, ...featureShape], y one-hot or [batch, 1]. */
  x: Float32Array;
  featureShape: number[];
  y: Float32Array;
  outputs: number;
  batch: number;
  task: 'classification' | 'regression';
  optimizer: OptimizerName;
  learningRate: number;
  /** Names the model and its step's shapes, for saved timings (timingKey); without one, 'auto' always times. */
  key?: string;
}

/**
 * What a step's time depends on: the layers (or the model trained further), the input's and output's
 * shapes, the batch and the optimizer. Not the seed, the learning rate or the data's values.
 */
export function timingKey(model: ModelSpec | { baseModelId: string }, step: Pick<StepProbe, 'featureShape' | 'outputs' | 'batch' | 'task' | 'optimizer'>): string {
  const what = 'baseModelId' in model ? model : { ...model, seed: 0 };
  return JSON.stringify([what, step.featureShape, step.outputs, step.batch, step.task, step.optimizer]);
}

/** The order backends are timed in: the usually fast ones first, so a slow one can be cut short. */
const TIMING_ORDER: BackendName[] = ['wasm', 'cpu', 'webgl', 'webgpu'];

/**
 * wasm in TF.js 4.22 has no Conv2DBackpropFilter kernel: it trains convolutions only where Pipette's own
 * kernels are registered (core/train/wasm-kernels.ts; the training worker and the command line do).
 */
export function cannotTrainOn(name: BackendName, spec: ModelSpec | null, topologyHasConv = false, wasmTrainsConv = false): 'no-conv' | null {
  const conv = topologyHasConv || (spec?.layers.some((l) => l.type === 'conv2d') ?? false);
  if (name === 'wasm' && conv && !wasmTrainsConv) return 'no-conv';
  return null;
}

/** A run's backend cannot be used: the requested one, or (auto) the last one tried. */
function noBackend(c: BackendCandidate): TrainError {
  const params = { backend: c.name, why: c.why ?? 'failed', diff: c.maxAbsDiff ?? '?', detail: c.error ?? '' };
  return new TrainError('no-backend', { params }, `No backend can train this model (${c.name}: ${c.why}${c.error ? `, ${c.error}` : ''})`);
}

/**
 * Median ms of the model's train step on the active backend: forward, loss, gradients, the optimizer's
 * update and a loss readback (so the time covers the whole queued GPU work). The first `warmup` steps
 * compile shaders and fill buffer pools and are not counted. Stops early when a step takes longer than
 * `giveUpMs` (a backend that slow will not be chosen anyway). Leaves no tensors behind.
 */
export async function timeModelStep(tf: TF, probe: StepProbe, options: { warmup?: number; repeats?: number; giveUpMs?: number } = {}): Promise<number> {
  const { warmup = 1, repeats = 3, giveUpMs = Infinity } = options;
  const model = await probe.build();
  const optimizer = makeOptimizer(tf, probe.optimizer, probe.learningRate);
  const x = tf.tensor(probe.x, [probe.batch, ...probe.featureShape], 'float32');
  const y = tf.tensor2d(probe.y, [probe.batch, probe.outputs], 'float32');
  const vars = model.trainableWeights.map((w) => w.read() as tfjs.Variable);
  // the step the trainer takes (its loss, every row weighing 1): without the tape where tapeless-step.ts can
  const classification = probe.task === 'classification';
  const tapeless = tapelessStepOf(tf, model, classification);
  const losses = lossesFor(tf, classification);
  const rows = tf.ones([probe.batch]) as tfjs.Tensor1D;
  const step = async () => {
    const loss = tapeless
      ? applyGradientStep(tf, optimizer, vars, () => tapeless.run(x, y, rows, rows, probe.batch))
      : optimizer.minimize(() => tf.mean(losses.perExample(y, model.apply(x, { training: true }) as tfjs.Tensor)) as tfjs.Scalar, true, vars)!;
    try {
      await loss.data();
    } finally {
      loss.dispose();
    }
  };
  try {
    return await medianStepMs(step, { warmup, repeats, giveUpMs });
  } finally {
    tf.dispose([x, y, rows]);
    optimizer.dispose();
    model.dispose();
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Pick the backend for a run. 'auto': time the model on every available backend that passed parity
 * (cpu always qualifies) and activate the fastest; the times are saved by the probe's key, and a later
 * run of the same model takes them instead of timing again. A named backend: activate it and time it, for the
 * record. Throws when the named backend cannot train this model.
 */
export async function chooseBackend(
  tf: TF,
  control: BackendControl,
  requested: 'auto' | BackendName,
  probe: StepProbe,
  blocked: (name: BackendName) => 'no-conv' | null,
  /** A cancelled run stops timing once one backend is timed (a CNN step on a software GPU takes seconds). */
  signal?: AbortSignal,
  /** Before each backend is timed: which, and its place among those this choice times (for the progress). */
  onTiming?: (name: BackendName, index: number, count: number) => void,
): Promise<BackendChoice> {
  const reports = await control.reports();
  if (requested !== 'auto') {
    const why = blocked(requested);
    if (why) throw noBackend({ name: requested, why });
    onTiming?.(requested, 1, 1);
    await control.use(requested);
    const report = reports.find((r) => r.name === requested);
    const msPerStep = await timeModelStep(tf, probe);
    return withThreads(control, {
      requested,
      name: requested,
      msPerStep,
      candidates: [{ name: requested, msPerStep, parityOk: requested === 'cpu' ? undefined : report?.parity?.ok, maxAbsDiff: report?.parity?.maxAbsDiff }],
    });
  }
  const ordered = [...reports].sort((a, b) => TIMING_ORDER.indexOf(a.name) - TIMING_ORDER.indexOf(b.name));
  const refusals = new Map(ordered.map((r) => [r.name, refusalOf(r, blocked)]));
  const eligible = ordered.filter((r) => !refusals.get(r.name));
  const saved = probe.key ? await control.timings?.get(probe.key).catch(() => undefined) : undefined;
  // the saved times stand in only when they cover every backend that may be timed now
  const reused = saved && eligible.every((r) => saved.candidates.some((s) => s.name === r.name && (s.msPerStep !== undefined || s.why === 'failed'))) ? saved : undefined;
  const toTime = reused ? [] : eligible.map((r) => r.name);
  const candidates: BackendCandidate[] = [];
  let best: { name: BackendName; ms: number } | null = null;
  for (const r of ordered) {
    if (signal?.aborted && best && !reused) break;
    const c: BackendCandidate = { name: r.name, parityOk: r.name === 'cpu' ? undefined : r.parity?.ok, maxAbsDiff: r.parity?.maxAbsDiff };
    candidates.push(c);
    const refusal = refusals.get(r.name);
    if (refusal) {
      Object.assign(c, refusal);
      continue;
    }
    const before = reused?.candidates.find((s) => s.name === r.name);
    if (before) {
      if (before.msPerStep !== undefined) c.msPerStep = before.msPerStep;
      else Object.assign(c, { why: 'failed' }, before.error ? { error: before.error } : {});
    } else {
      try {
        onTiming?.(r.name, toTime.indexOf(r.name) + 1, toTime.length);
        await control.use(r.name);
        // 3x the best so far is out of the running: stop timing it after one step
        c.msPerStep = await timeModelStep(tf, probe, { giveUpMs: best ? best.ms * 3 : Infinity });
      } catch (e) {
        Object.assign(c, { why: 'failed', error: message(e) });
      }
    }
    if (c.msPerStep !== undefined && (!best || c.msPerStep < best.ms)) best = { name: r.name, ms: c.msPerStep };
  }
  // cpu qualifies unless it fails outright: its reason is the one to tell
  if (!best) throw noBackend(candidates.find((c) => c.name === 'cpu') ?? candidates[candidates.length - 1]!);
  await control.use(best.name);
  if (!reused && probe.key && !signal?.aborted) await control.timings?.put(probe.key, { candidates, timedAt: Date.now() }).catch(() => undefined);
  return withThreads(control, { requested, name: best.name, msPerStep: best.ms, candidates, ...(reused ? { timedAt: reused.timedAt } : {}) });
}

/** Why a backend is not timed for this model: unavailable, failed parity, or cannot train it; null when it may be. */
function refusalOf(r: BackendReport, blocked: (name: BackendName) => 'no-conv' | null): Pick<BackendCandidate, 'why' | 'error'> | null {
  if (!r.available || (r.name !== 'cpu' && !r.parity?.ok)) return { why: r.available ? 'parity' : 'unavailable', ...(r.error ? { error: r.error } : {}) };
  const why = blocked(r.name);
  return why ? { why } : null;
}

/** A wasm choice records how many threads it trains on (the run page shows it). */
function withThreads(control: BackendControl, choice: BackendChoice): BackendChoice {
  const threads = choice.name === 'wasm' ? control.wasmThreads?.() : undefined;
  return threads === undefined ? choice : { ...choice, threads };
}
