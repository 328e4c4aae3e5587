/** A column's values read as numbers, categories, words or labels, with errors that name the column and row. */
import { TrainError, trainErrorWhy } from '../errors';
import { MISSING_BOOL, parseNumber, type ColumnTable, type FlatColumn } from './columns';
import type { Task } from './types';

/** Reads a column as numbers: NaN = missing. Text that is not a number, or an infinity, throws. */
export function numericReader(col: FlatColumn, column: string): (row: number) => number {
  const finite = (v: number, row: number) => {
    if (v === Infinity || v === -Infinity) {
      throw new TrainError('non-finite', { column, row: row + 1 }, `Column "${column}", row ${row + 1}: ${v} is not a usable number`);
    }
    return v;
  };
  switch (col.type) {
    case 'number':
    case 'integer':
    case 'datetime':
      return (r) => finite(col.values[r]!, r);
    case 'boolean':
      return (r) => (col.values[r] === MISSING_BOOL ? NaN : col.values[r]!);
    case 'categorical': {
      const parsed: (number | undefined)[] = [];
      return (r) => {
        const c = col.codes[r]!;
        if (c < 0) return NaN;
        return (parsed[c] ??= parseNumber(col.dictionary[c]!, column, r));
      };
    }
    case 'text':
      return (r) => {
        const s = col.values[r];
        return s === null || s === undefined ? NaN : parseNumber(s, column, r);
      };
    case 'image':
      throw trainErrorWhy('bad-encoding', 'images-not-numbers', { column }, `Column "${column}" holds images, not numbers`);
  }
}

/** Reads a column as category strings: null = missing. */
export function categoryReader(col: FlatColumn, column: string): (row: number) => string | null {
  switch (col.type) {
    case 'number':
    case 'integer':
      return (r) => (Number.isNaN(col.values[r]!) ? null : String(col.values[r]));
    case 'boolean':
      return (r) => (col.values[r] === MISSING_BOOL ? null : col.values[r] ? 'true' : 'false');
    case 'categorical':
      return (r) => (col.codes[r]! < 0 ? null : col.dictionary[col.codes[r]!]!);
    case 'text':
      return (r) => {
        const s = col.values[r];
        return s === null || s === undefined || s === '' ? null : s;
      };
    case 'datetime':
    case 'image':
      throw trainErrorWhy('bad-encoding', 'not-categories', { column, params: { type: col.type } }, `Column "${column}" holds ${col.type === 'image' ? 'images' : 'dates'}, which cannot be used as categories`);
  }
}

/** Lower-cased runs of letters and digits (any script). */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

export function textReader(col: FlatColumn, column: string): (row: number) => string | null {
  if (col.type === 'text') return (r) => col.values[r] ?? null;
  if (col.type === 'categorical') return (r) => (col.codes[r]! < 0 ? null : col.dictionary[col.codes[r]!]!);
  throw trainErrorWhy('bad-encoding', 'not-words', { column, params: { type: col.type } }, `Column "${column}" is ${col.type}; words can only be read from text or categories`);
}

export function getColumn(table: ColumnTable, column: string): FlatColumn {
  const col = table.columns.get(column);
  if (!col) throw new TrainError('missing-column', { column }, `Column "${column}" is not in the dataset`);
  return col;
}

/** A label value of a row as a class string, or null. Used by fit, encode and the split. */
export function labelReader(col: FlatColumn, column: string): (row: number) => string | null {
  if (col.type === 'image' || col.type === 'datetime') {
    throw trainErrorWhy('bad-encoding', 'not-label', { column, params: { type: col.type } }, `Column "${column}" holds ${col.type === 'image' ? 'images' : 'dates'} and cannot be a label`);
  }
  return categoryReader(col, column);
}

/**
 * The label of each row, for a stratified split: class strings for classification, numbers for
 * regression (the split then only uses them to leave out unlabeled rows). null = missing.
 */
export function labelValues(table: ColumnTable, label: string, task: Task): (string | number | null)[] {
  const col = getColumn(table, label);
  const out: (string | number | null)[] = new Array(table.rowCount);
  if (task === 'classification') {
    const read = labelReader(col, label);
    for (let r = 0; r < table.rowCount; r++) out[r] = read(r);
  } else {
    const read = numericReader(col, label);
    for (let r = 0; r < table.rowCount; r++) {
      const v = read(r);
      out[r] = Number.isNaN(v) ? null : v;
    }
  }
  return out;
}

export function missingLabel(column: string, row: number): TrainError {
  return new TrainError('missing-label', { column, row: row + 1 }, `Label column "${column}", row ${row + 1}: the label is missing`);
}
