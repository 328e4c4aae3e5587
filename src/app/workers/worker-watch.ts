/**
 * Knowing that a training worker is gone. A worker that crashed, ran out of memory or was terminated
 * answers no Comlink call again: its pending calls never settle, and nothing else says so. Two signals do:
 *  - the Worker's 'error' event (an uncaught error in it, or its script failed to load): the worker may be
 *    half-way through anything, so it is taken as lost;
 *  - its life lock: from its first use the worker holds a Web Lock named for it (holdLifeLock), and the page
 *    asks for the same lock, which it is granted exactly when the worker's thread has ended, however it ended.
 * A lost worker's bridge is terminated (the next call starts a fresh worker), and the trial calls that were
 * waiting on it reject with TrialWorkerLost, which the search loop answers by resuming the trial.
 */
import { TrialWorkerLost } from '../../core/tune/search-loop';
import type { TrialWorker } from '../../services/tune';

/** What the watch needs of a bridge (app/workers/bridge.ts WorkerBridge). */
export interface WatchedBridge<Api> {
  /** The worker's API; starts the worker when none runs. */
  readonly api: Api;
  /** The running worker. */
  readonly worker: EventTarget | undefined;
  terminate(): void;
}

export interface LifeLockApi {
  holdLifeLock(name: string): Promise<void>;
}

/** The part of the Web Locks API the watch uses. */
export type LockRequest = (name: string, granted: () => void) => unknown;

const webLocks = (): LockRequest | undefined => {
  const locks = globalThis.navigator?.locks;
  return locks ? (name, granted) => locks.request(name, async () => granted()) : undefined;
};

/** Watches the workers of bridges: one signal per worker, aborted (with why) when it is lost. */
export class WorkerWatch<Api extends LifeLockApi> {
  readonly #signals = new WeakMap<object, AbortSignal>();
  readonly #request: LockRequest | undefined;

  /** `request`: how to ask for a lock (Web Locks where the browser has them; tests pass their own). */
  constructor(request: LockRequest | undefined = webLocks()) {
    this.#request = request;
  }

  /** The bridge's worker (started if need be), its API and the signal of its loss. */
  watch(bridge: WatchedBridge<Api>): { api: Api; lost: AbortSignal } {
    const api = bridge.api;
    const worker = bridge.worker;
    if (!worker) throw new Error('the bridge started no worker');
    let lost = this.#signals.get(worker);
    if (!lost) {
      const controller = new AbortController();
      lost = controller.signal;
      this.#signals.set(worker, lost);
      const loseIt = (why: string) => {
        if (controller.signal.aborted) return;
        // a worker stopped on purpose (idle) is no longer the bridge's: nothing to restart
        if (bridge.worker === worker) bridge.terminate();
        controller.abort(why);
      };
      worker.addEventListener('error', (e) => loseIt(`error: ${(e as ErrorEvent).message ?? 'unknown'}`));
      const request = this.#request;
      if (request) {
        const name = `pipette-worker-life-${crypto.randomUUID()}`;
        api.holdLifeLock(name).then(
          () => request(name, () => loseIt('ended')),
          () => loseIt('no life lock'),
        );
      }
    }
    return { api, lost };
  }
}

/** The call, or a TrialWorkerLost rejection once `lost` aborts first. */
export function raceLost<T>(call: Promise<T>, lost: AbortSignal): Promise<T> {
  if (lost.aborted) {
    call.catch(() => {});
    return Promise.reject(new TrialWorkerLost(String(lost.reason)));
  }
  return new Promise<T>((resolve, reject) => {
    const onLost = () => reject(new TrialWorkerLost(String(lost.reason)));
    lost.addEventListener('abort', onLost, { once: true });
    call.then(resolve, reject).finally(() => lost.removeEventListener('abort', onLost));
  });
}

/** A trial worker over a watched bridge: its runs reject with TrialWorkerLost when the worker is lost. */
export function watchedTrialWorker<Api extends LifeLockApi & TrialWorker>(watch: WorkerWatch<Api>, bridge: WatchedBridge<Api>): TrialWorker {
  const { api, lost } = watch.watch(bridge);
  return {
    startRun: (req, onEvent) => raceLost(api.startRun(req, onEvent), lost),
    resumeRun: (runId, onEvent) => raceLost(api.resumeRun(runId, onEvent), lost),
    // a lost worker has nothing left to cancel
    cancel: (jobId) => raceLost(api.cancel(jobId), lost).catch(() => false),
  };
}
