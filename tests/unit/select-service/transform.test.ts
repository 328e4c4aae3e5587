import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/math/random';
import { DEFAULT_FRACTIONS, splitRows } from '../../../src/core/model/split';
import { compareSubsets, MAX_SELECT_ROWS, prepareSelection, sampleParts, sampleRows } from '../../../src/core/select';
import { applyChunk } from '../../../src/core/transform/apply';
import { chunkFromRows } from '../../../src/core/transform/chunk';
import { selectFeatures } from '../../../src/services/select';
import { encodeTransform, projectTransform } from '../../../src/services/select-transform';
import { analyzeTransform } from '../../../src/services/transform';
import { PipetteDB } from '../../../src/store/db';
import { createProject } from '../../../src/store/projects';
import { writeVersion, type Col } from '../validate-service/helpers';

let db: PipetteDB;
let dbCount = 0;
beforeEach(async () => {
  db = new PipetteDB(`select-transform-${dbCount++}`);
  await db.open();
});
afterEach(async () => {
  await db.delete();
});

const N = 120;

/**
 * Two classes; x separates them (A near 0, B near 5), s is a category that does not depend on the class,
 * t a two-word text. Seeded, so the fixture is the same on every run.
 */
function fixture(): Col[] {
  const rng = new Rng(11);
  const r = () => rng.next();
  const cls = Array.from({ length: N }, (_, i) => (i % 2 ? 'B' : 'A'));
  return [
    { name: 'x', type: 'number', values: cls.map((c) => Math.round(((c === 'B' ? 5 : 0) + r()) * 100) / 100) },
    { name: 's', type: 'categorical', values: cls.map(() => ['p', 'q', 'q', 'r'][Math.floor(r() * 4)]!) },
    { name: 't', type: 'text', values: cls.map(() => `${['red', 'blue'][Math.floor(r() * 2)]} ${['red', 'green'][Math.floor(r() * 2)]}`) },
    { name: 'cls', type: 'categorical', values: cls },
  ];
}

/** A z-score (through an intermediate fill), a vocabulary, and tokens counted through a vocabulary. */
const SPEC = {
  steps: [
    { name: 'xf', op: 'fill_missing', inputs: ['x'], params: { with: { value: 0 } } },
    { name: 'xz', op: 'z_score', inputs: ['xf'] },
    { name: 'sv', op: 'vocabulary', inputs: ['s'] },
    { name: 'tt', op: 'tokenize', inputs: ['t'] },
    { name: 'tv', op: 'vocabulary', inputs: ['tt'] },
  ],
};

/** The fixture stored in batches of 50 rows (so the encoding crosses batch boundaries) and a transform of it. */
async function analyzed(labelColumn: string | null = 'cls', cols = fixture(), batchRows = 50) {
  const project = await createProject(db, 'P');
  const { versionId } = await writeVersion(db, project.id, cols, batchRows);
  const record = await analyzeTransform(db, { projectId: project.id, datasetVersionId: versionId, labelColumn, name: 'prep', parentId: null, spec: SPEC });
  return { projectId: project.id, versionId, record, cols };
}

/** The Train stage's split of the fixture (seed 42, default fractions, stratified by cls). */
function splitOf(cols: Col[]) {
  return splitRows(cols[0]!.values.length, { seed: 42, fractions: DEFAULT_FRACTIONS, labels: cols.at(-1)!.values as string[], stratify: true });
}

