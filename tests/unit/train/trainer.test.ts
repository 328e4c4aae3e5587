import type * as tfjs from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TrainError } from '../../../src/core/model/errors';
import { buildModel, type LayerSpec, type ModelSpec } from '../../../src/core/model/model-spec';
import { presetById } from '../../../src/core/train/presets';
import {
  balancedClassWeights,
  balancedSoftClassWeights,
  checkpointTransferables,
  PauseGate,
  predict,
  toTensors,
  Trainer,
  type BatchProgress,
  type EpochLog,
  type TrainConfig,
  type TrainTensors,
} from '../../../src/core/train/trainer';
import { blobs, useCpu } from './helpers';

let tf: typeof tfjs;
beforeAll(async () => {
  tf = await useCpu();
});

const toDispose: { dispose(): void }[] = [];
afterEach(() => {
  for (const d of toDispose.splice(0)) d.dispose();
});

function mlp(features: number, classes: number, layers: LayerSpec[] = [{ type: 'dense', units: 8, activation: 'tanh' }]): ModelSpec {
  return { version: 1, input: { kind: 'tabular', features }, layers, head: { kind: 'classification', classes }, seed: 7 };
}

function data(n: number, d: number, seed: number, flip = false): TrainTensors {
  const { x, y } = blobs(n, d, seed);
  if (flip) for (let i = 0; i < n; i++) y[i] = 1 - y[i]!;
  const t = toTensors(tf, { rows: n, x, featureShape: [d], y, missing: {} }, { column: 'k', sourceType: 'categorical', task: 'classification', classes: ['a', 'b'], counts: [] });
  toDispose.push(t.x, t.y);
  return t;
}

function model(spec: ModelSpec): tfjs.LayersModel {
  const m = buildModel(tf, spec);
  toDispose.push(m);
  return m;
}

function trainer(m: tfjs.LayersModel, config: Partial<TrainConfig>, gate?: PauseGate): Trainer {
  const t = new Trainer(tf, m, { task: 'classification', optimizer: 'adam', learningRate: 0.05, batchSize: 16, epochs: 5, seed: 1, progressEveryMs: 0, ...config }, gate);
  toDispose.push(t);
  return t;
}

async function weightsOf(m: tfjs.LayersModel): Promise<Float32Array[]> {
  return Promise.all(m.getWeights().map(async (w) => (await w.data()) as Float32Array));
}

