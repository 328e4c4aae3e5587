/**
 * Fitting over chunks and applying: chunking does not change the fitted transform, the columnar apply and
 * the reader agree value for value, a fitted transform survives JSON, and fitting stops between chunks
 * when cancelled.
 */
import { describe, expect, it } from 'vitest';
import { buildBatch } from '../../../src/core/data/arrow';
import { Rng } from '../../../src/core/math/random';
import { applyChunk } from '../../../src/core/transform/apply';
import { chunkFromBatch } from '../../../src/core/transform/chunk-arrow';
import { chunkFromRows, type TransformChunk } from '../../../src/core/transform/chunk';
import { fitTransform, type FitProgress } from '../../../src/core/transform/fit';
import { parseFitted, slotNames } from '../../../src/core/transform/fitted';
import { TransformError } from '../../../src/core/transform/errors';
import { applyToRows } from '../../../src/core/transform/reader.js';
import { chunksOf, fitRows, stream, type Row } from './helpers';

const COLUMNS = [
  { name: 'x', type: 'number' as const },
  { name: 'y', type: 'integer' as const },
  { name: 'city', type: 'categorical' as const },
  { name: 'note', type: 'text' as const },
];
const CITIES = ['Taipei', 'Tainan', 'Hualien', 'Keelung', 'Chiayi'];
const WORDS = ['tea', 'rain', 'night', 'market', 'mountain', 'sea', 'rice'];

/** Deterministic rows with missing values in every column. */
function makeRows(n: number, seed = 7): Row[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => ({
    x: i % 17 === 3 ? null : Math.round((rng.next() * 10 - 3) * 1000) / 1000,
    y: i % 11 === 5 ? null : Math.floor(rng.next() * 6),
    city: i % 13 === 0 ? null : CITIES[Math.floor(rng.next() * rng.next() * CITIES.length)],
    note: i % 19 === 0 ? null : Array.from({ length: 1 + Math.floor(rng.next() * 5) }, () => WORDS[Math.floor(rng.next() * WORDS.length)]).join(' '),
  }));
}

/** Every operation, with analyzers over raw columns and over analyzed steps (four passes). */
const SPEC = {
  steps: [
    { name: 'x_filled', op: 'fill_missing', inputs: ['x'], params: { with: { analyzer: 'mean', input: 'x' } }, output: false },
    { name: 'x_z', op: 'z_score', inputs: ['x_filled'] },
    { name: 'x_z_bucket', op: 'bucketize', inputs: ['x_z'], params: { num_buckets: 4 } },
    { name: 'y_01', op: 'scale_0_1', inputs: ['y'] },
    { name: 'y_over_q', op: 'arith', inputs: ['y'], params: { op: 'div', left: { input: 'y' }, right: { analyzer: 'quantile', input: 'y', q: 0.9 } } },
    { name: 'city_id', op: 'vocabulary', inputs: ['city'], params: { top_k: 3, num_oov_buckets: 2 } },
    { name: 'city_hash', op: 'hash_strings', inputs: ['city'], params: { hash_buckets: 4 } },
    { name: 'city_x_bucket', op: 'cross', inputs: ['city', 'x_z_bucket'], params: { frequency_threshold: 2 } },
    { name: 'words', op: 'tokenize', inputs: ['note'], params: { lowercase: true } },
    { name: 'bigrams', op: 'ngrams', inputs: ['words'], params: { ngram_range: [2, 2], separator: '+' } },
    { name: 'bigram_hash', op: 'hash_strings', inputs: ['bigrams'], params: { hash_buckets: 8 } },
    { name: 'word_ids', op: 'vocabulary', inputs: ['words'], params: { num_oov_buckets: 1 } },
    { name: 'tfidf', op: 'tfidf', inputs: ['word_ids'] },
    { name: 'pca', op: 'pca', inputs: ['x_z', 'y_01', 'city_id'], params: { output_dim: 2, center: true } },
  ],
};

