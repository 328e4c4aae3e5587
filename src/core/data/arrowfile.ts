/**
 * Import of a foreign Arrow IPC file or stream: map its types to ours and re-batch to batchRows.
 *
 * The stream format is read incrementally from source.stream(). The file format needs its footer first:
 * with random access (a File or Blob) arrow-js reads footer and batches one at a time through a
 * Node-FileHandle-shaped adapter over slice(); without it the whole file is read into memory.
 *
 * Types: Int8..Int64, Uint8..Uint64 -> integer (64-bit beyond 2^53 loses precision); Float16/32/64 and
 * Decimal -> number; Bool -> boolean; Date and Timestamp (any unit) -> datetime; Utf8/LargeUtf8/Utf8View
 * -> categorical or text (infer.ts, from the first batch); Dictionary of strings -> categorical (the
 * writer chose a dictionary); Binary/LargeBinary/FixedSizeBinary -> image when every value in the first
 * batch is an image, else text (base64); Null -> text (all missing); anything nested -> text (JSON).
 * A field with our 'pipette.type' metadata keeps that type.
 */
import {
  DataType,
  Precision,
  RecordBatchReader,
  Type,
  type Field,
  type RecordBatch,
  type Vector,
} from 'apache-arrow';
import { recordedType } from './arrow';
import { BatchEmitter, batchRowsOf, TableBuilder, throwIfCancelled } from './batcher';
import { DataError } from './errors';
import { inferValues, valueToText } from './infer';
import { readAll, readHead } from './io';
import { sniffImage } from './png';
import type { BatchSink, ColumnType, ImportOptions, ImportSource, ImportSummary } from './types';

/** True when `head` starts with the Arrow IPC file magic. */
export function isArrowFile(head: Uint8Array): boolean {
  return head.length >= 6 && String.fromCharCode(...head.subarray(0, 6)) === 'ARROW1';
}

/** True when `head` starts like an Arrow IPC stream: a continuation marker and a schema message. */
export function isArrowStream(head: Uint8Array): boolean {
  return head.length >= 8 && head[0] === 0xff && head[1] === 0xff && head[2] === 0xff && head[3] === 0xff;
}

type Kind = ColumnType | 'string' | 'bytes' | 'nested' | 'null';

export function kindOfArrowType(t: DataType): Kind {
  if (DataType.isDictionary(t)) {
    const v = t.dictionary;
    return DataType.isUtf8(v) || DataType.isLargeUtf8(v) ? 'categorical' : kindOfArrowType(v);
  }
  switch (t.typeId) {
    case Type.Int:
    case Type.Int8:
    case Type.Int16:
    case Type.Int32:
    case Type.Int64:
    case Type.Uint8:
    case Type.Uint16:
    case Type.Uint32:
    case Type.Uint64:
      return 'integer';
    case Type.Float:
    case Type.Float16:
    case Type.Float32:
    case Type.Float64:
    case Type.Decimal:
      return 'number';
    case Type.Bool:
      return 'boolean';
    case Type.Date:
    case Type.DateDay:
    case Type.DateMillisecond:
    case Type.Timestamp:
    case Type.TimestampSecond:
    case Type.TimestampMillisecond:
    case Type.TimestampMicrosecond:
    case Type.TimestampNanosecond:
      return 'datetime';
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Utf8View:
      return 'string';
    case Type.Binary:
    case Type.LargeBinary:
    case Type.BinaryView:
    case Type.FixedSizeBinary:
      return 'bytes';
    case Type.Null:
      return 'null';
    default:
      return 'nested';
  }
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function plain(v: unknown): unknown {
  // arrow-js rows, lists and maps have toJSON(); vectors of a list value too
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    return (v as { toJSON(): unknown }).toJSON();
  }
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<unknown>);
  return v;
}

/** A reader of row i of one column of one batch, giving our canonical value. */
function reader(vector: Vector, kind: Kind, type: ColumnType): (i: number) => unknown {
  const data = vector.data[0];
  if (data && (type === 'number' || type === 'integer') && (kind === 'number' || kind === 'integer') && data.values) {
    const values = data.values as ArrayLike<number | bigint>;
    const t = data.type;
    // read typed arrays directly: half floats and decimals need arrow-js's decoding
    const direct = (DataType.isInt(t) || (DataType.isFloat(t) && t.precision !== Precision.HALF)) && !DataType.isDictionary(t);
    if (direct) {
      const bitmap = data.nullCount > 0 ? data.nullBitmap : null;
      const off = data.offset;
      return (i) => {
        if (bitmap && !(bitmap[(i + off) >> 3]! & (1 << ((i + off) & 7)))) return null;
        return Number(values[i]);
      };
    }
  }
  const get = (i: number): unknown => (vector.isValid(i) ? vector.get(i) : null);
  switch (type) {
    case 'number':
    case 'integer':
      return (i) => {
        const v = get(i);
        return v === null || v === undefined ? null : Number(v);
      };
    case 'datetime':
      return (i) => {
        const v = get(i);
        return v === null || v === undefined ? null : v instanceof Date ? v.getTime() : Number(v);
      };
    case 'boolean':
      return (i) => {
        const v = get(i);
        return v === null || v === undefined ? null : Boolean(v);
      };
    case 'image':
      return (i) => get(i) ?? null;
    case 'categorical':
    case 'text':
      return (i) => {
        const v = get(i);
        if (v === null || v === undefined) return null;
        if (kind === 'bytes' && v instanceof Uint8Array) return toBase64(v);
        return valueToText(plain(v));
      };
  }
}

