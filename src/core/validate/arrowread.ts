/**
 * Direct reads of Arrow column buffers for the statistics and validation kernels: typed arrays, validity
 * bits and offsets, never Vector.get(i) (per-element access and dictionary decoding are slow).
 *
 * Arrow JS slicing rules this relies on (apache-arrow 21): a sliced Data keeps its `offset`; fixed-width
 * `values` and `valueOffsets` are already sliced (index i is row i), while the validity bitmap and Bool
 * value bits are not (bit offset + i is row i).
 */
import { DataType, type Data, type Vector } from 'apache-arrow';
import type { ColumnType } from '../data/types';
import { ValidateError, type ValidateErrorCode } from './errors';

/** Statistics asked of columns they cannot be computed on: a ValidateError naming the column. */
export function statsInputError(code: ValidateErrorCode, column: string, message: string, params?: Record<string, string>): ValidateError {
  return new ValidateError(code, params ? { column, params } : { column }, message);
}

export type Input = Vector | Data;

/** Data chunks of a Vector or a single Data. */
export function chunksOf(input: Input): readonly Data[] {
  return 'data' in input && Array.isArray((input as Vector).data) ? (input as Vector).data : [input as Data];
}

/**
 * Visit each chunk with the part of an ascending row selection that falls in it (indices re-based to the
 * chunk). sel = null means every row.
 */
export function forEachChunk(input: Input, rows: Int32Array | null, fn: (data: Data, sel: Int32Array | null) => void): void {
  const chunks = chunksOf(input);
  if (rows === null) {
    for (const d of chunks) fn(d, null);
    return;
  }
  if (chunks.length === 1) {
    fn(chunks[0]!, rows);
    return;
  }
  let start = 0;
  let r = 0;
  for (const d of chunks) {
    const end = start + d.length;
    let r2 = r;
    while (r2 < rows.length && rows[r2]! < end) r2++;
    if (r2 > r) {
      const sel = new Int32Array(r2 - r);
      for (let i = 0; i < sel.length; i++) sel[i] = rows[r + i]! - start;
      fn(d, sel);
    }
    r = r2;
    start = end;
  }
}

/** The validity bitmap, or null when no value is missing (then every row is valid). */
export function validityOf(data: Data): Uint8Array | null {
  return data.nullCount > 0 && data.nullBitmap && data.nullBitmap.length > 0 ? data.nullBitmap : null;
}

/** Numbers of rows (all rows, or the selection's length). */
export function rowsIn(data: Data, sel: Int32Array | null): number {
  return sel === null ? data.length : sel.length;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
let numericScratch = new Float64Array(0);

/** Milliseconds per unit of Arrow's TimeUnit (SECOND, MILLISECOND, MICROSECOND, NANOSECOND). */
const MS_PER_UNIT = [1000, 1, 1e-3, 1e-6];

function bigIntsToNumbers(src: BigInt64Array | BigUint64Array, n: number, scale: number, out: Float64Array): void {
  if (LITTLE_ENDIAN) {
    // 64-bit integers as (lo, hi) 32-bit words: far faster than Number(bigint) per element
    const w = new Int32Array(src.buffer, src.byteOffset, n * 2);
    const unsigned = src instanceof BigUint64Array;
    for (let i = 0; i < n; i++) {
      const hi = unsigned ? w[2 * i + 1]! >>> 0 : w[2 * i + 1]!;
      out[i] = (hi * 4294967296 + (w[2 * i]! >>> 0)) * scale;
    }
  } else {
    for (let i = 0; i < n; i++) out[i] = Number(src[i]!) * scale;
  }
}

/**
 * Values of a numeric-like chunk as a Float64Array where index i is row i. Float64 (our storage for
 * number and integer) is returned as is; timestamps and other integer types are converted into a scratch
 * buffer that the next call reuses, so use the result before reading another chunk.
 */
export function numbersOf(data: Data, column: string, logical: ColumnType): Float64Array {
  const t = data.type as DataType;
  const values = data.values as unknown;
  const n = data.length;
  if (values instanceof Float64Array) return values;
  if (DataType.isFloat(t) || DataType.isInt(t) || DataType.isTimestamp(t) || DataType.isDate(t)) {
    let scale = 1;
    if (DataType.isTimestamp(t)) scale = MS_PER_UNIT[t.unit] ?? 1;
    else if (DataType.isDate(t) && (t.unit as number) === 0) scale = 86_400_000;
    if (numericScratch.length < n) numericScratch = new Float64Array(Math.max(n, numericScratch.length * 2));
    const out = numericScratch;
    if (values instanceof BigInt64Array || values instanceof BigUint64Array) bigIntsToNumbers(values, n, scale, out);
    else if (ArrayBuffer.isView(values) && !(values instanceof DataView)) {
      const v = values as unknown as ArrayLike<number>;
      // Float16 is stored as raw Uint16 bits: refuse rather than misread
      if (DataType.isFloat(t) && (t.precision as number) === 0) throw typeError(column, logical, t);
      for (let i = 0; i < n; i++) out[i] = v[i]! * scale;
    } else throw typeError(column, logical, t);
    return out;
  }
  throw typeError(column, logical, t);
}

export function typeError(column: string, logical: ColumnType, t: DataType): ValidateError {
  return statsInputError(
    'type-mismatch',
    column,
    `column "${column}" is declared ${logical} but a batch stores it as Arrow ${String(t)}; a column must keep one type across a version`,
    { type: logical, arrow: String(t) },
  );
}

const decoder = new TextDecoder();

/** Decode bytes [start, end) as UTF-8; pure-ASCII short strings skip TextDecoder (its call cost dominates). */
export function utf8(bytes: Uint8Array, start: number, end: number): string {
  const len = end - start;
  if (len <= 24) {
    let s = '';
    for (let i = start; i < end; i++) {
      const b = bytes[i]!;
      if (b >= 0x80) return decoder.decode(bytes.subarray(start, end));
      s += String.fromCharCode(b);
    }
    return s;
  }
  return decoder.decode(bytes.subarray(start, end));
}

/** Unicode code points in UTF-8 bytes [start, end): every byte that is not a continuation byte. */
export function codePoints(bytes: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) if ((bytes[i]! & 0xc0) !== 0x80) n++;
  return n;
}

