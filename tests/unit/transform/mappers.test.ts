/**
 * Analyzers and mappers against tf.Transform's documented semantics (mappers.py, analyzers.py) and its own
 * test expectations (beam/bucketize_integration_test.py), plus hand computations.
 */
import { describe, expect, it } from 'vitest';
import { fmix32, fnv1a32 } from '../../../src/core/math/hash';
import { compareCodePoints } from '../../../src/core/transform/analyzers';
import type { FittedTransform } from '../../../src/core/transform/fitted';
import { applyToRows, bucketIndex, hashString } from '../../../src/core/transform/reader.js';
import { EMPTY_VOCABULARY_TOKEN } from '../../../src/core/transform/spec';
import type { ColumnType } from '../../../src/core/data/types';
import { fitRows, type Row } from './helpers';

/** Fit one step over one column x and apply it to `apply` (default: the same values). */
async function one(op: string, params: Record<string, unknown> | undefined, values: unknown[], type: ColumnType = 'number', apply?: unknown[]) {
  const rows: Row[] = values.map((x) => ({ x }));
  const fitted = await fitRows({ steps: [{ name: 'y', op, inputs: ['x'], ...(params ? { params } : {}) }] }, rows, [{ name: 'x', type }], 3);
  const out = applyToRows(fitted, (apply ?? values).map((x) => ({ x }))).outputs.map((o) => o.y);
  return { fitted, out, state: fitted.steps[0]!.state, size: fitted.steps[0]!.size };
}

describe('scale_to_z_score', () => {
  it('divides by the biased standard deviation', async () => {
    // mean 2.5, biased variance 1.25: (1 - 2.5) / sqrt(1.25) = -1.3416407864998738 (unbiased would give -1.16)
    const { out, state } = await one('z_score', undefined, [1, 2, 3, 4]);
    expect(state).toEqual({ mean: 2.5, var: 1.25, count: 4 });
    expect(out[0]).toBeCloseTo(-1.3416407864998738, 12);
  });

  it('leaves a constant column unscaled (x - mean), even when the mean is not exact in floating point', async () => {
    const { out, state } = await one('z_score', undefined, [5, 5, 5], 'number', [5, 7]);
    expect(out).toEqual([0, 2]);
    // ten times 0.1 has the mean 0.09999999999999999: without the min = max rule the variance would be a
    // rounding residue, and (x - mean) / tiny std would be 1 instead of about 0
    const tenths = await one('z_score', undefined, new Array(10).fill(0.1));
    expect(tenths.state.var).toBe(0);
    expect(Math.abs(tenths.out[0] as number)).toBeLessThan(1e-15);
    expect(state.var).toBe(0);
  });

  it('skips missing values in the analyzer and keeps them missing', async () => {
    const { out, state } = await one('z_score', undefined, [1, null, 3]);
    expect(state).toEqual({ mean: 2, var: 1, count: 2 });
    expect(out).toEqual([-1, NaN, 1]);
  });
});

describe('scale_to_0_1', () => {
  it('falls back to a sigmoid when the column has a single value', async () => {
    const { out, state } = await one('scale_0_1', undefined, [3, 3], 'number', [3, 0]);
    expect(state).toEqual({ min: 3, max: 3, count: 2 });
    // sigmoid(3) = 1 / (1 + e^-3)
    expect(out).toEqual([1 / (1 + Math.exp(-3)), 0.5]);
  });

  it('without values (all missing) stores no range and uses the sigmoid', async () => {
    const { out, state } = await one('scale_0_1', undefined, [null, null], 'number', [0]);
    expect(state).toEqual({ min: null, max: null, count: 0 });
    expect(out).toEqual([0.5]);
  });
});

