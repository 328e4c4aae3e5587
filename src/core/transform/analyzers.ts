/**
 * Analyzers: what a transform learns from the training data, one chunk at a time (tf.Transform's
 * analyzers.py). Each step with an analyzer gets a StepAnalyzer that reads its inputs' columns chunk by
 * chunk and finishes with the step's state (fitted.ts lists the states).
 *
 * - Mean and variance: per chunk a two-pass mean and sum of squared deviations, merged across chunks with
 *   Chan, Golub and LeVeque's formula (exact to rounding at any chunking). The variance is biased (divided
 *   by the count), as tf.Transform's; a column whose min equals its max has variance exactly 0.
 * - Analyzers read finite values only: NaN (missing) and ±Infinity are skipped (pca skips the row), so
 *   every fitted state is finite and survives JSON (mappers still map infinities: z_score(∞) = ∞).
 * - Quantiles are exact (quantiles.ts): the non-missing values are kept, 8 bytes per value and per
 *   bucketize or quantile step, and the ranks asked for are selected at the end with tf.Transform's rank
 *   rule. No values: num_buckets - 1 zeros, as tf.Transform.
 * - Vocabulary: counts per distinct string (per dictionary entry for categorical chunks, folded into the
 *   totals once per chunk); ordered by decreasing count, ties in reverse code-point (UTF-8 byte) order;
 *   frequency_threshold keeps counts >= it, then top_k keeps the first k. The empty string is never in
 *   the vocabulary; an empty vocabulary holds tf.Transform's placeholder token.
 * - tfidf: documents = rows read; df = rows holding each index (modulo the size, as the mapper).
 * - pca: sums of x and of x xᵀ over rows of finite values, then the biased covariance E[x xᵀ] - E[x]E[x]ᵀ,
 *   eigenvectors by decreasing eigenvalue (eigen.ts, largest component positive). No rows: identity
 *   columns, as tf.Transform.
 */
import type { StepColumn } from './apply';
import { writeRow } from './apply';
import type { CheckedStep } from './check';
import { symmetricEigen } from './eigen';
import { TransformError } from './errors';
import { crossKey, crossPart } from './reader.js';
import { quantileBoundaries, quantileOf, ValueBuffer } from './quantiles';
import { EMPTY_VOCABULARY_TOKEN, PCA_MAX_INPUT_DIM, type AnalyzerName } from './spec';

export interface StepAnalyzer {
  /** Read one chunk of the step's inputs (in the step's input order). */
  add(inputs: StepColumn[], length: number): void;
  /** The step's state and size (slots in the feature vector). */
  finish(): { state: Record<string, unknown>; size: number };
}

type NumberColumn = Extract<StepColumn, { kind: 'number' }>;

/** Count, sum, mean, biased variance, min and max of the finite values. */
export class Moments {
  count = 0;
  sum = 0;
  mean = 0;
  private m2 = 0;
  min = Infinity;
  max = -Infinity;

  add(x: Float64Array, length: number): void {
    let n = 0;
    let s = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let r = 0; r < length; r++) {
      const v = x[r]!;
      if (v - v !== 0) continue; // NaN (missing) or ±Infinity
      n++;
      s += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (n === 0) return;
    const mean = s / n;
    let m2 = 0;
    for (let r = 0; r < length; r++) {
      const v = x[r]!;
      if (v - v === 0) m2 += (v - mean) * (v - mean);
    }
    const total = this.count + n;
    const delta = mean - this.mean;
    this.m2 += m2 + (delta * delta * this.count * n) / total;
    this.mean += (delta * n) / total;
    this.count = total;
    this.sum += s;
    if (min < this.min) this.min = min;
    if (max > this.max) this.max = max;
  }

  /** Biased variance; exactly 0 for a constant column, 0 without values. */
  get variance(): number {
    return this.count === 0 || this.min === this.max ? 0 : this.m2 / this.count;
  }
}

/** Code-point order (the order of UTF-8 bytes), which UTF-16 comparison gets wrong past U+FFFF. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // surrogates (U+D800-DFFF) stand for code points above U+FFFF: move them above U+E000-FFFF
    const fx = x >= 0xd800 && x <= 0xdfff ? x + 0x2000 : x >= 0xe000 ? x - 0x800 : x;
    const fy = y >= 0xd800 && y <= 0xdfff ? y + 0x2000 : y >= 0xe000 ? y - 0x800 : y;
    return fx - fy;
  }
  return a.length - b.length;
}

/** Counts per distinct string. */
export class Counter {
  readonly counts = new Map<string, number>();

  addString(s: string | null, times = 1): void {
    if (s === null || s === '') return;
    this.counts.set(s, (this.counts.get(s) ?? 0) + times);
  }

