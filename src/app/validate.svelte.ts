/**
 * Page state of the Validate stage: long calls to the data worker as tasks with progress, cancel and the
 * result or error. Results are worker JSON ($state.raw: they are replaced, never edited in place).
 */
import * as Comlink from 'comlink';
import type { StatsProgress } from '../protocol/validate';
import { dataWorker } from './workers';

/** An error the worker raised because the person cancelled. */
export function isCancelled(e: unknown): boolean {
  return (e as { name?: string } | null)?.name === 'AbortError';
}

/**
 * One kind of long worker call. Starting it again cancels the run in flight (only the latest result is
 * kept), so changing a selection quickly never shows an older answer.
 */
export class WorkerTask<T> {
  running = $state(false);
  progress = $state.raw<StatsProgress | null>(null);
  result = $state.raw<T | null>(null);
  error = $state.raw<unknown>(null);
  #jobId = '';
  #run = 0;

  async start(call: (jobId: string, onProgress: (p: StatsProgress) => void) => Promise<T>): Promise<T | null> {
    this.cancel();
    const run = ++this.#run;
    const jobId = crypto.randomUUID();
    this.#jobId = jobId;
    this.running = true;
    this.progress = null;
    this.error = null;
    // a result belongs to its inputs: never show the previous one while the new one is computed
    this.result = null;
    try {
      const out = await call(
        jobId,
        Comlink.proxy((p: StatsProgress) => {
          if (run === this.#run) this.progress = p;
        }),
      );
      if (run !== this.#run) return null;
      this.result = out;
      return out;
    } catch (e) {
      if (run === this.#run && !isCancelled(e)) this.error = e;
      return null;
    } finally {
      if (run === this.#run) this.running = false;
    }
  }

  cancel(): void {
    if (this.running) void dataWorker.api.cancel(this.#jobId);
  }

  /** Forget the result (e.g. the selection was cleared). */
  clear(): void {
    this.cancel();
    this.#run++;
    this.running = false;
    this.result = null;
    this.error = null;
    this.progress = null;
  }
}

/** Offer a text file to the person as a download. */
export function downloadText(fileName: string, text: string, mime = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  const a = Object.assign(document.createElement('a'), { href: url, download: fileName });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