function decideType(field: Field, kind: Kind, first: Vector): ColumnType {
  const recorded = recordedType(field);
  if (recorded) return recorded;
  switch (kind) {
    case 'string': {
      const vals: unknown[] = [];
      for (let i = 0; i < first.length; i++) vals.push(first.isValid(i) ? first.get(i) : null);
      return inferValues(vals) === 'categorical' ? 'categorical' : 'text';
    }
    case 'bytes': {
      let n = 0;
      for (let i = 0; i < first.length; i++) {
        if (!first.isValid(i)) continue;
        const v = first.get(i) as Uint8Array;
        if (!(v instanceof Uint8Array) || sniffImage(v) === null) return 'text';
        n++;
      }
      return n > 0 ? 'image' : 'text';
    }
    case 'nested':
    case 'null':
      return 'text';
    default:
      return kind;
  }
}

/** arrow-js opens a Node FileHandle for random access; this adapter gives it one over slice(). */
function fileHandleOver(source: ImportSource, counter: { bytes: number }) {
  const slice = source.slice!.bind(source);
  return {
    fd: -1,
    stat: async () => ({ size: source.size }),
    read: async (buffer: Uint8Array, offset: number, length: number, position: number) => {
      const bytes = new Uint8Array(await slice(position, position + length).arrayBuffer());
      buffer.set(bytes, offset);
      counter.bytes += bytes.length;
      return { bytesRead: bytes.length, buffer };
    },
    close: async () => {},
  };
}

interface OpenedArrow {
  schema: { fields: Field[] };
  batches: AsyncIterator<RecordBatch> | Iterator<RecordBatch>;
}

/** RecordBatchReader.from's overloads do not cover our adapters; this is the call we make. */
const readerFrom = RecordBatchReader.from as unknown as (source: unknown) => Promise<RecordBatchReader>;

async function openReader(source: ImportSource, counter: { bytes: number }): Promise<OpenedArrow> {
  const head = await readHead(source, 8);
  if (isArrowFile(head)) {
    if (source.slice) {
      const r = await (await readerFrom(fileHandleOver(source, counter))).open();
      return { schema: r.schema, batches: r[Symbol.asyncIterator]() as AsyncIterator<RecordBatch> };
    }
    const bytes = await readAll(source);
    counter.bytes = bytes.length;
    const r = RecordBatchReader.from(bytes).open();
    return { schema: r.schema, batches: r[Symbol.iterator]() as Iterator<RecordBatch> };
  }
  // count bytes as arrow-js pulls them, for progress
  const counted = source.stream().pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        counter.bytes += chunk.length;
        controller.enqueue(chunk);
      },
    }),
  );
  const r = await (await readerFrom(counted)).open();
  return { schema: r.schema, batches: r[Symbol.asyncIterator]() as AsyncIterator<RecordBatch> };
}

function badArrow(file: string, e: unknown): DataError {
  if (e instanceof DataError) return e;
  const detail = e instanceof Error ? e.message : String(e);
  return new DataError('bad-arrow', { file, params: { detail } }, `not a readable Arrow IPC file: ${detail}`);
}

export async function importArrow(source: ImportSource, sink: BatchSink, opts: ImportOptions = {}): Promise<ImportSummary> {
  const file = source.name;
  if (source.size === 0) throw new DataError('empty-file', { file }, 'the file is empty (0 bytes)');
  const emitter = new BatchEmitter(sink, opts, file, source.size);
  const batchRows = batchRowsOf(opts);
  const counter = { bytes: 0 };
  // reading errors are 'bad-arrow'; errors of the sink pass through
  let opened: OpenedArrow;
  try {
    opened = await openReader(source, counter);
  } catch (e) {
    throw badArrow(file, e);
  }
  const fields = opened.schema.fields;
  if (fields.length === 0) throw new DataError('no-columns', { file }, 'the Arrow table has no columns');
  const kinds = fields.map((f) => kindOfArrowType(f.type));
  let builder: TableBuilder | null = null;
  let types: ColumnType[] = [];
  for (;;) {
    let next: IteratorResult<RecordBatch>;
    try {
      next = await opened.batches.next();
    } catch (e) {
      throw badArrow(file, e);
    }
    if (next.done) break;
    const batch = next.value;
    throwIfCancelled(opts.signal, file);
    if (batch.numRows === 0) continue;
    if (!builder) {
      // strings and bytes get their type from the first batch
      types = fields.map((f, j) => decideType(f, kinds[j]!, batch.getChildAt(j)!));
      builder = new TableBuilder(fields.map((f, j) => ({ name: f.name, type: types[j]! })), emitter, batchRows);
    }
    const readers = fields.map((_, j) => reader(batch.getChildAt(j)!, kinds[j]!, types[j]!));
    const bytes = Math.min(counter.bytes, source.size);
    for (let i = 0; i < batch.numRows; i++) {
      for (let j = 0; j < readers.length; j++) builder.set(j, readers[j]!(i));
      if (builder.endRow()) await builder.flush(bytes);
    }
    emitter.progress(bytes);
  }
  if (!builder) throw new DataError('empty-file', { file }, 'the Arrow file holds no rows');
  await builder.flush(source.size);
  return emitter.summary('arrow', []);
}
