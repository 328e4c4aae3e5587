/**
 * Prediction latency as the comparison table reports it: the median wall time of model.predict on one
 * fixed batch, up to the values being read (await data(): on GPU backends the work only finishes then),
 * after warm-up runs (the first calls compile shaders / allocate buffers). Run it in the worker the model
 * will serve from: main-thread or Node numbers say little about the page.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { TF } from '../train/model-spec';

export interface LatencyResult {
  /** Median milliseconds per call. */
  medianMs: number;
  /** Fastest call (the least disturbed by other work). */
  minMs: number;
  runs: number;
  batch: number;
}

export async function measureLatency(tf: TF, model: tfjs.LayersModel, x: tfjs.Tensor, options: { runs?: number; warmup?: number } = {}): Promise<LatencyResult> {
  const runs = options.runs ?? 20;
  const warmup = options.warmup ?? 3;
  if (!(Number.isInteger(runs) && runs > 0)) throw new RangeError(`runs must be a positive integer, got ${runs}`);
  const once = async (): Promise<number> => {
    const started = performance.now();
    const y = tf.tidy(() => model.predict(x) as tfjs.Tensor);
    try {
      await y.data();
    } finally {
      y.dispose();
    }
    return performance.now() - started;
  };
  for (let i = 0; i < warmup; i++) await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once());
  times.sort((a, b) => a - b);
  const mid = Math.floor(runs / 2);
  const medianMs = runs % 2 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
  return { medianMs, minMs: times[0]!, runs, batch: x.shape[0] ?? 1 };
}
