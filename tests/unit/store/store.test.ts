import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PipetteDB } from '../../../src/store/db';
import { VersionWriter, deleteDataset, listVersions, moveVersionToDataset, sameColumns } from '../../../src/store/datasets';
import { createProject, deleteProject, renameProject } from '../../../src/store/projects';
import { createJob } from '../../../src/store/jobs';
import { sweepInterrupted } from '../../../src/store/sweep';
import type { ImportSummary, SourceInfo } from '../../../src/core/data/types';

let db: PipetteDB;
let n = 0;
beforeEach(async () => {
  db = new PipetteDB(`test-${n++}`);
  await db.open();
});
afterEach(async () => {
  await db.delete();
});

const source: SourceInfo = { fileName: 'a.csv', size: 10, format: 'csv' };
const summary = (rowCount: number): ImportSummary => ({
  format: 'csv',
  rowCount,
  columns: [{ name: 'x', type: 'integer', nullCount: 0 }],
  warnings: [],
});
const batch = (index: number, rowCount: number) => ({ index, rowCount, ipc: new Uint8Array([index, rowCount]) });

async function writeVersion(projectId: string, rows: number[], datasetId?: string) {
  const w = new VersionWriter(db, { projectId, datasetId, datasetName: 'data' });
  await w.begin(source);
  for (const [i, r] of rows.entries()) await w.write(batch(i, r));
  return w.commit(summary(rows.reduce((a, b) => a + b, 0)), source);
}

