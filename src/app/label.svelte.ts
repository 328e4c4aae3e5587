/**
 * Page state of the labeling queue. A key press updates the screen from rows prefetched into memory and
 * writes its label event to IndexedDB in the background (on the page's own Dexie connection: one put,
 * no worker round trip), so the next example appears within a frame. A refused write is shown and
 * rolled back. `QueueSession` is the queue panel around it: the labeler, the order, hidden columns, and
 * saving the labels as a label set.
 */
import { untrack } from 'svelte';
import type { UncertaintyStrategy } from '../core/label/active';
import type { Cell } from '../protocol/data';
import { appendLabelEvent, labelsByLabeler, saveManualLabelSet, versionEvents } from '../services/label-store';
import { db, type DatasetVersion } from '../store/db';
import type { LabelSetRecord } from '../store/label-records';
import { n, t } from './i18n.svelte';
import { liveLabelSets } from './label-page.svelte';
import type { Live } from './live.svelte';
import { dataWorker } from './workers';

const LABELER_KEY = 'pipette.labeler';
/** Rows fetched ahead of the current one. */
const PREFETCH = 24;

export function savedLabeler(): string {
  return globalThis.localStorage?.getItem(LABELER_KEY) ?? '';
}
export function rememberLabeler(name: string): void {
  globalThis.localStorage?.setItem(LABELER_KEY, name.trim());
}

interface UndoStep {
  row: number;
  previous: number | null;
  /** Queue position to return to; -1 = find the row in the order. */
  position: number;
  /** The label event's seq, once written. */
  seq?: number;
}

export class LabelQueue {
  /** Rows in queue order. */
  order = $state.raw<ArrayLike<number>>([]);
  position = $state(0);
  /** This labeler's current labels, row -> class. */
  mine = $state.raw(new Map<number, number>());
  current = $state.raw<Cell[] | null>(null);
  error = $state.raw<unknown>(null);
  ready = $state(false);
  readonly #cache = new Map<number, Cell[]>();
  readonly #pending = new Set<number>();
  #undo: UndoStep[] = [];
  #showing = 0;
  /** Event writes, one after another: the log's order is the order of the key presses. */
  #writes: Promise<unknown> = Promise.resolve();

  constructor(
    readonly projectId: string,
    readonly versionId: string,
    readonly rowCount: number,
    readonly labeler: string,
  ) {}

  get row(): number | undefined {
    return this.position < this.order.length ? this.order[this.position] : undefined;
  }

