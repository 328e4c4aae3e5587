/**
 * Export of a dataset version, given its batches (EncodedBatch.ipc, in order): CSV, Arrow IPC file, Parquet.
 * Each format also has a streaming form that yields chunks per batch, so a caller can write a large
 * version out without holding the whole file.
 *
 * CSV (RFC 4180): comma separated, CRLF line ends, a field is quoted when it holds a quote, CR, LF or any
 * separator the importer could detect (, tab ; |), or starts with a BOM character; quotes are doubled.
 * Missing values are empty fields (in a one-column file, an empty line).
 * Values are written so that importing the file gives the same table and types back:
 *   number   shortest round-trip form, with ".0" added to whole numbers (so it stays number, not integer)
 *   integer  plain digits
 *   boolean  true / false
 *   datetime "YYYY-MM-DD" when the time is exactly midnight UTC, else ISO 8601 with milliseconds and Z
 *   image    "<image N bytes>": the bytes do not belong in a CSV (base64 would make it huge); the
 *            path column of an image import says where each image came from.
 * What CSV cannot carry: an empty string and a text that equals a missing-value token (NA, null, ...)
 * come back as missing, and a text column whose values all look like numbers comes back as numbers.
 */
import {
  Data,
  Dictionary,
  Int32,
  makeData,
  RecordBatch,
  RecordBatchFileWriter,
  Schema,
  Struct,
  Utf8,
  Vector,
  type Field,
} from 'apache-arrow';
import { decodeBatch, encodeStrings, fieldFor, isValid, readColumn, type ColumnValues } from './arrow';
import { writeParquet } from './parquet';
import type { ColumnInfo } from './types';

export type BatchInput = Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
type ColumnsHint = readonly Pick<ColumnInfo, 'name' | 'type'>[];

export interface CsvExportOptions {
  /** Field separator, ',' by default ('\t' gives TSV). */
  delimiter?: string;
}

const MS_PER_DAY = 86_400_000;

/** A number as written in CSV (see the module comment). */
export function formatNumber(x: number, type: 'number' | 'integer'): string {
  if (type === 'integer') return Number.isInteger(x) ? String(x === 0 ? 0 : x) : String(x);
  const s = String(x === 0 ? 0 : x);
  return Number.isInteger(x) && !s.includes('e') ? s + '.0' : s;
}

/** A datetime (ms since 1970 UTC) as written in CSV. */
export function formatDateTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return ms % MS_PER_DAY === 0 ? iso.slice(0, iso.indexOf('T')) : iso;
}

/**
 * A field, quoted when needed. Besides RFC 4180's reasons (separator, quote, CR, LF) we quote any field
 * holding one of the separators the importer may detect (, tab ; |), so that its sniffing, which looks
 * outside quotes only, always finds our separator: even a one-column file with a ';' in every row.
 */
