/**
 * Backend parity and speed check, and the choice of the active TF.js backend.
 *
 * The check is two small fixed computations on deterministic weights and inputs: a 2-layer dense net
 * (tanh hidden layer, softmax cross-entropy loss) and a small CNN (a valid 3x3 conv, ReLU, 2x2 max-pool,
 * then a 'same' 3x3 conv with stride 2), whose gradients run the kernels a CNN trains with
 * (Conv2DBackpropFilter, Conv2DBackpropInput, MaxPoolGrad). Their forward passes, losses and the gradients
 * with respect to every weight (and the CNN's input) are run on a backend and compared, element by
 * element, with the cpu backend.
 * A train step (forward, backward, SGD update) is then timed on the same net.
 *
 * Pure: no DOM. Runs in the training worker and in Node (vitest, cpu backend). Works on whatever backend
 * TF.js has active; switching is done by the `activate` function given to BackendSelector.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../math/random';
import { unavailableReason } from './activate';
import {
  BACKEND_NAMES,
  type BackendName,
  type BackendReport,
  type BackendsInfo,
  type ParityResult,
} from './backend-types';
import { medianStepMs } from './step-timing';

/**
 * Largest absolute difference from cpu that still passes.
 *
 * The check's values are scaled to be O(0.1..30) (sum-reduced loss, so gradients are not divided by the
 * batch size). float32 keeps about 7 significant digits; GPU kernels sum in another order, use fused
 * multiply-add and approximate exp/tanh, which moves results by 1e-6..1e-5 at these magnitudes. 1e-3
 * leaves two orders of magnitude of headroom for that, and still fails a backend that computes in half
 * precision (WebGL without float32 textures: errors about 1e-2 here) or has a wrong kernel (errors O(1)).
 */
export const PARITY_TOLERANCE = 1e-3;

/** Sizes of the check's net: small enough for WebGPU on SwiftShader, big enough to exercise real kernels. */
export const PARITY_SHAPE = { batch: 16, inputs: 32, hidden: 64, outputs: 8 } as const;

/** The check's CNN: input [batch, size, size, channels], conv filters [3, 3, in, out]. */
export const PARITY_CONV = { batch: 2, size: 8, channels: 2, filters1: 4, filters2: 3 } as const;

/** Deterministic pseudo-random numbers in [-1, 1) (mulberry32: integer math, same on every platform). */
function uniform(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  const rng = new Rng(seed, true);
  for (let i = 0; i < count; i++) out[i] = rng.next() * 2 - 1;
  return out;
}

function scaled(values: Float32Array, factor: number): Float32Array {
  for (let i = 0; i < values.length; i++) values[i] *= factor;
  return values;
}

interface Fixture {
  x: Float32Array;
  y: Float32Array;
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
}

/** The check's inputs, labels and weights as plain arrays (tensors are made on the backend under test). */
export function parityFixture(): Fixture {
  const { batch, inputs, hidden, outputs } = PARITY_SHAPE;
  const y = new Float32Array(batch * outputs);
  for (let i = 0; i < batch; i++) y[i * outputs + (i % outputs)] = 1;
  return {
    x: uniform(batch * inputs, 1),
    y,
    // Glorot-like scales keep the tanh pre-activations O(1), away from saturation.
    w1: scaled(uniform(inputs * hidden, 2), 1 / Math.sqrt(inputs)),
    b1: scaled(uniform(hidden, 3), 0.1),
    w2: scaled(uniform(hidden * outputs, 4), 1 / Math.sqrt(hidden)),
    b2: scaled(uniform(outputs, 5), 0.1),
  };
}

type Weights = [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];

function logitsOf(x: tf.Tensor, [w1, b1, w2, b2]: Weights): tf.Tensor {
  const h = tf.tanh(tf.add(tf.matMul(x as tf.Tensor2D, w1 as tf.Tensor2D), b1));
  return tf.add(tf.matMul(h as tf.Tensor2D, w2 as tf.Tensor2D), b2);
}

