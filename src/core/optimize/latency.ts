/**
 * Prediction latency as the comparison table reports it: the median wall time of model.predict on one
 * fixed batch, up to the values being read (await data(): on GPU backends the work only finishes then),
 * after warm-up runs (the first calls compile shaders / allocate buffers). Run it in the worker the model
 * will serve from: main-thread or Node numbers say little about the page.
 *
 * A worker's clock ticks in 0.1 ms steps (browsers coarsen performance.now() without cross-origin
 * isolation), and a small model predicts a batch faster than that, so each sample times enough calls
 * back to back to last at least `minSampleMs` and divides.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { TF } from '../model/model-spec';

export interface LatencyResult {
  /** Median milliseconds per call. */
  medianMs: number;
  /** Fastest call (the least disturbed by other work). */
  minMs: number;
  runs: number;
  /** Calls timed together in each sample. */
  callsPerSample: number;
  batch: number;
}

export async function measureLatency(
  tf: TF,
  model: tfjs.LayersModel,
  x: tfjs.Tensor,
  options: { runs?: number; warmup?: number; minSampleMs?: number } = {},
): Promise<LatencyResult> {
  const runs = options.runs ?? 20;
  const warmup = options.warmup ?? 3;
  const minSampleMs = options.minSampleMs ?? 5;
  if (!(Number.isInteger(runs) && runs > 0)) throw new RangeError(`runs must be a positive integer, got ${runs}`);
  const timed = async (calls: number): Promise<number> => {
    const started = performance.now();
    for (let c = 0; c < calls; c++) {
      const y = tf.tidy(() => model.predict(x) as tfjs.Tensor);
      try {
        await y.data();
      } finally {
        y.dispose();
      }
    }
    return (performance.now() - started) / calls;
  };
  for (let i = 0; i < warmup; i++) await timed(1);
  // double the calls per sample until a sample lasts long enough for the clock
  let callsPerSample = 1;
  while (callsPerSample < 1024 && (await timed(callsPerSample)) * callsPerSample < minSampleMs) callsPerSample *= 2;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await timed(callsPerSample));
  times.sort((a, b) => a - b);
  const mid = Math.floor(runs / 2);
  const medianMs = runs % 2 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
  return { medianMs, minMs: times[0]!, runs, callsPerSample, batch: x.shape[0] ?? 1 };
}
