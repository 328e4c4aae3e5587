/**
 * A trained run's evaluation: metrics on the held-out rows and the worst predictions with their rows'
 * values as the page shows them (services/train.ts calls it at the end of a run).
 */
import type * as tfjs from '@tensorflow/tfjs';
import { classificationMetrics, regressionMetrics, worstPredictions } from '../core/model/metrics';
import type { TF } from '../core/model/model-spec';
import { decodeRegression, inputColumns, type ColumnTable, type Encoded } from '../core/model/preprocess';
import { classificationSummary, regressionSummary } from '../core/train/run-setup';
import { predictEncodedRows } from '../core/train/trainer';
import type { DisplayCell, Evaluation, RunMetrics, WorstRow } from '../store/training-records';
import type { PreparedData } from './train-data';

/** Rows shown in a run's table of worst predictions. */
export const WORST_ROWS = 10;
const TEXT_CELL_CHARS = 200;

/** A dataset cell as the page shows it. */
export function displayCell(table: ColumnTable, column: string, row: number): DisplayCell {
  const col = table.columns.get(column);
  if (!col) return null;
  switch (col.type) {
    case 'number':
    case 'integer':
    case 'datetime': {
      const v = col.values[row]!;
      return Number.isNaN(v) ? null : v;
    }
    case 'boolean':
      return col.values[row] === 2 ? null : col.values[row] === 1;
    case 'categorical':
      return col.codes[row]! < 0 ? null : col.dictionary[col.codes[row]!]!;
    case 'text': {
      const s = col.values[row] ?? null;
      return s !== null && s.length > TEXT_CELL_CHARS ? `${s.slice(0, TEXT_CELL_CHARS)}…` : s;
    }
    case 'image': {
      const b = col.values[row];
      return b ? b.slice() : null;
    }
  }
}

/** Test-split metrics and the worst predictions with their rows' values, and the model's outputs (rows x outputs). */
export async function evaluateModel(
  tf: TF,
  model: tfjs.LayersModel,
  data: PreparedData,
  enc: Encoded,
  rows: Uint32Array,
  split: 'test' | 'validation',
  batchSize: number,
): Promise<{ metrics: RunMetrics; outputs: Float32Array }> {
  const { stats, table } = data;
  const out = await predictEncodedRows(tf, model, enc, batchSize);
  // the raw columns the model reads (a transform's inputs); the label is the Actual column already
  const columns = inputColumns(stats).map((c) => c.column);
  const cells = (row: number) => Object.fromEntries(columns.map((c) => [c, displayCell(table, c, row)]));
  let evaluation: Evaluation;
  let summary: Record<string, number>;
  if (stats.label.task === 'classification') {
    const classes = stats.label.classes;
    const yTrue = enc.y as Int32Array;
    const report = classificationMetrics(yTrue, out, classes);
    const worst: WorstRow[] = worstPredictions({ kind: 'classification', yTrue, probs: out, classes: classes.length, rows }, WORST_ROWS).map((w) => ({
      ...w,
      actualLabel: classes[w.actual]!,
      predictedLabel: classes[w.predicted]!,
      cells: cells(w.row!),
    }));
    evaluation = { task: 'classification', split, report, worst };
    summary = classificationSummary(report);
  } else {
    const truth = decodeRegression(stats.label, enc.y as Float32Array);
    const pred = decodeRegression(stats.label, out);
    const report = regressionMetrics(truth, pred);
    const worst: WorstRow[] = worstPredictions({ kind: 'regression', yTrue: truth, yPred: pred, rows }, WORST_ROWS).map((w) => ({
      ...w,
      actualLabel: String(w.actual),
      predictedLabel: String(w.predicted),
      cells: cells(w.row!),
    }));
    evaluation = { task: 'regression', split, report, worst };
    summary = regressionSummary(report);
  }
  return { metrics: { summary, evaluation }, outputs: out };
}
