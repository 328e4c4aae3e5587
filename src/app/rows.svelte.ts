/**
 * Rows of a dataset version for the table, fetched from the data worker a page at a time. Only the
 * pages around the visible window are kept; image cells become object URLs that are revoked when their
 * page is dropped.
 */
import type { Cell, RowPage, SortSpec } from '../protocol/data';
import { dataWorker } from './workers';

export const PAGE_ROWS = 128;
const MAX_PAGES = 24;

export type ShownCell = Exclude<Cell, { image: Uint8Array }> | { imageUrl: string; bytes: number };

interface Page {
  rowNumbers: number[];
  rows: ShownCell[][];
  urls: string[];
}

export class RowSource {
  /** Bumped when a page arrives, so the table re-reads the cache. */
  version = $state(0);
  /** What the last page request threw (a coded error, said by errorMessage in the person's language). */
  error = $state<unknown>(null);
  #pages = new Map<number, Page>();
  #pending = new Set<number>();
  #sortKey: string;
  readonly #versionId: string;
  readonly #sort: SortSpec | undefined;

  constructor(versionId: string, sort?: SortSpec) {
    this.#versionId = versionId;
    this.#sort = sort;
    this.#sortKey = JSON.stringify(sort ?? null);
  }

  /** The row at a position in the (sorted) view, or undefined while its page loads. */
  row(position: number): { rowNumber: number; cells: ShownCell[] } | undefined {
    const page = this.#pages.get(Math.floor(position / PAGE_ROWS));
    if (!page) return undefined;
    const i = position % PAGE_ROWS;
    return i < page.rows.length ? { rowNumber: page.rowNumbers[i], cells: page.rows[i] } : undefined;
  }

  /** Make sure rows [first, last] are loaded or loading; drop far-away pages. */
  ensure(first: number, last: number): void {
    const from = Math.floor(first / PAGE_ROWS);
    const to = Math.floor(last / PAGE_ROWS);
    for (let p = from; p <= to; p++) if (!this.#pages.has(p) && !this.#pending.has(p)) void this.#load(p);
    if (this.#pages.size > MAX_PAGES) {
      const far = [...this.#pages.keys()].sort((a, b) => Math.abs(b - from) - Math.abs(a - from));
      for (const p of far.slice(0, this.#pages.size - MAX_PAGES)) this.#drop(p);
    }
  }

  dispose(): void {
    for (const p of [...this.#pages.keys()]) this.#drop(p);
  }

  async #load(pageIndex: number): Promise<void> {
    this.#pending.add(pageIndex);
    const key = this.#sortKey;
    try {
      const page: RowPage = await dataWorker.api.getRows(this.#versionId, pageIndex * PAGE_ROWS, PAGE_ROWS, this.#sort);
      if (key !== this.#sortKey) return;
      const urls: string[] = [];
      const rows = page.rows.map((cells) =>
        cells.map((cell): ShownCell => {
          if (cell !== null && typeof cell === 'object') {
            const url = URL.createObjectURL(new Blob([cell.image as Uint8Array<ArrayBuffer>]));
            urls.push(url);
            return { imageUrl: url, bytes: cell.image.byteLength };
          }
          return cell;
        }),
      );
      this.#pages.set(pageIndex, { rowNumbers: page.rowNumbers, rows, urls });
      this.version++;
    } catch (e) {
      this.error = e;
    } finally {
      this.#pending.delete(pageIndex);
    }
  }

  #drop(pageIndex: number): void {
    const page = this.#pages.get(pageIndex);
    if (!page) return;
    for (const url of page.urls) URL.revokeObjectURL(url);
    this.#pages.delete(pageIndex);
  }
}
