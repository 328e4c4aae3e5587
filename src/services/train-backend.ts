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
 * (cpu always qualifies) and activate the fastest. A named backend: activate it and time it, for the
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
): Promise<BackendChoice> {
  const reports = await control.reports();
  if (requested !== 'auto') {
    const why = blocked(requested);
    if (why) throw noBackend({ name: requested, why });
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
  const candidates: BackendCandidate[] = [];
  let best: { name: BackendName; ms: number } | null = null;
  const ordered = [...reports].sort((a, b) => TIMING_ORDER.indexOf(a.name) - TIMING_ORDER.indexOf(b.name));
  for (const r of ordered) {
    if (signal?.aborted && best) break;
    const c: BackendCandidate = { name: r.name, parityOk: r.name === 'cpu' ? undefined : r.parity?.ok, maxAbsDiff: r.parity?.maxAbsDiff };
    candidates.push(c);
    if (!r.available || (r.name !== 'cpu' && !r.parity?.ok)) {
      Object.assign(c, { why: r.available ? 'parity' : 'unavailable' }, r.error ? { error: r.error } : {});
      continue;
    }
    const why = blocked(r.name);
    if (why) {
      c.why = why;
      continue;
    }
    try {
      await control.use(r.name);
      // 3x the best so far is out of the running: stop timing it after one step
      c.msPerStep = await timeModelStep(tf, probe, { giveUpMs: best ? best.ms * 3 : Infinity });
      if (!best || c.msPerStep < best.ms) best = { name: r.name, ms: c.msPerStep };
    } catch (e) {
      Object.assign(c, { why: 'failed', error: message(e) });
    }
  }
  // cpu qualifies unless it fails outright: its reason is the one to tell
  if (!best) throw noBackend(candidates.find((c) => c.name === 'cpu') ?? candidates[candidates.length - 1]!);
  await control.use(best.name);
  return withThreads(control, { requested, name: best.name, msPerStep: best.ms, candidates });
}

/** A wasm choice records how many threads it trains on (the run page shows it). */
function withThreads(control: BackendControl, choice: BackendChoice): BackendChoice {
  const threads = choice.name === 'wasm' ? control.wasmThreads?.() : undefined;
  return threads === undefined ? choice : { ...choice, threads };
}
