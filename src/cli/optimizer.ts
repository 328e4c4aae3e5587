/**
 * The optimizers in Node, with the Optimize stage's core on the model bundle a Trainer (or an earlier
 * optimizer) wrote. Each writes a new bundle, as the Trainer writes its own, plus what was done:
 *   model/              the variant's bundle files (model.json, weight shards, metadata.json with its
 *                       optimization record and lineage to the parent, README.md; transform.json, .js)
 *   optimization.json   the parent, the settings and the report (sizes before and after and each weight's
 *                       storage for the Quantizer; the sparsity per layer for the Pruner; the student for
 *                       the Distiller)
 * Quantizer: core/optimize/quantize.ts's quantizeBundle on the parent's files zipped, the weights stored
 * as TF.js's manifest describes them (uint8 with scale and min, or float16), so any TF.js loads them.
 * Pruner and Distiller fine-tune on the rows the parent was trained on: the training rows of the split of
 * the Examples its Trainer read (found through the lineage, through earlier optimizers), encoded with the
 * parent's own preprocessing, as the tab's Optimize stage does; the Distiller with an examples input
 * learns from all of those rows instead. The tab's distillation also trains the student from scratch for
 * its comparison table; here only the distilled student is made.
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import type * as tfjs from '@tensorflow/tfjs';
import { variantMetadata, type VariantMetadata } from '../core/optimize/artifacts';
import { distillStudent, studentRecord } from '../core/optimize/distill';
import { OptimizeError } from '../core/optimize/errors';
import { pruneAndFineTune, pruningRecord } from '../core/optimize/prune';
import { quantizeBundle } from '../core/optimize/quantize';
import { studentSpec } from '../core/optimize/student';
import { bundleFiles } from '../core/model/bundle';
import type { TF } from '../core/model/model-spec';
import { encode, inputColumns, tableFromBatches, type PreprocessStats } from '../core/model/preprocess';
import { splitRows } from '../core/model/split';
import { portOf, type JsonValue, type MlmdStore } from '../core/pipeline/mlmd';
import type { ArtifactRef, ExecuteContext, OutputArtifact } from '../core/pipeline/runner';
import type { ComponentSpec } from '../core/pipeline/spec';
import { toTensors, type TrainTensors } from '../core/train/trainer';
import { readExamples } from './examples';
import { loadModelArtifact, only } from './evaluator';
import { writeAtomic, writeJsonAtomic, type StagedArtifact } from './files';
import { MODEL_DIR, readSplit, splitOf } from './trainer';

export const OPTIMIZATION_FILE = 'optimization.json';

type Inputs = Readonly<Record<string, ArtifactRef[]>>;

/**
 * The Examples a model was trained on: the examples input of the execution that wrote it, or, for a
 * model an optimizer made, of the one that wrote that optimizer's input model (MLMD events keyed by port).
 */
export function trainingExamplesOf(store: MlmdStore, modelArtifactId: number): ArtifactRef | null {
  let artifactId = modelArtifactId;
  for (let hops = 0; hops <= store.executions.length; hops++) {
    const made = store.events.find((e) => e.artifactId === artifactId && e.type === 'OUTPUT');
    if (!made) return null;
    const read = store.events.filter((e) => e.executionId === made.executionId && e.type === 'INPUT');
    const examples = read.find((e) => portOf(e) === 'examples');
    const execution = store.executions.find((x) => x.id === made.executionId);
    // a Distiller's examples are what it distilled on, not what its teacher was trained on: follow its model
    const optimizer = execution && ['Quantizer', 'Pruner', 'Distiller'].includes(store.executionTypes.find((t) => t.id === execution.typeId)?.name ?? '');
    if (examples && !optimizer) {
      const a = store.artifacts.find((x) => x.id === examples.artifactId);
      return a ? { id: a.id, kind: 'Examples', uri: a.uri ?? '', properties: {} } : null;
    }
    const model = read.find((e) => portOf(e) === 'model');
    if (!model) return null;
    artifactId = model.artifactId;
  }
  return null;
}

/** The parent bundle's files, by name. */
async function bundleFilesOf(out: string, uri: string): Promise<Record<string, Uint8Array>> {
  const dir = join(out, uri, MODEL_DIR);
  const files: Record<string, Uint8Array> = {};
  for (const name of readdirSync(dir)) files[name] = new Uint8Array(await readFile(join(dir, name)));
  return files;
}

async function writeModel(staged: StagedArtifact, files: Record<string, Uint8Array>): Promise<void> {
  for (const [name, bytes] of Object.entries(files)) await writeAtomic(staged.file(join(MODEL_DIR, name)), bytes);
}

