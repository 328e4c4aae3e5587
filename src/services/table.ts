/**
 * Serves rows of stored dataset versions to the table view. Batches are decoded lazily (a reopened
 * million-row version shows its first rows after reading one batch) and kept for the few most recent
 * versions; sort orders are computed once per column and direction.
 */
import { missing } from '../core/record-error';
import { tableFromIPC, type Table, type Vector } from 'apache-arrow';
import { cellOf, sortKeys, sortOrder } from '../core/table/view';
import type { Cell, RowPage, SortSpec } from '../protocol/data';
import type { DatasetVersion, PipetteDB } from '../store/db';
import { readBatch } from '../store/datasets';

class OpenVersion {
  readonly offsets: number[];
  readonly #tables: Promise<Table>[] = [];
  readonly #orders = new Map<string, Promise<Uint32Array>>();

  constructor(
    readonly meta: DatasetVersion,
    private readonly db: PipetteDB,
  ) {
    this.offsets = [0];
    for (const count of meta.batchRowCounts) this.offsets.push(this.offsets[this.offsets.length - 1] + count);
  }

  batch(index: number): Promise<Table> {
    this.#tables[index] ??= readBatch(this.db, this.meta.id, index).then((r) => tableFromIPC(r.ipc));
    return this.#tables[index];
  }

  /** Which batch holds row r, and where in it. */
  locate(row: number): [batch: number, index: number] {
    let lo = 0;
    let hi = this.offsets.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.offsets[mid] <= row) lo = mid;
      else hi = mid - 1;
    }
    return [lo, row - this.offsets[lo]];
  }

  order(sort: SortSpec): Promise<Uint32Array> {
    const key = `${sort.column}\u0000${sort.descending}`;
    let order = this.#orders.get(key);
    if (!order) {
      order = this.#computeOrder(sort);
      this.#orders.set(key, order);
    }
    return order;
  }

  async #computeOrder(sort: SortSpec): Promise<Uint32Array> {
    const column = this.meta.columns.find((c) => c.name === sort.column);
    if (!column) throw missing('column', sort.column, `no column named "${sort.column}" in this version`);
    const tables = await Promise.all(this.meta.batchRowCounts.map((_, i) => this.batch(i)));
    const chunks = tables.map((t) => t.getChild(sort.column) as Vector);
    return sortOrder(sortKeys(chunks, column.type, this.meta.rowCount), sort.descending);
  }
}

export class TableService {
  readonly #open = new Map<string, OpenVersion>();

  constructor(
    private readonly db: PipetteDB,
    private readonly keep = 3,
  ) {}

  async #version(versionId: string): Promise<OpenVersion> {
    let v = this.#open.get(versionId);
    if (v) {
      // Most recently used goes last.
      this.#open.delete(versionId);
      this.#open.set(versionId, v);
      return v;
    }
    const meta = await this.db.versions.get(versionId);
    if (!meta || meta.status !== 'ready') throw missing('dataset-version', versionId);
    v = new OpenVersion(meta, this.db);
    this.#open.set(versionId, v);
    while (this.#open.size > this.keep) this.#open.delete(this.#open.keys().next().value!);
    return v;
  }

  async rows(versionId: string, start: number, count: number, sort?: SortSpec): Promise<RowPage> {
    const v = await this.#version(versionId);
    const end = Math.min(v.meta.rowCount, start + count);
    const order = sort ? await v.order(sort) : undefined;
    const rowNumbers: number[] = [];
    for (let p = Math.max(0, start); p < end; p++) rowNumbers.push(order ? order[p] : p);
    const rows: Cell[][] = [];
    for (const r of rowNumbers) {
      const [b, i] = v.locate(r);
      const table = await v.batch(b);
      rows.push(v.meta.columns.map((c) => cellOf(table.getChild(c.name) as Vector, i, c.type)));
    }
    return { start, rowNumbers, rows };
  }

  /** All batches of a version as IPC, for export. */
  async ipcBatches(versionId: string): Promise<{ meta: DatasetVersion; batches: Uint8Array[] }> {
    const meta = await this.db.versions.get(versionId);
    if (!meta || meta.status !== 'ready') throw missing('dataset-version', versionId);
    const batches: Uint8Array[] = [];
    for (let i = 0; i < meta.batchRowCounts.length; i++) batches.push((await readBatch(this.db, versionId, i)).ipc);
    return { meta, batches };
  }

  forget(versionId: string): void {
    this.#open.delete(versionId);
  }
}
