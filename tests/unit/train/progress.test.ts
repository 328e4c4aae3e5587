import { afterEach, describe, expect, it, vi } from 'vitest';
import { estimateRun, ProgressTracker, type BatchProgress, type EpochStep, type StepTimes } from '../../../src/core/train/progress';

/** 5 epochs of 10 training and 4 validation batches, in the second epoch. */
function at(step: EpochStep, times: StepTimes, epoch = 1): Parameters<typeof estimateRun>[0] {
  return { epoch, epochs: 5, batches: 10, validationBatches: 4, step, times };
}

const measured: StepTimes = { batchMs: 20, validationBatchMs: 6, endMs: 50 };

describe('estimateRun', () => {
  it('an epoch is its batches, its validation pass and its end: 10 x 20 + 4 x 6 + 50 = 274 ms', () => {
    const e = estimateRun(at({ kind: 'batches', done: 3, total: 10 }, measured))!;
    expect(e.epochMs).toBe(274);
    // the rest of this epoch: 7 x 20 + 4 x 6 + 50 = 214; then 3 more epochs of 274 = 822
    expect(e.remainingMs).toBe(214 + 822);
  });

  it('during validation only its remaining batches and the end are left of the epoch', () => {
    // 3 x 6 + 50 = 68, then 3 x 274
    expect(estimateRun(at({ kind: 'validation', done: 1, total: 4 }, measured))!.remainingMs).toBe(68 + 822);
  });

  it('in the last epoch\'s checkpoint only the end is left', () => {
    const e = estimateRun(at({ kind: 'checkpoint' }, measured, 4))!;
    expect(e).toEqual({ epochMs: 274, remainingMs: 50 });
    expect(estimateRun(at({ kind: 'metrics' }, measured, 2))!.remainingMs).toBe(50 + 2 * 274);
  });

  it('before validation ran, a validation batch counts as a third of a training batch; an unmeasured end as 0', () => {
    const first = estimateRun({ epoch: 0, epochs: 2, batches: 10, validationBatches: 3, step: { kind: 'batches', done: 2, total: 10 }, times: { batchMs: 30, validationBatchMs: null, endMs: null } })!;
    // 10 x 30 + 3 x 10 = 330 per epoch; left: 8 x 30 + 3 x 10 = 270 of this one, then one more
    expect(first.epochMs).toBe(330);
    expect(first.remainingMs).toBe(270 + 330);
  });

  it('no estimate before a training batch was timed', () => {
    expect(estimateRun(at({ kind: 'batches', done: 0, total: 10 }, { batchMs: null, validationBatchMs: null, endMs: null }))).toBeNull();
  });
});

describe('ProgressTracker', () => {
  afterEach(() => void vi.useRealTimers());

  it('an epoch of one batch is timed by it', () => {
    const reports: BatchProgress[] = [];
    const tracker = new ProgressTracker(3, 0, (p) => reports.push(p));
    tracker.startEpoch(0, 1, 0);
    tracker.batch(0, 12);
    expect(reports[0]!.times.batchMs).toBe(12);
  });

  it('times each part, reports the step and the fraction at most every 50 ms, a held report sent when the interval ends', () => {
    vi.useFakeTimers();
    let clock = 1000;
    const reports: BatchProgress[] = [];
    const tracker = new ProgressTracker(2, 50, (p) => reports.push(p), () => clock);
    tracker.startEpoch(0, 4, 2);
    // batches at 1000, 1010, 1020 (each taking 10, 20, 30 ms of work): only the first goes out now
    for (const [b, ms] of [[0, 10], [1, 20], [2, 30]] as const) {
      tracker.batch(b, ms);
      clock += 10;
    }
    expect(reports.map((p) => p.step)).toEqual([{ kind: 'batches', done: 1, total: 4 }]);
    // the first batch is not timed yet: it carries the warm-up, and the epoch has others
    expect(reports[0]!.times.batchMs).toBeNull();
    // the interval ends at 1050 (40 ms after the first report was held): the newest held report (the third
    // batch) is sent, the second never
    clock = 1050;
    vi.advanceTimersByTime(39);
    expect(reports).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(reports.at(-1)!.step).toEqual({ kind: 'batches', done: 3, total: 4 });
    // the epoch's last batch always goes out, even 0 ms after the one before
    tracker.batch(3, 40);
    expect(reports.at(-1)!.step).toEqual({ kind: 'batches', done: 4, total: 4 });
    // mean of 20, 30, 40 (the first batch's 10 left out)
    expect(reports.at(-1)!.times).toEqual({ batchMs: 30, validationBatchMs: null, endMs: null });

    // 1100: the first validation batch goes out (50 ms after 1050), the second and the metrics are held; the
    // checkpoint at 1160 is past the interval: sent at once, the held metrics never
    clock = 1100;
    tracker.validationBatch(0, 3);
    tracker.validationBatch(1, 5);
    tracker.metrics();
    clock = 1160;
    tracker.checkpoint();
    clock = 1230;
    tracker.endDone();
    expect(reports.map((p) => p.step.kind)).toEqual(['batches', 'batches', 'batches', 'validation', 'checkpoint']);
    // 3 ms, then the mean of 3 and 5
    expect(reports[3]!.times.validationBatchMs).toBe(3);
    expect(reports[4]!.times.validationBatchMs).toBe(4);
    // 6 units an epoch (4 + 2), 2 epochs: 1/6 / 2, 3/6 / 2, 4/6 / 2, 5/6 / 2, 6/6 / 2
    expect(reports.map((p) => p.fraction)).toEqual([1 / 12, 3 / 12, 4 / 12, 5 / 12, 0.5]);

    // the next epoch starts its batch mean over (the previous epoch's until it has one) and carries the
    // measured validation and end (from the metrics at 1100 to 1230)
    tracker.startEpoch(1, 4, 2);
    tracker.batch(0, 8);
    const next = reports.at(-1)!;
    expect(next.epoch).toBe(1);
    expect(next.times).toEqual({ batchMs: 30, validationBatchMs: 4, endMs: 130 });
    clock = 1300;
    tracker.batch(1, 8);
    expect(reports.at(-1)!.times.batchMs).toBe(8);
    // held, then dropped when the fit stops
    clock = 1310;
    tracker.batch(2, 8);
    tracker.stop();
    vi.advanceTimersByTime(100);
    expect(reports).toHaveLength(7);
  });
});
