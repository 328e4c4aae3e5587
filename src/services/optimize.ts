/**
 * Model optimization, in the training worker: quantize, prune and distill a model version into NEW
 * immutable versions (source 'optimize', parentModelId = the version it came from, metadata.optimization
 * says how), and compare a model with all its variants.
 *
 * Data comes from services/model-data.ts: the model's own preprocessing on its own seeded split, so a
 * pruned model fine-tunes on the rows its parent trained on and every variant is scored on the same test
 * rows. Every check runs before anything is written; a cancelled job writes nothing.
 */
import { missing } from '../core/record-error';
import type * as tfjs from '@tensorflow/tfjs';
import { variantMetadata, type VariantMetadata } from '../core/optimize/artifacts';
import { accuracyOf, finishRows, variantRow, type ComparisonRow } from '../core/optimize/compare';
import { distillStudent, studentRecord, trainStudentFromScratch, validateDistillSettings } from '../core/optimize/distill';
import { OptimizeError, optimizeErrorWhy } from '../core/optimize/errors';
import { measureLatency } from '../core/optimize/latency';
import { pruneAndFineTune, pruningRecord, validateSchedule } from '../core/optimize/prune';
import { quantizeBundle, type QuantizeDtype } from '../core/optimize/quantize';
import { studentSpec } from '../core/optimize/student';
import { EvalError } from '../core/evaluate/errors';
import { readBundle } from '../core/model/bundle';
import { splitRows } from '../core/model/split';
import { TrainError } from '../core/model/errors';
import type { TF } from '../core/model/model-spec';
import { featureShapeOf, type DecodeImage } from '../core/model/preprocess';
import { OPTIMIZERS, toTensors, type TrainTensors } from '../core/train/trainer';
import type {
  CompareRequest,
  CompareResult,
  DistillOutcome,
  DistillRequest,
  FineTuneSettings,
  OptimizeProgress,
  PruneOutcome,
  PruneRequest,
  QuantizeOutcome,
  QuantizeRequest,
} from '../protocol/optimize';
import { newId, type PipetteDB } from '../store/db';
import type { ModelArtifacts, ModelVersionRecord } from '../store/training-records';
import { loadModelData, predictEncoded, type DataPart, type ModelData } from './model-data';
import { artifactsOf, type ModelService } from './registry-model';
import { addModelVersion } from './registry';
import { Recent } from './recent';
import { TableCache } from './train-data';
import { throwIfAborted } from '../protocol/jobs';

export interface OptimizeDeps {
  tf: TF;
  db: PipetteDB;
  models: ModelService;
  decode?: DecodeImage;
  /** The worker's one cache of dataset tables, shared by the services (default: one of its own). */
  tables?: TableCache;
}

/** Rows of the batch whose prediction time the comparison reports. */
export const LATENCY_BATCH = 32;
const QUANTIZE_CHOICES: readonly QuantizeDtype[] = ['float16', 'uint8'];

type Progress = (p: OptimizeProgress) => void;

/** Throws OptimizeError 'bad-option' naming the field of a fine-tuning setting that is out of range. */
export function validateTraining(t: FineTuneSettings): void {
  const bad = (field: string, value: unknown, why: string) => new OptimizeError('bad-option', { field, params: { value: String(value) } }, `${field} ${why}, got ${String(value)}`);
  if (!OPTIMIZERS.includes(t.optimizer)) throw bad('optimizer', t.optimizer, 'must be one of ' + OPTIMIZERS.join(', '));
  if (!(typeof t.learningRate === 'number' && t.learningRate > 0 && t.learningRate <= 10)) throw bad('learningRate', t.learningRate, 'must be above 0 and at most 10');
  if (!(Number.isInteger(t.batchSize) && t.batchSize >= 1 && t.batchSize <= 4096)) throw bad('batchSize', t.batchSize, 'must be a whole number from 1 to 4096');
  if (!(Number.isInteger(t.epochs) && t.epochs >= 1 && t.epochs <= 1000)) throw bad('epochs', t.epochs, 'must be a whole number from 1 to 1000');
}

/** Throws OptimizeError 'bad-option' unless the share of labeled rows is above 0 and at most 1. */
export function validateLabeledShare(share: number): void {
  if (!(typeof share === 'number' && share > 0 && share <= 1)) {
    throw new OptimizeError('bad-option', { field: 'labeledShare', params: { value: String(share) } }, `labeledShare must be above 0 and at most 1, got ${String(share)}`);
  }
}

/**
 * The rows the students learn from when they get only a share of the teacher's training rows: a seeded,
 * class-stratified pick (the split's own sampler, with the rest as an unused "test" part).
 */
