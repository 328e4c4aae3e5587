/**
 * String cells -> typed column values, the hot loop of the CSV import: one tight loop per type straight
 * from the parser's rows into preallocated arrays (no per-cell objects, and the cell strings die young,
 * which keeps the garbage collector cheap). A cell that does not fit stops the loop and names its row.
 */
import type { ColumnValues } from './arrow';
import { isMissingToken, parseBooleanToken, parseDateTimeToken, parseIntegerToken, parseNumberToken, widenFor } from './infer';
import type { ColumnType } from './types';

/** One column of the batch being built, reused from batch to batch (encoding copies the data out). */
export class CellColumn {
  private f64: Float64Array;
  private u8: Uint8Array;
  private i32: Int32Array;
  private strings: (string | null)[] = [];
  private validity: Uint8Array;
  private nulls = 0;
  private dict = new Map<string, number>();

  constructor(
    readonly type: ColumnType,
    capacity: number,
  ) {
    const numeric = type === 'number' || type === 'integer' || type === 'datetime';
    this.f64 = new Float64Array(numeric ? capacity : 0);
    this.u8 = new Uint8Array(type === 'boolean' ? capacity : 0);
    this.i32 = new Int32Array(type === 'categorical' ? capacity : 0);
    this.validity = new Uint8Array((capacity + 7) >> 3).fill(0xff);
  }

  private missing(at: number): void {
    this.validity[at >> 3]! &= ~(1 << (at & 7));
    this.nulls++;
  }

  /**
   * Convert column j of rows[from..to) into slots at, at+1, ... Returns -1, or the index in `rows` of
   * the first cell that does not fit this column's type.
   */
  append(rows: readonly string[][], j: number, from: number, to: number, at: number): number {
    switch (this.type) {
      case 'number':
      case 'integer':
      case 'datetime': {
        const parse = this.type === 'number' ? parseNumberToken : this.type === 'integer' ? parseIntegerToken : parseDateTimeToken;
        const out = this.f64;
        for (let i = from; i < to; i++, at++) {
          const s = rows[i]![j]!;
          const x = parse(s);
          if (x === x) out[at] = x;
          else if (isMissingToken(s)) {
            out[at] = NaN;
            this.missing(at);
          } else return i;
        }
        return -1;
      }
      case 'boolean': {
        const out = this.u8;
        for (let i = from; i < to; i++, at++) {
          const s = rows[i]![j]!;
          const b = parseBooleanToken(s);
          if (b >= 0) out[at] = b;
          else if (isMissingToken(s)) {
            out[at] = 0;
            this.missing(at);
          } else return i;
        }
        return -1;
      }
      case 'categorical': {
        const out = this.i32;
        const dict = this.dict;
        for (let i = from; i < to; i++, at++) {
          const s = rows[i]![j]!;
          if (isMissingToken(s)) {
            out[at] = 0;
            this.missing(at);
            continue;
          }
          let k = dict.get(s);
          if (k === undefined) {
            k = dict.size;
            dict.set(s, k);
          }
          out[at] = k;
        }
        return -1;
      }
      case 'text': {
        const out = this.strings;
        for (let i = from; i < to; i++, at++) {
          const s = rows[i]![j]!;
          out[at] = isMissingToken(s) ? null : s;
        }
        return -1;
      }
      case 'image':
        return from < to ? from : -1;
    }
  }

  /** Raw strings of a text column so far (missing as null), for late type inference. */
  textValues(): readonly (string | null)[] {
    return this.strings;
  }

  /** The first n slots as ColumnValues (views on the reused arrays: encode before the next batch). */
  take(n: number): ColumnValues {
    const validity = this.nulls > 0 ? this.validity : null;
    switch (this.type) {
      case 'number':
      case 'integer':
      case 'datetime':
        return { type: this.type, values: this.f64.subarray(0, n), validity };
      case 'boolean':
        return { type: 'boolean', values: this.u8.subarray(0, n), validity };
      case 'categorical':
        return { type: 'categorical', indices: this.i32.subarray(0, n), dictionary: [...this.dict.keys()], validity };
      case 'text':
        return { type: 'text', values: this.strings.length === n ? this.strings : this.strings.slice(0, n) };
      case 'image':
        return { type: 'image', values: [] };
    }
  }

  /** Empty again for the next batch. */
  clear(): void {
    if (this.nulls > 0) this.validity.fill(0xff);
    this.nulls = 0;
    this.dict = new Map();
    this.strings = [];
  }
}

/** Widen `type` until every cell of column j in rows[from..to) fits; returns the final type. */
export function widenToFit(rows: readonly string[][], j: number, from: number, to: number, type: ColumnType): ColumnType {
  let t = type;
  for (let i = from; i < to && t !== 'text' && t !== 'categorical'; i++) t = widenFor(t, rows[i]![j]!);
  return t;
}
