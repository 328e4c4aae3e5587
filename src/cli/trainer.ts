/**
 * Trainer in Node: the Train stage's run on ExampleGen's examples and split (split.json, the rows the tab's
 * run splits alike) with the same preprocessing (core/model/preprocess, fitted on the training rows; the
 * Transform's fitted transform as the one feature when transform_graph is wired), the same spec (the
 * component's layers and model seed on the input and head the data gives) and the trainer's config from
 * the same hyperparameters (core/train/run-setup.ts, which the tab's TrainService uses too), trained by
 * core's Trainer with TF.js in this process. Writes:
 *   model/           the bundle's files as the app exports them (model.json, weight shards, metadata.json,
 *                    README.md; transform.json and transform.js for a model on a transform)
 *   model_run.json   the run: settings, split counts, epoch history (with tf.memory's tensor count), how
 *                    the fit ended, and the test split's metrics (the Train stage's summary and report)
 * Every tensor is disposed however it ends, so tf.memory() does not grow from one run to the next.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { bundleFiles, makeMetadata } from '../core/model/bundle';
import { invalidSpecError, TrainError, trainErrorWhy } from '../core/model/errors';
import { classificationMetrics, regressionMetrics } from '../core/model/metrics';
import { buildModel, validateSpec, type ModelSpec, type TF } from '../core/model/model-spec';
import { choiceColumns, decodeRegression, encode, fitPreprocess, tableFromBatches, type ColumnTable, type Encoded, type FeatureChoice, type PreprocessStats } from '../core/model/preprocess';
import type { Split } from '../core/model/split';
import type { JsonValue } from '../core/pipeline/mlmd';
import type { ArtifactRef, ExecuteContext, OutputArtifact } from '../core/pipeline/runner';
import type { ComponentSpec, TrainerSettings } from '../core/pipeline/spec';
import { tunedTrainerSettings } from '../core/pipeline/tuner';
import type { FittedTransform } from '../core/transform/fitted';
import { classificationSummary, regressionSummary, resolveSpec, trainConfigOf } from '../core/train/run-setup';
import { predictEncodedRows, toTensors, Trainer, type EpochLog, type TrainTensors } from '../core/train/trainer';
import { readExamples, SPLIT_FILE, type SplitFile } from './examples';
import { writeAtomic, writeJsonAtomic, type StagedArtifact } from './files';
import { TRANSFORM_FILE } from './transform-component';

export const MODEL_DIR = 'model';
export const MODEL_RUN_FILE = 'model_run.json';

type Inputs = Readonly<Record<string, ArtifactRef[]>>;

export async function readSplit(out: string, examplesUri: string): Promise<SplitFile> {
  return JSON.parse(await readFile(join(out, examplesUri, SPLIT_FILE), 'utf8')) as SplitFile;
}

/** The split ExampleGen wrote, as core's Split. */
export function splitOf(file: SplitFile): Split {
  const rows = (part: keyof SplitFile['rows']) => Uint32Array.from(file.rows[part]);
  return { train: rows('train'), validation: rows('validation'), test: rows('test'), excluded: rows('excluded'), seed: file.seed, fractions: file.fractions, stratified: file.stratified };
}

/** The Transform's fitted transform as the run's one feature, named as the tab names a transform version. */
async function transformChoice(out: string, ref: ArtifactRef, split: Split): Promise<FeatureChoice> {
  const fitted = JSON.parse(await readFile(join(out, ref.uri, TRANSFORM_FILE), 'utf8')) as FittedTransform;
  const name = typeof ref.properties.name === 'string' ? ref.properties.name : 'transform';
  const version = Number(ref.uri.split('/').pop());
  // its analyzers read the training rows of one split: a run on another would test on rows that shaped it
  if (ref.properties.rows !== split.train.length) {
    throw trainErrorWhy('bad-split', 'transform-rows', { params: { train: split.train.length, expected: Number(ref.properties.rows) } }, `Transform ${ref.uri} was analyzed on ${String(ref.properties.rows)} training rows, this run's split has ${split.train.length}`);
  }
  return { column: `${name} v${version}`, encoding: 'transform', transform: { id: ref.uri, name, version }, fitted };
}

/** Test-split (else validation) metrics as the Train stage reports them. */
async function runMetrics(tf: TF, model: tfjs.LayersModel, stats: PreprocessStats, table: ColumnTable, split: Split, batchSize: number): Promise<Record<string, JsonValue>> {
  const part = split.test.length ? 'test' : split.validation.length ? 'validation' : null;
  if (part === null) return { summary: {}, split: null };
  const enc = await encode(stats, table, split[part]);
  const out = await predictEncodedRows(tf, model, enc, batchSize);
  if (stats.label.task === 'classification') {
    const report = classificationMetrics(enc.y as Int32Array, out, stats.label.classes);
    return { summary: classificationSummary(report), split: part, rows: enc.rows, report: JSON.parse(JSON.stringify(report)) as JsonValue };
  }
  const report = regressionMetrics(decodeRegression(stats.label, enc.y!), decodeRegression(stats.label, out));
  return { summary: regressionSummary(report), split: part, rows: enc.rows, report: JSON.parse(JSON.stringify(report)) as JsonValue };
}

/** What a Trainer (or each trial of a Tuner) trains on: the examples' split, features, table and preprocessing fitted on the training rows, encoded. */
export interface TrainingData {
  file: SplitFile;
  split: Split;
  features: FeatureChoice[];
  table: ColumnTable;
  stats: PreprocessStats;
  trainEnc: Encoded;
  valEnc: Encoded | null;
  transform: ArtifactRef | undefined;
}

