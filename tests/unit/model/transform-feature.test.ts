/**
 * A transform as a model's features (core/model/preprocess/transform-feature.ts): encoding a table through
 * the transform gives exactly the features reader.js's applyToRows (the file a bundle ships) gives for the
 * same raw rows, and the setups that cannot work are refused naming the column or output.
 */
import { describe, expect, it } from 'vitest';
import { TrainError } from '../../../src/core/model/errors';
import {
  choiceColumns,
  choiceOf,
  encode,
  encodeRecords,
  fitPreprocess,
  inputColumns,
  tableFromRecords,
  type FeatureChoice,
  type PreprocessStats,
} from '../../../src/core/model/preprocess';
import type { FittedTransform } from '../../../src/core/transform/fitted';
import { slotNames } from '../../../src/core/transform/fitted';
import { applyToRows } from '../../../src/core/transform/reader.js';
import { fitRows, type Row } from '../transform/helpers';

const COLUMNS = [
  { name: 'x', type: 'number' as const },
  { name: 'n', type: 'integer' as const },
  { name: 'flag', type: 'boolean' as const },
  { name: 'colour', type: 'categorical' as const },
  { name: 'note', type: 'text' as const },
];
const TYPES = { ...Object.fromEntries(COLUMNS.map((c) => [c.name, c.type])), kind: 'categorical' } as const;

const SPEC = {
  steps: [
    { name: 'x_filled', op: 'fill_missing', inputs: ['x'], params: { with: { analyzer: 'mean', input: 'x' } } },
    { name: 'x_z', op: 'z_score', inputs: ['x_filled'], output: true },
    { name: 'x_bucket', op: 'bucketize', inputs: ['x_filled'], params: { num_buckets: 3 }, output: true },
    { name: 'n_01', op: 'scale_0_1', inputs: ['n'], output: true },
    { name: 'flag_filled', op: 'fill_missing', inputs: ['flag'], params: { with: { value: 0.5 } }, output: true },
    { name: 'colour_id', op: 'vocabulary', inputs: ['colour'], params: { num_oov_buckets: 1 }, output: true },
    { name: 'words', op: 'tokenize', inputs: ['note'], params: { split: 'words', lowercase: true } },
    { name: 'word_ids', op: 'vocabulary', inputs: ['words'], params: { top_k: 4 }, output: true },
    { name: 'colour_x_bucket', op: 'cross', inputs: ['colour', 'x_bucket'], params: { hash_buckets: 5 }, output: true },
  ],
};

const COLOURS = ['red', 'blue', 'green', null];
const NOTES = ['Fine day', 'rain AND wind', null, 'fine fine', 'wind'];

/** Deterministic rows with missing values in every column. */
function makeRows(count: number): Row[] {
  return Array.from({ length: count }, (_, i) => ({
    x: i % 7 === 3 ? null : ((i * 37) % 101) / 10 - 2,
    n: (i * 13) % 29,
    flag: i % 5 === 0 ? null : i % 3 === 0,
    colour: COLOURS[i % 4],
    note: NOTES[i % 5],
    kind: ['a', 'b', 'c'][i % 3],
  }));
}

function choiceFor(fitted: FittedTransform): FeatureChoice {
  return { column: 'prep v1', encoding: 'transform', transform: { id: 't1', name: 'prep', version: 1 }, fitted };
}

async function fitted(rows: Row[], trainRows: number[]): Promise<{ fitted: FittedTransform; stats: PreprocessStats }> {
  const f = await fitRows(SPEC, trainRows.map((r) => rows[r]!), COLUMNS);
  const stats = await fitPreprocess(tableFromRecords(rows as never, TYPES), trainRows, { features: [choiceFor(f)], label: 'kind', task: 'classification' });
  return { fitted: f, stats };
}

