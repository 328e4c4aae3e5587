/**
 * The rows the Transform stage reads, one record batch at a time (data worker; Node tests): the seeded
 * split the Train stage makes (same seed, fractions and label give the same training rows), the training
 * rows of each batch as a TransformChunk, and the applied steps as Arrow columns for the statistics.
 */
import type { NamedColumn } from '../core/data/arrow';
import type { ColumnType } from '../core/data/types';
import { TrainError } from '../core/model/errors';
import { tableFromBatches } from '../core/model/preprocess/columns';
import { labelValues } from '../core/model/preprocess/readers';
import { splitRows, type Split, type SplitFractions } from '../core/model/split';
import type { StepColumn } from '../core/transform/apply';
import type { ChunkColumn, TransformChunk } from '../core/transform/chunk';
import { chunkFromBatch } from '../core/transform/chunk-arrow';
import type { FittedStep, FittedTransform } from '../core/transform/fitted';
import { slotNames } from '../core/transform/fitted';
import type { DatasetVersion, PipetteDB } from '../store/db';
import type { StatsLeftOut } from '../store/transform-records';
import { versionBatches } from './version-batches';

/**
 * How the Train stage splits by this label column: a number column is a regression label (rows without
 * a value are left out, nothing is stratified), any other a class, stratified (train-presets' guessTask).
 */
export function labelTaskFor(type: ColumnType): 'classification' | 'regression' {
  return type === 'number' ? 'regression' : 'classification';
}

export interface SplitChoice {
  labelColumn: string | null;
  seed: number;
  fractions: SplitFractions;
}

/**
 * The Train stage's split of a version: the label read the way Train reads it (core/model/preprocess's
 * labelValues, one batch at a time), then splitRows with the same seed and fractions. Without a label
 * column, every row is split, unstratified.
 */
export async function splitOfVersion(db: PipetteDB, meta: DatasetVersion, choice: SplitChoice, signal?: AbortSignal, onRows?: (rows: number) => void): Promise<Split> {
  const { labelColumn, seed, fractions } = choice;
  if (labelColumn === null) return splitRows(meta.rowCount, { seed, fractions });
  const info = meta.columns.find((c) => c.name === labelColumn);
  if (!info) throw new TrainError('missing-column', { column: labelColumn }, `Column "${labelColumn}" is not in this dataset version`);
  const task = labelTaskFor(info.type);
  const labels: (string | number | null)[] = new Array(meta.rowCount);
  let at = 0;
  for await (const batch of versionBatches(db, meta, signal)) {
    const values = labelValues(tableFromBatches([batch], [labelColumn]), labelColumn, task);
    for (let i = 0; i < values.length; i++) labels[at + i] = values[i]!;
    at += values.length;
    onRows?.(at);
  }
  return splitRows(meta.rowCount, { seed, fractions, labels, stratify: task === 'classification' });
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
 * The training rows of a version, one chunk per record batch holding any (only the columns `names`).
 * `rows` are the split's training rows, ascending. Each call reads the version again: fitting makes
 * one pass per analyzer phase, and the statistics one more.
 */
export async function* trainingChunks(db: PipetteDB, meta: DatasetVersion, rows: Uint32Array, names: readonly string[], signal?: AbortSignal): AsyncGenerator<TransformChunk> {
  let offset = 0;
  let at = 0;
  for await (const batch of versionBatches(db, meta, signal)) {
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