function lossOf(x: tf.Tensor, y: tf.Tensor, weights: Weights): tf.Scalar {
  // SUM, not mean: keeps the gradients O(1) so one absolute tolerance fits every compared value.
  return tf.losses.softmaxCrossEntropy(y, logitsOf(x, weights), undefined, 0, tf.Reduction.SUM) as tf.Scalar;
}

function fixtureTensors(f: Fixture): { x: tf.Tensor2D; y: tf.Tensor2D; weights: Weights } {
  const { batch, inputs, hidden, outputs } = PARITY_SHAPE;
  return {
    x: tf.tensor2d(f.x, [batch, inputs]),
    y: tf.tensor2d(f.y, [batch, outputs]),
    weights: [
      tf.tensor2d(f.w1, [inputs, hidden]),
      tf.tensor1d(f.b1),
      tf.tensor2d(f.w2, [hidden, outputs]),
      tf.tensor1d(f.b2),
    ],
  };
}

/** The CNN's input, its two filters and the weights its output is summed with (the loss), as plain arrays. */
function convFixture(): { x: Float32Array; f1: Float32Array; f2: Float32Array; target: Float32Array } {
  const { batch, size, channels, filters1, filters2 } = PARITY_CONV;
  // fan-in scaling keeps every value O(1), as in the dense check
  return {
    x: uniform(batch * size * size * channels, 6),
    f1: scaled(uniform(9 * channels * filters1, 7), 1 / Math.sqrt(9 * channels)),
    f2: scaled(uniform(9 * filters1 * filters2, 8), 1 / Math.sqrt(9 * filters1)),
    // the second conv's output: 8x8 -> valid 3x3 -> 6x6 -> pool -> 3x3 -> 'same' stride 2 -> 2x2
    target: uniform(batch * 2 * 2 * filters2, 9),
  };
}

function convOutput(x: tf.Tensor4D, f1: tf.Tensor4D, f2: tf.Tensor4D): tf.Tensor4D {
  const pooled = tf.maxPool(tf.relu(tf.conv2d(x, f1, 1, 'valid')), 2, 2, 'valid');
  return tf.conv2d(pooled, f2, 2, 'same');
}

/** The CNN's output, loss and the loss's gradients with respect to its input and both filters. */
function convParityParts(): tf.Tensor[] {
  const { batch, size, channels, filters1, filters2 } = PARITY_CONV;
  const c = convFixture();
  const x = tf.tensor4d(c.x, [batch, size, size, channels]);
  const f1 = tf.tensor4d(c.f1, [3, 3, channels, filters1]);
  const f2 = tf.tensor4d(c.f2, [3, 3, filters1, filters2]);
  const target = tf.tensor4d(c.target, [batch, 2, 2, filters2]);
  const loss = (a: tf.Tensor4D, b: tf.Tensor4D, d: tf.Tensor4D) => tf.sum(tf.mul(convOutput(a, b, d), target)) as tf.Scalar;
  const gradients = tf.grads((a, b, d) => loss(a as tf.Tensor4D, b as tf.Tensor4D, d as tf.Tensor4D))([x, f1, f2]);
  return [convOutput(x, f1, f2), loss(x, f1, f2), ...gradients];
}

/**
 * Run the check on the active backend: logits, loss, then dLoss/dW1, dLoss/db1, dLoss/dW2, dLoss/db2,
 * then the CNN's output, loss and gradients, flattened into one array. Leaves no tensors behind.
 */
export async function computeParityValues(): Promise<Float32Array> {
  const fixture = parityFixture();
  const out = tf.tidy(() => {
    const { x, y, weights } = fixtureTensors(fixture);
    const gradients = tf.grads((w1, b1, w2, b2) => lossOf(x, y, [w1, b1, w2, b2]))(weights);
    const parts = [logitsOf(x, weights), lossOf(x, y, weights), ...gradients, ...convParityParts()].map((t) => t.reshape([-1]));
    return tf.concat(parts);
  });
  try {
    // data(), never dataSync(): a sync readback blocks on the GPU and is not allowed in WebGPU workers.
    return (await out.data()) as Float32Array;
  } finally {
    out.dispose();
  }
}

