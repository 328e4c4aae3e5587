/** Arrow record batches, or plain rows, as whole columns: the table that fitting and encoding read. */
import type { RecordBatch } from 'apache-arrow';
import { batchColumnTypes, isValid, readColumn } from '../../data/arrow';
import type { ColumnType } from '../../data/types';
import { TrainError, trainErrorWhy } from '../errors';

/** Boolean slots: 0, 1, or this for missing. */
export const MISSING_BOOL = 2;

/** One column of the whole dataset, flattened across record batches. */
export type FlatColumn =
  /** NaN = missing (Arrow nulls become NaN); datetimes are milliseconds since 1970 UTC */
  | { type: 'number' | 'integer' | 'datetime'; values: Float64Array }
  | { type: 'boolean'; values: Uint8Array }
  /** -1 = missing; codes index one dictionary merged over all batches */
  | { type: 'categorical'; codes: Int32Array; dictionary: string[] }
  | { type: 'text'; values: (string | null)[] }
  | { type: 'image'; values: (Uint8Array | null)[] };

export interface ColumnTable {
  rowCount: number;
  columns: Map<string, FlatColumn>;
}

export type CellValue = number | boolean | string | Uint8Array | null | undefined;

/**
 * Gather the named columns (all when `names` is omitted) of a dataset's record batches. Row i of the
 * table is row i of the batches laid end to end.
 */
export function tableFromBatches(batches: readonly RecordBatch[], names?: readonly string[]): ColumnTable {
  const rowCount = batches.reduce((n, b) => n + b.numRows, 0);
  const columns = new Map<string, FlatColumn>();
  if (batches.length === 0) return { rowCount, columns };
  const schema = batchColumnTypes(batches[0]!);
  const wanted = names ?? schema.map((c) => c.name);
  for (const name of wanted) {
    const type = schema.find((c) => c.name === name)?.type;
    if (!type) continue; // encode() reports the missing column with its name
    columns.set(name, flattenColumn(batches, name, type, rowCount));
  }
  return { rowCount, columns };
}

function flattenColumn(batches: readonly RecordBatch[], name: string, type: ColumnType, rowCount: number): FlatColumn {
  let at = 0;
  switch (type) {
    case 'number':
    case 'integer':
    case 'datetime': {
      const values = new Float64Array(rowCount);
      for (const b of batches) {
        const col = readColumn(b, indexOf(b, name));
        if (col.type !== 'number' && col.type !== 'integer' && col.type !== 'datetime') throw mixedTypes(name);
        for (let i = 0; i < b.numRows; i++) values[at + i] = isValid(col.validity, i) ? col.values[i]! : NaN;
        at += b.numRows;
      }
      return { type, values };
    }
    case 'boolean': {
      const values = new Uint8Array(rowCount);
      for (const b of batches) {
        const col = readColumn(b, indexOf(b, name));
        if (col.type !== 'boolean') throw mixedTypes(name);
        for (let i = 0; i < b.numRows; i++) values[at + i] = isValid(col.validity, i) ? col.values[i]! : MISSING_BOOL;
        at += b.numRows;
      }
      return { type, values };
    }
    case 'categorical': {
      const codes = new Int32Array(rowCount);
      const dictionary: string[] = [];
      const global = new Map<string, number>();
      for (const b of batches) {
        const col = readColumn(b, indexOf(b, name));
        if (col.type !== 'categorical') throw mixedTypes(name);
        // each batch has its own dictionary: translate its indices once, not per row
        const local = col.dictionary.map((s) => {
          let c = global.get(s);
          if (c === undefined) global.set(s, (c = dictionary.push(s) - 1));
          return c;
        });
        for (let i = 0; i < b.numRows; i++) codes[at + i] = isValid(col.validity, i) ? local[col.indices[i]!]! : -1;
        at += b.numRows;
      }
      return { type, codes, dictionary };
    }
    case 'text':
    case 'image': {
      const values: (string | Uint8Array | null)[] = [];
      for (const b of batches) {
        const col = readColumn(b, indexOf(b, name));
        if (col.type !== type) throw mixedTypes(name);
        for (let i = 0; i < b.numRows; i++) values.push(col.values[i] ?? null);
      }
      return { type, values } as FlatColumn;
    }
  }
}

