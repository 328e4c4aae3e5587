import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodePng } from '../../../src/core/data/png';
import { computeStats, isStale, jensenShannon, parseSchema, setRangesFromStats, withSuggestedThresholds, type NumericStats, type StringStats } from '../../../src/core/validate';
import { decodeBatch } from '../../../src/core/data/arrow';
import {
  CancelledError,
  acceptIntoSchema,
  compareVersions,
  computeVersionStats,
  exportSchemaText,
  imageChannels,
  importSchemaText,
  inferSchemaVersion,
  latestSchema,
  listSchemaVersions,
  recordDataError,
  saveSchemaVersion,
  servingSkew,
  validateVersion,
  versionStatistics,
} from '../../../src/services/validate';
import { PipetteDB } from '../../../src/store/db';
import { createProject } from '../../../src/store/projects';
import type { StatsProgress } from '../../../src/protocol/validate';
import { importCsv, writeVersion, type Col } from './helpers';

let db: PipetteDB;
let dbCount = 0;
beforeEach(async () => {
  db = new PipetteDB(`validate-svc-${dbCount++}`);
  await db.open();
});
afterEach(async () => {
  await db.delete();
});

/** A seeded generator, so the fixtures are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sortedMedian(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = 0.5 * (s.length - 1);
  const lo = Math.floor(h);
  return lo + 1 < s.length ? s[lo]! + (h - lo) * (s[lo + 1]! - s[lo]!) : s[lo]!;
}

describe('statistics of a stored version', () => {
  it('reads every batch and matches a brute-force computation, across batch boundaries', async () => {
    const p = await createProject(db, 'P');
    const r = rng(1);
    const n = 1000;
    const x: (number | null)[] = Array.from({ length: n }, (_, i) => (i % 17 === 0 ? null : i % 23 === 0 ? 0 : Math.round(r() * 1e4) / 100 - 20));
    const colors = ['red', 'green', 'blue'];
    const c: (string | null)[] = Array.from({ length: n }, (_, i) => (i % 50 === 0 ? null : colors[Math.floor(r() * 3)]!));
    const cols: Col[] = [
      { name: 'x', type: 'number', values: x },
      { name: 'color', type: 'categorical', values: c },
      { name: 'flag', type: 'boolean', values: Array.from({ length: n }, (_, i) => i % 3 === 0) },
    ];
    // 7 batches of 150 rows (the last short): statistics must not depend on where batches end
    const { versionId } = await writeVersion(db, p.id, cols, 150);
    const progress: StatsProgress[] = [];
    const out = await versionStatistics(db, { versionId }, undefined, (e) => progress.push(e));
    expect(out.cached).toBe(false);
    expect(progress.map((e) => e.rows)).toEqual([0, 150, 300, 450, 600, 750, 900, 1000]);
    expect(progress.every((e) => e.totalRows === n)).toBe(true);

    const xs = x.filter((v): v is number => v !== null);
    const sx = out.stats.columns[0] as NumericStats;
    expect(out.stats.rowCount).toBe(n);
    expect(sx).toMatchObject({ kind: 'numeric', count: n, missing: n - xs.length, zeros: xs.filter((v) => v === 0).length });
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(sx.mean).toBeCloseTo(mean, 9);
    expect(sx.std).toBeCloseTo(Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length), 9);
    expect(sx.min).toBe(Math.min(...xs));
    expect(sx.max).toBe(Math.max(...xs));
    expect(sx.median).toBeCloseTo(sortedMedian(xs), 12);
    expect(sx.histogram!.counts.reduce((a, b) => a + b, 0)).toBe(xs.length);

    const sc = out.stats.columns[1] as StringStats;
    expect(sc.unique).toBe(3);
    const counts = colors.map((v) => ({ value: v, count: c.filter((y) => y === v).length })).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
    expect(sc.topValues).toEqual(counts);
    expect(out.stats.columns[2]).toMatchObject({ kind: 'boolean', trueCount: 334, falseCount: 666 });

    // the same statistics as the core computes over the decoded batches in memory
    const batches = await db.batches.where('versionId').equals(versionId).sortBy('index');
    expect(out.stats).toEqual(computeStats(batches.map((b) => decodeBatch(b.ipc)), null, { expectedRows: n }));
  });

  it('caches statistics per version and label column', async () => {
    const p = await createProject(db, 'P');
    const { versionId } = await writeVersion(db, p.id, [
      { name: 'y', type: 'categorical', values: ['a', 'b', 'a', 'a'] },
      { name: 'v', type: 'number', values: [1, 2, 3, 5] },
    ]);
    const first = await versionStatistics(db, { versionId });
    const again = await versionStatistics(db, { versionId });
    expect(again.cached).toBe(true);
    expect(again.stats).toEqual(first.stats);
    expect(again.seconds).toBe(first.seconds);

    const byLabel = await versionStatistics(db, { versionId, labelColumn: 'y' });
    expect(byLabel.cached).toBe(false);
    expect(byLabel.stats.byLabel!.map((g) => [g.label, g.rowCount])).toEqual([
      ['a', 3],
      ['b', 1],
    ]);
    expect((byLabel.stats.byLabel![0]!.columns[1] as NumericStats).mean).toBe(3);
    expect(await db.statistics.count()).toBe(2);
    // fresh: computed again although cached
    expect((await versionStatistics(db, { versionId, fresh: true })).cached).toBe(false);
  });

  it('reports an empty version with its columns and zero counts', async () => {
    const p = await createProject(db, 'P');
    const { versionId } = await writeVersion(db, p.id, [
      { name: 'a', type: 'number', values: [] },
      { name: 'b', type: 'text', values: [] },
    ]);
    const stats = await computeVersionStats(db, versionId);
    expect(stats.rowCount).toBe(0);
    expect(stats.columns.map((c) => [c.name, c.count, c.missing])).toEqual([
      ['a', 0, 0],
      ['b', 0, 0],
    ]);
  });

  it('stops when cancelled and caches nothing', async () => {
    const p = await createProject(db, 'P');
    const { versionId } = await writeVersion(db, p.id, [{ name: 'a', type: 'number', values: Array.from({ length: 100 }, (_, i) => i) }], 10);
    const controller = new AbortController();
    const error = await versionStatistics(db, { versionId }, controller.signal, (e) => {
      if (e.rows >= 30) controller.abort();
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as Error).name).toBe('AbortError');
    expect(await db.statistics.count()).toBe(0);
  });

  it('reads width, height and channels of image columns from their headers', async () => {
    const gray = encodePng(new Uint8Array(6 * 4), 6, 4, 1);
    const rgba = encodePng(new Uint8Array(3 * 2 * 4), 3, 2, 4);
    expect(imageChannels(gray)).toBe(1);
    expect(imageChannels(rgba)).toBe(4);
    const p = await createProject(db, 'P');
    const { versionId } = await writeVersion(db, p.id, [{ name: 'img', type: 'image', values: [gray, rgba, gray, null, new Uint8Array([1, 2, 3])] }]);
    const { stats } = await versionStatistics(db, { versionId });
    const img = stats.columns[0]!;
    expect(img.kind).toBe('image');
    if (img.kind !== 'image') return;
    expect(img.missing).toBe(1);
    expect(img.unreadable).toBe(1);
    expect(img.width).toMatchObject({ min: 3, max: 6, finite: 3 });
    expect(img.height).toMatchObject({ min: 2, max: 4 });
    expect(img.channels).toEqual([
      { channels: 1, count: 2 },
      { channels: 4, count: 1 },
    ]);
  });
});

describe('schema versions', () => {
  it('infers version 1, saves edits as new versions, never changes old ones, and numbers per project', async () => {
    const p = await createProject(db, 'P');
    const q = await createProject(db, 'Q');
    const { versionId } = await writeVersion(db, p.id, [
      { name: 'kind', type: 'categorical', values: ['x', 'y', 'x'] },
      { name: 'size', type: 'number', values: [1.5, 2.5, 4] },
    ]);
    const v1 = await inferSchemaVersion(db, { projectId: p.id, versionId });
    expect(v1).toMatchObject({ version: 1, parentId: null, origin: { kind: 'inferred', versionId, version: 1 } });
    expect(v1.schema.features).toEqual([
      { name: 'kind', type: 'categorical', presence: { required: true, minFraction: 1 }, domain: { kind: 'values', values: ['x', 'y'] }, driftThreshold: null, skewThreshold: null },
      // as TFDV's infer_schema: no value range from the data's min and max
      { name: 'size', type: 'number', presence: { required: true, minFraction: 1 }, domain: null, driftThreshold: null, skewThreshold: null },
    ]);

    const edited = structuredClone(v1.schema);
    edited.features[1]!.presence = { required: false, minFraction: 0.5 };
    edited.features[1]!.driftThreshold = 0.2;
    const saved = await saveSchemaVersion(db, p.id, edited, v1.id);
    expect(saved.ok).toBe(true);
    if (!saved.ok) return;
    expect(saved.record).toMatchObject({ version: 2, parentId: v1.id, origin: { kind: 'edited' } });
    expect((await db.schemas.get(v1.id))!.schema).toEqual(v1.schema);

    const other = await saveSchemaVersion(db, q.id, edited, null);
    expect(other.ok && other.record.version).toBe(1);
    expect((await listSchemaVersions(db, p.id)).map((s) => s.version)).toEqual([1, 2]);
  });

  it('refuses an invalid edit with the field path, and writes nothing', async () => {
    const p = await createProject(db, 'P');
    const bad = {
      format: 'pipette-schema',
      version: 1,
      features: [{ name: 'a', type: 'number', presence: { required: false, minFraction: 0 }, domain: { kind: 'range', min: 5, max: 1 }, driftThreshold: 2, skewThreshold: null }],
    } as never;
    const out = await saveSchemaVersion(db, p.id, bad, null);
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.issues.map((i) => i.path)).toEqual(['features[0].domain', 'features[0].driftThreshold']);
    expect(await db.schemas.count()).toBe(0);
  });

  it('imports only real schemas: not JSON, not a schema, a wrong field each get a clear message', async () => {
    const p = await createProject(db, 'P');
    const notJson = await importSchemaText(db, p.id, 'x.json', 'name,age\n1,2');
    expect(notJson).toMatchObject({ ok: false, issues: [{ path: '', message: expect.stringContaining('not JSON') }] });
    const notSchema = await importSchemaText(db, p.id, 'data.json', JSON.stringify([{ a: 1 }]));
    expect(notSchema).toMatchObject({ ok: false, issues: [{ path: '', message: 'expected a JSON object, got an array' }] });
    const other = await importSchemaText(db, p.id, 'pkg.json', JSON.stringify({ name: 'x', version: '1.0.0' }));
    expect(other.ok).toBe(false);
    if (!other.ok) expect(other.issues.map((i) => i.path)).toEqual(['format', 'version', 'features']);
    const wrongField = await importSchemaText(
      db,
      p.id,
      's.json',
      JSON.stringify({ format: 'pipette-schema', version: 1, features: [{ name: 'a', type: 'number', presence: { required: true, minFraction: 1 }, domain: { kind: 'range', min: '5', max: null } }] }),
    );
    expect(wrongField).toMatchObject({ ok: false, issues: [{ path: 'features[0].domain.min', message: 'expected a number, got the string "5"' }] });
    expect(await db.schemas.count()).toBe(0);
  });

  it('exports JSON that imports back to the same schema as a new version', async () => {
    const p = await createProject(db, 'My project');
    const { versionId } = await writeVersion(db, p.id, [{ name: 'k', type: 'categorical', values: ['a', 'b'] }]);
    const v1 = await inferSchemaVersion(db, { projectId: p.id, versionId });
    const file = await exportSchemaText(db, v1.id);
    expect(file.fileName).toBe('My-project-schema-v1.json');
    expect(parseSchema(file.text)).toEqual(v1.schema);
    const back = await importSchemaText(db, p.id, file.fileName, file.text);
    expect(back.ok && back.record).toMatchObject({ version: 2, parentId: v1.id, schema: v1.schema, origin: { kind: 'imported', fileName: file.fileName } });
  });
});

/** The shape of the TFDV tutorial: training data, then evaluation data that breaks the schema three ways. */
function tripsCsv(rows: number, seed: number, evalSplit: boolean): string {
  const r = rng(seed);
  const pay = ['Cash', 'Credit Card', 'No Charge'];
  const companies = ['Flash Cab', 'Taxi Affiliation', 'City Service'];
  const lines = [evalSplit ? 'payment_type,fare,trip_miles' : 'payment_type,fare,trip_miles,company'];
  for (let i = 0; i < rows; i++) {
    // eval: one new payment type on 3 rows, and 2 fares far above the training maximum
    const p = evalSplit && i % 40 === 7 ? 'Prcard' : pay[Math.floor(r() * 3)]!;
    // training covers every fare 0.5 ... 40.4 and every distance, so eval stays in range except where meant
    const fare = evalSplit && (i === 11 || i === 12) ? 999.5 : ((i * 37) % 400) / 10 + 0.5;
    const miles = (((i * 13) % 100) / 10 + 0.25).toFixed(2);
    lines.push(evalSplit ? `${p},${fare},${miles}` : `${p},${fare},${miles},${companies[i % 3]}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('validation, accepting and marking anomalies', () => {
  it('reports exactly the new value, the dropped column and the out-of-range fares; accepting fixes the schema', async () => {
    const p = await createProject(db, 'Taxi');
    const train = await importCsv(db, p.id, 'train.csv', tripsCsv(400, 7, false));
    const evalOut = await importCsv(db, p.id, 'eval.csv', tripsCsv(120, 8, true), train.datasetId);
    const schema1 = await inferSchemaVersion(db, { projectId: p.id, versionId: train.versionId });
    expect(schema1.schema.features.map((f) => [f.name, f.type])).toEqual([
      ['payment_type', 'categorical'],
      ['fare', 'number'],
      ['trip_miles', 'number'],
      ['company', 'categorical'],
    ]);

    // the inferred schema pins no ranges, so the far fares are no anomaly yet
    const inferredCheck = await validateVersion(db, { projectId: p.id, versionId: evalOut.versionId });
    expect(inferredCheck.anomalies.map((a) => [a.kind, a.column]).sort()).toEqual([
      ['missing_column', 'company'],
      ['out_of_domain', 'payment_type'],
    ]);
    // "set ranges from these statistics" (the Schema tab's action), saved as schema v2
    const trainStats = (await versionStatistics(db, { versionId: train.versionId })).stats;
    const ranged = await saveSchemaVersion(db, p.id, setRangesFromStats(schema1.schema, trainStats), schema1.id);
    if (!ranged.ok) throw new Error('not saved');
    const schema2 = ranged.record;
    expect(schema2.schema.features[1]!.domain).toEqual({ kind: 'range', min: 0.5, max: 40.4 });

    const trainCheck = await validateVersion(db, { projectId: p.id, versionId: train.versionId });
    expect(trainCheck.anomalies).toEqual([]);

    const result = await validateVersion(db, { projectId: p.id, versionId: evalOut.versionId });
    expect(result).toMatchObject({ schemaId: schema2.id, schemaVersion: 2, rowCount: 120 });
    const byKind = Object.fromEntries(result.anomalies.map((a) => [a.kind, a]));
    expect(result.anomalies.map((a) => [a.kind, a.column]).sort()).toEqual([
      ['missing_column', 'company'],
      ['out_of_domain', 'payment_type'],
      ['out_of_range', 'fare'],
    ]);
    expect(byKind.out_of_domain).toMatchObject({ count: 3, code: 'validate.anomaly.out_of_domain', examples: { values: ['Prcard'], rows: [7, 47, 87] } });
    expect(byKind.out_of_range).toMatchObject({ count: 2, code: 'validate.anomaly.out_of_range.above', examples: { values: [999.5, 999.5], rows: [11, 12] } });
    expect(byKind.missing_column).toMatchObject({ count: 120 });
    // validating also cached the version's statistics
    expect((await versionStatistics(db, { versionId: evalOut.versionId })).cached).toBe(true);

    // one accept: a new schema version with the new value in the domain
    const first = await acceptIntoSchema(db, p.id, [byKind.out_of_domain!]);
    expect(first.changed).toBe(true);
    expect(first.record).toMatchObject({ version: 3, parentId: schema2.id, origin: { kind: 'accepted', anomalies: [{ column: 'payment_type', kind: 'out_of_domain' }] } });
    expect(first.record.schema.features[0]!.domain).toEqual({ kind: 'values', values: ['Cash', 'Credit Card', 'No Charge', 'Prcard'] });
    // accepting the same again changes nothing and writes nothing
    const again = await acceptIntoSchema(db, p.id, [byKind.out_of_domain!]);
    expect(again).toMatchObject({ changed: false, record: { id: first.record.id } });

    const rest = await acceptIntoSchema(db, p.id, [byKind.out_of_range!, byKind.missing_column!]);
    expect(rest.record.version).toBe(4);
    expect(rest.record.schema.features[1]!.domain).toMatchObject({ kind: 'range', max: 999.5 });
    expect(rest.record.schema.features[3]!.presence).toEqual({ required: false, minFraction: 0 });
    expect((await validateVersion(db, { projectId: p.id, versionId: evalOut.versionId })).anomalies).toEqual([]);
    // the earlier schema versions are as they were
    expect((await db.schemas.get(schema1.id))!.schema).toEqual(schema1.schema);
    expect((await db.schemas.get(schema2.id))!.schema).toEqual(schema2.schema);
  });

  it('records a data error without touching the schema', async () => {
    const p = await createProject(db, 'P');
    const { versionId } = await writeVersion(db, p.id, [{ name: 'n', type: 'number', values: [1, 2, 3] }]);
    const s = await inferSchemaVersion(db, { projectId: p.id, versionId });
    const decision = await recordDataError(db, {
      projectId: p.id,
      versionId,
      schemaId: s.id,
      anomaly: { column: 'n', kind: 'out_of_range', code: 'validate.anomaly.out_of_range.above', count: 4 },
    });
    expect(await db.anomalyDecisions.get(decision.id)).toMatchObject({ decision: 'data-error', column: 'n', kind: 'out_of_range', count: 4, schemaId: s.id });
    expect(await db.schemas.count()).toBe(1);
  });

  it('says plainly that validation needs a schema', async () => {
    const p = await createProject(db, 'P');
    const { versionId } = await writeVersion(db, p.id, [{ name: 'n', type: 'number', values: [1] }]);
    await expect(validateVersion(db, { projectId: p.id, versionId })).rejects.toThrow(/no schema yet/);
  });
});

describe('drift and skew', () => {
  async function twoVersions() {
    const p = await createProject(db, 'P');
    const r = rng(3);
    const n = 2000;
    const base = Array.from({ length: n }, () => r() * 10);
    const colors = Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 'b' : 'a'));
    const a = await writeVersion(db, p.id, [
      { name: 'x', type: 'number', values: base },
      { name: 'steady', type: 'number', values: base.map((v) => v * 2) },
      { name: 'c', type: 'categorical', values: colors },
    ], 512);
    const b = await writeVersion(
      db,
      p.id,
      [
        { name: 'x', type: 'number', values: base.map((v) => v + 1000) },
        { name: 'steady', type: 'number', values: base.map((v) => v * 2) },
        { name: 'c', type: 'categorical', values: colors.map((_, i) => (i % 4 === 0 ? 'a' : 'b')) },
      ],
      512,
      a.datasetId,
    );
    return { p, a, b };
  }

  it('flags a shifted column against its threshold, with the distances of the formulas', async () => {
    const { p, a, b } = await twoVersions();
    const s1 = await inferSchemaVersion(db, { projectId: p.id, versionId: a.versionId });
    const withThresholds = structuredClone(s1.schema);
    for (const f of withThresholds.features) f.driftThreshold = 0.3;
    const saved = await saveSchemaVersion(db, p.id, withThresholds, s1.id);
    expect(saved.ok).toBe(true);

    const out = await compareVersions(db, { projectId: p.id, baselineId: a.versionId, currentId: b.versionId });
    const byName = Object.fromEntries(out.comparison.columns.map((c) => [c.column, c]));
    // disjoint supports: JS divergence 1
    expect(byName.x).toMatchObject({ metric: 'js', distance: 1, threshold: 0.3, exceeded: true });
    expect(byName.steady).toMatchObject({ metric: 'js', distance: 0, exceeded: false });
    const sa = (await versionStatistics(db, { versionId: a.versionId })).stats;
    const sb = (await versionStatistics(db, { versionId: b.versionId })).stats;
    expect(byName.steady!.distance).toBe(jensenShannon((sa.columns[1] as NumericStats).histogram!, (sb.columns[1] as NumericStats).histogram!));
    // L-infinity: p(b) goes from 1/4 to 3/4 (and p(a) the other way)
    expect(byName.c!.metric).toBe('linf');
    expect(byName.c!.distance).toBe(0.5);
    expect(byName.c!.exceeded).toBe(true);
    expect(out.comparison.flagged.sort()).toEqual(['c', 'x']);
    expect(out.anomalies.map((x) => [x.kind, x.column, x.code]).sort()).toEqual([
      ['drift', 'c', 'validate.anomaly.drift.linf'],
      ['drift', 'x', 'validate.anomaly.drift.js'],
    ]);

    // without a schema the distances are reported and nothing is flagged
    const bare = await compareVersions(db, { projectId: p.id, baselineId: a.versionId, currentId: b.versionId, schemaId: null });
    expect(bare.comparison.flagged).toEqual([]);
    expect(bare.comparison.columns.find((c) => c.column === 'x')!.distance).toBe(1);

    // accepting a drift anomaly raises the threshold to the observed distance
    const accepted = await acceptIntoSchema(db, p.id, out.anomalies.filter((x) => x.column === 'x'));
    expect(accepted.record.schema.features[0]!.driftThreshold).toBe(1);
  });

  it('checks nothing without thresholds; a result computed before a schema change is stale', async () => {
    const { p, a, b } = await twoVersions();
    const s1 = await inferSchemaVersion(db, { projectId: p.id, versionId: a.versionId });
    const before = await compareVersions(db, { projectId: p.id, baselineId: a.versionId, currentId: b.versionId });
    expect(before.schemaId).toBe(s1.id);
    expect(before.comparison.checked).toEqual([]);
    expect(before.comparison.flagged).toEqual([]);
    expect(before.comparison.columns.find((c) => c.column === 'x')!.distance).toBe(1);
    expect(isStale(before, (await latestSchema(db, p.id))!.id)).toBe(false);

    // the suggested thresholds as the next schema version: the earlier result is now stale
    const saved = await saveSchemaVersion(db, p.id, withSuggestedThresholds(s1.schema, 'driftThreshold'), s1.id);
    if (!saved.ok) throw new Error('not saved');
    const current = (await latestSchema(db, p.id))!.id;
    expect(current).toBe(saved.record.id);
    expect(isStale(before, current)).toBe(true);
    const after = await compareVersions(db, { projectId: p.id, baselineId: a.versionId, currentId: b.versionId });
    expect(isStale(after, current)).toBe(false);
    expect(after.comparison.checked).toEqual(['x', 'steady', 'c']);
    expect(after.comparison.flagged.sort()).toEqual(['c', 'x']);
  });

  it('has no skew to show while no serving request was logged, and compares them once there are', async () => {
    const { p, a } = await twoVersions();
    expect(await servingSkew(db, { projectId: p.id, trainingVersionId: a.versionId })).toEqual({ logged: false, requests: 0 });

    // requests of another project do not count
    const other = await createProject(db, 'Other');
    await db.servingRequests.add({ projectId: other.id, modelId: 'm', at: 1, features: { x: 1 } });
    expect(await servingSkew(db, { projectId: p.id, trainingVersionId: a.versionId })).toEqual({ logged: false, requests: 0 });

    for (let i = 0; i < 40; i++) {
      await db.servingRequests.add({ projectId: p.id, modelId: 'm', at: i, features: { x: 500 + i, c: i % 2 ? 'a' : 'z' } });
    }
    const out = await servingSkew(db, { projectId: p.id, trainingVersionId: a.versionId, schemaId: null });
    expect(out.requests).toBe(40);
    if (!out.logged) return;
    expect(out.serving.rowCount).toBe(40);
    expect((out.serving.columns.find((c) => c.name === 'x') as NumericStats).mean).toBeCloseTo(519.5, 12);
    // only the columns the requests carry are compared
    expect(out.comparison.columns.map((c) => c.column)).toEqual(['x', 'c']);
    expect(out.comparison.columns[0]!.distance).toBe(1);
    // training: a 3/4, b 1/4; serving: a 1/2, z 1/2 -> the largest difference is z's 1/2
    expect(out.comparison.columns[1]).toMatchObject({ distance: 0.5, value: 'z' });
  });
});
