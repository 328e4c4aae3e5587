/**
 * Data parallelism over two training workers (issue 16: all cores). Each step the leader (the worker
 * running the Trainer) splits its batch in two. It takes the first part's loss and gradients itself while a
 * partner worker takes the second part's, on the same weights. Both parts divide by the whole batch's real
 * rows, so their sum is exactly the whole batch's loss and gradient, which the leader applies.
 *
 * Why not XNNPACK's own pool: its threads split each convolution and product, and wait for each other at
 * the end of every one. On the 2-core machine the Small CNN trained 1.11-1.19x as fast on two threads as
 * on one, where two single-threaded workers training at once got 1.33-1.45x more than the threaded one.
 * Halves of a batch need to meet once a step, not once a kernel, and every kernel of the step (Pipette's
 * own single-threaded ones too) runs on both cores.
 *
 * The two meet in one SharedArrayBuffer (so this needs a cross-origin isolated page): the leader writes the
 * weights and the partner's rows and bumps COMMAND; the partner computes, writes its loss, correct count and
 * gradients and sets DONE to COMMAND. Atomics order the writes and wake the waiting side. The partner
 * gets the model's topology and the training rows once per fit, over a MessagePort.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { TF } from '../model/model-spec';
import { BatchMasks, nextTask } from './batch-loop';
import { tapelessStepOf, type TapelessStep, type TapelessStepResult } from './tapeless-step';
import type { TrainTensors } from './tensors';

// Int32 slots at the start of the buffer
const COMMAND = 0;
const DONE = 1;
const KIND = 2;
const REAL = 3;
const ROWS = 4;
const OFFSET = 5;
const FAILED = 6;
const ERROR_LENGTH = 7;
const HEADER = 8;
// commands
const STEP = 1;
const STOP = 2;
const ERROR_CHARS = 400;

/** Where each part lies in the buffer, in 4-byte words. */
class Layout {
  readonly loss = HEADER;
  readonly correct = HEADER + 1;
  readonly rows = HEADER + 2;
  readonly weights: number;
  readonly grads: number;
  readonly error: number;
  readonly bytes: number;

  constructor(
    readonly sizes: readonly number[],
    readonly maxRows: number,
  ) {
    const params = sizes.reduce((a, b) => a + b, 0);
    this.weights = this.rows + maxRows;
    this.grads = this.weights + params;
    this.error = this.grads + params;
    this.bytes = 4 * this.error + 2 * ERROR_CHARS;
  }
}

/** The shared buffer's views. */
class Shared {
  readonly header: Int32Array;
  readonly ints: Int32Array;
  readonly floats: Float32Array;
  readonly error: Uint16Array;

  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly layout: Layout,
  ) {
    this.header = new Int32Array(buffer, 0, HEADER);
    this.ints = new Int32Array(buffer, 0, layout.error);
    this.floats = new Float32Array(buffer, 0, layout.error);
    this.error = new Uint16Array(buffer, 4 * layout.error, ERROR_CHARS);
  }
}

/** The wasm backend's view of a tensor in its heap; undefined on backends without one. */
function heapView(tf: TF, t: tfjs.Tensor): Float32Array | undefined {
  return (tf.backend() as { typedArrayFromHeap?: (t: tfjs.TensorInfo) => Float32Array }).typedArrayFromHeap?.(t);
}

/**
 * A tensor's values into `into` at `at`: straight from the wasm heap (no copy made on the way). A split
 * runs on wasm only; the dataSync is for cpu, which the unit tests also split on, and has no queue to stall.
 */
function copyOut(tf: TF, t: tfjs.Tensor, into: Float32Array, at: number): void {
  into.set(heapView(tf, t) ?? (t.dataSync() as Float32Array), at);
}

/**
 * A tensor of the shared values `from` (a view of the buffer). The wasm backend copies them into its heap
 * as it makes the tensor; others may keep the array they are given, so they get a copy.
 */
function fromShared(tf: TF, from: Float32Array, shape: number[]): tfjs.Tensor {
  return tf.tensor(tf.getBackend() === 'wasm' ? from : from.slice(), shape, 'float32');
}

/** The weight of each row of a batch in the loss: the padding mask times the row's class weight (Keras's class_weight). */
export function rowWeights(tf: TF, yb: tfjs.Tensor, mask: tfjs.Tensor1D, classWeights: tfjs.Tensor1D | null): tfjs.Tensor1D {
  return classWeights ? (tf.mul(mask, tf.sum(tf.mul(yb, classWeights), -1)) as tfjs.Tensor1D) : mask;
}

/** The leader's end: Trainer.fit (FitOptions.partner) hands the second part of every batch to it. */
export class StepPartner {
  readonly #shared: Shared;
  readonly #timeoutMs: number;

