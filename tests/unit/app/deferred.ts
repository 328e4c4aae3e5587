/** A promise the test settles when it says, and the error a cancelled worker job rejects with. */
export function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** What protocol/jobs' CancelledError looks like after the worker boundary. */
export const abortError = () => Object.assign(new Error('cancelled'), { name: 'AbortError' });
