import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { PipetteDB } from '../../../src/store/db';
import { logServedResponse, newestServedResponse, servedResponsesOf } from '../../../src/store/served-responses';

let db: PipetteDB | undefined;
afterEach(async () => {
  await db?.delete();
});

describe('served responses', () => {
  it("lists one model's answers in a project, oldest first", async () => {
    db = new PipetteDB('served-responses-list');
    const answer = { version: 1, status: 200, latencyMs: 3, classes: ['Adelie'] };
    await logServedResponse(db, { projectId: 'p', model: 'm', at: 30, ...answer });
    await logServedResponse(db, { projectId: 'p', model: 'other', at: 10, ...answer });
    await logServedResponse(db, { projectId: 'q', model: 'm', at: 15, ...answer });
    await logServedResponse(db, { projectId: 'p', model: 'm', at: 20, ...answer, status: 400, classes: [] });
    const rows = await servedResponsesOf(db, 'p', 'm');
    expect(rows.map((r) => [r.at, r.status])).toEqual([
      [20, 400],
      [30, 200],
    ]);
  });

  it("keeps the newest answers of a model name up to the cap, pruning the oldest as it writes; other names untouched", async () => {
    db = new PipetteDB('served-responses-cap');
    const answer = { version: 1, status: 200, latencyMs: 3, classes: [] };
    await logServedResponse(db, { projectId: 'p', model: 'other', at: 1, ...answer }, 3);
    const counts: number[] = [];
    for (const at of [10, 20, 30, 40, 50]) {
      await logServedResponse(db, { projectId: 'p', model: 'm', at, ...answer }, 3);
      counts.push((await servedResponsesOf(db, 'p', 'm')).length);
    }
    expect(counts).toEqual([1, 2, 3, 3, 3]);
    expect((await servedResponsesOf(db, 'p', 'm')).map((r) => r.at)).toEqual([30, 40, 50]);
    // an answer older than every kept one is the one pruned
    await logServedResponse(db, { projectId: 'p', model: 'm', at: 5, ...answer }, 3);
    expect((await servedResponsesOf(db, 'p', 'm')).map((r) => r.at)).toEqual([30, 40, 50]);
    expect((await newestServedResponse(db, 'p', 'm'))?.at).toBe(50);
    expect((await servedResponsesOf(db, 'p', 'other')).map((r) => r.at)).toEqual([1]);
  });

  it('opens a database of the version before (7) and keeps its rows', async () => {
    const name = 'served-responses-upgrade';
    const old = new Dexie(name);
    old.version(7).stores({ projects: 'id, updatedAt', servingRequests: '++seq, projectId, modelId, at' });
    await old.table('projects').add({ id: 'p', name: 'kept', updatedAt: 1 });
    old.close();
    db = new PipetteDB(name);
    expect((await db.projects.get('p'))?.name).toBe('kept');
    await logServedResponse(db, { projectId: 'p', model: 'm', at: 1, version: null, status: 200, latencyMs: 1, classes: [] });
    expect(await db.servedResponses.count()).toBe(1);
  });
});
