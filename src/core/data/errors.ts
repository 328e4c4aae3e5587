/**
 * Errors about the person's input. Each carries a code and parameters so that the page can show it in
 * the person's language (the catalog has a message `error.<code>` for each code), plus an English
 * message for logs and tests. Always name the file, and the row (1-based, counting data rows, not the
 * header) and column where they apply.
 */

import { CodedError, type SerializedCodedError } from '../errors';

export type DataErrorCode =
  | 'empty-file' // 0 bytes, or only a header / whitespace
  | 'binary-file' // NUL bytes or other signs that this is not text
  | 'not-utf8' // invalid UTF-8 byte sequence
  | 'ragged-row' // a row with a different number of fields than the header
  | 'bad-csv' // CSV that cannot be read, e.g. a quoted field that never ends; params.detail says what
  | 'bad-json' // JSON that does not parse; params.detail has the parser's word
  | 'json-not-table' // valid JSON that is not an array of objects (or {columns} / NDJSON lines of objects)
  | 'bad-arrow' // a truncated or corrupt Arrow IPC file
  | 'bad-parquet' // a truncated or corrupt Parquet file
  | 'no-images' // a zip or file set with no image files in it
  | 'bad-image' // a file named like an image whose bytes are not one
  | 'undecodable-image' // bytes that start like a PNG, JPEG, ... image but do not decode (a broken file)
  | 'unknown-format' // no importer recognizes the file
  | 'too-large' // over the import size limit
  | 'no-columns' // a table with no columns
  | 'storage-full' // the browser refused the write: quota exceeded
  | 'cancelled'; // the person cancelled

export interface DataErrorDetails {
  file: string;
  row?: number;
  column?: string;
  /** Extra values the message mentions (expected and actual counts, the parser's detail, sizes). */
  params?: Record<string, string | number>;
}

/** An error about an input file. The message starts with the file's name. */
export class DataError extends CodedError<'DataError', DataErrorCode, DataErrorDetails> {
  constructor(code: DataErrorCode, details: DataErrorDetails, message: string) {
    super('DataError', code, details, `${details.file}: ${message}`);
  }
}

export type SerializedDataError = SerializedCodedError<'DataError', DataErrorCode, DataErrorDetails>;