describe('bucketize', () => {
  // tft's testBucketizationForTightSequence: inputs [1, 2, 3, 4], (num_buckets, expected boundaries)
  const tight: [number, number[]][] = [
    [2, [3]],
    [3, [2, 3]],
    [4, [2, 3, 4]],
    [5, [1, 2, 3, 4]],
    [6, [1, 2, 3, 3, 4]],
    [10, [1, 1, 2, 2, 3, 3, 3, 4, 4]],
  ];
  it.each(tight)("gives tf.Transform's boundaries on [1, 2, 3, 4] with %i buckets", async (k, expected) => {
    const { state, size } = await one('bucketize', { num_buckets: k }, [4, 2, 1, 3]);
    expect(state.boundaries).toEqual(expected);
    expect(size).toBe(k);
  });

  it("gives tf.Transform's boundaries on longer ranges (testBucketization), NaN values ignored", async () => {
    const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
    expect((await one('bucketize', { num_buckets: 3 }, range(1, 10))).state.boundaries).toEqual([4, 7]);
    expect((await one('bucketize', { num_buckets: 4 }, range(1, 100))).state.boundaries).toEqual([25, 50, 75]);
    expect((await one('bucketize', { num_buckets: 4 }, [...range(1, 100), ...new Array(10).fill(NaN)])).state.boundaries).toEqual([25, 50, 75]);
    expect((await one('bucketize', { num_buckets: 3 }, range(1, 3000))).state.boundaries).toEqual([1000, 2000]);
    expect((await one('bucketize', { num_buckets: 10 }, range(1, 100).reverse())).state.boundaries).toEqual(range(1, 10).map((i) => i * 10));
  });

  it("assigns buckets as tft.apply_buckets' docstring (NaN and values from the last boundary on: the last bucket)", () => {
    // x = [[4.0, nan, 1.0], [-inf, 7.5, 10.0]], boundaries [[2.0, 5.0, 10.0]] -> [[1, 3, 0], [0, 2, 3]]
    expect([4, NaN, 1, -Infinity, 7.5, 10].map((x) => bucketIndex(x, [2, 5, 10]))).toEqual([1, 3, 0, 0, 2, 3]);
  });

  it('puts NaN in the last bucket after fitting, and has num_buckets - 1 zeros without data', async () => {
    expect((await one('bucketize', { num_buckets: 2 }, [1, 2, 3, 4], 'number', [NaN, 2.9, 3])).out).toEqual([1, 0, 1]);
    expect((await one('bucketize', { num_buckets: 3 }, [null])).state.boundaries).toEqual([0, 0]);
  });
});

