/** Fitted statistics applied to rows: the model input matrix, the label array, and predictions back to label units. */
import type { ColumnType } from '../../data/types';
import { TrainError, trainErrorWhy } from '../errors';
import { inputShape } from '../model-spec';
import { decodeChecked, missingImage, writePixels, type DecodeImage } from './images';
import { categoryReader, getColumn, labelReader, missingLabel, numericReader, textReader, tokenize } from './readers';
import { applyToRecords, applyToTable } from './transform-feature';
import { tableFromRecords, type CellValue, type ColumnTable } from './columns';
import type { LabelStats, PreprocessStats } from './types';

export interface Encoded {
  rows: number;
  /** rows x product(featureShape), row-major. */
  x: Float32Array;
  /** Per-example shape: [features], [height, width, channels] or [length]. */
  featureShape: number[];
  /** Class indices (classification) or standardized targets (regression); null without labels. */
  y: Int32Array | Float32Array | null;
  /** Values imputed per column in these rows (missing numbers, booleans, categories, texts). */
  missing: Record<string, number>;
}

export interface EncodeOptions {
  /** Encode the label too (default true when the label column is in the table). */
  labels?: boolean;
  decode?: DecodeImage;
}

export function featureShapeOf(stats: PreprocessStats): number[] {
  return inputShape(stats.input);
}

/**
 * Encode `rows` of a table (all rows when omitted) with fitted stats. Throws TrainError naming the column
 * and row for text in a numeric column, a missing or unseen label, or an image of another size.
 */
export async function encode(stats: PreprocessStats, table: ColumnTable, rows?: ArrayLike<number> | null, options: EncodeOptions = {}): Promise<Encoded> {
  const rowList: ArrayLike<number> = rows ?? Uint32Array.from({ length: table.rowCount }, (_, i) => i);
  const n = rowList.length;
  const featureShape = featureShapeOf(stats);
  const size = featureShape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n * size);
  const missing: Record<string, number> = {};

  for (const f of stats.features) {
    if (f.encoding === 'transform') {
      Object.assign(missing, applyToTable(f.fitted, table, rowList, x, size, f.offset));
      continue;
    }
    const col = getColumn(table, f.column);
    let miss = 0;
    switch (f.encoding) {
      case 'standardize': {
        const read = numericReader(col, f.column);
        for (let i = 0; i < n; i++) {
          const v = read(rowList[i]!);
          if (Number.isNaN(v)) miss++;
          // missing -> the training mean, which standardizes to exactly 0
          x[i * size + f.offset] = Number.isNaN(v) ? 0 : (v - f.mean) / f.std;
        }
        break;
      }
      case 'boolean': {
        const read = numericReader(col, f.column);
        for (let i = 0; i < n; i++) {
          const v = read(rowList[i]!);
          if (Number.isNaN(v)) miss++;
          x[i * size + f.offset] = Number.isNaN(v) ? f.mean : v;
        }
        break;
      }
      case 'onehot': {
        const read = categoryReader(col, f.column);
        const slot = new Map(f.categories.map((c, j) => [c, j]));
        const other = f.categories.length;
        for (let i = 0; i < n; i++) {
          const v = read(rowList[i]!);
          if (v === null) miss++;
          x[i * size + f.offset + (v === null ? other : (slot.get(v) ?? other))] = 1;
        }
        break;
      }
      case 'bagOfWords': {
        const read = textReader(col, f.column);
        const slot = new Map(f.vocabulary.map((w, j) => [w, j]));
        for (let i = 0; i < n; i++) {
          const s = read(rowList[i]!);
          if (s === null) {
            miss++;
            continue;
          }
          for (const t of tokenize(s)) {
            const j = slot.get(t);
            if (j !== undefined) x[i * size + f.offset + j] = 1;
          }
        }
        break;
      }
      case 'tokens': {
        const read = textReader(col, f.column);
        const ids = new Map(f.vocabulary.map((w, j) => [w, j + 2]));
        for (let i = 0; i < n; i++) {
          const s = read(rowList[i]!);
          if (s === null) {
            miss++;
            continue; // all padding
          }
          const tokens = tokenize(s);
          // keep the beginning; the rest stays 0 (padding)
          for (let t = 0; t < Math.min(tokens.length, f.length); t++) x[i * size + t] = ids.get(tokens[t]!) ?? 1;
        }
        break;
      }
      case 'image': {
        if (col.type !== 'image') throw trainErrorWhy('bad-encoding', 'not-images', { column: f.column }, `Column "${f.column}" does not hold images`);
        if (!options.decode) throw trainErrorWhy('bad-encoding', 'no-decoder', { column: f.column }, `Column "${f.column}" holds images, but no image decoder was given`);
        for (let i = 0; i < n; i++) {
          const r = rowList[i]!;
          const bytes = col.values[r];
          if (!bytes) throw missingImage(f.column, r);
          const img = await decodeChecked(options.decode, bytes, f.column, r);
          if (img.width !== f.width || img.height !== f.height) {
            throw new TrainError(
              'mixed-image-sizes',
              { column: f.column, row: r + 1, params: { expected: `${f.width}x${f.height}`, actual: `${img.width}x${img.height}` } },
              `Column "${f.column}", row ${r + 1}: the image is ${img.width}x${img.height}, but the model takes ${f.width}x${f.height} images; resize it first`,
            );
          }
          writePixels(f, img, x, i * size);
        }
        break;
      }
    }
    missing[f.column] = miss;
  }

  const withLabels = options.labels ?? table.columns.has(stats.label.column);
  const y = withLabels ? encodeLabels(stats.label, table, rowList) : null;
  return { rows: n, x, featureShape, y, missing };
}

