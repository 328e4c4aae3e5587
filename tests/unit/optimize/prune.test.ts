import type * as tfjs from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { measureBundle } from '../../../src/core/optimize/artifacts';
import { OptimizeError } from '../../../src/core/optimize/errors';
import {
  magnitudeMask,
  measureSparsity,
  pruneAndFineTune,
  prunedCount,
  Pruner,
  shouldPruneAt,
  sparsityAt,
  stepsOf,
  validateSchedule,
  type PruningSchedule,
} from '../../../src/core/optimize/prune';
import { quantizeBundle } from '../../../src/core/optimize/quantize';
import { exportBundle, importBundle } from '../../../src/core/model/bundle';
import { buildModel, type ModelSpec } from '../../../src/core/model/model-spec';
import { toTensors, Trainer, type TrainConfig } from '../../../src/core/train/trainer';
import { blobs } from '../train/helpers';
import { metadataFor, tabularStats, useCpu } from './helpers';

let tf: typeof tfjs;
beforeAll(async () => {
  tf = await useCpu();
});

const schedule: PruningSchedule = { initialSparsity: 0.5, finalSparsity: 0.9, beginStep: 10, endStep: 50, frequency: 10 };

describe('polynomial decay schedule', () => {
  it('matches the formula at hand-computed steps', () => {
    // s(t) = 0.9 + (0.5 - 0.9) (1 - (t - 10) / 40)^3
    expect(sparsityAt(schedule, 0)).toBeCloseTo(0.5, 12); // before begin: the initial sparsity
    expect(sparsityAt(schedule, 10)).toBeCloseTo(0.5, 12); // 0.9 - 0.4 x 1
    expect(sparsityAt(schedule, 20)).toBeCloseTo(0.73125, 12); // 0.9 - 0.4 x 0.75^3 = 0.9 - 0.4 x 0.421875
    expect(sparsityAt(schedule, 30)).toBeCloseTo(0.85, 12); // 0.9 - 0.4 x 0.125
    expect(sparsityAt(schedule, 40)).toBeCloseTo(0.89375, 12); // 0.9 - 0.4 x 0.015625
    expect(sparsityAt(schedule, 50)).toBeCloseTo(0.9, 12);
    expect(sparsityAt(schedule, 500)).toBeCloseTo(0.9, 12);
    // power 1 is linear
    expect(sparsityAt({ ...schedule, power: 1 }, 30)).toBeCloseTo(0.7, 12);
  });

  it('updates masks every `frequency` steps from begin, and always at the end step', () => {
    const steps = Array.from({ length: 60 }, (_, t) => t).filter((t) => shouldPruneAt(schedule, t));
    expect(steps).toEqual([10, 20, 30, 40, 50]);
    const odd = { ...schedule, endStep: 45 };
    expect(Array.from({ length: 60 }, (_, t) => t).filter((t) => shouldPruneAt(odd, t))).toEqual([10, 20, 30, 40, 45]);
  });

  it('refuses bad schedules with clear messages', () => {
    const bad = (patch: Partial<PruningSchedule>) => () => validateSchedule({ ...schedule, ...patch });
    expect(bad({ finalSparsity: 1 })).toThrowError(/Final sparsity must be at least 0 and below 1, got 1/);
    expect(bad({ initialSparsity: -0.1 })).toThrowError(/Initial sparsity must be at least 0 and below 1/);
    expect(bad({ finalSparsity: Number.NaN })).toThrowError(OptimizeError);
    expect(bad({ finalSparsity: 0.3 })).toThrowError(/below the initial 0.5/);
    expect(bad({ endStep: 10 })).toThrowError(/end step \(10\) must come after the begin step \(10\)/);
    expect(bad({ frequency: 0 })).toThrowError(/frequency must be an integer of at least 1/);
    expect(bad({ beginStep: 1.5 })).toThrowError(/beginStep must be an integer/);
    expect(bad({ finalSparsity: 1.2 })).toThrowError(
      expect.objectContaining({ name: 'OptimizeError', code: 'bad-sparsity', details: expect.objectContaining({ field: 'finalSparsity' }), message: 'Final sparsity must be at least 0 and below 1, got 1.2' }),
    );
  });
});

