/**
 * A transform as a model's features (the Transform stage's fitted transform, issue 13). Nothing is learned
 * here: the transform was analyzed on the training split already, so fitting only checks that the table
 * holds the columns it reads with types it can read, and that it does not read the label. Encoding applies
 * it with core/transform's columnar apply over the table's rows; raw JSON rows (the predict panel, What-If)
 * go through reader.js's applyToRows, the very file an exported bundle ships, so the app and a consumer of
 * the bundle compute the same features.
 */
import { applyChunk } from '../../transform/apply';
import type { ChunkColumn, TransformChunk } from '../../transform/chunk';
import { featureLayout, type FittedTransform } from '../../transform/fitted';
import { TransformError } from '../../transform/errors';
import { applyToRows, findAbsentInput } from '../../transform/reader.js';
import { columnKind } from '../../transform/spec';
import { trainErrorWhy } from '../errors';
import { MISSING_BOOL, type ColumnTable, type FlatColumn } from './columns';
import { getColumn } from './readers';
import type { FeatureChoice, TransformFeatureStats } from './types';

type TransformChoice = Extract<FeatureChoice, { encoding: 'transform' }>;

/** Rows applied at a time: bounds the step columns applyChunk holds besides the output. */
const CHUNK_ROWS = 16_384;

/** The table's column for one of the transform's inputs, refused when its type reads as another kind. */
function inputColumn(table: ColumnTable, name: string, type: FittedTransform['columns'][number]['type']): FlatColumn {
  const col = getColumn(table, name);
  const expected = columnKind(type);
  const actual = columnKind(col.type);
  if (expected !== actual) {
    throw trainErrorWhy(
      'bad-encoding',
      'transform-type',
      { column: name, params: { type: col.type, expected: type } },
      `Column "${name}" is ${col.type}, but the transform was fitted on it as ${type}`,
    );
  }
  return col;
}

/** A column of the given rows as the transform core reads it (numbers with NaN, strings by dictionary). */
function chunkColumn(col: FlatColumn, rows: ArrayLike<number>, from: number, to: number): ChunkColumn {
  const n = to - from;
  switch (col.type) {
    case 'number':
    case 'integer':
    case 'datetime':
      return { kind: 'number', values: Float64Array.from({ length: n }, (_, i) => col.values[rows[from + i]!]!) };
    case 'boolean':
      return { kind: 'number', values: Float64Array.from({ length: n }, (_, i) => (col.values[rows[from + i]!] === MISSING_BOOL ? NaN : col.values[rows[from + i]!]!)) };
    case 'categorical':
      return { kind: 'string', dictionary: col.dictionary, indices: Int32Array.from({ length: n }, (_, i) => col.codes[rows[from + i]!]!) };
    case 'text':
      return { kind: 'string', values: Array.from({ length: n }, (_, i) => col.values[rows[from + i]!] ?? null) };
    case 'image':
      throw new Error('an image column reaches no transform'); // refused by inputColumn
  }
}

function countMissing(col: ChunkColumn): number {
  let missing = 0;
  if (col.kind === 'number') for (const v of col.values) missing += Number.isNaN(v) ? 1 : 0;
  else if ('dictionary' in col) for (const i of col.indices) missing += i < 0 ? 1 : 0;
  else for (const v of col.values) missing += v === null ? 1 : 0;
  return missing;
}

/**
 * Apply the transform to rows of a table, CHUNK_ROWS at a time, writing each row's features at
 * `x[row * rowSize + offset]`. Returns the missing values per input column over those rows.
 */
export function applyToTable(fitted: FittedTransform, table: ColumnTable, rows: ArrayLike<number>, x: Float32Array, rowSize: number, offset: number): Record<string, number> {
  const inputs = fitted.columns.map((c) => [c.name, inputColumn(table, c.name, c.type)] as const);
  const missing: Record<string, number> = Object.fromEntries(fitted.columns.map((c) => [c.name, 0]));
  const dim = fitted.features.dim;
  for (let from = 0; from < rows.length; from += CHUNK_ROWS) {
    const to = Math.min(rows.length, from + CHUNK_ROWS);
    const chunk: TransformChunk = { length: to - from, columns: {} };
    for (const [name, col] of inputs) {
      chunk.columns[name] = chunkColumn(col, rows, from, to);
      missing[name]! += countMissing(chunk.columns[name]);
    }
    const applied = applyChunk(fitted, chunk).features;
    if (rowSize === dim && offset === 0) x.set(applied, from * rowSize);
    else for (let r = 0; r < to - from; r++) x.set(applied.subarray(r * dim, (r + 1) * dim), (from + r) * rowSize + offset);
  }
  return missing;
}

