/**
 * Applying a fitted transform to a chunk of columns: the columnar twin of reader.js's applyToRows. Every
 * value goes through the same per-value mappers and feature writers of reader.js (the file shipped with
 * exported models), so training and serving cannot disagree; this file only adds the columnar plumbing:
 * typed arrays, and categorical columns mapped once per dictionary entry rather than once per row.
 */
import { chunkColumn, type ChunkColumn, type TransformChunk } from './chunk';
import type { FittedTransform } from './fitted';
import {
  arith,
  bucketIndex,
  crossIndex,
  crossKey,
  crossPart,
  fillMissing,
  hashBucket,
  ngrams,
  pcaProject,
  prepare,
  scale01,
  tfidfRow,
  tokenize,
  vocabularyIndex,
  writeIndex,
  writeIndices,
  writeSparse,
  zScore,
  type PreparedStep,
} from './reader.js';

/** One step's values over a chunk (raw columns are ChunkColumns). */
export type StepColumn =
  | ChunkColumn
  | { kind: 'tokens'; offsets: Int32Array; values: string[] }
  | { kind: 'index'; values: Int32Array; size: number }
  | { kind: 'indices'; offsets: Int32Array; values: Int32Array; size: number }
  | { kind: 'sparse'; offsets: Int32Array; indices: Int32Array; weights: Float64Array; size: number }
  | { kind: 'vector'; values: Float64Array; size: number };

type StringColumn = Extract<ChunkColumn, { kind: 'string' }>;
type NumberColumn = Extract<StepColumn, { kind: 'number' }>;
type TokensColumn = Extract<StepColumn, { kind: 'tokens' }>;
type IndicesColumn = Extract<StepColumn, { kind: 'indices' }>;

/** Map every row of a string column; a categorical column calls `map` once per dictionary entry. */
function mapStrings<T>(col: StringColumn, length: number, map: (s: string | null) => T, store: (row: number, v: T) => void): void {
  if ('dictionary' in col) {
    const mapped = col.dictionary.map(map);
    const missing = map(null);
    const idx = col.indices;
    for (let r = 0; r < length; r++) store(r, idx[r]! < 0 ? missing : mapped[idx[r]!]!);
  } else {
    for (let r = 0; r < length; r++) store(r, map(col.values[r] ?? null));
  }
}

function stringAt(col: StringColumn, r: number): string | null {
  if ('dictionary' in col) return col.indices[r]! < 0 ? null : col.dictionary[col.indices[r]!]!;
  return col.values[r] ?? null;
}


/** A string or tokens column to index or indices through a per-string mapper (vocabulary, hash). */
function indexStrings(col: StepColumn, length: number, size: number, map: (s: string | null) => number): StepColumn {
  if (col.kind === 'tokens') {
    const values = new Int32Array(col.values.length);
    for (let i = 0; i < values.length; i++) values[i] = map(col.values[i]!);
    return { kind: 'indices', offsets: col.offsets, values, size };
  }
  const values = new Int32Array(length);
  const strings = col as StringColumn;
  if ('dictionary' in strings) {
    // once per dictionary entry, then a typed lookup per row
    const mapped = Int32Array.from(strings.dictionary, (s) => map(s));
    const missing = map(null);
    const idx = strings.indices;
    for (let r = 0; r < length; r++) {
      const k = idx[r]!;
      values[r] = k < 0 ? missing : mapped[k]!;
    }
  } else {
    for (let r = 0; r < length; r++) values[r] = map(strings.values[r] ?? null);
  }
  return { kind: 'index', values, size };
}

/** Rows of token lists as one tokens column. */
function tokensColumn(rows: (r: number) => readonly string[], length: number): TokensColumn {
  const offsets = new Int32Array(length + 1);
  const values: string[] = [];
  for (let r = 0; r < length; r++) {
    for (const t of rows(r)) values.push(t);
    offsets[r + 1] = values.length;
  }
  return { kind: 'tokens', offsets, values };
}