describe('feature selection on a transform', () => {
  it("encodes the split's training rows exactly as applyChunk does, each output step one feature", async () => {
    const { projectId, versionId, record, cols } = await analyzed();
    const meta = (await db.versions.get(versionId))!;
    const { split, used, encoded } = await encodeTransform(db, meta, await projectTransform(db, projectId, record.id), 'classification');
    const expected = splitOf(cols);
    expect(Array.from(split.train)).toEqual(Array.from(expected.train));
    expect(Array.from(used.train)).toEqual(Array.from(expected.train));
    const { data } = encoded;
    // the matrix rows: the training rows, then the validation rows
    expect(Array.from(encoded.datasetRows)).toEqual([...expected.train, ...expected.validation]);
    expect(data.train).toHaveLength(expected.train.length);
    // the steps are the groups: xz one slot, sv one per category, tv one per word; xf and tt are no features
    const sv = record.fitted.steps[2]!.state.vocabulary as string[];
    const tv = record.fitted.steps[4]!.state.vocabulary as string[];
    expect([...sv].sort()).toEqual(['p', 'q', 'r']);
    expect([...tv].sort()).toEqual(['blue', 'green', 'red']);
    expect(data.groups).toEqual([
      { name: 'xz', columns: [0] },
      { name: 'sv', columns: [1, 2, 3] },
      { name: 'tv', columns: [4, 5, 6] },
    ]);
    expect(data.columnNames).toEqual(['xz', ...sv.map((w) => `sv=${w}`), ...tv.map((w) => `tv=${w}`)]);
    expect(encoded.leftOut).toEqual([
      { column: 'xf', why: 'not-output' },
      { column: 'tt', why: 'not-numeric' },
    ]);
    // equal to applyChunk over the training rows as plain rows
    const rows = Array.from(expected.train, (r) => Object.fromEntries(cols.map((c) => [c.name, c.values[r]])));
    const applied = applyChunk(record.fitted, chunkFromRows(rows, record.fitted.columns));
    expect(applied.dim).toBe(7);
    expect(Array.from(data.x.subarray(0, expected.train.length * 7))).toEqual(Array.from(applied.features));
    // by hand: z = (x - mean) / sqrt(biased variance) over the training rows; the category's and the words' counts
    const x = Array.from(expected.train, (r) => cols[0]!.values[r] as number);
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    const sd = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length);
    for (const i of [0, 5, expected.train.length - 1]) {
      const r = expected.train[i]!;
      expect(data.x[i * 7]).toBeCloseTo((x[i]! - mean) / sd, 5);
      const s = cols[1]!.values[r] as string;
      expect(Array.from(data.x.subarray(i * 7 + 1, i * 7 + 4))).toEqual(sv.map((w) => (w === s ? 1 : 0)));
      const words = (cols[2]!.values[r] as string).split(' ');
      expect(Array.from(data.x.subarray(i * 7 + 4, i * 7 + 7))).toEqual(tv.map((w) => words.filter((v) => v === w).length));
      expect(data.target.y[i]).toBe(cols[3]!.values[r] === 'A' ? 0 : 1);
    }
  });

  it('compares subsets of the steps on the transform’s own split, its label the target', async () => {
    const { projectId, versionId, record } = await analyzed();
    // the request's version, target and seed are the transform's whatever the page sent
    const result = await selectFeatures(db, { projectId, datasetVersionId: 'other', target: 's', seed: 7, transformId: record.id, methods: [{ method: 'f_test', k: 1 }, { method: 'rfe', k: 2 }] });
    expect(result.datasetVersionId).toBe(versionId);
    expect(result.target).toBe('cls');
    expect(result.transform).toEqual({ id: record.id, name: 'prep', version: 1 });
    expect(result.features).toEqual(['xz', 'sv', 'tv']);
    expect(result.matrixColumns).toBe(7);
    const counts = record.source.split.counts;
    expect(result.split).toEqual({ seed: 42, stratified: true, train: counts.train, validation: counts.validation, excluded: 0 });
    expect(result.used).toEqual({ train: counts.train, validation: counts.validation });
    expect(result.table.map((row) => row.columns)).toEqual([['xz', 'sv', 'tv'], ['xz'], expect.arrayContaining(['xz'])]);
    // x parts the classes by 4 or more: the model on xz alone makes no mistake
    expect(result.table[1]!.scores).toMatchObject({ accuracy: 1, rocAuc: 1 });
  });

  it('refuses a transform analyzed without a label column, naming it, before reading a row', async () => {
    const { projectId, versionId, record } = await analyzed(null);
    await db.batches.where('versionId').equals(versionId).delete();
    await expect(selectFeatures(db, { projectId, datasetVersionId: versionId, target: 'cls', transformId: record.id, methods: [] })).rejects.toMatchObject({
      kind: 'SelectError',
      code: 'transform-no-label',
      details: { params: { transform: 'prep v1' } },
    });
    await expect(selectFeatures(db, { projectId, datasetVersionId: versionId, target: 'cls', transformId: 'gone', methods: [] })).rejects.toMatchObject({ kind: 'RecordError', code: 'missing', details: { what: 'transform' } });
  });
});

