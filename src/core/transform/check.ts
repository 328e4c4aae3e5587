/**
 * checkSpec: everything about a transform spec that can be known before reading data. It refuses (with a
 * TransformError naming the step and the column) a spec that could not run: unknown or later names, a
 * step reading the label column (when the split's label is given),
 * duplicate names, a name taken by a column, inputs of the wrong kind (text to z_score, a vocabulary over
 * a number), bad parameters, outputs that are not features. It returns each step's value kind, its
 * parameters with defaults filled in, whether it is a model output, and the pass over the data its
 * analyzer needs (tf.Transform's phases: an analyzer over a step's output runs after that step's own
 * analyzers are fitted).
 */
import type { ColumnType } from '../data/types';
import { TransformError } from './errors';
import { checkParams } from './check-params';
import { columnKind, FEATURE_KINDS, hasAnalyzer, TRANSFORM_OPS, type TransformOp, type ValueKind } from './spec';

export interface SpecColumn {
  name: string;
  type: ColumnType;
}

export interface CheckedStep {
  name: string;
  op: TransformOp;
  inputs: string[];
  /** The parameters with defaults filled in (the form mappers read). */
  params: Record<string, unknown>;
  kind: ValueKind;
  /** Kind of each input, in order. */
  inputKinds: ValueKind[];
  /** Whether it is a model feature. */
  output: boolean;
  /** The pass over the data (0-based) in which its analyzer reads its inputs; -1 without an analyzer. */
  analyzePass: number;
  /** How many passes must be done before its values can be computed (0: from raw data alone). */
  ready: number;
}

export interface CheckedSpec {
  steps: CheckedStep[];
  /** The raw columns the steps read, in the order first read. */
  columns: SpecColumn[];
  /** Passes over the data fitting needs. */
  passes: number;
}

interface InputRule {
  min: number;
  max: number;
  /** The output kind for these input kinds, or the input index whose kind is refused with the kinds expected. */
  out: (kinds: ValueKind[]) => ValueKind | { bad: number; expected: readonly ValueKind[] };
}

/** The first input whose kind is not allowed, or null. */
function refuse(kinds: ValueKind[], allowed: readonly ValueKind[]): { bad: number; expected: readonly ValueKind[] } | null {
  const bad = kinds.findIndex((k) => !allowed.includes(k));
  return bad < 0 ? null : { bad, expected: allowed };
}

const only = (allowed: readonly ValueKind[], result: ValueKind) => (kinds: ValueKind[]) => refuse(kinds, allowed) ?? result;
const listOrScalar = (kinds: ValueKind[]) => refuse(kinds, ['string', 'tokens']) ?? (kinds[0] === 'tokens' ? 'indices' : 'index');

const RULES: Record<TransformOp, InputRule> = {
  z_score: { min: 1, max: 1, out: only(['number'], 'number') },
  scale_0_1: { min: 1, max: 1, out: only(['number'], 'number') },
  bucketize: { min: 1, max: 1, out: only(['number'], 'index') },
  vocabulary: { min: 1, max: 1, out: listOrScalar },
  tokenize: { min: 1, max: 1, out: only(['string'], 'tokens') },
  ngrams: { min: 1, max: 1, out: only(['tokens'], 'tokens') },
  tfidf: { min: 1, max: 1, out: only(['indices'], 'sparse') },
  hash_strings: { min: 1, max: 1, out: listOrScalar },
  cross: { min: 2, max: 8, out: only(['string', 'index'], 'index') },
  pca: { min: 1, max: 64, out: only(FEATURE_KINDS, 'vector') },
  arith: { min: 1, max: 2, out: only(['number'], 'number') },
  fill_missing: { min: 1, max: 1, out: only(['number'], 'number') },
};

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

export interface CheckOptions {
  /** The label column of the transform's split: a step reading it is refused ('reads-label'). */
  label?: string | null;
}

