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
