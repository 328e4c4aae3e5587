/**
 * A typed, lazily started worker (after Squoosh's WorkerBridge). The worker is created on the first call,
 * so pages that never train never load TF.js. Long calls take a job id; cancel(id) aborts them in the
 * worker. Progress comes through Comlink.proxy callbacks.
 *
 * An idle worker stops: `idleMs` after its last call settled, the bridge asks the worker whether it holds
 * anything a later call relies on (its `idle()`: no job running, no result kept for a later save, no
 * backend chosen by hand) and terminates it if not; the next call starts a fresh one.
 */
import * as Comlink from 'comlink';
import { installErrorTransfer } from '../../protocol/errors';

installErrorTransfer();

/** What every worker's API offers the bridge: whether it may be stopped now without losing anything. */
export interface StoppableApi {
  idle(): Promise<boolean>;
}

export interface BridgeOptions {
  /** Stop the worker after this long without a call (ms); Infinity never stops it. */
  idleMs?: number;
  /** Told after each idle check whether the worker was stopped (tests await it). */
  onIdleCheck?: (stopped: boolean) => void;
}

export class WorkerBridge<Api extends StoppableApi> {
  #worker: Worker | undefined;
  #remote: Comlink.Remote<Api> | undefined;
  #api: Comlink.Remote<Api> | undefined;
  readonly #create: () => Worker;
  readonly #idleMs: number;
  readonly #onIdleCheck: (stopped: boolean) => void;
  #pending = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Times the worker was stopped for being idle (for tests and the curious). */
  stops = 0;

  constructor(create: () => Worker, options: BridgeOptions = {}) {
    this.#create = create;
    this.#idleMs = options.idleMs ?? Infinity;
    this.#onIdleCheck = options.onIdleCheck ?? (() => {});
  }

  /**
   * The worker's API; starts the worker if none runs. The same object across restarts: each call goes to
   * the worker running then, or starts a fresh one after a stop, so a caller may keep it (a pipeline run
   * keeps the training worker's while the Train page restarts it for another thread count). Every call
   * counts as activity.
   */
  get api(): Comlink.Remote<Api> {
    this.#running();
    return (this.#api ??= new Proxy({} as Comlink.Remote<Api>, {
      get: (_target, prop) => {
        // not a thenable; no symbols
        if (typeof prop !== 'string' || prop === 'then') return undefined;
        return (...args: unknown[]) => this.#track((this.#running()[prop as keyof Api] as unknown as (...a: unknown[]) => Promise<unknown>)(...args));
      },
    }));
  }

  /** The running worker's remote, started now if none runs. */
  #running(): Comlink.Remote<Api> {
    if (!this.#remote) {
      this.#worker = this.#create();
      this.#remote = Comlink.wrap<Api>(this.#worker);
    }
    return this.#remote;
  }

  /** The running worker, if started (the Tune pool watches it for a crash). */
  get worker(): Worker | undefined {
    return this.#worker;
  }

  get started(): boolean {
    return this.#worker !== undefined;
  }

  /** Stop the worker hard (a runaway computation); the next call starts a fresh one. */
  terminate(): void {
    clearTimeout(this.#timer);
    this.#remote?.[Comlink.releaseProxy]();
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#remote = undefined;
    this.#pending = 0;
  }

  #track<T>(call: Promise<T>): Promise<T> {
    this.#pending++;
    clearTimeout(this.#timer);
    const settled = () => {
      this.#pending--;
      this.#armIdleTimer();
    };
    call.then(settled, settled);
    return call;
  }

  #armIdleTimer(): void {
    if (this.#pending > 0 || !Number.isFinite(this.#idleMs)) return;
    clearTimeout(this.#timer);
    const remote = this.#remote;
    this.#timer = setTimeout(async () => {
      if (!remote || remote !== this.#remote || this.#pending > 0) return;
      this.#onIdleCheck(await this.#stopIf(remote));
    }, this.#idleMs);
  }

  /**
   * Stop the worker now if it holds nothing a later call relies on (its idle()), as the idle timer would;
   * true when no worker is running afterwards.
   */
  async stopIfIdle(): Promise<boolean> {
    const remote = this.#remote;
    if (!remote) return true;
    return this.#pending === 0 && (await this.#stopIf(remote));
  }

  async #stopIf(remote: Comlink.Remote<Api>): Promise<boolean> {
    const idle = await remote.idle().catch(() => false);
    // a call may have started while the worker answered
    const stop = idle && remote === this.#remote && this.#pending === 0;
    if (stop) {
      this.terminate();
      this.stops++;
    }
    return stop;
  }
}

export { Comlink };