describe('magnitude masks', () => {
  it('prune exactly n - round(n (1 - s)) smallest, ties in index order', () => {
    expect(Array.from(magnitudeMask([0.5, -0.1, 0.3, 0.1, -0.2, 0.1], 0.5))).toEqual([1, 0, 1, 0, 1, 0]);
    // ties at the threshold 0.1: two of the three go, lowest index first
    expect(Array.from(magnitudeMask([0.1, 0.1, 0.9, 0.1], 0.5))).toEqual([0, 0, 1, 1]);
    expect(prunedCount(1000, 0.8)).toBe(800);
    expect(prunedCount(7, 0.5)).toBe(3); // keeps round(3.5) = 4
    expect(Array.from(magnitudeMask([3, 2, 1], 0))).toEqual([1, 1, 1]);
  });
});

function spec(): ModelSpec {
  return { version: 1, input: { kind: 'tabular', features: 6 }, layers: [{ type: 'dense', units: 24, activation: 'relu' }], head: { kind: 'classification', classes: 2 }, seed: 3 };
}

function data(n: number) {
  const { x, y } = blobs(n, 6, 4);
  return toTensors(tf, { rows: n, x, featureShape: [6], y, missing: {} }, { column: 'k', sourceType: 'categorical' as never, task: 'classification', classes: ['a', 'b'], counts: [] });
}

const config: TrainConfig = { task: 'classification', optimizer: 'adam', learningRate: 0.01, batchSize: 16, epochs: 6, seed: 2 };

