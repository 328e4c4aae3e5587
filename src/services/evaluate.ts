/**
 * The Evaluate stage's service (training worker): a model version's sliced metrics with bootstrap
 * intervals on its own test split or another dataset version, the blessing by absolute thresholds and by
 * thresholds relative to the version aliased "production" (evaluated on the same rows), the record of it
 * all in `evaluations`, and curves of one class against the rest.
 *
 * The rows, their encoding and the predictions come from model-data.ts (the model's own preprocessing and
 * seeded split); the metrics from core/evaluate. The last two predictions are kept, so the Curves tab does
 * not predict again what the evaluation just predicted.
 */
import { missing } from '../core/record-error';
import { codedErrorData, type SerializedCoded } from '../core/coded-errors';
import { evaluateBlessing, type MetricTable } from '../core/evaluate/blessing';
import { calibrationCurve, precisionRecallCurve, rocCurve, thresholdMetrics } from '../core/evaluate/curves';
import { EvalError, evalErrorWhy } from '../core/evaluate/errors';
import type { CellValue } from '../core/evaluate/slice-assign';
import { predictionsFor, sliceColumns, sliceValues } from '../core/evaluate/predictions';
import type { Predictions } from '../core/evaluate/slice-metrics';
import { metricTable, SliceEvaluator, type Slicing } from '../core/evaluate/slices';
import type { TF } from '../core/model/model-spec';
import { nextTask } from '../core/train/batch-loop';
import type { DecodeImage } from '../core/model/preprocess';
import type { CurvePoint, CurvesRequest, CurvesResult, EvaluateProgress, EvaluateRequest } from '../protocol/evaluate';
import { throwIfAborted } from '../protocol/jobs';
import { newId, type PipetteDB } from '../store/db';
import type { EvaluationRecord } from '../store/evaluation-records';
import { loadModelData, predictEncoded, type ModelData } from './model-data';
import type { TableCache } from './train-data';
import { GATED_ALIAS, resolveAlias } from './registry';
import type { LoadedModel } from './train';

export interface EvaluateDeps {
  tf: TF;
  db: PipetteDB;
  /** A fresh instance of a model version (disposed after use). */
  loadModel: (modelId: string) => Promise<LoadedModel>;
  decode?: DecodeImage;
  /** The worker's one cache of dataset tables, shared by the services (default: one of its own). */
  tables?: TableCache;
}

/** A model's predictions on its evaluation rows. */
interface Predicted {
  key: string;
  data: ModelData;
  /** n x classes probabilities, or n de-standardized values. */
  outputs: Float32Array;
}

/** Points drawn per curve: enough for the eye, small enough to cross the worker boundary at once. */
export const CURVE_POINTS = 300;
/** The threshold slider's steps: 0, 0.01, ..., 1. */
export const THRESHOLD_STEPS = 100;


/** The core's view of a model's outputs on its rows. */
function predictionsOf(p: Predicted, threshold?: number): Predictions {
  return predictionsFor(p.data.stats.label, p.data.encoded.y, p.outputs, threshold);
}

/** At most `max` points, evenly spaced, first and last kept. */
export function thinPoints(points: CurvePoint[], max = CURVE_POINTS): CurvePoint[] {
  if (points.length <= max) return points;
  const step = (points.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, j) => points[Math.round(j * step)]!);
}

/** One plain value per evaluated row of a table column (core/evaluate/predictions.ts). */
export { sliceValues };

export class EvaluateService {
  readonly #deps: EvaluateDeps;
  /** The latest predictions, most recent last: a candidate's and its baseline's. */
  readonly #cache = new Map<string, Predicted>();

  constructor(deps: EvaluateDeps) {
    this.#deps = deps;
  }

