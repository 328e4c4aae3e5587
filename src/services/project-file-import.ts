/**
 * Import a project file as a NEW project (runs in the data worker). The file is read by slices: its zip
 * directory, the manifest, then one chunk at a time, each checked against the manifest's SHA-256 before
 * its records are decoded, checked (key, project, parent) and written with fresh ids. The records go in
 * under the new project's id with the project row LAST, holding the import job's writer lock: a refused,
 * cancelled or failed import removes what it wrote, and one whose tab went away is removed by the
 * start-up sweep (store/project-file-records.ts). Either way nothing of it is ever listed.
 */
import { inflateSync } from 'fflate';
import { decodeValue, DecodeProblem } from '../core/project-file/codec';
import { ProjectFileError } from '../core/project-file/errors';
import { checkManifest, MANIFEST_ENTRY, sha256, type Manifest, type ManifestChunk } from '../core/project-file/manifest';
import { checkRecord, settleRecord, shiftAt, shiftKey, type ReadKeys, type RecordPlace } from '../core/project-file/records';
import { IdRemap } from '../core/project-file/remap';
import type { TableSpec } from '../core/project-file/tables';
import { dataStart, readZipDirectory, type ReadAt, type ZipEntry } from '../core/project-file/zip-read';
import { throwIfAborted } from '../protocol/jobs';
import type { ProjectFileProgress, ProjectImportOutcome, ProjectImportRequest } from '../protocol/project-file';
import type { PipetteDB, Project } from '../store/db';
import { createJob, updateJob } from '../store/jobs';
import { projectTables, removeProjectRecords } from '../store/project-file-records';
import { holdingWriterLock } from '../store/sweep';

/** The file as zip entries read by slices, each checked against the manifest. */
class ProjectFileReader {
  private constructor(
    private readonly size: number,
    private readonly read: ReadAt,
    private readonly entries: Map<string, ZipEntry>,
    readonly manifest: Manifest,
  ) {}

  static async open(file: Blob): Promise<ProjectFileReader> {
    const read: ReadAt = async (offset, length) => new Uint8Array(await file.slice(offset, offset + length).arrayBuffer());
    const entries = await readZipDirectory(file.size, read);
    const manifestEntry = entries.get(MANIFEST_ENTRY);
    if (!manifestEntry) throw new ProjectFileError('foreign', { params: { why: 'no-manifest' } }, 'a zip file, but not a Pipette project: it has no manifest.json');
    const reader = new ProjectFileReader(file.size, read, entries, undefined as unknown as Manifest);
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(await reader.content(manifestEntry)));
    } catch (e) {
      if (e instanceof ProjectFileError) throw e;
      throw new ProjectFileError('foreign', { params: { why: 'bad-manifest' } }, 'manifest.json is not JSON');
    }
    const manifest = checkManifest(json);
    // every listed entry is there and inside the file before anything is written
    for (const name of Object.keys(manifest.entries)) {
      const entry = entries.get(name);
      if (!entry) throw new ProjectFileError('missing-entry', { params: { entry: name } }, `entry ${name} is missing from the file`);
      await dataStart(entry, file.size, read);
    }
    return new ProjectFileReader(file.size, read, entries, manifest);
  }

  /** An entry's uncompressed bytes. */
  async content(entry: ZipEntry): Promise<Uint8Array> {
    const raw = await this.read(await dataStart(entry, this.size, this.read), entry.compressedSize);
    if (entry.method === 0) return raw;
    if (entry.method !== 8) throw new ProjectFileError('bad-compression', { params: { entry: entry.name } }, `entry ${entry.name} uses compression method ${entry.method}`);
    try {
      return inflateSync(raw);
    } catch {
      throw new ProjectFileError('checksum', { params: { entry: entry.name, table: '' } }, `entry ${entry.name} does not decompress`);
    }
  }

  /** An entry's bytes, refused unless its SHA-256 is the manifest's. */
  async checked(name: string, table: string): Promise<Uint8Array> {
    const bytes = await this.content(this.entries.get(name)!);
    const expected = this.manifest.entries[name]!;
    if (bytes.byteLength !== expected.bytes || (await sha256(bytes)) !== expected.sha256)
      throw new ProjectFileError('checksum', { params: { entry: name, table } }, `entry ${name} of table ${table} was altered: its checksum differs from the manifest's`);
    return bytes;
  }

  /** Bytes read so far would be a slice count; progress counts the entries' compressed sizes. */
  compressedSize(name: string | undefined): number {
    return name ? (this.entries.get(name)?.compressedSize ?? 0) : 0;
  }

  get fileSize(): number {
    return this.size;
  }
}

/** Largest key of each auto-incremented table now: the imported keys go after it. */
async function keyShifts(db: PipetteDB): Promise<Map<string, number>> {
  const shifts = new Map<string, number>();
  for (const spec of projectTables(db)) {
    if (!spec.autoKey) continue;
    const last = await db.table(spec.name).orderBy(':id').lastKey();
    shifts.set(spec.name, typeof last === 'number' ? last : 0);
  }
  return shifts;
}

/** Everything a chunk's records go through between the file and the database. */
interface ImportState {
  manifest: Manifest;
  remap: IdRemap;
  shifts: Map<string, number>;
  specs: readonly TableSpec[];
  read: ReadKeys;
  /** The project row, written last. */
  project: Project | null;
}

