/**
 * The columnar data fitting and applying read, one chunk of rows at a time: an Arrow-free shape so the core
 * stays testable without Arrow (chunk-arrow.ts builds one from a record batch).
 *
 * Columns are keyed by name and hold only what a transform reads:
 *   number   Float64Array, NaN = missing (number, integer, boolean 0/1, datetime in ms)
 *   string   categorical: a dictionary and Int32 indices into it (-1 = missing), so work per distinct value
 *            is done once per chunk; or plain values (null = missing)
 */
import type { ColumnType } from '../data/types';
import { TransformError } from './errors';
import { numberCell, stringCell } from './reader.js';
import { columnKind } from './spec';

export type ChunkColumn =
  | { kind: 'number'; values: Float64Array }
  | { kind: 'string'; dictionary: readonly string[]; indices: Int32Array }
  | { kind: 'string'; values: readonly (string | null)[] };

export interface TransformChunk {
  length: number;
  columns: Record<string, ChunkColumn>;
}

/** A chunk's column, or a TransformError naming the missing column. */
export function chunkColumn(chunk: TransformChunk, name: string): ChunkColumn {
  const col = Object.hasOwn(chunk.columns, name) ? chunk.columns[name] : undefined;
  if (!col) throw new TransformError('missing-column', { column: name }, `The data has no column "${name}"`);
  return col;
}

/**
 * A chunk from plain rows (tests, previews of a few rows): cells read as the reader reads them, so a chunk
 * built from rows and the reader given the same rows see the same values. Strings become plain values.
 */
export function chunkFromRows(rows: readonly Record<string, unknown>[], columns: readonly { name: string; type: ColumnType }[]): TransformChunk {
  const out: Record<string, ChunkColumn> = {};
  for (const { name, type } of columns) {
    const kind = columnKind(type);
    if (kind === 'number') out[name] = { kind, values: Float64Array.from(rows, (r) => numberCell(r[name], type)) };
    else if (kind === 'string') out[name] = { kind, values: rows.map((r) => stringCell(r[name])) };
  }
  return { length: rows.length, columns: out };
}
