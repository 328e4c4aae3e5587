/**
 * Batching of concurrent predict calls, as TF Serving's batching does (its parameters: max_batch_size,
 * batch_timeout_micros): calls to the same model version wait at most the timeout for others, are joined
 * along the batch dimension (up to max_batch_size examples), run as one call, and each gets its own rows
 * of the outputs back. A call as big as the batch runs at once on its own; calls whose inputs cannot be
 * joined (another per-example shape) are never put in one batch.
 */
import type { RunModel } from './handler';
import type { Resolved } from './models';
import { sizeOf, type ServableModel, type Tensor } from './types';

export interface BatchingParameters {
  /** Examples per batch at most. */
  maxBatchSize: number;
  /** How long the first call of a batch waits for more, in microseconds. */
  batchTimeoutMicros: number;
}

interface Pending {
  inputs: Record<string, Tensor>;
  rows: number;
  key: string;
  resolve: (outputs: Record<string, Tensor>) => void;
  reject: (e: unknown) => void;
}

interface Queue {
  resolved: Resolved;
  calls: Pending[];
  rows: number;
  timer: ReturnType<typeof setTimeout> | null;
}

/** What must agree for two calls to share a batch: input names, dtypes and per-example shapes. */
function joinKey(inputs: Record<string, Tensor>): string {
  return Object.keys(inputs)
    .sort()
    .map((n) => `${n}:${inputs[n]!.dtype}:${inputs[n]!.shape.slice(1).join('x')}`)
    .join('|');
}

function concat(parts: Tensor[]): Tensor {
  const first = parts[0]!;
  const shape = [parts.reduce((n, t) => n + t.shape[0]!, 0), ...first.shape.slice(1)];
  if (first.dtype === 'DT_STRING') return { dtype: first.dtype, shape, values: parts.flatMap((t) => t.values as (string | null)[]) };
  const out = first.dtype === 'DT_INT32' ? new Int32Array(sizeOf(shape)) : new Float32Array(sizeOf(shape));
  let at = 0;
  for (const t of parts) {
    out.set(t.values as Float32Array, at);
    at += t.values.length;
  }
  return { dtype: first.dtype, shape, values: out };
}

function rowsOf(t: Tensor, from: number, count: number): Tensor {
  const per = sizeOf(t.shape.slice(1));
  const shape = [count, ...t.shape.slice(1)];
  const values = Array.isArray(t.values) ? t.values.slice(from * per, (from + count) * per) : (t.values as Float32Array).slice(from * per, (from + count) * per);
  return { dtype: t.dtype, shape, values };
}

export class Batcher {
  private readonly queues = new Map<ServableModel, Map<string, Queue>>();
  /** Batches run so far and the calls in them, for the server's figures. */
  readonly stats = { batches: 0, calls: 0 };

  constructor(
    private readonly params: BatchingParameters,
    private readonly runBatch: RunModel = (resolved, inputs) => resolved.model.predict(inputs),
  ) {}

  /** A RunModel that batches. */
  readonly run: RunModel = (resolved, inputs) => {
    const rows = Object.values(inputs)[0]?.shape[0] ?? 0;
    if (rows >= this.params.maxBatchSize) {
      this.stats.batches++;
      this.stats.calls++;
      return this.runBatch(resolved, inputs);
    }
    return new Promise((resolve, reject) => {
      const key = joinKey(inputs);
      let byKey = this.queues.get(resolved.model);
      if (!byKey) this.queues.set(resolved.model, (byKey = new Map()));
      let queue = byKey.get(key);
      if (queue && queue.rows + rows > this.params.maxBatchSize) {
        this.flush(byKey, key);
        queue = undefined;
      }
      if (!queue) {
        queue = { resolved, calls: [], rows: 0, timer: null };
        byKey.set(key, queue);
        const q = byKey;
        queue.timer = setTimeout(() => this.flush(q, key), this.params.batchTimeoutMicros / 1000);
      }
      queue.calls.push({ inputs, rows, key, resolve, reject });
      queue.rows += rows;
      if (queue.rows >= this.params.maxBatchSize) this.flush(byKey, key);
    });
  };

  private flush(byKey: Map<string, Queue>, key: string): void {
    const queue = byKey.get(key);
    if (!queue) return;
    byKey.delete(key);
    if (queue.timer !== null) clearTimeout(queue.timer);
    this.stats.batches++;
    this.stats.calls += queue.calls.length;
    const calls = queue.calls;
    const names = Object.keys(calls[0]!.inputs);
    const joined = calls.length === 1 ? calls[0]!.inputs : Object.fromEntries(names.map((n) => [n, concat(calls.map((c) => c.inputs[n]!))]));
    // a runner that throws rather than rejects still fails only its calls
    Promise.resolve()
      .then(() => this.runBatch(queue.resolved, joined))
      .then(
      (outputs) => {
        let from = 0;
        for (const call of calls) {
          call.resolve(calls.length === 1 ? outputs : Object.fromEntries(Object.entries(outputs).map(([n, t]) => [n, rowsOf(t, from, call.rows)])));
          from += call.rows;
        }
      },
      (e) => {
        for (const call of calls) call.reject(e);
      },
    );
  }
}
