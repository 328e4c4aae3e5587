/**
 * The drift trigger's measurement (services/validate.ts servedDrift): the requests one model served, read
 * from the request log, against the dataset version it was trained on, per column the model reads. Distances
 * by hand: L-infinity of the categorical column's shares, and a Jensen-Shannon divergence of 1 for numeric
 * values whose ranges do not overlap.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { servedDrift } from '../../../src/services/validate';
import { PipetteDB } from '../../../src/store/db';
import { lastServedRequest, servedRequestSlices } from '../../../src/store/served-requests';
import { createProject } from '../../../src/store/projects';
import type { ModelVersionRecord } from '../../../src/store/training-records';
import { writeVersion } from './helpers';

let db: PipetteDB;
let dbCount = 0;
beforeEach(async () => {
  db = new PipetteDB(`served-drift-${dbCount++}`);
  await db.open();
});
afterEach(async () => {
  await db.delete();
});

/** A model version reading `c` (one-hot) and `x`, trained on `versionId` (only what servedDrift reads). */
function model(id: string, projectId: string, versionId: string | null): ModelVersionRecord {
  const features = [
    { column: 'c', encoding: 'one-hot', sourceType: 'categorical' },
    { column: 'x', encoding: 'standardize', sourceType: 'number' },
  ];
  return { id, projectId, name: id, version: 1, source: 'run', runId: null, datasetVersionId: versionId, parentModelId: null, metadata: { preprocessing: { features }, lineage: {} }, weightBytes: 0, createdAt: 0 } as unknown as ModelVersionRecord;
}

async function setUp() {
  const p = await createProject(db, 'P');
  const n = 400;
  // training: c is 'a' on 3 rows of 4 and 'b' on the 4th; x = 0, 0.025, ..., 9.975; `unread` is not a model input
  const v = await writeVersion(db, p.id, [
    { name: 'c', type: 'categorical', values: Array.from({ length: n }, (_, i) => (i % 4 === 3 ? 'b' : 'a')) },
    { name: 'x', type: 'number', values: Array.from({ length: n }, (_, i) => i / 40) },
    { name: 'unread', type: 'number', values: Array.from({ length: n }, (_, i) => i) },
  ]);
  await db.models.bulkAdd([model('m1', p.id, v.versionId), model('m2', p.id, v.versionId), model('orphan', p.id, null)]);
  return { p, v };
}

describe('the request log', () => {
  it('gives a project\'s requests in logged order, slice by slice, only the given models\' when asked', async () => {
    // 10 requests alternating m1, m2, and one of another project in between
    for (let i = 0; i < 10; i++) {
      await db.servingRequests.add({ projectId: 'p', modelId: i % 2 ? 'm2' : 'm1', at: i, features: {} });
      if (i === 4) await db.servingRequests.add({ projectId: 'q', modelId: 'm1', at: 99, features: {} });
    }
    const read = async (modelIds?: ReadonlySet<string>) => {
      const slices: number[][] = [];
      for await (const rows of servedRequestSlices(db, 'p', modelIds, 3)) slices.push(rows.map((r) => r.at));
      return slices;
    };
    // slices of 3 of the project's rows in the log's order (the other project's row is passed over)
    expect(await read()).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
    expect((await read(new Set(['m2']))).flat()).toEqual([1, 3, 5, 7, 9]);
    // the newest m1 request by log order (at 8), not the one with the latest time (at 99, logged earlier)
    expect((await lastServedRequest(db, 'm1'))?.at).toBe(8);
  });
});

describe('served requests against the training data', () => {
  it('measures only the model\'s own requests, per column it reads, through the newest one', async () => {
    const { p, v } = await setUp();
    expect(await servedDrift(db, { projectId: p.id, modelId: 'm1' })).toBeNull();

    const other = await createProject(db, 'Other');
    await db.servingRequests.add({ projectId: other.id, modelId: 'm1', at: 1, features: { c: 'a', x: 1 } });
    // 10 requests of m1: c = 'b' on 6, 'a' on 4; x far above the training range
    for (let i = 0; i < 10; i++) await db.servingRequests.add({ projectId: p.id, modelId: 'm1', at: 100 + i, features: { c: i < 6 ? 'b' : 'a', x: 500 + i, unread: 0 } });
    // m2's requests are all 'a': counted, they would pull c's share of 'b' down
    for (let i = 0; i < 10; i++) await db.servingRequests.add({ projectId: p.id, modelId: 'm2', at: 200 + i, features: { c: 'a', x: 5 } });
    const last = await db.servingRequests.where('modelId').equals('m1').last();

    const drift = await servedDrift(db, { projectId: p.id, modelId: 'm1' });
    expect(drift).toMatchObject({ modelId: 'm1', trainingVersionId: v.versionId, requests: 10, throughSeq: last!.seq, lastAt: 109 });
    const c = drift!.columns.find((col) => col.column === 'c')!;
    // shares: training a 0.75, b 0.25; served a 0.4, b 0.6 -> L-infinity max(|0.75-0.4|, |0.25-0.6|) = 0.35
    expect(c.metric).toBe('linf');
    expect(c.distance).toBeCloseTo(0.35, 12);
    // no served x falls in the training range: the distributions share no cell, JS = 1
    expect(drift!.columns.find((col) => col.column === 'x')).toEqual({ column: 'x', metric: 'js', distance: 1 });
    expect(drift!.columns.map((col) => col.column).sort()).toEqual(['c', 'x']);
  });

  it('has nothing to measure for a model whose training data is unknown', async () => {
    const { p } = await setUp();
    await db.servingRequests.add({ projectId: p.id, modelId: 'orphan', at: 1, features: { c: 'b', x: 1 } });
    expect(await servedDrift(db, { projectId: p.id, modelId: 'orphan' })).toBeNull();
  });
});