/** A chunk's records, decoded, checked and ready to write (new ids, shifted keys). */
async function chunkRecords(reader: ProjectFileReader, spec: TableSpec, chunk: ManifestChunk, state: ImportState): Promise<Record<string, unknown>[]> {
  const json = await reader.checked(chunk.json, spec.name);
  const bin = chunk.bin ? await reader.checked(chunk.bin, spec.name) : new Uint8Array();
  let encoded: unknown;
  try {
    encoded = JSON.parse(new TextDecoder().decode(json));
  } catch {
    encoded = null;
  }
  if (!Array.isArray(encoded)) throw new ProjectFileError('bad-entry', { params: { entry: chunk.json, table: spec.name } }, `entry ${chunk.json} of table ${spec.name} is not a JSON list of records`);
  const keys = state.read.get(spec.name) ?? new Set();
  state.read.set(spec.name, keys);
  const out: Record<string, unknown>[] = [];
  for (const [i, value] of encoded.entries()) {
    const place: RecordPlace = { table: spec.name, entry: chunk.json, record: i + 1 };
    let record: Record<string, unknown>;
    try {
      record = decodeValue(value, bin) as Record<string, unknown>;
    } catch (e) {
      if (!(e instanceof DecodeProblem)) throw e;
      throw new ProjectFileError('bad-record', { params: { ...place, field: '' } }, `${chunk.json}: record ${i + 1} of table ${spec.name}: ${e.message}`);
    }
    keys.add(checkRecord(spec, record, state.manifest.project.id, state.read, place));
    settleRecord(spec, record);
    if (spec.autoKey) record[spec.key[0]!] = shiftKey(record[spec.key[0]!], state.shifts.get(spec.name)!);
    for (const owner of state.specs) {
      for (const ref of owner.autoKey?.refs ?? []) if (ref.table === spec.name) shiftAt(record, ref.path, state.shifts.get(owner.name)!);
    }
    out.push(state.remap.value(record));
  }
  return out;
}

export async function importProject(
  db: PipetteDB,
  req: ProjectImportRequest,
  signal: AbortSignal,
  onProgress: (p: ProjectFileProgress) => void,
): Promise<ProjectImportOutcome> {
  const reader = await ProjectFileReader.open(req.file);
  const manifest = reader.manifest;
  const remap = new IdRemap(manifest.ids);
  const projectId = remap.id(manifest.project.id);
  if (projectId === manifest.project.id) throw new ProjectFileError('foreign', { params: { why: 'bad-manifest' } }, 'manifest.json does not list the project among its ids');
  const job = await createJob(db, { id: req.jobId, projectId: null, kind: 'project-import', label: req.fileName });
  await updateJob(db, job.id, { output: { projectId } });
  const specs = projectTables(db);
  for (const t of manifest.tables) {
    if (!specs.some((spec) => spec.name === t.name)) throw new ProjectFileError('unknown-table', { params: { table: t.name } }, `table ${t.name} is not one this version of Pipette has`);
  }
  const state: ImportState = { manifest, remap, shifts: await keyShifts(db), specs, read: new Map(), project: null };
  const counts: Record<string, number> = {};
  const totalBytes = Object.keys(manifest.entries).reduce((sum, name) => sum + reader.compressedSize(name), 0) || 1;
  let doneBytes = 0;
  try {
    return await holdingWriterLock(job.id, async () => {
      for (const spec of specs) {
        const table = manifest.tables.find((t) => t.name === spec.name);
        if (!table) continue;
        let count = 0;
        for (const chunk of table.chunks) {
          throwIfAborted(signal);
          const records = await chunkRecords(reader, spec, chunk, state);
          if (records.length !== chunk.records)
            throw new ProjectFileError('count-mismatch', { params: { table: spec.name, expected: chunk.records, actual: records.length } }, `table ${spec.name}: ${records.length} records where the manifest says ${chunk.records}`);
          count += records.length;
          if (spec.name === 'projects') state.project = records[0] as unknown as Project;
          else await db.transaction('rw', spec.name, () => db.table(spec.name).bulkAdd(records));
          doneBytes += reader.compressedSize(chunk.json) + reader.compressedSize(chunk.bin);
          onProgress({ fraction: doneBytes / totalBytes, table: spec.name });
        }
        if (count !== table.records)
          throw new ProjectFileError('count-mismatch', { params: { table: spec.name, expected: table.records, actual: count } }, `table ${spec.name}: ${count} records where the manifest says ${table.records}`);
        counts[spec.name] = count;
      }
      throwIfAborted(signal);
      const project = state.project;
      if (!project) throw new ProjectFileError('count-mismatch', { params: { table: 'projects', expected: 1, actual: 0 } }, 'the file holds no project record');
      // an imported copy is not this browser's own demo project ("Open demo project" builds that one)
      delete project.demo;
      project.updatedAt = Date.now();
      await db.transaction('rw', [db.projects, db.jobs], async () => {
        await db.projects.add(project);
        await db.jobs.delete(job.id);
      });
      return { projectId, name: project.name, counts, ...(manifest.workshop ? { workshop: manifest.workshop } : {}) };
    });
  } catch (e) {
    await removeProjectRecords(db, projectId);
    await db.jobs.delete(job.id);
    throw e;
  }
}
