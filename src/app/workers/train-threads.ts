/**
 * A training worker's wasm thread count follows the model it is about to train (core/train/threads.ts).
 * TF.js fixes the count when wasm starts, so another count takes a fresh worker: before a run, an idle
 * worker started with a different count is stopped and the run's call starts one with the new count (TF.js
 * loads again and the backend check is the saved one: about 1.3 s more before the run, README). A busy worker (another run, a backend
 * chosen by hand in Settings) keeps its count. Only a cross-origin isolated page has threads to choose.
 */
import { trainWorkerName } from '../../protocol/train';
import type { RunConfig } from '../../store/training-records';
import { wasmThreadsFor, type WasmThreadsChoice } from '../../core/train/threads';
import type { StoppableApi, WorkerBridge } from './bridge';

export class WorkerThreads {
  /** The count the next worker starts with; null: every core. */
  #next: number | null = null;
  /** The count the running worker started with. */
  #running: number | null = null;

  constructor(
    private readonly cores: number,
    private readonly isolated: boolean,
  ) {}

  /** The name to start a worker with; its count is then the running worker's. */
  name(base: string): string {
    this.#running = this.#next;
    return trainWorkerName(base, this.#next);
  }

  /**
   * The thread count a run of `config` wants; null when it does not matter or cannot be told. Workers of
   * a pool of `workers` (the Tune stage's, training at the same time) share the cores.
   */
  wanted(config: RunConfig, choice: WasmThreadsChoice, workers = 1): number | null {
    if (!this.isolated || (config.backend !== 'auto' && config.backend !== 'wasm')) return null;
    return wasmThreadsFor(choice, config.spec, config.hyper.batchSize, Math.max(1, Math.floor(this.cores / workers)));
  }

  /** Before a run of `config` on `bridge`'s worker: restart an idle worker that has another count. */
  async fit<Api extends StoppableApi>(bridge: WorkerBridge<Api>, config: RunConfig, choice: WasmThreadsChoice, workers = 1): Promise<void> {
    const want = this.wanted(config, choice, workers);
    if (want === null) return;
    if (bridge.started && (this.#running ?? this.cores) === want) return;
    if (await bridge.stopIfIdle()) this.#next = want === this.cores ? null : want;
  }
}

/** A WorkerThreads for this page: its cores, and whether it is cross-origin isolated (read once, at start). */
export function pageWorkerThreads(): WorkerThreads {
  return new WorkerThreads(Math.max(1, globalThis.navigator?.hardwareConcurrency || 1), globalThis.crossOriginIsolated === true);
}
