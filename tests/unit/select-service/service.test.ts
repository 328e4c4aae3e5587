import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/math/random';
import { TrainError } from '../../../src/core/model/errors';
import { splitRows } from '../../../src/core/model/split';
import { compareSubsets, prepareSelection, SelectError } from '../../../src/core/select';
import type { SelectMethodChoice, SelectProgress } from '../../../src/protocol/select';
import { selectFeatures, seriesCounts } from '../../../src/services/select';
import { encodeSelection } from '../../../src/services/select-matrix';
import { tableFromRecords } from '../../../src/core/model/preprocess/columns';
import { PipetteDB } from '../../../src/store/db';
import { createProject } from '../../../src/store/projects';
import { writeVersion, type Col } from '../validate-service/helpers';

let db: PipetteDB;
let dbCount = 0;
beforeEach(async () => {
  db = new PipetteDB(`select-svc-${dbCount++}`);
  await db.open();
});
afterEach(async () => {
  await db.delete();
});

/** A seeded generator, so the fixtures are the same on every run. */
function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

const N = 80;

/**
 * Two classes; `signal` separates them (A near 0, B near 4), the other columns are noise that does not
 * depend on the class: two numbers, a categorical and a boolean; `constant` never changes; `notes` is text.
 */
function classColumns(): Col[] {
  const r = rng(7);
  const label = Array.from({ length: N }, (_, i) => (i % 2 ? 'B' : 'A'));
  return [
    { name: 'noise1', type: 'number', values: label.map(() => r() * 10) },
    { name: 'signal', type: 'number', values: label.map((c) => (c === 'B' ? 4 : 0) + r()) },
    { name: 'color', type: 'categorical', values: label.map(() => ['red', 'green', 'blue'][Math.floor(r() * 3)]!) },
    { name: 'flag', type: 'boolean', values: label.map(() => r() < 0.5) },
    { name: 'noise2', type: 'number', values: label.map(() => r() * 10) },
    { name: 'constant', type: 'number', values: label.map(() => 5) },
    { name: 'notes', type: 'text', values: label.map((_, i) => `row ${i}`) },
    { name: 'label', type: 'categorical', values: label },
  ];
}

async function stored(columns: Col[]) {
  const project = await createProject(db, 'P');
  const { versionId } = await writeVersion(db, project.id, columns, 32);
  return { projectId: project.id, datasetVersionId: versionId };
}

const K1: SelectMethodChoice[] = (['f_test', 'chi2', 'mutual_info', 'rfe', 'sfs', 'permutation'] as const).map((method) => ({ method, k: 1 }));

