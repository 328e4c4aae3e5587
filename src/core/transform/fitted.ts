/**
 * A fitted transform: the spec plus its analyzers' outputs, as plain JSON (transform.json). It is what the
 * store keeps, what applyChunk and reader.js's applyToRows apply, and what an exported model ships. Every
 * number in it is finite or null, so JSON.stringify / JSON.parse give back the same transform.
 *
 * Each step keeps its checked parameters (defaults filled in), its value kind, its size (the slots it
 * takes in the feature vector: number 1, index and indices their number of indices, sparse and vector
 * their dimension; 0 for string and tokens) and its state, the analyzers' outputs:
 *   z_score      { mean, var, count }              biased variance; no values: mean 0, var 0
 *   scale_0_1    { min, max, count }               null when there were no values
 *   bucketize    { boundaries }                    num_buckets - 1 ascending values (zeros without data)
 *   vocabulary   { vocabulary, counts }            most frequent first; cross without hash_buckets too
 *   tfidf        { documents, df }                 rows analyzed, rows holding each index
 *   pca          { inputSize, inputSizes, components, variances, mean }
 *                components: output_dim rows of inputSize; variances: their eigenvalues; mean: the inputs'
 *                means when center is true, else null
 *   arith        { left, right }                   an analyzer operand's result (null without values);
 *                                                  {} when neither operand is an analyzer
 *   fill_missing { value }                         the analyzer's result; {} for a constant
 *   others       {}                                (hash_strings, cross with hash_buckets, tokenize, ngrams)
 */
import type { SpecColumn } from './check';
import { TransformError } from './errors';
import { TRANSFORM_FORMAT, TRANSFORM_VERSION } from './reader.js';
import { FEATURE_KINDS, TRANSFORM_OPS, type TransformOp, type TransformSpec, type ValueKind } from './spec';

export interface FittedStep {
  name: string;
  op: TransformOp;
  inputs: string[];
  inputKinds: ValueKind[];
  params: Record<string, unknown>;
  kind: ValueKind;
  output: boolean;
  size: number;
  state: Record<string, unknown>;
}

/** Where an output goes in the model's input vector. */
export interface FeatureSlot {
  name: string;
  kind: ValueKind;
  offset: number;
  size: number;
}

export interface FittedTransform {
  format: typeof TRANSFORM_FORMAT;
  version: typeof TRANSFORM_VERSION;
  /** The spec as written. */
  spec: TransformSpec;
  /** The raw columns it reads, with their types. */
  columns: SpecColumn[];
  /** Rows the analyzers read (0 when no step has an analyzer: nothing is read). */
  rows: number;
  steps: FittedStep[];
  /** The model's input: dim slots, laid out output after output in step order. */
  features: { dim: number; layout: FeatureSlot[] };
}

/** The outputs laid end to end, in step order. */
export function featureLayout(steps: readonly FittedStep[]): { dim: number; layout: FeatureSlot[] } {
  const layout: FeatureSlot[] = [];
  let dim = 0;
  for (const s of steps) {
    if (!s.output) continue;
    layout.push({ name: s.name, kind: s.kind, offset: dim, size: s.size });
    dim += s.size;
  }
  return { dim, layout };
}

/** A name for each feature slot ("s=hello", "x_bucket[3]", "pca[0]"), for explanations and charts. */
export function slotNames(fitted: FittedTransform): string[] {
  const names: string[] = [];
  for (const slot of fitted.features.layout) {
    const step = fitted.steps.find((s) => s.name === slot.name)!;
    const vocabulary = Array.isArray(step.state.vocabulary) ? (step.state.vocabulary as string[]) : null;
    if (slot.kind === 'number') names.push(slot.name);
    else for (let i = 0; i < slot.size; i++) names.push(vocabulary && i < vocabulary.length ? `${slot.name}=${vocabulary[i]}` : `${slot.name}[${i}]`);
  }
  return names;
}

const bad = (why: string, message: string) => new TransformError('bad-fitted', { params: { why } }, `Not a fitted transform: ${message}`);

/**
 * A fitted transform read back from JSON (a stored record, an imported transform.json): its shape is
 * checked enough that applying it cannot misread it. Throws TransformError 'bad-fitted' (params.why).
 */
export function parseFitted(json: unknown): FittedTransform {
  const f = typeof json === 'string' ? safeParse(json) : json;
  if (typeof f !== 'object' || f === null) throw bad('not-object', 'not an object');
  const o = f as Record<string, unknown>;
  if (o.format !== TRANSFORM_FORMAT) throw bad('format', `format is ${String(o.format)}`);
  if (o.version !== TRANSFORM_VERSION) throw bad('version', `version ${String(o.version)} is not ${TRANSFORM_VERSION}`);
  if (!Array.isArray(o.columns) || !Array.isArray(o.steps) || typeof o.features !== 'object' || o.features === null) throw bad('shape', 'columns, steps or features missing');
  const names = new Set<string>((o.columns as { name?: unknown }[]).map((c) => String(c.name)));
  for (const s of o.steps as Record<string, unknown>[]) {
    const ok =
      typeof s.name === 'string' &&
      (TRANSFORM_OPS as readonly unknown[]).includes(s.op) &&
      Array.isArray(s.inputs) &&
      (s.inputs as unknown[]).every((i) => typeof i === 'string' && names.has(i)) &&
      typeof s.size === 'number' &&
      typeof s.state === 'object' &&
      s.state !== null;
    if (!ok) throw bad('step', `step ${String(s.name)} is incomplete or reads something not defined above it`);
    names.add(s.name as string);
  }
  const { dim, layout } = o.features as { dim?: unknown; layout?: unknown };
  if (typeof dim !== 'number' || !Array.isArray(layout)) throw bad('shape', 'features has no dim or layout');
  for (const slot of layout as Record<string, unknown>[]) {
    const fits = typeof slot.offset === 'number' && typeof slot.size === 'number' && slot.offset + slot.size <= dim;
    if (!names.has(String(slot.name)) || !FEATURE_KINDS.includes(slot.kind as ValueKind) || !fits) throw bad('layout', `feature ${String(slot.name)} does not fit`);
  }
  return f as FittedTransform;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw bad('json', 'not JSON');
  }
}