  /** Predictions of a model on its evaluation rows (kept for the next call on the same rows). */
  async #predict(modelId: string, datasetVersionId: string | null, extraColumns: readonly string[]): Promise<Predicted> {
    const key = `${modelId}|${datasetVersionId ?? ''}`;
    const hit = this.#cache.get(key);
    if (hit && extraColumns.every((c) => hit.data.table.columns.has(c))) {
      this.#cache.delete(key);
      this.#cache.set(key, hit);
      return hit;
    }
    const { tf, db, loadModel, decode } = this.#deps;
    const data = await loadModelData(db, { modelId, datasetVersionId, part: 'test', extraColumns }, { decode, tables: this.#deps.tables });
    if (data.rows.length === 0) {
      throw new EvalError('no-rows', { params: { part: data.part } }, `The ${data.part} rows of this model's data are empty: evaluate it on another dataset version`);
    }
    const { model } = await loadModel(modelId);
    let outputs: Float32Array;
    try {
      outputs = await predictEncoded(tf, model, data.encoded, data.stats);
    } finally {
      model.dispose();
    }
    const predicted = { key, data, outputs };
    this.#cache.delete(key);
    this.#cache.set(key, predicted);
    while (this.#cache.size > 2) this.#cache.delete(this.#cache.keys().next().value!);
    return predicted;
  }

  async evaluate(req: EvaluateRequest, signal?: AbortSignal, onProgress?: (p: EvaluateProgress) => void): Promise<EvaluationRecord> {
    const started = performance.now();
    const { db } = this.#deps;
    if (req.thresholds.length === 0) throw evalErrorWhy('bad-option', 'no-thresholds', {}, 'Set at least one threshold: a blessing needs something to check');
    if (!Number.isInteger(req.bootstrap) || req.bootstrap < 0) throw evalErrorWhy('bad-option', 'bootstrap-samples', { params: { samples: req.bootstrap } }, 'Bootstrap samples must be a whole number of 0 or more');
    if (!Number.isInteger(req.minCount) || req.minCount < 1) throw evalErrorWhy('bad-option', 'min-count', { params: { minCount: req.minCount } }, 'The minimum slice size must be a whole number of 1 or more');
    const columns = [...new Set(sliceColumns(req.specs).map((s) => s.column))];

    onProgress?.({ phase: 'loading', fraction: 0 });
    const record = await db.models.get(req.modelId);
    if (!record) throw missing('model-version', req.modelId);
    onProgress?.({ phase: 'predicting', fraction: 0 });
    const predicted = await this.#predict(req.modelId, req.datasetVersionId, columns);
    throwIfAborted(signal);
    const { data } = predicted;
    const predictedAt = performance.now();

    const sliced = await this.#slice(predicted, req, signal, (fraction) => onProgress?.({ phase: 'slicing', fraction }));
    const slicedAt = performance.now();

    let baselineModelId: string | null = null;
    let baselineError: SerializedCoded | string | undefined;
    let baseline: MetricTable | null = null;
    if (req.thresholds.some((t) => t.kind === 'relative')) {
      const compared = req.baselineModelId === undefined ? await resolveAlias(db, record.projectId, GATED_ALIAS) : await db.models.get(req.baselineModelId);
      if (req.baselineModelId !== undefined && !compared) throw missing('model-version', req.baselineModelId);
      if (compared) {
        onProgress?.({ phase: 'baseline', fraction: 0 });
        baselineModelId = compared.id;
        try {
          baseline = await this.#baselineTable(compared.id, data, req);
        } catch (e) {
          // the baseline cannot read these rows (another input): its relative thresholds fail, saying why
          // by its code (said in the person's language), or a fault's own words
          baselineError = codedErrorData(e) ?? (e instanceof Error ? e.message : String(e));
          baseline = {};
        }
        throwIfAborted(signal);
      }
    }

    const baselineAt = performance.now();
    onProgress?.({ phase: 'saving', fraction: 0 });
    const blessing = evaluateBlessing(metricTable(sliced), req.thresholds, baseline);
    const label = data.stats.label;
    const evaluation: EvaluationRecord = {
      id: newId(),
      projectId: record.projectId,
      modelId: record.id,
      datasetVersionId: data.version.id,
      part: data.part,
      task: label.task,
      classes: label.task === 'classification' ? label.classes.slice() : null,
      specs: req.specs,
      minCount: req.minCount,
      sliced,
      thresholds: req.thresholds,
      blessing,
      baselineModelId,
      ...(baselineError ? { baselineError } : {}),
      durationMs: performance.now() - started,
      timings: { dataMs: predictedAt - started, sliceMs: slicedAt - predictedAt, baselineMs: baselineAt - slicedAt },
      createdAt: Date.now(),
    };
    await db.evaluations.add(evaluation);
    return evaluation;
  }

  /** Overall and per-slice metrics, one slicing at a time with a chance to cancel in between. */
  async #slice(p: Predicted, req: EvaluateRequest, signal: AbortSignal | undefined, onFraction: (f: number) => void) {
    const columns: Record<string, CellValue[]> = {};
    for (const s of sliceColumns(req.specs)) columns[s.column] ??= sliceValues(p.data.table, s.column, p.data.rows);
    const evaluator = new SliceEvaluator(predictionsOf(p, req.threshold), {
      columns,
      minCount: req.minCount,
      bootstrap: req.bootstrap > 0 ? { samples: req.bootstrap } : false,
    });
    const steps = req.specs.length + 1;
    onFraction(0);
    const overall = evaluator.overall();
    const slicings: Slicing[] = [];
    for (const spec of req.specs) {
      onFraction((slicings.length + 1) / steps);
      await nextTask();
      throwIfAborted(signal);
      slicings.push(evaluator.slicing(spec));
    }
    onFraction(1);
    return evaluator.result(overall, slicings);
  }

  /** The production model's metrics on the candidate's rows and slices (point values, no intervals). */
  async #baselineTable(baselineId: string, candidate: ModelData, req: EvaluateRequest): Promise<MetricTable> {
    const columns = [...new Set(sliceColumns(req.specs).map((s) => s.column))];
    const whole = await this.#predict(baselineId, candidate.version.id, columns);
    // the baseline predicted every row of the version; keep the candidate's rows, in its order
    const at = new Int32Array(candidate.version.rowCount).fill(-1);
    whole.data.rows.forEach((row, j) => (at[row] = j));
    const picks = Uint32Array.from(candidate.rows, (row) => {
      if (at[row]! < 0) throw new EvalError('baseline-rows', { params: { row } }, `Row ${row} is missing from the baseline's data`);
      return at[row]!;
    });
    const width = whole.outputs.length / whole.data.rows.length;
    const outputs = new Float32Array(picks.length * width);
    picks.forEach((j, r) => outputs.set(whole.outputs.subarray(j * width, (j + 1) * width), r * width));
    const y = whole.data.encoded.y;
    const subset: Predicted = {
      key: '',
      outputs,
      data: {
        ...whole.data,
        rows: Uint32Array.from(picks, (j) => whole.data.rows[j]!),
        encoded: { ...whole.data.encoded, rows: picks.length, y: y ? (y instanceof Int32Array ? Int32Array.from(picks, (j) => y[j]!) : Float32Array.from(picks, (j) => y[j]!)) : null },
      },
    };
    const sliced = await this.#slice(subset, { ...req, bootstrap: 0 }, undefined, () => {});
    return metricTable(sliced);
  }

