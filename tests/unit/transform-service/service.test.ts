import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/math/random';
import { DEFAULT_FRACTIONS, splitRows } from '../../../src/core/model/split';
import type { NumericStats } from '../../../src/core/validate/stats';
import type { AnalyzeProgress } from '../../../src/protocol/transform';
import { loadTable, prepareData } from '../../../src/services/train-data';
import { analyzeTransform, exportTransform, getTransform, importTransform, listTransforms, previewTransform } from '../../../src/services/transform';
import { PipetteDB } from '../../../src/store/db';
import { createProject } from '../../../src/store/projects';
import { writeVersion, type Col } from '../validate-service/helpers';

let db: PipetteDB;
let dbCount = 0;
beforeEach(async () => {
  db = new PipetteDB(`transform-svc-${dbCount++}`);
  await db.open();
});
afterEach(async () => {
  await db.delete();
});

const N = 230;
const CLASSES = ['a', 'b', 'c'];
const WORDS = ['red', 'green', 'blue'];

/** x: numbers with gaps; cls: the label (3 classes, some missing); s: categories; t: short texts; y: a numeric label. */
function fixture(): Col[] {
  // seeded, so the fixture is the same on every run
  const rng = new Rng(7);
  const r = () => rng.next();
  const x: (number | null)[] = [];
  const cls: (string | null)[] = [];
  const s: (string | null)[] = [];
  const t: (string | null)[] = [];
  const y: (number | null)[] = [];
  for (let i = 0; i < N; i++) {
    x.push(i % 11 === 3 ? null : Math.round(r() * 1000) / 10);
    cls.push(i % 17 === 5 ? null : CLASSES[Math.floor(r() * 3)]!);
    s.push(i % 13 === 4 ? null : ['p', 'q', 'q', 'r'][Math.floor(r() * 4)]!);
    t.push(`${WORDS[i % 3]} ${WORDS[Math.floor(r() * 3)]}`);
    y.push(i % 19 === 2 ? null : r() * 50);
  }
  return [
    { name: 'x', type: 'number', values: x },
    { name: 'cls', type: 'categorical', values: cls },
    { name: 's', type: 'categorical', values: s },
    { name: 't', type: 'text', values: t },
    { name: 'y', type: 'number', values: y },
  ];
}

/** Several record batches, so fitting and statistics cross batch boundaries. */
async function version(batchRows = 64) {
  const p = await createProject(db, 'P');
  const cols = fixture();
  const { versionId } = await writeVersion(db, p.id, cols, batchRows);
  return { projectId: p.id, versionId, cols };
}

const SPEC = {
  steps: [
    { name: 'xz', op: 'z_score', inputs: ['x'] },
    { name: 'sv', op: 'vocabulary', inputs: ['s'] },
  ],
};

function analyze(projectId: string, versionId: string, extra: Partial<Parameters<typeof analyzeTransform>[1]> = {}, signal?: AbortSignal, onProgress?: (p: AnalyzeProgress) => void) {
  return analyzeTransform(db, { projectId, datasetVersionId: versionId, name: 'prep', parentId: null, spec: SPEC, labelColumn: 'cls', ...extra }, signal, onProgress);
}

/** The rows the Train stage's split puts in train (seed 42, default fractions, stratified by cls). */
function trainRows(cols: Col[]): number[] {
  const labels = cols.find((c) => c.name === 'cls')!.values as (string | null)[];
  return Array.from(splitRows(N, { seed: 42, fractions: DEFAULT_FRACTIONS, labels, stratify: true }).train);
}

