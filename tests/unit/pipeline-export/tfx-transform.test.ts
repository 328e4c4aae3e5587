/**
 * Each transform operation as the tf.Transform call with the step's arguments
 * (tensorflow_transform/mappers.py, analyzers.py), the feature widths run_fn assembles, and the notes for
 * what tf.Transform does differently.
 */
import { describe, expect, it } from 'vitest';
import { preprocessingFn } from '../../../src/core/pipeline/export/tfx-module';
import type { SpecColumn } from '../../../src/core/transform/check';
import type { TransformStep } from '../../../src/core/transform/spec';
import { syntaxErrors } from './python-syntax';

const COLUMNS: SpecColumn[] = [
  { name: 'x', type: 'number' },
  { name: 'y', type: 'integer' },
  { name: 's', type: 'categorical' },
  { name: 't', type: 'text' },
  { name: 'b', type: 'boolean' },
];

/** The statement that computes a step (default the last). */
function lastStatement(steps: TransformStep[], name = steps.at(-1)!.name): string {
  const out = preprocessingFn({ steps }, COLUMNS);
  const line = out.source.split('\n').find((l) => l.trimStart().startsWith(`values["${name}"] =`));
  return line!.trim();
}

describe('preprocessing_fn: each step as its tf.Transform call', () => {
  it('reads raw columns as Pipette reads cells', () => {
    const out = preprocessingFn({ steps: [{ name: 'z', op: 'z_score', inputs: ['x'] }, { name: 'f', op: 'arith', inputs: ['b'], params: { op: 'mul', left: { input: 'b' }, right: { value: 2 } } }, { name: 'i', op: 'vocabulary', inputs: ['s'] }] }, COLUMNS);
    expect(out.source).toContain('values["x"] = _number(inputs["x"])');
    expect(out.source).toContain('values["b"] = _boolean(inputs["b"])');
    expect(out.source).toContain('values["s"] = _string(inputs["s"])');
    expect(out.source).not.toContain('inputs["y"]');
    expect(syntaxErrors(out.source)).toEqual([]);
  });

  it('scales: z_score, scale_0_1', () => {
    expect(lastStatement([{ name: 'z', op: 'z_score', inputs: ['x'] }])).toBe('values["z"] = tft.scale_to_z_score(values["x"])');
    expect(lastStatement([{ name: 'u', op: 'scale_0_1', inputs: ['y'] }])).toBe('values["u"] = tft.scale_to_0_1(values["y"])');
  });

  it('bucketize with num_buckets', () => {
    expect(lastStatement([{ name: 'q', op: 'bucketize', inputs: ['x'], params: { num_buckets: 5 } }])).toBe('values["q"] = tft.bucketize(values["x"], num_buckets=5)');
  });

  it('vocabulary with top_k, frequency_threshold, num_oov_buckets and default_value', () => {
    expect(lastStatement([{ name: 's_idx', op: 'vocabulary', inputs: ['s'], params: { top_k: 10 } }])).toBe(
      'values["s_idx"] = tft.compute_and_apply_vocabulary(values["s"], top_k=10, num_oov_buckets=0, default_value=-1, vocab_filename="vocab_s_idx")',
    );
    expect(lastStatement([{ name: 'v', op: 'vocabulary', inputs: ['s'], params: { frequency_threshold: 3, num_oov_buckets: 2, default_value: 0 } }])).toBe(
      'values["v"] = tft.compute_and_apply_vocabulary(values["s"], frequency_threshold=3, num_oov_buckets=2, default_value=0, vocab_filename="vocab_v")',
    );
  });

  it('tokenize (whitespace or words, lowercase), ngrams, and tfidf over a vocabulary or a hash', () => {
    const hashed: TransformStep = { name: 'wi', op: 'hash_strings', inputs: ['w'], params: { hash_buckets: 8 } };
    expect(lastStatement([{ name: 'w', op: 'tokenize', inputs: ['t'] }, hashed], 'w')).toBe(
      'values["w"] = tf.strings.split(values["t"]).to_sparse()',
    );
    expect(lastStatement([{ name: 'w', op: 'tokenize', inputs: ['t'], params: { split: 'words', lowercase: true } }, hashed], 'w')).toBe(
      'values["w"] = tf.strings.split(tf.strings.strip(tf.strings.regex_replace(tf.strings.lower(values["t"], encoding=\'utf-8\'), "[^\\\\p{L}\\\\p{N}]+", \' \'))).to_sparse()',
    );
    const tokens: TransformStep = { name: 'w', op: 'tokenize', inputs: ['t'] };
    expect(lastStatement([tokens, { name: 'g', op: 'ngrams', inputs: ['w'], params: { ngram_range: [1, 3], separator: '_' } }, { name: 'gi', op: 'hash_strings', inputs: ['g'], params: { hash_buckets: 4 } }], 'g')).toBe(
      'values["g"] = tft.ngrams(values["w"], ngram_range=(1, 3), separator="_")',
    );
    const ids: TransformStep = { name: 'ids', op: 'vocabulary', inputs: ['w'] };
    expect(lastStatement([tokens, ids, { name: 'tf', op: 'tfidf', inputs: ['ids'] }])).toBe(
      'values["tf"] = tft.tfidf(values["ids"], vocab_size=tft.get_num_buckets_for_transformed_feature(values["ids"]), smooth=True)',
    );
    expect(lastStatement([tokens, { name: 'h', op: 'hash_strings', inputs: ['w'], params: { hash_buckets: 64 } }, { name: 'tf', op: 'tfidf', inputs: ['h'], params: { smooth: false } }])).toBe(
      'values["tf"] = tft.tfidf(values["h"], vocab_size=64, smooth=False)',
    );
  });

  it('tfidf is returned as tft.tfidf\'s index and weight, each sparse feature as wide as its vocabulary', () => {
    const out = preprocessingFn({ steps: [{ name: 'w', op: 'tokenize', inputs: ['t'] }, { name: 'h', op: 'hash_strings', inputs: ['w'], params: { hash_buckets: 64 } }, { name: 'tf', op: 'tfidf', inputs: ['h'] }] }, COLUMNS);
    expect(out.source).toContain('"tf_index": values["tf"][0],');
    expect(out.source).toContain('"tf_weight": values["tf"][1],');
    expect(out.features).toEqual([{ name: 'tf', kind: 'sparse', width: '64' }]);
  });

  it('hash_strings and crosses, with the hash difference said', () => {
    const hashed = preprocessingFn({ steps: [{ name: 'h', op: 'hash_strings', inputs: ['s'], params: { hash_buckets: 100 } }] }, COLUMNS);
    expect(hashed.source).toContain('values["h"] = tft.hash_strings(values["s"], hash_buckets=100)');
    expect(hashed.notes.map((n) => n.code)).toContain('hash-differs');
    const steps: TransformStep[] = [
      { name: 'q', op: 'bucketize', inputs: ['x'], params: { num_buckets: 3 } },
      { name: 'c', op: 'cross', inputs: ['s', 'q'], params: { top_k: 5 } },
    ];
    const crossed = preprocessingFn({ steps }, COLUMNS).source;
    expect(crossed).toContain(`_c = tf.strings.join([values["s"], tf.strings.as_string(values["q"])], separator='_X_')`);
    expect(crossed).toContain('_c = tft.compute_and_apply_vocabulary(_c, top_k=5, num_oov_buckets=0, default_value=-1, vocab_filename="vocab_c")');
    expect(crossed).toContain(`values["c"] = tf.where(tf.equal(values["s"], '') | (values["q"] < 0), tf.constant(-1, tf.int64), _c)`);
  });

  it('pca over numbers, centred or not; over an index it is a TODO and a note', () => {
    const steps: TransformStep[] = [{ name: 'p', op: 'pca', inputs: ['x', 'y'], params: { output_dim: 1, center: true } }];
    const out = preprocessingFn({ steps }, COLUMNS);
    expect(out.source).toContain('_p = tf.concat([tf.reshape(values["x"], [-1, 1]), tf.reshape(values["y"], [-1, 1])], axis=1)');
    expect(out.source).toContain('values["p"] = tf.matmul((_p - tft.mean(_p, reduce_instance_dims=False)), tft.pca(_p, output_dim=1, dtype=tf.float32))');
    expect(out.features).toEqual([{ name: 'p', kind: 'vector', width: '1' }]);
    expect(lastStatement([{ name: 'p', op: 'pca', inputs: ['x', 'y'], params: { output_dim: 2 } }])).toBe('values["p"] = tf.matmul(_p, tft.pca(_p, output_dim=2, dtype=tf.float32))');
    const onIndex = preprocessingFn({ steps: [{ name: 'i', op: 'vocabulary', inputs: ['s'] }, { name: 'p', op: 'pca', inputs: ['i'], params: { output_dim: 1 } }] }, COLUMNS);
    expect(onIndex.source).toContain('# TODO(pipette export): step "p" (pca)');
    expect(onIndex.notes.filter((n) => n.code === 'op-not-exported').map((n) => n.params)).toEqual([{ step: 'p', op: 'pca' }]);
    expect(syntaxErrors(onIndex.source)).toEqual([]);
  });

  it('arith between columns and analyzers over their finite values', () => {
    const arith = (left: object, right: object, op = 'sub') => lastStatement([{ name: 'a', op: 'arith', inputs: ['x', 'y'], params: { op, left, right } } as TransformStep]);
    expect(arith({ input: 'x' }, { input: 'y' }, 'div')).toBe('values["a"] = values["x"] / values["y"]');
    expect(arith({ input: 'x' }, { analyzer: 'mean', input: 'x' })).toBe('values["a"] = values["x"] - tft.mean(_finite(values["x"]))');
    expect(arith({ input: 'x' }, { analyzer: 'std', input: 'x' }, 'div')).toBe('values["a"] = values["x"] / tf.sqrt(tft.var(_finite(values["x"])))');
    expect(arith({ analyzer: 'min', input: 'y' }, { analyzer: 'max', input: 'y' }, 'add')).toBe('values["a"] = tft.min(_finite(values["y"])) + tft.max(_finite(values["y"]))');
    expect(arith({ value: 2 }, { analyzer: 'count', input: 'x' }, 'mul')).toBe('values["a"] = 2.0 * tf.cast(tft.size(_finite(values["x"])), tf.float32)');
    // q = 0.25: the first of tft.quantiles' 3 boundaries with 4 buckets; q = 0.9: the 9th of 9 with 10
    expect(arith({ input: 'x' }, { analyzer: 'quantile', input: 'x', q: 0.25 })).toBe('values["a"] = values["x"] - tf.reshape(tft.quantiles(_finite(values["x"]), num_buckets=4, epsilon=0.001), [-1])[0]');
    expect(arith({ input: 'x' }, { analyzer: 'quantile', input: 'x', q: 0.9 })).toBe('values["a"] = values["x"] - tf.reshape(tft.quantiles(_finite(values["x"]), num_buckets=10, epsilon=0.001), [-1])[8]');
  });

  it('fill_missing replaces NaN by a value or an analyzer over the finite values', () => {
    expect(lastStatement([{ name: 'f', op: 'fill_missing', inputs: ['x'], params: { with: { value: 0 } } }])).toBe('values["f"] = tf.where(tf.math.is_nan(values["x"]), 0.0, values["x"])');
    expect(lastStatement([{ name: 'f', op: 'fill_missing', inputs: ['x'], params: { with: { analyzer: 'quantile', input: 'x', q: 0.5 } } }])).toBe(
      'values["f"] = tf.where(tf.math.is_nan(values["x"]), tf.reshape(tft.quantiles(_finite(values["x"]), num_buckets=2, epsilon=0.001), [-1])[0], values["x"])',
    );
  });

  it('returns the outputs with their widths in Pipette\'s layout', () => {
    const out = preprocessingFn(
      {
        steps: [
          { name: 'z', op: 'z_score', inputs: ['x'] },
          { name: 'q', op: 'bucketize', inputs: ['x'], params: { num_buckets: 4 } },
          { name: 'v', op: 'vocabulary', inputs: ['s'], params: { num_oov_buckets: 3 } },
          { name: 'h', op: 'hash_strings', inputs: ['s'], params: { hash_buckets: 7 } },
        ],
      },
      COLUMNS,
    );
    expect(out.features).toEqual([
      { name: 'z', kind: 'number', width: '1' },
      { name: 'q', kind: 'index', width: '4' },
      { name: 'v', kind: 'index', width: 'tf_transform_output.vocabulary_size_by_name("vocab_v") + 3' },
      { name: 'h', kind: 'index', width: '7' },
    ]);
    expect(out.notes.map((n) => n.code).sort()).toEqual(['hash-differs', 'hash-differs', 'missing-values']);
  });

  it('refuses a spec Pipette would refuse (checkSpec), naming the step', () => {
    expect(() => preprocessingFn({ steps: [{ name: 'z', op: 'z_score', inputs: ['s'] }] }, COLUMNS)).toThrow(/"z"/);
  });
});
