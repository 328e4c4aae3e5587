/** Test data for the validation tests: Arrow record batches with Pipette's physical types, and brute force. */
import {
  Field,
  RecordBatch,
  Schema,
  Struct,
  Table,
  makeData,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
  type Vector,
} from 'apache-arrow';
import type { ColumnType } from '../../../src/core/data/types';
import { arrowTypeFor } from '../../../src/core/data/arrow';

export type Cell = number | string | boolean | Uint8Array | null;

export interface TestColumn {
  name: string;
  type: ColumnType;
  values: Cell[];
}

// Every vector gets its own dictionary id, as Arrow's Dictionary does when none is given.
let nextDictionaryId = 1;


/** A whole column as one Arrow vector with the physical type of its logical type. */
export function vectorOf(c: TestColumn): Vector {
  return vectorFromArray(c.values as never[], arrowTypeFor(c.type, nextDictionaryId++) as never);
}

/**
 * Record batches of the given sizes (cycled until the rows run out), made by slicing whole-column vectors,
 * so batches have non-zero offsets into shared buffers and one shared dictionary, as slices do. With
 * ipc = true the batches go through an Arrow IPC round trip instead (offset 0, dictionaries per stream).
 */
export function makeBatches(columns: TestColumn[], sizes: number[] | number = 65_536, ipc = false): RecordBatch[] {
  const n = columns[0]?.values.length ?? 0;
  const vectors = columns.map(vectorOf);
  const fields = columns.map((c, i) => new Field(c.name, vectors[i]!.type, true, new Map([['pipette.type', c.type]])));
  const schema = new Schema(fields);
  const list = typeof sizes === 'number' ? [sizes] : sizes;
  const batches: RecordBatch[] = [];
  let start = 0;
  let k = 0;
  while (start < n) {
    const len = Math.min(list[k++ % list.length]!, n - start);
    const children = vectors.map((v) => v.slice(start, start + len).data[0]!);
    batches.push(new RecordBatch(schema, makeData({ type: new Struct(fields), length: len, nullCount: 0, children })));
    start += len;
  }
  if (!ipc) return batches;
  return batches.flatMap((b) => tableFromIPC(tableToIPC(new Table([b]))).batches);
}

/** mulberry32: small seeded generator for reproducible data. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- brute force ----

/** Mean as the sum of x/n (no overflow near ±1.8e308). */
export function bruteMean(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x / xs.length;
  return s;
}

/** Population standard deviation from the definition (Infinity when the squares overflow). */
export function bruteStd(xs: number[]): number {
  const m = bruteMean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return Math.sqrt(s / xs.length);
}

/** Type 7 quantile straight from the definition on a fully sorted copy. */
export function bruteQuantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = q * (s.length - 1);
  const lo = Math.floor(h);
  if (lo >= s.length - 1) return s[s.length - 1]!;
  const a = s[lo]!;
  const b = s[lo + 1]!;
  return a === b ? a : a + (h - lo) * (b - a);
}

/** Bin counts by comparison against the given edges: [e_i, e_i+1), the last bin closed. */
export function bruteHistogram(xs: number[], edges: number[]): number[] {
  const b = edges.length - 1;
  const counts = new Array<number>(b).fill(0);
  for (const x of xs) {
    for (let i = 0; i < b; i++) {
      const inBin = i === b - 1 ? x >= edges[i]! && x <= edges[i + 1]! : x >= edges[i]! && x < edges[i + 1]!;
      if (inBin) {
        counts[i]!++;
        break;
      }
    }
  }
  return counts;
}

export function closeTo(actual: number | null, expected: number, rel = 1e-9): boolean {
  if (actual === null) return false;
  return Math.abs(actual - expected) <= rel * Math.max(1, Math.abs(expected));
}

export function codePointCount(s: string): number {
  return [...s].length;
}
