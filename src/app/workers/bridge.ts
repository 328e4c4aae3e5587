/**
 * A typed, lazily started worker (after Squoosh's WorkerBridge). The worker is created on the first call,
 * so pages that never train never load TF.js. Long calls take a job id; cancel(id) aborts them in the
 * worker. Progress comes through Comlink.proxy callbacks.
 */
import * as Comlink from 'comlink';
import { installErrorTransfer } from '../../protocol/errors';

installErrorTransfer();

export class WorkerBridge<Api extends object> {
  #worker: Worker | undefined;
  #api: Comlink.Remote<Api> | undefined;
  readonly #create: () => Worker;

  constructor(create: () => Worker) {
    this.#create = create;
  }

  /** The worker's API; starts the worker on first use. */
  get api(): Comlink.Remote<Api> {
    if (!this.#api) {
      this.#worker = this.#create();
      this.#api = Comlink.wrap<Api>(this.#worker);
    }
    return this.#api;
  }

  get started(): boolean {
    return this.#worker !== undefined;
  }

  /** Stop the worker hard (a runaway computation); the next call starts a fresh one. */
  terminate(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#api = undefined;
  }
}

export { Comlink };
