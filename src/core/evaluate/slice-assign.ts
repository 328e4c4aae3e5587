/**
 * What a slice is and which rows fall in it: each value of a categorical column (the top N, the rest
 * folded into "other"), buckets of a numeric column, crosses of two columns; missing values get a slice
 * of their own. slices.ts evaluates the slices.
 */
import { EvalError, evalErrorWhy } from './errors';

export type CellValue = string | number | boolean | bigint | null | undefined;

/** How one column splits the rows. */
export type FeatureSlicing =
  | {
      column: string;
      kind: 'categorical';
      /** Keep the N most frequent values as their own slices and fold the rest into "other" (default 50). */
      topN?: number;
    }
  | {
      column: string;
      kind: 'numeric';
      /** Number of buckets (default 4). */
      buckets?: number;
      /** 'quantile' (default): about equal counts; 'equal-width': equal ranges between min and max. */
      method?: 'quantile' | 'equal-width';
      /** Explicit ascending cut points instead: buckets (-inf, c0), [c0, c1), ..., [c_last, +inf). */
      cuts?: number[];
    };

/** One column's slicing, or the cross of two. */
export type SliceSpec = FeatureSlicing | { cross: [FeatureSlicing, FeatureSlicing] };

export type SliceCondition =
  | { column: string; kind: 'value'; value: string | number | boolean }
  /** The values beyond the top N, folded together; `distinct` says how many. */
  | { column: string; kind: 'other'; distinct: number }
  | { column: string; kind: 'missing' }
  /** lo <= v < hi, or lo <= v <= hi for the last bucket (closed). */
  | { column: string; kind: 'range'; bucket: number; lo: number; hi: number; closed: boolean };

export const DEFAULT_TOP_N = 50;
export const DEFAULT_BUCKETS = 4;

/** Each row's slice (index into `slices`, -1 never happens: missing values get their own slice). */
export interface SliceAssignment {
  ids: Int32Array;
  slices: SliceCondition[][];
}

function isMissing(v: CellValue): boolean {
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
}

function plainValue(v: string | number | boolean | bigint): string | number | boolean {
  if (typeof v !== 'bigint') return v;
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : String(v);
}

function columnOf(columns: Record<string, ArrayLike<CellValue>> | undefined, name: string, n: number): ArrayLike<CellValue> {
  const values = columns?.[name];
  if (!values) throw new EvalError('missing-column', { column: name }, `No values were given for the slice column "${name}"`);
  if (values.length !== n) {
    throw new EvalError('length-mismatch', { column: name, params: { what: name, expected: n, actual: values.length } }, `Column "${name}" has ${values.length} values for ${n} rows`);
  }
  return values;
}

function assignCategorical(s: Extract<FeatureSlicing, { kind: 'categorical' }>, values: ArrayLike<CellValue>): SliceAssignment {
  const n = values.length;
  const topN = s.topN ?? DEFAULT_TOP_N;
  if (!Number.isInteger(topN) || topN < 1) throw evalErrorWhy('bad-option', 'top-n', { column: s.column, params: { topN } }, `topN must be a positive integer, got ${topN}`);
  const first = new Map<CellValue, number>();
  const raw = new Int32Array(n);
  const counts: number[] = [];
  const keys: CellValue[] = [];
  let missing = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (isMissing(v)) {
      raw[i] = -1;
      missing++;
      continue;
    }
    let id = first.get(v);
    if (id === undefined) {
      id = keys.length;
      first.set(v, id);
      keys.push(v);
      counts.push(0);
    }
    raw[i] = id;
    counts[id]!++;
  }
  // most frequent first; ties by value so the order does not depend on row order
  const order = keys.map((_, j) => j).sort((a, b) => counts[b]! - counts[a]! || compareValues(keys[a], keys[b]));
  const kept = Math.min(topN, order.length);
  const map = new Int32Array(keys.length);
  const slices: SliceCondition[][] = [];
  for (let r = 0; r < kept; r++) {
    map[order[r]!] = r;
    slices.push([{ column: s.column, kind: 'value', value: plainValue(keys[order[r]!] as string | number | boolean | bigint) }]);
  }
  const otherId = order.length > kept ? slices.length : -1;
  if (otherId >= 0) {
    for (let r = kept; r < order.length; r++) map[order[r]!] = otherId;
    slices.push([{ column: s.column, kind: 'other', distinct: order.length - kept }]);
  }
  const missingId = missing ? slices.length : -1;
  if (missing) slices.push([{ column: s.column, kind: 'missing' }]);
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) ids[i] = raw[i]! < 0 ? missingId : map[raw[i]!]!;
  return { ids, slices };
}

function compareValues(a: CellValue, b: CellValue): number {
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) return a < b ? -1 : a > b ? 1 : 0;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function toNumber(v: CellValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return NaN;
}

