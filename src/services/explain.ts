/**
 * Fairness indicators and explanations of a model version (training worker). Composes the model's data
 * (model-data.ts: its evaluation rows encoded with its own preprocessing, on its own split) with
 * core/evaluate's fairness.ts and explain.ts:
 *  - fairness: one-vs-rest on a chosen class, its probability the score, groups from a raw column;
 *  - permutation importance and KernelSHAP by ORIGINAL column (a one-hot or bag-of-words feature's slots
 *    move together; for a model on a transform, by transform output), KernelSHAP against the model's
 *    training rows as background;
 *  - integrated gradients on the model's input (and saliency maps for image models);
 *  - What-If: a row with edited values encoded exactly as at prediction time, and the nearest evaluation
 *    row predicted differently.
 * Loaded models and data are kept for the last few requests: the panels ask many questions of one model.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { EvalError, evalErrorWhy } from '../core/evaluate/errors';
import type { FeatureGroup, PredictFn } from '../core/evaluate/explain';
import { fairnessIndicators } from '../core/evaluate/fairness';
import { integratedGradients, pixelHeatmap, saliencyMap } from '../core/evaluate/gradients';
import { kernelShap } from '../core/evaluate/kernel-shap';
import { accuracyScore, mseScore, permutationImportance } from '../core/evaluate/permutation';
import { nearestCounterfactual } from '../core/evaluate/what-if';
import type { TF } from '../core/model/model-spec';
import { argmaxRows } from '../core/model/metrics';
import { encodeRecords, inputColumns, type CellValue, type ColumnTable, type DecodeImage, type Encoded, type PreprocessStats } from '../core/model/preprocess';
import type {
  CounterfactualResult,
  ExplainProgress,
  ExplainSetup,
  ExplainTarget,
  FairnessRequest,
  FairnessResult,
  ImportanceRequest,
  ImportanceResult,
  IntegratedGradientsResult,
  RowDetail,
  RowPrediction,
  RowRequest,
  ShapRequest,
  ShapResult,
  WhatIfValue,
} from '../protocol/explain';
import type { PipetteDB } from '../store/db';
import { throwIfAborted } from '../protocol/jobs';
import { loadModelData, predictEncoded, type DataPart, type ModelData } from './model-data';
import { Recent } from './recent';
import { TableCache } from './train-data';
import type { LoadedModel } from './train';

export interface ExplainDeps {
  tf: TF;
  db: PipetteDB;
  /** A fresh instance of a model version; the service disposes it when it drops it from its cache. */
  loadModel: (modelId: string) => Promise<LoadedModel>;
  decode?: DecodeImage;
  /** The worker's one cache of dataset tables, shared by the services (default: one of its own). */
  tables?: TableCache;
}

/** Rows listed in the row picker. */
const PICKER_ROWS = 200;
/** A sensitive column with more groups than this is not offered. */
const MAX_GROUPS = 50;

/** Evaluation data with the model's outputs on it. */
interface Evaluated {
  data: ModelData;
  /** rows x classes probabilities, or rows values (regression, label units). */
  outputs: Float32Array;
  /** Predicted class per row (classification), else null. */
  predicted: Int32Array | null;
}

/** A raw cell as the What-If form edits it (full text, no images). */
function rawCell(table: ColumnTable, column: string, row: number): WhatIfValue {
  const col = table.columns.get(column);
  if (!col) return null;
  switch (col.type) {
    case 'number':
    case 'integer':
    case 'datetime':
      return Number.isNaN(col.values[row]!) ? null : col.values[row]!;
    case 'boolean':
      return col.values[row] === 2 ? null : col.values[row] === 1;
    case 'categorical':
      return col.codes[row]! < 0 ? null : col.dictionary[col.codes[row]!]!;
    case 'text':
      return col.values[row] ?? null;
    case 'image':
      return null;
  }
}

/**
 * The feature groups of a vector input: each original column's slots, or for a model on a transform each
 * transform output's slots (a vocabulary's one-hot, a bucketized column, PCA components move together),
 * named by the output. Raw columns cannot be groups there: a cross or a PCA output mixes several.
 */