export function labeledRows(classIndices: ArrayLike<number>, share: number, seed: number): Uint32Array {
  return splitRows(classIndices.length, { seed, fractions: { train: share, validation: 0, test: 1 - share }, labels: classIndices }).train;
}

/** The stored artifacts of a bundle zip (quantization kept: TF.js dequantizes when it loads them). */
function artifactsOfZip(zip: Uint8Array): ModelArtifacts {
  const b = readBundle(zip);
  return {
    modelTopology: b.modelJson.modelTopology,
    weightSpecs: b.weightSpecs.map((w) => ({ name: w.name, shape: w.shape.slice(), dtype: w.dtype, ...(w.quantization ? { quantization: { ...w.quantization } as never } : {}) })),
    weightData: b.weightData,
  };
}

export class OptimizeService {
  readonly #deps: OptimizeDeps;
  /** Encoded data per (original model, part): variants share their original's data and preprocessing. Encoded images are large: the last few only. */
  readonly #data = new Recent<ModelData>(3);
  /** Comparison rows per (version, backend): versions are immutable, so a row never goes stale. */
  readonly #rows = new Map<string, ComparisonRow>();
  readonly #tables: TableCache;

  constructor(deps: OptimizeDeps) {
    this.#deps = deps;
    this.#tables = deps.tables ?? new TableCache(deps.db);
  }

