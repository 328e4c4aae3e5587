/**
 * Export a whole project as one file (runs in the data worker): a zip of each table's records as JSON
 * chunks with their binary parts beside them, and manifest.json last (counts, SHA-256 per entry, the ids
 * to renumber). Streamed: records are read a few at a time, each chunk is zipped as soon as it is full, and
 * the zip's output is handed to Blobs every few MB, which the browser may keep on disk; the project is
 * never held whole in memory.
 */
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import { version as appVersion } from '../../package.json';
import { BinaryParts, encodeValue } from '../core/project-file/codec';
import { FILE_EXTENSION, FORMAT, FORMAT_VERSION, MANIFEST_ENTRY, sha256, type Manifest, type ManifestTable, type Workshop } from '../core/project-file/manifest';
import { uuidsIn } from '../core/project-file/remap';
import type { TableSpec } from '../core/project-file/tables';
import { missing } from '../core/record-error';
import { throwIfAborted } from '../protocol/jobs';
import type { ProjectExport, ProjectExportRequest, ProjectFileProgress } from '../protocol/project-file';
import type { PipetteDB } from '../store/db';
import { projectKeys, projectTables } from '../store/project-file-records';

/** A chunk is zipped once its JSON and binary parts pass this many bytes (or records). */
const CHUNK_BYTES = 8 << 20;
const CHUNK_RECORDS = 5000;
/** The zip's output is moved into a Blob every this many bytes. */
const FLUSH_BYTES = 8 << 20;

/** The zip being written, entry by entry, into a list of Blobs. */
class ZipToBlobs {
  readonly entries: Manifest['entries'] = {};
  readonly #blobs: Blob[] = [];
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #error: Error | null = null;
  readonly #zip = new Zip((err, chunk, final) => {
    if (err) this.#error = err;
    else this.#take(chunk, final);
  });

  #take(chunk: Uint8Array, final: boolean): void {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.byteLength;
    if (final || this.#pendingBytes >= FLUSH_BYTES) {
      this.#blobs.push(new Blob(this.#pending as Uint8Array<ArrayBuffer>[]));
      this.#pending = [];
      this.#pendingBytes = 0;
    }
  }

  async add(name: string, bytes: Uint8Array, deflate: boolean): Promise<void> {
    this.entries[name] = { sha256: await sha256(bytes), bytes: bytes.byteLength };
    const file = deflate ? new ZipDeflate(name, { level: 6 }) : new ZipPassThrough(name);
    this.#zip.add(file);
    file.push(bytes, true);
    if (this.#error) throw this.#error;
  }

  finish(): Blob {
    this.#zip.end();
    if (this.#error) throw this.#error;
    return new Blob(this.#blobs, { type: 'application/zip' });
  }
}

/** One table's records, gathered into chunks and zipped as each fills. */
class TableWriter {
  readonly table: ManifestTable;
  #records: unknown[] = [];
  #bin = new BinaryParts();
  #jsonBytes = 0;

  constructor(
    private readonly zip: ZipToBlobs,
    name: string,
  ) {
    this.table = { name, records: 0, chunks: [] };
  }

  async add(record: unknown): Promise<void> {
    const encoded = encodeValue(record, this.#bin);
    this.#records.push(encoded);
    this.#jsonBytes += JSON.stringify(encoded).length;
    this.table.records++;
    if (this.#jsonBytes + this.#bin.bytes >= CHUNK_BYTES || this.#records.length >= CHUNK_RECORDS) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#records.length === 0) return;
    const base = `tables/${this.table.name}/${String(this.table.chunks.length + 1).padStart(4, '0')}`;
    const json = new TextEncoder().encode(JSON.stringify(this.#records));
    await this.zip.add(`${base}.json`, json, true);
    const chunk = { json: `${base}.json`, records: this.#records.length } as ManifestTable['chunks'][number];
    if (this.#bin.bytes > 0) {
      chunk.bin = `${base}.bin`;
      // binary (Arrow batches, weights) barely deflates: stored, so reading it back is a slice
      await this.zip.add(chunk.bin, this.#bin.concat(), false);
    }
    this.table.chunks.push(chunk);
    this.#records = [];
    this.#bin = new BinaryParts();
    this.#jsonBytes = 0;
  }
}

/** A file name from the project's name: letters, digits and dashes, and the format's ending. */
export function projectFileName(name: string): string {
  const base = name.normalize('NFKC').replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '') || 'project';
  return `${base}${FILE_EXTENSION}`;
}

/** The lessons chosen for a workshop on the Lessons page (none chosen: every lesson, in order). */
async function workshopOf(db: PipetteDB, projectId: string): Promise<Workshop> {
  const hasTable = db.tables.some((t) => t.name === 'lessonWorkshops');
  const record = hasTable ? ((await db.table('lessonWorkshops').get(projectId)) as { lessonIds?: string[] } | undefined) : undefined;
  return { lessons: record?.lessonIds ?? [] };
}

export async function exportProject(
  db: PipetteDB,
  req: ProjectExportRequest,
  signal: AbortSignal,
  onProgress: (p: ProjectFileProgress) => void,
): Promise<ProjectExport> {
  const project = await db.projects.get(req.projectId);
  if (!project) throw missing('project', req.projectId);
  const keys = await projectKeys(db, req.projectId);
  const specs = projectTables(db).filter((spec) => !(req.workshop && spec.learnerProgress));
  const workshop = req.workshop ? await workshopOf(db, req.projectId) : undefined;
  // heavy records (batches, weights) weigh more in the progress than a row of metadata
  const weight = (spec: TableSpec) => (spec.heavy ? 50 : 1);
  const total = specs.reduce((sum, spec) => sum + keys.get(spec.name)!.length * weight(spec), 0) || 1;
  let done = 0;
  const zip = new ZipToBlobs();
  const tables: ManifestTable[] = [];
  const ids = new Set<string>();
  const counts: Record<string, number> = {};
  for (const spec of specs) {
    const writer = new TableWriter(zip, spec.name);
    const tableKeys = keys.get(spec.name)!;
    const step = spec.heavy ? 4 : 500;
    for (let i = 0; i < tableKeys.length; i += step) {
      throwIfAborted(signal);
      const records = await db.table(spec.name).bulkGet(tableKeys.slice(i, i + step));
      for (const [j, record] of records.entries()) {
        // deleted since the keys were read: left out, as if exported a moment earlier
        if (record === undefined) continue;
        for (const id of uuidsIn(tableKeys[i + j])) ids.add(id);
        await writer.add(record);
      }
      done += records.length * weight(spec);
      onProgress({ fraction: done / total, table: spec.name });
    }
    await writer.flush();
    counts[spec.name] = writer.table.records;
    if (writer.table.records > 0) tables.push(writer.table);
  }
  const manifest: Manifest = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    appVersion,
    dbVersion: db.verno,
    exportedAt: Date.now(),
    project: { id: project.id, name: project.name },
    tables,
    entries: { ...zip.entries },
    ids: [...ids],
    ...(workshop ? { workshop } : {}),
  };
  await zip.add(MANIFEST_ENTRY, new TextEncoder().encode(JSON.stringify(manifest)), true);
  return { file: zip.finish(), fileName: projectFileName(project.name), counts };
}
