import { describe, expect, it } from 'vitest';
import {
  addInput,
  addStep,
  checkDraft,
  fromSpec,
  isOutput,
  inputOptions,
  moveStep,
  operandKind,
  operandOfKind,
  PARAM_FIELDS,
  parseSpecText,
  removeStep,
  renameStep,
  setInput,
  setOp,
  setParam,
  specText,
  stepReading,
  targetReading,
  toSpec,
  type DraftStep,
  type ParamField,
} from '../../../src/app/transform-draft';
import { fittedFacts } from '../../../src/app/transform-fitted';
import { chunkFromRows } from '../../../src/core/transform/chunk';
import { fitTransform } from '../../../src/core/transform/fit';
import type { ColumnType } from '../../../src/core/data/types';
import { TRANSFORM_OPS } from '../../../src/core/transform/spec';

const COLUMNS: { name: string; type: ColumnType }[] = [
  { name: 'x', type: 'number' },
  { name: 'y', type: 'integer' },
  { name: 's', type: 'categorical' },
  { name: 'photo', type: 'image' },
];

/** The TFX "simple" tutorial's preprocessing_fn, as a spec. */
const SIMPLE = {
  steps: [
    { name: 'x_centered', op: 'arith', inputs: ['x'], params: { op: 'sub', left: { input: 'x' }, right: { analyzer: 'mean', input: 'x' } } },
    { name: 'y_normalized', op: 'scale_0_1', inputs: ['y'] },
    { name: 's_integerized', op: 'vocabulary', inputs: ['s'] },
    { name: 'x_centered_times_y_normalized', op: 'arith', inputs: ['x_centered', 'y_normalized'], params: { op: 'mul', left: { input: 'x_centered' }, right: { input: 'y_normalized' } } },
  ],
};

function draft(): DraftStep[] {
  const steps = fromSpec(SIMPLE);
  if (!Array.isArray(steps)) throw steps;
  return steps;
}

describe('the step list and the spec', () => {
  it('gives back exactly the spec it was read from, and reads a transform.json by its spec', () => {
    expect(toSpec(draft())).toEqual(SIMPLE);
    expect(JSON.parse(specText(draft()))).toEqual(SIMPLE);
    const fromFile = fromSpec({ format: 'pipette-transform', version: 1, spec: SIMPLE, steps: [] });
    expect(Array.isArray(fromFile) && toSpec(fromFile)).toEqual(SIMPLE);
    const parsed = parseSpecText(specText(draft()));
    expect('steps' in parsed && toSpec(parsed.steps)).toEqual(SIMPLE);
  });

  it('reads steps held in proxies, as the page state holds them (structuredClone cannot copy a proxy)', () => {
    const proxied = draft().map((s) => new Proxy({ ...s, params: new Proxy(s.params, {}) }, {}));
    expect(toSpec(proxied)).toEqual(SIMPLE);
    expect(addStep(proxied, 'bucketize', COLUMNS).inputs).toEqual(['x_centered_times_y_normalized']);
  });

  it('says what is wrong with JSON that is not a spec', () => {
    expect(parseSpecText('{"steps": [')).toHaveProperty('notJson');
    const notSpec = parseSpecText('{"steps": 3}');
    expect('error' in notSpec && notSpec.error.code).toBe('bad-spec');
    const notStep = parseSpecText('{"steps": [{"name": "a", "op": "z_score", "inputs": ["x"]}, 7]}');
    expect('error' in notStep && notStep.error.details.params).toEqual({ index: 2 });
  });

  it('checks as the worker does: the TFX example passes; z_score of a category is refused naming the step and column', () => {
    const ok = checkDraft(draft(), COLUMNS);
    expect(ok.ok && ok.checked.steps.map((s) => [s.name, s.kind, s.output])).toEqual([
      ['x_centered', 'number', false],
      ['y_normalized', 'number', false],
      ['s_integerized', 'index', true],
      ['x_centered_times_y_normalized', 'number', true],
    ]);
    const steps = draft();
    setInput(steps[1]!, 0, 's');
    setOp(steps[1]!, 'z_score');
    const bad = checkDraft(steps, COLUMNS);
    expect(!bad.ok && [bad.error.code, bad.error.details.step, bad.error.details.column]).toEqual(['wrong-input-kind', 'y_normalized', 's']);
  });

  it('refuses a step reading the label column before analyze, naming the step and the label; stepReading finds it', () => {
    // s is the label: s_integerized reads it
    const bad = checkDraft(draft(), COLUMNS, 's');
    expect(!bad.ok && [bad.error.code, bad.error.details.step, bad.error.details.column]).toEqual(['reads-label', 's_integerized', 's']);
    // y is read by the second step (x by the first); without a label nothing is refused
    const byY = checkDraft(draft(), COLUMNS, 'y');
    expect(!byY.ok && [byY.error.details.step, byY.error.details.column]).toEqual(['y_normalized', 'y']);
    expect(checkDraft(draft(), COLUMNS, null).ok).toBe(true);
    expect([stepReading(draft(), 's'), stepReading(draft(), 'x_centered'), stepReading(draft(), 'photo')]).toEqual(['s_integerized', 'x_centered_times_y_normalized', null]);
    // no label chosen: the step reading the project's target is said, not refused
    expect(targetReading(draft(), COLUMNS, '', 's')).toEqual({ step: 's_integerized', column: 's' });
    expect([targetReading(draft(), COLUMNS, 'x', 's'), targetReading(draft(), COLUMNS, '', ''), targetReading(draft(), COLUMNS, '', 'photo'), targetReading(draft(), COLUMNS, '', 'gone')]).toEqual([null, null, null, null]);
  });

  it('a model feature is a step no later step reads, unless set by hand', () => {
    const steps = draft();
    expect(steps.map((_, i) => isOutput(steps, i))).toEqual([false, false, true, true]);
    steps[0]!.output = true;
    steps[3]!.output = false;
    expect(steps.map((_, i) => isOutput(steps, i))).toEqual([true, false, true, false]);
  });
});

