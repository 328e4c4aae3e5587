/**
 * A trial stopped (out of budget, cancelled, pruned) before its run has begun in the worker: the training
 * worker's cancel(jobId) aborts only a job it runs now (protocol/jobs.ts), so a cancel sent while the host
 * still reads the store (a resumed trial waits for its run's writer lock first) would be lost and the run
 * would train all its epochs. The host repeats the cancel until the run ends. The stand-in worker keeps the
 * real jobs' rule (runJob/cancelJob) and its runs end only when cancelled.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { LoopTrial } from '../../../src/core/tune/search-loop';
import { cancelJob, runJob } from '../../../src/protocol/jobs';
import type { RunOutcome } from '../../../src/protocol/train';
import { TuneHost, type TrialWorker } from '../../../src/services/tune';
import { PipetteDB } from '../../../src/store/db';
import { trialRunId } from '../../../src/store/tune-records';
import { penguinSearch, searchSettings } from './fixture';

/** Runs registered as the worker's jobs, ending (cancelled) only when their job is aborted. */
function untilCancelled(db: PipetteDB): TrialWorker & { cancels: boolean[] } {
  const cancels: boolean[] = [];
  const run = (runId: string) =>
    runJob(runId, (signal) =>
      new Promise<RunOutcome>((resolve) => {
        const end = () => void db.runs.update(runId, { status: 'cancelled' }).then(() => resolve({ runId, status: 'cancelled' }));
        if (signal.aborted) end();
        else signal.addEventListener('abort', end);
      }),
    );
  return {
    cancels,
    startRun: (req) => run(req.runId),
    resumeRun: (runId) => run(runId),
    cancel: async (jobId) => {
      const running = cancelJob(jobId);
      cancels.push(running);
      return running;
    },
  };
}

describe('a trial stopped before its run has begun', () => {
  it('is stopped: the cancel lost while a resumed trial reads the store is repeated until the run ends', async () => {
    const db = new PipetteDB(`trial-cancel-${crypto.randomUUID()}`);
    const search = await penguinSearch(db, searchSettings());
    const trial: LoopTrial = { id: '0000', values: { units: 8, lr: 0.01 }, status: 'running', epochs: 3, initialEpoch: 0, parentId: null, history: [], best: null, bestEpoch: null, durationMs: 0, startedAt: 0 };
    const runId = trialRunId(search.id, trial.id);
    // the run a closed tab left: the host resumes it once its writer lock is free
    await db.runs.add({ id: runId, projectId: search.projectId, datasetVersionId: search.datasetVersionId, status: 'running', config: search.base, history: [], metrics: null, durationMs: 0, createdAt: 0, updatedAt: 0 });
    const worker = untilCancelled(db);
    const host = new TuneHost({ db, search, worker: () => worker });
    const stop = new AbortController();
    const ended = host.runTrial(trial, 0, { signal: stop.signal, epoch: () => {} }, true);
    // the budget ends while the host still reads the run's record: the worker runs nothing yet
    stop.abort();
    expect(await ended).toEqual({ status: 'stopped', durationMs: 0 });
    expect(worker.cancels[0]).toBe(false);
    expect(worker.cancels.at(-1)).toBe(true);
    expect((await db.runs.get(runId))?.status).toBe('cancelled');
    db.close();
  }, 10_000);
});
