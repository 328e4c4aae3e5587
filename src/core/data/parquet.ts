/**
 * Parquet: read with hyparquet one row group at a time (memory is bounded by a row group when the source
 * has random access), write with hyparquet-writer one row group per batch (for export).
 *
 * Reading maps Parquet types to ours: BOOLEAN -> boolean; INT32/INT64 (any INTEGER annotation) -> integer
 * (64-bit values beyond 2^53 lose precision); FLOAT/DOUBLE/FLOAT16/DECIMAL -> number; DATE, TIMESTAMP
 * (any unit) and INT96 -> datetime; strings (STRING/UTF8/ENUM/JSON) -> categorical or text by infer.ts;
 * plain BYTE_ARRAY -> image when every value is an image, else text (base64); groups (LIST, MAP, structs)
 * -> text (JSON). A file we wrote carries 'pipette.types' in its key-value metadata, which restores
 * categorical vs text and integer vs number exactly.
 */
import { parquetMetadataAsync, parquetSchema, parquetScan, type FileMetaData, type SchemaElement, type SchemaTree } from 'hyparquet';
// hyparquet itself reads uncompressed and Snappy pages; files from Arrow, DuckDB and Spark often use
// ZSTD, GZIP, Brotli or LZ4 (vega-datasets' flights-3m is ZSTD), so bring those decoders too.
import { compressors } from 'hyparquet-compressors';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { RecordBatch } from 'apache-arrow';
import { batchColumnTypes, readColumn, valueAt } from './arrow';
import { BatchEmitter, batchRowsOf, TableBuilder, throwIfCancelled } from './batcher';
import { DataError } from './errors';
import { inferValues, valueToText } from './infer';
import { asyncBufferOf, readHead, readTail } from './io';
import { sniffImage } from './png';
import { COLUMN_TYPES, type BatchSink, type ColumnInfo, type ColumnType, type ImportOptions, type ImportSource, type ImportSummary } from './types';

export const PARQUET_TYPES_KEY = 'pipette.types';

const MS_PER_DAY = 86_400_000;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b < 0n ? q - 1n : q;
}

/** Timestamps and dates as milliseconds, so datetime columns need no Date objects. */
const parsers = {
  timestampFromMilliseconds: (v: bigint) => Number(v),
  timestampFromMicroseconds: (v: bigint) => Number(floorDiv(v, 1000n)),
  timestampFromNanoseconds: (v: bigint) => Number(floorDiv(v, 1_000_000n)),
  dateFromDays: (d: number) => d * MS_PER_DAY,
};

/** What a top-level Parquet column holds, before strings and bytes are looked at. */
type Kind = ColumnType | 'string' | 'bytes' | 'nested';

function kindOf(tree: SchemaTree): Kind {
  const e: SchemaElement = tree.element;
  if (tree.children.length > 0 || e.repetition_type === 'REPEATED') return 'nested';
  const lt = e.logical_type?.type;
  const ct = e.converted_type;
  if (lt === 'STRING' || lt === 'ENUM' || lt === 'JSON' || lt === 'UUID' || ct === 'UTF8' || ct === 'ENUM' || ct === 'JSON') {
    return lt === 'JSON' || ct === 'JSON' ? 'nested' : 'string';
  }
  if (lt === 'DATE' || lt === 'TIMESTAMP' || ct === 'DATE' || ct === 'TIMESTAMP_MILLIS' || ct === 'TIMESTAMP_MICROS' || e.type === 'INT96') {
    return 'datetime';
  }
  if (lt === 'DECIMAL' || ct === 'DECIMAL' || lt === 'FLOAT16') return 'number';
  switch (e.type) {
    case 'BOOLEAN':
      return 'boolean';
    case 'INT32':
    case 'INT64':
      return 'integer';
    case 'FLOAT':
    case 'DOUBLE':
      return 'number';
    default:
      return 'bytes';
  }
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true }); // keep a value's leading U+FEFF

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** A function from a decoded Parquet value to our canonical value for `type`. */
function converter(kind: Kind, type: ColumnType): (v: unknown) => unknown {
  const missing = (v: unknown) => v === null || v === undefined;
  switch (type) {
    case 'number':
    case 'integer':
      return (v) => (missing(v) ? null : Number(v));
    case 'datetime':
      return (v) => (missing(v) ? null : v instanceof Date ? v.getTime() : Number(v));
    case 'boolean':
      return (v) => (missing(v) ? null : Boolean(v));
    case 'image':
      return (v) => (missing(v) ? null : v);
    case 'categorical':
    case 'text':
      if (kind === 'bytes') return (v) => (missing(v) ? null : toBase64(v as Uint8Array));
      return (v) => (missing(v) ? null : v instanceof Uint8Array ? utf8.decode(v) : valueToText(v));
  }
}

