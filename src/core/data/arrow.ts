/**
 * Our Arrow record batches: build one from typed column data with the physical mapping of types.ts,
 * encode it as a self-contained IPC stream, decode it back, and read columns as typed arrays.
 *
 * Conventions beyond types.ts:
 * - Each field carries its logical type in metadata 'pipette.type', so a batch describes itself.
 * - Float64 slots of missing values hold NaN (readers that scan typed arrays can skip NaN without
 *   looking at the validity bitmap); Bool and Timestamp slots of missing values hold 0.
 * - A categorical column's dictionary is per batch (each batch is self-contained); the dictionary id
 *   is the column index.
 */
import {
  Binary,
  Bool,
  Data,
  Dictionary,
  Field,
  Float64,
  Int32,
  RecordBatch,
  RecordBatchReader,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  TimestampMillisecond,
  Utf8,
  DataType,
  Precision,
  TimeUnit,
  makeData,
  makeVector,
} from 'apache-arrow';
import { COLUMN_TYPES, type ColumnType } from './types';

export const TYPE_METADATA_KEY = 'pipette.type';

/**
 * One column of one batch, in the form importers produce and readers get back.
 * `validity` is an Arrow validity bitmap (bit i set = row i present), or null when nothing is missing.
 */
export type ColumnValues =
  /** datetime values are milliseconds since 1970 UTC */
  | { type: 'number' | 'integer' | 'datetime'; values: Float64Array; validity: Uint8Array | null }
  /** one byte per row, 0 or 1 */
  | { type: 'boolean'; values: Uint8Array; validity: Uint8Array | null }
  | { type: 'categorical'; indices: Int32Array; dictionary: readonly string[]; validity: Uint8Array | null }
  | { type: 'text'; values: readonly (string | null)[] }
  | { type: 'image'; values: readonly (Uint8Array | null)[] };

export interface NamedColumn {
  name: string;
  values: ColumnValues;
}

/** Whether row i is present in a validity bitmap (null bitmap = all present). */
export function isValid(validity: Uint8Array | null, i: number): boolean {
  return validity === null || (validity[i >> 3]! & (1 << (i & 7))) !== 0;
}

/** Number of missing rows of a column. */
export function nullCountOf(col: ColumnValues, length: number): number {
  if (col.type === 'text' || col.type === 'image') {
    let n = 0;
    for (let i = 0; i < length; i++) if (col.values[i] === null || col.values[i] === undefined) n++;
    return n;
  }
  return countNulls(col.validity, length);
}

export function countNulls(validity: Uint8Array | null, length: number): number {
  if (validity === null) return 0;
  let present = 0;
  for (let i = 0; i < length; i++) if (validity[i >> 3]! & (1 << (i & 7))) present++;
  return length - present;
}

/** The Arrow type that stores a logical type. */
export function arrowTypeFor(type: ColumnType, dictionaryId = 0): DataType {
  switch (type) {
    case 'number':
    case 'integer':
      return new Float64();
    case 'categorical':
      return new Dictionary(new Utf8(), new Int32(), dictionaryId);
    case 'text':
      return new Utf8();
    case 'boolean':
      return new Bool();
    case 'datetime':
      return new TimestampMillisecond();
    case 'image':
      return new Binary();
  }
}

export function fieldFor(name: string, type: ColumnType, dictionaryId = 0): Field {
  return new Field(name, arrowTypeFor(type, dictionaryId), true, new Map([[TYPE_METADATA_KEY, type]]));
}

/** The logical type recorded in a field's metadata, or null for a batch we did not write. */
export function recordedType(field: Field): ColumnType | null {
  const t = field.metadata.get(TYPE_METADATA_KEY);
  return t !== undefined && (COLUMN_TYPES as readonly string[]).includes(t) ? (t as ColumnType) : null;
}

const encoder = new TextEncoder();
// ignoreBOM: a value may itself start with U+FEFF; only a file's first BOM is not data
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** Offsets and UTF-8 bytes of strings (null entries take no bytes). */
export function encodeStrings(strings: readonly (string | null | undefined)[], length = strings.length) {
  const offsets = new Int32Array(length + 1);
  let total = 0;
  for (let i = 0; i < length; i++) total += strings[i]?.length ?? 0;
  // UTF-16 length is a good first guess; grow when non-ASCII text needs more
  let bytes = new Uint8Array(Math.max(16, total + (total >> 2)));
  let pos = 0;
  for (let i = 0; i < length; i++) {
    const s = strings[i];
    if (s) {
      if (bytes.length - pos < s.length * 3) {
        // encodeInto needs room for the worst case of 3 bytes per UTF-16 unit
        const grown = new Uint8Array(Math.max(bytes.length * 2, pos + s.length * 3));
        grown.set(bytes.subarray(0, pos));
        bytes = grown;
      }
      pos += encoder.encodeInto(s, bytes.subarray(pos)).written;
    }
    offsets[i + 1] = pos;
  }
  return { offsets, bytes: bytes.subarray(0, pos) };
}

