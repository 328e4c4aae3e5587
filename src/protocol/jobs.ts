/** Cancellation on the worker side: each long call registers its job id and gets an AbortSignal. */
const running = new Map<string, AbortController>();

export async function runJob<T>(jobId: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  running.set(jobId, controller);
  try {
    return await work(controller.signal);
  } finally {
    running.delete(jobId);
  }
}

/** How many jobs run in this worker now (a worker with none may be stopped when idle). */
export function runningJobs(): number {
  return running.size;
}

/** Abort a running job; true if it was running. */
export function cancelJob(jobId: string): boolean {
  const c = running.get(jobId);
  c?.abort();
  return c !== undefined;
}

/** Thrown when the job was cancelled; the name survives the worker boundary. */
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'AbortError';
  }
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}

/**
 * A service method as a cancellable call of a worker's API: the request's job id registers the AbortSignal
 * that cancel(jobId) aborts, and the page's progress callback (a Comlink proxy) is called without waiting
 * for it, so the worker never waits on the page.
 */
export function cancellable<Req extends { jobId: string }, A extends unknown[], T>(
  method: (req: Req, signal: AbortSignal, onProgress: (...args: A) => void) => Promise<T>,
): (req: Req, onProgress?: (...args: A) => unknown) => Promise<T> {
  return (req, onProgress) => runJob(req.jobId, (signal) => method(req, signal, (...args) => void onProgress?.(...args)));
}
