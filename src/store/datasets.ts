/**
 * Dataset versions: written batch by batch while 'writing' (memory stays bounded at any size), made
 * visible by one commit transaction, never changed afterwards.
 */
import { missing, RecordError } from '../core/record-error';
import type { EncodedBatch, ImportSummary, SourceInfo } from '../core/data/types';
import { newId, type BatchRecord, type Dataset, type DatasetVersion, type PipetteDB } from './db';

export interface VersionTarget {
  projectId: string;
  /** Add a version to this dataset; otherwise a new dataset named datasetName is created at commit. */
  datasetId?: string;
  datasetName?: string;
  parentId?: string | null;
}

/** A version being written. Call commit() or abort(); until commit no reader sees it. */
export class VersionWriter {
  readonly versionId = newId();
  readonly datasetId: string;
  #batchRowCounts: number[] = [];
  #byteSize = 0;
  /** The batch being stored. One write stays in flight while the importer parses the next batch. */
  #inFlight: Promise<unknown> = Promise.resolve();
  readonly #db: PipetteDB;
  readonly #target: VersionTarget;

  constructor(db: PipetteDB, target: VersionTarget) {
    this.#db = db;
    this.#target = target;
    this.datasetId = target.datasetId ?? newId();
  }

  async begin(source: SourceInfo): Promise<void> {
    const row: DatasetVersion = {
      id: this.versionId,
      datasetId: this.datasetId,
      projectId: this.#target.projectId,
      version: 0,
      parentId: this.#target.parentId ?? null,
      status: 'writing',
      source,
      rowCount: 0,
      columns: [],
      batchRowCounts: [],
      byteSize: 0,
      warnings: [],
      createdAt: Date.now(),
    };
    await this.#db.versions.add(row);
  }

