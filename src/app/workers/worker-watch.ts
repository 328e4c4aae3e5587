/**
 * Knowing that a training worker is gone. A worker that crashed, ran out of memory or was terminated
 * answers no Comlink call again: its pending calls never settle, and nothing else says so. Two signals do:
 *  - the Worker's 'error' event (an uncaught error in it, or its script failed to load): the worker may be
 *    half-way through anything, so it is taken as lost;
 *  - its life lock: from its first use the worker holds a Web Lock named for it (holdLifeLock), and the page
 *    asks for the same lock, which it is granted exactly when the worker's thread has ended, however it ended.
 * A worker can also be alive and stuck (a runaway loop, a hung GPU call): while a trial runs on it, it is
 * asked a cheap question (`idle()`) every few seconds, and one left unanswered for `stuckMs` loses it too.
 * Training yields to its messages at least every 25 ms between steps, so two minutes without an answer is
 * no slow step. A lost worker's bridge is terminated (a stuck one is stopped that way; the next call starts a
 * fresh worker), and the trial calls that were waiting on it reject with TrialWorkerLost, which the search
 * loop answers by resuming the trial.
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
  /** Answered at once by a worker whose event loop runs (the heartbeat's question). */
  idle(): Promise<boolean>;
}

/** How often a busy worker is asked, and how long an unanswered question may wait before it counts as stuck. */
export interface Heartbeat {
  everyMs: number;
  stuckMs: number;
}

export const HEARTBEAT: Heartbeat = { everyMs: 10_000, stuckMs: 120_000 };

/** The part of the Web Locks API the watch uses. */
export type LockRequest = (name: string, granted: () => void) => unknown;

const webLocks = (): LockRequest | undefined => {
  const locks = globalThis.navigator?.locks;
  return locks ? (name, granted) => locks.request(name, async () => granted()) : undefined;
};

/** A watched worker: its API, the signal of its loss, and how to declare it lost. */
interface Watched<Api> {
  api: Api;
  lost: AbortSignal;
  lose(why: string): void;
}

/** Watches the workers of bridges: one signal per worker, aborted (with why) when it is lost. */
export class WorkerWatch<Api extends LifeLockApi> {
  readonly #watched = new WeakMap<object, Watched<Api>>();
  readonly #request: LockRequest | undefined;
  readonly heartbeat: Heartbeat;

  /** `request`: how to ask for a lock (Web Locks where the browser has them; tests pass their own). */
  constructor(request: LockRequest | undefined = webLocks(), heartbeat: Heartbeat = HEARTBEAT) {
    this.#request = request;
    this.heartbeat = heartbeat;
  }

  /** The bridge's worker (started if need be), its API and the signal of its loss. */
  watch(bridge: WatchedBridge<Api>): Watched<Api> {
    const api = bridge.api;
    const worker = bridge.worker;
    if (!worker) throw new Error('the bridge started no worker');
    let watched = this.#watched.get(worker);
    if (!watched) {
      const controller = new AbortController();
      const loseIt = (why: string) => {
        if (controller.signal.aborted) return;
        // a worker stopped on purpose (idle) is no longer the bridge's: nothing to restart
        if (bridge.worker === worker) bridge.terminate();
        controller.abort(why);
      };
      watched = { api, lost: controller.signal, lose: loseIt };
      this.#watched.set(worker, watched);
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
    return watched;
  }

  /**
   * Until `call` settles, ask the worker every `everyMs` whether it is idle; a question unanswered for
   * `stuckMs` loses the worker (one question at a time: a slow answer is waited for, not asked again).
   */
  beatWhile(watched: Watched<Api>, call: Promise<unknown>): void {
    const { everyMs, stuckMs } = this.heartbeat;
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ask = () => {
      if (settled || watched.lost.aborted) return;
      const stuck = setTimeout(() => watched.lose(`stuck: no answer in ${stuckMs / 1000} s`), stuckMs);
      watched.api.idle().then(
        () => {
          clearTimeout(stuck);
          timer = setTimeout(ask, everyMs);
        },
        () => clearTimeout(stuck),
      );
    };
    timer = setTimeout(ask, everyMs);
    const stop = () => {
      settled = true;
      clearTimeout(timer);
    };
    call.then(stop, stop);
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
  const watched = watch.watch(bridge);
  const { api, lost } = watched;
  // a run's call is watched for a stuck worker while it is pending
  const beating = <T>(call: Promise<T>): Promise<T> => {
    const raced = raceLost(call, lost);
    watch.beatWhile(watched, raced);
    return raced;
  };
  return {
    startRun: (req, onEvent) => beating(api.startRun(req, onEvent)),
    resumeRun: (runId, onEvent) => beating(api.resumeRun(runId, onEvent)),
    // a lost worker has nothing left to cancel
    cancel: (jobId) => raceLost(api.cancel(jobId), lost).catch(() => false),
  };
}