function bytesOf(files: Record<string, Uint8Array>): number {
  return Object.values(files).reduce((n, b) => n + b.byteLength, 0);
}

/** The model's training rows (or all rows of the given Examples), encoded with its own preprocessing, as tensors. */
async function rowsAsTensors(tf: TF, out: string, examples: ArtifactRef, stats: PreprocessStats, part: 'train' | 'all', signal: AbortSignal): Promise<{ train: TrainTensors; labels: ArrayLike<number>; seed: number }> {
  const file = await readSplit(out, examples.uri);
  const table = await readExamples(out, examples.uri, signal);
  const columns = tableFromBatches(table.batches, [...new Set([...inputColumns(stats).map((c) => c.column), stats.label.column])]);
  const rows = part === 'train' ? splitOf(file).train : Uint32Array.from({ length: table.rowCount }, (_, i) => i);
  const enc = await encode(stats, columns, rows, { labels: true });
  return { train: toTensors(tf, enc, stats.label, null), labels: enc.y!, seed: file.seed };
}

function examplesFor(store: MlmdStore, component: ComponentSpec, model: ArtifactRef): ArtifactRef {
  const examples = trainingExamplesOf(store, model.id);
  if (!examples) throw new OptimizeError('no-data', {}, `${component.id}: the lineage of ${model.uri} leads to no Examples, so there are no training rows to fine-tune on`);
  return examples;
}

/** Where the optimized model's properties come from: its parent's name and task, the new bundle's size. */
function modelProperties(parent: ArtifactRef, metadata: VariantMetadata, files: Record<string, Uint8Array>, extra: Record<string, JsonValue>): Record<string, JsonValue> {
  return { name: metadata.name, task: metadata.task, parent: parent.uri, bundleBytes: bytesOf(files), ...extra };
}

export async function runQuantizer(out: string, component: ComponentSpec<'Quantizer'>, inputs: Inputs, staged: StagedArtifact): Promise<OutputArtifact> {
  const parent = only(inputs, 'model');
  const { dtype } = component.settings;
  const parentFiles = await bundleFilesOf(out, parent.uri);
  const q = quantizeBundle(zipSync(parentFiles, { level: 0 }), { dtype, parentModelVersionId: parent.uri });
  const files = unzipSync(q.zip);
  await writeModel(staged, files);
  const { weights, ...report } = q.report;
  await writeJsonAtomic(staged.file(OPTIMIZATION_FILE), { parent: parent.uri, method: 'quantize', settings: { dtype }, report: { ...report, weights } });
  const uri = await staged.commit();
  return { uri, properties: modelProperties(parent, q.metadata, files, { dtype, parentBundleBytes: bytesOf(parentFiles), weightBytes: q.report.after.weightBytes, parentWeightBytes: q.report.before.weightBytes }) };
}

export async function runPruner(tf: TF, out: string, store: MlmdStore, component: ComponentSpec<'Pruner'>, inputs: Inputs, staged: StagedArtifact, ctx: ExecuteContext): Promise<OutputArtifact> {
  const parent = only(inputs, 'model');
  const { schedule, training } = component.settings;
  const examples = examplesFor(store, component, parent);
  const loaded = await loadModelArtifact(tf, out, parent.uri);
  const owned: { dispose(): void }[] = [loaded.model];
  try {
    const stats = loaded.metadata.preprocessing;
    const { train, seed } = await rowsAsTensors(tf, out, examples, stats, 'train', ctx.signal);
    owned.push(train.x, train.y);
    const { fit, report } = await pruneAndFineTune(tf, loaded.model, {
      schedule,
      config: { task: stats.label.task, ...training, seed: loaded.metadata.lineage.splitSeed ?? seed, progressEveryMs: 250 },
      train,
      signal: ctx.signal,
      onBatch: (p) => ctx.progress(p.fraction, `epoch ${p.epoch + 1} of ${training.epochs}`),
    });
    if (fit.status === 'cancelled') throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
    if (fit.status === 'diverged') throw new OptimizeError('diverged', { params: { what: 'fine-tuning' } }, `${component.id}: fine-tuning diverged: the loss became infinite or NaN. Try a smaller learning rate.`);
    const metadata = variantMetadata({
      parent: loaded.metadata,
      name: `${loaded.metadata.name} (pruned ${Math.round(schedule.finalSparsity * 100)} %)`,
      optimization: pruningRecord(schedule, training, report),
      parentModelVersionId: parent.uri,
      tfjsVersion: tf.version.tfjs,
    });
    const files = await bundleFilesText(tf, loaded.model, metadata);
    await writeModel(staged, files);
    await writeJsonAtomic(staged.file(OPTIMIZATION_FILE), { parent: parent.uri, examples: examples.uri, method: 'prune', settings: { schedule, training }, fit: { status: fit.status, epochs: fit.epochs }, report });
    const uri = await staged.commit();
    ctx.log(`sparsity ${report.sparsity.toFixed(4)} of ${report.prunedWeights} kernel weights`);
    const layers = report.layers.map((l) => ({ layer: l.layer, sparsity: l.sparsity }));
    return { uri, properties: modelProperties(parent, metadata, files, { sparsity: report.sparsity, layers }) };
  } finally {
    for (const o of owned) o.dispose();
  }
}