export async function trainingData(out: string, component: string, s: Pick<TrainerSettings, 'task' | 'features'>, inputs: Inputs, signal: AbortSignal): Promise<TrainingData> {
  const examples = inputs.examples?.[0];
  if (!examples) throw new Error('no artifact on the input examples');
  const file = await readSplit(out, examples.uri);
  const label = file.label;
  if (label === null) throw new TrainError('missing-column', { column: '' }, `${component}: its examples have no label column (ExampleGen's settings.label)`);
  const split = splitOf(file);
  const task = s.task === 'tabular-regression' ? 'regression' : 'classification';
  const transform = inputs.transform_graph?.[0];
  const features: FeatureChoice[] = transform ? [await transformChoice(out, transform, split)] : s.features.map((f) => ({ ...f }));
  const examplesTable = await readExamples(out, examples.uri, signal);
  const table = tableFromBatches(examplesTable.batches, [...new Set([...choiceColumns(features), label])]);
  const stats = await fitPreprocess(table, split.train, { features, label, task });
  const trainEnc = await encode(stats, table, split.train);
  const valEnc: Encoded | null = split.validation.length ? await encode(stats, table, split.validation) : null;
  return { file, split, features, table, stats, trainEnc, valEnc, transform };
}

/** The model spec of these layers and seed on the data's input and head, checked (a spec that cannot be built is refused). */
export function dataSpec(data: TrainingData, layers: TrainerSettings['layers'], seed: number): ModelSpec {
  const { stats } = data;
  const head = stats.label.task === 'classification' ? { kind: 'classification' as const, classes: stats.label.classes.length } : { kind: 'regression' as const };
  const spec = resolveSpec({ version: 1, input: stats.input, layers, head, seed }, stats);
  const issues = validateSpec(spec);
  if (issues.length) throw invalidSpecError(issues);
  return spec;
}

/** The Trainer: with best_hyperparameters wired, its settings carry the best trial's values (core/pipeline/tuner.ts). */
export async function runTrainer(tf: TF, out: string, component: ComponentSpec<'Trainer'>, inputs: Inputs, staged: StagedArtifact, ctx: ExecuteContext): Promise<Record<string, OutputArtifact>> {
  const hyperparameters = inputs.hyperparameters?.[0];
  const s = tunedTrainerSettings(component.id, component.settings, hyperparameters);
  if (hyperparameters) ctx.log(`hyperparameters: ${JSON.stringify(hyperparameters.properties.values)} (${hyperparameters.uri})`);
  const data = await trainingData(out, component.id, s, inputs, ctx.signal);
  const { file, split, features, table, stats, trainEnc, valEnc, transform } = data;
  const spec = dataSpec(data, s.layers, s.modelSeed);

  ctx.signal.throwIfAborted();
  const owned: { dispose(): void }[] = [];
  try {
    const model = buildModel(tf, spec);
    owned.push(model);
    const trainer = new Trainer(tf, model, trainConfigOf(s.hyper, stats, split.seed, { y: trainEnc.y }));
    owned.push(trainer);
    const train: TrainTensors = toTensors(tf, trainEnc, stats.label, null);
    owned.push(train.x, train.y);
    const validation = valEnc ? toTensors(tf, valEnc, stats.label, null) : null;
    if (validation) owned.push(validation.x, validation.y);
    const history: (EpochLog & { numTensors: number })[] = [];
    const result = await trainer.fit({
      train,
      validation,
      signal: ctx.signal,
      onBatch: (p) => ctx.progress(p.fraction, `epoch ${p.epoch + 1} of ${s.hyper.epochs}`),
      onEpoch: (log) => void history.push({ ...log, numTensors: tf.memory().numTensors }),
    });
    if (result.status === 'cancelled') throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
    if (result.status === 'diverged') throw new TrainError('diverged', {}, `${component.id}: training diverged: the loss became infinite or NaN. Try a smaller learning rate.`);
    // the model no longer needs the training tensors: free them before evaluation allocates
    for (const t of [train.x, train.y, validation?.x, validation?.y]) t?.dispose();

    const metrics = await runMetrics(tf, model, stats, table, split, s.hyper.batchSize);
    const summary = metrics.summary as Record<string, number>;
    const metadata = makeMetadata({
      name: s.name,
      tfjsVersion: tf.version.tfjs,
      preprocessing: stats,
      modelSpec: spec,
      metrics: { ...summary, split: metrics.split },
      lineage: { splitSeed: split.seed },
    });
    const files = await bundleFiles(tf, model, metadata);
    for (const [name, bytes] of Object.entries({ ...files.text, ...files.weights })) await writeAtomic(staged.file(join(MODEL_DIR, name)), bytes);
    const fit = { status: result.status, epochs: result.epochs, bestEpoch: result.bestEpoch, restoredBest: result.restoredBest };
    await writeJsonAtomic(staged.file(MODEL_RUN_FILE), {
      name: s.name,
      task: s.task,
      config: { layers: s.layers, modelSeed: s.modelSeed, hyper: s.hyper, backend: tf.getBackend() },
      ...(hyperparameters ? { hyperparameters: { uri: hyperparameters.uri, values: hyperparameters.properties.values } } : {}),
      split: { seed: split.seed, counts: file.counts },
      features: features.map((f) => f.column),
      history,
      fit,
      metrics,
    });
    const uri = await staged.commit();
    ctx.log(`${result.epochs} epochs (${result.status}), ${Object.entries(summary).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')}`);
    return {
      model: { uri, properties: { name: s.name, task: stats.label.task, ...(transform ? { transform: transform.uri } : {}) } },
      model_run: { uri, properties: { epochs: result.epochs, status: result.status, ...summary } },
    };
  } finally {
    for (const o of owned) o.dispose();
  }
}