describe('editing steps', () => {
  it('a new step reads the first input its operation can read (the newest step first, then columns)', () => {
    const steps: DraftStep[] = [];
    expect(addStep(steps, 'vocabulary', COLUMNS).inputs).toEqual(['s']);
    expect(addStep(steps, 'z_score', COLUMNS).inputs).toEqual(['x']);
    // bucketize reads numbers: the z_score step above, not the vocabulary's index
    const b = addStep(steps, 'bucketize', COLUMNS);
    expect(b.inputs).toEqual(['z_score']);
    expect(b.params).toEqual({ num_buckets: 4 });
    expect(addStep(steps, 'cross', COLUMNS).inputs).toEqual(['bucketize']);
    expect(steps.map((s) => s.name)).toEqual(['vocabulary', 'z_score', 'bucketize', 'cross']);
    expect(addStep(steps, 'z_score', COLUMNS).name).toBe('z_score_2');
    expect(checkDraft(steps.slice(0, 3), COLUMNS).ok).toBe(true);
  });

  it('renaming a step renames what later steps read, operands included', () => {
    const steps = draft();
    renameStep(steps, 0, 'xc');
    expect(steps[3]!.inputs).toEqual(['xc', 'y_normalized']);
    expect(steps[3]!.params.left).toEqual({ input: 'xc' });
    expect(checkDraft(steps, COLUMNS).ok).toBe(true);
  });

  it('moving a step below one that reads it is refused by the check, naming both', () => {
    const steps = draft();
    moveStep(steps, 0, 1);
    moveStep(steps, 1, 1);
    moveStep(steps, 2, 1);
    expect(steps.map((s) => s.name)).toEqual(['y_normalized', 's_integerized', 'x_centered_times_y_normalized', 'x_centered']);
    const check = checkDraft(steps, COLUMNS);
    expect(!check.ok && [check.error.code, check.error.details.step, check.error.details.column]).toEqual(['input-defined-later', 'x_centered_times_y_normalized', 'x_centered']);
    removeStep(steps, 2);
    expect(checkDraft(steps, COLUMNS).ok).toBe(true);
  });

  it('another operation takes its own parameters and as many inputs as it reads', () => {
    const steps = draft();
    const last = steps[3]!;
    setOp(last, 'z_score');
    expect(last.inputs).toEqual(['x_centered']);
    expect(last.params).toEqual({});
    setOp(last, 'cross');
    addInput(last, 's');
    expect(last.inputs).toEqual(['x_centered', 's']);
    // a number cannot be crossed: the check names the input
    const check = checkDraft(steps, COLUMNS);
    expect(!check.ok && [check.error.code, check.error.details.column]).toEqual(['wrong-input-kind', 'x_centered']);
  });

  it('offers the readable columns (not images) and the steps above, with their kinds', () => {
    expect(inputOptions(draft(), 3, COLUMNS)).toEqual([
      { name: 'x', kind: 'number', isStep: false },
      { name: 'y', kind: 'number', isStep: false },
      { name: 's', kind: 'string', isStep: false },
      { name: 'x_centered', kind: 'number', isStep: true },
      { name: 'y_normalized', kind: 'number', isStep: true },
      { name: 's_integerized', kind: 'index', isStep: true },
    ]);
  });
});