function binaryParts(values: readonly (Uint8Array | null)[], length: number) {
  const offsets = new Int32Array(length + 1);
  let total = 0;
  for (let i = 0; i < length; i++) total += values[i]?.length ?? 0;
  const bytes = new Uint8Array(total);
  let pos = 0;
  for (let i = 0; i < length; i++) {
    const v = values[i];
    if (v) {
      bytes.set(v, pos);
      pos += v.length;
    }
    offsets[i + 1] = pos;
  }
  return { offsets, bytes };
}

/** Validity bitmap for an array with null entries, or null when none is null. */
function validityOfArray(values: readonly unknown[], length: number): { validity: Uint8Array | null; nulls: number } {
  let nulls = 0;
  for (let i = 0; i < length; i++) if (values[i] === null || values[i] === undefined) nulls++;
  if (nulls === 0) return { validity: null, nulls };
  const validity = new Uint8Array((length + 7) >> 3);
  for (let i = 0; i < length; i++) if (values[i] !== null && values[i] !== undefined) validity[i >> 3]! |= 1 << (i & 7);
  return { validity, nulls };
}

/** Arrow Data for one column. */
export function columnData(col: ColumnValues, length: number, dictionaryId = 0): Data {
  switch (col.type) {
    case 'number':
    case 'integer': {
      const nullCount = countNulls(col.validity, length);
      return makeData({ type: new Float64(), length, nullCount, nullBitmap: nullCount ? col.validity : null, data: col.values.subarray(0, length) });
    }
    case 'datetime': {
      const nullCount = countNulls(col.validity, length);
      const data = new BigInt64Array(length);
      for (let i = 0; i < length; i++) {
        const v = col.values[i]!;
        if (v === v) data[i] = BigInt(Math.floor(v));
      }
      return makeData({ type: new TimestampMillisecond(), length, nullCount, nullBitmap: nullCount ? col.validity : null, data });
    }
    case 'boolean': {
      const nullCount = countNulls(col.validity, length);
      const data = new Uint8Array((length + 7) >> 3);
      for (let i = 0; i < length; i++) if (col.values[i]) data[i >> 3]! |= 1 << (i & 7);
      return makeData({ type: new Bool(), length, nullCount, nullBitmap: nullCount ? col.validity : null, data });
    }
    case 'categorical': {
      const nullCount = countNulls(col.validity, length);
      const { offsets, bytes } = encodeStrings(col.dictionary);
      const dict = makeData({ type: new Utf8(), length: col.dictionary.length, nullCount: 0, valueOffsets: offsets, data: bytes });
      return makeData({
        type: new Dictionary(new Utf8(), new Int32(), dictionaryId),
        length,
        nullCount,
        nullBitmap: nullCount ? col.validity : null,
        data: col.indices.subarray(0, length),
        dictionary: makeVector(dict),
      });
    }
    case 'text': {
      const { validity, nulls } = validityOfArray(col.values, length);
      const { offsets, bytes } = encodeStrings(col.values, length);
      return makeData({ type: new Utf8(), length, nullCount: nulls, nullBitmap: validity, valueOffsets: offsets, data: bytes });
    }
    case 'image': {
      const { validity, nulls } = validityOfArray(col.values, length);
      const { offsets, bytes } = binaryParts(col.values, length);
      return makeData({ type: new Binary(), length, nullCount: nulls, nullBitmap: validity, valueOffsets: offsets, data: bytes });
    }
  }
}

/** Build a record batch of `length` rows with our physical mapping. */
export function buildBatch(columns: readonly NamedColumn[], length: number): RecordBatch {
  const fields = columns.map((c, i) => fieldFor(c.name, c.values.type, i));
  const children = columns.map((c, i) => columnData(c.values, length, i));
  const schema = new Schema(fields);
  const data = makeData({ type: new Struct(fields), length, nullCount: 0, children });
  return new RecordBatch(schema, data);
}

/** Serialize one batch as a self-contained Arrow IPC stream (schema, dictionaries, batch, end). */
export function encodeBatch(batch: RecordBatch): Uint8Array {
  return RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true);
}

/** Read back a batch written by encodeBatch. Column data are views on `ipc`, not copies. */
export function decodeBatch(ipc: Uint8Array): RecordBatch {
  const reader = RecordBatchReader.from(ipc);
  const first = reader.next();
  if (first.done || !first.value) throw new Error('Arrow IPC stream holds no record batch');
  return first.value;
}

/** Logical column types of a batch we wrote. */
export function batchColumnTypes(batch: RecordBatch): { name: string; type: ColumnType }[] {
  return batch.schema.fields.map((f) => ({ name: f.name, type: recordedType(f) ?? physicalGuess(f.type) }));
}

