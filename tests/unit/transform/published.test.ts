/**
 * The published cases of tf.Transform, exactly: the TFX "simple" example (examples/simple_example.py and
 * its test), the tft.tfidf docstring and the tft.ngrams docstring (tensorflow_transform/mappers.py).
 */
import { describe, expect, it } from 'vitest';
import { applyChunk } from '../../../src/core/transform/apply';
import { chunkFromRows } from '../../../src/core/transform/chunk';
import { applyToRows, evaluateRow, prepare } from '../../../src/core/transform/reader.js';
import type { FitProgress } from '../../../src/core/transform/fit';
import { fitRows } from './helpers';

const SIMPLE_ROWS = [
  { x: 1, y: 1, s: 'hello' },
  { x: 2, y: 2, s: 'world' },
  { x: 3, y: 3, s: 'hello' },
];
const SIMPLE_COLUMNS = [
  { name: 'x', type: 'number' as const },
  { name: 'y', type: 'number' as const },
  { name: 's', type: 'categorical' as const },
];
// x_centered = x - tft.mean(x); y_normalized = tft.scale_to_0_1(y); s_integerized =
// tft.compute_and_apply_vocabulary(s); x_centered_times_y_normalized = x_centered * y_normalized
const SIMPLE_SPEC = {
  steps: [
    { name: 'x_centered', op: 'arith', inputs: ['x'], params: { op: 'sub', left: { input: 'x' }, right: { analyzer: 'mean', input: 'x' } }, output: true },
    { name: 'y_normalized', op: 'scale_0_1', inputs: ['y'], output: true },
    { name: 's_integerized', op: 'vocabulary', inputs: ['s'] },
    { name: 'x_centered_times_y_normalized', op: 'arith', inputs: ['x_centered', 'y_normalized'], params: { op: 'mul', left: { input: 'x_centered' }, right: { input: 'y_normalized' } } },
  ],
};

describe('the TFX simple example', () => {
  it('gives x_centered [-1, 0, 1], y_normalized [0, 0.5, 1], s_integerized [0, 1, 0], product [-0, 0, 1]', async () => {
    const fitted = await fitRows(SIMPLE_SPEC, SIMPLE_ROWS, SIMPLE_COLUMNS);
    const { outputs, features, dim } = applyToRows(fitted, SIMPLE_ROWS);
    expect(outputs.map((o) => o.x_centered)).toEqual([-1, 0, 1]);
    expect(outputs.map((o) => o.y_normalized)).toEqual([0, 0.5, 1]);
    expect(outputs.map((o) => o.s_integerized)).toEqual([0, 1, 0]);
    const product = outputs.map((o) => o.x_centered_times_y_normalized as number);
    expect(product).toEqual([-0, 0, 1]);
    expect(Object.is(product[0], -0)).toBe(true);
    // features: x_centered, y_normalized, s one-hot over 2, product
    expect(dim).toBe(5);
    expect(Array.from(features)).toEqual([-1, 0, 1, 0, -0, 0, 0.5, 0, 1, 0, 1, 1, 1, 0, 1]);
  });

  it('fits in one pass (every analyzer reads raw columns)', async () => {
    const seen: FitProgress[] = [];
    await fitRows(SIMPLE_SPEC, SIMPLE_ROWS, SIMPLE_COLUMNS, Infinity, { onProgress: (p) => seen.push(p), rowCount: 3 });
    expect(seen).toEqual([{ pass: 1, passes: 1, rows: 3, totalRows: 3 }]);
  });
});

describe('the tft.tfidf docstring', () => {
  const rows = [{ text: 'I like pie pie pie' }, { text: 'yum yum pie' }];
  const columns = [{ name: 'text', type: 'text' as const }];
  const spec = {
    steps: [
      { name: 'tokens', op: 'tokenize', inputs: ['text'] },
      { name: 'integerized', op: 'vocabulary', inputs: ['tokens'], output: true },
      { name: 'tf_idf', op: 'tfidf', inputs: ['integerized'] },
    ],
  };

  it('gives indices [0, 2, 3], [0, 1] and weights [0.6, 0.28109303, 0.28109303], [0.33333334, 0.9369768]', async () => {
    const fitted = await fitRows(spec, rows, columns);
    const { outputs } = applyToRows(fitted, rows);
    // the docstring's integerized: pie 0, yum 1, like 2, I 3 (like before I: ties in reverse order)
    expect(outputs.map((o) => o.integerized)).toEqual([
      [3, 2, 0, 0, 0],
      [1, 1, 0],
    ]);
    const tfidf = outputs.map((o) => o.tf_idf as { indices: number[]; weights: number[] });
    expect(tfidf.map((t) => t.indices)).toEqual([
      [0, 2, 3],
      [0, 1],
    ]);
    const published = [
      [0.6, 0.28109303, 0.28109303],
      [0.33333334, 0.9369768],
    ];
    tfidf.forEach((t, r) => t.weights.forEach((w, k) => expect(w).toBeCloseTo(published[r]![k]!, 6)));
  });

  it('takes two passes: tfidf analyzes the vocabulary step, which needs its own analyzer first', async () => {
    const passes = new Set<number>();
    await fitRows(spec, rows, columns, 1, { onProgress: (p) => passes.add(p.passes * 10 + p.pass) });
    expect([...passes]).toEqual([21, 22]);
  });
});

describe('the tft.ngrams docstring', () => {
  it("gives its 15 values for ngram_range (1, 3) and separator ' '", async () => {
    const rows = [{ t: 'One was Johnny' }, { t: 'Two was a rat' }];
    const columns = [{ name: 't', type: 'text' as const }];
    const spec = {
      steps: [
        { name: 'tokens', op: 'tokenize', inputs: ['t'] },
        { name: 'grams', op: 'ngrams', inputs: ['tokens'], params: { ngram_range: [1, 3], separator: ' ' } },
        { name: 'hashed', op: 'hash_strings', inputs: ['grams'], params: { hash_buckets: 8 } },
      ],
    };
    const published = ['One', 'One was', 'One was Johnny', 'was', 'was Johnny', 'Johnny', 'Two', 'Two was', 'Two was a', 'was', 'was a', 'was a rat', 'a', 'a rat', 'rat'];
    const fitted = await fitRows(spec, rows, columns);
    const grams = applyChunk(fitted, chunkFromRows(rows, columns)).columns.get('grams')!;
    expect(grams.kind === 'tokens' && [grams.values, Array.from(grams.offsets)]).toEqual([published, [0, 6, 15]]);
    // the reader, row by row, gives the same (steps follow the columns in evaluateRow's values)
    const prepared = prepare(fitted);
    const byRow = rows.flatMap((r) => evaluateRow(prepared, r)[columns.length + 1] as string[]);
    expect(byRow).toEqual(published);
  });
});