describe('the parameter fields', () => {
  const TEXT_COLUMNS: { name: string; type: ColumnType }[] = [...COLUMNS, { name: 't', type: 'text' }];
  const SAMPLE: Record<ParamField['kind'], (f: ParamField) => unknown> = {
    integer: () => 3,
    number: () => 1,
    boolean: (f) => !(f as { fallback: boolean }).fallback,
    text: () => '-',
    choice: (f) => (f as { choices: readonly string[] }).choices.at(-1),
    range: () => [1, 3],
    operand: () => ({ value: 2 }),
  };

  it('are exactly the parameters checkSpec takes: every field set to a valid value checks, for every operation', () => {
    for (const op of TRANSFORM_OPS) {
      const steps: DraftStep[] = [];
      // text becomes tokens, then indices, for the operations that read those
      addStep(steps, 'tokenize', TEXT_COLUMNS);
      addStep(steps, 'vocabulary', TEXT_COLUMNS);
      const step = addStep(steps, op, TEXT_COLUMNS);
      if (op === 'cross') addInput(step, 's');
      for (const field of PARAM_FIELDS[op]) setParam(step, field.key, SAMPLE[field.kind](field));
      if (op === 'cross') setParam(step, 'hash_buckets', undefined);
      // the step under test need not be a feature (tokens are not); the vocabulary over tokens is one
      steps[1]!.output = true;
      step.output = false;
      const check = checkDraft(steps, TEXT_COLUMNS);
      expect(check.ok ? 'ok' : `${op}: ${check.error.message}`).toBe('ok');
      setParam(step, 'num_bucket', 3);
      const typo = checkDraft(steps, TEXT_COLUMNS);
      expect(!typo.ok && typo.error.code).toBe('unknown-param');
    }
  });

  it('an operand switches kind keeping the step input it reads', () => {
    expect(operandKind({ analyzer: 'mean', input: 'x' })).toBe('analyzer');
    expect(operandKind({ value: 1 })).toBe('value');
    expect(operandKind({ input: 'x' })).toBe('input');
    expect(operandOfKind('analyzer', ['x', 'y'])).toEqual({ analyzer: 'mean', input: 'x' });
    expect(operandOfKind('value', ['x'])).toEqual({ value: 0 });
  });
});

describe('the fitted state shown per step', () => {
  it('mean and standard deviation (biased), range, vocabulary with counts: the TFX example by hand', async () => {
    const rows = [
      { x: 1, y: 1, s: 'hello' },
      { x: 2, y: 2, s: 'world' },
      { x: 3, y: 3, s: 'hello' },
    ];
    const spec = { steps: [...SIMPLE.steps, { name: 'xz', op: 'z_score', inputs: ['x'] }, { name: 'xb', op: 'bucketize', inputs: ['x'], params: { num_buckets: 2 } }] };
    const columns = COLUMNS.slice(0, 3);
    const fitted = await fitTransform(spec, columns, async function* () {
      yield chunkFromRows(rows, columns);
    });
    const facts = Object.fromEntries(fitted.steps.map((s) => [s.name, fittedFacts(s)]));
    expect(facts.xz).toEqual([
      { key: 'mean', value: 2 },
      { key: 'std', value: Math.sqrt(2 / 3) },
      { key: 'count', value: 3 },
    ]);
    expect(facts.y_normalized).toEqual([
      { key: 'min', value: 1 },
      { key: 'max', value: 3 },
      { key: 'count', value: 3 },
    ]);
    expect(facts.s_integerized).toEqual([{ key: 'vocabulary', size: 2, top: [{ token: 'hello', count: 2 }, { token: 'world', count: 1 }] }]);
    expect(facts.x_centered).toEqual([{ key: 'right', value: 2 }]);
    expect(facts.xb).toEqual([{ key: 'boundaries', values: [2] }]);
  });
});