export async function runDistiller(tf: TF, out: string, store: MlmdStore, component: ComponentSpec<'Distiller'>, inputs: Inputs, staged: StagedArtifact, ctx: ExecuteContext): Promise<OutputArtifact> {
  const parent = only(inputs, 'model');
  const s = component.settings;
  const wired = inputs.examples?.[0];
  const examples = wired ?? examplesFor(store, component, parent);
  const teacher = await loadModelArtifact(tf, out, parent.uri);
  const owned: { dispose(): void }[] = [teacher.model];
  try {
    const meta = teacher.metadata;
    const stats = meta.preprocessing;
    if (stats.label.task !== 'classification') {
      throw new OptimizeError('not-classification', {}, `${component.id}: "${meta.name}" is a ${meta.task} model: distillation needs a classifier's class probabilities`);
    }
    const classes = stats.label.classes.slice();
    const spec = studentSpec(meta.modelSpec, stats.input, { kind: 'classification', classes: classes.length }, s.student);
    const rows = await rowsAsTensors(tf, out, examples, stats, wired ? 'all' : 'train', ctx.signal);
    let train = rows.train;
    owned.push(train.x, train.y);
    const seed = meta.lineage.splitSeed ?? rows.seed;
    const share = s.labeledShare ?? 1;
    if (share < 1 && !wired) {
      // the Optimize stage's pick: a seeded, class-stratified share of the training rows (the split's own sampler)
      const picked = Array.from(splitRows(rows.labels.length, { seed, fractions: { train: share, validation: 0, test: 1 - share }, labels: rows.labels }).train);
      const all = train;
      train = tf.tidy(() => ({ x: tf.gather(all.x, picked), y: tf.gather(all.y, picked) }));
      owned.push(train.x, train.y);
    }
    const run = await distillStudent(tf, {
      teacher: teacher.model,
      teacherMetadata: meta,
      studentSpec: spec,
      labels: classes,
      train,
      config: { ...s.training, alpha: s.alpha, temperature: s.temperature, seed },
      signal: ctx.signal,
      onEpoch: (log) => ctx.progress((log.epoch + 1) / s.training.epochs, `epoch ${log.epoch + 1} of ${s.training.epochs}`),
    });
    owned.push(run.student);
    if (run.status === 'cancelled') throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
    if (run.status === 'diverged') throw new OptimizeError('diverged', { params: { what: 'distillation' } }, `${component.id}: distillation diverged: the loss became infinite or NaN. Try a smaller learning rate.`);
    const teacherParams = teacher.model.countParams();
    const labeledRows = train.x.shape[0]!;
    const record = studentRecord('distill', { ...s.training, seed, alpha: s.alpha, temperature: s.temperature, labeledShare: share < 1 && !wired ? share : 1, labeledRows }, { name: meta.name, params: teacherParams }, run.warnings);
    const metadata = variantMetadata({ parent: meta, name: `${meta.name} student`, optimization: record, parentModelVersionId: parent.uri, modelSpec: spec, tfjsVersion: tf.version.tfjs });
    const files = await bundleFilesText(tf, run.student, metadata);
    await writeModel(staged, files);
    await writeJsonAtomic(staged.file(OPTIMIZATION_FILE), { parent: parent.uri, examples: examples.uri, method: 'distill', settings: s, history: run.history, studentParams: run.params, teacherParams, labeledRows, warnings: run.warnings });
    const uri = await staged.commit();
    ctx.log(`student ${run.params} parameters (teacher ${teacherParams}), ${labeledRows} labeled rows`);
    return { uri, properties: modelProperties(parent, metadata, files, { studentParams: run.params, teacherParams, labeledRows }) };
  } finally {
    for (const o of owned) o.dispose();
  }
}

/** A trained model's bundle files (text and weights together), as the Trainer writes its own. */
async function bundleFilesText(tf: TF, model: tfjs.LayersModel, metadata: VariantMetadata): Promise<Record<string, Uint8Array>> {
  const { text, weights } = await bundleFiles(tf, model, metadata);
  return { ...text, ...weights };
}
