/**
 * Shared by the importers: build columns value by value, cut them into batches of batchRows, encode
 * each batch and hand it to the sink, and keep the totals (rows, null counts) for the summary.
 */
import { buildBatch, encodeBatch, nullCountOf, type ColumnValues, type NamedColumn } from './arrow';
import { DataError } from './errors';
import {
  DEFAULT_BATCH_ROWS,
  type BatchSink,
  type ColumnInfo,
  type ColumnType,
  type ImportOptions,
  type ImportSummary,
  type ImportWarning,
  type SourceFormat,
} from './types';

export function throwIfCancelled(signal: AbortSignal | undefined, file: string): void {
  if (signal?.aborted) throw new DataError('cancelled', { file }, 'import cancelled');
}

export function batchRowsOf(opts: ImportOptions): number {
  const n = opts.batchRows ?? DEFAULT_BATCH_ROWS;
  if (!(Number.isInteger(n) && n > 0)) throw new RangeError(`batchRows must be a positive integer, got ${n}`);
  return n;
}

/** Writes batches to the sink and keeps the running totals an ImportSummary needs. */
export class BatchEmitter {
  rows = 0;
  private index = 0;
  private nullCounts: number[] = [];
  private columns: { name: string; type: ColumnType }[] = [];

  constructor(
    private readonly sink: BatchSink,
    private readonly opts: ImportOptions,
    private readonly file: string,
    private readonly total: number,
  ) {}

  /** Encode and write one batch of `length` rows. */
  async emit(columns: readonly NamedColumn[], length: number, bytes: number): Promise<void> {
    throwIfCancelled(this.opts.signal, this.file);
    if (this.index === 0 && this.columns.length === 0) {
      this.columns = columns.map((c) => ({ name: c.name, type: c.values.type }));
      this.nullCounts = columns.map(() => 0);
    }
    columns.forEach((c, j) => (this.nullCounts[j]! += nullCountOf(c.values, length)));
    const ipc = encodeBatch(buildBatch(columns, length));
    await this.sink.write({ index: this.index++, rowCount: length, ipc });
    this.rows += length;
    this.progress(bytes);
  }

  progress(bytes: number): void {
    this.opts.onProgress?.({ bytes, total: this.total, rows: this.rows });
  }

  /** Forget everything written: the caller restarts the import. */
  async reset(): Promise<void> {
    await this.sink.reset();
    this.rows = 0;
    this.index = 0;
    this.nullCounts = [];
    this.columns = [];
  }

  /** Columns for a table that produced no batch yet still has a schema. */
  setColumns(columns: { name: string; type: ColumnType }[]): void {
    if (this.index === 0) {
      this.columns = columns.map((c) => ({ ...c }));
      this.nullCounts = columns.map(() => 0);
    }
  }

  summary(format: SourceFormat, warnings: ImportWarning[]): ImportSummary {
    const columns: ColumnInfo[] = this.columns.map((c, j) => ({ name: c.name, type: c.type, nullCount: this.nullCounts[j] ?? 0 }));
    return { format, rowCount: this.rows, columns, warnings };
  }
}

/**
 * Builds one column of one batch from canonical JS values: numbers for number/integer, milliseconds for
 * datetime, booleans, strings for categorical/text, bytes for image; null/undefined for missing.
 */
export class ColumnBuilder {
  length = 0;
  private f64: Float64Array;
  private u8: Uint8Array;
  private validity: Uint8Array;
  private nulls = 0;
  private objects: (string | Uint8Array | null)[] = [];
  private dict = new Map<string, number>();
  private idx: Int32Array;

  constructor(
    readonly type: ColumnType,
    private capacity: number,
  ) {
    this.f64 = type === 'number' || type === 'integer' || type === 'datetime' ? new Float64Array(capacity) : new Float64Array(0);
    this.u8 = type === 'boolean' ? new Uint8Array(capacity) : new Uint8Array(0);
    this.idx = type === 'categorical' ? new Int32Array(capacity) : new Int32Array(0);
    this.validity = new Uint8Array((capacity + 7) >> 3);
  }

