/**
 * A TransformChunk from one of our Arrow record batches (core/data/arrow.ts's layout): number and integer
 * columns are views on the batch's Float64 buffers (nulls are NaN there already), categorical columns keep
 * their dictionary and indices (-1 where null), text is decoded, booleans become 0/1 and datetimes
 * milliseconds (NaN where null). Image columns are left out (no step reads them).
 */
import type { RecordBatch } from 'apache-arrow';
import { batchColumnTypes, isValid, readColumn } from '../data/arrow';
import type { ChunkColumn, TransformChunk } from './chunk';

/** Numbers with NaN where null: a view when nothing is missing, else a copy (whatever the null slots held). */
function numbersWithNaN(values: Float64Array | Uint8Array, validity: Uint8Array | null, length: number): Float64Array {
  if (validity === null && values instanceof Float64Array) return values;
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = isValid(validity, i) ? values[i]! : NaN;
  return out;
}

/** The batch's columns (only `names` when given) as a TransformChunk. */
export function chunkFromBatch(batch: RecordBatch, names?: readonly string[]): TransformChunk {
  const columns: Record<string, ChunkColumn> = {};
  const wanted = names ? new Set(names) : null;
  batchColumnTypes(batch).forEach(({ name, type }, index) => {
    if ((wanted && !wanted.has(name)) || type === 'image') return;
    const col = readColumn(batch, index);
    const length = batch.numRows;
    switch (col.type) {
      case 'number':
      case 'integer':
      case 'datetime':
      case 'boolean':
        columns[name] = { kind: 'number', values: numbersWithNaN(col.values, col.validity, length) };
        return;
      case 'categorical': {
        let indices = col.indices;
        if (col.validity !== null) {
          indices = Int32Array.from(indices);
          for (let i = 0; i < length; i++) if (!isValid(col.validity, i)) indices[i] = -1;
        }
        columns[name] = { kind: 'string', dictionary: col.dictionary, indices };
        return;
      }
      case 'text':
        columns[name] = { kind: 'string', values: col.values };
        return;
    }
  });
  return { length: batch.numRows, columns };
}
