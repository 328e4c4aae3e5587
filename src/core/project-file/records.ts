/**
 * A record read from a project file, checked before anything is written: it is an object, has its
 * table's key, and belongs to the file's project (its projectId, or a parent record read before it).
 * Then it is made ready to write: work a worker was doing arrives interrupted.
 */
import { ProjectFileError } from './errors';
import type { TableSpec } from './tables';

export interface RecordPlace {
  table: string;
  entry: string;
  /** 1-based position in its entry. */
  record: number;
}

/** The primary keys of records already read, by table: a child's parent must be among them. */
export type ReadKeys = Map<string, Set<unknown>>;

function refuse(place: RecordPlace, field: string, why: string): never {
  throw new ProjectFileError('bad-record', { params: { ...place, field } }, `${place.entry}: record ${place.record} of table ${place.table}: ${why}`);
}

/** Checks `record` (as decoded, old ids) and returns its primary key for its children to find. */
export function checkRecord(spec: TableSpec, record: unknown, projectId: string, read: ReadKeys, place: RecordPlace): unknown {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) refuse(place, '', 'not an object');
  const r = record as Record<string, unknown>;
  for (const k of spec.key) {
    const v = r[k];
    if (typeof v !== 'string' && typeof v !== 'number') refuse(place, k, `no ${k}`);
  }
  const select = spec.select;
  if (select.kind === 'project-index' && r.projectId !== projectId) refuse(place, 'projectId', `belongs to project ${String(r.projectId)}, not ${projectId}`);
  if (select.kind === 'project-key' && r[select.field] !== projectId) refuse(place, select.field, `is project ${String(r[select.field])}, not ${projectId}`);
  if (select.kind === 'child' && !read.get(select.parent)?.has(r[select.field]))
    refuse(place, select.field, `its ${select.parent} record ${String(r[select.field])} is not in the file`);
  return spec.key.length === 1 ? r[spec.key[0]!] : spec.key.map((k) => r[k]).join('\u0000');
}

/** What a worker was doing stopped with the export: such a record arrives interrupted (or paused). */
export function settleRecord(spec: TableSpec, record: Record<string, unknown>): void {
  if (spec.settle?.from.includes(record.status as string)) record.status = spec.settle.to;
}

/** Shifts an auto-incremented key, or a number pointing at one (a positive number; -1 means none). */
export function shiftKey(value: unknown, shift: number): unknown {
  return typeof value === 'number' && value >= 1 ? value + shift : value;
}

/** Applies shiftKey at `path` in `record`, when the path exists. */
export function shiftAt(record: Record<string, unknown>, path: string[], shift: number): void {
  let o: unknown = record;
  for (const key of path.slice(0, -1)) {
    o = (o as Record<string, unknown> | undefined)?.[key];
    if (typeof o !== 'object' || o === null) return;
  }
  const last = path[path.length - 1]!;
  const holder = o as Record<string, unknown>;
  if (Object.hasOwn(holder, last)) holder[last] = shiftKey(holder[last], shift);
}