  push(v: unknown): void {
    const i = this.length;
    if (i === this.capacity) this.grow();
    this.length++;
    if (v === null || v === undefined) {
      this.nulls++;
      // slots of missing values: NaN for Float64, 0 for the rest (the arrays are reused)
      if (this.type === 'number' || this.type === 'integer' || this.type === 'datetime') this.f64[i] = NaN;
      else if (this.type === 'boolean') this.u8[i] = 0;
      else if (this.type === 'categorical') this.idx[i] = 0;
      else this.objects.push(null);
      return;
    }
    this.validity[i >> 3]! |= 1 << (i & 7);
    switch (this.type) {
      case 'number':
      case 'integer':
      case 'datetime':
        this.f64[i] = v as number;
        return;
      case 'boolean':
        this.u8[i] = v ? 1 : 0;
        return;
      case 'categorical': {
        const s = v as string;
        let k = this.dict.get(s);
        if (k === undefined) {
          k = this.dict.size;
          this.dict.set(s, k);
        }
        this.idx[i] = k;
        return;
      }
      case 'text':
      case 'image':
        this.objects.push(v as string | Uint8Array);
        return;
    }
  }

  private grow(): void {
    const cap = Math.max(16, this.capacity * 2);
    const grow = <T extends Float64Array | Uint8Array | Int32Array>(a: T, n: number): T => {
      if (a.length === 0) return a;
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.f64 = grow(this.f64, cap);
    this.u8 = grow(this.u8, cap);
    this.idx = grow(this.idx, cap);
    this.validity = grow(this.validity, (cap + 7) >> 3);
    this.capacity = cap;
  }

  /** The column so far; the builder starts over empty. */
  finish(): ColumnValues {
    const n = this.length;
    const validity = this.nulls ? this.validity.slice(0, (n + 7) >> 3) : null;
    let out: ColumnValues;
    switch (this.type) {
      case 'number':
      case 'integer':
      case 'datetime':
        out = { type: this.type, values: this.f64.slice(0, n), validity };
        break;
      case 'boolean':
        out = { type: 'boolean', values: this.u8.slice(0, n), validity };
        break;
      case 'categorical':
        out = { type: 'categorical', indices: this.idx.slice(0, n), dictionary: [...this.dict.keys()], validity };
        break;
      case 'text':
        out = { type: 'text', values: this.objects as (string | null)[] };
        break;
      case 'image':
        out = { type: 'image', values: this.objects as (Uint8Array | null)[] };
        break;
    }
    this.length = 0;
    this.nulls = 0;
    this.validity.fill(0);
    this.objects = [];
    this.dict = new Map();
    return out;
  }
}

/** Column builders for a whole table, flushed to the emitter every batchRows rows. */
export class TableBuilder {
  private builders: ColumnBuilder[];
  rows = 0;

  constructor(
    readonly columns: readonly { name: string; type: ColumnType }[],
    private readonly emitter: BatchEmitter,
    private readonly batchRows: number,
  ) {
    this.builders = columns.map((c) => new ColumnBuilder(c.type, Math.min(batchRows, 1024)));
    emitter.setColumns(columns.map((c) => ({ ...c })));
  }

  /** Append one canonical value to column j of the current row; call endRow() after the last column. */
  set(j: number, v: unknown): void {
    this.builders[j]!.push(v);
  }

  /** Finish the current row; true when batchRows rows are pending and the caller should flush(). */
  endRow(): boolean {
    this.rows++;
    return this.rows >= this.batchRows;
  }

  async flush(bytes: number): Promise<void> {
    if (this.rows === 0) return;
    const cols = this.builders.map((b, j) => ({ name: this.columns[j]!.name, values: b.finish() }));
    const n = this.rows;
    this.rows = 0;
    await this.emitter.emit(cols, n, bytes);
  }
}
