/**
 * One kind of long worker call as the page sees it: a job id, progress, cancel, the result or the error.
 * Starting it again cancels the call in flight and ignores whatever that call still reports ("superseded"),
 * so a quick change of selection never shows an older answer. Results are worker JSON ($state.raw: they are
 * replaced, never edited in place). Every stage's long calls go through this class.
 */
import * as Comlink from 'comlink';
import { untrack } from 'svelte';

/** What a job needs of a worker: cancel(jobId) aborts the job's AbortSignal in the worker. */
export interface CancellableWorker {
  readonly api: { cancel(jobId: string): Promise<boolean> };
}

/** An error the worker raised because the person (or a newer call) cancelled. */
export function isCancelled(e: unknown): boolean {
  return (e as { name?: string } | null)?.name === 'AbortError';
}

export class Job<T, P = unknown> {
  running = $state(false);
  progress = $state.raw<P | null>(null);
  result = $state.raw<T | null>(null);
  /** The last call's error; null after a cancel, which is not an error. */
  error = $state.raw<unknown>(null);
  /** The last call ended because it was cancelled. */
  cancelled = $state(false);
  #jobId = '';
  #run = 0;

  constructor(private readonly worker: CancellableWorker) {}

  /**
   * Run `call` with a fresh job id and a progress callback (Comlink-proxied). Resolves to the result, or
   * to null when the call failed, was cancelled or was superseded. `signal` cancels it too (e.g. a
   * component that goes away).
   */
  async start(call: (jobId: string, onProgress: (p: P) => void) => Promise<T>, signal?: AbortSignal): Promise<T | null> {
    this.cancel();
    const run = ++this.#run;
    const jobId = crypto.randomUUID();
    this.#jobId = jobId;
    this.running = true;
    this.progress = null;
    this.error = null;
    this.cancelled = false;
    // a result belongs to its inputs: never show the previous one while the new one is computed
    this.result = null;
    const onAbort = () => run === this.#run && this.cancel();
    signal?.addEventListener('abort', onAbort);
    try {
      const out = await call(
        jobId,
        Comlink.proxy((p: P) => {
          if (run === this.#run) this.progress = p;
        }),
      );
      if (run !== this.#run) return null;
      this.result = out;
      return out;
    } catch (e) {
      if (run === this.#run) {
        if (isCancelled(e)) this.cancelled = true;
        else this.error = e;
      }
      return null;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (run === this.#run) this.running = false;
    }
  }

  /**
   * Abort the call in flight, if any; it ends with `cancelled`. Untracked, so an effect that starts or
   * clears a job does not come to depend on `running` (and run again, clearing it, when the job starts).
   */
  cancel(): void {
    if (untrack(() => this.running)) void this.worker.api.cancel(this.#jobId);
  }

  /** Forget the result (e.g. the selection was cleared), cancelling a call in flight. */
  clear(): void {
    this.cancel();
    this.#run++;
    this.running = false;
    this.result = null;
    this.error = null;
    this.cancelled = false;
    this.progress = null;
  }
}
