/**
 * manifest.json, the project file's table of contents: format name and version, the app and database
 * versions that wrote it, the project, each table's record count and chunk entries, a SHA-256 per entry,
 * the ids the import renumbers, and the workshop's lessons. checkManifest refuses a file that is not ours.
 */
import { ProjectFileError } from './errors';
import { tableSpec } from './tables';

export const FORMAT = 'pipette-project';
export const FORMAT_VERSION = 1;
export const MANIFEST_ENTRY = 'manifest.json';
/** The file name's ending (a zip inside). */
export const FILE_EXTENSION = '.pipette';

export interface ManifestChunk {
  /** The records as JSON (a deflated entry). */
  json: string;
  /** Their binary parts (a stored entry), when they have any. */
  bin?: string;
  records: number;
}

export interface ManifestTable {
  name: string;
  records: number;
  chunks: ManifestChunk[];
}

/** A prepared project for a room of students: they start at the first of these lessons. */
export interface Workshop {
  lessons: string[];
}

export interface Manifest {
  format: typeof FORMAT;
  formatVersion: number;
  appVersion: string;
  dbVersion: number;
  exportedAt: number;
  project: { id: string; name: string };
  tables: ManifestTable[];
  /** SHA-256 (hex) and byte length of every entry's uncompressed content. */
  entries: Record<string, { sha256: string; bytes: number }>;
  /** Every id the file's records are keyed by: the import gives each a fresh one. */
  ids: string[];
  workshop?: Workshop;
}

const foreign = (why: string, message: string) => new ProjectFileError('foreign', { params: { why } }, message);

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The manifest, checked: ours, a version this app reads, tables it has, entries with checksums. */
export function checkManifest(value: unknown): Manifest {
  if (!isObject(value)) throw foreign('bad-manifest', 'manifest.json is not a JSON object');
  if (value.format !== FORMAT) throw foreign('format', `manifest.json names the format ${JSON.stringify(value.format)}, not ${FORMAT}`);
  const version = value.formatVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) throw foreign('bad-manifest', 'manifest.json has no format version');
  if (version > FORMAT_VERSION)
    throw new ProjectFileError('newer-format', { params: { version, supported: FORMAT_VERSION } }, `made by a newer Pipette (format ${version}; this one reads ${FORMAT_VERSION})`);
  const project = value.project;
  if (!isObject(project) || typeof project.id !== 'string' || typeof project.name !== 'string') throw foreign('bad-manifest', 'manifest.json names no project');
  if (!Array.isArray(value.tables) || !isObject(value.entries) || !Array.isArray(value.ids)) throw foreign('bad-manifest', 'manifest.json lists no tables, entries or ids');
  const entries = value.entries as Manifest['entries'];
  for (const [name, e] of Object.entries(entries)) {
    if (!isObject(e) || typeof e.sha256 !== 'string' || typeof e.bytes !== 'number') throw foreign('bad-manifest', `manifest.json: entry ${name} has no checksum`);
  }
  for (const t of value.tables as unknown[]) {
    if (!isObject(t) || typeof t.name !== 'string' || typeof t.records !== 'number' || !Array.isArray(t.chunks)) throw foreign('bad-manifest', 'manifest.json: a table without name, count or chunks');
    if (!tableSpec(t.name)) throw new ProjectFileError('unknown-table', { params: { table: t.name } }, `table ${t.name} is not one this version of Pipette has`);
    for (const c of t.chunks as unknown[]) {
      if (!isObject(c) || typeof c.json !== 'string' || typeof c.records !== 'number') throw foreign('bad-manifest', `manifest.json: table ${t.name} has a chunk without entry`);
      for (const entry of [c.json, c.bin]) {
        if (entry !== undefined && !Object.hasOwn(entries, entry as string))
          throw foreign('bad-manifest', `manifest.json: entry ${String(entry)} of table ${t.name} has no checksum`);
      }
    }
  }
  if (value.workshop !== undefined && (!isObject(value.workshop) || !Array.isArray(value.workshop.lessons) || !value.workshop.lessons.every((l) => typeof l === 'string')))
    throw foreign('bad-manifest', 'manifest.json: the workshop lists no lessons');
  return value as unknown as Manifest;
}

/** The hex form of a SHA-256 digest. */
export function hex(digest: ArrayBuffer): string {
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function sha256(bytes: Uint8Array): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}
