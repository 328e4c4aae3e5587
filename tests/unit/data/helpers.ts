/** Test helpers: ImportSources from bytes, a sink that keeps batches in memory, and table readers. */
import { expect } from 'vitest';
import { batchToColumns, decodeBatch, readColumn, valueAt } from '../../../src/core/data/arrow';
import { DataError, type DataErrorCode, type DataErrorDetails } from '../../../src/core/data/errors';
import { importSources } from '../../../src/core/data/import';
import type { BatchSink, EncodedBatch, ImportOptions, ImportSource, ImportSummary } from '../../../src/core/data/types';

const encoder = new TextEncoder();

export function bytesOf(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data;
}

/** A source backed by a Blob (like a browser File: stream, arrayBuffer and slice). */
export function source(name: string, data: Uint8Array | string): ImportSource {
  const blob = new Blob([bytesOf(data) as Uint8Array<ArrayBuffer>]);
  return {
    name,
    size: blob.size,
    stream: () => blob.stream() as ReadableStream<Uint8Array>,
    arrayBuffer: () => blob.arrayBuffer(),
    slice: (start?: number, end?: number) => blob.slice(start, end),
  };
}

/**
 * A source whose stream hands out the bytes in pieces cut at `cuts` (byte offsets), and that has no
 * slice(): the importers must then work from the stream alone.
 */
export function chunkedSource(name: string, data: Uint8Array | string, cuts: readonly number[]): ImportSource {
  const bytes = bytesOf(data);
  const points = [...new Set(cuts.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b);
  const bounds = [0, ...points, bytes.length];
  return {
    name,
    size: bytes.length,
    stream: () => {
      let k = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (k + 1 >= bounds.length) {
            controller.close();
            return;
          }
          controller.enqueue(bytes.slice(bounds[k], bounds[k + 1]));
          k++;
        },
      });
    },
    arrayBuffer: async () => bytes.slice().buffer,
  };
}

/** Keeps written batches; reset() drops them and is counted. */
export class MemorySink implements BatchSink {
  batches: EncodedBatch[] = [];
  resets = 0;
  /** Batches written before each reset, for tests of the restart. */
  dropped: EncodedBatch[][] = [];
  async write(batch: EncodedBatch): Promise<void> {
    expect(batch.index).toBe(this.batches.length);
    this.batches.push(batch);
  }
  async reset(): Promise<void> {
    this.dropped.push(this.batches);
    this.batches = [];
    this.resets++;
  }
  ipcs(): Uint8Array[] {
    return this.batches.map((b) => b.ipc);
  }
}

export type Cell = number | boolean | string | Uint8Array | null;

/** All batches of a sink as one column-oriented table (plain JS values, null for missing). */
export function tableOf(batches: readonly (EncodedBatch | Uint8Array)[]): Record<string, Cell[]> {
  const out: Record<string, Cell[]> = {};
  for (const b of batches) {
    const ipc = b instanceof Uint8Array ? b : b.ipc;
    const batch = decodeBatch(ipc);
    if (!(b instanceof Uint8Array)) expect(batch.numRows).toBe(b.rowCount);
    const cols = batchToColumns(batch);
    for (const [name, values] of Object.entries(cols)) (out[name] ??= []).push(...values);
  }
  return out;
}

/** All batches as columns by position (arrow-js decodes field names without a leading U+FEFF). */
export function columnsOf(batches: readonly (EncodedBatch | Uint8Array)[]): Cell[][] {
  const out: Cell[][] = [];
  for (const b of batches) {
    const batch = decodeBatch(b instanceof Uint8Array ? b : b.ipc);
    batch.schema.fields.forEach((_, j) => {
      const col = readColumn(batch, j);
      for (let i = 0; i < batch.numRows; i++) (out[j] ??= []).push(valueAt(col, i));
    });
  }
  return out;
}

export interface Imported {
  summary: ImportSummary;
  sink: MemorySink;
  table: Record<string, Cell[]>;
  types: Record<string, string>;
}

export async function importOne(src: ImportSource | ImportSource[], opts: ImportOptions & { maxBytes?: number } = {}): Promise<Imported> {
  const sink = new MemorySink();
  const summary = await importSources(Array.isArray(src) ? src : [src], sink, opts);
  const table = tableOf(sink.batches);
  const types = Object.fromEntries(summary.columns.map((c) => [c.name, c.type]));
  return { summary, sink, table, types };
}

/** Import CSV text named `name` (default data.csv). */
export function importText(text: string, name = 'data.csv', opts: ImportOptions = {}): Promise<Imported> {
  return importOne(source(name, text), opts);
}

/** Expect `run` to reject with a DataError of `code` whose details include `details`. */
export async function expectDataError(run: Promise<unknown> | (() => Promise<unknown>), code: DataErrorCode, details: Partial<DataErrorDetails> = {}): Promise<DataError> {
  let error: unknown = null;
  try {
    await (typeof run === 'function' ? run() : run);
  } catch (e) {
    error = e;
  }
  expect(error, `expected DataError ${code}`).toBeInstanceOf(DataError);
  const de = error as DataError;
  expect(de.code).toBe(code);
  if (details.file !== undefined) expect(de.details.file).toBe(details.file);
  if (details.row !== undefined) expect(de.details.row).toBe(details.row);
  if (details.column !== undefined) expect(de.details.column).toBe(details.column);
  if (details.params !== undefined) expect(de.details.params).toMatchObject(details.params);
  return de;
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
