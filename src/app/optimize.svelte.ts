/**
 * The Optimize stage's page state: the one optimization job this tab runs at a time (its progress comes
 * through a Comlink callback), the outcome of the last job of each method, and a counter the comparison
 * watches to measure again when a variant was written. Module level, so leaving the stage and coming back
 * keeps a running job's progress and its cancel button.
 */
import * as Comlink from 'comlink';
import type { DistillOutcome, OptimizeProgress, PruneOutcome, QuantizeOutcome } from '../protocol/optimize';
import { trainWorker } from './workers';

export type OptimizeMethod = 'quantize' | 'prune' | 'distill';

export type Outcome =
  | { method: 'quantize'; value: QuantizeOutcome }
  | { method: 'prune'; value: PruneOutcome }
  | { method: 'distill'; value: DistillOutcome };

class OptimizeState {
  /** The running job (null when idle). */
  running = $state.raw<{ jobId: string; method: OptimizeMethod; modelId: string } | null>(null);
  progress = $state.raw<OptimizeProgress | null>(null);
  /** The last outcome, error or cancel per method. */
  outcomes = $state.raw<Partial<Record<OptimizeMethod, Outcome>>>({});
  errors = $state.raw<Partial<Record<OptimizeMethod, unknown>>>({});
  cancelled = $state.raw<Partial<Record<OptimizeMethod, boolean>>>({});
  /** Bumped whenever a variant was written. */
  written = $state(0);

  readonly onProgress = Comlink.proxy((p: OptimizeProgress) => {
    if (p.jobId === this.running?.jobId) this.progress = p;
  });

  /** Run one job; false when another is running (one at a time: they share the worker's backend). */
  async run(method: OptimizeMethod, modelId: string, work: (jobId: string) => Promise<Outcome>): Promise<boolean> {
    if (this.running) return false;
    const jobId = crypto.randomUUID();
    this.running = { jobId, method, modelId };
    this.progress = null;
    this.errors = { ...this.errors, [method]: undefined };
    this.cancelled = { ...this.cancelled, [method]: false };
    try {
      const outcome = await work(jobId);
      if ('status' in outcome.value && outcome.value.status === 'cancelled') this.cancelled = { ...this.cancelled, [method]: true };
      else {
        this.outcomes = { ...this.outcomes, [method]: outcome };
        this.written++;
      }
    } catch (e) {
      this.errors = { ...this.errors, [method]: e };
    } finally {
      this.running = null;
      this.progress = null;
    }
    return true;
  }

  cancel(): void {
    if (this.running) void trainWorker.api.cancel(this.running.jobId);
  }
}

export const optimizing = new OptimizeState();
