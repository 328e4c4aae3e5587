// @ts-check
/**
 * Pipette transform reader: turns raw rows into a model's input with a fitted transform (transform.json).
 * Over 500 lines: it ships as one dependency-free file, so its mappers cannot be split into modules.
 *
 * This one file holds every mapper of Pipette's Transform stage. The app applies transforms with it while
 * training, evaluating and predicting, and an exported model bundle ships this same file, so whoever serves
 * the model applies exactly the preprocessing it was trained with (no training/serving skew from
 * preprocessing). It has no imports and runs in any modern browser or Node:
 *
 *   import { applyToRows } from './transform.js';   // the name an exported bundle gives this file
 *   const fitted = JSON.parse(transformJsonText);
 *   const { features, rows, dim } = applyToRows(fitted, [{ x: 1, s: 'hello' }]);
 *   const prediction = model.predict(tf.tensor2d(features, [rows, dim]));
 *
 * Raw cells are read by the column's type: number, integer, boolean (true = 1) and datetime (milliseconds
 * since 1970 UTC, or an ISO date string) columns as numbers, a missing or unreadable cell as NaN;
 * categorical and text columns as strings (numbers and booleans written as text), a missing cell as null.
 * A missing value is given as null; a row that leaves out a column a step reads (other than fill_missing,
 * which fills it) is refused with an Error naming the row and the column.
 *
 * Semantics are tf.Transform's (tensorflow_transform/mappers.py), with these choices:
 * - z_score: (x - mean) / sqrt(var) with the biased variance; when sqrt(var) is 0 the column stays
 *   unscaled, x - mean. scale_0_1: (x - min) / (max - min); when min >= max (one value, or no values)
 *   sigmoid(x). Computations are in float64 (tf.Transform computes in float32); the features are float32.
 * - bucketize: bucket i holds boundaries[i-1] <= x < boundaries[i]; below the first boundary is 0, from the
 *   last boundary on is boundaries.length, and NaN is the last bucket too. Boundaries are kept in float64
 *   (tf.Transform rounds them to float32).
 * - vocabulary: a string's position in the vocabulary; out of it, with num_oov_buckets > 0 the bucket
 *   vocabularySize + hash(s) % num_oov_buckets, else default_value (-1). A missing string is -1.
 * - hash_strings and OOV buckets hash with FNV-1a (over UTF-16 code units) then murmur3's fmix32, the
 *   app's hash (core/math/hash.ts). tf.Transform uses FarmHash Fingerprint64, so bucket numbers differ.
 * - tokenize: 'whitespace' splits on runs of white space (tf.strings.split); 'words' keeps runs of
 *   letters and digits; lowercase first if asked.
 * - ngrams: for each start token, the ngrams of length min..max in increasing length (tft.ngrams' order).
 * - tfidf: indices are taken modulo the vocabulary size (so -1, out of vocabulary, counts as the last
 *   entry, as tf.Transform's to_vocab_range does); tf = count / tokens in the row; weights of one row in
 *   increasing index order.
 * - cross: the parts joined with "_X_" (an index written in decimal); a missing part (null, -1) makes the
 *   cross missing (-1).
 * - pca: x · components (center: (x - mean) · components), x the inputs flattened like features.
 * - Feature layout: number = 1 slot, index = one-hot over its size (-1 or out of range: all zero),
 *   indices = counts over its size, sparse = its weights over its size, vector = its values.
 */

export const TRANSFORM_FORMAT = 'pipette-transform';
export const TRANSFORM_VERSION = 1;

/**
 * @typedef {'number' | 'string' | 'tokens' | 'index' | 'indices' | 'sparse' | 'vector'} ValueKind
 * @typedef {{ name: string, type: string }} RawColumn
 * @typedef {{ name: string, op: string, inputs: string[], inputKinds: ValueKind[], params: Record<string, any>,
 *   kind: ValueKind, output: boolean, size: number, state: Record<string, any> }} FittedStep
 * @typedef {{ name: string, kind: ValueKind, offset: number, size: number }} FeatureSlot
 * @typedef {{ format: string, version: number, columns: RawColumn[], steps: FittedStep[],
 *   features: { dim: number, layout: FeatureSlot[] } }} FittedTransform
 * @typedef {{ indices: number[], weights: number[] }} SparseValue
 * @typedef {number | string | null | string[] | number[] | SparseValue | Float64Array} Value
 * @typedef {{ from: 'input', index: number, value: number } | { from: 'value', index: number, value: number }} ResolvedOperand
 */