/**
 * The features of raw rows ({ column: value }), as reader.js computes them for a bundle's consumer. A row
 * leaving out a column a step reads is refused as reader.js refuses it, here as a coded error.
 */
export function applyToRecords(fitted: FittedTransform, records: readonly Record<string, unknown>[]): Float32Array {
  const absent = findAbsentInput(fitted, records as Record<string, unknown>[]);
  if (absent) {
    const { row, column, step } = absent;
    throw new TransformError('absent-input', { row, column, step }, `Row ${row} has no "${column}", which step "${step}" reads; give null if its value is missing`);
  }
  return applyToRows(fitted, records as Record<string, unknown>[]).features;
}

/**
 * The transform with only the chosen output steps as outputs: its layout holds their slots, in the fitted
 * layout's order, so applyChunk, reader.js and an exported transform.json give exactly the model's input.
 * Every step is kept (an unchosen output still reads its columns, as the transform does). A name that is
 * not an output step is refused, naming it.
 */
export function withOutputs(fitted: FittedTransform, outputs: readonly string[], transform: string): FittedTransform {
  const available = fitted.features.layout.map((s) => s.name);
  const unknown = outputs.find((name) => !available.includes(name));
  if (unknown !== undefined) {
    const list = available.join(', ');
    throw trainErrorWhy('bad-encoding', 'transform-output', { column: unknown, params: { transform, outputs: list } }, `Transform ${transform} has no output step "${unknown}" (its outputs: ${list})`);
  }
  const chosen = new Set(outputs);
  const dropped = (name: string) => available.includes(name) && !chosen.has(name);
  const steps = fitted.steps.map((s) => (dropped(s.name) ? { ...s, output: false } : s));
  const spec = { ...fitted.spec, steps: fitted.spec.steps.map((s) => (dropped(s.name) ? { ...s, output: false } : s)) };
  return { ...fitted, spec, steps, features: featureLayout(steps) };
}

/**
 * The statistics of a transform feature: the table must hold every column the transform reads (with a
 * type of the same kind), the label must not be one of them, and the transform (with the chosen outputs
 * only, when the choice names some) must have outputs.
 */
export function fitTransformFeature(table: ColumnTable, choice: TransformChoice, label: string, trainRows: ArrayLike<number>): TransformFeatureStats {
  const fitted = choice.outputs ? withOutputs(choice.fitted, choice.outputs, choice.column) : choice.fitted;
  if (fitted.columns.some((c) => c.name === label)) {
    throw trainErrorWhy('bad-encoding', 'transform-reads-label', { column: label }, `The transform reads the label column "${label}": its features would give the answer away`);
  }
  if (fitted.features.dim === 0) throw trainErrorWhy('bad-encoding', 'transform-no-features', {}, 'The transform has no outputs to train on');
  const scratch = new Float32Array(trainRows.length * fitted.features.dim);
  const missing = applyToTable(fitted, table, trainRows, scratch, fitted.features.dim, 0);
  // rows with a missing input: counted per column, so a row missing two inputs counts twice (as for columns)
  const missingInTrain = Object.values(missing).reduce((a, b) => a + b, 0);
  const dim = fitted.features.dim;
  for (let i = 0; i < scratch.length; i++) {
    if (Number.isFinite(scratch[i]!)) continue;
    // a NaN input makes the loss NaN: the transform must say what a missing value becomes
    const row = trainRows[Math.floor(i / dim)]!;
    const output = fitted.features.layout.find((s) => i % dim >= s.offset && i % dim < s.offset + s.size)!.name;
    throw trainErrorWhy(
      'bad-encoding',
      'transform-not-finite',
      { column: output, row: row + 1, params: { value: String(scratch[i]), row: row + 1 } },
      `Transform output "${output}", row ${row + 1}: the value is ${scratch[i]}; fill missing inputs in the transform (fill_missing) before training on it`,
    );
  }
  return { column: choice.column, encoding: 'transform', offset: 0, slots: fitted.features.dim, missingInTrain, transform: { ...choice.transform }, fitted };
}