  /** A string or tokens column: categorical chunks are counted per dictionary entry first. */
  addColumn(col: StepColumn, length: number): void {
    if (col.kind === 'tokens') {
      for (let i = 0; i < col.offsets[length]!; i++) this.addString(col.values[i]!);
    } else if (col.kind === 'string' && 'dictionary' in col) {
      const perEntry = new Float64Array(col.dictionary.length);
      const idx = col.indices;
      for (let r = 0; r < length; r++) if (idx[r]! >= 0) perEntry[idx[r]!]++;
      perEntry.forEach((count, k) => count > 0 && this.addString(col.dictionary[k]!, count));
    } else if (col.kind === 'string') {
      for (let r = 0; r < length; r++) this.addString(col.values[r] ?? null);
    }
  }

  /** The vocabulary: threshold, order (count desc, code points desc), top_k; the placeholder if empty. */
  vocabulary(topK?: number, threshold?: number): { vocabulary: string[]; counts: number[] } {
    const entries = [...this.counts].filter(([, c]) => threshold === undefined || c >= threshold);
    entries.sort((a, b) => b[1] - a[1] || compareCodePoints(b[0], a[0]));
    const kept = topK === undefined ? entries : entries.slice(0, topK);
    if (kept.length === 0) return { vocabulary: [EMPTY_VOCABULARY_TOKEN], counts: [0] };
    return { vocabulary: kept.map(([s]) => s), counts: kept.map(([, c]) => c) };
  }
}

function vocabularyAnalyzer(step: CheckedStep, rows: (inputs: StepColumn[], length: number, counter: Counter) => void): StepAnalyzer {
  const counter = new Counter();
  const p = step.params as { top_k?: number; frequency_threshold?: number; num_oov_buckets: number };
  return {
    add: (inputs, length) => rows(inputs, length, counter),
    finish: () => {
      const state = counter.vocabulary(p.top_k, p.frequency_threshold);
      return { state, size: state.vocabulary.length + p.num_oov_buckets };
    },
  };
}

function crossKeys(inputs: StepColumn[], length: number, counter: Counter): void {
  const parts: (string | null)[] = new Array(inputs.length);
  for (let r = 0; r < length; r++) {
    inputs.forEach((col, i) => {
      if (col.kind === 'index') parts[i] = crossPart('index', col.values[r]!);
      else if (col.kind === 'string') parts[i] = crossPart('string', 'dictionary' in col ? (col.indices[r]! < 0 ? null : col.dictionary[col.indices[r]!]!) : (col.values[r] ?? null));
    });
    counter.addString(crossKey(parts));
  }
}

function tfidfAnalyzer(size: number): StepAnalyzer {
  const df = new Float64Array(size);
  const lastRow = new Float64Array(size).fill(-1);
  let documents = 0;
  return {
    add: (inputs, length) => {
      const col = inputs[0] as Extract<StepColumn, { kind: 'indices' }>;
      for (let r = 0; r < length; r++) {
        const row = documents + r;
        for (let i = col.offsets[r]!; i < col.offsets[r + 1]!; i++) {
          const v = ((col.values[i]! % size) + size) % size;
          if (lastRow[v] !== row) {
            lastRow[v] = row;
            df[v]++;
          }
        }
      }
      documents += length;
    },
    finish: () => ({ state: { documents, df: Array.from(df) }, size }),
  };
}

function pcaAnalyzer(step: CheckedStep, inputSizes: number[]): StepAnalyzer {
  const d = inputSizes.reduce((a, b) => a + b, 0);
  if (d > PCA_MAX_INPUT_DIM) throw new TransformError('too-wide', { step: step.name, params: { dim: d, max: PCA_MAX_INPUT_DIM } }, `Step "${step.name}": PCA over ${d} slots; at most ${PCA_MAX_INPUT_DIM}`);
  const { output_dim: outputDim, center } = step.params as { output_dim: number; center: boolean };
  if (outputDim > d) throw new TransformError('param-too-large', { step: step.name, params: { param: 'output_dim', max: d } }, `Step "${step.name}": output_dim must be at most ${d}, the inputs' width`);
  const products = new Float64Array(d * d);
  const sums = new Float64Array(d);
  const x = new Float64Array(d);
  const nonzero = new Int32Array(d);
  let count = 0;
  return {
    add: (inputs, length) => {
      for (let r = 0; r < length; r++) {
        x.fill(0);
        let at = 0;
        inputs.forEach((col, i) => {
          writeRow(col, r, x, at);
          at += inputSizes[i]!;
        });
        let nz = 0;
        let nan = false;
        for (let i = 0; i < d; i++) {
          if (x[i] !== 0) nonzero[nz++] = i;
          if (x[i]! - x[i]! !== 0) nan = true;
        }
        if (nan) continue;
        count++;
        for (let a = 0; a < nz; a++) {
          const i = nonzero[a]!;
          sums[i] += x[i]!;
          for (let b = a; b < nz; b++) products[i * d + nonzero[b]!] += x[i]! * x[nonzero[b]!]!;
        }
      }
    },
    finish: () => ({ state: pcaState(products, sums, count, d, outputDim, center, inputSizes), size: outputDim }),
  };
}