describe('the row cap', () => {
  it('draws the same rows for the same seed, ascending, from the given rows only', () => {
    const rows = Uint32Array.from({ length: 1000 }, (_, i) => 3 * i);
    const a = sampleRows(rows, 100, 42, 1);
    expect(a).toHaveLength(100);
    expect(Array.from(a)).toEqual(Array.from(sampleRows(rows, 100, 42, 1)));
    expect(Array.from(a)).toEqual([...a].sort((p, q) => p - q));
    expect(new Set(a).size).toBe(100);
    for (const r of a) expect(r % 3).toBe(0);
    // another seed, or the other part's salt, draws other rows
    expect(Array.from(sampleRows(rows, 100, 43, 1))).not.toEqual(Array.from(a));
    expect(Array.from(sampleRows(rows, 100, 42, 2))).not.toEqual(Array.from(a));
    // at or under the cap: all rows
    expect(sampleRows(rows, 1000, 42, 1)).toBe(rows);
  });

  it('caps both kinds of data at 20,000 training and 5,000 validation rows and says so', async () => {
    const n = 40_000;
    const rng = new Rng(5);
    const cls = Array.from({ length: n }, (_, i) => (i % 2 ? 'B' : 'A'));
    const cols: Col[] = [
      { name: 'x', type: 'number', values: cls.map((c) => (c === 'B' ? 1 : 0) + 2 * rng.next()) },
      { name: 's', type: 'categorical', values: cls.map((_, i) => ['p', 'q', 'r'][i % 3]!) },
      { name: 't', type: 'text', values: cls.map(() => 'red green') },
      { name: 'cls', type: 'categorical', values: cls },
    ];
    const { projectId, versionId, record } = await analyzed('cls', cols, 16_384);
    const split = splitOf(cols);
    expect(split.train.length).toBeGreaterThan(MAX_SELECT_ROWS.train);
    expect(split.validation.length).toBeGreaterThan(MAX_SELECT_ROWS.validation);
    const methods = [{ method: 'f_test' as const, k: 1 }];
    const raw = await selectFeatures(db, { projectId, datasetVersionId: versionId, target: 'cls', features: ['x'], methods });
    const onTransform = await selectFeatures(db, { projectId, datasetVersionId: versionId, target: 'cls', transformId: record.id, methods });
    for (const result of [raw, onTransform]) {
      expect(result.split).toMatchObject({ train: split.train.length, validation: split.validation.length });
      expect(result.used).toEqual({ train: 20_000, validation: 5_000 });
    }
    // the same rows every time: a second run scores exactly the same
    const again = await selectFeatures(db, { projectId, datasetVersionId: versionId, target: 'cls', transformId: record.id, methods });
    expect(again.table).toEqual(onTransform.table);
    // the transform's matrix rows are the drawn rows of its split
    const meta = (await db.versions.get(versionId))!;
    const { encoded } = await encodeTransform(db, meta, await projectTransform(db, projectId, record.id), 'classification');
    const drawn = sampleParts(split, 42);
    expect(Array.from(encoded.datasetRows)).toEqual([...drawn.train, ...drawn.validation]);
    // the raw path's "all features" row is the small model trained and scored on the drawn rows of x
    const p = prepareSelection({
      x: Float64Array.from(cols[0]!.values as number[]),
      rows: n,
      cols: 1,
      columnNames: ['x'],
      target: { kind: 'classification', y: cls.map((c) => (c === 'A' ? 0 : 1)), classes: ['A', 'B'] },
      train: drawn.train,
      validation: drawn.validation,
    });
    const [all] = await compareSubsets(p, []);
    expect(raw.table[0]!.scores).toEqual(all!.scores);
  });
});