describe('analyzing a transform', () => {
  it('fits on exactly the training rows of the Train stage split: the mean and biased variance by hand', async () => {
    const { projectId, versionId, cols } = await version();
    const record = await analyze(projectId, versionId);
    const x = cols[0]!.values as (number | null)[];
    const train = trainRows(cols);
    const present = train.map((i) => x[i]).filter((v): v is number => v !== null);
    const mean = present.reduce((a, b) => a + b, 0) / present.length;
    const variance = present.reduce((a, b) => a + (b - mean) ** 2, 0) / present.length;
    const z = record.fitted.steps[0]!;
    expect(z.state.count).toBe(present.length);
    expect(z.state.mean as number).toBeCloseTo(mean, 10);
    expect(z.state.var as number).toBeCloseTo(variance, 8);
    // the mean over all rows differs: the test and validation rows were not read
    const all = x.filter((v): v is number => v !== null);
    expect(Math.abs(all.reduce((a, b) => a + b, 0) / all.length - mean)).toBeGreaterThan(1e-6);
    // the vocabulary counts are the training rows' counts, most frequent first
    const s = cols[2]!.values as (string | null)[];
    const counts = new Map<string, number>();
    for (const i of train) if (s[i] !== null) counts.set(s[i]!, (counts.get(s[i]!) ?? 0) + 1);
    const expected = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? 1 : -1));
    expect(record.fitted.steps[1]!.state.vocabulary).toEqual(expected.map((e) => e[0]));
    expect(record.fitted.steps[1]!.state.counts).toEqual(expected.map((e) => e[1]));
    expect(record.fitted.rows).toBe(train.length);
    expect(record.source).toEqual({ datasetVersionId: versionId, labelColumn: 'cls', split: { seed: 42, fractions: DEFAULT_FRACTIONS, stratified: true, counts: expect.objectContaining({ train: train.length }) } });
  });

  it('uses the same split as the Train stage, for a class label and for a number label', async () => {
    const { projectId, versionId } = await version();
    for (const [label, labelTask] of [
      ['cls', 'classification'],
      ['y', 'regression'],
    ] as const) {
      const record = await analyze(projectId, versionId, { labelColumn: label, seed: 7, fractions: { train: 0.6, validation: 0.2, test: 0.2 } });
      const loaded = await loadTable(db, versionId, ['x', label]);
      const prepared = await prepareData(loaded, { features: [{ column: 'x' }], label, labelTask, split: { seed: 7, fractions: { train: 0.6, validation: 0.2, test: 0.2 } } });
      const counts = { train: prepared.split.train.length, validation: prepared.split.validation.length, test: prepared.split.test.length, excluded: prepared.split.excluded.length };
      expect(record.source.split).toEqual({ seed: 7, fractions: { train: 0.6, validation: 0.2, test: 0.2 }, stratified: labelTask === 'classification', counts });
      // the z-score count is the training rows with an x: the same rows as Train's train part
      const x = loaded.table.columns.get('x')! as { values: Float64Array };
      expect(record.fitted.steps[0]!.state.count).toBe(Array.from(prepared.split.train).filter((i) => !Number.isNaN(x.values[i]!)).length);
      expect(counts.excluded).toBeGreaterThan(0);
    }
  });

  it('refuses a spec that cannot run before reading any batch, naming the step and the column, and writes nothing', async () => {
    const { projectId, versionId } = await version();
    // without its batches the version cannot be read at all: a refusal proves no batch was asked for
    await db.batches.where('versionId').equals(versionId).delete();
    const bad = { steps: [{ name: 'cz', op: 'z_score', inputs: ['s'] }] };
    await expect(analyze(projectId, versionId, { spec: bad })).rejects.toMatchObject({ kind: 'TransformError', code: 'wrong-input-kind', details: { step: 'cz', column: 's' } });
    // a step reading the split's label column
    const readsLabel = { steps: [...SPEC.steps, { name: 'clsv', op: 'vocabulary', inputs: ['cls'] }] };
    await expect(analyze(projectId, versionId, { spec: readsLabel })).rejects.toMatchObject({ kind: 'TransformError', code: 'reads-label', details: { step: 'clsv', column: 'cls' } });
    await expect(analyze(projectId, versionId)).rejects.toThrow(/no batch/);
    expect(await db.transforms.count()).toBe(0);
  });

  it('a cancel in the fitting pass or in the statistics pass writes nothing', async () => {
    const { projectId, versionId } = await version();
    for (const phase of ['fit', 'stats'] as const) {
      const controller = new AbortController();
      const seen: string[] = [];
      const run = analyze(projectId, versionId, {}, controller.signal, (p) => {
        seen.push(p.phase);
        if (p.phase === phase && p.rows > 0) controller.abort();
      });
      await expect(run).rejects.toMatchObject({ name: 'AbortError' });
      expect(seen).toContain(phase);
    }
    expect(await db.transforms.count()).toBe(0);
  });

  it('numbers versions within their name and keeps the parent', async () => {
    const { projectId, versionId } = await version();
    const v1 = await analyze(projectId, versionId);
    const v2 = await analyze(projectId, versionId, { parentId: v1.id });
    const other = await analyze(projectId, versionId, { name: 'other' });
    expect([v1.version, v2.version, other.version]).toEqual([1, 2, 1]);
    expect(v2.parentId).toBe(v1.id);
    expect((await listTransforms(db, projectId)).map((r) => `${r.name} v${r.version}`)).toEqual(['other v1', 'prep v1', 'prep v2']);
    await expect(analyze(projectId, versionId, { parentId: 'nope' })).rejects.toMatchObject({ kind: 'RecordError', code: 'missing', details: { what: 'transform' } });
  });

  it('computes the statistics of the transformed training rows: counts, missing, one column per slot of a narrow step', async () => {
    const { projectId, versionId, cols } = await version();
    const spec = {
      steps: [
        ...SPEC.steps,
        { name: 'tt', op: 'tokenize', inputs: ['t'] },
        { name: 'tv', op: 'vocabulary', inputs: ['tt'] },
        { name: 'th', op: 'hash_strings', inputs: ['tt'], params: { hash_buckets: 40 } },
      ],
    };
    const record = await analyze(projectId, versionId, { spec });
    const train = trainRows(cols);
    const x = cols[0]!.values;
    const s = cols[2]!.values;
    expect(record.stats.rowCount).toBe(train.length);
    const byName = new Map(record.stats.columns.map((c) => [c.name, c]));
    const words = record.fitted.steps[3]!.state.vocabulary as string[];
    expect([...words].sort()).toEqual(['blue', 'green', 'red']);
    expect([...byName.keys()]).toEqual(['xz', 'sv', ...words.map((w) => `tv=${w}`)]);
    const xz = byName.get('xz') as NumericStats;
    expect(xz.missing).toBe(train.filter((i) => x[i] === null).length);
    // a z-score of the training rows: mean 0, biased standard deviation 1
    expect(Math.abs(xz.mean!)).toBeLessThan(1e-9);
    expect(xz.count).toBe(train.length);
    // the vocabulary index of a missing category is -1, counted as missing
    expect(byName.get('sv')!.missing).toBe(train.filter((i) => s[i] === null).length);
    // every text has two words: the three count columns add up to 2 per row
    const sum = ['tv=blue', 'tv=green', 'tv=red'].reduce((a, k) => a + (byName.get(k) as NumericStats).mean! * train.length, 0);
    expect(sum).toBeCloseTo(2 * train.length, 9);
    expect(record.statsLeftOut).toEqual([
      { step: 'tt', kind: 'tokens', size: 0, why: 'not-a-feature' },
      { step: 'th', kind: 'indices', size: 40, why: 'too-wide' },
    ]);
  });
});

