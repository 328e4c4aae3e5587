/**
 * JSON and NDJSON import.
 *
 * JSON (parsed whole, so memory grows with the file) may be:
 *   - an array of objects: [{"a": 1}, {"a": 2, "b": "x"}]
 *   - an object with the array under "data": {"data": [...]}, and pandas' split orientation
 *     {"columns": ["a", "b"], "data": [[1, "x"], [2, "y"]]}
 *   - an object of equal-length column arrays: {"a": [1, 2], "b": ["x", "y"]}
 * NDJSON (streamed, two passes: keys and types first, then the batches) is one object per line; blank
 * lines are skipped, and errors name the 1-based line.
 * The columns are the union of keys over all rows, in first-seen order; a missing key is a missing value.
 * Types follow infer.ts (ValueTypeTracker); nested objects and arrays become JSON text.
 */
import { BatchEmitter, batchRowsOf, TableBuilder, throwIfCancelled } from './batcher';
import { DataError } from './errors';
import { parseDateTimeToken, ValueTypeTracker, valueToText } from './infer';
import { decodeStream, findInvalidUtf8, readAll, Utf8Error } from './io';
import type { BatchSink, ColumnType, ImportOptions, ImportSource, ImportSummary } from './types';

type Row = Record<string, unknown>;

function isRow(v: unknown): v is Row {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value stored for `v` in a column of `type` (infer.ts decided the type, so `v` fits it). */
export function canonicalValue(v: unknown, type: ColumnType): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'datetime':
      return parseDateTimeToken(v as string);
    case 'categorical':
    case 'text':
      return valueToText(v);
    default:
      return v;
  }
}

/** A JSON value as rows: an accessor for row i, or a reason why it is not a table. */
export interface JsonTable {
  length: number;
  row(i: number): Row;
}

/** Interpret parsed JSON as a table, or throw 'json-not-table' / 'empty-file'. */
export function jsonTable(value: unknown, file: string): JsonTable {
  const notTable = (why: string, row?: number) =>
    new DataError('json-not-table', { file, row, params: { detail: why } }, `the JSON is not a table: ${why}`);
  const rowsOf = (arr: unknown[]): JsonTable => {
    const bad = arr.findIndex((r) => !isRow(r));
    if (bad >= 0) throw notTable(`element ${bad + 1} of the array is not an object`, bad + 1);
    return { length: arr.length, row: (i) => arr[i] as Row };
  };
  let table: JsonTable | null = null;
  if (Array.isArray(value)) table = rowsOf(value);
  else if (isRow(value)) {
    const data = value['data'];
    const columns = value['columns'];
    if (Array.isArray(data) && Array.isArray(columns) && data.every(Array.isArray) && columns.every((c) => typeof c === 'string')) {
      // pandas orient="split"
      const names = columns as string[];
      const arrays = data as unknown[][];
      const bad = arrays.findIndex((r) => r.length !== names.length);
      if (bad >= 0) throw notTable(`row ${bad + 1} of "data" has ${arrays[bad]!.length} values for ${names.length} columns`, bad + 1);
      table = {
        length: arrays.length,
        row: (i) => Object.fromEntries(names.map((n, j) => [n, arrays[i]![j]])),
      };
    } else if (Array.isArray(data)) table = rowsOf(data);
    else {
      const keys = Object.keys(value);
      const arrays = keys.map((k) => value[k]);
      if (keys.length > 0 && arrays.every(Array.isArray)) {
        const n = (arrays[0] as unknown[]).length;
        if (!arrays.every((a) => (a as unknown[]).length === n)) throw notTable('the column arrays have different lengths');
        table = { length: n, row: (i) => Object.fromEntries(keys.map((k, j) => [k, (arrays[j] as unknown[])[i]])) };
      }
    }
  }
  if (!table) throw notTable('expected an array of objects, {"data": [...]}, or an object of column arrays');
  if (table.length === 0) throw new DataError('empty-file', { file }, 'the JSON table has no rows');
  return table;
}

function notUtf8(file: string, bytes: Uint8Array): DataError {
  const at = findInvalidUtf8(bytes, false);
  let row = 1;
  for (let i = 0; i < at; i++) if (bytes[i] === 10) row++;
  return new DataError('not-utf8', { file, row }, `not valid UTF-8 near line ${row}`);
}

/** Columns in first-seen key order, and each column's type. */
class Schema {
  readonly names: string[] = [];
  private index = new Map<string, number>();
  private trackers: ValueTypeTracker[] = [];

  add(row: Row): void {
    for (const k of Object.keys(row)) {
      let j = this.index.get(k);
      if (j === undefined) {
        j = this.names.length;
        this.index.set(k, j);
        this.names.push(k);
        this.trackers.push(new ValueTypeTracker());
      }
      this.trackers[j]!.add(row[k]);
    }
  }