/** Best guess of the logical type of one of our physical types when the metadata is missing. */
function physicalGuess(t: DataType): ColumnType {
  // decoded types are the generic classes (Float with a precision, Timestamp with a unit): test type ids
  if (DataType.isFloat(t) && t.precision === Precision.DOUBLE) return 'number';
  if (DataType.isDictionary(t)) return 'categorical';
  if (DataType.isUtf8(t)) return 'text';
  if (DataType.isBool(t)) return 'boolean';
  if (DataType.isTimestamp(t) && t.unit === TimeUnit.MILLISECOND) return 'datetime';
  if (DataType.isBinary(t)) return 'image';
  throw new Error(`not a Pipette batch column type: ${String(t)}`);
}

/**
 * Column `index` of a batch we wrote, as ColumnValues. Numbers and categorical indices are views on the
 * batch's buffers (no copy: this is what the table view and statistics read); datetimes are converted to
 * Float64 milliseconds, booleans unpacked to bytes, strings decoded.
 */
export function readColumn(batch: RecordBatch, index: number): ColumnValues {
  const field = batch.schema.fields[index];
  const vector = batch.getChildAt(index);
  if (!field || !vector) throw new RangeError(`no column ${index}`);
  const type = recordedType(field) ?? physicalGuess(field.type);
  const data = vector.data[0]!;
  const length = data.length;
  const validity = data.nullCount > 0 ? bitmapOf(data) : null;
  switch (type) {
    case 'number':
    case 'integer':
      return { type, values: view(data.values as Float64Array, length), validity };
    case 'datetime': {
      const raw = data.values as unknown as BigInt64Array;
      const values = new Float64Array(length);
      for (let i = 0; i < length; i++) values[i] = isValid(validity, i) ? Number(raw[i]) : NaN;
      return { type, values, validity };
    }
    case 'boolean': {
      const bits = data.values as Uint8Array;
      const off = data.offset;
      const values = new Uint8Array(length);
      for (let i = 0; i < length; i++) {
        const j = i + off;
        values[i] = (bits[j >> 3]! >> (j & 7)) & 1;
      }
      return { type, values, validity };
    }
    case 'categorical': {
      // decode the dictionary ourselves: arrow-js drops a leading U+FEFF from strings
      const dictionary: string[] = [];
      for (const d of data.dictionary?.data ?? []) {
        const offsets = d.valueOffsets as Int32Array;
        const bytes = d.values as Uint8Array;
        for (let i = 0; i < d.length; i++) dictionary.push(decoder.decode(bytes.subarray(offsets[i]!, offsets[i + 1]!)));
      }
      return { type, indices: view(data.values as Int32Array, length), dictionary, validity };
    }
    case 'text': {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      const values: (string | null)[] = new Array(length);
      for (let i = 0; i < length; i++) {
        values[i] = isValid(validity, i) ? decoder.decode(bytes.subarray(offsets[i]!, offsets[i + 1]!)) : null;
      }
      return { type, values };
    }
    case 'image': {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      const values: (Uint8Array | null)[] = new Array(length);
      for (let i = 0; i < length; i++) values[i] = isValid(validity, i) ? bytes.subarray(offsets[i]!, offsets[i + 1]!) : null;
      return { type, values };
    }
  }
}

/** The array itself when it has exactly `length` elements (no new object), else a view on its start. */
function view<T extends Float64Array | Int32Array>(a: T, length: number): T {
  return (a.length === length ? a : a.subarray(0, length)) as T;
}

/** The validity bitmap of a Data, re-based to start at bit 0 when the Data is a slice. */
function bitmapOf(data: Data): Uint8Array {
  const bm = data.nullBitmap as Uint8Array;
  if (data.offset === 0) return bm;
  const out = new Uint8Array((data.length + 7) >> 3);
  for (let i = 0; i < data.length; i++) {
    const j = i + data.offset;
    if (bm[j >> 3]! & (1 << (j & 7))) out[i >> 3]! |= 1 << (i & 7);
  }
  return out;
}

/** Value of row i as a plain JS value (null when missing). Slow path: for tests, previews, export. */
export function valueAt(col: ColumnValues, i: number): number | boolean | string | Uint8Array | null {
  switch (col.type) {
    case 'number':
    case 'integer':
    case 'datetime':
      return isValid(col.validity, i) ? col.values[i]! : null;
    case 'boolean':
      return isValid(col.validity, i) ? col.values[i] === 1 : null;
    case 'categorical':
      return isValid(col.validity, i) ? col.dictionary[col.indices[i]!]! : null;
    case 'text':
    case 'image':
      return col.values[i] ?? null;
  }
}

/** Every column of a batch as arrays of plain JS values, keyed by column name. */
export function batchToColumns(batch: RecordBatch): Record<string, (number | boolean | string | Uint8Array | null)[]> {
  const out: Record<string, (number | boolean | string | Uint8Array | null)[]> = {};
  batch.schema.fields.forEach((f, j) => {
    const col = readColumn(batch, j);
    const arr = new Array(batch.numRows);
    for (let i = 0; i < batch.numRows; i++) arr[i] = valueAt(col, i);
    out[f.name] = arr;
  });
  return out;
}
