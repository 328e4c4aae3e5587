/**
 * A transform spec: tf.Transform's preprocessing_fn as JSON, a list of steps over a dataset's columns.
 *
 *   { "steps": [
 *       { "name": "x_centered", "op": "arith", "inputs": ["x"],
 *         "params": { "op": "sub", "left": { "input": "x" }, "right": { "analyzer": "mean", "input": "x" } } },
 *       { "name": "s_integerized", "op": "vocabulary", "inputs": ["s"] } ] }
 *
 * Each step is `{ name, op, inputs, params?, output? }`: `name` names its output column, `inputs` name raw
 * columns or earlier steps (a step reads only what is defined above it), `params` are the operation's
 * parameters (tf.Transform's names). A step is a model feature (an "output") when `output` is true; when
 * `output` is left out, a step is an output exactly when no later step reads it (the leaves of the graph).
 * Outputs must be of a feature kind; text and tokens are not features.
 *
 * Value kinds (what a step produces, per row):
 *   number   a float (NaN = missing)
 *   string   text or a category (null = missing)
 *   tokens   a list of strings
 *   index    an integer in [0, size) with the size known after fitting; -1 = none (missing, or out of
 *            vocabulary without OOV buckets)
 *   indices  a list of such integers (a vocabulary or hash over tokens), with its size
 *   sparse   index -> weight pairs over [0, dim) (tfidf)
 *   vector   a dense vector of dim numbers (pca)
 * Raw columns: number, integer, boolean (0/1) and datetime (ms since 1970 UTC) read as number;
 * categorical and text as string; image columns cannot be read.
 *
 * Operations (tf.Transform's name in brackets):
 *   z_score      number -> number  [scale_to_z_score] (x - mean) / std, biased variance; a column with
 *                std 0 (constant) stays unscaled: x - mean
 *   scale_0_1    number -> number  [scale_to_0_1] (x - min) / (max - min); min = max (or no values): sigmoid(x)
 *   bucketize    number -> index   [bucketize] num_buckets (>= 2) quantile buckets; NaN -> the last bucket
 *   vocabulary   string -> index, tokens -> indices  [compute_and_apply_vocabulary] top_k, frequency_threshold,
 *                num_oov_buckets (0), default_value (-1)
 *   tokenize     string -> tokens  split: 'whitespace' (tf.strings.split) or 'words' (runs of letters and
 *                digits); lowercase (false)
 *   ngrams       tokens -> tokens  [ngrams] ngram_range [min, max], separator (' ')
 *   tfidf        indices -> sparse [tfidf] smooth (true): tf = count / tokens in the row,
 *                idf = 1 + ln((N + 1) / (df + 1)) (smooth) or 1 + ln(N / df)
 *   hash_strings string -> index, tokens -> indices  [hash_strings] hash_buckets
 *   cross        2+ string/index -> index  [sparse_cross]: "a_X_b" then hash_buckets, or (without
 *                hash_buckets) a vocabulary with vocabulary's parameters
 *   pca          number/index/indices/sparse/vector (flattened like features) -> vector  [pca] output_dim,
 *                center (false: x · components as tf.Transform, true: (x - mean) · components)
 *   arith        number(s) -> number  op: add | sub | mul | div of left and right operands: {input},
 *                {value}, or {analyzer: mean | min | max | std | var | sum | count | quantile, input, q?}
 *   fill_missing number -> number  with: an operand ({value} or {analyzer, input}) replacing NaN
 * The exact semantics, and where they differ from tf.Transform, are in reader.js (mappers) and
 * analyzers.ts (analyzers).
 */
import type { ColumnType } from '../data/types';

export type ValueKind = 'number' | 'string' | 'tokens' | 'index' | 'indices' | 'sparse' | 'vector';

/** Kinds a model can take as input (flattened by the feature layout); string and tokens are not. */
export const FEATURE_KINDS: readonly ValueKind[] = ['number', 'index', 'indices', 'sparse', 'vector'];

