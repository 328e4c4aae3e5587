/**
 * Tables in files: a data file imported with the app's own importers (core/data: the format by magic bytes,
 * extension, then sniffing, as an import in the tab), and an Examples artifact's examples.arrow read back
 * the same way. Both give the record batches the tab would store, and the columns with their types.
 */
import { openAsBlob } from 'node:fs';
import { basename, join } from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import { decodeBatch } from '../core/data/arrow';
import { importSources } from '../core/data/import';
import type { ColumnInfo, EncodedBatch, ImportSource, SourceFormat } from '../core/data/types';
import type { Split } from '../core/model/split';

export interface Table {
  rowCount: number;
  columns: ColumnInfo[];
  batches: RecordBatch[];
  /** The batches as the tab stores them: each a self-contained Arrow IPC stream. */
  encoded: Uint8Array[];
  format: SourceFormat;
}

async function sourceOf(path: string): Promise<ImportSource> {
  // a Blob over the file: the Parquet and Arrow importers read it part by part through slice()
  return Object.assign(await openAsBlob(path), { name: basename(path) }) as unknown as ImportSource;
}

/** Import a file as the tab imports it (DataErrors name the file, row and column). */
export async function importTable(path: string, signal?: AbortSignal): Promise<Table> {
  const encoded: EncodedBatch[] = [];
  const sink = {
    write: async (b: EncodedBatch) => void encoded.push(b),
    reset: async () => void (encoded.length = 0),
  };
  const summary = await importSources([await sourceOf(path)], sink, { signal });
  encoded.sort((a, b) => a.index - b.index);
  return {
    rowCount: summary.rowCount,
    columns: summary.columns,
    batches: encoded.map((b) => decodeBatch(b.ipc)),
    encoded: encoded.map((b) => b.ipc),
    format: summary.format,
  };
}

/** The columns as the Validate stage passes a version's to its accumulators: name and type. */
export function specsOf(table: Pick<Table, 'columns'>): { name: string; type: ColumnInfo['type'] }[] {
  return table.columns.map((c) => ({ name: c.name, type: c.type }));
}

/** The split ExampleGen wrote next to the examples (split.json). */
export interface SplitFile {
  seed: number;
  fractions: Split['fractions'];
  stratified: boolean;
  label: string | null;
  counts: { train: number; validation: number; test: number; excluded: number };
  rows: { train: number[]; validation: number[]; test: number[]; excluded: number[] };
}

export const EXAMPLES_FILE = 'examples.arrow';
export const SPLIT_FILE = 'split.json';

/** An Examples artifact's table (its directory relative to --out). */
export function readExamples(out: string, uri: string, signal?: AbortSignal): Promise<Table> {
  return importTable(join(out, uri, EXAMPLES_FILE), signal);
}

/** Batches as an async source, for core's passes over a table. */
export async function* batchesOf(table: Table, signal?: AbortSignal): AsyncGenerator<RecordBatch> {
  for (const b of table.batches) {
    signal?.throwIfAborted();
    yield b;
  }
}