function badParquet(file: string, e: unknown): DataError {
  if (e instanceof DataError) return e;
  const detail = e instanceof Error ? e.message : String(e);
  return new DataError('bad-parquet', { file, params: { detail } }, `not a readable Parquet file: ${detail}`);
}

function recordedTypes(md: FileMetaData): Record<string, ColumnType> {
  const kv = md.key_value_metadata?.find((k) => k.key === PARQUET_TYPES_KEY);
  if (!kv?.value) return {};
  try {
    const parsed = JSON.parse(kv.value) as Record<string, string>;
    const out: Record<string, ColumnType> = {};
    for (const [k, v] of Object.entries(parsed)) if ((COLUMN_TYPES as readonly string[]).includes(v)) out[k] = v as ColumnType;
    return out;
  } catch {
    return {};
  }
}

/** A recorded type is used only when it agrees with what the column physically holds. */
function compatible(kind: Kind, type: ColumnType): boolean {
  switch (kind) {
    case 'integer':
    case 'number':
      return type === 'integer' || type === 'number';
    case 'string':
      return type === 'categorical' || type === 'text';
    case 'bytes':
      return type === 'image' || type === 'text';
    case 'nested':
      return type === 'text';
    default:
      return type === kind;
  }
}

export async function importParquet(source: ImportSource, sink: BatchSink, opts: ImportOptions = {}): Promise<ImportSummary> {
  const file = source.name;
  const head = await readHead(source, 4);
  const tail = await readTail(source, 4);
  const magic = (b: Uint8Array | null) => b !== null && b.length === 4 && String.fromCharCode(...b) === 'PAR1';
  if (!magic(head) || (tail !== null && !magic(tail))) {
    throw new DataError('bad-parquet', { file, params: { detail: 'no PAR1 marker at the start and end' } }, 'not a Parquet file, or a truncated one');
  }
  let metadata: FileMetaData;
  const buffer = await asyncBufferOf(source);
  try {
    metadata = await parquetMetadataAsync(buffer, { parsers });
  } catch (e) {
    throw badParquet(file, e);
  }
  const trees = parquetSchema(metadata).children;
  if (trees.length === 0) throw new DataError('no-columns', { file }, 'the Parquet file has no columns');
  if (Number(metadata.num_rows) === 0) throw new DataError('empty-file', { file }, 'the Parquet file has no rows');
  const recorded = recordedTypes(metadata);
  const kinds = trees.map(kindOf);
  const names = trees.map((t) => t.element.name);
  const batchRows = batchRowsOf(opts);
  const emitter = new BatchEmitter(sink, opts, file, source.size);
  let builder = null as TableBuilder | null;
  let convert: ((v: unknown) => unknown)[] = [];
  // only hyparquet's failures are 'bad-parquet'; the sink's own errors pass through unchanged
  const reading = async <T>(read: () => Promise<T>): Promise<T> => {
    try {
      return await read();
    } catch (e) {
      throw badParquet(file, e);
    }
  };
  const scan = await reading(() => parquetScan({ file: buffer, metadata, utf8: false, parsers, compressors }));
  type Group = { rowStart: number; columns: ArrayLike<unknown>[] };
  // strings and bytes get their type from the first batchRows rows (one or more row groups)
  const decide = (groups: Group[]) => {
    const sample = (j: number) => groups.flatMap((g) => Array.from(g.columns[j]!));
    const types = kinds.map((kind, j): ColumnType => {
      const r = recorded[names[j]!];
      if (r && compatible(kind, r)) return r;
      if (kind === 'string') {
        const t = inferValues(sample(j).map((v) => (v instanceof Uint8Array ? utf8.decode(v) : v)));
        return t === 'categorical' ? 'categorical' : 'text';
      }
      if (kind === 'bytes') {
        const vals = sample(j).filter((v) => v !== null && v !== undefined);
        return vals.length > 0 && vals.every((v) => v instanceof Uint8Array && sniffImage(v) !== null) ? 'image' : 'text';
      }
      if (kind === 'nested') return 'text';
      return kind;
    });
    convert = kinds.map((k, j) => converter(k, types[j]!));
    builder = new TableBuilder(names.map((name, j) => ({ name, type: types[j]! })), emitter, batchRows);
  };
  const write = async (g: Group) => {
    const b = builder!;
    const n = g.columns[0]?.length ?? 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < g.columns.length; j++) b.set(j, convert[j]!(g.columns[j]![i]));
      if (b.endRow()) await b.flush(Math.round((source.size * (g.rowStart + i + 1)) / Number(metadata.num_rows)));
    }
  };
  let held: Group[] = [];
  let heldRows = 0;
  for (const range of scan.ranges) {
    throwIfCancelled(opts.signal, file);
    const columns = await reading(() =>
      Promise.all(names.map((column) => scan.readColumn({ column, rowStart: range.rowStart, rowEnd: range.rowEnd }))),
    );
    const group: Group = { rowStart: range.rowStart, columns };
    if (builder) {
      await write(group);
      continue;
    }
    held.push(group);
    heldRows += range.rowEnd - range.rowStart;
    if (heldRows < batchRows) continue;
    decide(held);
    for (const g of held) await write(g);
    held = [];
  }
  if (!builder && held.length > 0) {
    decide(held);
    for (const g of held) await write(g);
  }
  await builder?.flush(source.size);
  return emitter.summary('parquet', []);
}

