/**
 * The data model every stage shares. Pure types: no DOM, no IndexedDB, no Arrow import,
 * so the page can use them without pulling Arrow into the main bundle.
 */

/** Logical column types, as a person thinks of them (TFDV's feature types, plus image). */
export type ColumnType =
  | 'number'
  | 'integer'
  | 'categorical'
  | 'boolean'
  | 'text'
  | 'datetime'
  | 'image';

export const COLUMN_TYPES: readonly ColumnType[] = [
  'number',
  'integer',
  'categorical',
  'boolean',
  'text',
  'datetime',
  'image',
];

/**
 * How each logical type is stored in Arrow (one physical type per logical type keeps readers simple):
 *   number, integer -> Float64 (integers stay exact up to 2^53; widening integer -> number is free)
 *   categorical     -> Dictionary<Utf8, Int32>
 *   text            -> Utf8
 *   boolean         -> Bool
 *   datetime        -> TimestampMillisecond (UTC)
 *   image           -> Binary (the encoded PNG/JPEG/GIF/WebP/BMP bytes, as imported)
 * Missing values are Arrow nulls in every type.
 */
export interface ColumnInfo {
  name: string;
  type: ColumnType;
  /** Number of missing (null) values over the whole version. */
  nullCount: number;
}

/** File formats the importer understands. */
export type SourceFormat = 'csv' | 'tsv' | 'json' | 'ndjson' | 'arrow' | 'parquet' | 'images';

/** Where a dataset version came from. */
export interface SourceInfo {
  /** File name, or for several files "N files" and the first name. */
  fileName: string;
  /** Bytes read. */
  size: number;
  format: SourceFormat;
}

/** A blob-like input: a browser File satisfies it, and tests build one from bytes. */
export interface ImportSource {
  /** File name including any folder path (webkitRelativePath or the path inside a zip). */
  readonly name: string;
  readonly size: number;
  stream(): ReadableStream<Uint8Array>;
  arrayBuffer(): Promise<ArrayBuffer>;
  /**
   * Optional random access (a browser File and a Blob have it). Parquet and Arrow IPC files use it to
   * read one row group / record batch at a time; without it they read the whole file into memory.
   */
  slice?(start?: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

/** One Arrow record batch serialized as a self-contained Arrow IPC stream. */
export interface EncodedBatch {
  index: number;
  rowCount: number;
  ipc: Uint8Array;
}

/** Receives batches as an import produces them, so memory stays bounded at any file size. */
export interface BatchSink {
  write(batch: EncodedBatch): Promise<void>;
  /** Drop everything written so far: the importer restarts (for example after widening a type). */
  reset(): Promise<void>;
}

export interface ImportProgress {
  /** Bytes of the input consumed so far. */
  bytes: number;
  /** Total bytes of the input. */
  total: number;
  /** Rows produced so far. */
  rows: number;
}

/** Whether an image's encoded bytes decode: null if they do, else the decoder's reason (injected: the browser's). */
export type ImageCheck = (bytes: Uint8Array) => Promise<string | null>;

export interface ImportOptions {
  /** Rows per Arrow record batch (and per IndexedDB record). */
  batchRows?: number;
  /** Decodes each image of an image import; without it, images are checked by their header alone. */
  checkImage?: ImageCheck;
  onProgress?: (p: ImportProgress) => void;
  signal?: AbortSignal;
}

/** Something the person should know that did not stop an import; translated by code on the page. */
export interface ImportWarning {
  code: 'unnamed-column' | 'duplicate-column' | 'skipped-files' | 'undecodable-files';
  params: Record<string, string | number>;
  /** The same in English, for logs and tests. */
  message: string;
}

export interface ImportSummary {
  format: SourceFormat;
  rowCount: number;
  columns: ColumnInfo[];
  /** Things the person should know that did not stop the import, e.g. a renamed empty header. */
  warnings: ImportWarning[];
}

/** Default rows per record batch: about 64k, as DESIGN.md suggests. */
export const DEFAULT_BATCH_ROWS = 65_536;