function featureGroups(stats: PreprocessStats): FeatureGroup[] {
  return stats.features.flatMap((f) => {
    const slots = (offset: number, size: number) => Array.from({ length: size }, (_, i) => f.offset + offset + i);
    return f.encoding === 'transform' ? f.fitted.features.layout.map((o) => ({ name: o.name, columns: slots(o.offset, o.size) })) : [{ name: f.column, columns: slots(0, f.slots) }];
  });
}

/** The raw values of a row in the model's input columns. */
function rawValues(stats: PreprocessStats, table: ColumnTable, row: number): Record<string, WhatIfValue> {
  return Object.fromEntries(inputColumns(stats).map((c) => [c.column, rawCell(table, c.column, row)]));
}

function rowSize(enc: Pick<Encoded, 'featureShape'>): number {
  return enc.featureShape.reduce((a, b) => a * b, 1);
}

/** Index of a dataset row in the ascending part rows, or an error naming the row. */
function indexOfRow(rows: Uint32Array, row: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid]! < row) lo = mid + 1;
    else hi = mid;
  }
  if (rows[lo] !== row) throw evalErrorWhy('bad-option', 'row', { params: { row } }, `Row ${row} is not in the evaluation set`);
  return lo;
}

export class ExplainService {
  readonly #deps: ExplainDeps;
  readonly #tables: TableCache;
  readonly #models: Recent<tfjs.LayersModel>;
  readonly #data = new Recent<ModelData>(4);
  readonly #evaluated = new Recent<Evaluated>(2);

  constructor(deps: ExplainDeps) {
    this.#deps = deps;
    this.#tables = deps.tables ?? new TableCache(deps.db, 3);
    this.#models = new Recent(2, (m) => m.dispose());
  }