describe('selectFeatures', () => {
  it('chooses the informative column with every method and compares each subset with all features', async () => {
    const where = await stored(classColumns());
    const result = await selectFeatures(db, { ...where, target: 'label', methods: [...K1, { method: 'l1' }, { method: 'variance_threshold', threshold: 0 }] });
    expect(result.task).toBe('classification');
    expect(result.classes).toEqual(['A', 'B']);
    expect(result.features).toEqual(['noise1', 'signal', 'color', 'flag', 'noise2', 'constant']);
    expect(result.leftOut).toEqual([{ column: 'notes', why: 'text' }]);
    // three colours become three one-hot columns of one feature
    expect(result.matrixColumns).toBe(8);
    expect(result.table.map((r) => r.method)).toEqual(['all', 'f_test', 'chi2', 'mutual_info', 'rfe', 'sfs', 'permutation', 'l1', 'variance_threshold']);
    expect(result.table[0]!.columns).toEqual(['noise1', 'signal', 'color', 'flag', 'noise2', 'constant']);
    for (const row of result.table.slice(1, 7)) {
      expect(row.columns, row.method).toEqual(['signal']);
      expect(row.count).toBe(1);
      // the classes are apart by 3 or more on signal: the model on it alone makes no mistake
      expect(row.scores).toMatchObject({ task: 'classification', accuracy: 1, macroF1: 1, rocAuc: 1 });
    }
    expect(result.table[7]!.columns).toContain('signal');
    // VarianceThreshold(0) drops only the constant column
    expect(result.table[8]!.columns).toEqual(['noise1', 'signal', 'color', 'flag', 'noise2']);
    // the ranking methods have a series from 1 to all 6 features; the wrappers their own paths
    const series = new Map(result.series.map((s) => [s.method, s.points.map((p) => p.count)]));
    expect(series.get('f_test')).toEqual([1, 2, 3, 4, 5, 6]);
    expect(series.get('rfe')).toEqual([1, 2, 3, 4, 5, 6]);
    expect(series.get('sfs')).toEqual([1]);
    expect(series.has('l1')).toBe(false);
    // the one-feature point of f_test's series is the table's f_test row
    expect(result.series[0]!.points[0]!.scores).toEqual(result.table[1]!.scores);
  });

  it('splits as the Train stage does, and its "all features" row is the small model on all columns', async () => {
    const columns = classColumns().filter((c) => c.type === 'number' || c.name === 'label');
    const where = await stored(columns);
    const result = await selectFeatures(db, { ...where, target: 'label', seed: 9, methods: [] });
    const labels = columns.at(-1)!.values as string[];
    const split = splitRows(N, { seed: 9, labels, stratify: true });
    expect(result.split).toEqual({ seed: 9, stratified: true, train: split.train.length, validation: split.validation.length, excluded: 0 });
    // by hand: the raw number columns of all rows, the train and validation rows of the split
    const numbers = columns.slice(0, -1);
    const x = Float64Array.from({ length: N * numbers.length }, (_, i) => numbers[i % numbers.length]!.values[Math.floor(i / numbers.length)] as number);
    const p = prepareSelection({
      x,
      rows: N,
      cols: numbers.length,
      columnNames: numbers.map((c) => c.name),
      target: { kind: 'classification', y: labels.map((l) => (l === 'A' ? 0 : 1)), classes: ['A', 'B'] },
      train: split.train,
      validation: split.validation,
    });
    const [all] = await compareSubsets(p, []);
    expect(result.table).toHaveLength(1);
    expect(result.table[0]!.scores).toEqual(all!.scores);
  });

  it('keeps or drops a categorical as a whole', async () => {
    const r = rng(3);
    const color = Array.from({ length: N }, (_, i) => ['red', 'green', 'blue'][i % 3]!);
    const x1 = color.map(() => r() * 4);
    const y = color.map((c, i) => 3 * x1[i]! + (c === 'red' ? 10 : 0) + 0.1 * r());
    const x2 = color.map(() => r());
    const where = await stored([
      { name: 'x1', type: 'number', values: x1 },
      { name: 'color', type: 'categorical', values: color },
      { name: 'x2', type: 'number', values: x2 },
      { name: 'y', type: 'number', values: y },
    ]);
    const result = await selectFeatures(db, { ...where, target: 'y', methods: [{ method: 'rfe', k: 2 }, { method: 'f_test', k: 2 }, { method: 'r_regression', k: 1 }] });
    expect(result.task).toBe('regression');
    // r_regression's best single feature is colour: its "red" column moves y by 10 (sd about 10 x 0.47),
    // more than x1 does (3 x the sd of a uniform on [0, 4], 3.5)
    expect(result.table.slice(1).map((row) => row.columns)).toEqual([['x1', 'color'], ['x1', 'color'], ['color']]);
    // y is linear in x1 and colour: the ridge model on them is almost exact
    expect(result.table[1]!.scores.task === 'regression' && result.table[1]!.scores.r2).toBeGreaterThan(0.99);
  });

  it('refuses a target that is not a column, or chi2 on a numeric target, before reading a row', async () => {
    const where = await stored(classColumns());
    const progress: SelectProgress[] = [];
    const missingTarget = await selectFeatures(db, { ...where, target: 'species', methods: K1 }, undefined, (p) => progress.push(p)).catch((e: unknown) => e);
    expect(missingTarget).toBeInstanceOf(TrainError);
    expect(missingTarget).toMatchObject({ code: 'missing-column', details: { column: 'species' } });
    const chi2OnNumber = await selectFeatures(db, { ...where, target: 'signal', methods: [{ method: 'chi2', k: 1 }] }, undefined, (p) => progress.push(p)).catch((e: unknown) => e);
    expect(chi2OnNumber).toBeInstanceOf(SelectError);
    expect(chi2OnNumber).toMatchObject({ code: 'not-for-task', details: { params: { method: 'chi2', task: 'regression' } } });
    expect(progress).toEqual([]);
  });

  it('names the column and the dataset row of a negative value chi2 cannot take', async () => {
    const columns = classColumns();
    const labels = columns.at(-1)!.values as string[];
    const split = splitRows(N, { seed: 42, labels, stratify: true });
    const bad = split.train[5]!;
    columns.push({ name: 'balance', type: 'number', values: labels.map((_, i) => (i === bad ? -2 : i)) });
    const where = await stored(columns);
    const e = await selectFeatures(db, { ...where, target: 'label', methods: [{ method: 'chi2', k: 2 }] }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(SelectError);
    expect(e).toMatchObject({ code: 'negative-feature', details: { column: 'balance', params: { row: bad + 1, value: -2 } } });
  });

  it('drops the less relevant of two correlated features', async () => {
    const columns = classColumns();
    const signal = columns[1]!.values as number[];
    columns.splice(2, 0, { name: 'echo', type: 'number', values: signal.map((v, i) => v + (i % 2 ? 0.3 : -0.3) * 0.01) });
    const where = await stored(columns);
    const result = await selectFeatures(db, { ...where, target: 'label', features: ['noise1', 'signal', 'echo'], methods: [{ method: 'drop_correlated', threshold: 0.9 }] });
    expect(result.table[1]!.columns).toHaveLength(2);
    expect(result.table[1]!.columns).toContain('noise1');
  });

  it('stops with an AbortError when cancelled during a method', async () => {
    const where = await stored(classColumns());
    const controller = new AbortController();
    const e = await selectFeatures(db, { ...where, target: 'label', methods: [{ method: 'sfs', k: 3 }] }, controller.signal, (p) => {
      if (p.phase === 'method') controller.abort();
    }).catch((err: unknown) => err);
    expect((e as Error).name).toBe('AbortError');
  });
});

describe('encodeSelection', () => {
  it('imputes a missing number with the training mean and one-hot encodes the training categories', () => {
    const table = tableFromRecords(
      [
        { n: 1, c: 'b', y: 'A' },
        { n: null, c: 'a', y: 'B' },
        { n: 5, c: null, y: 'A' },
        { n: 100, c: 'z', y: 'B' },
      ],
      { n: 'number', c: 'categorical', y: 'categorical' },
    );
    const split = { train: Uint32Array.of(0, 1, 2), validation: Uint32Array.of(3), test: new Uint32Array(), excluded: new Uint32Array(), seed: 0, fractions: { train: 0.75, validation: 0.25, test: 0 }, stratified: false };
    const types = new Map([['n', 'number'], ['c', 'categorical']] as const);
    const { data } = encodeSelection(table, types, ['n', 'c'], split, { kind: 'classification', y: [0, 1, 0, 1], classes: ['A', 'B'] });
    expect(data.columnNames).toEqual(['n', 'c=a', 'c=b']);
    expect(data.groups).toEqual([{ name: 'n', columns: [0] }, { name: 'c', columns: [1, 2] }]);
    // row 1's n is the mean of 1 and 5 (row 3's 100 is a validation row); "z" was never trained on
    expect(Array.from(data.x)).toEqual([1, 0, 1, 3, 1, 0, 5, 0, 0, 100, 0, 0]);
    expect(Array.from(data.target.y)).toEqual([0, 1, 0, 1]);
  });
});

describe('seriesCounts', () => {
  it('trains every count up to 20 features, 20 spread counts above', () => {
    expect(seriesCounts(3)).toEqual([1, 2, 3]);
    const wide = seriesCounts(96);
    expect(wide).toHaveLength(20);
    expect(wide[0]).toBe(1);
    expect(wide.at(-1)).toBe(96);
  });
});