  async curves(req: CurvesRequest): Promise<CurvesResult> {
    const p = await this.#predict(req.modelId, req.datasetVersionId, []);
    const label = p.data.stats.label;
    if (label.task !== 'classification') throw evalErrorWhy('bad-option', 'curves-regression', { column: label.column }, 'Curves need a classification model');
    const y = p.data.encoded.y;
    if (!y) throw new EvalError('missing-column', { column: label.column }, `The evaluation data has no label column "${label.column}"`);
    const k = label.classes.length;
    const c = req.positiveClass;
    if (!Number.isInteger(c) || c < 0 || c >= k) throw evalErrorWhy('bad-option', 'positive-class', { params: { positiveClass: c, classes: k } }, `Class ${c} is not one of the model's ${k} classes`);
    const n = y.length;
    const positive = new Uint8Array(n);
    const scores = new Float64Array(n);
    let positives = 0;
    for (let i = 0; i < n; i++) {
      positive[i] = y[i] === c ? 1 : 0;
      positives += positive[i]!;
      scores[i] = p.outputs[i * k + c]!;
    }
    const roc = rocCurve(positive, scores);
    const pr = precisionRecallCurve(positive, scores);
    if (!roc || !pr || positives === n) {
      throw new EvalError('one-class', { column: label.column, params: { class: label.classes[c]!, count: n } }, `The evaluation rows hold ${positives === 0 ? 'no' : 'only'} "${label.classes[c]}" examples: curves need both that class and others`);
    }
    const atThresholds = Array.from({ length: THRESHOLD_STEPS + 1 }, (_, j) => thresholdMetrics(positive, scores, j / THRESHOLD_STEPS));
    return {
      classes: label.classes.slice(),
      positiveClass: c,
      part: p.data.part,
      datasetVersionId: p.data.version.id,
      count: n,
      positives,
      roc: { points: thinPoints(roc.points.map((q) => ({ x: q.fpr, y: q.tpr }))), auc: roc.auc },
      pr: { points: thinPoints(pr.points.map((q) => ({ x: q.recall, y: q.precision }))), averagePrecision: pr.averagePrecision },
      calibration: calibrationCurve(positive, scores),
      atThresholds,
    };
  }
}
