/**
 * Reading a dataset version for display: cells of a few rows, and sort orders over whole columns.
 * Works on Arrow vectors directly; per-element access is fine for a screenful of rows, and sorting reads
 * each column chunk once into a typed array.
 */
import type { Vector } from 'apache-arrow';
import type { ColumnType } from '../data/types';

/** A cell as the table shows it. Datetimes are epoch ms, images their encoded bytes. */
export type Cell = number | string | boolean | null | { image: Uint8Array };

/** The display value of one element of a column. */
export function cellOf(vector: Vector, index: number, type: ColumnType): Cell {
  if (!vector.isValid(index)) return null;
  const value: unknown = vector.get(index);
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'image':
      // Copy: the page gets its own bytes, not a view into the batch buffer.
      return { image: (value as Uint8Array).slice() };
    case 'datetime':
      return value instanceof Date ? value.getTime() : Number(value);
    case 'number':
    case 'integer':
      return Number(value);
    case 'boolean':
      return Boolean(value);
    default:
      return String(value);
  }
}

/** Sort keys of one column over all its chunks: numbers (NaN = missing) or strings (null = missing). */
export type SortKeys = { kind: 'number'; keys: Float64Array } | { kind: 'string'; keys: (string | null)[] };

export function sortKeys(chunks: Vector[], type: ColumnType, rowCount: number): SortKeys {
  if (type === 'number' || type === 'integer' || type === 'datetime' || type === 'boolean') {
    const keys = new Float64Array(rowCount);
    let at = 0;
    for (const chunk of chunks) {
      for (let i = 0; i < chunk.length; i++, at++) {
        if (!chunk.isValid(i)) {
          keys[at] = NaN;
          continue;
        }
        const v: unknown = chunk.get(i);
        keys[at] = v instanceof Date ? v.getTime() : Number(v);
      }
    }
    return { kind: 'number', keys };
  }
  if (type === 'image') {
    // Images sort by their byte size: the only order that means something without decoding them.
    const keys = new Float64Array(rowCount);
    let at = 0;
    for (const chunk of chunks)
      for (let i = 0; i < chunk.length; i++, at++) keys[at] = chunk.isValid(i) ? (chunk.get(i) as Uint8Array).byteLength : NaN;
    return { kind: 'number', keys };
  }
  const keys: (string | null)[] = new Array(rowCount);
  let at = 0;
  for (const chunk of chunks)
    for (let i = 0; i < chunk.length; i++, at++) keys[at] = chunk.isValid(i) ? String(chunk.get(i)) : null;
  return { kind: 'string', keys };
}

/**
 * Row numbers in sorted order. Missing values go last in both directions (as spreadsheets do); ties keep
 * row order, so the order is deterministic.
 */
export function sortOrder(sk: SortKeys, descending: boolean): Uint32Array {
  const n = sk.keys.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const dir = descending ? -1 : 1;
  if (sk.kind === 'number') {
    const k = sk.keys;
    order.sort((a, b) => {
      const x = k[a];
      const y = k[b];
      const xm = x !== x;
      const ym = y !== y;
      if (xm || ym) return xm === ym ? a - b : xm ? 1 : -1;
      return x === y ? a - b : (x < y ? -dir : dir);
    });
  } else {
    const k = sk.keys;
    order.sort((a, b) => {
      const x = k[a];
      const y = k[b];
      if (x === null || y === null) return x === y ? a - b : x === null ? 1 : -1;
      return x === y ? a - b : (x < y ? -dir : dir);
    });
  }
  return order;
}