describe('pruning during fine-tuning', () => {
  it('reaches the scheduled sparsity exactly at the end step, and pruned weights stay 0 after more steps', async () => {
    const model = buildModel(tf, spec());
    const train = data(96); // 6 batches of 16 per epoch, 36 steps
    const s: PruningSchedule = { initialSparsity: 0, finalSparsity: 0.75, beginStep: 2, endStep: 20, frequency: 4 };
    const pruner = new Pruner(tf, model, s);
    const seen: { step: number; zeros: number[] }[] = [];
    let zerosAtEnd: Uint8Array[] = [];
    const trainer = new Trainer(tf, model, config);
    await trainer.fit({
      train,
      afterStep: async (info) => {
        await pruner.afterStep(info);
        if (shouldPruneAt(s, info.step) || info.step === 35) {
          const r = await pruner.report();
          seen.push({ step: info.step, zeros: r.layers.map((l) => l.zeros) });
        }
        if (info.step === 20) {
          zerosAtEnd = await Promise.all(model.layers.map(async (l) => Uint8Array.from((await l.weights[0]!.read().data()) as Float32Array, (v) => (v === 0 ? 1 : 0))));
        }
      },
    });
    // kernels of 6 x 24 = 144 and 24 x 2 = 48 values; the mask count at each update step is exact
    for (const { step, zeros } of seen.slice(0, -1)) {
      const target = sparsityAt(s, step);
      expect(zeros[0]).toBeGreaterThanOrEqual(prunedCount(144, target));
      expect(zeros[1]).toBeGreaterThanOrEqual(prunedCount(48, target));
    }
    const report = await pruner.report();
    expect(report.layers.map((l) => [l.layer, l.size, l.target, l.masked])).toEqual([
      ['dense_1', 144, 0.75, 108],
      ['output', 48, 0.75, 36],
    ]);
    // after 15 more Adam steps (momentum keeps pushing them), the pruned weights are still exactly 0
    const finalKernels = await Promise.all(model.layers.map(async (l) => (await l.weights[0]!.read().data()) as Float32Array));
    zerosAtEnd.forEach((z, k) => z.forEach((isZero, i) => isZero && expect(finalKernels[k]![i]).toBe(0)));
    expect(report.layers[0]!.zeros).toBe(108); // no relu-dead weight happens to be exactly 0 besides
    // biases are never pruned
    expect(Array.from((await model.layers[0]!.weights[1]!.read().data()) as Float32Array).some((v) => v !== 0)).toBe(true);
    trainer.dispose();
    pruner.dispose();
    model.dispose();
    train.x.dispose();
    train.y.dispose();
  });

  it('pruneAndFineTune checks the schedule fits the run first; pruned + gzip is smaller, and combines with 8-bit', async () => {
    const model = buildModel(tf, { ...spec(), layers: [{ type: 'dense', units: 256, activation: 'relu' }] });
    const train = data(96);
    const before = await exportBundle(tf, model, metadataFor(tf, 'p', tabularStats(6, ['a', 'b']), null));
    const steps = stepsOf(config, 96);
    expect(steps).toBe(36);
    await expect(pruneAndFineTune(tf, model, { train, config, schedule: { initialSparsity: 0, finalSparsity: 0.8, beginStep: 0, endStep: 36, frequency: 5 } })).rejects.toThrowError(
      /ends at step 36, but fine-tuning takes only 36 steps/,
    );
    await expect(pruneAndFineTune(tf, model, { train, config: { ...config, earlyStopping: { patience: 1 } }, schedule: { ...schedule, endStep: 20 } })).rejects.toThrowError(/Early stopping/);
    await expect(pruneAndFineTune(tf, model, { train, config, layers: ['nope'], schedule: { ...schedule, endStep: 20 } })).rejects.toThrowError(/no layer "nope"/);

    const memory = tf.memory().numTensors;
    const { report, fit } = await pruneAndFineTune(tf, model, { train, config, schedule: { initialSparsity: 0, finalSparsity: 0.8, beginStep: 0, endStep: 30, frequency: 5 } });
    expect(tf.memory().numTensors).toBe(memory);
    expect(fit.status).toBe('completed');
    expect(report.layers.map((l) => l.masked)).toEqual([prunedCount(6 * 256, 0.8), prunedCount(256 * 2, 0.8)]);
    expect(report.sparsity).toBeGreaterThanOrEqual(0.8);
    expect((await measureSparsity(model)).layers.map((l) => l.zeros)).toEqual(report.layers.map((l) => l.zeros));

    const pruned = await exportBundle(tf, model, metadataFor(tf, 'p', tabularStats(6, ['a', 'b']), null));
    const a = measureBundle(before);
    const b = measureBundle(pruned);
    expect(b.weightBytes).toBe(a.weightBytes); // zeros are still stored ...
    expect(b.weightGzipBytes / a.weightGzipBytes).toBeLessThan(0.45); // ... but compress
    const both = quantizeBundle(pruned, { dtype: 'uint8' });
    // 0 is a code of the nudged range, so the pruned weights stay exactly 0 in the 8-bit bundle too
    expect(both.report.after.weightGzipBytes).toBeLessThan(b.weightGzipBytes / 2);
    expect(both.metadata.optimization?.method).toBe('quantize');
    const { model: loaded } = await importBundle(tf, both.zip);
    const zerosAfter = (await measureSparsity(loaded)).layers.map((l) => l.zeros);
    expect(zerosAfter).toEqual(report.layers.map((l) => l.zeros));
    loaded.dispose();
    model.dispose();
    train.x.dispose();
    train.y.dispose();
  });
});

describe('which kernels', () => {
  it('prunes Conv2D and Dense kernels per layer, never biases, BatchNormalization or pooling', async () => {
    const model = buildModel(tf, {
      version: 1,
      input: { kind: 'image', height: 8, width: 8, channels: 2 },
      layers: [{ type: 'conv2d', filters: 4, kernelSize: 3, activation: 'relu' }, { type: 'batchNormalization' }, { type: 'maxPooling2d' }, { type: 'flatten' }],
      head: { kind: 'classification', classes: 3 },
      seed: 1,
    });
    const pruner = new Pruner(tf, model, { initialSparsity: 0, finalSparsity: 0.5, beginStep: 0, endStep: 1, frequency: 1 });
    await pruner.updateMasks(0.5);
    const r = await pruner.report();
    expect(r.layers.map((l) => [l.layer, l.kind, l.size, l.masked])).toEqual([
      ['conv2d_1', 'Conv2D', 3 * 3 * 2 * 4, 36],
      ['output', 'Dense', 36 * 3, 54],
    ]);
    expect(r.totalParams).toBe(72 + 4 + 16 + 108 + 3);
    expect(() => new Pruner(tf, model, schedule, { layers: ['batch_normalization_2'] })).toThrowError(/is a BatchNormalization; only Dense and Conv2D kernels are pruned/);
    pruner.dispose();
    model.dispose();
  });
});