  async write(batch: EncodedBatch): Promise<void> {
    if (batch.index !== this.#batchRowCounts.length)
      throw new Error(`batch ${batch.index} written out of order (expected ${this.#batchRowCounts.length})`);
    const record: BatchRecord = { versionId: this.versionId, index: batch.index, rowCount: batch.rowCount, ipc: batch.ipc };
    this.#batchRowCounts.push(batch.rowCount);
    this.#byteSize += batch.ipc.byteLength;
    await this.#inFlight; // rethrows a failed earlier write
    this.#inFlight = this.#db.batches.put(record);
    this.#inFlight.catch(() => {}); // surfaced by the next write, commit or reset
  }

  /** Forget the batches written so far (the importer restarts, e.g. after widening a column type). */
  async reset(): Promise<void> {
    await this.#inFlight.catch(() => {});
    await this.#db.batches.where('versionId').equals(this.versionId).delete();
    this.#batchRowCounts = [];
    this.#byteSize = 0;
  }

  /** Make the version visible, in one transaction, numbered after the dataset's existing versions. */
  async commit(summary: ImportSummary, source: SourceInfo): Promise<DatasetVersion> {
    const db = this.#db;
    await this.#inFlight;
    const rowCount = this.#batchRowCounts.reduce((a, b) => a + b, 0);
    if (rowCount !== summary.rowCount)
      throw new Error(`import reported ${summary.rowCount} rows but ${rowCount} were written`);
    return db.transaction('rw', [db.datasets, db.versions], async () => {
      let dataset = await db.datasets.get(this.datasetId);
      if (!dataset) {
        dataset = {
          id: this.datasetId,
          projectId: this.#target.projectId,
          name: this.#target.datasetName?.trim() || source.fileName,
          createdAt: Date.now(),
        } satisfies Dataset;
        await db.datasets.add(dataset);
      }
      const siblings = await db.versions.where('datasetId').equals(this.datasetId).toArray();
      const version = 1 + Math.max(0, ...siblings.filter((v) => v.status === 'ready').map((v) => v.version));
      const patch: Partial<DatasetVersion> = {
        status: 'ready',
        version,
        source,
        rowCount,
        columns: summary.columns,
        batchRowCounts: [...this.#batchRowCounts],
        byteSize: this.#byteSize,
        warnings: summary.warnings,
        createdAt: Date.now(),
      };
      await db.versions.update(this.versionId, patch);
      return (await db.versions.get(this.versionId))!;
    });
  }

  /** Remove every trace of this version. */
  async abort(): Promise<void> {
    await this.#inFlight.catch(() => {});
    await removeVersionData(this.#db, this.versionId);
  }
}

/** Delete a version row and its batches in one transaction. */
export async function removeVersionData(db: PipetteDB, versionId: string): Promise<void> {
  await db.transaction('rw', [db.versions, db.batches], async () => {
    await db.batches.where('versionId').equals(versionId).delete();
    await db.versions.delete(versionId);
  });
}

/** Delete a dataset with all its versions, in one transaction. */
export async function deleteDataset(db: PipetteDB, datasetId: string): Promise<void> {
  await db.transaction('rw', [db.datasets, db.versions, db.batches, db.statistics], async () => {
    const ids = await db.versions.where('datasetId').equals(datasetId).primaryKeys();
    for (const id of ids) {
      await db.batches.where('versionId').equals(id).delete();
      await db.statistics.where('versionId').equals(id).delete();
    }
    await db.versions.where('datasetId').equals(datasetId).delete();
    await db.datasets.delete(datasetId);
  });
}

/**
 * Make a freshly imported dataset's only version the next version of another dataset of the same project
 * (the "new version of …" proposal after an import whose columns match), in one transaction: the version
 * is renumbered after the target's versions, and its now empty dataset is deleted. Batches and cached
 * statistics are keyed by the version, so nothing else moves. Returns the moved version.
 */
export async function moveVersionToDataset(db: PipetteDB, versionId: string, targetDatasetId: string): Promise<DatasetVersion> {
  return db.transaction('rw', [db.datasets, db.versions], async () => {
    const v = await db.versions.get(versionId);
    if (!v || v.status !== 'ready') throw missing('dataset-version', versionId, `version ${versionId} does not exist or is not committed`);
    const target = await db.datasets.get(targetDatasetId);
    if (!target || target.projectId !== v.projectId) throw new RecordError('cannot-move', { what: 'dataset', id: targetDatasetId, params: { why: 'other-project' } }, `dataset ${targetDatasetId} is not a dataset of this version's project`);
    if (v.datasetId === targetDatasetId) return v;
    const siblings = await db.versions.where('datasetId').equals(v.datasetId).count();
    if (siblings !== 1) throw new RecordError('cannot-move', { what: 'dataset-version', id: versionId, params: { why: 'not-single' } }, 'only the single version of a freshly imported dataset can become a version of another dataset');
    const existing = await db.versions.where('datasetId').equals(targetDatasetId).toArray();
    const version = 1 + Math.max(0, ...existing.filter((x) => x.status === 'ready').map((x) => x.version));
    const from = v.datasetId;
    await db.versions.update(versionId, { datasetId: targetDatasetId, version });
    await db.datasets.delete(from);
    return (await db.versions.get(versionId))!;
  });
}

/** Whether two versions have the same columns: the same names with the same types, in any order. */
export function sameColumns(a: readonly { name: string; type: string }[], b: readonly { name: string; type: string }[]): boolean {
  if (a.length !== b.length) return false;
  const types = new Map(a.map((c) => [c.name, c.type]));
  return b.every((c) => types.get(c.name) === c.type);
}

/** Committed versions of a project, newest first. */
export async function listVersions(db: PipetteDB, projectId: string): Promise<DatasetVersion[]> {
  const all = await db.versions.where('projectId').equals(projectId).toArray();
  return all.filter((v) => v.status === 'ready').sort((a, b) => b.createdAt - a.createdAt);
}

export async function readBatch(db: PipetteDB, versionId: string, index: number): Promise<BatchRecord> {
  const record = await db.batches.get([versionId, index]);
  if (!record) throw new Error(`dataset version ${versionId} has no batch ${index}`);
  return record;
}
