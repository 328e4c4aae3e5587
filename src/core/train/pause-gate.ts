/**
 * Parks a loop between batches. pause() takes effect at the next batch boundary; resume() releases it.
 * An aborted signal also releases a parked loop, so a paused run can still be cancelled. `onPark` is
 * called each time a loop actually parks (the moment a pause has taken effect).
 */
export class PauseGate {
  #paused = false;
  #waiters: (() => void)[] = [];
  readonly #onPark: () => void;

  constructor(onPark: () => void = () => {}) {
    this.#onPark = onPark;
  }

  get paused(): boolean {
    return this.#paused;
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  wait(signal?: AbortSignal): Promise<void> {
    if (!this.#paused || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.#waiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
      this.#onPark();
    });
  }
}