/** A hyparquet-writer Writer that hands out what was written after each row group. */
class ChunkWriter extends ByteWriter {
  chunks: Uint8Array[] = [];
  flush(): void {
    if (this.index > 0) {
      this.chunks.push(new Uint8Array(this.buffer.slice(0, this.index)));
      this.index = 0;
    }
  }
  override finish(): void {
    this.flush();
  }
  take(): Uint8Array[] {
    const c = this.chunks;
    this.chunks = [];
    return c;
  }
}

function schemaElement(name: string, type: ColumnType): SchemaElement {
  const repetition_type = 'OPTIONAL' as const;
  switch (type) {
    case 'number':
      return { name, type: 'DOUBLE', repetition_type };
    case 'integer':
      return { name, type: 'INT64', repetition_type };
    case 'boolean':
      return { name, type: 'BOOLEAN', repetition_type };
    case 'datetime':
      return {
        name,
        type: 'INT64',
        converted_type: 'TIMESTAMP_MILLIS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
        repetition_type,
      };
    case 'categorical':
    case 'text':
      return { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type };
    case 'image':
      return { name, type: 'BYTE_ARRAY', repetition_type };
  }
}

/** Values of column j of a batch in the form hyparquet-writer takes for our schema element. */
function parquetValues(batch: RecordBatch, j: number): unknown[] {
  const col = readColumn(batch, j);
  const n = batch.numRows;
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    const v = valueAt(col, i);
    // INT64 wants bigint; integers are exact in Float64 up to 2^53
    out[i] = v !== null && col.type === 'integer' ? BigInt(v as number) : v;
  }
  return out;
}

/**
 * Write batches (our decoded record batches) as one Parquet file, one row group per batch, and yield the
 * bytes as they are produced. `columns` gives the schema when there may be no batch.
 */
export async function* writeParquet(
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
  columns?: readonly Pick<ColumnInfo, 'name' | 'type'>[],
): AsyncGenerator<Uint8Array> {
  const writer = new ChunkWriter();
  let pq: ParquetWriter | null = null;
  const start = (cols: readonly { name: string; type: ColumnType }[]) => {
    const types = Object.fromEntries(cols.map((c) => [c.name, c.type]));
    return new ParquetWriter({
      writer,
      schema: [{ name: 'root', num_children: cols.length }, ...cols.map((c) => schemaElement(c.name, c.type))],
      kvMetadata: [{ key: PARQUET_TYPES_KEY, value: JSON.stringify(types) }],
      createdBy: 'Pipette',
    });
  };
  for await (const batch of batches) {
    const cols = columns ?? batchColumnTypes(batch);
    pq ??= start(cols);
    const columnData = cols.map((c, j) => ({ name: c.name, data: parquetValues(batch, j) }));
    await pq.write({ columnData, rowGroupSize: Math.max(1, batch.numRows) });
    yield* writer.take();
  }
  pq ??= start(columns ?? []);
  await pq.finish();
  yield* writer.take();
}