describe('a transform feature', () => {
  it('encodes a table exactly as applyToRows encodes the same raw rows', async () => {
    const rows = makeRows(60);
    const train = Array.from({ length: 40 }, (_, i) => i);
    const { fitted: f, stats } = await fitted(rows, train);
    expect(stats.input).toEqual({ kind: 'tabular', features: f.features.dim });
    // 1 + 3 + 1 + 1 + (vocabulary of 3 colours + 1 OOV) + 4 words + 5 hash buckets
    expect(f.features.dim).toBe(19);
    expect(stats.slotNames).toEqual(slotNames(f));
    expect(stats.features).toHaveLength(1);

    const evalRows = Array.from({ length: 20 }, (_, i) => 40 + i);
    const enc = await encode(stats, tableFromRecords(rows as never, TYPES), evalRows);
    const reference = applyToRows(f, evalRows.map((r) => rows[r]!)).features;
    expect(enc.featureShape).toEqual([19]);
    expect(Array.from(enc.x)).toEqual(Array.from(reference));
    // labels stay a raw column: class indices of a, b, c
    expect(Array.from(enc.y!)).toEqual(evalRows.map((r) => r % 3));
    // a missing x (row 45: 45 % 7 = 3) was filled with the training mean, so it z-scores to (mean - mean) / std = 0
    // (the two means are summed by two analyzers, hence rounding)
    expect(enc.x[(45 - 40) * 19]).toBeCloseTo(0, 12);
  });

  it('gives the TFX simple example its published features', async () => {
    const rows = [
      { x: 1, y: 1, s: 'hello', label: 'p' },
      { x: 2, y: 2, s: 'world', label: 'q' },
      { x: 3, y: 3, s: 'hello', label: 'p' },
    ];
    const columns = [
      { name: 'x', type: 'number' as const },
      { name: 'y', type: 'number' as const },
      { name: 's', type: 'categorical' as const },
    ];
    const spec = {
      steps: [
        { name: 'x_centered', op: 'arith', inputs: ['x'], params: { op: 'sub', left: { input: 'x' }, right: { analyzer: 'mean', input: 'x' } }, output: true },
        { name: 'y_normalized', op: 'scale_0_1', inputs: ['y'], output: true },
        { name: 's_integerized', op: 'vocabulary', inputs: ['s'] },
        { name: 'product', op: 'arith', inputs: ['x_centered', 'y_normalized'], params: { op: 'mul', left: { input: 'x_centered' }, right: { input: 'y_normalized' } } },
      ],
    };
    const f = await fitRows(spec, rows, columns);
    const table = tableFromRecords(rows, { x: 'number', y: 'number', s: 'categorical', label: 'categorical' });
    const stats = await fitPreprocess(table, [0, 1, 2], { features: [choiceFor(f)], label: 'label', task: 'classification' });
    const enc = await encode(stats, table);
    // x - mean(x) = [-1, 0, 1]; scale_to_0_1(y) = [0, 0.5, 1]; vocabulary one-hot ('hello' 0, 'world' 1); product [-0, 0, 1]
    expect(Array.from(enc.x)).toEqual([-1, 0, 1, 0, -0, 0, 0.5, 0, 1, 0, 1, 1, 1, 0, 1]);
    expect(stats.slotNames).toEqual(['x_centered', 'y_normalized', 's_integerized=hello', 's_integerized=world', 'product']);
  });

  it('applies chunk by chunk over tables longer than one chunk, with the same result', async () => {
    const rows = makeRows(40_000);
    const train = Array.from({ length: 200 }, (_, i) => i * 2);
    const { fitted: f, stats } = await fitted(rows, train);
    const all = await encode(stats, tableFromRecords(rows as never, TYPES), null, { labels: false });
    expect(all.x.length).toBe(40_000 * f.features.dim);
    expect(Array.from(all.x)).toEqual(Array.from(applyToRows(f, rows).features));
    // missing inputs are counted per column: x is missing in rows with i % 7 = 3
    expect(all.missing.x).toBe(rows.filter((r) => r.x === null).length);
    expect(all.missing.colour).toBe(10_000);
  });

  it('encodes raw records (the predict panel) with applyToRows itself, cells as given', async () => {
    const rows = makeRows(30);
    const { fitted: f, stats } = await fitted(rows, Array.from({ length: 30 }, (_, i) => i));
    // numbers typed as text, as the predict form sends them
    const typed = { x: '1.5', n: '7', flag: 'true', colour: 'purple', note: 'Wind and rain' };
    const x = await encodeRecords(stats, [typed], TYPES);
    expect(Array.from(x)).toEqual(Array.from(applyToRows(f, [typed]).features));
    expect(Array.from(x)).toEqual(Array.from(applyToRows(f, [{ x: 1.5, n: 7, flag: true, colour: 'purple', note: 'Wind and rain' }]).features));
  });

  it('reads the transform\'s raw columns; the choice it came from is given back', async () => {
    const rows = makeRows(30);
    const { fitted: f, stats } = await fitted(rows, Array.from({ length: 30 }, (_, i) => i));
    expect(inputColumns(stats)).toEqual(COLUMNS.map((c) => ({ column: c.name, type: c.type })));
    const choice = choiceOf(stats.features[0]!);
    expect(choice).toEqual(choiceFor(f));
    expect(choiceColumns([choice])).toEqual(['x', 'n', 'flag', 'colour', 'note']);
  });
});

