/**
 * The input every feature-selection method shares: a numeric design matrix (one row per example, one
 * column per encoded slot), the features as the person sees them (a source column and its matrix columns,
 * so the one-hot columns of one categorical are kept or dropped together), the target, and the train and
 * validation rows. `prepareSelection` checks it once and gathers the train and validation rows into
 * contiguous Float64 matrices that every method reads; filters look at the train rows only, and models
 * are trained on the train rows and scored on the validation rows.
 */
import type { FeatureGroup } from '../evaluate/explain';
import { SelectError, type LengthWhat } from './errors';

export type { FeatureGroup };

/** n x d values, row-major. Float32 (what the app's encoder writes) is read as is. */
export type Matrix = Float64Array | Float32Array;

export type SelectTarget =
  /** Class indices 0..classes.length - 1. */
  | { kind: 'classification'; y: ArrayLike<number>; classes: readonly string[] }
  | { kind: 'regression'; y: ArrayLike<number> };

export type Task = SelectTarget['kind'];

export interface SelectionData {
  x: Matrix;
  rows: number;
  cols: number;
  /** One name per matrix column (e.g. "island=Biscoe"). */
  columnNames: readonly string[];
  /**
   * The features: each a name and the matrix columns it owns. Default: one feature per matrix column.
   * A column in no group is not used at all; a column in two groups is refused.
   */
  groups?: readonly FeatureGroup[];
  target: SelectTarget;
  /** Row indices the methods learn from. */
  train: ArrayLike<number>;
  /** Row indices the models are scored on (sequential selection, L1 strength, permutation, the table). */
  validation: ArrayLike<number>;
}

/** One part of the rows, gathered: n rows of the full matrix width, and their targets. */
export interface Part {
  rows: Uint32Array;
  x: Float64Array;
  n: number;
  /** Class indices (classification) or values (regression). */
  y: Float64Array;
}

export interface PreparedSelection {
  task: Task;
  /** Matrix width. */
  d: number;
  columnNames: readonly string[];
  features: readonly FeatureGroup[];
  /** Number of classes (0 for regression). */
  classes: number;
  classNames: readonly string[];
  train: Part;
  validation: Part;
}

/** Check the input and gather its two parts; throws a SelectError naming what is wrong. */
export function prepareSelection(data: SelectionData): PreparedSelection {
  const { x, rows, cols, target } = data;
  if (x.length !== rows * cols) lengthMismatch('values', rows * cols, x.length);
  if (data.columnNames.length !== cols) lengthMismatch('column-names', cols, data.columnNames.length);
  if (target.y.length !== rows) lengthMismatch('target', rows, target.y.length);
  const features = data.groups ? checkGroups(data.groups, cols) : data.columnNames.map((name, j) => ({ name, columns: [j] }));
  if (features.length === 0) throw new SelectError('no-features', {}, 'There are no features to select from');
  const classes = target.kind === 'classification' ? target.classes.length : 0;
  const train = gather(data, 'train', data.train, classes);
  const validation = gather(data, 'validation', data.validation, classes);
  if (target.kind === 'classification') {
    const first = train.y[0]!;
    if (train.y.every((c) => c === first)) {
      throw new SelectError('one-class', { params: { class: target.classes[first] ?? first } }, `The train rows hold only the class "${target.classes[first]}"`);
    }
  }
  return {
    task: target.kind,
    d: cols,
    columnNames: data.columnNames,
    features,
    classes,
    classNames: target.kind === 'classification' ? target.classes : [],
    train,
    validation,
  };
}

function lengthMismatch(what: LengthWhat, expected: number, actual: number): never {
  throw new SelectError('length-mismatch', { params: { what, expected, actual } }, `Expected ${expected} ${what.replace('-', ' ')}, got ${actual}`);
}

function checkGroups(groups: readonly FeatureGroup[], cols: number): FeatureGroup[] {
  const owner = new Int32Array(cols).fill(-1);
  groups.forEach((g, f) => {
    const bad = g.columns.length === 0 ? -1 : g.columns.find((c) => !Number.isInteger(c) || c < 0 || c >= cols || owner[c] !== -1);
    if (bad !== undefined) {
      throw new SelectError('bad-group', { column: g.name, params: { last: cols - 1 } }, `Feature "${g.name}" must name matrix columns between 0 and ${cols - 1}, each in one feature only`);
    }
    for (const c of g.columns) owner[c] = f;
  });
  return groups.map((g) => ({ name: g.name, columns: [...g.columns] }));
}

function gather(data: SelectionData, part: 'train' | 'validation', indices: ArrayLike<number>, classes: number): Part {
  const n = indices.length;
  if (n === 0) throw new SelectError('no-rows', { params: { part } }, `There are no ${part} rows`);
  const d = data.cols;
  const rows = new Uint32Array(n);
  const x = new Float64Array(n * d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = indices[i]!;
    if (!Number.isInteger(r) || r < 0 || r >= data.rows) {
      throw new SelectError('bad-rows', { params: { part, row: r, rows: data.rows } }, `The ${part} rows name row ${r}, but the matrix has ${data.rows} rows`);
    }
    rows[i] = r;
    for (let j = 0; j < d; j++) {
      const v = data.x[r * d + j]!;
      if (!Number.isFinite(v)) {
        throw new SelectError('non-finite', { column: data.columnNames[j], params: { row: r, value: String(v) } }, `Column "${data.columnNames[j]}" holds ${v} at row ${r}`);
      }
      x[i * d + j] = v;
    }
    y[i] = checkedTarget(data.target, r, classes);
  }
  return { rows, x, n, y };
}

function checkedTarget(target: SelectTarget, r: number, classes: number): number {
  const v = target.y[r]!;
  if (target.kind === 'classification' && !(Number.isInteger(v) && v >= 0 && v < classes)) {
    throw new SelectError('bad-class', { params: { row: r, value: String(v), classes } }, `Row ${r}'s class index ${v} is not between 0 and ${classes - 1}`);
  }
  if (target.kind === 'regression' && !Number.isFinite(v)) {
    throw new SelectError('non-finite-target', { params: { row: r, value: String(v) } }, `Row ${r}'s target is ${v}`);
  }
  return v;
}

/** The n x columns.length matrix of some columns of a part (a model's input). */
export function pick(part: Part, d: number, columns: readonly number[]): Float64Array {
  const m = columns.length;
  const out = new Float64Array(part.n * m);
  for (let i = 0; i < part.n; i++) for (let c = 0; c < m; c++) out[i * m + c] = part.x[i * d + columns[c]!]!;
  return out;
}

/** The matrix columns of some features, in feature order. */
export function columnsOf(p: PreparedSelection, features: readonly number[]): number[] {
  return features.flatMap((f) => {
    const g = p.features[f];
    if (!g) throw new SelectError('bad-subset', { params: { feature: f } }, `There is no feature ${f}`);
    return g.columns;
  });
}

/** Class index of each row of a part as integers (classification). */
export function classesOf(part: Part): Int32Array {
  return Int32Array.from(part.y);
}