function tfidfColumn(ps: PreparedStep, col: IndicesColumn, length: number): StepColumn {
  const offsets = new Int32Array(length + 1);
  const indices: number[] = [];
  const weights: number[] = [];
  for (let r = 0; r < length; r++) {
    const row = tfidfRow(ps, col.values, col.offsets[r]!, col.offsets[r + 1]!);
    for (let k = 0; k < row.indices.length; k++) {
      indices.push(row.indices[k]!);
      weights.push(row.weights[k]!);
    }
    offsets[r + 1] = indices.length;
  }
  return { kind: 'sparse', offsets, indices: Int32Array.from(indices), weights: Float64Array.from(weights), size: ps.size };
}

/** Row r of a feature-kind column written into out at `at` (the reader's writers). */
export function writeRow(col: StepColumn, r: number, out: Float32Array | Float64Array, at: number): void {
  switch (col.kind) {
    case 'number':
      out[at] = col.values[r]!;
      return;
    case 'index':
      writeIndex(out, at, col.size, col.values[r]!);
      return;
    case 'indices':
      writeIndices(out, at, col.size, col.values, col.offsets[r]!, col.offsets[r + 1]!);
      return;
    case 'sparse':
      writeSparse(out, at, col.size, col.indices, col.weights, col.offsets[r]!, col.offsets[r + 1]!);
      return;
    case 'vector':
      for (let j = 0; j < col.size; j++) out[at + j] = col.values[r * col.size + j]!;
      return;
    default:
      throw new Error(`a ${col.kind} column is not a feature`);
  }
}

/** Width of a feature-kind column when flattened. */
export function widthOf(col: StepColumn): number {
  return col.kind === 'number' ? 1 : 'size' in col ? col.size : 0;
}

function pcaColumn(ps: PreparedStep, inputs: StepColumn[], length: number): StepColumn {
  const out = new Float64Array(length * ps.size);
  const x = new Float64Array(ps.inputSize);
  for (let r = 0; r < length; r++) {
    x.fill(0);
    let at = 0;
    for (const col of inputs) {
      writeRow(col, r, x, at);
      at += widthOf(col);
    }
    pcaProject(ps, x, out, r * ps.size);
  }
  return { kind: 'vector', values: out, size: ps.size };
}

function operandColumn(ps: PreparedStep, which: 'left' | 'right', inputs: StepColumn[]): Float64Array | number {
  const o = ps[which];
  return o.from === 'input' ? (inputs[o.index] as NumberColumn).values : o.value;
}

function arithColumn(ps: PreparedStep, inputs: StepColumn[], length: number): StepColumn {
  const a = operandColumn(ps, 'left', inputs);
  const b = operandColumn(ps, 'right', inputs);
  const out = new Float64Array(length);
  const op = ps.arithOp;
  for (let r = 0; r < length; r++) out[r] = arith(op, typeof a === 'number' ? a : a[r]!, typeof b === 'number' ? b : b[r]!);
  return { kind: 'number', values: out };
}

function crossColumn(ps: PreparedStep, inputs: StepColumn[], length: number): StepColumn {
  const values = new Int32Array(length);
  const parts: (string | null)[] = new Array(inputs.length);
  for (let r = 0; r < length; r++) {
    inputs.forEach((col, i) => {
      parts[i] = col.kind === 'index' ? crossPart('index', col.values[r]!) : crossPart('string', stringAt(col as StringColumn, r));
    });
    values[r] = crossIndex(ps, crossKey(parts));
  }
  return { kind: 'index', values, size: ps.size };
}