describe('compute_and_apply_vocabulary', () => {
  const counted = (pairs: [string, number][]) => pairs.flatMap(([s, n]) => new Array<string>(n).fill(s));

  it("orders by decreasing frequency, ties in reverse lexical order (the docstring's examples)", async () => {
    // [('a', 5), ('c', 3), ('b', 3)] and, for numbers as text, [('3', 5), ('2', 3), ('111', 3)]
    const letters = await one('vocabulary', undefined, counted([['b', 3], ['a', 5], ['c', 3]]), 'categorical');
    expect(letters.state).toEqual({ vocabulary: ['a', 'c', 'b'], counts: [5, 3, 3] });
    const digits = await one('vocabulary', undefined, counted([['111', 3], ['2', 3], ['3', 5]]), 'text');
    expect(digits.state.vocabulary).toEqual(['3', '2', '111']);
  });

  it('keeps counts >= frequency_threshold, then the top_k', async () => {
    const values = counted([['a', 5], ['b', 3], ['c', 3], ['d', 1]]);
    expect((await one('vocabulary', { top_k: 2 }, values, 'categorical')).state.vocabulary).toEqual(['a', 'c']);
    expect((await one('vocabulary', { frequency_threshold: 3 }, values, 'categorical')).state.vocabulary).toEqual(['a', 'c', 'b']);
    expect((await one('vocabulary', { frequency_threshold: 4, top_k: 5 }, values, 'categorical')).state.vocabulary).toEqual(['a']);
  });

  it('maps out-of-vocabulary values to default_value (-1), or to hash buckets after the vocabulary', async () => {
    const values = counted([['a', 2], ['b', 1]]);
    const plain = await one('vocabulary', { top_k: 1 }, values, 'categorical', ['a', 'b', 'zzz', null]);
    expect(plain.out).toEqual([0, -1, -1, -1]);
    expect(plain.size).toBe(1);
    const custom = await one('vocabulary', { top_k: 1, default_value: 7 }, values, 'categorical', ['b', null]);
    expect(custom.out).toEqual([7, -1]);
    const oov = await one('vocabulary', { top_k: 1, num_oov_buckets: 3 }, values, 'categorical', ['a', 'b', 'zzz', null]);
    expect(oov.size).toBe(4);
    expect(oov.out).toEqual([0, 1 + (hashString('b') % 3), 1 + (hashString('zzz') % 3), -1]);
  });

  it("an empty vocabulary holds tf.Transform's placeholder, and the empty string is never a token", async () => {
    const { state, size, out } = await one('vocabulary', undefined, [null, '', ''], 'text');
    expect(state.vocabulary).toEqual([EMPTY_VOCABULARY_TOKEN]);
    expect(size).toBe(1);
    expect(out).toEqual([-1, -1, -1]);
  });

  it('breaks ties in code-point order (UTF-8 bytes), which UTF-16 comparison gets wrong past U+FFFF', async () => {
    expect(compareCodePoints('\u{1F600}', '\uFFFF')).toBeGreaterThan(0);
    expect('\u{1F600}' < '\uFFFF').toBe(true); // what plain comparison would say
    const { state } = await one('vocabulary', undefined, ['\uFFFF', '\u{1F600}', 'a'], 'text');
    expect(state.vocabulary).toEqual(['\u{1F600}', '\uFFFF', 'a']);
  });
});

describe('hash_strings', () => {
  it("hashes as core/math/hash.ts (FNV-1a then fmix32), modulo hash_buckets", async () => {
    for (const s of ['', 'a', 'hello', 'Ünïcödé', '\u{1F600} x']) expect(hashString(s)).toBe(fmix32(fnv1a32(s)));
    const { out, size } = await one('hash_strings', { hash_buckets: 5 }, ['hello', 'world', null], 'text');
    expect(size).toBe(5);
    expect(out).toEqual([fmix32(fnv1a32('hello')) % 5, fmix32(fnv1a32('world')) % 5, -1]);
  });
});