/** Check a spec (as parsed from JSON) against a dataset's columns; throws the first problem found. */
export function checkSpec(spec: unknown, columns: readonly SpecColumn[], options: CheckOptions = {}): CheckedSpec {
  if (!isObject(spec) || !Array.isArray(spec.steps)) throw new TransformError('bad-spec', {}, 'A transform spec is an object with a "steps" list');
  if (spec.steps.length === 0) throw new TransformError('no-steps', {}, 'The transform has no steps');
  const columnTypes = new Map(columns.map((c) => [c.name, c.type]));
  const allNames = new Set<string>();
  for (const s of spec.steps) if (isObject(s) && typeof s.name === 'string') allNames.add(s.name);

  const steps: CheckedStep[] = [];
  const byName = new Map<string, CheckedStep>();
  const used: SpecColumn[] = [];
  spec.steps.forEach((raw: unknown, index: number) => {
    if (!isObject(raw)) throw new TransformError('bad-spec', { params: { index: index + 1 } }, `Step ${index + 1} is not an object`);
    const step = checkNames(raw, index, columnTypes, byName);
    const inputKinds = step.inputs.map((input) => {
      const earlier = byName.get(input);
      if (earlier) return earlier.kind;
      const type = columnTypes.get(input);
      if (type === undefined) {
        const code = allNames.has(input) ? 'input-defined-later' : 'unknown-input';
        throw new TransformError(code, { step: step.name, column: input }, `Step "${step.name}" reads "${input}", which is ${code === 'unknown-input' ? 'neither a column nor a step' : 'not defined above it'}`);
      }
      if (input === options.label) {
        throw new TransformError('reads-label', { step: step.name, column: input }, `Step "${step.name}" reads the label column "${input}": a model trained on the transform would see the answer`);
      }
      const kind = columnKind(type);
      if (kind === null) throw new TransformError('unsupported-column', { step: step.name, column: input, params: { type } }, `Step "${step.name}" reads column "${input}", a ${type} column no step can read`);
      if (!used.some((c) => c.name === input)) used.push({ name: input, type });
      return kind;
    });
    const rule = RULES[step.op];
    if (inputKinds.length < rule.min || inputKinds.length > rule.max) {
      throw new TransformError('wrong-input-count', { step: step.name, params: { min: rule.min, max: rule.max, actual: inputKinds.length } }, `Step "${step.name}" (${step.op}) takes ${rule.min === rule.max ? rule.min : `${rule.min} to ${rule.max}`} inputs, not ${inputKinds.length}`);
    }
    const kind = rule.out(inputKinds);
    if (typeof kind !== 'string') {
      const input = step.inputs[kind.bad]!;
      const actual = inputKinds[kind.bad]!;
      throw new TransformError('wrong-input-kind', { step: step.name, column: input, params: { kind: actual, expected: kind.expected.join(', ') } }, `Step "${step.name}" (${step.op}) cannot read "${input}", which is ${actual} (it reads ${kind.expected.join(' or ')})`);
    }
    const params = checkParams(step.op, step.name, raw.params, step.inputs, inputKinds);
    const inputsReady = Math.max(0, ...step.inputs.map((i) => byName.get(i)?.ready ?? 0));
    const analyzes = hasAnalyzer(step.op, params);
    const checked: CheckedStep = {
      ...step,
      params,
      kind,
      inputKinds,
      output: false,
      analyzePass: analyzes ? inputsReady : -1,
      ready: analyzes ? inputsReady + 1 : inputsReady,
    };
    steps.push(checked);
    byName.set(checked.name, checked);
  });
  markOutputs(spec.steps as Record<string, unknown>[], steps);
  const passes = Math.max(0, ...steps.map((s) => s.ready));
  return { steps, columns: used, passes };
}

/** Name, op and inputs of one step, checked for shape and uniqueness. */
function checkNames(raw: Record<string, unknown>, index: number, columns: Map<string, ColumnType>, earlier: Map<string, CheckedStep>): { name: string; op: TransformOp; inputs: string[] } {
  const name = raw.name;
  if (typeof name !== 'string' || name.trim() === '') throw new TransformError('bad-name', { params: { index: index + 1 } }, `Step ${index + 1} has no name`);
  if (earlier.has(name)) throw new TransformError('duplicate-name', { step: name }, `Two steps are named "${name}"`);
  if (columns.has(name)) throw new TransformError('name-is-column', { step: name, column: name }, `Step "${name}" is named like a column of the data`);
  const op = raw.op;
  if (typeof op !== 'string' || !(TRANSFORM_OPS as readonly string[]).includes(op)) {
    throw new TransformError('unknown-op', { step: name, params: { op: String(op) } }, `Step "${name}" has an unknown operation "${String(op)}"`);
  }
  const inputs = raw.inputs;
  if (!Array.isArray(inputs) || inputs.some((i) => typeof i !== 'string')) {
    throw new TransformError('bad-spec', { step: name, params: { index: index + 1 } }, `Step "${name}": inputs must be a list of column or step names`);
  }
  return { name, op: op as TransformOp, inputs: inputs as string[] };
}

/**
 * Outputs: `output: true` makes a step an output, `output: false` keeps it out; without it, a step is an
 * output when no later step reads it. Every output must be a feature kind, and there must be one.
 */
function markOutputs(raw: Record<string, unknown>[], steps: CheckedStep[]): void {
  const read = new Set(steps.flatMap((s) => s.inputs));
  steps.forEach((s, i) => {
    const flag = raw[i]!.output;
    if (flag !== undefined && typeof flag !== 'boolean') throw new TransformError('param-boolean', { step: s.name, params: { param: 'output' } }, `Step "${s.name}": output must be true or false`);
    s.output = flag ?? !read.has(s.name);
    if (s.output && !FEATURE_KINDS.includes(s.kind)) {
      throw new TransformError('not-a-feature', { step: s.name, params: { kind: s.kind } }, `Step "${s.name}" gives ${s.kind}, which a model cannot take as a feature; read it with another step, or set output to false`);
    }
  });
  if (!steps.some((s) => s.output)) throw new TransformError('no-features', {}, 'No step is a model output');
}