/** Compare a backend's values with the cpu reference. NaN, or a length mismatch, counts as an infinite difference. */
export function compareParity(
  reference: ArrayLike<number>,
  candidate: ArrayLike<number>,
  tolerance = PARITY_TOLERANCE,
): ParityResult {
  let maxAbsDiff = reference.length === candidate.length ? 0 : Number.POSITIVE_INFINITY;
  for (let i = 0; i < reference.length && maxAbsDiff !== Number.POSITIVE_INFINITY; i++) {
    const d = Math.abs(reference[i] - candidate[i]);
    // NaN would slip past `>` and make the result look fine.
    if (Number.isNaN(d)) maxAbsDiff = Number.POSITIVE_INFINITY;
    else if (d > maxAbsDiff) maxAbsDiff = d;
  }
  return { maxAbsDiff, tolerance, ok: maxAbsDiff <= tolerance };
}

export interface StepTiming {
  /** Untimed steps first: shader compilation and buffer allocation happen there. */
  warmup?: number;
  /** Timed steps; the median is reported so one hiccup does not decide the backend. */
  repeats?: number;
}

/** Milliseconds per train step (forward, gradients, SGD update, loss readback) on the active backend. */
export async function timeTrainStep({ warmup = 2, repeats = 5 }: StepTiming = {}): Promise<number> {
  const f = fixtureTensors(parityFixture());
  const vars = f.weights.map((w) => tf.variable(w, true)) as tf.Variable[];
  f.weights.forEach((w) => w.dispose());
  const step = async () => {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(
        () => lossOf(f.x, f.y, vars as unknown as Weights),
        vars,
      );
      for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name], 0.01)));
      return value;
    });
    // Reading the loss waits for the GPU queue, so the time covers the whole step.
    await loss.data();
    loss.dispose();
  };
  try {
    return await medianStepMs(step, { warmup, repeats });
  } finally {
    f.x.dispose();
    f.y.dispose();
    vars.forEach((v) => v.dispose());
  }
}