describe('Trainer', () => {
  it('learns separable data, reporting every epoch and every part of an epoch', async () => {
    const m = model(mlp(2, 2));
    const train = data(100, 2, 1);
    const val = data(40, 2, 2);
    const epochs: EpochLog[] = [];
    const reports: BatchProgress[] = [];
    const result = await trainer(m, { epochs: 8 }).fit({ train, validation: val, onEpoch: (l) => void epochs.push(l), onBatch: (p) => void reports.push(p) });
    expect(result.status).toBe('completed');
    expect(result.epochs).toBe(8);
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(epochs.at(-1)!.valAcc).toBeGreaterThan(0.9);
    expect(epochs.at(-1)!.loss).toBeLessThan(epochs[0]!.loss);
    // 100 rows / 16 = 7 batches per epoch (the last padded), 40 / 16 = 3 validation batches, then the
    // metrics readback and onEpoch (the checkpoint), 8 epochs
    const steps = (e: number) => reports.filter((p) => p.epoch === e).map((p) => (p.step.kind === 'batches' || p.step.kind === 'validation' ? `${p.step.kind} ${p.step.done}/${p.step.total}` : p.step.kind));
    const oneEpoch = [1, 2, 3, 4, 5, 6, 7].map((b) => `batches ${b}/7`).concat(['validation 1/3', 'validation 2/3', 'validation 3/3', 'metrics', 'checkpoint']);
    for (let e = 0; e < 8; e++) expect(steps(e)).toEqual(oneEpoch);
    expect(reports).toHaveLength(8 * 12);
    // each batch is one unit of the epoch's 10: 0.5 x 4/10 after the fourth batch of the second epoch of 8
    expect(reports[12 + 3]!.fraction).toBeCloseTo((1 + 4 / 10) / 8, 12);
    const fractions = reports.map((p) => p.fraction);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]!)).toBe(true);
    expect(fractions.at(-1)).toBe(1);
    // every part was timed once it ran: the second epoch's reports carry the first epoch's validation and end
    const second = reports[12]!;
    expect(second.times.batchMs).toBeGreaterThan(0);
    expect(second.times.validationBatchMs).toBeGreaterThan(0);
    expect(second.times.endMs).toBeGreaterThan(0);
    expect(reports[0]!.times.validationBatchMs).toBeNull();
    expect(reports[0]!.times.endMs).toBeNull();
  });

  it('the padded last batch counts each real row exactly once (loss and accuracy match a full pass)', async () => {
    const m = model(mlp(3, 2));
    const train = data(10, 3, 3); // batches of 4: 4 + 4 + 2 real rows (+2 padding)
    // a learning rate too small to move float32 weights: the epoch's loss is the loss of the initial model
    const log: EpochLog[] = [];
    const weights = [3, 0.5];
    await trainer(m, { optimizer: 'sgd', learningRate: 1e-30, batchSize: 4, epochs: 1, classWeights: weights }).fit({ train, onEpoch: (l) => void log.push(l) });
    const out = m.predict(train.x) as tfjs.Tensor;
    const p = (await out.data()) as Float32Array;
    out.dispose();
    const y = (await train.y.data()) as Float32Array;
    let loss = 0;
    let correct = 0;
    for (let i = 0; i < 10; i++) {
      const k = y[i * 2 + 1] === 1 ? 1 : 0;
      // Keras class_weight: mean over rows of weight(class) x cross-entropy
      loss += weights[k]! * -Math.log(p[i * 2 + k]!);
      if ((p[i * 2 + 1]! > p[i * 2]! ? 1 : 0) === k) correct++;
    }
    expect(log[0]!.loss).toBeCloseTo(loss / 10, 5);
    expect(log[0]!.acc).toBe(correct / 10);
  });

  it('keeps tf.memory() flat across epochs, and frees everything it made', async () => {
    const m = model(mlp(4, 2, [{ type: 'dense', units: 8, activation: 'relu' }, { type: 'batchNormalization' }, { type: 'dropout', rate: 0.2 }]));
    const train = data(50, 4, 4);
    const val = data(20, 4, 5);
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const t = new Trainer(tf, m, {
      task: 'classification',
      optimizer: 'adam',
      learningRate: 0.01,
      batchSize: 16,
      epochs: 5,
      seed: 3,
      classWeights: [1, 2],
      earlyStopping: { patience: 10, restoreBestWeights: true },
    });
    await t.fit({ train, validation: val, onEpoch: () => void counts.push(tf.memory().numTensors) });
    expect(counts).toHaveLength(5);
    expect(new Set(counts).size).toBe(1);
    const ckpt = await t.getCheckpoint();
    expect(ckpt.epoch).toBe(5);
    t.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each(['adam', 'sgd', 'momentum', 'rmsprop', 'adagrad'] as const)('%s: a checkpoint resumes to exactly the same weights as an uninterrupted run', async (optimizer) => {
    const spec = mlp(2, 2, [{ type: 'dense', units: 6, activation: 'relu' }, { type: 'batchNormalization' }]);
    const train = data(40, 2, 6);
    const val = data(20, 2, 7);
    // batches of 2: 20 steps an epoch, enough for Adam's running beta powers to part from pow(beta, t)
    const config = { epochs: 4, batchSize: 2, optimizer, learningRate: 0.02, earlyStopping: { patience: 5 } };

    const straight = model(spec);
    const full = await trainer(straight, config).fit({ train, validation: val });

    // Interrupted after epoch 2: the checkpoint goes through structured clone, as into IndexedDB.
    const first = model(spec);
    const stop = new AbortController();
    const t1 = trainer(first, config);
    let saved: Awaited<ReturnType<Trainer['getCheckpoint']>> | null = null;
    const partial = await t1.fit({
      train,
      validation: val,
      signal: stop.signal,
      onEpoch: async (l) => {
        if (l.epoch === 1) {
          saved = structuredClone(await t1.getCheckpoint());
          stop.abort();
        }
      },
    });
    expect(partial.status).toBe('cancelled');
    expect(partial.epochs).toBe(2);
    expect(saved!.epoch).toBe(2);
    expect(saved!.optimizer.weights[0]).toMatchObject({ name: 'iter', dtype: 'int32', values: Int32Array.from([40]) }); // 2 epochs x 20 batches

    const resumed = model(spec);
    const t2 = trainer(resumed, config);
    await t2.restoreCheckpoint(saved!);
    const rest = await t2.fit({ train, validation: val });
    expect(rest.epochs).toBe(4);
    expect(rest.history.map((h) => h.loss)).toEqual(full.history.map((h) => h.loss));
    expect(await weightsOf(resumed)).toEqual(await weightsOf(straight));
  });

  it('early stopping waits `patience` epochs, then restores the best weights', async () => {
    const m = model(mlp(2, 2));
    const train = data(60, 2, 8);
    const val = data(30, 2, 9, true); // flipped labels: the better it learns, the worse validation gets
    const t = trainer(m, { epochs: 20, earlyStopping: { patience: 2 } });
    let bestWeights: Float32Array[] | null = null;
    const result = await t.fit({
      train,
      validation: val,
      onEpoch: async (l) => {
        if (l.epoch === 0) bestWeights = await weightsOf(m);
      },
    });
    expect(result.status).toBe('early-stopped');
    expect(result.bestEpoch).toBe(0);
    // epochs 1 and 2 did not improve: stop after epoch 2
    expect(result.epochs).toBe(3);
    expect(result.restoredBest).toBe(true);
    expect(await weightsOf(m)).toEqual(bestWeights);
  });

  it('a paused gate holds its waiter until resumed or aborted', async () => {
    let parks = 0;
    const gate = new PauseGate(() => parks++);
    await gate.wait(); // not paused: passes at once, without parking
    gate.pause();
    let released = false;
    const waiting = gate.wait().then(() => (released = true));
    await Promise.resolve();
    expect(released).toBe(false);
    gate.resume();
    await waiting;
    expect(released).toBe(true);
    const stop = new AbortController();
    gate.pause();
    const aborted = gate.wait(stop.signal);
    stop.abort();
    await aborted;
    expect(parks).toBe(2);
  });

  it('pause parks the loop between batches; resume continues; cancel works while paused', async () => {
    const train = data(64, 2, 10);
    let parked!: () => void;
    const parkedNow = new Promise<void>((r) => (parked = r));
    const t = trainer(model(mlp(2, 2)), { batchSize: 8, epochs: 2 }, new PauseGate(() => parked()));
    let batches = 0;
    const done = t.fit({
      train,
      onBatch: (p) => {
        if (p.step.kind !== 'batches') return;
        batches++;
        if (batches === 3) t.pause();
      },
    });
    // the loop parks at the boundary after the third batch and runs no batch while parked
    await parkedNow;
    expect(t.gate.paused).toBe(true);
    expect(batches).toBe(3);
    t.resume();
    const result = await done;
    expect(result.status).toBe('completed');
    expect(batches).toBe(16);

    // cancelled once parked
    const stop = new AbortController();
    const t2 = trainer(model(mlp(2, 2)), { batchSize: 8, epochs: 2 }, new PauseGate(() => stop.abort()));
    const run = t2.fit({ train, signal: stop.signal, onBatch: (p) => p.step.kind === 'batches' && p.step.done === 2 && t2.pause() });
    const r2 = await run;
    expect(r2.status).toBe('cancelled');
    expect(r2.epochs).toBe(0);
  });

  it('regression: MSE loss, no accuracy; divergence is reported', async () => {
    const spec: ModelSpec = { version: 1, input: { kind: 'tabular', features: 1 }, layers: [], head: { kind: 'regression' }, seed: 1 };
    const xs = Float32Array.from({ length: 32 }, (_, i) => i / 32);
    const x = tf.tensor2d(xs, [32, 1]);
    const y = tf.tensor2d(xs.map((v) => 2 * v - 1), [32, 1]);
    toDispose.push(x, y);
    const logs: EpochLog[] = [];
    const ok = await trainer(model(spec), { task: 'regression', epochs: 30, learningRate: 0.1, batchSize: 8 }).fit({ train: { x, y }, validation: { x, y }, onEpoch: (l) => void logs.push(l) });
    expect(ok.status).toBe('completed');
    expect(logs.at(-1)!.acc).toBeNull();
    expect(logs.at(-1)!.valAcc).toBeNull();
    expect(logs.at(-1)!.valLoss).toBeLessThan(0.01);
    const bad = await trainer(model(spec), { task: 'regression', optimizer: 'sgd', epochs: 30, learningRate: 1e6, batchSize: 8 }).fit({ train: { x, y } });
    expect(bad.status).toBe('diverged');
  });

  it('a small CNN with batch norm and an embedding model train without leaks', async () => {
    const cnnSpec = presetById('small-cnn')!.make({ input: { kind: 'image', height: 8, width: 8, channels: 1 }, classes: 2 });
    cnnSpec.layers.splice(1, 0, { type: 'batchNormalization' });
    const xi = tf.randomUniform([12, 8, 8, 1], 0, 1, 'float32', 1);
    const yi = tf.oneHot(tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1], 'int32'), 2).toFloat();
    const emb = presetById('text-embedding')!.make({ input: { kind: 'tokens', length: 5, vocabSize: 20 }, classes: 2 });
    const xt = tf.tensor2d(Array.from({ length: 60 }, (_, i) => (i * 7) % 20), [12, 5]);
    toDispose.push(xi, yi, xt);
    for (const [spec, x] of [
      [cnnSpec, xi],
      [emb, xt],
    ] as const) {
      const counts: number[] = [];
      await trainer(model(spec), { epochs: 3, batchSize: 5 }).fit({ train: { x, y: yi }, validation: { x, y: yi }, onEpoch: () => void counts.push(tf.memory().numTensors) });
      expect(new Set(counts).size).toBe(1);
    }
  });

  it('refuses a checkpoint of another model, naming the weight', async () => {
    const t = trainer(model(mlp(2, 2)), {});
    const other = trainer(model(mlp(3, 2)), {});
    const ckpt = await other.getCheckpoint();
    await expect(t.restoreCheckpoint(ckpt)).rejects.toThrow(TrainError);
    await expect(t.restoreCheckpoint(ckpt)).rejects.toThrow(/Checkpoint weight 1 "dense_1\/kernel" \[3, 8\] does not fit the model's "dense_1\/kernel" \[2, 8\]/);
  });

  it('checkpoint arrays are copies: transferring them leaves the model intact', async () => {
    const m = model(mlp(2, 2));
    const t = trainer(m, { epochs: 1 });
    await t.fit({ train: data(20, 2, 11) });
    const before = await weightsOf(m);
    const ckpt = await t.getCheckpoint();
    const transfer = checkpointTransferables(ckpt);
    expect(transfer.length).toBe(ckpt.weights.length + ckpt.optimizer.weights.length);
    structuredClone(ckpt, { transfer });
    expect(ckpt.weights[0]!.values.length).toBe(0); // detached by the transfer
    expect(await weightsOf(m)).toEqual(before);
  });
});