  constructor(buffer: SharedArrayBuffer, sizes: readonly number[], maxRows: number, timeoutMs = 60_000) {
    this.#shared = new Shared(buffer, new Layout(sizes, maxRows));
    this.#timeoutMs = timeoutMs;
  }

  /** The most rows one step can hand over. */
  get maxRows(): number {
    return this.#shared.layout.maxRows;
  }

  /** Start the partner on `rows` (the batch's rows from `offset` on) with the current weights of `vars`. */
  send(tf: TF, vars: readonly tfjs.Variable[], rows: Int32Array, offset: number, real: number): void {
    const { header, ints, floats, layout } = this.#shared;
    if (rows.length > layout.maxRows) throw new RangeError(`the partner takes at most ${layout.maxRows} rows, got ${rows.length}`);
    let at = layout.weights;
    for (const v of vars) {
      copyOut(tf, v, floats, at);
      at += v.size;
    }
    ints.set(rows, layout.rows);
    header[KIND] = STEP;
    header[REAL] = real;
    header[ROWS] = rows.length;
    header[OFFSET] = offset;
    // the atomic add publishes the writes above to the partner, which reads them after seeing it
    Atomics.add(header, COMMAND, 1);
    Atomics.notify(header, COMMAND);
  }

  /**
   * Wait for the partner's part of the step sent last: its loss and correct count, and its gradients in
   * the order of `vars` (tensors, inside the caller's tidy). Throws when the partner failed or stopped
   * answering.
   */
  receive(tf: TF, vars: readonly tfjs.Variable[]): { loss: tfjs.Scalar; correct: tfjs.Scalar; grads: tfjs.Tensor[] } {
    const { header, floats, error, layout } = this.#shared;
    const command = Atomics.load(header, COMMAND);
    const started = Date.now();
    for (let done = Atomics.load(header, DONE); done !== command; done = Atomics.load(header, DONE)) {
      if (Date.now() - started > this.#timeoutMs) throw new Error(`the second training worker did not answer within ${this.#timeoutMs / 1000} s`);
      Atomics.wait(header, DONE, done, Math.min(1000, this.#timeoutMs));
    }
    if (header[FAILED]) throw new Error(`the second training worker failed: ${String.fromCharCode(...error.subarray(0, header[ERROR_LENGTH]))}`);
    let at = layout.grads;
    const grads = vars.map((v) => {
      const g = fromShared(tf, floats.subarray(at, at + v.size), v.shape);
      at += v.size;
      return g;
    });
    return { loss: tf.scalar(floats[layout.loss]!), correct: tf.scalar(floats[layout.correct]!), grads };
  }

  /** End the partner's session (it returns from serve()). */
  stop(): void {
    const { header } = this.#shared;
    header[KIND] = STOP;
    Atomics.add(header, COMMAND, 1);
    Atomics.notify(header, COMMAND);
  }
}

/**
 * One batch's loss and gradients in two parts (call inside a tidy): the partner takes the rows from
 * masks.size on, `own` the first masks.size rows, each dividing by the batch's `real` rows; the sums are
 * the batch's. `vars` name the gradients.
 */
export function splitStep(
  tf: TF,
  partner: StepPartner,
  vars: readonly tfjs.Variable[],
  masks: BatchMasks,
  idx: tfjs.Tensor1D,
  rows: Int32Array,
  real: number,
  own: (idx: tfjs.Tensor1D, mask: tfjs.Tensor1D, real: number) => TapelessStepResult,
): TapelessStepResult {
  const first = masks.size;
  partner.send(tf, vars, rows.subarray(first), first, real);
  let mine: TapelessStepResult;
  try {
    mine = own(tf.slice(idx, 0, first), masks.get(Math.min(first, real)), real);
  } catch (e) {
    // the partner is busy with its part: let it finish before the error ends the step
    try {
      partner.receive(tf, vars);
    } catch {
      // its own failure says less than ours
    }
    throw e;
  }
  const theirs = partner.receive(tf, vars);
  const grads = new Map<string, tfjs.Tensor>();
  for (const [i, v] of vars.entries()) {
    const g = mine.grads.get(v.name);
    if (!g) throw new Error(`no gradient for the variable ${v.name}`);
    grads.set(v.name, tf.add(g, theirs.grads[i]!));
  }
  return {
    loss: tf.add(mine.loss, theirs.loss) as tfjs.Scalar,
    correct: mine.correct ? (tf.add(mine.correct, theirs.correct) as tfjs.Scalar) : null,
    grads,
  };
}

/** What the partner gets once per fit (structured-cloneable; x and y are transferred). */
export interface PartnerSetup {
  buffer: SharedArrayBuffer;
  sizes: number[];
  maxRows: number;
  /** The model's topology (LayersModel.toJSON): the partner builds the same layers; the weights come with each step. */
  topology: unknown;
  x: Float32Array;
  xShape: number[];
  y: Float32Array;
  yShape: number[];
  classWeights: number[] | null;
  classification: boolean;
}

/**
 * The setup for a partner of `model` training on `train`, batches of `batchSize` (the partner takes at
 * most half of one), and the leader's end. Null when the model needs the tape (tapeless-step.ts), which
 * this split does not cover, or a batch has a single row.
 */
export async function partnerSetupOf(
  tf: TF,
  model: tfjs.LayersModel,
  train: TrainTensors,
  batchSize: number,
  classWeights: readonly number[] | null,
  classification: boolean,
): Promise<{ setup: PartnerSetup; partner: StepPartner } | null> {
  const maxRows = Math.floor(Math.min(batchSize, train.x.shape[0]!) / 2);
  if (maxRows < 1 || !tapelessStepOf(tf, model, classification)) return null;
  const sizes = model.trainableWeights.map((w) => w.read().size);
  const layout = new Layout(sizes, maxRows);
  const buffer = new SharedArrayBuffer(layout.bytes);
  const setup: PartnerSetup = {
    buffer,
    sizes,
    maxRows,
    topology: model.toJSON(null, false),
    x: (await train.x.data()) as Float32Array,
    xShape: train.x.shape,
    y: (await train.y.data()) as Float32Array,
    yShape: train.y.shape,
    classWeights: classWeights ? [...classWeights] : null,
    classification,
  };
  return { setup, partner: new StepPartner(buffer, sizes, maxRows) };
}

/** The partner's end: the model, the training rows and the step; serve() answers the leader's commands. */
export class PartnerSession {
  readonly #tf: TF;
  readonly #shared: Shared;
  readonly #model: tfjs.LayersModel;
  readonly #vars: tfjs.Variable[];
  readonly #step: TapelessStep;
  readonly #x: tfjs.Tensor;
  readonly #y: tfjs.Tensor;
  readonly #classWeights: tfjs.Tensor1D | null;
  readonly #masks: BatchMasks;
  #seen: number;

  private constructor(tf: TF, setup: PartnerSetup, model: tfjs.LayersModel) {
    this.#tf = tf;
    this.#shared = new Shared(setup.buffer, new Layout(setup.sizes, setup.maxRows));
    this.#model = model;
    this.#vars = model.trainableWeights.map((w) => w.read() as tfjs.Variable);
    const sizes = this.#vars.map((v) => v.size);
    if (sizes.length !== setup.sizes.length || sizes.some((s, i) => s !== setup.sizes[i])) {
      model.dispose();
      throw new Error(`the partner's model has weights of ${sizes.join(', ')} values, the leader's ${setup.sizes.join(', ')}`);
    }
    const step = tapelessStepOf(tf, model, setup.classification);
    if (!step) {
      model.dispose();
      throw new Error("the partner's model needs the tape");
    }
    this.#step = step;
    this.#x = tf.tensor(setup.x, setup.xShape, 'float32');
    this.#y = tf.tensor(setup.y, setup.yShape, 'float32');
    this.#classWeights = setup.classWeights && setup.classification ? tf.tensor1d(setup.classWeights, 'float32') : null;
    this.#masks = new BatchMasks(tf, setup.maxRows);
    this.#seen = Atomics.load(this.#shared.header, COMMAND);
  }

  /** Build the model and the training tensors on the active backend. */
  static async start(tf: TF, setup: PartnerSetup): Promise<PartnerSession> {
    const model = await tf.models.modelFromJSON({ modelTopology: setup.topology } as never);
    return new PartnerSession(tf, setup, model);
  }

  /** Answer the command sent since the last one, if any: 'step' after a step, 'stop' when the leader ended the session. */
  handle(): 'step' | 'stop' | 'none' {
    const { header } = this.#shared;
    const command = Atomics.load(header, COMMAND);
    if (command === this.#seen) return 'none';
    this.#seen = command;
    if (header[KIND] === STOP) return 'stop';
    try {
      this.#stepOnce();
      header[FAILED] = 0;
    } catch (e) {
      const text = (e instanceof Error ? e.message : String(e)).slice(0, ERROR_CHARS);
      for (let i = 0; i < text.length; i++) this.#shared.error[i] = text.charCodeAt(i);
      header[ERROR_LENGTH] = text.length;
      header[FAILED] = 1;
    }
    Atomics.store(header, DONE, command);
    Atomics.notify(header, DONE);
    return 'step';
  }

  /**
   * Answer commands until the leader stops the session or `abandoned()` says it is gone. Waits blocked
   * on the buffer until the leader's notify, and every `yieldMs` without a command lets this worker's
   * messages through. (Spinning instead of blocking made both workers' steps slower on the 2-core machine.)
   */
  async serve(abandoned: () => boolean = () => false, yieldMs = 200): Promise<void> {
    const { header } = this.#shared;
    for (;;) {
      const answered = this.handle();
      if (answered === 'stop') return;
      if (answered === 'none' && Atomics.wait(header, COMMAND, this.#seen, yieldMs) === 'timed-out') {
        await nextTask();
        if (abandoned()) return;
      }
    }
  }

  #stepOnce(): void {
    const tf = this.#tf;
    const { header, ints, floats, layout } = this.#shared;
    const rows = header[ROWS]!;
    const real = header[REAL]!;
    const offset = header[OFFSET]!;
    if (rows !== layout.maxRows) throw new RangeError(`the partner takes batches of ${layout.maxRows} rows, got ${rows}`);
    tf.tidy(() => {
      let at = layout.weights;
      for (const v of this.#vars) {
        // a new tensor, not the old one written over: the wasm backend's convolutions keep XNNPACK's
        // operator, with the filter packed into it, for as long as the filter tensor lives
        v.assign(fromShared(tf, floats.subarray(at, at + v.size), v.shape));
        at += v.size;
      }
      const idx = tf.tensor1d(ints.slice(layout.rows, layout.rows + rows), 'int32');
      const xb = tf.gather(this.#x, idx);
      const yb = tf.gather(this.#y, idx);
      const mask = this.#masks.get(Math.max(0, Math.min(rows, real - offset)));
      const result = this.#step.run(xb, yb, rowWeights(tf, yb, mask, this.#classWeights), mask, real);
      at = layout.grads;
      for (const v of this.#vars) {
        copyOut(tf, result.grads.get(v.name)!, floats, at);
        at += v.size;
      }
      copyOut(tf, result.loss, floats, layout.loss);
      floats[layout.correct] = 0;
      if (result.correct) copyOut(tf, result.correct, floats, layout.correct);
    });
  }

  dispose(): void {
    this.#tf.dispose([this.#x, this.#y]);
    this.#classWeights?.dispose();
    this.#masks.dispose();
    this.#model.dispose();
  }
}

/** What the leader tells the partner at the start of a fit. */
type ToPartner = { kind: 'setup'; setup: PartnerSetup } | { kind: 'alone' };
/** The partner's answer to a setup. */
type ToLeader = { kind: 'ready' } | { kind: 'failed'; message: string };

/**
 * The leader: hand `setup` to the partner at the other end of `port` (x and y are transferred) and wait
 * until it has built the model; null when it could not or did not answer within `timeoutMs` (the run then
 * trains alone).
 */
export function connectPartner(port: MessagePort, setup: PartnerSetup, partner: StepPartner, timeoutMs = 30_000): Promise<StepPartner | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => answer({ kind: 'failed', message: `no answer within ${timeoutMs / 1000} s` }), timeoutMs);
    const answer = (reply: ToLeader) => {
      clearTimeout(timer);
      port.onmessage = null;
      if (reply.kind === 'ready') return resolve(partner);
      port.close();
      resolve(null);
    };
    port.onmessage = (e: MessageEvent<ToLeader>) => answer(e.data);
    port.postMessage({ kind: 'setup', setup } satisfies ToPartner, [setup.x.buffer, setup.y.buffer]);
  });
}

/** The leader: this fit trains alone; the partner's serving ends. */
export function releasePartner(port: MessagePort): void {
  port.postMessage({ kind: 'alone' } satisfies ToPartner);
  port.close();
}

/**
 * The partner: serve the leader at the other end of `port` for one fit, until it stops the session,
 * trains alone, or `abandoned()` (checked while no step comes) says it is gone. `prepare` (making wasm
 * the active backend) runs when the setup comes; its failure is the leader's answer.
 */
export function servePartner(tf: TF, port: MessagePort, abandoned: () => boolean, prepare: () => Promise<unknown> = async () => {}): Promise<'served' | 'alone' | 'failed'> {
  return new Promise((resolve) => {
    port.onmessage = async (e: MessageEvent<ToPartner>) => {
      port.onmessage = null;
      if (e.data.kind === 'alone') {
        port.close();
        return resolve('alone');
      }
      let session: PartnerSession;
      try {
        await prepare();
        session = await PartnerSession.start(tf, e.data.setup);
      } catch (error) {
        port.postMessage({ kind: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies ToLeader);
        port.close();
        return resolve('failed');
      }
      port.postMessage({ kind: 'ready' } satisfies ToLeader);
      try {
        await session.serve(abandoned);
      } finally {
        session.dispose();
        port.close();
      }
      resolve('served');
    };
  });
}