/** The fastest backend that is available and passed parity (cpu is the reference, so it always qualifies). */
export function pickFastest(reports: readonly BackendReport[]): BackendName | null {
  let best: BackendReport | null = null;
  for (const r of reports) {
    if (!r.available || r.error || r.msPerStep === undefined) continue;
    if (r.name !== 'cpu' && !r.parity?.ok) continue;
    if (!best || r.msPerStep < (best.msPerStep ?? Infinity)) best = r;
  }
  return best?.name ?? null;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Make `name` TF.js's active backend, or throw with the reason it could not initialize. */
export type ActivateBackend = (name: BackendName) => Promise<void>;

/** A saved check: its reports and when they were measured. */
export interface SavedCheck {
  reports: BackendReport[];
  checkedAt: number;
}

/** Where checks are saved (IndexedDB in the training worker, a Map in tests). */
export interface BackendCheckCache {
  get(key: string): Promise<SavedCheck | undefined>;
  put(key: string, check: SavedCheck): Promise<void>;
}

/** This check's own version: bump it when the check's computations or timing change, so saved ones are redone. */
export const CHECK_VERSION = 2;

/**
 * What a saved check is valid for: the browser (its user agent), TF.js's version, the check's version and
 * whether wasm may use threads (cross-origin isolation changes its timing). Anything else re-checks.
 */
export function checkCacheKey(userAgent: string, crossOriginIsolated: boolean): string {
  return JSON.stringify([userAgent, tf.version.tfjs, CHECK_VERSION, crossOriginIsolated]);
}

export interface SelectorOptions {
  names?: readonly BackendName[];
  tolerance?: number;
  timing?: StepTiming;
  /** Save checks and reuse them (Settings then takes a moment instead of a minute). */
  cache?: { store: BackendCheckCache; key: string };
}

/**
 * Probes the backends and keeps the choice. Calls are serialized: a probe and a switch never interleave,
 * because both change TF.js's one global backend.
 */
export class BackendSelector {
  readonly #activate: ActivateBackend;
  readonly #names: readonly BackendName[];
  readonly #tolerance: number;
  readonly #timing: StepTiming;
  readonly #cache: SelectorOptions['cache'];
  #reports: BackendReport[] = [];
  #checkedAt: number | undefined;
  #cached = false;
  #active: BackendName | null = null;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(activate: ActivateBackend, options: SelectorOptions = {}) {
    this.#activate = activate;
    this.#names = options.names ?? BACKEND_NAMES;
    this.#tolerance = options.tolerance ?? PARITY_TOLERANCE;
    this.#timing = options.timing ?? {};
    this.#cache = options.cache;
  }

  /** The last probe's reports and the active backend (no work is done). */
  get info(): BackendsInfo {
    return {
      tfjsVersion: tf.version.tfjs,
      active: this.#active,
      backends: this.#reports.map((r) => ({ ...r })),
      ...(this.#checkedAt === undefined ? {} : { checkedAt: this.#checkedAt, cached: this.#cached }),
    };
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Initialize each backend, check parity against cpu and time a step; then activate the fastest that
   * passed. A check saved for this browser and TF.js version is used instead unless `recheck`.
   */
  probe({ recheck = false }: { recheck?: boolean } = {}): Promise<BackendsInfo> {
    return this.#serial(async () => {
      const saved = recheck ? undefined : await this.#savedCheck();
      if (saved) {
        this.#reports = saved.reports;
        this.#checkedAt = saved.checkedAt;
        this.#cached = true;
        await this.#settle(pickFastest(saved.reports));
        return this.info;
      }
      await this.#activate('cpu');
      this.#active = 'cpu';
      const reference = await computeParityValues();
      const reports: BackendReport[] = [];
      for (const name of this.#names) reports.push(await this.#probeOne(name, reference));
      this.#reports = reports;
      this.#checkedAt = Date.now();
      this.#cached = false;
      // a check that cannot be saved (storage full or blocked) is still this call's answer
      await this.#cache?.store.put(this.#cache.key, { reports, checkedAt: this.#checkedAt }).catch(() => undefined);
      await this.#settle(pickFastest(reports));
      return this.info;
    });
  }

  /** The saved check for this key, if it covers the backends this selector checks. */
  async #savedCheck(): Promise<SavedCheck | undefined> {
    const saved = await this.#cache?.store.get(this.#cache.key).catch(() => undefined);
    if (!saved || !this.#names.every((name) => saved.reports.some((r) => r.name === name))) return undefined;
    return saved;
  }

  async #probeOne(name: BackendName, reference: Float32Array): Promise<BackendReport> {
    try {
      await this.#activate(name);
    } catch (e) {
      return { name, available: false, reason: unavailableReason(e), error: messageOf(e) };
    }
    this.#active = name;
    try {
      const parity = name === 'cpu' ? undefined : compareParity(reference, await computeParityValues(), this.#tolerance);
      const msPerStep = await timeTrainStep(this.#timing);
      return { name, available: true, parity, msPerStep };
    } catch (e) {
      // It initialized but cannot run the check (a missing kernel, a lost device): never choose it.
      return {
        name,
        available: true,
        reason: 'check-failed',
        error: messageOf(e),
        parity: name === 'cpu' ? undefined : { maxAbsDiff: Number.POSITIVE_INFINITY, tolerance: this.#tolerance, ok: false },
      };
    }
  }

  /** Activate `choice`, falling back to cpu; a failed switch leaves TF.js without a usable backend otherwise. */
  async #settle(choice: BackendName | null): Promise<void> {
    for (const name of choice && choice !== 'cpu' ? [choice, 'cpu' as const] : ['cpu' as const]) {
      try {
        await this.#activate(name);
        this.#active = name;
        return;
      } catch {
        // try the next one
      }
    }
    this.#active = null;
  }

  /** Make `name` active (a person's override). On failure the previous backend stays active and the error is thrown. */
  use(name: BackendName): Promise<BackendsInfo> {
    return this.#serial(async () => {
      const previous = this.#active;
      try {
        await this.#activate(name);
        this.#active = name;
      } catch (e) {
        await this.#settle(previous);
        throw e;
      }
      return this.info;
    });
  }
}