/** Deep equality with numbers equal to 1e-12 (relative): merging chunk statistics rounds differently. */
function expectSame(a: unknown, b: unknown, path = ''): void {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a)) expect(b, path).toBeNaN();
    else expect(Math.abs(a - b), path).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(a)));
  } else if (Array.isArray(a) || ArrayBuffer.isView(a)) {
    const x = Array.from(a as ArrayLike<unknown>);
    const y = Array.from(b as ArrayLike<unknown>);
    expect(y.length, path).toBe(x.length);
    x.forEach((v, i) => expectSame(v, y[i], `${path}[${i}]`));
  } else if (typeof a === 'object' && a !== null) {
    expect(Object.keys(b as object).sort(), path).toEqual(Object.keys(a).sort());
    for (const k of Object.keys(a)) expectSame((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
  } else expect(b, path).toEqual(a);
}

/** The same rows with categorical and text columns dictionary-encoded (what Arrow categorical batches give). */
function dictionaryChunk(rows: Row[]): TransformChunk {
  const chunk = chunkFromRows(rows, COLUMNS);
  for (const name of ['city', 'note']) {
    const col = chunk.columns[name]!;
    if (col.kind !== 'string' || !('values' in col)) throw new Error('plain strings expected');
    const dictionary = [...new Set(col.values.filter((v): v is string => v !== null))].reverse();
    chunk.columns[name] = { kind: 'string', dictionary, indices: Int32Array.from(col.values, (v) => (v === null ? -1 : dictionary.indexOf(v))) };
  }
  return chunk;
}

describe('fitTransform over chunks', () => {
  const rows = makeRows(400);

  it('gives the same fitted transform whatever the chunking (1 chunk, 64 rows, 7 rows, dictionary chunks)', async () => {
    const whole = await fitRows(SPEC, rows, COLUMNS);
    expect(whole.rows).toBe(400);
    for (const size of [64, 7]) expectSame(whole, await fitRows(SPEC, rows, COLUMNS, size));
    const dictionaryChunks = [0, 150, 300].map((start) => dictionaryChunk(rows.slice(start, start + 150)));
    expectSame(whole, await fitTransform(SPEC, COLUMNS, () => stream(dictionaryChunks)));
  });

  it('runs four passes here (fill, z_score, bucketize, then the cross of the buckets), reporting rows per pass', async () => {
    const seen: FitProgress[] = [];
    await fitRows(SPEC, rows, COLUMNS, 100, { onProgress: (p) => seen.push(p), rowCount: 400 });
    expect(seen.map((p) => `${p.pass}/${p.passes}:${p.rows}/${p.totalRows}`)).toEqual(
      [1, 2, 3, 4].flatMap((pass) => [100, 200, 300, 400].map((r) => `${pass}/4:${r}/400`)),
    );
  });

  it('applyChunk (plain and dictionary-encoded strings) equals applyToRows on the same rows, value for value', async () => {
    const fitted = await fitRows(SPEC, rows, COLUMNS, 50);
    const some = rows.slice(0, 120);
    const byRows = applyToRows(fitted, some);
    for (const chunk of [chunkFromRows(some, COLUMNS), dictionaryChunk(some)]) {
      const applied = applyChunk(fitted, chunk);
      expect(applied.dim).toBe(byRows.dim);
      expect(applied.features).toEqual(byRows.features);
      const tfidf = applied.columns.get('tfidf')!;
      if (tfidf.kind !== 'sparse') throw new Error('sparse expected');
      const row7 = byRows.outputs[7]!.tfidf as { indices: number[]; weights: number[] };
      expect(Array.from(tfidf.indices.subarray(tfidf.offsets[7], tfidf.offsets[8]))).toEqual(row7.indices);
      expect(Array.from(tfidf.weights.subarray(tfidf.offsets[7], tfidf.offsets[8]))).toEqual(row7.weights);
    }
    // the layout: each output's slots, in step order
    expect(fitted.features.layout.map((s) => [s.name, s.offset, s.size])).toEqual([
      ['y_over_q', 0, 1],
      ['city_hash', 1, 4],
      ['city_x_bucket', 5, fitted.steps[7]!.size],
      ['bigram_hash', 5 + fitted.steps[7]!.size, 8],
      ['tfidf', 13 + fitted.steps[7]!.size, fitted.steps[11]!.size],
      ['pca', 13 + fitted.steps[7]!.size + fitted.steps[11]!.size, 2],
    ]);
    expect(slotNames(fitted).slice(0, 3)).toEqual(['y_over_q', 'city_hash[0]', 'city_hash[1]']);
  });

  it('survives a JSON round trip with identical outputs', async () => {
    const fitted = await fitRows(SPEC, rows, COLUMNS, 64);
    const back = parseFitted(JSON.stringify(fitted));
    expect(back).toEqual(fitted);
    expect(applyToRows(back, rows).features).toEqual(applyToRows(fitted, rows).features);
    expect(() => parseFitted('{"format":"pipette-transform","version":2}')).toThrow(TransformError);
    expect(() => parseFitted({ ...fitted, steps: [{ ...fitted.steps[1], inputs: ['nowhere'] }] })).toThrow(/not defined above/);
  });

  it('analyzers skip infinities, so every fitted number is finite and JSON gives back the same transform', async () => {
    const spec = { steps: [{ name: 'z', op: 'z_score', inputs: ['x'] }, { name: 'b', op: 'bucketize', inputs: ['x'], params: { num_buckets: 2 } }, { name: 's', op: 'scale_0_1', inputs: ['x'] }] };
    const some = [1, Infinity, 2, -Infinity, 3, Infinity].map((x) => ({ x }));
    const fitted = await fitRows(spec, some, COLUMNS.slice(0, 1));
    // the finite values 1, 2, 3: mean 2, biased variance 2/3, the boundary at position floor(3 / 2)
    expect(fitted.steps.map((s) => s.state)).toEqual([{ mean: 2, var: 2 / 3, count: 3 }, { boundaries: [2] }, { min: 1, max: 3, count: 3 }]);
    const back = parseFitted(JSON.stringify(fitted));
    expect(applyToRows(back, some).outputs).toEqual(applyToRows(fitted, some).outputs);
    expect(applyToRows(back, some).outputs.map((o) => o.z)).toEqual([-Math.sqrt(1.5), Infinity, 0, -Infinity, Math.sqrt(1.5), Infinity]);
  });

  it('stops between chunks when cancelled, with an AbortError', async () => {
    const controller = new AbortController();
    const chunks = chunksOf(rows, COLUMNS, 50);
    let pulled = 0;
    async function* counted(): AsyncIterable<TransformChunk> {
      for (const c of chunks) {
        pulled++;
        yield c;
      }
    }
    const run = fitTransform(SPEC, COLUMNS, counted, { signal: controller.signal, onProgress: (p) => p.rows === 100 && controller.abort() });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    // the third chunk was asked for, then refused before it was read
    expect(pulled).toBe(3);
  });

  it('names a column the data lacks', async () => {
    const chunk = chunkFromRows(rows.slice(0, 5), COLUMNS.slice(1));
    await expect(fitTransform(SPEC, COLUMNS, () => stream([chunk]))).rejects.toMatchObject({ code: 'missing-column', details: { column: 'x' } });
  });
});

describe('chunkFromBatch', () => {
  it('reads our Arrow batches (nulls, booleans, dates, dictionaries) as the reader reads the same rows', async () => {
    const columns = [
      { name: 'n', type: 'number' as const },
      { name: 'b', type: 'boolean' as const },
      { name: 'd', type: 'datetime' as const },
      { name: 'c', type: 'categorical' as const },
      { name: 't', type: 'text' as const },
    ];
    const valid = (bits: number[]) => Uint8Array.of(bits.reduce((m, b, i) => m | (b << i), 0));
    const batch = buildBatch(
      [
        { name: 'n', values: { type: 'number', values: Float64Array.of(1.5, NaN, -2), validity: valid([1, 0, 1]) } },
        { name: 'b', values: { type: 'boolean', values: Uint8Array.of(1, 0, 0), validity: valid([1, 1, 0]) } },
        { name: 'd', values: { type: 'datetime', values: Float64Array.of(86_400_000, 0, 0), validity: valid([1, 0, 1]) } },
        { name: 'c', values: { type: 'categorical', indices: Int32Array.of(1, 0, 0), dictionary: ['lo', 'hi'], validity: valid([1, 1, 0]) } },
        { name: 't', values: { type: 'text', values: ['a b', null, 'b'] } },
      ],
      3,
    );
    const rows = [
      { n: 1.5, b: true, d: 86_400_000, c: 'hi', t: 'a b' },
      { n: null, b: false, d: null, c: 'lo', t: null },
      { n: -2, b: null, d: 0, c: null, t: 'b' },
    ];
    const spec = {
      steps: [
        ...['n', 'b', 'd'].map((c) => ({ name: `${c}_f`, op: 'fill_missing', inputs: [c], params: { with: { value: -1 } } })),
        { name: 'c_id', op: 'vocabulary', inputs: ['c'] },
        { name: 't_tok', op: 'tokenize', inputs: ['t'] },
        { name: 't_id', op: 'vocabulary', inputs: ['t_tok'] },
      ],
    };
    const fromBatch = await fitTransform(spec, columns, () => stream([chunkFromBatch(batch)]));
    expect(fromBatch).toEqual(await fitRows(spec, rows, columns));
    const applied = applyChunk(fromBatch, chunkFromBatch(batch));
    expect(applied.features).toEqual(applyToRows(fromBatch, rows).features);
    // n_f, b_f, d_f, c_id one-hot over (lo, hi): a tie, reverse order; t_id counts over (b, a)
    expect(Array.from(applied.features)).toEqual([1.5, 1, 86_400_000, 0, 1, 1, 1, -1, 0, -1, 1, 0, 0, 0, -2, -1, 0, 0, 0, 1, 0]);
  });
});