export function quoteField(s: string, delimiter: string): string {
  if (NEEDS_QUOTES.test(s) || s.includes(delimiter) || s.charCodeAt(0) === 0xfeff) return '"' + s.replace(/"/g, '""') + '"';
  return s;
}

const NEEDS_QUOTES = /["\r\n,\t;|]/;

function cellText(col: ColumnValues, i: number, delimiter: string): string {
  switch (col.type) {
    case 'number':
    case 'integer':
      return isValid(col.validity, i) ? formatNumber(col.values[i]!, col.type) : '';
    case 'datetime':
      return isValid(col.validity, i) ? formatDateTime(col.values[i]!) : '';
    case 'boolean':
      return isValid(col.validity, i) ? (col.values[i] ? 'true' : 'false') : '';
    case 'categorical':
      return isValid(col.validity, i) ? quoteField(col.dictionary[col.indices[i]!]!, delimiter) : '';
    case 'text': {
      const v = col.values[i];
      return v === null || v === undefined ? '' : quoteField(v, delimiter);
    }
    case 'image': {
      const v = col.values[i];
      return v === null || v === undefined ? '' : `<image ${v.length} bytes>`;
    }
  }
}

/**
 * CSV text, one chunk per batch (the header goes with the first). The header uses the names of `columns`
 * when given (the version's metadata): arrow-js drops a leading U+FEFF from names it decodes.
 */
export async function* exportCsv(batches: BatchInput, columns?: ColumnsHint, opts: CsvExportOptions = {}): AsyncGenerator<string> {
  const delimiter = opts.delimiter ?? ',';
  let header = false;
  const headerLine = (names: readonly string[]) => names.map((n) => quoteField(n, delimiter)).join(delimiter) + '\r\n';
  for await (const ipc of batches) {
    const batch = decodeBatch(ipc);
    const fields = batch.schema.fields;
    const names = columns && columns.length === fields.length ? columns.map((c) => c.name) : fields.map((f) => f.name);
    let out = header ? '' : headerLine(names);
    header = true;
    const cols = names.map((_, j) => readColumn(batch, j));
    const cells = new Array<string>(cols.length);
    for (let i = 0; i < batch.numRows; i++) {
      for (let j = 0; j < cols.length; j++) cells[j] = cellText(cols[j]!, i, delimiter);
      out += cells.join(delimiter) + '\r\n';
    }
    yield out;
  }
  if (!header && columns) yield headerLine(columns.map((c) => c.name));
}

/**
 * arrow-js's file writer keeps everything it writes in an internal queue until the end; collecting the
 * chunks here instead lets the exporter hand them out batch by batch.
 */
class ChunkedFileWriter extends RecordBatchFileWriter {
  chunks: Uint8Array[] = [];
  protected override _write(chunk: ArrayBufferView | ArrayBuffer | string): this {
    if (this._started) {
      const bytes =
        typeof chunk === 'string'
          ? new TextEncoder().encode(chunk)
          : chunk instanceof ArrayBuffer
            ? new Uint8Array(chunk)
            : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (bytes.byteLength > 0) {
        // copy: some buffers are views that arrow-js may reuse
        this.chunks.push(bytes.slice());
        this._position += bytes.byteLength;
      }
    }
    return this;
  }
  take(): Uint8Array[] {
    const c = this.chunks;
    this.chunks = [];
    return c;
  }
}

/**
 * Rewrites our self-contained batches for one Arrow IPC file. The file format allows one dictionary per
 * column plus deltas (no replacement), so each categorical column gets one growing dictionary: a batch's
 * new values are appended as a delta and its indices are remapped into it.
 */
class ArrowFileExporter {
  private writer = new ChunkedFileWriter();
  private schema: Schema | null = null;
  private dicts = new Map<number, { index: Map<string, number>; chunks: Data<Utf8>[]; type: Dictionary<Utf8, Int32> }>();

  add(ipc: Uint8Array): Uint8Array[] {
    const batch = decodeBatch(ipc);
    if (!this.schema) {
      this.schema = batch.schema;
      batch.schema.fields.forEach((f: Field, j) => {
        if (f.type instanceof Dictionary) this.dicts.set(j, { index: new Map(), chunks: [], type: f.type as Dictionary<Utf8, Int32> });
      });
    }
    const schema = this.schema;
    const children = schema.fields.map((_, j) => {
      const dict = this.dicts.get(j);
      const data = batch.getChildAt(j)!.data[0]!;
      if (!dict) return data;
      const col = readColumn(batch, j);
      if (col.type !== 'categorical') return data;
      // map this batch's dictionary into the file's, collecting the new values as a delta
      const fresh: string[] = [];
      const remap = col.dictionary.map((s) => {
        let k = dict.index.get(s);
        if (k === undefined) {
          k = dict.index.size;
          dict.index.set(s, k);
          fresh.push(s);
        }
        return k;
      });
      if (fresh.length > 0 || dict.chunks.length === 0) {
        const { offsets, bytes } = encodeStrings(fresh);
        dict.chunks.push(makeData({ type: new Utf8(), length: fresh.length, nullCount: 0, valueOffsets: offsets, data: bytes }));
      }
      const n = batch.numRows;
      const indices = new Int32Array(n);
      for (let i = 0; i < n; i++) indices[i] = isValid(col.validity, i) ? remap[col.indices[i]!]! : 0;
      return makeData({
        type: dict.type,
        length: n,
        nullCount: data.nullCount,
        nullBitmap: data.nullCount > 0 ? col.validity : null,
        data: indices,
        dictionary: new Vector(dict.chunks),
      });
    });
    const out = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: batch.numRows, nullCount: 0, children }));
    this.writer.write(out);
    return this.writer.take();
  }

  finish(columns?: ColumnsHint): Uint8Array[] {
    if (!this.schema) {
      // no batch: a file with the schema only
      this.writer.reset(undefined, new Schema((columns ?? []).map((c, j) => fieldFor(c.name, c.type, j))));
    }
    this.writer.finish();
    return this.writer.take();
  }
}

/** An Arrow IPC file of all batches, chunk by chunk. */
export async function* exportArrowChunks(batches: BatchInput, columns?: ColumnsHint): AsyncGenerator<Uint8Array> {
  const exporter = new ArrowFileExporter();
  for await (const ipc of batches) yield* exporter.add(ipc);
  yield* exporter.finish(columns);
}

/** An Arrow IPC file of all batches, in one buffer. */
export function exportArrow(batches: Iterable<Uint8Array>, columns?: ColumnsHint): Uint8Array {
  const exporter = new ArrowFileExporter();
  const parts: Uint8Array[] = [];
  for (const ipc of batches) parts.push(...exporter.add(ipc));
  parts.push(...exporter.finish(columns));
  return concat(parts);
}

async function* decoded(batches: BatchInput) {
  for await (const ipc of batches) yield decodeBatch(ipc);
}

/** A Parquet file of all batches (one row group per batch), chunk by chunk. */
export function exportParquetChunks(batches: BatchInput, columns?: ColumnsHint): AsyncGenerator<Uint8Array> {
  return writeParquet(decoded(batches), columns);
}

/** A Parquet file of all batches, in one buffer. */
export async function exportParquet(batches: BatchInput, columns?: ColumnsHint): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of exportParquetChunks(batches, columns)) parts.push(part);
  return concat(parts);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