export const TRANSFORM_OPS = [
  'z_score',
  'scale_0_1',
  'bucketize',
  'vocabulary',
  'tokenize',
  'ngrams',
  'tfidf',
  'hash_strings',
  'cross',
  'pca',
  'arith',
  'fill_missing',
] as const;
export type TransformOp = (typeof TRANSFORM_OPS)[number];

export const ANALYZERS = ['mean', 'min', 'max', 'std', 'var', 'sum', 'count', 'quantile'] as const;
export type AnalyzerName = (typeof ANALYZERS)[number];

export const ARITH_OPS = ['add', 'sub', 'mul', 'div'] as const;
export type ArithOp = (typeof ARITH_OPS)[number];

/** An arithmetic operand: an input's value, a constant, or an analyzer's result over an input. */
export type Operand = { input: string } | { value: number } | { analyzer: AnalyzerName; input: string; q?: number };

export interface VocabularyParams {
  top_k?: number;
  frequency_threshold?: number;
  num_oov_buckets?: number;
  default_value?: number;
}

/** Each operation's parameters, as written in the spec (optional ones have the defaults named above). */
export interface ParamsOf {
  z_score: Record<string, never>;
  scale_0_1: Record<string, never>;
  bucketize: { num_buckets: number };
  vocabulary: VocabularyParams;
  tokenize: { split?: 'whitespace' | 'words'; lowercase?: boolean };
  ngrams: { ngram_range: [number, number]; separator?: string };
  tfidf: { smooth?: boolean };
  hash_strings: { hash_buckets: number };
  cross: VocabularyParams & { hash_buckets?: number };
  pca: { output_dim: number; center?: boolean };
  arith: { op: ArithOp; left: Operand; right: Operand };
  fill_missing: { with: Operand };
}

export type TransformStep = {
  [O in TransformOp]: { name: string; op: O; inputs: string[]; params?: ParamsOf[O]; output?: boolean };
}[TransformOp];

export interface TransformSpec {
  steps: TransformStep[];
}

/** The kind a raw column reads as, or null for a type no step reads (image). */
export function columnKind(type: ColumnType): 'number' | 'string' | null {
  switch (type) {
    case 'number':
    case 'integer':
    case 'boolean':
    case 'datetime':
      return 'number';
    case 'categorical':
    case 'text':
      return 'string';
    case 'image':
      return null;
  }
}

/** Whether an operation (with these params) has an analyzer, i.e. needs a pass over the data. */
export function hasAnalyzer(op: TransformOp, params: Record<string, unknown>): boolean {
  switch (op) {
    case 'z_score':
    case 'scale_0_1':
    case 'bucketize':
    case 'vocabulary':
    case 'tfidf':
    case 'pca':
      return true;
    case 'cross':
      return params.hash_buckets === undefined;
    case 'arith':
      return isAnalyzerOperand(params.left) || isAnalyzerOperand(params.right);
    case 'fill_missing':
      return isAnalyzerOperand(params.with);
    default:
      return false;
  }
}

export function isAnalyzerOperand(o: unknown): o is { analyzer: AnalyzerName; input: string; q?: number } {
  return typeof o === 'object' && o !== null && 'analyzer' in o;
}

/** Defaults of vocabulary parameters (tf.Transform's). */
export const VOCABULARY_DEFAULTS = { num_oov_buckets: 0, default_value: -1 } as const;

/**
 * tf.Transform writes this token into a vocabulary that would otherwise be empty (so lookup tables can
 * initialise); Pipette does the same, so an empty vocabulary has size 1 as in tf.Transform.
 */
export const EMPTY_VOCABULARY_TOKEN = '49d0cd50-04bb-48c0-bc6f-5b575dce351a';

/** Largest input width a PCA decomposes (Jacobi on a dim x dim matrix; rows x dim² to accumulate). */
export const PCA_MAX_INPUT_DIM = 256;
/** Largest number of hash buckets (indices stay exact in Int32 and one-hot widths stay sane). */
export const MAX_BUCKETS = 1 << 24;
/** Largest ngram length. */
export const MAX_NGRAM = 10;