  columns(): { name: string; type: ColumnType }[] {
    return this.names.map((name, j) => ({ name, type: this.trackers[j]!.type() }));
  }
}

async function writeRows(
  table: { length: number; row(i: number): Row },
  columns: { name: string; type: ColumnType }[],
  builder: TableBuilder,
  opts: ImportOptions,
  file: string,
  bytes: number,
): Promise<void> {
  for (let i = 0; i < table.length; i++) {
    const r = table.row(i);
    for (let j = 0; j < columns.length; j++) builder.set(j, canonicalValue(r[columns[j]!.name], columns[j]!.type));
    if (builder.endRow()) {
      throwIfCancelled(opts.signal, file);
      await builder.flush(bytes);
    }
  }
}

export async function importJson(source: ImportSource, sink: BatchSink, opts: ImportOptions = {}): Promise<ImportSummary> {
  const file = source.name;
  if (source.size === 0) throw new DataError('empty-file', { file }, 'the file is empty (0 bytes)');
  const bytes = await readAll(source);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw notUtf8(file, bytes);
  }
  if (text.trim() === '') throw new DataError('empty-file', { file }, 'the file is empty');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const detail = (e as Error).message;
    throw new DataError('bad-json', { file, params: { detail } }, `not valid JSON: ${detail}`);
  }
  throwIfCancelled(opts.signal, file);
  const table = jsonTable(value, file);
  const schema = new Schema();
  for (let i = 0; i < table.length; i++) schema.add(table.row(i));
  const columns = schema.columns();
  if (columns.length === 0) throw new DataError('no-columns', { file }, 'the rows have no keys');
  const emitter = new BatchEmitter(sink, opts, file, source.size);
  const builder = new TableBuilder(columns, emitter, batchRowsOf(opts));
  await writeRows(table, columns, builder, opts, file, source.size);
  await builder.flush(source.size);
  return emitter.summary('json', []);
}

/** Each non-blank line of an NDJSON source as a parsed object, with its 1-based line number. */
async function* ndjsonRows(source: ImportSource, opts: ImportOptions): AsyncGenerator<{ row: Row; line: number; bytes: number }> {
  const file = source.name;
  let carry = '';
  let line = 0;
  const parse = (text: string, at: number): Row | null => {
    const s = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (s.trim() === '') return null;
    let v: unknown;
    try {
      v = JSON.parse(s);
    } catch (e) {
      const detail = (e as Error).message;
      throw new DataError('bad-json', { file, row: at, params: { detail } }, `line ${at} is not valid JSON: ${detail}`);
    }
    if (!isRow(v)) throw new DataError('json-not-table', { file, row: at, params: { detail: 'not an object' } }, `line ${at} is not a JSON object`);
    return v;
  };
  let bytes = 0;
  try {
    for await (const chunk of decodeStream(source)) {
      throwIfCancelled(opts.signal, file);
      bytes = chunk.bytes;
      const text = carry + chunk.text;
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        line++;
        const row = parse(text.slice(start, nl), line);
        if (row) yield { row, line, bytes };
        start = nl + 1;
      }
      carry = text.slice(start);
    }
  } catch (e) {
    if (e instanceof Utf8Error) {
      const row = line + 1 + e.newlines;
      throw new DataError('not-utf8', { file, row }, `not valid UTF-8 near line ${row}`);
    }
    throw e;
  }
  line++;
  const last = parse(carry, line);
  if (last) yield { row: last, line, bytes };
}

export async function importNdjson(source: ImportSource, sink: BatchSink, opts: ImportOptions = {}): Promise<ImportSummary> {
  const file = source.name;
  if (source.size === 0) throw new DataError('empty-file', { file }, 'the file is empty (0 bytes)');
  // pass 1: the union of keys and the types, so that every batch has every column
  const schema = new Schema();
  let count = 0;
  for await (const { row } of ndjsonRows(source, opts)) {
    schema.add(row);
    count++;
  }
  if (count === 0) throw new DataError('empty-file', { file }, 'the file has no JSON lines');
  const columns = schema.columns();
  if (columns.length === 0) throw new DataError('no-columns', { file }, 'the objects have no keys');
  // pass 2: the batches
  const emitter = new BatchEmitter(sink, opts, file, source.size);
  const builder = new TableBuilder(columns, emitter, batchRowsOf(opts));
  let bytes = 0;
  for await (const { row, bytes: b } of ndjsonRows(source, opts)) {
    bytes = b;
    for (let j = 0; j < columns.length; j++) builder.set(j, canonicalValue(row[columns[j]!.name], columns[j]!.type));
    if (builder.endRow()) await builder.flush(bytes);
  }
  await builder.flush(source.size);
  return emitter.summary('ndjson', []);
}
