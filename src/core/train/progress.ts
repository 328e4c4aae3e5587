/**
 * Progress of a fit that covers everything an epoch does, and the estimate of the time it takes.
 *
 * An epoch is: the optimizer steps ('batches'), the validation pass ('validation'), the epoch's single
 * readback of loss and accuracy ('metrics') and the caller's onEpoch, where the app writes the checkpoint
 * ('checkpoint'). The Trainer measures each part as it goes (ProgressTracker) and sends the measured
 * times with every progress report; estimateRun turns them into the time per epoch and the time left.
 * Nothing here reads values from the device: the times are wall times around work already done.
 */

/** What the epoch is doing now; `done` counts finished batches (1-based once one is done). */
export type EpochStep =
  | { kind: 'batches'; done: number; total: number }
  | { kind: 'validation'; done: number; total: number }
  | { kind: 'metrics' }
  | { kind: 'checkpoint' };

/** Measured wall times, in ms; null until the part has run once. */
export interface StepTimes {
  /**
   * Mean time of a training batch (optimizer step) in the current epoch, parked time left out, the epoch's
   * first batch left out when there are others (it carries the warm-up: buffers made, kernels compiled).
   * Until the current epoch has a batch to count, the previous epoch's.
   */
  batchMs: number | null;
  /** Mean time of a validation batch in the latest validation pass. */
  validationBatchMs: number | null;
  /** The latest epoch's end: the metrics readback and onEpoch (the checkpoint write). */
  endMs: number | null;
}

export interface BatchProgress {
  /** 0-based epoch. */
  epoch: number;
  /** The fit's total epochs. */
  epochs: number;
  /** Training and validation batches of every epoch. */
  batches: number;
  validationBatches: number;
  step: EpochStep;
  /** Progress of the whole run, 0..1: each training or validation batch counts as one unit of its epoch. */
  fraction: number;
  times: StepTimes;
}

export interface RunEstimate {
  /** A whole epoch: its batches, its validation pass and its end. */
  epochMs: number;
  /** The rest of the current epoch and every epoch after it (an upper bound when early stopping may end the run). */
  remainingMs: number;
}

/**
 * A validation batch is a forward pass only; a training step is a forward pass and a backward pass of
 * about twice its cost. Until the first validation pass is measured, a validation batch counts as a third
 * of a measured training batch.
 */
const FORWARD_SHARE_OF_STEP = 1 / 3;

/**
 * The time per epoch and the time left, from the measured times of the parts of an epoch. Null before
 * the first training batch was measured. An epoch end not yet measured counts as 0.
 */
export function estimateRun(p: Pick<BatchProgress, 'epoch' | 'epochs' | 'batches' | 'validationBatches' | 'step' | 'times'>): RunEstimate | null {
  const { batchMs, validationBatchMs, endMs } = p.times;
  if (batchMs === null) return null;
  const valMs = validationBatchMs ?? batchMs * FORWARD_SHARE_OF_STEP;
  const end = endMs ?? 0;
  const validation = p.validationBatches * valMs;
  const epochMs = p.batches * batchMs + validation + end;
  const step = p.step;
  let leftInEpoch: number;
  if (step.kind === 'batches') leftInEpoch = (step.total - step.done) * batchMs + validation + end;
  else if (step.kind === 'validation') leftInEpoch = (step.total - step.done) * valMs + end;
  else leftInEpoch = end;
  const epochsAfter = Math.max(0, p.epochs - p.epoch - 1);
  return { epochMs, remainingMs: leftInEpoch + epochsAfter * epochMs };
}

/**
 * The Trainer's bookkeeping of progress: it measures the parts of each epoch and reports the step it is
 * in, at most every `everyMs`, and the last training batch of every epoch always (callers act on epochs).
 * A report held back by that limit is sent when the interval is over, unless a newer one replaced it: a
 * long checkpoint write right after a validation pass still shows, and a tiny epoch a hundred times a
 * second does not flood the page.
 */
export class ProgressTracker {
  readonly #epochs: number;
  readonly #everyMs: number;
  readonly #emit: ((p: BatchProgress) => void) | undefined;
  readonly #times: StepTimes = { batchMs: null, validationBatchMs: null, endMs: null };
  #epoch = 0;
  #batches = 0;
  #validationBatches = 0;
  #batchSum = 0;
  #batchCount = 0;
  #validationSum = 0;
  #endStarted = 0;
  #lastEmit = -Infinity;
  #held: BatchProgress | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #now: () => number;

  constructor(epochs: number, everyMs: number, emit?: (p: BatchProgress) => void, now: () => number = () => performance.now()) {
    this.#epochs = epochs;
    this.#everyMs = everyMs;
    this.#emit = emit;
    this.#now = now;
  }

  startEpoch(epoch: number, batches: number, validationBatches: number): void {
    this.#epoch = epoch;
    this.#batches = batches;
    this.#validationBatches = validationBatches;
    this.#batchSum = 0;
    this.#batchCount = 0;
    this.#validationSum = 0;
  }

  /** Training batch `b` (0-based) took `ms`. */
  batch(b: number, ms: number): void {
    if (b > 0 || this.#batches === 1) {
      this.#batchSum += ms;
      this.#batchCount++;
      this.#times.batchMs = this.#batchSum / this.#batchCount;
    }
    this.#report({ kind: 'batches', done: b + 1, total: this.#batches }, b + 1 === this.#batches);
  }

  /** Validation batch `b` (0-based) took `ms`. */
  validationBatch(b: number, ms: number): void {
    this.#validationSum += ms;
    this.#times.validationBatchMs = this.#validationSum / (b + 1);
    this.#report({ kind: 'validation', done: b + 1, total: this.#validationBatches });
  }

  /** The epoch's readback begins: the end of the epoch is timed from here. */
  metrics(): void {
    this.#endStarted = this.#now();
    this.#report({ kind: 'metrics' });
  }

  checkpoint(): void {
    this.#report({ kind: 'checkpoint' });
  }

  /** The epoch's end (readback and onEpoch) is over. */
  endDone(): void {
    this.#times.endMs = this.#now() - this.#endStarted;
  }

  /** The fit is over: a held report is dropped (the caller moves on to what comes after training). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#held = null;
  }

  #report(step: EpochStep, always = false): void {
    if (!this.#emit) return;
    const report = this.#progress(step);
    const wait = this.#lastEmit + this.#everyMs - this.#now();
    if (wait <= 0 || always) {
      this.stop();
      this.#send(report);
      return;
    }
    this.#held = report;
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      const held = this.#held;
      this.#held = null;
      if (held) this.#send(held);
    }, wait);
  }

  #send(report: BatchProgress): void {
    this.#lastEmit = this.#now();
    this.#emit!(report);
  }

  #progress(step: EpochStep): BatchProgress {
    const units = this.#batches + this.#validationBatches;
    const doneUnits = step.kind === 'batches' ? step.done : step.kind === 'validation' ? this.#batches + step.done : units;
    const fraction = Math.min(1, (this.#epoch + (units ? doneUnits / units : 1)) / Math.max(1, this.#epochs));
    return {
      epoch: this.#epoch,
      epochs: this.#epochs,
      batches: this.#batches,
      validationBatches: this.#validationBatches,
      step,
      fraction,
      times: { ...this.#times },
    };
  }
}
