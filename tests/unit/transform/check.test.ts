/** checkSpec refuses a spec that could not run, naming the step and the column, before reading any data. */
import { describe, expect, it } from 'vitest';
import { checkSpec } from '../../../src/core/transform/check';
import { TransformError } from '../../../src/core/transform/errors';

const COLUMNS = [
  { name: 'age', type: 'number' as const },
  { name: 'city', type: 'categorical' as const },
  { name: 'comment', type: 'text' as const },
  { name: 'photo', type: 'image' as const },
];

/** The TransformError a spec is refused with, as { code, step, column, params }. */
function refusal(spec: unknown): Record<string, unknown> {
  try {
    checkSpec(spec, COLUMNS);
  } catch (e) {
    expect(e).toBeInstanceOf(TransformError);
    const { code, details } = e as TransformError;
    return { code, ...details };
  }
  throw new Error('the spec was accepted');
}

const step = (name: string, op: string, inputs: string[], params?: object, output?: boolean) => ({ name, op, inputs, ...(params ? { params } : {}), ...(output === undefined ? {} : { output }) });

describe('checkSpec', () => {
  it('returns kinds, outputs (the leaves, unless output says otherwise) and the pass each analyzer needs', () => {
    const checked = checkSpec(
      {
        steps: [
          step('age_z', 'z_score', ['age']),
          step('age_bucket', 'bucketize', ['age_z'], { num_buckets: 4 }),
          step('words', 'tokenize', ['comment']),
          step('word_ids', 'vocabulary', ['words'], { top_k: 100 }),
          step('tfidf', 'tfidf', ['word_ids']),
          step('city_id', 'vocabulary', ['city'], undefined, false),
          step('cross', 'cross', ['city', 'age_bucket'], { hash_buckets: 10 }),
        ],
      },
      COLUMNS,
    );
    expect(checked.steps.map((s) => [s.name, s.kind, s.output, s.analyzePass, s.ready])).toEqual([
      ['age_z', 'number', false, 0, 1],
      ['age_bucket', 'index', false, 1, 2],
      ['words', 'tokens', false, -1, 0],
      ['word_ids', 'indices', false, 0, 1],
      ['tfidf', 'sparse', true, 1, 2],
      ['city_id', 'index', false, 0, 1],
      ['cross', 'index', true, -1, 2],
    ]);
    expect(checked.passes).toBe(2);
    expect(checked.columns.map((c) => c.name)).toEqual(['age', 'comment', 'city']);
    // defaults filled in
    expect(checked.steps[3]!.params).toEqual({ top_k: 100, num_oov_buckets: 0, default_value: -1 });
    expect(checked.steps[2]!.params).toEqual({ split: 'whitespace', lowercase: false });
  });

  it('refuses a text column to z_score and a vocabulary over a number, naming step and column', () => {
    expect(refusal({ steps: [step('z', 'z_score', ['comment'])] })).toEqual({ code: 'wrong-input-kind', step: 'z', column: 'comment', params: { kind: 'string', expected: 'number' } });
    expect(refusal({ steps: [step('v', 'vocabulary', ['age'])] })).toEqual({ code: 'wrong-input-kind', step: 'v', column: 'age', params: { kind: 'number', expected: 'string, tokens' } });
    expect(refusal({ steps: [step('t', 'tfidf', ['comment'])] })).toMatchObject({ code: 'wrong-input-kind', step: 't', column: 'comment' });
  });

  it('refuses unknown names, later steps, duplicates, a name taken by a column and image columns', () => {
    expect(refusal({ steps: [step('z', 'z_score', ['height'])] })).toEqual({ code: 'unknown-input', step: 'z', column: 'height' });
    expect(refusal({ steps: [step('a', 'z_score', ['b']), step('b', 'z_score', ['age'])] })).toEqual({ code: 'input-defined-later', step: 'a', column: 'b' });
    expect(refusal({ steps: [step('a', 'z_score', ['a'])] })).toEqual({ code: 'input-defined-later', step: 'a', column: 'a' });
    expect(refusal({ steps: [step('a', 'z_score', ['age']), step('a', 'scale_0_1', ['age'])] })).toEqual({ code: 'duplicate-name', step: 'a' });
    expect(refusal({ steps: [step('age', 'z_score', ['age'])] })).toEqual({ code: 'name-is-column', step: 'age', column: 'age' });
    expect(refusal({ steps: [step('p', 'hash_strings', ['photo'], { hash_buckets: 2 })] })).toEqual({ code: 'unsupported-column', step: 'p', column: 'photo', params: { type: 'image' } });
    expect(refusal({ steps: [step('s', 'sqrt', ['age'])] })).toEqual({ code: 'unknown-op', step: 's', params: { op: 'sqrt' } });
  });

  it('refuses bad parameters by name', () => {
    expect(refusal({ steps: [step('b', 'bucketize', ['age'], { num_buckets: 1 })] })).toEqual({ code: 'param-integer', step: 'b', params: { param: 'num_buckets', min: 2 } });
    expect(refusal({ steps: [step('b', 'bucketize', ['age'])] })).toEqual({ code: 'param-required', step: 'b', params: { param: 'num_buckets' } });
    expect(refusal({ steps: [step('b', 'bucketize', ['age'], { num_bucket: 4 })] })).toMatchObject({ code: 'param-required', step: 'b' });
    expect(refusal({ steps: [step('b', 'bucketize', ['age'], { num_buckets: 4, epsilon: 0.1 })] })).toEqual({ code: 'unknown-param', step: 'b', params: { param: 'epsilon' } });
    expect(refusal({ steps: [step('v', 'vocabulary', ['city'], { top_k: 0 })] })).toEqual({ code: 'param-integer', step: 'v', params: { param: 'top_k', min: 1 } });
    expect(refusal({ steps: [step('v', 'vocabulary', ['city'], { frequency_threshold: -1 })] })).toEqual({ code: 'param-number', step: 'v', params: { param: 'frequency_threshold', min: 0 } });
    expect(refusal({ steps: [step('v', 'vocabulary', ['city'], { num_oov_buckets: 1.5 })] })).toMatchObject({ code: 'param-integer', params: { param: 'num_oov_buckets' } });
    expect(refusal({ steps: [step('h', 'hash_strings', ['city'], { hash_buckets: 0 })] })).toMatchObject({ code: 'param-integer', params: { param: 'hash_buckets', min: 1 } });
    expect(refusal({ steps: [step('t', 'tokenize', ['comment'], { split: 'regex' }), step('v', 'vocabulary', ['t'])] })).toMatchObject({ code: 'param-choice', step: 't', params: { param: 'split' } });
    expect(refusal({ steps: [step('t', 'tokenize', ['comment']), step('g', 'ngrams', ['t'], { ngram_range: [2, 1] }), step('h', 'hash_strings', ['g'], { hash_buckets: 3 })] })).toMatchObject({ code: 'param-range', step: 'g' });
    expect(refusal({ steps: [step('c', 'cross', ['city', 'comment'], { hash_buckets: 5, top_k: 3 })] })).toEqual({ code: 'unknown-param', step: 'c', params: { param: 'top_k' } });
    expect(refusal({ steps: [step('p', 'pca', ['age'], { output_dim: 0 })] })).toMatchObject({ code: 'param-integer', params: { param: 'output_dim' } });
  });

  it('refuses operands that are not an input of the step, a number or an analyzer of an input', () => {
    const arith = (left: unknown, right: unknown) => ({ steps: [step('y', 'arith', ['age'], { op: 'sub', left, right })] });
    expect(refusal(arith({ input: 'age' }, { analyzer: 'median', input: 'age' }))).toMatchObject({ code: 'param-choice', step: 'y', params: { param: 'right' } });
    expect(refusal(arith({ input: 'city' }, { value: 1 }))).toMatchObject({ code: 'param-operand', step: 'y', params: { param: 'left' } });
    expect(refusal(arith({ input: 'age' }, { analyzer: 'quantile', input: 'age', q: 1.5 }))).toMatchObject({ code: 'param-quantile', params: { param: 'right' } });
    expect(refusal(arith({ input: 'age' }, { value: Infinity }))).toMatchObject({ code: 'param-operand', params: { param: 'right' } });
    expect(refusal({ steps: [step('y', 'arith', ['age'], { op: 'pow', left: { input: 'age' }, right: { value: 2 } })] })).toMatchObject({ code: 'param-choice', params: { param: 'op', choices: 'add, sub, mul, div' } });
    expect(refusal({ steps: [step('f', 'fill_missing', ['age'], { with: { input: 'age' } })] })).toMatchObject({ code: 'param-operand', params: { param: 'with' } });
  });

  it('refuses outputs that are not features, a spec without outputs, and input counts out of range', () => {
    expect(refusal({ steps: [step('t', 'tokenize', ['comment'])] })).toEqual({ code: 'not-a-feature', step: 't', params: { kind: 'tokens' } });
    expect(refusal({ steps: [step('z', 'z_score', ['age'], undefined, false)] })).toEqual({ code: 'no-features' });
    expect(refusal({ steps: [step('z', 'z_score', ['age', 'age'])] })).toEqual({ code: 'wrong-input-count', step: 'z', params: { min: 1, max: 1, actual: 2 } });
    expect(refusal({ steps: [step('c', 'cross', ['city'], { hash_buckets: 2 })] })).toMatchObject({ code: 'wrong-input-count', step: 'c' });
  });

  it('refuses a step that reads the label column, naming the step and the label (only when a label is given)', () => {
    const ok = { steps: [step('age_z', 'z_score', ['age']), step('city_id', 'vocabulary', ['city'])] };
    expect(checkSpec(ok, COLUMNS).columns.map((c) => c.name)).toEqual(['age', 'city']);
    expect(checkSpec(ok, COLUMNS, { label: 'comment' }).steps).toHaveLength(2);
    try {
      checkSpec(ok, COLUMNS, { label: 'city' });
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(TransformError);
      expect([(e as TransformError).code, (e as TransformError).details]).toEqual(['reads-label', { step: 'city_id', column: 'city' }]);
    }
  });

  it('refuses what is not a spec', () => {
    expect(refusal(null)).toEqual({ code: 'bad-spec' });
    expect(refusal({ steps: [] })).toEqual({ code: 'no-steps' });
    expect(refusal({ steps: ['z'] })).toEqual({ code: 'bad-spec', params: { index: 1 } });
    expect(refusal({ steps: [{ op: 'z_score', inputs: ['age'] }] })).toEqual({ code: 'bad-name', params: { index: 1 } });
    expect(refusal({ steps: [{ name: 'z', op: 'z_score', inputs: 'age' }] })).toMatchObject({ code: 'bad-spec', step: 'z' });
    expect(refusal({ steps: [{ name: 'z', op: 'z_score', inputs: ['age'], params: [] }] })).toMatchObject({ code: 'bad-spec', step: 'z' });
  });
});