  #model(modelId: string): Promise<tfjs.LayersModel> {
    return this.#models.get(modelId, async () => (await this.#deps.loadModel(modelId)).model);
  }

  #load(modelId: string, datasetVersionId: string | null, part: DataPart): Promise<ModelData> {
    return this.#data.get([modelId, datasetVersionId ?? '', part].join('\u0000'), () =>
      loadModelData(this.#deps.db, { modelId, datasetVersionId, part }, { decode: this.#deps.decode, tables: this.#tables }),
    );
  }

  /** The evaluation rows (the test split of the model's own version, or all of another) with outputs. */
  #evaluate(t: ExplainTarget): Promise<Evaluated> {
    return this.#evaluated.get(`${t.modelId}\u0000${t.datasetVersionId ?? ''}`, async () => {
      const data = await this.#load(t.modelId, t.datasetVersionId, 'test');
      const model = await this.#model(t.modelId);
      const outputs = await predictEncoded(this.#deps.tf, model, data.encoded, data.stats);
      const predicted = data.classes ? argmaxRows(outputs, data.classes.length) : null;
      return { data, outputs, predicted };
    });
  }

  /** n encoded rows of this model in, its outputs out (probabilities, or label units for regression). */
  #predictFn(model: tfjs.LayersModel, stats: PreprocessStats, featureShape: number[], signal?: AbortSignal, onRows?: (n: number) => void): PredictFn {
    return async (x, n) => {
      throwIfAborted(signal);
      const out = await predictEncoded(this.#deps.tf, model, { rows: n, x, featureShape, y: null, missing: {} }, stats, 4096);
      onRows?.(n);
      return out;
    };
  }

  #prediction(stats: PreprocessStats, outputs: ArrayLike<number>, at = 0): RowPrediction {
    if (stats.label.task === 'classification') {
      const classes = stats.label.classes;
      const probabilities = Array.from({ length: classes.length }, (_, j) => outputs[at * classes.length + j]!);
      const best = argmaxRows(probabilities, classes.length)[0]!;
      return { predicted: classes[best]!, predictedIndex: best, probabilities, value: null };
    }
    const value = outputs[at]!;
    return { predicted: String(value), predictedIndex: null, probabilities: null, value };
  }

  async explainSetup(t: ExplainTarget): Promise<ExplainSetup> {
    const ev = await this.#evaluate(t);
    const { data } = ev;
    const stats = data.stats;
    const label = stats.label.column;
    // candidate sensitive columns: categorical and boolean, their groups counted over the evaluation rows
    const candidates = data.version.columns.filter((c) => (c.type === 'categorical' || c.type === 'boolean') && c.name !== label).map((c) => c.name);
    // raw columns only: the rows are encoded already
    const withGroups = candidates.length ? await this.#tables.load(data.version.id, candidates) : data;
    const sensitiveColumns = candidates
      .map((column) => ({ column, groups: new Set(Array.from(data.rows, (r) => rawCell(withGroups.table, column, r))).size }))
      .filter((c) => c.groups <= MAX_GROUPS);
    const y = data.encoded.y;
    const rows = Array.from(data.rows.subarray(0, PICKER_ROWS), (row, i) => {
      const p = this.#prediction(stats, ev.outputs, i);
      const actual = y === null ? null : data.classes ? data.classes[y[i]!]! : String(rawCell(data.table, label, row));
      return { row, actual, predicted: p.predicted, confidence: p.probabilities ? p.probabilities[p.predictedIndex!]! : null };
    });
    return {
      task: stats.label.task,
      classes: data.classes,
      inputKind: stats.input.kind,
      // a transform's raw input columns are what a person edits
      features: stats.features.flatMap((f): ExplainSetup['features'] =>
        f.encoding === 'transform'
          ? f.fitted.columns.map((c) => ({ column: c.name, encoding: f.encoding, sourceType: c.type, categories: null }))
          : [{ column: f.column, encoding: f.encoding, sourceType: f.sourceType, categories: f.encoding === 'onehot' ? f.categories.slice() : null }],
      ),
      sensitiveColumns,
      part: data.part,
      evaluationRows: data.rows.length,
      rows,
    };
  }

  async fairness(req: FairnessRequest): Promise<FairnessResult> {
    const ev = await this.#evaluate(req);
    const { data, outputs } = ev;
    if (!data.classes) throw evalErrorWhy('bad-option', 'fairness-regression', {}, 'Fairness indicators need a classification model');
    const k = data.classes.indexOf(req.positiveClass);
    if (k < 0) throw evalErrorWhy('bad-option', 'unknown-class', { params: { class: req.positiveClass } }, `"${req.positiveClass}" is not one of the model's classes`);
    const y = data.encoded.y;
    if (!y) throw new EvalError('missing-column', { column: data.stats.label.column }, `The evaluation data has no label column "${data.stats.label.column}"`);
    if (!data.version.columns.some((c) => c.name === req.sensitiveColumn)) {
      throw new EvalError('missing-column', { column: req.sensitiveColumn }, `Column "${req.sensitiveColumn}" is not in this dataset version`);
    }
    const table = (await this.#tables.load(data.version.id, [req.sensitiveColumn])).table;
    const n = data.rows.length;
    const report = fairnessIndicators({
      column: req.sensitiveColumn,
      groups: Array.from(data.rows, (r) => rawCell(table, req.sensitiveColumn, r)),
      positive: Uint8Array.from({ length: n }, (_, i) => (y[i] === k ? 1 : 0)),
      scores: Float64Array.from({ length: n }, (_, i) => outputs[i * data.classes!.length + k]!),
    });
    return { report, positiveClass: req.positiveClass, evaluationRows: n };
  }

  async featureImportance(req: ImportanceRequest, signal: AbortSignal, onProgress: (p: ExplainProgress) => void): Promise<ImportanceResult> {
    const { data } = await this.#evaluate(req);
    const stats = data.stats;
    if (stats.input.kind !== 'tabular') throw evalErrorWhy('bad-option', 'importance-input', { params: { input: stats.input.kind } }, 'Permutation importance by column needs a tabular or bag-of-words model');
    const y = data.encoded.y;
    if (!y) throw new EvalError('missing-column', { column: stats.label.column }, `The evaluation data has no label column "${stats.label.column}"`);
    const model = await this.#model(req.modelId);
    const classification = stats.label.task === 'classification';
    const truth = classification ? y : Float64Array.from(y, (v) => v * (stats.label as { std: number }).std + (stats.label as { mean: number }).mean);
    const result = await permutationImportance({
      x: data.encoded.x,
      n: data.rows.length,
      d: rowSize(data.encoded),
      predict: this.#predictFn(model, stats, data.encoded.featureShape, signal),
      score: classification ? accuracyScore(truth, data.classes!.length) : mseScore(truth),
      direction: classification ? 'higher' : 'lower',
      features: featureGroups(stats),
      repeats: req.repeats ?? 5,
      seed: 1,
      onProgress: (done, total) => onProgress({ done, total }),
    });
    return {
      metric: classification ? 'accuracy' : 'mse',
      baseline: result.baseline,
      rows: result.rows,
      features: result.features.map((f) => ({ name: f.name, importance: f.importance, std: f.std })).sort((a, b) => b.importance - a.importance),
    };
  }

  /** The encoded row to explain: the stored one, or the edited values encoded as at prediction time. */
  async #row(req: RowRequest): Promise<{ ev: Evaluated; index: number; x: Float32Array }> {
    const ev = await this.#evaluate(req);
    const { data } = ev;
    const index = indexOfRow(data.rows, req.row);
    const d = rowSize(data.encoded);
    if (!req.values) return { ev, index, x: data.encoded.x.slice(index * d, index * d + d) };
    const inputs = inputColumns(data.stats);
    const record: Record<string, CellValue> = {};
    for (const { column } of inputs) {
      const v = req.values[column];
      record[column] = v === undefined || v === '' ? null : v;
    }
    const x = await encodeRecords(data.stats, [record], Object.fromEntries(inputs.map((c) => [c.column, c.type])));
    return { ev, index, x };
  }

  async #predictOne(modelId: string, stats: PreprocessStats, featureShape: number[], x: Float32Array): Promise<RowPrediction> {
    const model = await this.#model(modelId);
    return this.#prediction(stats, await predictEncoded(this.#deps.tf, model, { rows: 1, x, featureShape, y: null, missing: {} }, stats));
  }

  async rowDetail(req: RowRequest): Promise<RowDetail> {
    const { ev, index, x } = await this.#row({ ...req, values: null });
    const { data } = ev;
    const stats = data.stats;
    const y = data.encoded.y;
    const actual = y === null ? null : data.classes ? data.classes[y[index]!]! : String(rawCell(data.table, stats.label.column, req.row));
    const values = rawValues(stats, data.table, req.row);
    const input = stats.input;
    return {
      row: req.row,
      actual,
      values,
      prediction: this.#prediction(stats, ev.outputs, index),
      image: input.kind === 'image' ? { height: input.height, width: input.width, channels: input.channels, pixels: x } : null,
    };
  }

  async whatIf(req: RowRequest): Promise<RowPrediction> {
    const { ev, x } = await this.#row(req);
    return this.#predictOne(req.modelId, ev.data.stats, ev.data.encoded.featureShape, x);
  }

  /** The class explained: the one asked for, else the predicted one (0 for regression). */
  async #output(req: RowRequest, stats: PreprocessStats, featureShape: number[], x: Float32Array): Promise<{ output: number; outputLabel: string }> {
    if (stats.label.task !== 'classification') return { output: 0, outputLabel: stats.label.column };
    const classes = stats.label.classes;
    const output = req.output ?? (await this.#predictOne(req.modelId, stats, featureShape, x)).predictedIndex!;
    if (!(output >= 0 && output < classes.length)) throw evalErrorWhy('bad-option', 'output', { params: { output, outputs: classes.length } }, `Output ${output} is not one of the model's ${classes.length} classes`);
    return { output, outputLabel: classes[output]! };
  }

  async integratedGradients(req: RowRequest): Promise<IntegratedGradientsResult> {
    const { ev, x } = await this.#row(req);
    const stats = ev.data.stats;
    const input = stats.input;
    if (input.kind === 'tokens') throw evalErrorWhy('bad-option', 'ig-tokens', {}, 'Integrated gradients need a vector or image input, not token ids');
    const { output, outputLabel } = await this.#output(req, stats, ev.data.encoded.featureShape, x);
    const model = await this.#model(req.modelId);
    const ig = await integratedGradients(this.#deps.tf, model, x, { output });
    // regression models learn the standardized label: report in the label's units
    const scale = stats.label.task === 'regression' ? stats.label.std : 1;
    const shift = stats.label.task === 'regression' ? stats.label.mean : 0;
    let columns: IntegratedGradientsResult['columns'] = [];
    let heatmap: Float32Array | null = null;
    let saliency: Float32Array | null = null;
    if (input.kind === 'image') {
      heatmap = pixelHeatmap(ig.attributions, input.height, input.width, input.channels, 'sum').map;
      saliency = (await saliencyMap(this.#deps.tf, model, x, output)).map;
    } else {
      columns = featureGroups(stats)
        .map((g) => ({ column: g.name, value: g.columns.reduce((s, c) => s + ig.attributions[c]!, 0) * scale }))
        .sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
    }
    return {
      output,
      outputLabel,
      columns,
      sum: ig.sum * scale,
      fx: ig.fx * scale + shift,
      fBaseline: ig.fBaseline * scale + shift,
      relativeError: ig.relativeError,
      steps: ig.steps,
      heatmap,
      saliency,
    };
  }

  /** KernelSHAP background: the model's training rows, or the evaluation rows of a model without its own. */
  async #background(req: RowRequest, ev: Evaluated): Promise<{ x: Float32Array; source: ShapResult['background'] }> {
    try {
      return { x: (await this.#load(req.modelId, null, 'train')).encoded.x, source: 'train' };
    } catch (e) {
      if (e instanceof EvalError && e.code === 'bad-option' && e.details.params?.why === 'no-dataset') return { x: ev.data.encoded.x, source: 'evaluation' };
      throw e;
    }
  }

  async kernelShap(req: ShapRequest, signal: AbortSignal, onProgress: (p: ExplainProgress) => void): Promise<ShapResult> {
    const { ev, x } = await this.#row(req);
    const stats = ev.data.stats;
    if (stats.input.kind !== 'tabular') throw evalErrorWhy('bad-option', 'shap-input', { params: { input: stats.input.kind } }, 'KernelSHAP by column needs a tabular or bag-of-words model');
    const featureShape = ev.data.encoded.featureShape;
    const { output, outputLabel } = await this.#output(req, stats, featureShape, x);
    const { x: background, source } = await this.#background(req, ev);
    const model = await this.#model(req.modelId);
    const groups = featureGroups(stats);
    // the rows KernelSHAP will evaluate (core defaults): x, the background, one background pass per coalition
    const M = groups.length;
    const nb = Math.min(100, background.length / x.length);
    const coalitions = M <= 10 ? 2 ** M - 2 : Math.min(2 ** M - 2, 2 * M + 2048);
    const total = 1 + nb + coalitions * nb;
    let done = 0;
    const shap = await kernelShap({
      predict: this.#predictFn(model, stats, featureShape, signal, (n) => onProgress({ done: Math.min((done += n), total), total })),
      x,
      background,
      features: groups,
      output,
      seed: 1,
    });
    return {
      output,
      outputLabel,
      values: groups.map((g, j) => ({ column: g.name, value: shap.values[j]! })),
      sum: shap.values.reduce((a, b) => a + b, 0),
      fx: shap.fx,
      expected: shap.expected,
      exact: shap.exact,
      coalitions: shap.coalitions,
      backgroundRows: shap.backgroundRows,
      background: source,
    };
  }

  async nearestCounterfactual(req: RowRequest): Promise<CounterfactualResult> {
    const { ev, x } = await this.#row(req);
    const { data, predicted } = ev;
    const stats = data.stats;
    if (!predicted) throw evalErrorWhy('bad-option', 'counterfactual-regression', {}, 'A different prediction needs a classification model');
    const query = await this.#predictOne(req.modelId, stats, data.encoded.featureShape, x);
    const found = nearestCounterfactual(data.encoded.x, rowSize(data.encoded), predicted, x, query.predictedIndex!);
    if (!found) return { row: null, prediction: null, changes: [] };
    const row = data.rows[found.index]!;
    const from = req.values ?? rawValues(stats, data.table, req.row);
    const changed = new Set(found.changes.map((c) => c.column));
    const to = rawValues(stats, data.table, row);
    // an image differs pixel by pixel: the page shows the row itself, not a table of pixels; a transform's
    // slots mix columns, so its raw inputs are compared instead
    const changes = stats.features.flatMap((f) => {
      if (f.encoding === 'transform') return f.fitted.columns.filter((c) => String(from[c.name] ?? '') !== String(to[c.name] ?? '')).map((c) => c.name);
      return f.encoding !== 'image' && Array.from({ length: f.slots }, (_, i) => f.offset + i).some((c) => changed.has(c)) ? [f.column] : [];
    }).map((column) => ({ column, from: from[column] ?? null, to: to[column] ?? null }));
    return { row, prediction: this.#prediction(stats, ev.outputs, found.index), changes };
  }
}
