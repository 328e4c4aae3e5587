/**
 * A training worker's wasm thread count follows the model it is about to train (core/train/threads.ts).
 * TF.js fixes the count when wasm starts, so another count takes a fresh worker: before a run, an idle
 * worker started with a different count is stopped and the run's call starts one with the new count (TF.js
 * loads again and the backend check is the saved one: about 1.3 s more before the run, README). A busy worker (another run, a backend
 * chosen by hand in Settings) keeps its count. Only a cross-origin isolated page has threads to choose.
 */
import { trainWorkerName } from '../../protocol/train';
import type { RunConfig } from '../../store/training-records';
import { wasmPlanFor, type WasmPlan, type WasmThreadsChoice } from '../../core/train/threads';
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
   * How a run of `config` trains on wasm (threads, and whether a partner worker takes half of each batch);
   * null when it does not matter or cannot be told. Workers of a pool of `workers` (the Tune stage's,
   * training at the same time, with no partners to give) share the cores and never split.
   */
  plan(config: RunConfig, choice: WasmThreadsChoice, workers?: number): WasmPlan | null {
    if (!this.isolated || (config.backend !== 'auto' && config.backend !== 'wasm')) return null;
    return wasmPlanFor(choice, config.spec, config.hyper.batchSize, Math.max(1, Math.floor(this.cores / (workers ?? 1))), workers === undefined);
  }

  /** Before a run of `config` on `bridge`'s worker: restart an idle worker that has another count. Returns the run's plan. */
  async fit<Api extends StoppableApi>(bridge: WorkerBridge<Api>, config: RunConfig, choice: WasmThreadsChoice, workers?: number): Promise<WasmPlan | null> {
    const plan = this.plan(config, choice, workers);
    if (plan) await this.fitCount(bridge, plan.threads);
    return plan;
  }

  /** Restart `bridge`'s worker, if it is idle and runs another count, so that the next call starts one on `want` threads. */
  async fitCount<Api extends StoppableApi>(bridge: WorkerBridge<Api>, want: number): Promise<void> {
    if (bridge.started && (this.#running ?? this.cores) === want) return;
    if (await bridge.stopIfIdle()) this.#next = want === this.cores ? null : want;
  }
}

/** A WorkerThreads for this page: its cores, and whether it is cross-origin isolated (read once, at start). */
export function pageWorkerThreads(): WorkerThreads {
  return new WorkerThreads(Math.max(1, globalThis.navigator?.hardwareConcurrency || 1), globalThis.crossOriginIsolated === true);
}
