/**
 * Data parallelism over two workers (core/train/data-parallel.ts): a fit whose batches are split with a
 * partner trains the same weights as one that is not, on cpu and on wasm. Here the partner's session
 * answers in the same thread: its handle() runs between the leader's send and receive, so the shared
 * buffer, the partner's own model and the Trainer's split are all the real ones; only the blocking wait
 * is left out (tests/e2e/train-split.e2e.ts runs two real workers).
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildModel, type ModelSpec } from '../../../src/core/model/model-spec';
import { PartnerSession, partnerSetupOf, StepPartner, type PartnerSetup } from '../../../src/core/train/data-parallel';
import { Trainer, type TrainConfig, type TrainTensors } from '../../../src/core/train/trainer';
import { startWasmWithKernels } from './helpers';

beforeAll(startWasmWithKernels);

const toDispose: { dispose(): void }[] = [];
afterEach(() => {
  for (const d of toDispose.splice(0)) d.dispose();
});

/** A CNN on 8 x 8 x 1 images (conv, pool, dense), three classes; seeded, so two builds start alike. */
const CNN: ModelSpec = {
  version: 1,
  input: { kind: 'image', height: 8, width: 8, channels: 1 },
  layers: [
    { type: 'conv2d', filters: 4, kernelSize: 3, activation: 'relu', padding: 'valid' },
    { type: 'maxPooling2d', poolSize: 2 },
    { type: 'flatten' },
    { type: 'dense', units: 6, activation: 'relu' },
  ],
  head: { kind: 'classification', classes: 3 },
  seed: 5,
};

/** The same images through dense layers only (on wasm one DENSE_STEP_KERNEL call a step, wasm-dense-step.ts). */
const MLP: ModelSpec = {
  ...CNN,
  layers: [{ type: 'flatten' }, { type: 'dense', units: 12, activation: 'relu' }, { type: 'dense', units: 6, activation: 'relu' }],
};

/** n images whose class is the brightest third of the image (top, middle, bottom), with noise. */
function images(n: number): TrainTensors {
  const x = new Float32Array(n * 64);
  const y = new Float32Array(n * 3);
  let s = 11;
  const noise = () => ((s = (s * 1103515245 + 12345) % 2147483648), s / 2147483648);
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    for (let p = 0; p < 64; p++) x[i * 64 + p] = 0.3 * noise() + (Math.floor(p / 8 / 3) === k ? 0.7 : 0);
    y[i * 3 + k] = 1;
  }
  const t = { x: tf.tensor4d(x, [n, 8, 8, 1]), y: tf.tensor2d(y, [n, 3]) };
  toDispose.push(t.x, t.y);
  return t;
}

/** A partner answering in this thread, and how many steps it answered. */
async function sameThreadPartner(setup: PartnerSetup, partner: StepPartner): Promise<{ partner: StepPartner; steps: () => number; session: PartnerSession }> {
  const session = await PartnerSession.start(tf, setup);
  toDispose.push(session);
  let steps = 0;
  const receive = partner.receive.bind(partner);
  partner.receive = (t, vars) => {
    if (session.handle() === 'step') steps++;
    return receive(t, vars);
  };
  return { partner, steps: () => steps, session };
}

async function fit(config: Partial<TrainConfig>, n: number, split: boolean, spec = CNN) {
  const model = buildModel(tf, spec);
  toDispose.push(model);
  const full: TrainConfig = { task: 'classification', optimizer: 'adam', learningRate: 0.02, batchSize: 10, epochs: 3, seed: 3, ...config };
  const trainer = new Trainer(tf, model, full);
  toDispose.push(trainer);
  const train = images(n);
  const made = split ? await partnerSetupOf(tf, model, train, full.batchSize, full.classWeights ?? null, true) : null;
  if (split && !made) throw new Error('no partner setup');
  const same = made ? await sameThreadPartner(made.setup, made.partner) : null;
  const result = await trainer.fit({ train, partner: same?.partner ?? null });
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  return { result, weights, steps: same?.steps() ?? 0 };
}

