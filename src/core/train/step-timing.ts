/**
 * Timing a train step: the fixed parity net's (backends.ts) and a run's own model's
 * (services/train-backend.ts) are measured the same way.
 */

export interface MedianStepOptions {
  /** Untimed calls first: shader compilation and buffer allocation happen there. */
  warmup: number;
  /** Timed calls (at least one); the median is reported so one hiccup does not decide. */
  repeats: number;
  /** Stop timing once a call takes longer than this (default: never). */
  giveUpMs?: number;
}

/** Median milliseconds of `step` (which should wait for its own work, e.g. by reading a value back). */
export async function medianStepMs(step: () => Promise<void>, { warmup, repeats, giveUpMs = Infinity }: MedianStepOptions): Promise<number> {
  for (let i = 0; i < warmup; i++) await step();
  const times: number[] = [];
  for (let i = 0; i < Math.max(1, repeats); i++) {
    const start = performance.now();
    await step();
    const ms = performance.now() - start;
    times.push(ms);
    if (ms > giveUpMs) break;
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