describe('preview, export and import', () => {
  it('previews the first rows raw next to transformed values computed from the fitted state', async () => {
    const { projectId, versionId, cols } = await version();
    const record = await analyze(projectId, versionId);
    const preview = await previewTransform(db, record.id, 70);
    expect(preview.rows).toHaveLength(70);
    expect(preview.columns.map((c) => c.name)).toEqual(['x', 's']);
    const { mean, var: variance } = record.fitted.steps[0]!.state as { mean: number; var: number };
    const vocabulary = record.fitted.steps[1]!.state.vocabulary as string[];
    const x = cols[0]!.values as (number | null)[];
    const s = cols[2]!.values as (string | null)[];
    for (const row of preview.rows) {
      const i = row.row - 1;
      expect(row.raw).toEqual([x[i], s[i]]);
      if (x[i] === null) expect(row.values[0]).toBeNull();
      else expect(row.values[0]).toBeCloseTo((x[i]! - mean) / Math.sqrt(variance), 12);
      expect(row.values[1]).toBe(s[i] === null ? -1 : vocabulary.indexOf(s[i]!));
    }
  });

  it('exports transform.json and imports it as a version with the same fitted state; a bad file is refused by what is wrong', async () => {
    const { projectId, versionId } = await version();
    const record = await analyze(projectId, versionId);
    const file = await exportTransform(db, record.id);
    expect(file.fileName).toBe('prep-v1.transform.json');
    expect(JSON.parse(file.text)).toEqual(record.fitted);
    const choice = { projectId, datasetVersionId: versionId, labelColumn: 'cls', name: 'prep', fileName: file.fileName };
    const imported = await importTransform(db, { ...choice, text: file.text });
    expect(imported.version).toBe(2);
    expect(imported.origin).toEqual({ kind: 'imported', fileName: 'prep-v1.transform.json' });
    expect(imported.fitted).toEqual(record.fitted);
    expect(imported.stats).toEqual(record.stats);
    expect(await getTransform(db, imported.id)).toEqual(imported);

    await expect(importTransform(db, { ...choice, text: '{"format": "something else"}' })).rejects.toMatchObject({ kind: 'TransformError', code: 'bad-fitted', details: { params: { why: 'format' } } });
    await expect(importTransform(db, { ...choice, text: 'not json' })).rejects.toMatchObject({ code: 'bad-fitted', details: { params: { why: 'json' } } });
    // a transform whose steps were edited without their spec
    const edited = JSON.parse(file.text);
    edited.steps[0].op = 'scale_0_1';
    await expect(importTransform(db, { ...choice, text: JSON.stringify(edited) })).rejects.toMatchObject({ code: 'bad-fitted', details: { params: { why: 'step' } } });
    // a transform over a column this version lacks names the step and the column
    const other = JSON.parse(file.text);
    other.spec.steps[0].inputs = ['weight'];
    await expect(importTransform(db, { ...choice, text: JSON.stringify(other) })).rejects.toMatchObject({ code: 'unknown-input', details: { step: 'xz', column: 'weight' } });
    expect(await db.transforms.count()).toBe(2);
  });
});
