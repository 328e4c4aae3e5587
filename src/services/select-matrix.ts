/**
 * A dataset version's columns as feature selection's design matrix (data worker; Node tests). Only the
 * Train stage's split's training and validation rows are encoded, training rows first; statistics come
 * from the training rows only:
 *  - numbers, integers and dates (milliseconds) as they are, a missing value as the training mean;
 *  - booleans as 0 / 1, a missing value as the training share of true;
 *  - a categorical as one column per category seen in the training rows (sorted), all zero for a missing
 *    or unseen value; its columns form one feature, so it is kept or dropped as a whole;
 *  - text and image columns, a categorical of more than MAX_CATEGORIES categories and a column with no
 *    training value are left out, each with the reason.
 */
import type { ColumnType } from '../core/data/types';
import { MISSING_BOOL, type ColumnTable, type FlatColumn } from '../core/model/preprocess/columns';
import type { Split } from '../core/model/split';
import type { FeatureGroup, SelectionData, SelectTarget, Task } from '../core/select';
import type { LeftOutColumn } from '../protocol/select';

/** A categorical with more training categories than this is left out (an identifier, free text). */
export const MAX_CATEGORIES = 50;

export interface EncodedSelection {
  data: SelectionData;
  /** The features in the matrix (source columns), and those left out. */
  features: string[];
  leftOut: LeftOutColumn[];
  /** Dataset row of each matrix row. */
  datasetRows: Uint32Array;
}

interface Encoder {
  names: string[];
  /** Write the row's slots at `out[at..]`. */
  write(row: number, out: Float64Array, at: number): void;
}

/** The target of every dataset row (class index or value; -1 / NaN where the split excludes the row). */
export function targetOf(values: readonly (string | number | null)[], task: Task): SelectTarget {
  if (task === 'regression') return { kind: 'regression', y: Float64Array.from(values, (v) => (v === null ? NaN : Number(v))) };
  const classes = [...new Set(values.filter((v): v is string => v !== null).map(String))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(classes.map((c, i) => [c, i]));
  return { kind: 'classification', y: Int32Array.from(values, (v) => (v === null ? -1 : index.get(String(v))!)), classes };
}

function mean(values: ArrayLike<number>, rows: Uint32Array, missing: (v: number) => boolean): number {
  let sum = 0;
  let count = 0;
  for (const r of rows) {
    const v = values[r]!;
    if (missing(v)) continue;
    sum += v;
    count++;
  }
  return count ? sum / count : NaN;
}

function leftOutWhy(type: ColumnType): LeftOutColumn['why'] | null {
  return type === 'text' || type === 'image' ? type : null;
}

/** The encoder of one column, or why it is left out. */
function encoderOf(name: string, col: FlatColumn, train: Uint32Array): Encoder | LeftOutColumn['why'] {
  switch (col.type) {
    case 'number':
    case 'integer':
    case 'datetime': {
      const fill = mean(col.values, train, Number.isNaN);
      if (Number.isNaN(fill)) return 'no-values';
      return { names: [name], write: (r, out, at) => void (out[at] = Number.isNaN(col.values[r]!) ? fill : col.values[r]!) };
    }
    case 'boolean': {
      const fill = mean(col.values, train, (v) => v === MISSING_BOOL);
      if (Number.isNaN(fill)) return 'no-values';
      return { names: [name], write: (r, out, at) => void (out[at] = col.values[r] === MISSING_BOOL ? fill : col.values[r]!) };
    }
    case 'categorical': {
      const seen = new Set<number>();
      for (const r of train) if (col.codes[r]! >= 0) seen.add(col.codes[r]!);
      if (seen.size === 0) return 'no-values';
      if (seen.size > MAX_CATEGORIES) return 'too-many-categories';
      const categories = [...seen].map((c) => col.dictionary[c]!).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const slot = new Map(categories.map((s, i) => [col.dictionary.indexOf(s), i]));
      return {
        names: categories.map((s) => `${name}=${s}`),
        write: (r, out, at) => {
          out.fill(0, at, at + categories.length);
          const s = slot.get(col.codes[r]!);
          if (s !== undefined) out[at + s] = 1;
        },
      };
    }
    case 'text':
    case 'image':
      return col.type;
  }
}

/**
 * Encode `features` (in this order) of the split's training and validation rows; `target` gives each
 * dataset row's class index or value (every split row has one: rows without a label are excluded).
 */
export function encodeSelection(table: ColumnTable, types: ReadonlyMap<string, ColumnType>, features: readonly string[], split: Split, target: SelectTarget): EncodedSelection {
  const encoders: { name: string; encoder: Encoder }[] = [];
  const leftOut: LeftOutColumn[] = [];
  for (const name of features) {
    const early = leftOutWhy(types.get(name)!);
    const made = early ?? encoderOf(name, table.columns.get(name)!, split.train);
    if (typeof made === 'string') leftOut.push({ column: name, why: made });
    else encoders.push({ name, encoder: made });
  }
  const datasetRows = new Uint32Array(split.train.length + split.validation.length);
  datasetRows.set(split.train, 0);
  datasetRows.set(split.validation, split.train.length);
  const columnNames = encoders.flatMap((e) => e.encoder.names);
  const d = columnNames.length;
  const groups: FeatureGroup[] = [];
  let offset = 0;
  for (const { name, encoder } of encoders) {
    groups.push({ name, columns: encoder.names.map((_, i) => offset + i) });
    offset += encoder.names.length;
  }
  const n = datasetRows.length;
  const x = new Float64Array(n * d);
  const y = new Float64Array(n);
  datasetRows.forEach((r, i) => {
    let at = i * d;
    for (const { encoder } of encoders) {
      encoder.write(r, x, at);
      at += encoder.names.length;
    }
    y[i] = target.y[r]!;
  });
  const local = (from: number, count: number) => Uint32Array.from({ length: count }, (_, i) => from + i);
  const data: SelectionData = {
    x,
    rows: n,
    cols: d,
    columnNames,
    groups,
    target: target.kind === 'classification' ? { kind: 'classification', y, classes: target.classes } : { kind: 'regression', y },
    train: local(0, split.train.length),
    validation: local(split.train.length, split.validation.length),
  };
  return { data, features: encoders.map((e) => e.name), leftOut, datasetRows };
}