/**
 * A fitted step made ready to apply. Every step has every field (unused ones empty), so hot loops see one
 * object shape: `size` = its slots in the features; z_score's mean and std; scale_0_1's min and max;
 * bucketize's boundaries; a vocabulary's lookup (token -> index), size, OOV buckets and default; hash
 * buckets; tokenize's split and lowercase; ngrams' range and separator; tfidf's idf per index; pca's input
 * widths, components (output_dim rows of inputSize) and center (the means, when centring); arith's
 * operator and operands (fill_missing's value is `left`).
 * @typedef {{ step: FittedStep, name: string, op: string, kind: ValueKind, size: number, mean: number,
 *   std: number, min: number | null, max: number | null, boundaries: Float64Array, lookup: Map<string, number>,
 *   vocabularySize: number, oov: number, defaultValue: number, hashBuckets: number, split: string,
 *   lowercase: boolean, ngramMin: number, ngramMax: number, separator: string, idf: Float64Array,
 *   inputSize: number, inputSizes: number[], components: Float64Array, center: Float64Array | null,
 *   arithOp: string, left: ResolvedOperand, right: ResolvedOperand }} PreparedStep
 */

// ---------------------------------------------------------------------------------------------------------
// Raw cells

/**
 * A raw cell of a number-like column as a number (NaN = missing).
 * @param {unknown} v
 * @param {string} type the column's type
 * @returns {number}
 */
export function numberCell(v, type) {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'string') {
    const s = v.trim();
    if (s === '') return NaN;
    if (type === 'datetime') {
      const asNumber = Number(s);
      return Number.isNaN(asNumber) ? Date.parse(s) : asNumber;
    }
    if (type === 'boolean') {
      if (s === 'true') return 1;
      if (s === 'false') return 0;
    }
    return Number(s);
  }
  return NaN;
}

/**
 * A raw cell of a categorical or text column as a string (null = missing).
 * @param {unknown} v
 * @returns {string | null}
 */