/**
 * Encode raw rows ({ column: value }: the predict panel, What-If) without labels. A model on a transform
 * applies reader.js's applyToRows to the rows as they are (what an exported bundle's consumer runs); other
 * models read them as typed columns first (tableFromRecords: text in a number column is refused).
 */
export async function encodeRecords(stats: PreprocessStats, records: readonly Record<string, CellValue>[], types: Record<string, ColumnType>): Promise<Float32Array> {
  const transform = stats.features[0]?.encoding === 'transform' ? stats.features[0] : null;
  if (transform && stats.features.length === 1) return applyToRecords(transform.fitted, records);
  return (await encode(stats, tableFromRecords(records, types), null, { labels: false })).x;
}

function encodeLabels(label: LabelStats, table: ColumnTable, rows: ArrayLike<number>): Int32Array | Float32Array {
  const col = getColumn(table, label.column);
  if (label.task === 'classification') {
    const read = labelReader(col, label.column);
    const index = new Map(label.classes.map((c, j) => [c, j]));
    const y = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const v = read(rows[i]!);
      if (v === null) throw missingLabel(label.column, rows[i]!);
      const j = index.get(v);
      if (j === undefined) {
        throw new TrainError(
          'unknown-class',
          { column: label.column, row: rows[i]! + 1, params: { value: v } },
          `Label column "${label.column}", row ${rows[i]! + 1}: class "${v}" does not occur in the training split`,
        );
      }
      y[i] = j;
    }
    return y;
  }
  const read = numericReader(col, label.column);
  const y = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const v = read(rows[i]!);
    if (Number.isNaN(v)) throw missingLabel(label.column, rows[i]!);
    y[i] = (v - label.mean) / label.std;
  }
  return y;
}

/** Model outputs (standardized) back to the label's units. */
export function decodeRegression(label: LabelStats, values: ArrayLike<number>): Float32Array {
  if (label.task !== 'regression') throw trainErrorWhy('bad-encoding', 'not-regression', { column: label.column }, 'Not a regression label');
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]! * label.std + label.mean;
  return out;
}