describe('a transform feature refuses', () => {
  const rows = makeRows(30);
  const table = tableFromRecords(rows as never, TYPES);
  const train = Array.from({ length: 30 }, (_, i) => i);

  async function refusal(run: () => Promise<unknown>): Promise<TrainError> {
    const e = await run().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TrainError);
    return e as TrainError;
  }

  it('a transform that reads the label, naming it', async () => {
    const f = await fitRows({ steps: [{ name: 'k', op: 'vocabulary', inputs: ['kind'] }] }, rows, [{ name: 'kind', type: 'categorical' }]);
    const e = await refusal(() => fitPreprocess(table, train, { features: [choiceFor(f)], label: 'kind', task: 'classification' }));
    expect([e.code, e.details.column, e.details.params?.why]).toEqual(['bad-encoding', 'kind', 'transform-reads-label']);
  });

  it('other features besides the transform', async () => {
    const f = await fitRows(SPEC, rows, COLUMNS);
    const e = await refusal(() => fitPreprocess(table, train, { features: [choiceFor(f), 'x'], label: 'kind', task: 'classification' }));
    expect([e.code, e.details.params?.why, e.details.params?.others]).toEqual(['bad-encoding', 'transform-sole', 1]);
  });

  it('a column whose type reads as another kind than when the transform was fitted', async () => {
    const f = await fitRows(SPEC, rows, COLUMNS);
    const asText = tableFromRecords(rows.map((r) => ({ ...r, n: String(r.n) })) as never, { ...TYPES, n: 'text' });
    const e = await refusal(() => fitPreprocess(asText, train, { features: [choiceFor(f)], label: 'kind', task: 'classification' }));
    expect([e.code, e.details.column, e.details.params?.why, e.details.params?.type]).toEqual(['bad-encoding', 'n', 'transform-type', 'text']);
  });

  it('a missing input the transform leaves NaN, naming the output and the row', async () => {
    // z_score of x without fill_missing: row 4 (index 3, 3 % 7 = 3) has no x
    const f = await fitRows({ steps: [{ name: 'x_z', op: 'z_score', inputs: ['x'] }] }, rows, COLUMNS);
    const e = await refusal(() => fitPreprocess(table, train, { features: [choiceFor(f)], label: 'kind', task: 'classification' }));
    expect([e.code, e.details.column, e.details.row, e.details.params?.why, e.details.params?.value]).toEqual(['bad-encoding', 'x_z', 4, 'transform-not-finite', 'NaN']);
  });

  it('a table without a column the transform reads', async () => {
    const f = await fitRows(SPEC, rows, COLUMNS);
    const without = tableFromRecords(rows as never, { x: 'number', kind: 'categorical' });
    const e = await refusal(() => fitPreprocess(without, train, { features: [choiceFor(f)], label: 'kind', task: 'classification' }));
    expect([e.code, e.details.column]).toEqual(['missing-column', 'n']);
  });
});