function pcaState(products: Float64Array, sums: Float64Array, count: number, d: number, outputDim: number, center: boolean, inputSizes: number[]): Record<string, unknown> {
  const mean = Array.from(sums, (s) => (count === 0 ? 0 : s / count));
  let components: number[][];
  let variances: number[];
  if (count === 0) {
    components = Array.from({ length: outputDim }, (_, j) => Array.from({ length: d }, (_, i) => (i === j ? 1 : 0)));
    variances = new Array<number>(outputDim).fill(0);
  } else {
    const cov = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) {
        const c = products[i * d + j]! / count - mean[i]! * mean[j]!;
        cov[i * d + j] = c;
        cov[j * d + i] = c;
      }
    }
    const eig = symmetricEigen(cov, d);
    components = Array.from({ length: outputDim }, (_, j) => Array.from(eig.vectors.subarray(j * d, (j + 1) * d)));
    variances = Array.from(eig.values.subarray(0, outputDim));
  }
  return { inputSize: d, inputSizes, components, variances, mean: center ? mean : null };
}

/** An arithmetic operand's analyzer over one input: its result, or null without values. */
function operandAnalyzer(operand: unknown, inputs: string[]): { add: (cols: StepColumn[], length: number) => void; result: () => number | null } | null {
  if (typeof operand !== 'object' || operand === null || !('analyzer' in operand)) return null;
  const o = operand as { analyzer: AnalyzerName; input: string; q?: number };
  const at = inputs.indexOf(o.input);
  const moments = new Moments();
  const buffer = o.analyzer === 'quantile' ? new ValueBuffer() : null;
  return {
    add: (cols, length) => {
      const x = (cols[at] as NumberColumn).values;
      if (buffer) buffer.add(x, length);
      else moments.add(x, length);
    },
    result: () => {
      if (buffer) return quantileOf(buffer.values(), o.q!);
      if (o.analyzer === 'count') return moments.count;
      if (o.analyzer === 'sum') return moments.sum;
      if (moments.count === 0) return null;
      return { mean: moments.mean, min: moments.min, max: moments.max, var: moments.variance, std: Math.sqrt(moments.variance) }[o.analyzer as 'mean'];
    },
  };
}

function operandsAnalyzer(step: CheckedStep): StepAnalyzer {
  const p = step.params;
  const names = step.op === 'fill_missing' ? ['with'] : ['left', 'right'];
  const analyzers = names.map((n) => operandAnalyzer(p[n], step.inputs));
  return {
    add: (inputs, length) => analyzers.forEach((a) => a?.add(inputs, length)),
    finish: () => {
      const results = analyzers.map((a) => a?.result() ?? null);
      return { state: step.op === 'fill_missing' ? { value: results[0] } : { left: results[0], right: results[1] }, size: 1 };
    },
  };
}

/** The analyzer of a step; inputSizes are its inputs' sizes (known: the inputs are fitted). */
export function analyzerFor(step: CheckedStep, inputSizes: number[]): StepAnalyzer {
  switch (step.op) {
    case 'z_score':
    case 'scale_0_1': {
      const m = new Moments();
      return {
        add: (inputs, length) => m.add((inputs[0] as NumberColumn).values, length),
        finish: () => ({ state: step.op === 'z_score' ? { mean: m.mean, var: m.variance, count: m.count } : { min: m.count ? m.min : null, max: m.count ? m.max : null, count: m.count }, size: 1 }),
      };
    }
    case 'bucketize': {
      const b = new ValueBuffer();
      const k = step.params.num_buckets as number;
      return { add: (inputs, length) => b.add((inputs[0] as NumberColumn).values, length), finish: () => ({ state: { boundaries: quantileBoundaries(b.values(), k) }, size: k }) };
    }
    case 'vocabulary':
      return vocabularyAnalyzer(step, (inputs, length, counter) => counter.addColumn(inputs[0]!, length));
    case 'cross':
      return vocabularyAnalyzer(step, crossKeys);
    case 'tfidf':
      return tfidfAnalyzer(inputSizes[0]!);
    case 'pca':
      return pcaAnalyzer(step, inputSizes);
    case 'arith':
    case 'fill_missing':
      return operandsAnalyzer(step);
    default:
      throw new Error(`${step.op} has no analyzer`);
  }
}