/** One step's column over a chunk, from its inputs' columns. */
export function evaluateStep(ps: PreparedStep, inputs: StepColumn[], length: number): StepColumn {
  const a = inputs[0]!;
  switch (ps.op) {
    case 'z_score': {
      // a hot loop: the mapper and its state in locals (an imported binding may be a getter per call)
      const x = (a as NumberColumn).values;
      const values = new Float64Array(length);
      const [map, mean, std] = [zScore, ps.mean, ps.std];
      for (let r = 0; r < length; r++) values[r] = map(x[r]!, mean, std);
      return { kind: 'number', values };
    }
    case 'scale_0_1': {
      const x = (a as NumberColumn).values;
      const values = new Float64Array(length);
      const [map, min, max] = [scale01, ps.min, ps.max];
      for (let r = 0; r < length; r++) values[r] = map(x[r]!, min, max);
      return { kind: 'number', values };
    }
    case 'fill_missing': {
      const x = (a as NumberColumn).values;
      const values = new Float64Array(length);
      const [map, fill] = [fillMissing, ps.left.value];
      for (let r = 0; r < length; r++) values[r] = map(x[r]!, fill);
      return { kind: 'number', values };
    }
    case 'bucketize': {
      const values = new Int32Array(length);
      const x = (a as NumberColumn).values;
      const [map, boundaries] = [bucketIndex, ps.boundaries];
      for (let r = 0; r < length; r++) values[r] = map(x[r]!, boundaries);
      return { kind: 'index', values, size: ps.size };
    }
    case 'vocabulary':
      return indexStrings(a, length, ps.size, (s) => vocabularyIndex(ps, s));
    case 'hash_strings':
      return indexStrings(a, length, ps.size, (s) => hashBucket(s, ps.hashBuckets));
    case 'tokenize': {
      const rows: string[][] = new Array(length);
      mapStrings(a as StringColumn, length, (s) => tokenize(s, ps.split, ps.lowercase), (r, v) => (rows[r] = v));
      return tokensColumn((r) => rows[r]!, length);
    }
    case 'ngrams': {
      const t = a as TokensColumn;
      return tokensColumn((r) => ngrams(t.values, t.offsets[r]!, t.offsets[r + 1]!, ps.ngramMin, ps.ngramMax, ps.separator), length);
    }
    case 'tfidf':
      return tfidfColumn(ps, a as IndicesColumn, length);
    case 'cross':
      return crossColumn(ps, inputs, length);
    case 'pca':
      return pcaColumn(ps, inputs, length);
    case 'arith':
      return arithColumn(ps, inputs, length);
    default:
      throw new Error(`unknown operation ${ps.op}`);
  }
}

/**
 * The named columns and steps over a chunk, computing each step once from its inputs (steps are looked up
 * in `steps`, columns in the chunk).
 */
export function evaluateChunk(chunk: TransformChunk, steps: ReadonlyMap<string, PreparedStep>, names: Iterable<string>): Map<string, StepColumn> {
  const done = new Map<string, StepColumn>();
  const visit = (name: string): StepColumn => {
    const known = done.get(name);
    if (known) return known;
    const ps = steps.get(name);
    const col = ps ? evaluateStep(ps, ps.step.inputs.map(visit), chunk.length) : chunkColumn(chunk, name);
    done.set(name, col);
    return col;
  };
  for (const name of names) visit(name);
  return done;
}

export interface AppliedChunk {
  length: number;
  /** Every step's column (intermediate steps too, for previews), by step name. */
  columns: Map<string, StepColumn>;
  /** The model's input: length x dim float32 values, row-major. */
  features: Float32Array;
  dim: number;
}

/** Apply a fitted transform to one chunk: every step's column and the feature matrix. */
export function applyChunk(fitted: FittedTransform, chunk: TransformChunk): AppliedChunk {
  const prepared = prepare(fitted);
  const steps = new Map(prepared.steps.map((ps) => [ps.name, ps]));
  const all = evaluateChunk(chunk, steps, steps.keys());
  const columns = new Map([...steps.keys()].map((name) => [name, all.get(name)!]));
  const { dim } = prepared;
  const features = new Float32Array(chunk.length * dim);
  for (const slot of fitted.features.layout) {
    const col = columns.get(slot.name)!;
    if (col.kind === 'number') {
      const x = col.values;
      for (let r = 0, at = slot.offset; r < chunk.length; r++, at += dim) features[at] = x[r]!;
    } else {
      for (let r = 0; r < chunk.length; r++) writeRow(col, r, features, r * dim + slot.offset);
    }
  }
  return { length: chunk.length, columns, features, dim };
}
