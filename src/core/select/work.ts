/**
 * Progress and cancellation of the long methods (mutual information, the wrappers, permutation
 * importance, the comparison): they count their steps (a model fit, a feature), report each one, stop
 * with the signal's reason (an AbortError) once it is aborted, and give the event loop a turn now and then
 * so that a cancel message reaches a worker that is busy computing.
 */
import { YieldClock } from '../train/batch-loop';

export interface LongWork {
  signal?: AbortSignal;
  /** Called after each step: `done` of `total` (the total of the whole call). */
  onProgress?: (done: number, total: number) => void;
}

export class Steps {
  done = 0;
  readonly #clock = new YieldClock(25);

  constructor(
    private readonly work: LongWork,
    readonly total: number,
  ) {}

  /** Throw if cancelled; between steps, so a cancelled call returns nothing half-done. */
  async check(): Promise<void> {
    this.work.signal?.throwIfAborted();
    await this.#clock.tick();
    this.work.signal?.throwIfAborted();
  }

  /** One step done: report it, then check for cancellation. */
  async step(): Promise<void> {
    this.done++;
    this.work.onProgress?.(this.done, this.total);
    await this.check();
  }
}