  /** Load this labeler's labels, and start at the first row of `order` they have not labeled. */
  async init(order: ArrayLike<number>): Promise<void> {
    const events = await versionEvents(db(), this.versionId);
    const current = labelsByLabeler(events).get(this.labeler);
    this.mine = new Map([...(current ?? new Map())].map(([row, l]) => [row, l.label]));
    // Rebuild the undo history from the log, so undo also works after a reload.
    const had = new Map<number, number>();
    for (const e of events) {
      if (e.labeler !== this.labeler) continue;
      if (e.undoes !== undefined) {
        let i = this.#undo.length - 1;
        while (i >= 0 && this.#undo[i]!.seq !== e.undoes) i--;
        if (i >= 0) this.#undo.splice(i, 1);
      } else this.#undo.push({ row: e.row, previous: had.get(e.row) ?? null, position: -1, seq: e.seq });
      if (e.label === null) had.delete(e.row);
      else had.set(e.row, e.label);
    }
    this.setOrder(order);
    this.ready = true;
  }

  setOrder(order: ArrayLike<number>): void {
    this.order = order;
    let p = 0;
    while (p < order.length && this.mine.has(order[p]!)) p++;
    void this.go(p);
  }

  /** Show the row at a queue position (clamped), then fetch the rows after it. */
  async go(position: number): Promise<void> {
    this.position = Math.max(0, Math.min(position, this.order.length));
    const row = this.row;
    const ticket = ++this.#showing;
    if (row === undefined) {
      this.current = null;
      return;
    }
    const cached = this.#cache.get(row);
    this.current = cached ?? null;
    if (!cached) {
      await this.#fetch(this.position);
      if (ticket !== this.#showing) return;
      this.current = this.#cache.get(row) ?? null;
    }
    void this.#fetch(this.position + 1);
  }

  /** Rows from position on that are neither cached nor on their way, in one worker call. */
  async #fetch(from: number): Promise<void> {
    const want: number[] = [];
    for (let p = from; p < Math.min(this.order.length, from + PREFETCH); p++) {
      const r = this.order[p]!;
      if (!this.#cache.has(r) && !this.#pending.has(r)) want.push(r);
    }
    if (want.length === 0) return;
    want.forEach((r) => this.#pending.add(r));
    try {
      const rows = await dataWorker.api.rowsAt(this.versionId, want);
      want.forEach((r, i) => this.#cache.set(r, rows[i]!));
      // keep memory bounded on long sessions: drop the oldest rows
      while (this.#cache.size > 400) this.#cache.delete(this.#cache.keys().next().value!);
    } catch (e) {
      this.error = e;
    } finally {
      want.forEach((r) => this.#pending.delete(r));
    }
  }

  move(delta: number): void {
    void this.go(this.position + delta);
  }

  /** Label the current row and move on to the next row this labeler has not labeled. */
  label(cls: number): void {
    const row = this.row;
    if (row === undefined) return;
    const previous = this.mine.get(row) ?? null;
    const step: UndoStep = { row, previous, position: this.position };
    this.#undo.push(step);
    this.#set(row, cls);
    let p = this.position + 1;
    while (p < this.order.length && this.mine.has(this.order[p]!)) p++;
    void this.go(p);
    this.#write(row, cls, previous, undefined, (seq) => (step.seq = seq));
  }

  /** Take back the last label of this session: append an event restoring what the row had before. */
  undo(): void {
    const step = this.#undo.pop();
    if (!step) return;
    const now = this.mine.get(step.row) ?? null;
    this.#set(step.row, step.previous);
    let position = step.position;
    if (position < 0) {
      position = Array.prototype.indexOf.call(this.order, step.row);
      if (position < 0) position = this.position;
    }
    void this.go(position);
    // the label event was written before this one runs (writes are serial), so its seq is known
    this.#write(step.row, step.previous, now, () => step.seq);
  }

  get canUndo(): boolean {
    return this.#undo.length > 0;
  }

  #set(row: number, label: number | null): void {
    const next = new Map(this.mine);
    if (label === null) next.delete(row);
    else next.set(row, label);
    this.mine = next;
  }

  #write(row: number, label: number | null, rollback: number | null, undoes?: () => number | undefined, written?: (seq: number) => void): void {
    this.#writes = this.#writes.then(async () => {
      try {
        const event = await appendLabelEvent(db(), { projectId: this.projectId, datasetVersionId: this.versionId, labeler: this.labeler, row, label, undoes: undoes?.() });
        written?.(event.seq!);
        this.error = null;
      } catch (e) {
        this.error = e;
        this.#set(row, rollback);
      }
    });
  }
}

export type QueueOrder = 'rows' | UncertaintyStrategy;

/**
 * The queue panel of one dataset version (the page re-creates it per version): a new `LabelQueue` whenever
 * the labeler changes, the order (row order, or most uncertain first under the newest probabilistic label
 * set), columns the labeler hides, and "Save as label set". Create it while a component initializes.
 */
export class QueueSession {
  labelerInput = $state(savedLabeler());
  labeler = $state(savedLabeler());
  orderMode = $state<QueueOrder>('rows');
  queue = $state.raw<LabelQueue | null>(null);
  orderError = $state.raw<unknown>(null);
  /** Save only this labeler's labels (else everyone's consensus). */
  saveMine = $state(false);
  saved = $state('');
  saveError = $state.raw<unknown>(null);
  readonly #sets: Live<LabelSetRecord[]>;
  /** The newest label set with probabilities, which the uncertainty orders read. */
  readonly probSet = $derived.by(() => [...this.#sets.value].reverse().find((s) => s.kind !== 'manual'));
  readonly #rowOrder = $derived.by(() => Int32Array.from({ length: this.props().version.rowCount }, (_, i) => i));

  // Columns the labeler chose not to see (an id, or the answer itself), remembered per dataset.
  readonly #hiddenKey = $derived.by(() => `pipette.label.hidden.${this.props().version.datasetId}`);
  hidden: string[];
  /** The version's columns the labeler sees, with their index in a row. */
  readonly shown = $derived.by(() => this.props().version.columns.map((c, i) => ({ c, i })).filter(({ c }) => !this.hidden.includes(c.name)));

  constructor(private readonly props: () => { projectId: string; version: DatasetVersion }) {
    this.#sets = liveLabelSets(() => props().version.id);
    this.hidden = $state(untrack(() => JSON.parse(globalThis.localStorage?.getItem(this.#hiddenKey) ?? '[]') as string[]));
    // A new queue whenever the labeler changes (the version is fixed: the page re-creates the panel).
    $effect(() => {
      const who = this.labeler;
      if (!who) return;
      untrack(() => {
        const { projectId, version } = props();
        const q = new LabelQueue(projectId, version.id, version.rowCount, who);
        this.queue = q;
        void q.init(this.#rowOrder);
        this.orderMode = 'rows';
      });
    });
  }

  /** Take the typed name as the labeler (remembered); false when it is empty. */
  setLabeler(): boolean {
    const name = this.labelerInput.trim();
    if (!name) return false;
    rememberLabeler(name);
    this.labeler = name;
    return true;
  }

  async applyOrder(mode: QueueOrder): Promise<void> {
    this.orderMode = mode;
    this.orderError = null;
    const q = this.queue;
    if (!q) return;
    if (mode === 'rows' || !this.probSet) {
      q.setOrder(this.#rowOrder);
      return;
    }
    try {
      q.setOrder(await dataWorker.api.uncertaintyQueue({ versionId: this.props().version.id, labelSetId: this.probSet.id, strategy: mode }));
    } catch (e) {
      this.orderError = e;
    }
  }

  /** Open a row (back in row order, if the queue was ordered otherwise). */
  jump(row: number): void {
    const q = this.queue;
    if (!q) return;
    if (this.orderMode !== 'rows') {
      this.orderMode = 'rows';
      q.order = this.#rowOrder;
    }
    void q.go(row);
  }

  async saveSet(): Promise<void> {
    this.saved = '';
    this.saveError = null;
    try {
      const { projectId, version } = this.props();
      const set = await saveManualLabelSet(db(), projectId, version.id, this.saveMine ? this.labeler : undefined);
      this.saved = t('label.queue.saved', { n: set.version, rows: n(set.data.rows.length) });
    } catch (e) {
      this.saveError = e;
    }
  }

  toggleColumn(name: string, show: boolean): void {
    this.hidden = show ? this.hidden.filter((h) => h !== name) : [...this.hidden, name];
    globalThis.localStorage?.setItem(this.#hiddenKey, JSON.stringify(this.hidden));
  }
}
