import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PipetteDB } from '../../../src/store/db';
import { createProject } from '../../../src/store/projects';
import { listVersions } from '../../../src/store/datasets';
import { importIntoStore } from '../../../src/services/import';
import { TableService } from '../../../src/services/table';
import { exportVersion } from '../../../src/services/export';
import { DataError } from '../../../src/core/data/errors';
import { encodePng } from '../../../src/core/data/png';
import type { ImageCheck } from '../../../src/core/data/types';

let db: PipetteDB;
let n = 0;
beforeEach(async () => {
  db = new PipetteDB(`svc-${n++}`);
  await db.open();
});
afterEach(async () => {
  await db.delete();
});

const file = (name: string, text: string) => new File([text], name);

async function importText(projectId: string, name: string, text: string) {
  return importIntoStore(db, { jobId: crypto.randomUUID(), projectId, sources: [file(name, text)] }, new AbortController().signal, () => {});
}

describe('import into the store, then read rows back', () => {
  it('imports a CSV into a committed version whose rows, types and sort order are right', async () => {
    const p = await createProject(db, 'P');
    const csv = 'name,score,passed,when\nana,3.5,true,2024-01-02\nbo,,false,2024-01-01\ncy,10,true,2023-12-31\ndi,-1,false,\n';
    const out = await importText(p.id, 'scores.csv', csv);
    expect(out.summary.rowCount).toBe(4);
    expect(out.summary.columns.map((c) => [c.name, c.type, c.nullCount])).toEqual([
      ['name', expect.stringMatching(/categorical|text/), 0],
      ['score', 'number', 1],
      ['passed', 'boolean', 0],
      ['when', 'datetime', 1],
    ]);
    const [version] = await listVersions(db, p.id);
    expect(version.id).toBe(out.versionId);
    expect(version.source).toMatchObject({ fileName: 'scores.csv', format: 'csv' });
    expect((await db.jobs.toArray()).map((j) => j.status)).toEqual(['done']);

    const tables = new TableService(db);
    const page = await tables.rows(out.versionId, 0, 10);
    expect(page.rowNumbers).toEqual([0, 1, 2, 3]);
    expect(page.rows[0]).toEqual(['ana', 3.5, true, Date.UTC(2024, 0, 2)]);
    expect(page.rows[1]).toEqual(['bo', null, false, Date.UTC(2024, 0, 1)]);

    // Ascending by score: missing last; descending: missing still last.
    expect((await tables.rows(out.versionId, 0, 10, { column: 'score', descending: false })).rowNumbers).toEqual([3, 0, 2, 1]);
    expect((await tables.rows(out.versionId, 0, 10, { column: 'score', descending: true })).rowNumbers).toEqual([2, 0, 3, 1]);
    expect((await tables.rows(out.versionId, 1, 2, { column: 'name', descending: true })).rowNumbers).toEqual([2, 1]);
  });

  it('writes nothing when the file is bad, and keeps earlier versions', async () => {
    const p = await createProject(db, 'P');
    await importText(p.id, 'good.csv', 'a,b\n1,2\n');
    const error = await importText(p.id, 'ragged.csv', 'a,b\n1,2\n3\n').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).code).toBe('ragged-row');
    expect((error as DataError).details).toMatchObject({ file: 'ragged.csv', row: 2 });
    expect(await db.versions.count()).toBe(1);
    expect(await db.datasets.count()).toBe(1);
    expect((await db.batches.toArray()).length).toBe(1);
    const statuses = (await db.jobs.toArray()).map((j) => j.status).sort();
    expect(statuses).toEqual(['done', 'failed']);
  });

  it('images the decoder refuses: a lone file is refused, one among several is left out and listed', async () => {
    const p = await createProject(db, 'P');
    const good = encodePng(new Uint8Array(4).fill(1), 2, 2, 1) as Uint8Array<ArrayBuffer>;
    // a GIF header over bytes the decoder refuses (PNGs are checked by the importer itself)
    const broken = new Uint8Array([...new TextEncoder().encode('GIF89a'), 2, 0, 2, 0, 0xee, 0, 0]);
    // the decoder the worker injects (the browser's), here a stand-in that refuses the damaged bytes
    const check: ImageCheck = async (b) => (b.length === broken.length && b.every((x, i) => x === broken[i]) ? 'invalid image data' : null);
    const run = (files: File[]) => importIntoStore(db, { jobId: crypto.randomUUID(), projectId: p.id, sources: files }, new AbortController().signal, () => {}, check);
    const lone = await run([new File([broken], 'anim.gif')]).catch((e: unknown) => e);
    expect(lone).toMatchObject({ code: 'undecodable-image', details: { file: 'anim.gif', params: { detail: 'invalid image data' } } });
    expect(await db.versions.count()).toBe(0);
    const out = await run([new File([good], 'cats/a.png'), new File([broken], 'cats/b.gif')]);
    expect(out.summary.rowCount).toBe(1);
    expect(out.summary.warnings.map((w) => [w.code, w.params])).toEqual([['undecodable-files', { count: 1, examples: 'cats/b.gif' }]]);
    expect((await new TableService(db).rows(out.versionId, 0, 10)).rows.map((r) => r[2])).toEqual(['cats/a.png']);
  });

  it('cancels: nothing is written and the job says cancelled', async () => {
    const p = await createProject(db, 'P');
    const controller = new AbortController();
    controller.abort();
    const error = await importIntoStore(db, { jobId: 'j1', projectId: p.id, sources: [file('x.csv', 'a\n1\n')] }, controller.signal, () => {}).catch((e: unknown) => e);
    expect((error as DataError).code).toBe('cancelled');
    expect(await db.versions.count()).toBe(0);
    expect((await db.jobs.get('j1'))?.status).toBe('cancelled');
  });

  it('exports a version as CSV that reads back to the same rows', async () => {
    const p = await createProject(db, 'P');
    const csv = 'k,v,note\n1,0.5,"hello, ""world"""\n2,1.25,"two\nlines"\n';
    const out = await importText(p.id, 'q.csv', csv);
    const tables = new TableService(db);
    const { meta, batches } = await tables.ipcBatches(out.versionId);
    const file = await exportVersion(batches, meta.columns, 'csv', 'q-v1');
    expect(file.fileName).toBe('q-v1.csv');
    const back = await importText(p.id, 'q-v1.csv', new TextDecoder().decode(file.bytes));
    expect((await tables.rows(back.versionId, 0, 5)).rows).toEqual((await tables.rows(out.versionId, 0, 5)).rows);
  });
});
