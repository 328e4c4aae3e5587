/**
 * The Transform page's step editor as a pure form model: the list of steps a person edits (add, remove,
 * reorder, rename, pick inputs and parameters), the exact JSON spec it stands for and back, and the check
 * of core/transform's checkSpec, which refuses a spec naming the step and the column before anything runs.
 * No Svelte, no store, no messages; no TF.js or Arrow (check.ts and spec.ts import neither).
 */
import type { ColumnInfo } from '../core/data/types';
import { checkSpec, type CheckedSpec } from '../core/transform/check';
import { TransformError } from '../core/transform/errors';
import { TRANSFORM_FORMAT } from '../core/transform/reader.js';
import { ARITH_OPS, columnKind, TRANSFORM_OPS, type ArithOp, type TransformOp, type TransformSpec, type ValueKind } from '../core/transform/spec';

export interface DraftStep {
  /** A key for the list (not part of the spec). */
  key: number;
  name: string;
  /** An operation of TRANSFORM_OPS, or whatever a pasted spec said (checkSpec then names it). */
  op: string;
  inputs: string[];
  params: Record<string, unknown>;
  /** Set by hand; undefined: a model feature exactly when no later step reads it. */
  output?: boolean;
}

/** The parameters the form edits (spec.ts's names) and the choices of the choice fields. */
export type ParamKey =
  | 'num_buckets'
  | 'top_k'
  | 'frequency_threshold'
  | 'num_oov_buckets'
  | 'default_value'
  | 'split'
  | 'lowercase'
  | 'ngram_range'
  | 'separator'
  | 'smooth'
  | 'hash_buckets'
  | 'output_dim'
  | 'center'
  | 'op'
  | 'left'
  | 'right'
  | 'with';
export type ParamChoice = 'whitespace' | 'words' | ArithOp;

/** A parameter the form edits: its key in the spec and how it is entered. */
export type ParamField =
  | { key: ParamKey; kind: 'integer' | 'number'; optional: boolean }
  | { key: ParamKey; kind: 'boolean'; fallback: boolean }
  | { key: ParamKey; kind: 'text'; fallback: string }
  | { key: ParamKey; kind: 'choice'; choices: readonly ParamChoice[] }
  | { key: ParamKey; kind: 'range' }
  | { key: ParamKey; kind: 'operand' };

const VOCABULARY_FIELDS: ParamField[] = [
  { key: 'top_k', kind: 'integer', optional: true },
  { key: 'frequency_threshold', kind: 'number', optional: true },
  { key: 'num_oov_buckets', kind: 'integer', optional: true },
  { key: 'default_value', kind: 'integer', optional: true },
];

/** Each operation's parameters as the form shows them (spec.ts's ParamsOf, with its defaults). */
export const PARAM_FIELDS: Record<TransformOp, ParamField[]> = {
  z_score: [],
  scale_0_1: [],
  bucketize: [{ key: 'num_buckets', kind: 'integer', optional: false }],
  vocabulary: VOCABULARY_FIELDS,
  tokenize: [
    { key: 'split', kind: 'choice', choices: ['whitespace', 'words'] },
    { key: 'lowercase', kind: 'boolean', fallback: false },
  ],
  ngrams: [
    { key: 'ngram_range', kind: 'range' },
    { key: 'separator', kind: 'text', fallback: ' ' },
  ],
  tfidf: [{ key: 'smooth', kind: 'boolean', fallback: true }],
  hash_strings: [{ key: 'hash_buckets', kind: 'integer', optional: false }],
  cross: [{ key: 'hash_buckets', kind: 'integer', optional: true }, ...VOCABULARY_FIELDS],
  pca: [
    { key: 'output_dim', kind: 'integer', optional: false },
    { key: 'center', kind: 'boolean', fallback: false },
  ],
  arith: [
    { key: 'op', kind: 'choice', choices: ARITH_OPS },
    { key: 'left', kind: 'operand' },
    { key: 'right', kind: 'operand' },
  ],
  fill_missing: [{ key: 'with', kind: 'operand' }],
};

/** An operand's form: which kind, and the fields of each kind (kept while switching). */
export type OperandKind = 'input' | 'value' | 'analyzer';

export function operandKind(o: unknown): OperandKind {
  return isObject(o) && 'analyzer' in o ? 'analyzer' : isObject(o) && 'value' in o ? 'value' : 'input';
}

/** An operand of another kind, reading the step's first input (or 0 for a constant). */
export function operandOfKind(kind: OperandKind, inputs: readonly string[]): Record<string, unknown> {
  const input = inputs[0] ?? '';
  return kind === 'value' ? { value: 0 } : kind === 'analyzer' ? { analyzer: 'mean', input } : { input };
}

/** Operations that take more than one input, and how many at most (check.ts's rules). */
export const MULTI_INPUT: Partial<Record<TransformOp, number>> = { cross: 8, pca: 64, arith: 2 };

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A copy of JSON parameters; unlike structuredClone it also copies the page's reactive ($state) proxies. */
const copyJson = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

