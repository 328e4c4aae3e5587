/**
 * The rows the Transform stage reads and the statistics of what it gives, wherever the record batches
 * come from (the tab's IndexedDB, the command-line runner's Arrow file): the training rows of each batch as
 * a TransformChunk, and the applied steps as Arrow columns for the Validate stage's statistics.
 */
import type { RecordBatch } from 'apache-arrow';
import { buildBatch, type NamedColumn } from '../data/arrow';
import { StatsAccumulator, type DatasetStats } from '../validate/stats';
import { evaluateChunk, type StepColumn } from './apply';
import type { ChunkColumn, TransformChunk } from './chunk';
import { chunkFromBatch } from './chunk-arrow';
import { fitTransform } from './fit';
import type { FittedStep, FittedTransform } from './fitted';
import { checkSpec, type SpecColumn } from './check';
import { slotNames } from './fitted';
import { prepare } from './reader.js';
import type { TransformSpec, ValueKind } from './spec';

/**
 * A step the statistics of the transformed rows leave out: text and token steps are no feature of their
 * own, and a step of more slots (vocabulary counts, tfidf weights, a PCA vector) wider than the statistics'
 * limit would be one column per slot.
 */
export interface StatsLeftOut {
  step: string;
  kind: ValueKind;
  size: number;
  why: 'not-a-feature' | 'too-wide';
}

/** Rows `rows` (ascending, within the chunk) of a chunk. */
export function takeRows(chunk: TransformChunk, rows: Uint32Array): TransformChunk {
  const columns: Record<string, ChunkColumn> = {};
  const n = rows.length;
  // plain loops: TypedArray.from with a mapping function is several times slower in V8
  for (const [name, col] of Object.entries(chunk.columns)) {
    if (col.kind === 'number') {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = col.values[rows[i]!]!;
      columns[name] = { kind: 'number', values };
    } else if ('dictionary' in col) {
      const indices = new Int32Array(n);
      for (let i = 0; i < n; i++) indices[i] = col.indices[rows[i]!]!;
      columns[name] = { kind: 'string', dictionary: col.dictionary, indices };
    } else {
      const values = new Array<string | null>(n);
      for (let i = 0; i < n; i++) values[i] = col.values[rows[i]!] ?? null;
      columns[name] = { kind: 'string', values };
    }
  }
  return { length: n, columns };
}

/**
 * The training rows of a table, one chunk per record batch holding any (only the columns `names`).
 * `rows` are the split's training rows, ascending, counted over the batches in order.
 */
export async function* trainingChunksOf(batches: AsyncIterable<RecordBatch>, rows: Uint32Array, names: readonly string[]): AsyncGenerator<TransformChunk> {
  let offset = 0;
  let at = 0;
  for await (const batch of batches) {
    const n = batch.numRows;
    let end = at;
    while (end < rows.length && rows[end]! < offset + n) end++;
    const local = rows.subarray(at, end).map((r) => r - offset);
    at = end;
    offset += n;
    if (local.length === 0) continue;
    const chunk = chunkFromBatch(batch, names);
    yield local.length === n ? chunk : takeRows(chunk, local);
  }
}

/** Steps of several slots get one statistics column per slot up to this width. */
export const MAX_STATS_SLOTS = 16;

export interface StatsColumnPlan {
  /** The statistics columns (Arrow number or integer columns). */
  columns: { name: string; type: 'number' | 'integer' }[];
  /** Per step (by name): the first column and how many. */
  steps: Map<string, { first: number; count: number }>;
  leftOut: StatsLeftOut[];
}

/** A name per slot of every step (not only outputs): "s=hello" for a vocabulary entry, else "pca[0]". */
function stepSlotNames(fitted: FittedTransform, step: FittedStep): string[] {
  const alone: FittedTransform = { ...fitted, features: { dim: step.size, layout: [{ name: step.name, kind: step.kind, offset: 0, size: step.size }] } };
  return slotNames(alone);
}

/** Which columns the statistics of the transformed rows have (see TransformRecord.stats). */
export function statsColumns(fitted: FittedTransform): StatsColumnPlan {
  const plan: StatsColumnPlan = { columns: [], steps: new Map(), leftOut: [] };
  for (const step of fitted.steps) {
    const first = plan.columns.length;
    if (step.kind === 'number') plan.columns.push({ name: step.name, type: 'number' });
    else if (step.kind === 'index') plan.columns.push({ name: step.name, type: 'integer' });
    else if (step.kind === 'string' || step.kind === 'tokens') {
      plan.leftOut.push({ step: step.name, kind: step.kind, size: step.size, why: 'not-a-feature' });
      continue;
    } else if (step.size > MAX_STATS_SLOTS) {
      plan.leftOut.push({ step: step.name, kind: step.kind, size: step.size, why: 'too-wide' });
      continue;
    } else {
      for (const name of stepSlotNames(fitted, step)) plan.columns.push({ name, type: step.kind === 'indices' ? 'integer' : 'number' });
    }
    plan.steps.set(step.name, { first, count: plan.columns.length - first });
  }
  return plan;
}

function bitmap(length: number): Uint8Array {
  return new Uint8Array((length + 7) >> 3);
}