describe('dataset versions', () => {
  it('is invisible while writing and visible after one commit, numbered within its dataset', async () => {
    const p = await createProject(db, 'P');
    const w = new VersionWriter(db, { projectId: p.id, datasetName: 'weather' });
    await w.begin(source);
    await w.write(batch(0, 3));
    await w.write(batch(1, 2));
    expect(await listVersions(db, p.id)).toEqual([]);
    expect(await db.datasets.count()).toBe(0);

    const v1 = await w.commit(summary(5), source);
    expect(v1.status).toBe('ready');
    expect(v1.version).toBe(1);
    expect(v1.rowCount).toBe(5);
    expect(v1.batchRowCounts).toEqual([3, 2]);
    expect(v1.byteSize).toBe(4);
    expect((await db.datasets.get(v1.datasetId))?.name).toBe('weather');

    const v2 = await writeVersion(p.id, [7], v1.datasetId);
    expect(v2.version).toBe(2);
    expect(v2.datasetId).toBe(v1.datasetId);
    expect((await listVersions(db, p.id)).map((v) => v.version).sort()).toEqual([1, 2]);
    // The first version is unchanged by the second.
    expect(await db.versions.get(v1.id)).toEqual(v1);
  });

  it('refuses a commit whose row count does not match what was written', async () => {
    const p = await createProject(db, 'P');
    const w = new VersionWriter(db, { projectId: p.id });
    await w.begin(source);
    await w.write(batch(0, 3));
    await expect(w.commit(summary(4), source)).rejects.toThrow(/4 rows but 3/);
  });

  it('refuses batches out of order', async () => {
    const p = await createProject(db, 'P');
    const w = new VersionWriter(db, { projectId: p.id });
    await w.begin(source);
    await expect(w.write(batch(1, 3))).rejects.toThrow(/out of order/);
  });

  it('abort leaves nothing behind; reset forgets batches', async () => {
    const p = await createProject(db, 'P');
    const w = new VersionWriter(db, { projectId: p.id });
    await w.begin(source);
    await w.write(batch(0, 3));
    await w.reset();
    expect(await db.batches.count()).toBe(0);
    await w.write(batch(0, 2));
    await w.abort();
    expect(await db.batches.count()).toBe(0);
    expect(await db.versions.count()).toBe(0);
  });

  it('sweeps versions and jobs left unfinished by a closed tab', async () => {
    const p = await createProject(db, 'P');
    const done = await writeVersion(p.id, [2]);
    const w = new VersionWriter(db, { projectId: p.id });
    await w.begin(source);
    await w.write(batch(0, 3));
    const job = await createJob(db, { projectId: p.id, kind: 'import', label: 'big.csv' });
    expect(await sweepInterrupted(db)).toEqual({ versions: 1, jobs: 1 });
    expect(await db.versions.count()).toBe(1);
    expect(await db.batches.where('versionId').equals(done.id).count()).toBe(1);
    expect(await db.batches.count()).toBe(1);
    expect((await db.jobs.get(job.id))?.status).toBe('interrupted');
  });

  it('deletes a dataset with all its versions and batches', async () => {
    const p = await createProject(db, 'P');
    const v1 = await writeVersion(p.id, [2, 2]);
    await writeVersion(p.id, [1], v1.datasetId);
    const other = await writeVersion(p.id, [5]);
    await deleteDataset(db, v1.datasetId);
    expect((await listVersions(db, p.id)).map((v) => v.id)).toEqual([other.id]);
    expect(await db.batches.count()).toBe(1);
  });

  it('makes a freshly imported dataset the next version of another (the "new version of" proposal)', async () => {
    const p = await createProject(db, 'P');
    const v1 = await writeVersion(p.id, [2]);
    const v2 = await writeVersion(p.id, [3], v1.datasetId);
    const fresh = await writeVersion(p.id, [4, 1]);
    expect(fresh.datasetId).not.toBe(v1.datasetId);
    const moved = await moveVersionToDataset(db, fresh.id, v1.datasetId);
    expect(moved).toMatchObject({ id: fresh.id, datasetId: v1.datasetId, version: 3, rowCount: 5, batchRowCounts: [4, 1] });
    // its own dataset is gone, its batches stay with it, the earlier versions are unchanged
    expect(await db.datasets.get(fresh.datasetId)).toBeUndefined();
    expect(await db.batches.where('versionId').equals(fresh.id).count()).toBe(2);
    expect(await db.versions.get(v2.id)).toEqual(v2);
    // a dataset with more than one version is not moved
    await expect(moveVersionToDataset(db, v2.id, (await writeVersion(p.id, [1])).datasetId)).rejects.toThrow(/single version/);
    expect((await db.versions.get(v2.id))!.datasetId).toBe(v1.datasetId);
  });

  it('compares columns by name and type, in any order', () => {
    const a = [{ name: 'x', type: 'integer' }, { name: 'd', type: 'datetime' }];
    expect(sameColumns(a, [{ name: 'd', type: 'datetime' }, { name: 'x', type: 'integer' }])).toBe(true);
    expect(sameColumns(a, [{ name: 'd', type: 'text' }, { name: 'x', type: 'integer' }])).toBe(false);
    expect(sameColumns(a, [{ name: 'x', type: 'integer' }])).toBe(false);
  });
});

describe('projects', () => {
  it('creates, renames and deletes with everything inside, in one transaction', async () => {
    const p = await createProject(db, '  Churn  ');
    expect(p.name).toBe('Churn');
    await expect(createProject(db, '   ')).rejects.toThrow(/name/);
    await renameProject(db, p.id, 'Customer churn');
    expect((await db.projects.get(p.id))?.name).toBe('Customer churn');
    const keep = await createProject(db, 'Keep');
    await writeVersion(p.id, [3]);
    await writeVersion(keep.id, [4]);
    await deleteProject(db, p.id);
    expect(await db.projects.count()).toBe(1);
    expect(await db.versions.count()).toBe(1);
    expect(await db.batches.count()).toBe(1);
    expect((await listVersions(db, keep.id))[0].rowCount).toBe(4);
  });

  it('rolls back a failed transaction: nothing is half deleted', async () => {
    const p = await createProject(db, 'P');
    await writeVersion(p.id, [3]);
    await expect(
      db.transaction('rw', [db.projects, db.versions, db.batches], async () => {
        await db.batches.clear();
        await db.versions.clear();
        throw new Error('crash in the middle');
      }),
    ).rejects.toThrow('crash in the middle');
    expect(await db.versions.count()).toBe(1);
    expect(await db.batches.count()).toBe(1);
  });
});
