/**
 * The three methods on real data, small enough for the unit suite: an MLP (784 -> 64 -> 10) on a fixed,
 * balanced MNIST subset (2,000 training and 1,000 test images from the mnist package), cpu backend.
 * Everything is seeded (initializers, shuffles), so the numbers below repeat run to run; the bounds are
 * the (8-bit within 1 point and <= 0.3x the weight bytes; 80 % pruning within 2 points and
 * <= 0.5x the gzip size) and, for distillation, the margin stated at its test. The measured figures are
 * printed as JSON at the end. About 25 s of cpu time.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { measureBundle, variantMetadata } from '../../../src/core/optimize/artifacts';
import { compareVariants } from '../../../src/core/optimize/compare';
import { distillStudent, modelParams, studentRecord, trainStudentFromScratch } from '../../../src/core/optimize/distill';
import { pruneAndFineTune, pruningRecord, stepsOf } from '../../../src/core/optimize/prune';
import { quantizeBundle } from '../../../src/core/optimize/quantize';
import { exportBundle, importBundle, type BundleMetadata } from '../../../src/core/model/bundle';
import { accuracyOf } from '../../../src/core/optimize/compare';
import { buildModel, type ModelSpec } from '../../../src/core/model/model-spec';
import { predict, toTensors, Trainer, type TrainTensors } from '../../../src/core/train/trainer';
import { metadataFor, mnistStats, mnistSubset, useCpu, type Mnist } from './helpers';

let tf: typeof tfjs;
let mnist: Mnist;
let train: TrainTensors;
let testX: tfjs.Tensor;
let teacher: tfjs.LayersModel;
let metadata: BundleMetadata;
let floatZip: Uint8Array;
let floatAcc: number;
const zips: Record<string, Uint8Array> = {};
const accs: Record<string, number> = {};
const labels = Array.from({ length: 10 }, (_, i) => String(i));
const figures: Record<string, unknown> = {};

const image = { kind: 'image', height: 28, width: 28, channels: 1 } as const;
const teacherSpec: ModelSpec = { version: 1, input: image, layers: [{ type: 'flatten' }, { type: 'dense', units: 64, activation: 'relu' }], head: { kind: 'classification', classes: 10 }, seed: 1 };
const studentSpec: ModelSpec = { version: 1, input: image, layers: [{ type: 'flatten' }, { type: 'dense', units: 16, activation: 'relu' }], head: { kind: 'classification', classes: 10 }, seed: 2 };
const training = { optimizer: 'adam' as const, learningRate: 0.002, batchSize: 32, epochs: 6, seed: 1 };

async function accuracy(model: tfjs.LayersModel): Promise<number> {
  return accuracyOf(mnist.testY, await predict(tf, model, testX, 250), 10);
}

beforeAll(async () => {
  tf = await useCpu();
  const started = performance.now();
  mnist = mnistSubset(2000, 1000);
  train = toTensors(tf, { rows: 2000, x: mnist.trainX, featureShape: [28, 28, 1], y: mnist.trainY, missing: {} }, mnistStats(2000).label);
  testX = tf.tensor4d(mnist.testX, [1000, 28, 28, 1]);
  teacher = buildModel(tf, teacherSpec);
  const trainer = new Trainer(tf, teacher, { ...training, task: 'classification' });
  await trainer.fit({ train });
  trainer.dispose();
  floatAcc = await accuracy(teacher);
  metadata = metadataFor(tf, 'mnist-mlp', mnistStats(2000), teacherSpec);
  floatZip = await exportBundle(tf, teacher, metadata);
  zips.float32 = floatZip;
  accs.float32 = floatAcc;
  figures.teacherTrainMs = Math.round(performance.now() - started);
}, 120_000);

afterAll(() => {
  teacher?.dispose();
  tf.dispose([train.x, train.y, testX]);
  // the measured figures, for the closing note
  console.log(JSON.stringify(figures, null, 1));
});

it('8-bit stays within 1 point of float32 at <= 0.3x the weight bytes; 16-bit and float16 too', async () => {
  const started = performance.now();
  for (const dtype of ['uint8', 'uint16', 'float16'] as const) {
    const q = quantizeBundle(floatZip, { dtype });
    const { model } = await importBundle(tf, q.zip);
    accs[dtype] = await accuracy(model);
    model.dispose();
    zips[dtype] = q.zip;
    figures[dtype] = { accuracy: accs[dtype], weightRatio: q.report.weightRatio, bundleRatio: q.report.after.bundleBytes / q.report.before.bundleBytes, gzipRatio: q.report.after.bundleGzipBytes / q.report.before.bundleGzipBytes };
  }
  figures.float32 = { accuracy: floatAcc, ...measureBundle(floatZip) };
  figures.quantizeMs = Math.round(performance.now() - started);
  expect(floatAcc).toBeGreaterThan(0.88);
  expect(Math.abs(accs.uint8! - floatAcc)).toBeLessThanOrEqual(0.01);
  expect(Math.abs(accs.uint16! - floatAcc)).toBeLessThanOrEqual(0.002);
  expect(Math.abs(accs.float16! - floatAcc)).toBeLessThanOrEqual(0.002);
  expect((figures.uint8 as { weightRatio: number }).weightRatio).toBeLessThanOrEqual(0.3);
});

it('80 % pruning stays within 2 points at <= 0.5x the gzip size, and with 8-bit on top it is smaller still', async () => {
  const started = performance.now();
  const { model } = await importBundle(tf, floatZip); // a copy of the trained model to fine-tune
  const config = { ...training, task: 'classification' as const, epochs: 3, learningRate: 0.0005, seed: 7 };
  const steps = stepsOf(config, 2000);
  // from 0 to the final sparsity over the first two thirds of the fine-tuning (masks updated every 10
  // steps), then a third at the final sparsity for the kept weights to recover
  const schedule = { initialSparsity: 0, finalSparsity: 0.8, beginStep: 0, endStep: Math.round((steps * 2) / 3), frequency: 10 };
  const { report } = await pruneAndFineTune(tf, model, { train, config, schedule });
  accs.pruned = await accuracy(model);
  zips.pruned = await exportBundle(tf, model, variantMetadata({ parent: metadata, name: 'mnist-mlp pruned', optimization: pruningRecord(schedule, config, report) }));
  model.dispose();
  zips['pruned+uint8'] = quantizeBundle(zips.pruned, { dtype: 'uint8' }).zip;
  const { model: both } = await importBundle(tf, zips['pruned+uint8']);
  accs['pruned+uint8'] = await accuracy(both);
  both.dispose();
  const f = measureBundle(floatZip);
  const p = measureBundle(zips.pruned);
  const pq = measureBundle(zips['pruned+uint8']);
  figures.pruned = { accuracy: accs.pruned, sparsity: report.layers.map((l) => [l.layer, l.sparsity]), gzipRatio: p.bundleGzipBytes / f.bundleGzipBytes, weightGzipRatio: p.weightGzipBytes / f.weightGzipBytes };
  figures['pruned+uint8'] = { accuracy: accs['pruned+uint8'], gzipRatio: pq.bundleGzipBytes / f.bundleGzipBytes, gzipX: f.bundleGzipBytes / pq.bundleGzipBytes };
  figures.pruneMs = Math.round(performance.now() - started);
  expect(report.layers.every((l) => l.sparsity >= 0.8)).toBe(true);
  expect(accs.pruned).toBeGreaterThanOrEqual(floatAcc - 0.02);
  expect(p.bundleGzipBytes / f.bundleGzipBytes).toBeLessThanOrEqual(0.5);
  expect(pq.bundleGzipBytes).toBeLessThan(p.bundleGzipBytes / 2);
  expect(accs['pruned+uint8']).toBeGreaterThanOrEqual(floatAcc - 0.02);
});

it('the distilled student, given a tenth of the labels, beats the same student trained from scratch on them', async () => {
  const started = performance.now();
  // Distillation pays when the teacher knows more than the student's labels tell: here the student sees
  // only the first 200 of the teacher's 2,000 training rows (20 per digit), for 20 epochs, with the app's
  // defaults T 5 and alpha 0.5. Sweep on this subset (1,000 test digits, student seeds 2 and 3, distilled
  // minus scratch, points): alpha 0.5: T 2 +2.9/+3.5, T 5 +5.9/+6.0, T 10 +6.3/+6.4; alpha 0.1: T 2
  // +3.3/+4.4, T 5 +5.8/+6.4, T 10 +6.3/+7.1. On the SAME 2,000 rows as the teacher (6 epochs) it does not
  // pay: alpha 0.1, T 2 to 20: -1.2 to +0.1; alpha 0.5: -0.5 to +0.7 (a 0.900 teacher over a 0.88 student).
  // The full table is in README's Optimize section. Measured for this test: distilled 0.828, scratch 0.767
  // (+6.1 points; teacher 0.900).
  const few = { x: tf.slice(train.x, 0, 200), y: tf.slice(train.y, 0, 200) };
  const studentTraining = { ...training, epochs: 20 };
  const distillConfig = { ...studentTraining, alpha: 0.5, temperature: 5 };
  const run = await distillStudent(tf, { teacher, teacherMetadata: metadata, studentSpec, labels, train: few, config: distillConfig });
  accs.distilled = await accuracy(run.student);
  const teacherInfo = { name: metadata.name, params: modelParams(teacher) };
  zips.distilled = await exportBundle(tf, run.student, variantMetadata({ parent: metadata, name: 'student distilled', modelSpec: studentSpec, optimization: studentRecord('distill', distillConfig, teacherInfo) }));
  run.student.dispose();
  const distillMs = performance.now() - started;
  const scratch = await trainStudentFromScratch(tf, { studentSpec, train: few, config: studentTraining });
  tf.dispose([few.x, few.y]);
  accs.scratch = await accuracy(scratch.student);
  zips.scratch = await exportBundle(tf, scratch.student, variantMetadata({ parent: metadata, name: 'student scratch', modelSpec: studentSpec, optimization: studentRecord('scratch', studentTraining, teacherInfo) }));
  scratch.student.dispose();
  figures.distill = { teacher: floatAcc, distilled: accs.distilled, scratch: accs.scratch, studentParams: run.params, distillMs: Math.round(distillMs) };
  expect(run.warnings).toEqual([]);
  // the bound: at least 3 points above the same student from scratch (measured +6.1; sweep +5.9/+6.0)
  expect(accs.distilled).toBeGreaterThanOrEqual(accs.scratch! + 0.03);

  const rows = compareVariants(Object.entries(zips).map(([id, zip]) => ({ id, zip, test: { accuracy: accs[id]! } })), 'float32');
  figures.table = rows.map((r) => ({ id: r.id, params: r.parameters, bundle: r.bundleBytes, gzip: r.gzipBytes, acc: r.accuracy, delta: r.accuracyDelta && Number(r.accuracyDelta.toFixed(4)), pareto: r.pareto, method: r.lineage.method }));
  expect(rows.find((r) => r.id === 'uint8')!.lineage).toMatchObject({ method: 'quantize', parentModelVersionId: 'mv-parent' });
  expect(rows.find((r) => r.id === 'pruned+uint8')!.parameters).toBe(rows[0]!.parameters);
  expect(rows.find((r) => r.id === 'pruned+uint8')!.lineage.previous).toEqual(['prune']);
  expect(rows.find((r) => r.id === 'distilled')!.lineage).toMatchObject({ method: 'distill', parentModelVersionId: 'mv-parent', settings: { alpha: 0.5, temperature: 5 } });
});