/** A step's column as Arrow columns (one per slot): NaN and an index of -1 are missing. */
function slotColumns(col: StepColumn, length: number, count: number): { values: Float64Array; validity: Uint8Array }[] {
  const out = Array.from({ length: count }, () => ({ values: new Float64Array(length), validity: bitmap(length) }));
  const set = (slot: number, r: number, x: number) => {
    const o = out[slot]!;
    o.values[r] = x;
    o.validity[r >> 3]! |= 1 << (r & 7);
  };
  for (let r = 0; r < length; r++) {
    switch (col.kind) {
      case 'number': {
        const x = col.values[r]!;
        if (!Number.isNaN(x)) set(0, r, x);
        break;
      }
      case 'index': {
        const k = col.values[r]!;
        if (k >= 0) set(0, r, k);
        break;
      }
      case 'indices': {
        for (let s = 0; s < count; s++) set(s, r, 0);
        for (let j = col.offsets[r]!; j < col.offsets[r + 1]!; j++) {
          const k = col.values[j]!;
          if (k >= 0 && k < count) out[k]!.values[r]!++;
        }
        break;
      }
      case 'sparse': {
        for (let s = 0; s < count; s++) set(s, r, 0);
        for (let j = col.offsets[r]!; j < col.offsets[r + 1]!; j++) out[col.indices[j]!]!.values[r]! += col.weights[j]!;
        break;
      }
      case 'vector':
        for (let s = 0; s < count; s++) set(s, r, col.values[r * col.size + s]!);
        break;
      default:
        break;
    }
  }
  return out;
}

/** The applied steps of a chunk as the statistics' Arrow columns, in the plan's order. */
export function statsBatchColumns(plan: StatsColumnPlan, steps: ReadonlyMap<string, StepColumn>, length: number): NamedColumn[] {
  const columns: NamedColumn[] = [];
  for (const [name, { first, count }] of plan.steps) {
    slotColumns(steps.get(name)!, length, count).forEach((c, i) => {
      const spec = plan.columns[first + i]!;
      columns.push({ name: spec.name, values: { type: spec.type, values: c.values, validity: c.validity } });
    });
  }
  return columns;
}

/** Where the statistics pass is: rows of the training rows done. */
export type OnStatsRows = (rows: number, totalRows: number) => void;

/**
 * The statistics of the transformed training rows: one pass, each chunk's steps evaluated (not the
 * feature matrix, which a wide step would make large) and fed to the Validate stage's accumulator.
 */
export async function transformedStats(chunks: AsyncIterable<TransformChunk>, fitted: FittedTransform, totalRows: number, onRows?: OnStatsRows): Promise<{ stats: DatasetStats; leftOut: StatsLeftOut[] }> {
  const plan = statsColumns(fitted);
  const acc = new StatsAccumulator(plan.columns, { expectedRows: totalRows });
  const steps = new Map(prepare(fitted).steps.map((ps) => [ps.name, ps]));
  const wanted = [...plan.steps.keys()];
  let rows = 0;
  onRows?.(rows, totalRows);
  for await (const chunk of chunks) {
    const columns = evaluateChunk(chunk, steps, wanted);
    acc.add(buildBatch(statsBatchColumns(plan, columns, chunk.length), chunk.length));
    rows += chunk.length;
    onRows?.(rows, totalRows);
  }
  return { stats: acc.finish(), leftOut: plan.leftOut };
}

/** A phase of the analyze: an analyzer pass (1-based, of passes) or the statistics pass (pass 0). */
export interface AnalyzeRowsProgress {
  phase: 'fit' | 'stats';
  pass: number;
  passes: number;
  rows: number;
  totalRows: number;
}

export interface AnalyzedRows {
  fitted: FittedTransform;
  stats: DatasetStats;
  leftOut: StatsLeftOut[];
  /** Seconds of the analyzer passes and of the statistics pass. */
  seconds: { fit: number; stats: number };
}

/**
 * tf.Transform's analyze phase on a split's training rows: the analyzers fitted one record batch at a time
 * (`batches()` is read once per analyzer pass), then one more pass for the statistics of the transformed
 * rows. The spec is checked by the caller first, before any row is read.
 */
export async function analyzeTrainingRows(
  spec: TransformSpec | unknown,
  columns: readonly SpecColumn[],
  train: Uint32Array,
  batches: () => AsyncIterable<RecordBatch>,
  options: { signal?: AbortSignal; onProgress?: (p: AnalyzeRowsProgress) => void } = {},
): Promise<AnalyzedRows> {
  const { signal, onProgress } = options;
  // only the columns the steps read
  const names = checkSpec(spec, columns).columns.map((c) => c.name);
  const totalRows = train.length;
  const started = performance.now();
  const fitted = await fitTransform(spec, columns, () => trainingChunksOf(batches(), train, names), {
    signal,
    rowCount: totalRows,
    onProgress: (p) => onProgress?.({ phase: 'fit', pass: p.pass, passes: p.passes, rows: p.rows, totalRows }),
  });
  const fitDone = performance.now();
  const chunks = trainingChunksOf(batches(), train, fitted.columns.map((c) => c.name));
  const { stats, leftOut } = await transformedStats(chunks, fitted, totalRows, (rows) => onProgress?.({ phase: 'stats', pass: 0, passes: 0, rows, totalRows }));
  return { fitted, stats, leftOut, seconds: { fit: (fitDone - started) / 1000, stats: (performance.now() - fitDone) / 1000 } };
}
