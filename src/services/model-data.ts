/**
 * A model version's data, for the stages that come after training (optimization, evaluation,
 * explanations): a dataset version's rows encoded with the MODEL's own preprocessing, on the model's own
 * seeded split. Runs in the training worker (and in Node tests).
 *
 * The split is not stored row by row; it follows from the run's seed, fractions and label column, so it is
 * rebuilt exactly as the run built it. A model made from another model (an optimized variant, a fine-tuned
 * or imported version) has the split of the first ancestor that came from a run on the same dataset version.
 */
import { missing } from '../core/record-error';
import type * as tfjs from '@tensorflow/tfjs';
import { EvalError, evalErrorWhy } from '../core/evaluate/errors';
import type { TF } from '../core/model/model-spec';
import { choiceOf, decodeRegression, encode, inputColumns, type ColumnTable, type DecodeImage, type Encoded, type PreprocessStats } from '../core/model/preprocess';
import { predictEncodedRows } from '../core/train/trainer';
import type { DatasetVersion, PipetteDB } from '../store/db';
import type { ModelVersionRecord, RunRecord } from '../store/training-records';
import { trainingVersionOf } from './registry';
import { loadLabelSet, loadTable, prepareData, type TableCache } from './train-data';

export type DataPart = 'train' | 'validation' | 'test' | 'all';

export interface ModelDataRequest {
  modelId: string;
  /**
   * Default: the dataset version the model was trained on. Another version is used whole: its rows were
   * never split for this model, so `part` is then 'all'.
   */
  datasetVersionId?: string | null;
  part: DataPart;
  /** Raw columns to keep besides the model's features and label (slice columns, sensitive columns). */
  extraColumns?: readonly string[];
}

export interface ModelData {
  record: ModelVersionRecord;
  stats: PreprocessStats;
  version: DatasetVersion;
  /** Features, the label (when the version has it) and the extra columns, over ALL rows of the version. */
  table: ColumnTable;
  /** The part actually used ('all' for a version the model did not train on). */
  part: DataPart;
  /** Row numbers of that part in the version, ascending. */
  rows: Uint32Array;
  /** `rows` encoded: x, featureShape, and y (class index or standardized value) when the label is present. */
  encoded: Encoded;
  /** Class names in output order (classification), else null. */
  classes: string[] | null;
}

/** The run whose split a model shares: its own, or the nearest ancestor's that trained on `versionId`. */
async function splitRunOf(db: PipetteDB, record: ModelVersionRecord, versionId: string): Promise<RunRecord | null> {
  const seen = new Set<string>();
  for (let m: ModelVersionRecord | undefined = record; m && !seen.has(m.id); m = m.parentModelId ? await db.models.get(m.parentModelId) : undefined) {
    seen.add(m.id);
    if (!m.runId) continue;
    const run = await db.runs.get(m.runId);
    if (run && run.datasetVersionId === versionId) return run;
  }
  return null;
}

export async function loadModelData(db: PipetteDB, req: ModelDataRequest, options: { decode?: DecodeImage; tables?: TableCache } = {}): Promise<ModelData> {
  const record = await db.models.get(req.modelId);
  if (!record) throw missing('model-version', req.modelId);
  const stats = record.metadata.preprocessing;
  const own = await trainingVersionOf(db, record);
  const versionId = req.datasetVersionId ?? own;
  if (!versionId) {
    throw evalErrorWhy('bad-option', 'no-dataset', {}, `Model "${record.name}" has no dataset version of its own (it was imported): choose one to evaluate on`);
  }
  const version = await db.versions.get(versionId);
  if (!version || version.status !== 'ready') throw missing('dataset-version', versionId);

  const names = new Set(version.columns.map((c) => c.name));
  const inputs = inputColumns(stats).map((c) => c.column);
  for (const column of inputs) {
    if (!names.has(column)) {
      throw new EvalError('input-mismatch', { column }, `The model reads column "${column}", which this dataset version does not have`);
    }
  }
  for (const c of req.extraColumns ?? []) {
    if (!names.has(c)) throw new EvalError('missing-column', { column: c }, `Column "${c}" is not in this dataset version`);
  }
  const label = stats.label.column;
  const hasLabel = names.has(label);
  const columns = [...new Set([...inputs, ...(hasLabel ? [label] : []), ...(req.extraColumns ?? [])])];
  const loaded = await (options.tables ? options.tables.load(versionId, columns) : loadTable(db, versionId, columns));

  let part: DataPart = 'all';
  let rows: Uint32Array = Uint32Array.from({ length: loaded.table.rowCount }, (_, i) => i);
  const run = req.part !== 'all' && hasLabel ? await splitRunOf(db, record, versionId) : null;
  if (run) {
    const { split } = await prepareData(loaded, {
      features: stats.features.map(choiceOf),
      label,
      labelTask: stats.label.task,
      split: run.config.split,
      stats, // the split needs no fitting: the model's statistics are used as they are
      // a run on a label set split ALL rows by the set's classes: the same rows only with the same set
      labelSet: await loadLabelSet(db, run.config.labelSource),
    });
    part = req.part;
    rows = split[req.part as Exclude<DataPart, 'all'>];
  }
  const encoded = await encode(stats, loaded.table, rows, { labels: hasLabel, decode: options.decode });
  return {
    record,
    stats,
    version: loaded.version,
    table: loaded.table,
    part,
    rows,
    encoded,
    classes: stats.label.task === 'classification' ? stats.label.classes.slice() : null,
  };
}

/**
 * The model's outputs for encoded rows, in batches: class probabilities (rows x classes) for
 * classification, values in the label's own units for regression. Every tensor is disposed.
 */
export async function predictEncoded(tf: TF, model: tfjs.LayersModel, enc: Encoded, stats: PreprocessStats, batchRows = 1024): Promise<Float32Array> {
  const out = await predictEncodedRows(tf, model, enc, batchRows);
  return stats.label.task === 'regression' ? decodeRegression(stats.label, out) : out;
}