describe.each(['cpu', 'wasm'] as const)('a batch split with a partner, on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
  });

  // 37 rows in batches of 10: the last batch has 7 real rows, 2 of them in the partner's half; batches
  // of 9 split 5 + 4; 23 rows in 10s leave 3 real rows, none in the partner's half
  it.each([
    { net: 'CNN', rows: 37, batchSize: 10, classWeights: null },
    { net: 'CNN', rows: 37, batchSize: 9, classWeights: [1, 2.5, 0.5] },
    { net: 'CNN', rows: 23, batchSize: 10, classWeights: [0.7, 1, 1.6] },
    { net: 'MLP', rows: 37, batchSize: 9, classWeights: [1, 2.5, 0.5] },
  ])('$net: $rows rows in batches of $batchSize (class weights $classWeights) train the same weights as unsplit', async ({ net, rows, batchSize, classWeights }) => {
    const spec = net === 'MLP' ? MLP : CNN;
    const before = tf.memory().numTensors;
    const config = { batchSize, classWeights };
    const alone = await fit(config, rows, false, spec);
    const split = await fit(config, rows, true, spec);
    expect(split.steps).toBe(3 * Math.ceil(rows / batchSize));
    expect(split.result.status).toBe('completed');
    for (const [i, h] of split.result.history.entries()) {
      const a = alone.result.history[i]!;
      expect(h.loss).toBeCloseTo(a.loss, 5);
      expect(h.acc).toBe(a.acc);
    }
    // the first epoch's loss moved: the weights did train
    expect(split.result.history[2]!.loss).toBeLessThan(split.result.history[0]!.loss);
    for (const [i, w] of split.weights.entries()) {
      const a = alone.weights[i]!;
      let worst = 0;
      for (let j = 0; j < w.length; j++) worst = Math.max(worst, Math.abs(w[j]! - a[j]!));
      expect(worst).toBeLessThan(1e-5);
    }
    for (const d of toDispose.splice(0)) d.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("a failing partner's message reaches the leader, naming the partner", async () => {
    const model = buildModel(tf, CNN);
    toDispose.push(model);
    const train = images(8);
    const made = (await partnerSetupOf(tf, model, train, 8, null, true))!;
    const session = await PartnerSession.start(tf, made.setup);
    toDispose.push(session);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    // 3 rows where the partner takes 4: it refuses
    made.partner.send(tf, vars, new Int32Array([0, 1, 2]), 4, 8);
    expect(session.handle()).toBe('step');
    expect(() => tf.tidy(() => void made.partner.receive(tf, vars))).toThrow('the second training worker failed: the partner takes batches of 4 rows, got 3');
    // the session goes on: a good step after the bad one answers
    made.partner.send(tf, vars, new Int32Array([4, 5, 6, 7]), 4, 8);
    expect(session.handle()).toBe('step');
    const theirs = tf.tidy(() => {
      const r = made.partner.receive(tf, vars);
      return [r.loss.dataSync()[0]!, r.grads.length] as const;
    });
    expect(Number.isFinite(theirs[0]) && theirs[0] > 0).toBe(true);
    expect(theirs[1]).toBe(vars.length);
    made.partner.stop();
    expect(session.handle()).toBe('stop');
  });
});

describe('the split', () => {
  it('a leader waiting for a partner that never answers gives up with a message', async () => {
    const model = buildModel(tf, CNN);
    toDispose.push(model);
    const made = (await partnerSetupOf(tf, model, images(4), 4, null, true))!;
    const slow = new StepPartner(made.setup.buffer, made.setup.sizes, made.setup.maxRows, 50);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    slow.send(tf, vars, new Int32Array([2, 3]), 2, 4);
    expect(() => tf.tidy(() => void slow.receive(tf, vars))).toThrow('the second training worker did not answer within 0.05 s');
  });

  it('covers only what the tapeless step trains, and batches of two rows or more', async () => {
    const train = images(6);
    const cnn = buildModel(tf, CNN);
    const normed = buildModel(tf, { ...CNN, layers: [{ type: 'batchNormalization' }, ...CNN.layers] });
    toDispose.push(cnn, normed);
    expect(await partnerSetupOf(tf, normed, train, 4, null, true)).toBeNull();
    expect(await partnerSetupOf(tf, cnn, train, 1, null, true)).toBeNull();
    // the partner's half of a batch larger than the data is half the data
    expect((await partnerSetupOf(tf, cnn, train, 64, null, true))!.partner.maxRows).toBe(3);
  });
});
