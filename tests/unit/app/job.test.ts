/**
 * The page's generic worker job (src/app/workers/job.svelte.ts) against a fake worker whose calls resolve
 * when the test says: results, errors, cancel, and a newer call superseding an older one.
 */
import { describe, expect, it } from 'vitest';
import { Job } from '../../../src/app/workers/job.svelte';
import { abortError, deferred } from './deferred';

/** A worker whose cancel(jobId) rejects that job's call with an AbortError, as protocol/jobs does. */
function fakeWorker() {
  const calls = new Map<string, ReturnType<typeof deferred<number>>>();
  const cancelled: string[] = [];
  return {
    calls,
    cancelled,
    api: {
      async cancel(jobId: string) {
        cancelled.push(jobId);
        calls.get(jobId)?.reject(abortError());
        return true;
      },
    },
    call(jobId: string) {
      const d = deferred<number>();
      calls.set(jobId, d);
      return d.promise;
    },
  };
}

describe('Job', () => {
  it('runs a call with a fresh job id, shows its progress and keeps its result', async () => {
    const w = fakeWorker();
    const job = new Job<number, string>(w);
    let id = '';
    const done = job.start((jobId, onProgress) => {
      id = jobId;
      onProgress('half');
      return w.call(jobId);
    });
    expect(job.running).toBe(true);
    expect(job.progress).toBe('half');
    w.calls.get(id)!.resolve(42);
    expect(await done).toBe(42);
    expect([job.running, job.result, job.error, job.cancelled]).toEqual([false, 42, null, false]);
  });

  it('a newer call cancels the older one, whose late progress and result are ignored', async () => {
    const w = fakeWorker();
    const job = new Job<number, string>(w);
    const ids: string[] = [];
    const reports: ((p: string) => void)[] = [];
    const first = job.start((jobId, onProgress) => (ids.push(jobId), reports.push(onProgress), w.call(jobId)));
    const second = job.start((jobId, onProgress) => (ids.push(jobId), reports.push(onProgress), w.call(jobId)));
    expect(ids[0]).not.toBe(ids[1]);
    expect(w.cancelled).toEqual([ids[0]]);
    reports[0]!('stale');
    expect(job.progress).toBe(null);
    expect(await first).toBe(null);
    // the superseded call's cancel is not this job's cancel, nor an error
    expect([job.running, job.cancelled, job.error]).toEqual([true, false, null]);
    w.calls.get(ids[1]!)!.resolve(7);
    expect(await second).toBe(7);
    expect(job.result).toBe(7);
  });

  it('cancel ends the call as cancelled, not as an error; a failure is an error', async () => {
    const w = fakeWorker();
    const job = new Job<number>(w);
    let id = '';
    const run = job.start((jobId) => w.call((id = jobId)));
    job.cancel();
    expect(await run).toBe(null);
    expect([job.running, job.cancelled, job.error, job.result]).toEqual([false, true, null, null]);

    const failing = job.start((jobId) => w.call((id = jobId)));
    const boom = new Error('boom');
    w.calls.get(id)!.reject(boom);
    expect(await failing).toBe(null);
    expect([job.cancelled, job.error]).toEqual([false, boom]);
  });

  it('an AbortSignal cancels it too', async () => {
    const w = fakeWorker();
    const job = new Job<number>(w);
    const controller = new AbortController();
    const run = job.start((jobId) => w.call(jobId), controller.signal);
    controller.abort();
    expect(await run).toBe(null);
    expect(job.cancelled).toBe(true);
    expect(w.cancelled).toHaveLength(1);
  });
});