function assignNumeric(s: Extract<FeatureSlicing, { kind: 'numeric' }>, values: ArrayLike<CellValue>): SliceAssignment {
  const n = values.length;
  const x = new Float64Array(n);
  let min = Infinity;
  let max = -Infinity;
  let finite = 0;
  for (let i = 0; i < n; i++) {
    const v = toNumber(values[i]);
    x[i] = Number.isFinite(v) ? v : NaN;
    if (Number.isFinite(v)) {
      finite++;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  let cuts: number[];
  let lo0 = -Infinity;
  let hiLast = Infinity;
  if (s.cuts) {
    cuts = [...s.cuts];
    if (cuts.some((c, j) => !Number.isFinite(c) || (j > 0 && c <= cuts[j - 1]!))) {
      throw evalErrorWhy('bad-option', 'cut-points', { column: s.column }, 'Bucket cut points must be finite and strictly ascending');
    }
  } else {
    const k = s.buckets ?? DEFAULT_BUCKETS;
    if (!Number.isInteger(k) || k < 1) throw evalErrorWhy('bad-option', 'buckets', { column: s.column, params: { buckets: k } }, `Buckets must be a positive integer, got ${k}`);
    lo0 = min;
    hiLast = max;
    cuts = [];
    if (finite > 0) {
      if (s.method === 'equal-width') {
        for (let j = 1; j < k; j++) cuts.push(min + ((max - min) * j) / k);
      } else {
        const sorted = new Float64Array(finite);
        let at = 0;
        for (let i = 0; i < n; i++) if (!Number.isNaN(x[i]!)) sorted[at++] = x[i]!;
        sorted.sort();
        for (let j = 1; j < k; j++) cuts.push(sorted[Math.floor((j * finite) / k)]!);
      }
      // a cut at the minimum or repeated (heavy ties) would only make empty buckets
      cuts = cuts.filter((c, j) => c > min && c <= max && (j === 0 || c > cuts[j - 1]!));
    }
  }
  const nb = cuts.length + 1;
  const bucketCount = new Int32Array(nb);
  const raw = new Int32Array(n);
  let missing = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (Number.isNaN(v)) {
      raw[i] = -1;
      missing++;
      continue;
    }
    // bucket = number of cuts <= v
    let lo = 0;
    let hi = cuts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cuts[mid]! <= v) lo = mid + 1;
      else hi = mid;
    }
    raw[i] = lo;
    bucketCount[lo]!++;
  }
  // only buckets with rows become slices
  const map = new Int32Array(nb).fill(-1);
  const slices: SliceCondition[][] = [];
  for (let b = 0; b < nb; b++) {
    if (!bucketCount[b]) continue;
    map[b] = slices.length;
    const lo = b === 0 ? lo0 : cuts[b - 1]!;
    const hi = b === nb - 1 ? hiLast : cuts[b]!;
    slices.push([{ column: s.column, kind: 'range', bucket: b, lo, hi, closed: b === nb - 1 && Number.isFinite(hi) }]);
  }
  const missingId = missing ? slices.length : -1;
  if (missing) slices.push([{ column: s.column, kind: 'missing' }]);
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) ids[i] = raw[i]! < 0 ? missingId : map[raw[i]!]!;
  return { ids, slices };
}

function assignFeature(s: FeatureSlicing, columns: Record<string, ArrayLike<CellValue>> | undefined, n: number): SliceAssignment {
  const values = columnOf(columns, s.column, n);
  return s.kind === 'categorical' ? assignCategorical(s, values) : assignNumeric(s, values);
}

/** What columnValues needs of an Arrow Vector (structural, so this module does not load Arrow). */
export interface VectorLike {
  readonly length: number;
  readonly nullCount: number;
  get(index: number): unknown;
  toArray(): ArrayLike<unknown>;
}

/**
 * One plain value per row of an Arrow column, nulls as null. A Float64 column without nulls is returned
 * as its typed array (no copy); otherwise each value is read with get(), because toArray() leaves
 * arbitrary numbers where the nulls are and gives dictionary codes for categorical columns.
 */
export function columnValues(vector: VectorLike): ArrayLike<CellValue> {
  const raw = vector.nullCount === 0 ? vector.toArray() : null;
  if (raw instanceof Float64Array || raw instanceof Float32Array || raw instanceof Int32Array) return raw;
  const out: CellValue[] = new Array(vector.length);
  for (let i = 0; i < vector.length; i++) {
    const v = vector.get(i);
    out[i] = v === null || v === undefined ? null : v instanceof Date ? v.getTime() : (v as CellValue);
  }
  return out;
}

/** Which slice of `spec` each of the n rows falls in. Crosses keep only the combinations that occur. */
export function assignSlices(spec: SliceSpec, columns: Record<string, ArrayLike<CellValue>> | undefined, n: number): SliceAssignment {
  if (!('cross' in spec)) return assignFeature(spec, columns, n);
  const a = assignFeature(spec.cross[0], columns, n);
  const b = assignFeature(spec.cross[1], columns, n);
  const nb = b.slices.length;
  const combo = new Map<number, number>();
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const key = a.ids[i]! * nb + b.ids[i]!;
    let id = combo.get(key);
    if (id === undefined) combo.set(key, (id = combo.size));
    ids[i] = id;
  }
  // order the crossed slices as the first column's slices, then the second's
  const keys = [...combo.keys()].sort((x, y) => x - y);
  const remap = new Int32Array(keys.length);
  keys.forEach((key, r) => (remap[combo.get(key)!] = r));
  for (let i = 0; i < n; i++) ids[i] = remap[ids[i]!]!;
  const slices = keys.map((key) => [...a.slices[Math.floor(key / nb)]!, ...b.slices[key % nb]!]);
  return { ids, slices };
}