export function stringCell(v) {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/**
 * @param {string} type
 * @returns {boolean}
 */
export function isStringType(type) {
  return type === 'categorical' || type === 'text';
}

// ---------------------------------------------------------------------------------------------------------
// Per-value mappers: the app's columnar apply (apply.ts) calls these same functions.

/** @param {number} x @param {number} mean @param {number} std */
export function zScore(x, mean, std) {
  return std !== 0 ? (x - mean) / std : x - mean;
}

/** @param {number} x @param {number | null} min @param {number | null} max */
export function scale01(x, min, max) {
  if (min !== null && max !== null && min < max) return (x - min) / (max - min);
  return 1 / (1 + Math.exp(-x));
}

/**
 * The bucket of x: the number of boundaries <= x; NaN goes to the last bucket.
 * @param {number} x
 * @param {ArrayLike<number>} boundaries ascending
 */
export function bucketIndex(x, boundaries) {
  const n = boundaries.length;
  if (x !== x) return n;
  if (n <= 16) {
    // few boundaries: count them all, no unpredictable branch (faster than a binary search)
    let count = 0;
    for (let i = 0; i < n; i++) count += +(boundaries[i] <= x);
    return count;
  }
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (boundaries[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * FNV-1a (32-bit, over UTF-16 code units) then murmur3's fmix32: the same as core/math/hash.ts.
 * @param {string} s
 */
export function hashString(s) {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** @param {string | null} s @param {number} buckets */
export function hashBucket(s, buckets) {
  return s === null ? -1 : hashString(s) % buckets;
}

/** @param {PreparedStep} ps @param {string | null} s */
export function vocabularyIndex(ps, s) {
  if (s === null) return -1;
  const i = ps.lookup.get(s);
  if (i !== undefined) return i;
  return ps.oov > 0 ? ps.vocabularySize + (hashString(s) % ps.oov) : ps.defaultValue;
}

const WORD = /[\p{L}\p{N}]+/gu;
const SPACE = /\s+/;

/**
 * @param {string | null} s
 * @param {string} split 'whitespace' or 'words'
 * @param {boolean} lowercase
 * @returns {string[]}
 */
export function tokenize(s, split, lowercase) {
  if (s === null) return [];
  const text = lowercase ? s.toLowerCase() : s;
  if (split === 'words') return text.match(WORD) ?? [];
  return text.split(SPACE).filter((t) => t !== '');
}

/**
 * @param {ArrayLike<string>} tokens
 * @param {number} from first token of the row
 * @param {number} to end of the row
 * @param {number} min @param {number} max @param {string} separator
 * @returns {string[]}
 */
export function ngrams(tokens, from, to, min, max, separator) {
  /** @type {string[]} */
  const out = [];
  for (let i = from; i < to; i++) {
    let gram = '';
    for (let k = 1; k <= max && i + k <= to; k++) {
      gram = k === 1 ? tokens[i] : gram + separator + tokens[i + k - 1];
      if (k >= min) out.push(gram);
    }
  }
  return out;
}

/**
 * One row's tf-idf: its distinct indices (modulo the size) ascending, with tf * idf.
 * @param {PreparedStep} ps
 * @param {ArrayLike<number>} values the row's indices
 * @param {number} from @param {number} to
 * @returns {SparseValue}
 */
export function tfidfRow(ps, values, from, to) {
  const n = to - from;
  const size = ps.size;
  /** @type {number[]} */
  const sorted = new Array(n);
  for (let i = 0; i < n; i++) sorted[i] = ((values[from + i] % size) + size) % size;
  sorted.sort((a, b) => a - b);
  /** @type {number[]} */
  const indices = [];
  /** @type {number[]} */
  const weights = [];
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && sorted[j] === sorted[i]) j++;
    indices.push(sorted[i]);
    weights.push(((j - i) / n) * ps.idf[sorted[i]]);
    i = j;
  }
  return { indices, weights };
}

/**
 * A cross part as text: a string as is, an index in decimal; null when missing.
 * @param {ValueKind} kind @param {unknown} v
 * @returns {string | null}
 */
export function crossPart(kind, v) {
  if (kind === 'index') return typeof v === 'number' && v >= 0 ? String(v) : null;
  return typeof v === 'string' ? v : null;
}

/**
 * @param {(string | null)[]} parts
 * @returns {string | null}
 */
export function crossKey(parts) {
  for (const p of parts) if (p === null) return null;
  return parts.join('_X_');
}

/** @param {PreparedStep} ps @param {string | null} key */
export function crossIndex(ps, key) {
  return ps.hashBuckets > 0 ? hashBucket(key, ps.hashBuckets) : vocabularyIndex(ps, key);
}

/**
 * Project a flattened input onto the components.
 * @param {PreparedStep} ps
 * @param {Float64Array} x inputSize values
 * @param {Float64Array} out output_dim values
 * @param {number} at where in out
 */
export function pcaProject(ps, x, out, at) {
  const d = ps.inputSize;
  const c = ps.components;
  const mean = ps.center;
  for (let j = 0; j < ps.size; j++) {
    let sum = 0;
    const row = j * d;
    if (mean) for (let i = 0; i < d; i++) sum += (x[i] - mean[i]) * c[row + i];
    else for (let i = 0; i < d; i++) sum += x[i] * c[row + i];
    out[at + j] = sum;
  }
}

/** @param {string} op @param {number} a @param {number} b */
export function arith(op, a, b) {
  switch (op) {
    case 'add':
      return a + b;
    case 'sub':
      return a - b;
    case 'mul':
      return a * b;
    default:
      return a / b;
  }
}

/** @param {number} x @param {number} value */
export function fillMissing(x, value) {
  return x !== x ? value : x;
}

// ---------------------------------------------------------------------------------------------------------
// Feature writers: where each kind's value goes in the feature vector (out is zero where nothing is written).

/** @param {Float32Array | Float64Array} out @param {number} at @param {number} size @param {number} v */
export function writeIndex(out, at, size, v) {
  if (v >= 0 && v < size) out[at + v] = 1;
}

/**
 * @param {Float32Array | Float64Array} out @param {number} at @param {number} size
 * @param {ArrayLike<number>} values @param {number} from @param {number} to
 */
export function writeIndices(out, at, size, values, from, to) {
  for (let i = from; i < to; i++) {
    const v = values[i];
    if (v >= 0 && v < size) out[at + v] += 1;
  }
}

/**
 * @param {Float32Array | Float64Array} out @param {number} at @param {number} size
 * @param {ArrayLike<number>} indices @param {ArrayLike<number>} weights @param {number} from @param {number} to
 */
export function writeSparse(out, at, size, indices, weights, from, to) {
  for (let i = from; i < to; i++) {
    const v = indices[i];
    if (v >= 0 && v < size) out[at + v] += weights[i];
  }
}

/**
 * One row's value of any feature kind.
 * @param {ValueKind} kind @param {Value} value @param {number} size
 * @param {Float32Array | Float64Array} out @param {number} at
 */
export function writeFeature(kind, value, size, out, at) {
  switch (kind) {
    case 'number':
      out[at] = /** @type {number} */ (value);
      return;
    case 'index':
      writeIndex(out, at, size, /** @type {number} */ (value));
      return;
    case 'indices': {
      const list = /** @type {number[]} */ (value);
      writeIndices(out, at, size, list, 0, list.length);
      return;
    }
    case 'sparse': {
      const s = /** @type {SparseValue} */ (value);
      writeSparse(out, at, size, s.indices, s.weights, 0, s.indices.length);
      return;
    }
    case 'vector': {
      const v = /** @type {Float64Array} */ (value);
      for (let j = 0; j < size; j++) out[at + j] = v[j];
      return;
    }
    default:
      throw new Error(`a ${kind} value is not a feature`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Preparing a fitted transform

/** @type {ResolvedOperand} */
const NO_OPERAND = { from: 'value', index: -1, value: NaN };

/**
 * An operand resolved against the step's inputs and its analyzers' results.
 * @param {any} operand the spec's {input}, {value} or {analyzer, input}
 * @param {string[]} inputs
 * @param {unknown} analyzed the analyzer's result (null: no values, NaN)
 * @returns {ResolvedOperand}
 */
function resolveOperand(operand, inputs, analyzed) {
  if (operand === undefined || operand === null) return NO_OPERAND;
  if (typeof operand.value === 'number') return { from: 'value', index: -1, value: operand.value };
  if (operand.analyzer !== undefined) return { from: 'value', index: -1, value: typeof analyzed === 'number' ? analyzed : NaN };
  return { from: 'input', index: inputs.indexOf(operand.input), value: NaN };
}

/**
 * One fitted step made ready to apply (lookup tables built, arrays typed).
 * @param {FittedStep} step
 * @returns {PreparedStep}
 */
export function prepareStep(step) {
  const p = step.params ?? {};
  const s = step.state ?? {};
  const vocabulary = /** @type {string[]} */ (s.vocabulary ?? []);
  const lookup = new Map();
  vocabulary.forEach((token, i) => lookup.set(token, i));
  const documents = typeof s.documents === 'number' ? s.documents : 0;
  const df = /** @type {number[]} */ (s.df ?? []);
  const idf = new Float64Array(df.length);
  for (let i = 0; i < df.length; i++) idf[i] = 1 + Math.log(p.smooth === false ? documents / df[i] : (documents + 1) / (df[i] + 1));
  const components = /** @type {number[][]} */ (s.components ?? []);
  const inputSize = typeof s.inputSize === 'number' ? s.inputSize : 0;
  const flat = new Float64Array(components.length * inputSize);
  components.forEach((row, j) => flat.set(row, j * inputSize));
  const range = /** @type {number[]} */ (p.ngram_range ?? [1, 1]);
  const operand = step.op === 'fill_missing' ? p.with : p.left;
  const operandState = step.op === 'fill_missing' ? s.value : s.left;
  return {
    step,
    name: step.name,
    op: step.op,
    kind: step.kind,
    size: step.size,
    mean: typeof s.mean === 'number' ? s.mean : 0,
    std: typeof s.var === 'number' ? Math.sqrt(s.var) : 0,
    min: typeof s.min === 'number' ? s.min : null,
    max: typeof s.max === 'number' ? s.max : null,
    boundaries: Float64Array.from(/** @type {number[]} */ (s.boundaries ?? [])),
    lookup,
    vocabularySize: vocabulary.length,
    oov: typeof p.num_oov_buckets === 'number' ? p.num_oov_buckets : 0,
    defaultValue: typeof p.default_value === 'number' ? p.default_value : -1,
    hashBuckets: typeof p.hash_buckets === 'number' ? p.hash_buckets : 0,
    split: p.split ?? 'whitespace',
    lowercase: p.lowercase === true,
    ngramMin: range[0],
    ngramMax: range[1],
    separator: typeof p.separator === 'string' ? p.separator : ' ',
    idf,
    inputSize,
    inputSizes: /** @type {number[]} */ (s.inputSizes ?? []),
    components: flat,
    center: Array.isArray(s.mean) ? Float64Array.from(s.mean) : null,
    arithOp: typeof p.op === 'string' ? p.op : '',
    left: resolveOperand(operand, step.inputs, operandState),
    right: resolveOperand(p.right, step.inputs, s.right),
  };
}

/**
 * @typedef {Object} PreparedTransform
 * @property {RawColumn[]} columns
 * @property {PreparedStep[]} steps
 * @property {number[][]} inputSlots per step, where each input's value is: columns first, then steps
 * @property {{ slot: number, kind: ValueKind, offset: number, size: number }[]} layout
 * @property {number} dim
 * @property {{ column: string, step: string }[]} required the raw columns a row must give, each with the
 *   first step that reads it as it is (a column read only by fill_missing steps may be left out)
 */

/**
 * The raw columns a row must give: those some step other than fill_missing reads directly. A row that
 * leaves one of them out is a caller's mistake (a misspelt or forgotten key), not a missing value, which
 * is given as null.
 * @param {FittedTransform} fitted
 * @returns {{ column: string, step: string }[]}
 */
function requiredColumns(fitted) {
  return fitted.columns.flatMap((c) => {
    const reader = fitted.steps.find((s) => s.op !== 'fill_missing' && s.inputs.includes(c.name));
    return reader ? [{ column: c.name, step: reader.name }] : [];
  });
}

/** @type {WeakMap<object, PreparedTransform>} */
const preparedCache = new WeakMap();

/**
 * A fitted transform (parsed transform.json) made ready to apply; prepared once per object.
 * @param {FittedTransform} fitted
 * @returns {PreparedTransform}
 */
export function prepare(fitted) {
  const cached = preparedCache.get(fitted);
  if (cached) return cached;
  if (!fitted || fitted.format !== TRANSFORM_FORMAT || fitted.version !== TRANSFORM_VERSION) {
    throw new Error(`not a ${TRANSFORM_FORMAT} version ${TRANSFORM_VERSION} file`);
  }
  const names = new Map();
  fitted.columns.forEach((c, i) => names.set(c.name, i));
  const base = fitted.columns.length;
  fitted.steps.forEach((s, i) => names.set(s.name, base + i));
  /** @param {string} name */
  const slotOf = (name) => {
    const slot = names.get(name);
    if (slot === undefined) throw new Error(`the transform reads "${name}", which it does not define`);
    return slot;
  };
  const prepared = {
    columns: fitted.columns,
    steps: fitted.steps.map(prepareStep),
    inputSlots: fitted.steps.map((s) => s.inputs.map(slotOf)),
    layout: fitted.features.layout.map((f) => ({ slot: slotOf(f.name), kind: f.kind, offset: f.offset, size: f.size })),
    dim: fitted.features.dim,
    required: requiredColumns(fitted),
  };
  preparedCache.set(fitted, prepared);
  return prepared;
}

// ---------------------------------------------------------------------------------------------------------
// One row

/**
 * The flattened inputs of a pca step.
 * @param {PreparedStep} ps @param {Value[]} args
 */
function pcaInput(ps, args) {
  const x = new Float64Array(ps.inputSize);
  let at = 0;
  args.forEach((a, i) => {
    writeFeature(ps.step.inputKinds[i], a, ps.inputSizes[i], x, at);
    at += ps.inputSizes[i];
  });
  return x;
}

/** @param {ResolvedOperand} o @param {Value[]} args */
function operandValue(o, args) {
  return o.from === 'input' ? /** @type {number} */ (args[o.index]) : o.value;
}

/**
 * One step's value for one row, from its inputs' values.
 * @param {PreparedStep} ps @param {Value[]} args
 * @returns {Value}
 */
export function mapValue(ps, args) {
  const a = args[0];
  switch (ps.op) {
    case 'z_score':
      return zScore(/** @type {number} */ (a), ps.mean, ps.std);
    case 'scale_0_1':
      return scale01(/** @type {number} */ (a), ps.min, ps.max);
    case 'bucketize':
      return bucketIndex(/** @type {number} */ (a), ps.boundaries);
    case 'vocabulary':
      if (ps.kind === 'indices') return /** @type {string[]} */ (a).map((t) => vocabularyIndex(ps, t));
      return vocabularyIndex(ps, /** @type {string | null} */ (a));
    case 'hash_strings':
      if (ps.kind === 'indices') return /** @type {string[]} */ (a).map((t) => hashBucket(t, ps.hashBuckets));
      return hashBucket(/** @type {string | null} */ (a), ps.hashBuckets);
    case 'tokenize':
      return tokenize(/** @type {string | null} */ (a), ps.split, ps.lowercase);
    case 'ngrams': {
      const tokens = /** @type {string[]} */ (a);
      return ngrams(tokens, 0, tokens.length, ps.ngramMin, ps.ngramMax, ps.separator);
    }
    case 'tfidf': {
      const list = /** @type {number[]} */ (a);
      return tfidfRow(ps, list, 0, list.length);
    }
    case 'cross':
      return crossIndex(ps, crossKey(args.map((v, i) => crossPart(ps.step.inputKinds[i], v))));
    case 'pca': {
      const out = new Float64Array(ps.size);
      pcaProject(ps, pcaInput(ps, args), out, 0);
      return out;
    }
    case 'arith':
      return arith(ps.arithOp, operandValue(ps.left, args), operandValue(ps.right, args));
    case 'fill_missing':
      return fillMissing(/** @type {number} */ (a), ps.left.value);
    default:
      throw new Error(`unknown operation ${ps.op}`);
  }
}

/**
 * Every column's and step's value for one raw row (columns first, then steps, as in inputSlots).
 * @param {PreparedTransform} prepared @param {Record<string, unknown>} row
 * @returns {Value[]}
 */
export function evaluateRow(prepared, row) {
  /** @type {Value[]} */
  const values = prepared.columns.map((c) => (isStringType(c.type) ? stringCell(row[c.name]) : numberCell(row[c.name], c.type)));
  prepared.steps.forEach((ps, i) => {
    values.push(mapValue(ps, prepared.inputSlots[i].map((slot) => values[slot])));
  });
  return values;
}

/**
 * A value as plain JSON (vectors as arrays).
 * @param {Value} v
 */
function plain(v) {
  return v instanceof Float64Array ? Array.from(v) : v;
}

/**
 * The first row that leaves out a raw column the transform needs (a key absent or undefined; a key given
 * as null is a missing value, read as the mappers say), with the column and the step that reads it.
 * @param {FittedTransform} fitted @param {Record<string, unknown>[]} rows
 * @returns {{ row: number, column: string, step: string } | null} row counts from 1
 */
export function findAbsentInput(fitted, rows) {
  const { required } = prepare(fitted);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    for (const need of required) if (!Object.hasOwn(row, need.column) || row[need.column] === undefined) return { row: r + 1, ...need };
  }
  return null;
}

/**
 * Apply a fitted transform to raw rows: each row's outputs (by step name) and the model's input matrix,
 * rows x dim float32 values in row-major order. A row must give every raw column a step other than
 * fill_missing reads (null for a missing value); one that leaves such a column out is refused with an
 * Error naming the row and the column, rather than turned into NaN features.
 * @param {FittedTransform} fitted @param {Record<string, unknown>[]} rows
 * @returns {{ outputs: Record<string, Value>[], features: Float32Array, rows: number, dim: number }}
 */
export function applyToRows(fitted, rows) {
  const prepared = prepare(fitted);
  const absent = findAbsentInput(fitted, rows);
  if (absent) {
    throw new Error(`Row ${absent.row} has no "${absent.column}", which step "${absent.step}" reads; give null if its value is missing`);
  }
  const dim = prepared.dim;
  const features = new Float32Array(rows.length * dim);
  const base = prepared.columns.length;
  const outputs = rows.map((row, r) => {
    const values = evaluateRow(prepared, row);
    /** @type {Record<string, Value>} */
    const out = {};
    for (const f of prepared.layout) {
      writeFeature(f.kind, values[f.slot], f.size, features, r * dim + f.offset);
      out[prepared.steps[f.slot - base].name] = plain(values[f.slot]);
    }
    return out;
  });
  return { outputs, features, rows: rows.length, dim };
}
