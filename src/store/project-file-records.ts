/**
 * A project's records in every table a project file carries (core/project-file/tables.ts): their keys, for
 * the export, and their removal, for an import that failed, was cancelled or lost its tab.
 */
import { tablesIn, type TableSpec } from '../core/project-file/tables';
import type { IndexableType } from 'dexie';
import type { PipetteDB } from './db';

/** The project-file tables this database has. */
export function projectTables(db: PipetteDB): readonly TableSpec[] {
  return tablesIn(db.tables.map((t) => t.name));
}

/**
 * The primary keys of the project's records, by table, parents before children; half-written records
 * (a version still 'writing') only when asked for.
 */
export async function projectKeys(db: PipetteDB, projectId: string, halfWritten = false): Promise<Map<string, IndexableType[]>> {
  const keys = new Map<string, IndexableType[]>();
  for (const spec of projectTables(db)) {
    const table = db.table(spec.name);
    const select = spec.select;
    let found: IndexableType[];
    if (select.kind === 'project-key') found = (await table.get(projectId)) ? [projectId] : [];
    else if (select.kind === 'project-index') {
      const skip = halfWritten ? undefined : spec.skipStatuses;
      const collection = table.where('projectId').equals(projectId);
      found = skip ? await collection.filter((r: { status?: string }) => !skip.includes(r.status ?? '')).primaryKeys() : await collection.primaryKeys();
    } else {
      const parents = keys.get(select.parent)!;
      // keyed by the parent's key (checkpoints, model artifacts): the parents' keys that have a record
      if (spec.key.length === 1 && spec.key[0] === select.field) found = (await table.bulkGet(parents)).flatMap((r, i) => (r ? [parents[i]] : []));
      else found = parents.length ? await table.where(select.field).anyOf(parents).primaryKeys() : [];
    }
    keys.set(spec.name, found);
  }
  return keys;
}

/** Remove everything of the project from those tables, in one transaction. */
export async function removeProjectRecords(db: PipetteDB, projectId: string): Promise<void> {
  const tables = projectTables(db);
  await db.transaction('rw', tables.map((t) => t.name), async () => {
    const keys = await projectKeys(db, projectId, true);
    for (const spec of [...tables].reverse()) await db.table(spec.name).bulkDelete(keys.get(spec.name)!);
  });
}

/**
 * Start-up repair of project-file imports: an import writes its records under a new project id and the
 * project row last, holding its job's writer lock. One whose tab went away (the sweep marked its job
 * interrupted) left records of a project nobody lists: they are removed, and the job with them.
 */
export async function sweepProjectImports(db: PipetteDB): Promise<number> {
  let removed = 0;
  for (const job of await db.jobs.where('status').equals('interrupted').toArray()) {
    if (job.kind !== 'project-import') continue;
    const projectId = job.output?.projectId;
    if (projectId) await removeProjectRecords(db, projectId);
    await db.jobs.delete(job.id);
    removed++;
  }
  return removed;
}