describe('helpers', () => {
  it('balancedClassWeights: n / (classes x count)', () => {
    // 6 rows: class 0 x4, class 1 x2 -> 6/(2*4) = 0.75, 6/(2*2) = 1.5
    expect(balancedClassWeights([0, 0, 0, 1, 0, 1], 2)).toEqual([0.75, 1.5]);
  });

  it('predict in padded batches equals model.predict', async () => {
    const m = model(mlp(2, 3));
    const x = tf.randomNormal([11, 2], 0, 1, 'float32', 3);
    toDispose.push(x);
    const before = tf.memory().numTensors;
    const mine = await predict(tf, m, x, 4);
    expect(tf.memory().numTensors).toBe(before);
    const out = m.predict(x) as tfjs.Tensor;
    const theirs = (await out.data()) as Float32Array;
    out.dispose();
    expect(mine.length).toBe(33);
    mine.forEach((v, i) => expect(v).toBeCloseTo(theirs[i]!, 6));
  });
});

describe('soft labels (targets are class probabilities, as a label model gives)', () => {
  // A model whose output is softmax([0, ln 3]) = [0.25, 0.75] for every row: the loss is then hand-computable.
  const P = [0.25, 0.75];
  const Y = [
    [0.6, 0.4],
    [0.1, 0.9],
    [1, 0],
  ];
  const crossEntropy = (y: number[]) => -(y[0]! * Math.log(P[0]!) + y[1]! * Math.log(P[1]!));

  async function firstEpochLoss(classWeights: number[] | null): Promise<EpochLog> {
    const m = model({ version: 1, input: { kind: 'tabular', features: 1 }, layers: [], head: { kind: 'classification', classes: 2 }, seed: 1 });
    const fixed = [tf.zeros([1, 2]), tf.tensor1d([0, Math.log(3)])];
    m.setWeights(fixed);
    fixed.forEach((t) => t.dispose());
    const soft = Float32Array.from(Y.flat());
    const label = { column: 'set', sourceType: 'categorical' as const, task: 'classification' as const, classes: ['ham', 'spam'], counts: [] };
    const t = toTensors(tf, { rows: 3, x: new Float32Array([1, -2, 5]), featureShape: [1], y: null, missing: {} }, label, soft);
    toDispose.push(t.x, t.y);
    const trainer = new Trainer(tf, m, { task: 'classification', optimizer: 'sgd', learningRate: 1e-6, batchSize: 3, epochs: 1, seed: 1, classWeights });
    toDispose.push(trainer);
    const result = await trainer.fit({ train: t });
    return result.history[0]!;
  }

  it('the loss is the cross-entropy against the probability vectors, computed by hand', async () => {
    const log = await firstEpochLoss(null);
    const expected = Y.map(crossEntropy).reduce((a, b) => a + b, 0) / 3;
    expect(expected).toBeCloseTo(0.910229, 5);
    expect(log.loss).toBeCloseTo(expected, 5);
    // accuracy compares the most likely classes: the model says spam, the targets say ham, spam, ham
    expect(log.acc).toBeCloseTo(1 / 3, 6);
  });

  it('balanced class weights count each row toward a class by its probability', async () => {
    const soft = Y.flat();
    const w = balancedSoftClassWeights(soft, 2);
    expect(w[0]).toBeCloseTo(3 / (2 * 1.7), 6);
    expect(w[1]).toBeCloseTo(3 / (2 * 1.3), 6);
    // one-hot targets give exactly the hard-label weights
    expect(balancedSoftClassWeights([1, 0, 0, 1, 1, 0, 1, 0], 2)).toEqual(balancedClassWeights([0, 1, 0, 0], 2));
    const log = await firstEpochLoss(w);
    const expected = Y.map((y) => (y[0]! * w[0]! + y[1]! * w[1]!) * crossEntropy(y)).reduce((a, b) => a + b, 0) / 3;
    expect(log.loss).toBeCloseTo(expected, 5);
  });

  it('refuses soft targets of the wrong size', () => {
    const label = { column: 'set', sourceType: 'categorical' as const, task: 'classification' as const, classes: ['a', 'b'], counts: [] };
    expect(() => toTensors(tf, { rows: 2, x: new Float32Array(2), featureShape: [1], y: null, missing: {} }, label, new Float32Array(3))).toThrow(/soft targets/);
  });
});