describe('tokenize, cross, arithmetic and missing values', () => {
  async function fitted(spec: unknown, rows: Row[], columns: { name: string; type: ColumnType }[]): Promise<FittedTransform> {
    return fitRows(spec, rows, columns);
  }

  it("tokenize splits on white space, or keeps runs of letters and digits; lowercase first", async () => {
    const rows = [{ t: '  Hello, World!\t42 ' }];
    const spec = (params: object) => ({ steps: [{ name: 'tok', op: 'tokenize', inputs: ['t'], params }, { name: 'v', op: 'vocabulary', inputs: ['tok'] }] });
    const cols = [{ name: 't', type: 'text' as const }];
    const vocab = async (params: object) => (await fitted(spec(params), rows, cols)).steps[1]!.state.vocabulary;
    // one of each token: reverse code-point order
    expect(await vocab({})).toEqual(['World!', 'Hello,', '42']);
    expect(await vocab({ split: 'words', lowercase: true })).toEqual(['world', 'hello', '42']);
  });

  it('cross joins parts with _X_ and hashes them, or counts them into a vocabulary; a missing part is missing', async () => {
    const rows = [
      { c: 'a', x: 1 },
      { c: 'a', x: 1 },
      { c: 'b', x: 4 },
      { c: null, x: 4 },
    ];
    const cols = [
      { name: 'c', type: 'categorical' as const },
      { name: 'x', type: 'number' as const },
    ];
    const steps = [{ name: 'xb', op: 'bucketize', inputs: ['x'], params: { num_buckets: 2 }, output: false }];
    const hashed = await fitted({ steps: [...steps, { name: 'cx', op: 'cross', inputs: ['c', 'xb'], params: { hash_buckets: 100 } }] }, rows, cols);
    expect(applyToRows(hashed, rows).outputs.map((o) => o.cx)).toEqual([hashString('a_X_0') % 100, hashString('a_X_0') % 100, hashString('b_X_1') % 100, -1]);
    const counted = await fitted({ steps: [...steps, { name: 'cx', op: 'cross', inputs: ['c', 'xb'] }] }, rows, cols);
    expect(counted.steps[1]!.state).toEqual({ vocabulary: ['a_X_0', 'b_X_1'], counts: [2, 1] });
    expect(applyToRows(counted, rows).outputs.map((o) => o.cx)).toEqual([0, 0, 1, -1]);
  });

  it('arith reads analyzer results: mean, min, max, std, var, sum, count and quantile (the rank rule of bucketize)', async () => {
    const rows = [4, 1, 3, 2].map((x) => ({ x }));
    const analyzers: [string, number, number?][] = [
      ['mean', 2.5],
      ['min', 1],
      ['max', 4],
      ['var', 1.25],
      ['std', Math.sqrt(1.25)],
      ['sum', 10],
      ['count', 4],
      ['quantile', 1, 0],
      ['quantile', 3, 0.5],
      ['quantile', 2, 0.3],
      ['quantile', 4, 1],
    ];
    for (const [analyzer, expected, q] of analyzers) {
      const right = q === undefined ? { analyzer, input: 'x' } : { analyzer, input: 'x', q };
      const f = await fitted({ steps: [{ name: 'y', op: 'arith', inputs: ['x'], params: { op: 'add', left: { value: 0 }, right } }] }, rows, [{ name: 'x', type: 'number' }]);
      expect(f.steps[0]!.state, analyzer).toEqual({ left: null, right: expected });
      expect(applyToRows(f, [{ x: 0 }]).outputs[0]!.y, analyzer).toBe(expected);
    }
  });

  it('fill_missing replaces NaN by a constant or an analyzer result; div divides by a constant', async () => {
    const rows = [{ x: 1 }, { x: null }, { x: 5 }];
    const cols = [{ name: 'x', type: 'number' as const }];
    const f = await fitted(
      {
        steps: [
          { name: 'filled', op: 'fill_missing', inputs: ['x'], params: { with: { analyzer: 'mean', input: 'x' } } },
          { name: 'zeroed', op: 'fill_missing', inputs: ['x'], params: { with: { value: 0 } } },
          { name: 'half', op: 'arith', inputs: ['filled'], params: { op: 'div', left: { input: 'filled' }, right: { value: 2 } } },
        ],
      },
      rows,
      cols,
    );
    const out = applyToRows(f, rows).outputs;
    expect(out.map((o) => o.zeroed)).toEqual([1, 0, 5]);
    expect(out.map((o) => o.half)).toEqual([0.5, 1.5, 2.5]);
  });

  it('reads raw cells by column type: numbers from text, booleans as 0/1, dates as milliseconds', async () => {
    const f = await fitted(
      { steps: [{ name: 'b', op: 'fill_missing', inputs: ['flag'], params: { with: { value: -1 } } }, { name: 'd', op: 'fill_missing', inputs: ['when'], params: { with: { value: -1 } } }] },
      [{ flag: true, when: 0 }],
      [
        { name: 'flag', type: 'boolean' },
        { name: 'when', type: 'datetime' },
      ],
    );
    const out = applyToRows(f, [
      { flag: false, when: '1970-01-02T00:00:00Z' },
      { flag: 'true', when: 'not a date' },
      { flag: null, when: undefined },
    ]).outputs;
    expect(out).toEqual([
      { b: 0, d: 86_400_000 },
      { b: 1, d: -1 },
      { b: -1, d: -1 },
    ]);
  });
});
