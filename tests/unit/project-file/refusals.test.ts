import 'fake-indexeddb/auto';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectFileError } from '../../../src/core/project-file/errors';
import { sha256, type Manifest } from '../../../src/core/project-file/manifest';
import { dataStart, readZipDirectory, type ReadAt } from '../../../src/core/project-file/zip-read';
import { exportProject } from '../../../src/services/project-file-export';
import { importProject } from '../../../src/services/project-file-import';
import { PipetteDB } from '../../../src/store/db';
import { sweepProjectImports } from '../../../src/store/project-file-records';
import { deleteProject } from '../../../src/store/projects';
import { ID, seedOther, seedProject, tableCounts } from './seed';

let from: PipetteDB;
let to: PipetteDB;
let file: Blob;
let before: Record<string, number>;
const signal = new AbortController().signal;

beforeEach(async () => {
  from = new PipetteDB('pf-refuse-from');
  await seedProject(from, 4096);
  file = (await exportProject(from, { jobId: 'e', projectId: ID.project }, signal, () => {})).file;
  to = new PipetteDB('pf-refuse-to');
  await seedOther(to);
  before = await tableCounts(to);
});
afterEach(async () => {
  await from.delete();
  await to.delete();
});

/** Import `f` and return the refusal; the database must be exactly as before. */
async function refusal(f: Blob, abort?: AbortSignal): Promise<ProjectFileError> {
  const error = await importProject(to, { jobId: 'i', file: f, fileName: 'x.pipette' }, abort ?? signal, () => {}).then(
    () => null,
    (e: unknown) => e,
  );
  expect(await tableCounts(to)).toEqual(before);
  return error as ProjectFileError;
}

/** The file's entries as a map, changed by `edit`, zipped again with the manifest's checksums redone. */
async function rebuilt(edit: (entries: Record<string, Uint8Array>, manifest: Manifest) => void): Promise<Blob> {
  const entries = unzipSync(new Uint8Array(await file.arrayBuffer()));
  const manifest = JSON.parse(new TextDecoder().decode(entries['manifest.json'])) as Manifest;
  edit(entries, manifest);
  for (const name of Object.keys(manifest.entries)) if (entries[name]) manifest.entries[name] = { sha256: await sha256(entries[name]), bytes: entries[name].byteLength };
  entries['manifest.json'] = strToU8(JSON.stringify(manifest));
  return new Blob([zipSync(entries)]);
}

describe('a project file that is not right is refused, naming what is wrong, and writes nothing', () => {
  it('not a zip', async () => {
    expect((await refusal(new Blob(['name,species\n1,Adelie']))).code).toBe('not-project-file');
  });

  it('truncated: the end (the zip directory) is missing', async () => {
    const e = await refusal(file.slice(0, file.size - 2000));
    expect(e).toBeInstanceOf(ProjectFileError);
    expect(e.code).toBe('truncated');
  });

  it('altered: one byte of the Arrow batch changed, refused by its entry and table after earlier tables were written', async () => {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const read: ReadAt = async (o, n) => bytes.subarray(o, o + n);
    const entry = (await readZipDirectory(bytes.length, read)).get('tables/batches/0001.bin')!;
    bytes[(await dataStart(entry, bytes.length, read)) + 100]! ^= 1;
    const e = await refusal(new Blob([bytes]));
    expect(e.code).toBe('checksum');
    expect(e.details.params).toEqual({ entry: 'tables/batches/0001.bin', table: 'batches' });
  });

  it('foreign: a zip without a manifest, and one whose manifest names another format', async () => {
    expect((await refusal(new Blob([zipSync({ 'model.json': strToU8('{}') })]))).details.params).toEqual({ why: 'no-manifest' });
    const other = await rebuilt((_, m) => ((m as { format: string }).format = 'tfjs-bundle'));
    const e = await refusal(other);
    expect([e.code, e.details.params?.why]).toEqual(['foreign', 'format']);
  });

  it('a newer format, an unknown table', async () => {
    expect((await refusal(await rebuilt((_, m) => (m.formatVersion = 2)))).code).toBe('newer-format');
    const e = await refusal(await rebuilt((_, m) => (m.tables[1]!.name = 'secrets')));
    expect([e.code, e.details.params?.table]).toEqual(['unknown-table', 'secrets']);
  });

  it('a record of another project, with a valid checksum: named by table, entry, record and field', async () => {
    const tampered = await rebuilt((entries) => {
      const name = 'tables/models/0001.json';
      const records = JSON.parse(new TextDecoder().decode(entries[name])) as { projectId: string }[];
      records[0]!.projectId = ID.other;
      entries[name] = strToU8(JSON.stringify(records));
    });
    const e = await refusal(tampered);
    expect(e.code).toBe('bad-record');
    expect(e.details.params).toEqual({ table: 'models', entry: 'tables/models/0001.json', record: 1, field: 'projectId' });
  });

  it('a count that differs from the manifest', async () => {
    const e = await refusal(await rebuilt((_, m) => (m.tables.find((t) => t.name === 'labelEvents')!.records = 3)));
    expect([e.code, e.details.params]).toEqual(['count-mismatch', { table: 'labelEvents', expected: 3, actual: 2 }]);
  });

  it('cancelled half way: nothing stays', async () => {
    const controller = new AbortController();
    const error = await importProject(to, { jobId: 'c', file, fileName: 'x.pipette' }, controller.signal, (p) => {
      if (p.table === 'batches') controller.abort();
    }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    expect(await tableCounts(to)).toEqual(before);
  });
});

describe('the start-up sweep', () => {
  it('removes what an import whose tab went away wrote, and its job', async () => {
    const orphan = '12345678-0000-4000-8000-000000000000';
    await to.datasets.add({ id: 'd', projectId: orphan, name: 'half', createdAt: 1 });
    await to.jobs.add({ id: 'j', projectId: null, kind: 'project-import', status: 'interrupted', progress: 0, label: 'x', output: { projectId: orphan }, createdAt: 1, updatedAt: 1 });
    expect(await sweepProjectImports(to)).toBe(1);
    expect(await tableCounts(to)).toEqual(before);
  });
});

describe('deleting a project', () => {
  it('clears every table a project file carries of it (transforms, serving logs, tune and lessons too), and no other project', async () => {
    await seedProject(to);
    await (to.table('transforms') as unknown as { add(r: unknown): Promise<unknown> }).add({ id: 't', projectId: ID.project, name: 'x', createdAt: 1 });
    await deleteProject(to, ID.project);
    expect(await tableCounts(to)).toEqual(before);
  });
});
