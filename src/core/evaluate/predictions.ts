/**
 * A model's outputs on its evaluation rows as the slice metrics read them: class probabilities against
 * the class indices (two classes: class 1 positive at the decision threshold), or values in the label's
 * own units. Shared by the Evaluate stage's service and the command-line runner's Evaluator.
 */
import { decodeRegression, MISSING_BOOL, type ColumnTable, type LabelStats } from '../model/preprocess';
import { EvalError, evalErrorWhy } from './errors';
import type { CellValue, FeatureSlicing, SliceSpec } from './slice-assign';
import type { Predictions } from './slice-metrics';

/** `y` as encode() gives it (class index or standardized value); `outputs` probabilities or values in the label's units. */
export function predictionsFor(label: LabelStats, y: Int32Array | Float32Array | null, outputs: Float32Array, threshold?: number): Predictions {
  if (!y) throw new EvalError('missing-column', { column: label.column }, `The evaluation data has no label column "${label.column}"`);
  if (label.task === 'classification') {
    return { kind: 'classification', yTrue: y, probs: outputs, classes: label.classes, ...(label.classes.length === 2 ? { positiveClass: 1, threshold: threshold ?? 0.5 } : {}) };
  }
  return { kind: 'regression', yTrue: decodeRegression(label, y), yPred: outputs };
}

/** One plain value per evaluated row of a table column, for slicing. */
export function sliceValues(table: ColumnTable, column: string, rows: Uint32Array): CellValue[] {
  const col = table.columns.get(column);
  if (!col) throw new EvalError('missing-column', { column }, `The evaluation data has no column "${column}" to slice by`);
  const out: CellValue[] = new Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r]!;
    switch (col.type) {
      case 'number':
      case 'integer':
      case 'datetime':
        out[r] = col.values[i]!;
        break;
      case 'boolean':
        out[r] = col.values[i] === MISSING_BOOL ? null : col.values[i] === 1;
        break;
      case 'categorical':
        out[r] = col.codes[i]! < 0 ? null : col.dictionary[col.codes[i]!]!;
        break;
      case 'text':
        out[r] = col.values[i]!;
        break;
      case 'image':
        throw evalErrorWhy('bad-option', 'slice-images', { column }, `"${column}" holds images, which cannot be sliced by`);
    }
  }
  return out;
}

/** The column slicings of the specs (a cross's columns each). */
export function sliceColumns(specs: readonly SliceSpec[]): FeatureSlicing[] {
  return specs.flatMap((s) => ('cross' in s ? s.cross : [s]));
}