let lastKey = 0;
function nextKey(): number {
  return ++lastKey;
}

/** Parameters a new step of this operation starts with: the required ones, at tf.Transform-like values. */
export function defaultParams(op: string, inputs: readonly string[]): Record<string, unknown> {
  const first = inputs[0] ?? '';
  switch (op) {
    case 'bucketize':
      return { num_buckets: 4 };
    case 'hash_strings':
      return { hash_buckets: 100 };
    case 'ngrams':
      return { ngram_range: [1, 2] };
    case 'pca':
      return { output_dim: 2 };
    case 'arith':
      return { op: 'sub', left: { input: first }, right: { analyzer: 'mean', input: first } };
    case 'fill_missing':
      return { with: { analyzer: 'mean', input: first } };
    default:
      return {};
  }
}

/** The spec the steps stand for (empty parameters and an unset output are left out). */
export function toSpec(steps: readonly DraftStep[]): TransformSpec {
  return {
    steps: steps.map((s) => ({
      name: s.name,
      op: s.op,
      inputs: [...s.inputs],
      ...(Object.keys(s.params).length > 0 ? { params: copyJson(s.params) } : {}),
      ...(s.output !== undefined ? { output: s.output } : {}),
    })) as TransformSpec['steps'],
  };
}

/**
 * Steps from a spec as JSON, or from a whole transform.json (its spec). A value that is not a spec is a
 * TransformError 'bad-spec' (with the position of a step that is not an object).
 */
export function fromSpec(value: unknown): DraftStep[] | TransformError {
  const spec = isObject(value) && value.format === TRANSFORM_FORMAT ? value.spec : value;
  if (!isObject(spec) || !Array.isArray(spec.steps)) return new TransformError('bad-spec', {}, 'A transform spec is an object with a "steps" list');
  const steps: DraftStep[] = [];
  for (const [i, raw] of spec.steps.entries()) {
    if (!isObject(raw)) return new TransformError('bad-spec', { params: { index: i + 1 } }, `Step ${i + 1} is not an object`);
    steps.push({
      key: nextKey(),
      name: typeof raw.name === 'string' ? raw.name : '',
      op: typeof raw.op === 'string' ? raw.op : '',
      inputs: Array.isArray(raw.inputs) ? raw.inputs.map(String) : [],
      params: isObject(raw.params) ? copyJson(raw.params) : {},
      ...(typeof raw.output === 'boolean' ? { output: raw.output } : {}),
    });
  }
  return steps;
}

/** The JSON view's text: the spec, indented. */
export function specText(steps: readonly DraftStep[]): string {
  return JSON.stringify(toSpec(steps), null, 2);
}

/** The JSON view's text read back: steps, or what is wrong ('json': not JSON, with the parser's words). */
export function parseSpecText(text: string): { steps: DraftStep[] } | { error: TransformError } | { notJson: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { notJson: e instanceof Error ? e.message : String(e) };
  }
  const steps = fromSpec(value);
  return steps instanceof TransformError ? { error: steps } : { steps };
}

export type DraftCheck = { ok: true; checked: CheckedSpec } | { ok: false; error: TransformError };

/**
 * checkSpec on the draft: the refusal names the step (and column) as the worker would; with the split's
 * label column, a step reading it is refused too.
 */
export function checkDraft(steps: readonly DraftStep[], columns: readonly Pick<ColumnInfo, 'name' | 'type'>[], label: string | null = null): DraftCheck {
  try {
    return { ok: true, checked: checkSpec(toSpec(steps), columns, { label }) };
  } catch (e) {
    if (e instanceof TransformError) return { ok: false, error: e };
    throw e;
  }
}

/** The first step that reads this raw column as an input, or null. */
export function stepReading(steps: readonly DraftStep[], column: string): string | null {
  return steps.find((s) => s.inputs.includes(column))?.name ?? null;
}

/**
 * With no label chosen for the split, the step reading the project's target column (if one does): worth
 * saying, though not refused, since a model trained on the transform could not take that column as its label.
 */
export function targetReading(steps: readonly DraftStep[], columns: readonly Pick<ColumnInfo, 'name'>[], label: string, target: string): { step: string; column: string } | null {
  if (label !== '' || target === '' || !columns.some((c) => c.name === target)) return null;
  const step = stepReading(steps, target);
  return step ? { step, column: target } : null;
}

/** Whether a step is a model feature: as set, or as checkSpec decided (a step no later step reads). */
export function isOutput(steps: readonly DraftStep[], index: number): boolean {
  const step = steps[index]!;
  return step.output ?? !steps.slice(index + 1).some((s) => s.inputs.includes(step.name));
}

export interface InputOption {
  name: string;
  /** A raw column's or an earlier step's kind; null when the steps above it do not check yet. */
  kind: ValueKind | null;
  isStep: boolean;
}