  async #record(modelId: string): Promise<ModelVersionRecord> {
    const r = await this.#deps.db.models.get(modelId);
    if (!r) throw missing('model-version', modelId);
    return r;
  }

  /** The first ancestor that was not made here (a run or an import): its data and preprocessing are the variants'. */
  async #original(record: ModelVersionRecord): Promise<ModelVersionRecord> {
    let r = record;
    const seen = new Set<string>();
    while (r.source === 'optimize' && r.parentModelId && !seen.has(r.id)) {
      seen.add(r.id);
      const parent = await this.#deps.db.models.get(r.parentModelId);
      if (!parent) break;
      r = parent;
    }
    return r;
  }

  /** The model's data for a part, with the errors a person can act on as OptimizeErrors. */
  async #modelData(record: ModelVersionRecord, part: DataPart, datasetVersionId?: string | null): Promise<ModelData> {
    const { db, decode } = this.#deps;
    const load = async () => {
      try {
        return await loadModelData(db, { modelId: record.id, part, datasetVersionId: datasetVersionId ?? null }, { decode, tables: this.#tables });
      } catch (e) {
        if (e instanceof EvalError && e.code === 'bad-option' && e.details.params?.why === 'no-dataset') {
          throw new OptimizeError('no-data', {}, `"${record.name}" has no dataset version of its own (it was imported): there are no training or test rows to use`);
        }
        if (e instanceof EvalError && e.code === 'input-mismatch') {
          const column = e.details.column ?? '?';
          throw new OptimizeError('missing-column', { params: { column } }, `The data has no column "${column}", which the model was trained on`);
        }
        if (e instanceof TrainError && e.code === 'missing-column') {
          const column = e.details.column ?? '?';
          throw new OptimizeError('missing-column', { params: { column } }, `The data has no column "${column}", which the model was trained on`);
        }
        if (e instanceof TrainError && e.code === 'unknown-class') {
          throw optimizeErrorWhy(
            'label-mismatch',
            'unknown-class',
            { params: { column: e.details.column ?? '', value: String(e.details.params?.value ?? '') } },
            `The model was trained on another label set: ${e.message}`,
          );
        }
        throw e;
      }
    };
    if (datasetVersionId) return load();
    return this.#data.get(`${(await this.#original(record)).id}|${part}`, load);
  }

  /** Test-split accuracy of a model on its original's test rows (classification), else null. */
  async #testAccuracy(model: tfjs.LayersModel, record: ModelVersionRecord): Promise<number | null> {
    if (record.metadata.task !== 'classification') return null;
    const test = await this.#testData(record);
    if (!test) return null;
    if (test.rows.length === 0 || !test.encoded.y) return null;
    const out = await predictEncoded(this.#deps.tf, model, test.encoded, test.stats);
    return accuracyOf(test.encoded.y, out, test.stats.label.task === 'classification' ? test.stats.label.classes.length : 1);
  }

  /** The test rows, or null for a model without data of its own (an import): it is measured without them. */
  async #testData(record: ModelVersionRecord): Promise<ModelData | null> {
    try {
      return await this.#modelData(record, 'test');
    } catch (e) {
      if (e instanceof OptimizeError && e.code === 'no-data') return null;
      throw e;
    }
  }

  async #loadArtifacts(artifacts: ModelArtifacts): Promise<tfjs.LayersModel> {
    const { tf } = this.#deps;
    return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs as tfjs.io.WeightsManifestEntry[], weightData: artifacts.weightData }));
  }

  /** Write a variant: a new version whose metadata names it and its parent. */
  async #save(parent: ModelVersionRecord, id: string, metadata: VariantMetadata, artifacts: ModelArtifacts, accuracy: number | null): Promise<ModelVersionRecord> {
    const meta: VariantMetadata = {
      ...metadata,
      metrics: accuracy === null ? null : { accuracy, split: 'test' },
      lineage: { ...metadata.lineage, modelVersionId: id, parentModelVersionId: parent.id },
    };
    return addModelVersion(
      this.#deps.db,
      { id, projectId: parent.projectId, name: meta.name, source: 'optimize', runId: null, datasetVersionId: parent.datasetVersionId, parentModelId: parent.id, metadata: meta },
      artifacts,
    );
  }

  // ---------------------------------------------------------------------------------------------------

  /** Post-training quantization into a new version whose stored weights stay quantized. */
  async quantize(req: QuantizeRequest): Promise<QuantizeOutcome> {
    if (!QUANTIZE_CHOICES.includes(req.dtype)) {
      throw new OptimizeError('bad-option', { field: 'dtype', params: { value: String(req.dtype) } }, `Quantize to float16 or uint8, not ${String(req.dtype)}`);
    }
    const parent = await this.#record(req.modelId);
    const { record: _record, ...outcome } = await this.#quantize(parent, req.dtype, req.name);
    return outcome;
  }

  async #quantize(parent: ModelVersionRecord, dtype: QuantizeDtype, name?: string): Promise<QuantizeOutcome & { record: ModelVersionRecord }> {
    const zip = await this.#deps.models.bundle(parent.id);
    const q = quantizeBundle(zip, { dtype, name: name?.trim() || `${parent.name} (${dtype})`, parentModelVersionId: parent.id });
    const artifacts = artifactsOfZip(q.zip);
    const model = await this.#loadArtifacts(artifacts);
    let accuracy: number | null;
    try {
      accuracy = await this.#testAccuracy(model, parent);
    } finally {
      model.dispose();
    }
    const record = await this.#save(parent, newId(), q.metadata, artifacts, accuracy);
    const r = q.report;
    return { record, modelId: record.id, dtype: dtype as QuantizeOutcome['dtype'], quantized: r.quantized, kept: r.kept, before: r.before, after: r.after, accuracy, notes: r.notes };
  }

  /** Magnitude pruning while fine-tuning on the model's training split; optionally quantized after. */
  async prune(req: PruneRequest, signal: AbortSignal, onProgress: Progress = () => {}): Promise<PruneOutcome> {
    const { tf } = this.#deps;
    validateSchedule(req.schedule);
    validateTraining(req.training);
    const parent = await this.#record(req.modelId);
    const progress = (p: Omit<OptimizeProgress, 'jobId'>) => onProgress({ jobId: req.jobId, ...p });
    const cancelled: PruneOutcome = { status: 'cancelled', modelId: null, quantizedModelId: null, report: null, accuracy: null };
    progress({ phase: 'loading', fraction: 0 });
    const data = await this.#modelData(parent, 'train');
    if (signal.aborted) return cancelled;
    const { model } = await this.#deps.models.load(parent.id);
    let train: TrainTensors | null = null;
    try {
      train = toTensors(tf, data.encoded, data.stats.label);
      const config = { task: data.stats.label.task, ...req.training, seed: parent.metadata.lineage.splitSeed ?? 1, progressEveryMs: 250 };
      const { fit, report } = await pruneAndFineTune(tf, model, {
        schedule: req.schedule,
        config,
        train,
        signal,
        onBatch: (p) => progress({ phase: 'training', fraction: p.fraction, epoch: p.epoch, epochs: req.training.epochs }),
      });
      if (fit.status === 'cancelled') return cancelled;
      if (fit.status === 'diverged') throw new OptimizeError('diverged', { params: { what: 'fine-tuning' } }, 'Fine-tuning diverged: the loss became infinite or NaN. Try a smaller learning rate.');
      train.x.dispose();
      train.y.dispose();
      train = null;
      progress({ phase: 'saving', fraction: 0 });
      const accuracy = await this.#testAccuracy(model, parent);
      const metadata = variantMetadata({
        parent: parent.metadata,
        name: req.name?.trim() || `${parent.name} (pruned ${Math.round(req.schedule.finalSparsity * 100)} %)`,
        optimization: pruningRecord(req.schedule, req.training, report),
        parentModelVersionId: parent.id,
        tfjsVersion: tf.version.tfjs,
      });
      const pruned = await this.#save(parent, newId(), metadata, await artifactsOf(tf, model), accuracy);
      const quantized = req.thenQuantize ? await this.#quantize(pruned, 'uint8') : null;
      return { status: 'done', modelId: pruned.id, quantizedModelId: quantized?.modelId ?? null, report, accuracy };
    } finally {
      train?.x.dispose();
      train?.y.dispose();
      model.dispose();
    }
  }

  /**
   * Distill a student from the teacher, and train the same student from the same initial weights on the
   * labels alone, so the two can be compared. Both are saved as variants of the teacher, after both are
   * trained (a cancel in either writes nothing).
   */
  async distill(req: DistillRequest, signal: AbortSignal, onProgress: Progress = () => {}): Promise<DistillOutcome> {
    const { tf, db } = this.#deps;
    validateDistillSettings({ alpha: req.alpha, temperature: req.temperature });
    validateTraining(req.training);
    const share = req.labeledShare ?? 1;
    validateLabeledShare(share);
    const teacher = await this.#record(req.modelId);
    const meta = teacher.metadata;
    const stats = meta.preprocessing;
    if (meta.task !== 'classification' || stats.label.task !== 'classification') {
      throw new OptimizeError('not-classification', {}, `"${teacher.name}" is a ${meta.task} model: distillation needs a classifier's class probabilities`);
    }
    const classes = stats.label.classes.slice();
    const spec = studentSpec(meta.modelSpec, stats.input, { kind: 'classification', classes: classes.length }, req.student);
    const progress = (p: Omit<OptimizeProgress, 'jobId'>) => onProgress({ jobId: req.jobId, ...p });
    const cancelled: DistillOutcome = { status: 'cancelled', distilled: null, scratch: null, teacherParams: 0, teacherAccuracy: null, labeledRows: 0, warnings: [] };
    if (req.datasetVersionId) {
      const version = await db.versions.get(req.datasetVersionId);
      if (!version || version.projectId !== teacher.projectId) throw missing('dataset-version', req.datasetVersionId);
      const label = stats.label.column;
      if (!version.columns.some((c) => c.name === label)) {
        throw new OptimizeError('missing-column', { field: 'label', params: { column: label } }, `The data has no column "${label}", the label the teacher was trained on`);
      }
    }
    progress({ phase: 'loading', fraction: 0 });
    const data = await this.#modelData(teacher, req.datasetVersionId ? 'all' : 'train', req.datasetVersionId);
    if (signal.aborted) return cancelled;
    const { model: teacherModel } = await this.#deps.models.load(teacher.id);
    const owned: { dispose(): void }[] = [teacherModel];
    try {
      const seed = meta.lineage.splitSeed ?? 1;
      let train = toTensors(tf, data.encoded, data.stats.label);
      owned.push(train.x, train.y);
      // a share of the teacher's own training rows only: another version's rows are all used
      const subset = share < 1 && !req.datasetVersionId ? labeledRows(data.encoded.y!, share, seed) : null;
      if (subset) {
        const all = train;
        train = tf.tidy(() => ({ x: tf.gather(all.x, Array.from(subset)), y: tf.gather(all.y, Array.from(subset)) }));
        owned.push(train.x, train.y);
        all.x.dispose();
        all.y.dispose();
      }
      const rowsUsed = train.x.shape[0]!;
      const epochs = req.training.epochs;
      const run = await distillStudent(tf, {
        teacher: teacherModel,
        teacherMetadata: meta,
        studentSpec: spec,
        labels: classes,
        train,
        config: { ...req.training, alpha: req.alpha, temperature: req.temperature, seed },
        signal,
        onEpoch: (log) => progress({ phase: 'training', fraction: (log.epoch + 1) / epochs, epoch: log.epoch, epochs }),
      });
      owned.push(run.student);
      if (run.status === 'cancelled') return cancelled;
      if (run.status === 'diverged') throw new OptimizeError('diverged', { params: { what: 'distillation' } }, 'Distillation diverged: the loss became infinite or NaN. Try a smaller learning rate.');
      progress({ phase: 'scratch', fraction: 0, epochs });
      const scratch = await trainStudentFromScratch(tf, {
        studentSpec: spec,
        train,
        config: { ...req.training, seed, progressEveryMs: 250 },
        signal,
        onBatch: (p) => progress({ phase: 'scratch', fraction: p.fraction, epoch: p.epoch, epochs }),
      });
      owned.push(scratch.student);
      if (scratch.fit.status === 'cancelled') return cancelled;
      train.x.dispose();
      train.y.dispose();

      progress({ phase: 'saving', fraction: 0 });
      // scored on the teacher's test rows; students of another version have no test rows of their own
      const own = !req.datasetVersionId;
      const teacherAccuracy = own ? await this.#testAccuracy(teacherModel, teacher) : null;
      const teacherParams = teacherModel.countParams();
      const base = { ...req.training, seed, labeledShare: subset ? share : 1, labeledRows: rowsUsed };
      const name = req.name?.trim() || `${teacher.name} student`;
      const students = [
        { method: 'distill' as const, model: run.student, history: run.history, name, record: studentRecord('distill', { ...base, alpha: req.alpha, temperature: req.temperature }, { name: teacher.name, params: teacherParams }, run.warnings) },
        { method: 'scratch' as const, model: scratch.student, history: scratch.fit.history, name: `${name} (from scratch)`, record: studentRecord('scratch', base, { name: teacher.name, params: teacherParams }) },
      ];
      const saved = [];
      for (const s of students) {
        const accuracy = own ? await this.#testAccuracy(s.model, teacher) : null;
        const metadata = variantMetadata({ parent: meta, name: s.name, optimization: s.record, parentModelVersionId: teacher.id, modelSpec: spec, tfjsVersion: tf.version.tfjs });
        if (req.datasetVersionId) metadata.lineage.datasetVersionId = req.datasetVersionId;
        saved.push({ accuracy, history: s.history, metadata, artifacts: await artifactsOf(tf, s.model) });
      }
      const out: DistillOutcome = { status: 'done', distilled: null, scratch: null, teacherParams, teacherAccuracy, labeledRows: rowsUsed, warnings: run.warnings };
      for (const [i, s] of saved.entries()) {
        const record = await this.#save(teacher, newId(), s.metadata, s.artifacts, s.accuracy);
        const summary = { modelId: record.id, params: run.params, accuracy: s.accuracy, history: s.history };
        if (i === 0) out.distilled = summary;
        else out.scratch = summary;
      }
      return out;
    } finally {
      for (const o of owned) o.dispose();
    }
  }

  /**
   * The comparison table of a model and all its variants (descendants through parentModelId): parameters,
   * bundle and gzip sizes, test accuracy, and the latency of one batch in this worker on its backend.
   */
  async compare(req: CompareRequest, signal: AbortSignal, onProgress: Progress = () => {}): Promise<CompareResult> {
    const { tf, db } = this.#deps;
    const root = await this.#record(req.rootId);
    const all = await db.models.where('projectId').equals(root.projectId).toArray();
    const family: ModelVersionRecord[] = [root];
    for (let i = 0; i < family.length; i++) {
      for (const m of all) if (m.parentModelId === family[i]!.id && !family.includes(m)) family.push(m);
    }
    const backend = tf.getBackend();
    const rows: ComparisonRow[] = [];
    for (const [i, m] of family.entries()) {
      throwIfAborted(signal);
      onProgress({ jobId: req.jobId, phase: 'measuring', fraction: i / family.length });
      const key = `${m.id}|${backend}`;
      let row = this.#rows.get(key);
      if (!row) {
        row = await this.#measure(m);
        this.#rows.set(key, row);
      }
      rows.push({ ...row, lineage: { ...row.lineage, parentModelVersionId: m.parentModelId } });
    }
    return { rootId: root.id, rows: finishRows(rows, root.id), backend, latencyBatch: LATENCY_BATCH };
  }

  async #measure(m: ModelVersionRecord): Promise<ComparisonRow> {
    const { tf } = this.#deps;
    const zip = await this.#deps.models.bundle(m.id);
    const { model } = await this.#deps.models.load(m.id);
    try {
      const accuracy = await this.#testAccuracy(model, m);
      const enc = (await this.#testData(m))?.encoded;
      const size = enc ? enc.featureShape.reduce((a, b) => a * b, 1) : 0;
      const n = enc ? Math.min(LATENCY_BATCH, enc.rows) : 0;
      // without test rows, a batch of zeros times the same arithmetic
      const x = enc && n > 0 ? tf.tensor(enc.x.subarray(0, n * size), [n, ...enc.featureShape], 'float32') : tf.zeros([LATENCY_BATCH, ...featureShapeOf(m.metadata.preprocessing)]);
      let latencyMs: number;
      try {
        latencyMs = (await measureLatency(tf, model, x, { runs: 15, warmup: 3 })).medianMs;
      } finally {
        x.dispose();
      }
      return variantRow({ id: m.id, zip, test: accuracy === null ? undefined : { accuracy }, latencyMs });
    } finally {
      model.dispose();
    }
  }
}