/** A Utf8 (or Binary) chunk's offsets and bytes; offsets[i]..offsets[i+1] are row i's bytes. */
export function stringParts(data: Data, column: string, logical: ColumnType): { offsets: Int32Array; bytes: Uint8Array } {
  const t = data.type as DataType;
  if (!(DataType.isUtf8(t) || DataType.isBinary(t))) throw typeError(column, logical, t);
  return { offsets: data.valueOffsets as Int32Array, bytes: (data.values as Uint8Array) ?? new Uint8Array(0) };
}

/**
 * A dictionary's strings, decoded lazily and at most once per entry. Handles dictionaries split over
 * several chunks (delta dictionaries) and null dictionary entries (read as missing).
 */
export class DictionaryStrings {
  readonly size: number;
  private readonly decoded: (string | null | undefined)[];
  private readonly parts: { start: number; offsets: Int32Array; bytes: Uint8Array; validity: Uint8Array | null; offset: number }[];

  constructor(dictionary: Vector, column: string, logical: ColumnType) {
    let start = 0;
    this.parts = dictionary.data.map((d) => {
      const { offsets, bytes } = stringParts(d, column, logical);
      const p = { start, offsets, bytes, validity: validityOf(d), offset: d.offset };
      start += d.length;
      return p;
    });
    this.size = start;
    this.decoded = new Array(start);
  }

  private part(k: number) {
    const parts = this.parts;
    if (parts.length === 1) return parts[0]!;
    let lo = 0;
    let hi = parts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (parts[mid]!.start <= k) lo = mid;
      else hi = mid - 1;
    }
    return parts[lo]!;
  }

  /** Entry k, or null when the entry itself is null or k is out of range. */
  get(k: number): string | null {
    if (k < 0 || k >= this.size) return null;
    const cached = this.decoded[k];
    if (cached !== undefined) return cached;
    const p = this.part(k);
    const i = k - p.start;
    let s: string | null = null;
    if (p.validity === null || (p.validity[(p.offset + i) >> 3]! >> ((p.offset + i) & 7)) & 1) {
      s = utf8(p.bytes, p.offsets[i]!, p.offsets[i + 1]!);
    }
    this.decoded[k] = s;
    return s;
  }

  /** Code points of entry k (0 for null entries) read from the bytes, without decoding. */
  length(k: number): number {
    const p = this.part(k);
    const i = k - p.start;
    return codePoints(p.bytes, p.offsets[i]!, p.offsets[i + 1]!);
  }
}

let indexScratch = new Int32Array(0);

/** Dictionary indices of a chunk as an Int32Array (converted from narrower index types into a scratch). */
export function indicesOf(data: Data): Int32Array {
  const v = data.values as unknown;
  if (v instanceof Int32Array) return v;
  const src = v as ArrayLike<number>;
  if (indexScratch.length < data.length) indexScratch = new Int32Array(Math.max(data.length, indexScratch.length * 2));
  for (let i = 0; i < data.length; i++) indexScratch[i] = src[i]!;
  return indexScratch;
}

/** Cache of decoded dictionaries: a Table built in one go shares one dictionary across its chunks. */
export class DictionaryCache {
  private vector: Vector | null = null;
  private strings: DictionaryStrings | null = null;

  get(data: Data, column: string, logical: ColumnType): DictionaryStrings {
    const dict = data.dictionary;
    if (!dict) throw statsInputError('no-dictionary', column, `column "${column}": dictionary-encoded chunk has no dictionary`);
    if (dict !== this.vector) {
      this.vector = dict;
      this.strings = new DictionaryStrings(dict, column, logical);
    }
    return this.strings!;
  }
}