/** What step `index` can read: the raw columns (not images) and the steps above it. */
export function inputOptions(steps: readonly DraftStep[], index: number, columns: readonly Pick<ColumnInfo, 'name' | 'type'>[]): InputOption[] {
  const raw: InputOption[] = columns.flatMap((c) => {
    const kind = columnKind(c.type);
    return kind === null ? [] : [{ name: c.name, kind, isStep: false }];
  });
  const above = steps.slice(0, index);
  const check = above.length > 0 ? checkDraft(above, columns) : null;
  const kinds = new Map(check?.ok ? check.checked.steps.map((s) => [s.name, s.kind]) : []);
  return [...raw, ...above.map((s) => ({ name: s.name, kind: kinds.get(s.name) ?? null, isStep: true }))];
}

/**
 * The first input the operation can read, tried with checkSpec (so the kinds it accepts live in one
 * place): earlier steps first, newest first, then the raw columns; '' when nothing fits.
 */
function fittingInput(steps: readonly DraftStep[], op: string, columns: readonly Pick<ColumnInfo, 'name' | 'type'>[]): string {
  const options = inputOptions(steps, steps.length, columns);
  const order = [...options.filter((o) => o.isStep).reverse(), ...options.filter((o) => !o.isStep)];
  for (const o of order) {
    const trial: DraftStep = { key: 0, name: '\u0000trial', op, inputs: op === 'cross' ? [o.name, o.name] : [o.name], params: defaultParams(op, [o.name]), output: true };
    const check = checkDraft([...steps, trial], columns);
    if (check.ok || (check.error.details.step === trial.name && check.error.code !== 'wrong-input-kind' && check.error.code !== 'unsupported-column')) return o.name;
  }
  return '';
}

/** A name not yet taken by a step or a column: base, base_2, base_3 ... */
export function freeName(base: string, steps: readonly DraftStep[], columns: readonly Pick<ColumnInfo, 'name'>[]): string {
  const taken = new Set([...steps.map((s) => s.name), ...columns.map((c) => c.name)]);
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}

/** Append a step of this operation, reading the first input it can read. */
export function addStep(steps: DraftStep[], op: TransformOp, columns: readonly Pick<ColumnInfo, 'name' | 'type'>[]): DraftStep {
  const input = fittingInput(steps, op, columns);
  const inputs = input ? [input] : [];
  const step: DraftStep = { key: nextKey(), name: freeName(op, steps, columns), op, inputs, params: defaultParams(op, inputs) };
  steps.push(step);
  return step;
}

export function removeStep(steps: DraftStep[], index: number): void {
  steps.splice(index, 1);
}

/** Move a step up (-1) or down (+1); a later step that reads it is then refused by the check, by name. */
export function moveStep(steps: DraftStep[], index: number, delta: -1 | 1): void {
  const to = index + delta;
  if (to < 0 || to >= steps.length) return;
  const [step] = steps.splice(index, 1);
  steps.splice(to, 0, step!);
}

/** Operands (arith's left and right, fill_missing's with) whose input is `from` read `to` instead. */
function renameOperands(step: DraftStep, from: string, to: string): void {
  for (const key of ['left', 'right', 'with']) {
    const o = step.params[key];
    if (isObject(o) && o.input === from) step.params[key] = { ...o, input: to };
  }
}

/** Rename a step; the later steps that read it follow. */
export function renameStep(steps: DraftStep[], index: number, name: string): void {
  const old = steps[index]!.name;
  steps[index]!.name = name;
  for (const s of steps.slice(index + 1)) {
    s.inputs = s.inputs.map((i) => (i === old ? name : i));
    renameOperands(s, old, name);
  }
}

/** Another operation: its default parameters; inputs kept up to what it takes. */
export function setOp(step: DraftStep, op: TransformOp): void {
  step.op = op;
  step.inputs = step.inputs.slice(0, MULTI_INPUT[op] ?? 1);
  step.params = defaultParams(op, step.inputs);
}

/** Input `j` reads `name`; an operand that read the old input follows. */
export function setInput(step: DraftStep, j: number, name: string): void {
  const old = step.inputs[j];
  step.inputs[j] = name;
  if (old !== undefined && !step.inputs.includes(old)) renameOperands(step, old, name);
}

export function addInput(step: DraftStep, name: string): void {
  if (step.inputs.length < (MULTI_INPUT[step.op as TransformOp] ?? 1)) step.inputs.push(name);
}

export function removeInput(step: DraftStep, j: number): void {
  step.inputs.splice(j, 1);
}

/** Set a parameter; undefined removes it (the operation's default applies). */
export function setParam(step: DraftStep, key: string, value: unknown): void {
  if (value === undefined) delete step.params[key];
  else step.params[key] = value;
}

/** Whether the draft's operations are all known (the op menu can show them). */
export function isKnownOp(op: string): op is TransformOp {
  return (TRANSFORM_OPS as readonly string[]).includes(op);
}