function indexOf(batch: RecordBatch, name: string): number {
  const i = batch.schema.fields.findIndex((f) => f.name === name);
  if (i < 0) throw new TrainError('missing-column', { column: name }, `Column "${name}" is missing from part of the dataset`);
  return i;
}

function mixedTypes(name: string): TrainError {
  return trainErrorWhy('bad-encoding', 'mixed-types', { column: name }, `Column "${name}" has different types in different parts of the dataset`);
}

/**
 * A table from plain rows (the predict panel's form, a pasted text). Strings in number columns are parsed;
 * unparseable ones raise the same not-numeric error as a dataset would.
 */
export function tableFromRecords(records: readonly Record<string, CellValue>[], types: Record<string, ColumnType>): ColumnTable {
  const rowCount = records.length;
  const columns = new Map<string, FlatColumn>();
  for (const [name, type] of Object.entries(types)) {
    const cell = (i: number) => records[i]![name];
    switch (type) {
      case 'number':
      case 'integer':
      case 'datetime': {
        const values = new Float64Array(rowCount);
        for (let i = 0; i < rowCount; i++) {
          const v = cell(i);
          values[i] =
            typeof v === 'number'
              ? v
              : typeof v === 'string'
                ? type === 'datetime' && !NUMBER_RE.test(v.trim()) && v.trim() !== ''
                  ? parseDate(v, name, i)
                  : parseNumber(v, name, i)
                : typeof v === 'boolean'
                  ? Number(v)
                  : NaN;
        }
        columns.set(name, { type, values });
        break;
      }
      case 'boolean': {
        const values = new Uint8Array(rowCount);
        for (let i = 0; i < rowCount; i++) {
          const v = cell(i);
          const s = typeof v === 'string' ? v.trim().toLowerCase() : v;
          values[i] = s === true || s === 1 || s === 'true' || s === '1' ? 1 : s === false || s === 0 || s === 'false' || s === '0' ? 0 : MISSING_BOOL;
        }
        columns.set(name, { type, values });
        break;
      }
      case 'categorical': {
        const dictionary: string[] = [];
        const index = new Map<string, number>();
        const codes = new Int32Array(rowCount);
        for (let i = 0; i < rowCount; i++) {
          const v = cell(i);
          if (v === null || v === undefined || v === '') {
            codes[i] = -1;
            continue;
          }
          const s = String(v);
          let c = index.get(s);
          if (c === undefined) index.set(s, (c = dictionary.push(s) - 1));
          codes[i] = c;
        }
        columns.set(name, { type, codes, dictionary });
        break;
      }
      case 'text':
        columns.set(name, { type, values: records.map((r) => (r[name] === null || r[name] === undefined ? null : String(r[name]))) });
        break;
      case 'image':
        columns.set(name, { type, values: records.map((r) => (r[name] instanceof Uint8Array ? (r[name] as Uint8Array) : null)) });
        break;
    }
  }
  return { rowCount, columns };
}

// ---------------------------------------------------------------------------------------------------
// Text cells as numbers and dates, with errors naming the column and row (the readers use them too)

export const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

export function parseNumber(text: string, column: string, row: number): number {
  const s = text.trim();
  if (s === '') return NaN;
  if (!NUMBER_RE.test(s)) {
    throw new TrainError('not-numeric', { column, row: row + 1, params: { value: s.slice(0, 40) } }, `Column "${column}", row ${row + 1}: "${s.slice(0, 40)}" is not a number`);
  }
  return Number(s);
}

function parseDate(text: string, column: string, row: number): number {
  const ms = Date.parse(text.trim());
  if (Number.isNaN(ms)) {
    throw new TrainError('not-numeric', { column, row: row + 1, params: { value: text.slice(0, 40) } }, `Column "${column}", row ${row + 1}: "${text.slice(0, 40)}" is not a date`);
  }
  return ms;
}
