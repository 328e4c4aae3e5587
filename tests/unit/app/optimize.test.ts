/**
 * The Optimize stage's page state (src/app/optimize.svelte.ts, optimize-forms.svelte.ts) against a fake
 * training worker: one job at a time with progress, a cancel (thrown or returned as a 'cancelled'
 * outcome), a failure kept per method; and the forms' first problem, in the messages the page shows.
 */
import { describe, expect, it } from 'vitest';
import { DistillForm, PruneForm, trainingIssue } from '../../../src/app/optimize-forms.svelte';
import { OptimizeJobs, type OptimizeWorker } from '../../../src/app/optimize.svelte';
import type { OptimizeProgress, PruneOutcome, QuantizeOutcome } from '../../../src/protocol/optimize';
import type { ModelVersionRecord } from '../../../src/store/training-records';
import { abortError, deferred } from './deferred';

/** A worker whose prune calls end when the test says; cancel(jobId) rejects the call as protocol/jobs does. */
function fakeWorker() {
  const prunes = new Map<string, { done: ReturnType<typeof deferred<PruneOutcome>>; onProgress: (p: OptimizeProgress) => void }>();
  const quantized = deferred<QuantizeOutcome>();
  const worker: OptimizeWorker = {
    api: {
      async cancel(jobId) {
        prunes.get(jobId)?.done.reject(abortError());
        return prunes.has(jobId);
      },
      quantizeModel: () => quantized.promise,
      pruneModel(req, onProgress) {
        const done = deferred<PruneOutcome>();
        prunes.set(req.jobId, { done, onProgress });
        return done.promise;
      },
      distillModel: () => Promise.reject(new Error('not in this test')),
    },
  };
  return { worker, prunes, quantized, last: () => [...prunes.values()].at(-1)! };
}

const pruneReq = {
  modelId: 'm1',
  schedule: { initialSparsity: 0, finalSparsity: 0.5, beginStep: 0, endStep: 40, frequency: 10 },
  training: { optimizer: 'adam' as const, epochs: 1, learningRate: 0.001, batchSize: 32 },
  thenQuantize: false,
};
const pruned: PruneOutcome = { status: 'done', modelId: 'm2', quantizedModelId: null, report: null, accuracy: 0.9 };

describe('OptimizeJobs', () => {
  it('runs one job at a time, with its progress, and keeps its outcome', async () => {
    const w = fakeWorker();
    const jobs = new OptimizeJobs(w.worker);
    const run = jobs.prune(pruneReq);
    expect(jobs.running).toEqual({ method: 'prune', modelId: 'm1' });
    expect(await jobs.quantize('m1', 'uint8')).toBe(false);
    const p: OptimizeProgress = { jobId: 'x', phase: 'training', fraction: 0.5, epoch: 0, epochs: 1 };
    w.last().onProgress(p);
    expect(jobs.progress).toEqual(p);
    w.last().done.resolve(pruned);
    expect(await run).toBe(true);
    expect([jobs.running, jobs.progress, jobs.outcomes.prune, jobs.cancelled.prune, jobs.errors.prune]).toEqual([null, null, { method: 'prune', value: pruned }, false, undefined]);
  });

  it('a cancel is not an error, whether the worker throws it or returns a cancelled outcome', async () => {
    const w = fakeWorker();
    const jobs = new OptimizeJobs(w.worker);
    const thrown = jobs.prune(pruneReq);
    jobs.cancel();
    await thrown;
    expect([jobs.cancelled.prune, jobs.errors.prune, jobs.outcomes.prune]).toEqual([true, undefined, undefined]);

    const returned = jobs.prune(pruneReq);
    expect(jobs.cancelled.prune).toBe(false);
    w.last().done.resolve({ ...pruned, status: 'cancelled', modelId: null });
    await returned;
    expect([jobs.cancelled.prune, jobs.outcomes.prune]).toEqual([true, undefined]);
  });

  it('a failure is kept for its method until that method runs again', async () => {
    const w = fakeWorker();
    const jobs = new OptimizeJobs(w.worker);
    const boom = new Error('boom');
    const run = jobs.prune(pruneReq);
    w.last().done.reject(boom);
    await run;
    expect([jobs.errors.prune, jobs.cancelled.prune, jobs.running]).toEqual([boom, false, null]);
    const q = jobs.quantize('m1', 'float16');
    expect(jobs.errors.prune).toBe(boom);
    const outcome = { modelId: 'm3' } as QuantizeOutcome;
    w.quantized.resolve(outcome);
    await q;
    expect(jobs.outcomes.quantize).toEqual({ method: 'quantize', value: outcome });
  });
});

describe('Optimize forms', () => {
  it('name the first bad field of a pruning', () => {
    const form = new PruneForm(() => 'm1');
    expect(form.issue).toBe('');
    form.final = 1;
    expect(form.issue).toBe('Final sparsity must be at least 0 and below 1.');
    form.final = 0.5;
    form.initial = 0.6;
    expect(form.issue).toBe('Final sparsity must not be below the initial sparsity.');
    form.initial = 0;
    form.end = 0;
    expect(form.issue).toBe('End step must be a whole number of at least 1.');
    form.end = 40;
    form.begin = 40;
    expect(form.issue).toBe('The end step must come after the begin step.');
    form.begin = 0;
    form.frequency = 2.5;
    expect(form.issue).toBe('Every (steps) must be a whole number of at least 1.');
    form.frequency = 10;
    form.training = { epochs: 4, learningRate: 0, batchSize: 32 };
    expect(form.issue).toBe('Learning rate must be a number above 0.');
  });

  it('check the fine-tuning fields in order', () => {
    expect(trainingIssue({ epochs: null, learningRate: 0, batchSize: 0 })).toBe('Epochs must be a whole number of at least 1.');
    expect(trainingIssue({ epochs: 1, learningRate: 0.01, batchSize: 0 })).toBe('Batch size must be a whole number of at least 1.');
    expect(trainingIssue({ epochs: 1, learningRate: 0.01, batchSize: 8 })).toBe('');
  });

  it('size a distillation student and name the first bad field', () => {
    const spec = { version: 1 as const, input: { kind: 'tabular' as const, features: 4 }, layers: [{ type: 'dense' as const, units: 8, activation: 'relu' as const }], head: { kind: 'classification' as const, classes: 3 }, seed: 42 };
    const model = {
      id: 'm1',
      metadata: { task: 'classification', modelSpec: spec, preprocessing: { input: spec.input, label: { task: 'classification', classes: ['a', 'b', 'c'] } } },
    } as unknown as ModelVersionRecord;
    const form = new DistillForm(() => model);
    // teacher: 4*8+8 + 8*3+3 = 67; a quarter as wide: 4*2+2 + 2*3+3 = 19
    expect([form.teacherParams, form.student.params, form.issue, form.larger]).toEqual([67, 19, '', false]);
    form.kind = 'hidden';
    form.sizes = '64';
    expect([form.student.params, form.larger]).toEqual([4 * 64 + 64 + 64 * 3 + 3, true]);
    form.sizes = 'many';
    expect(form.issue).toBe('Hidden sizes must be one to eight whole numbers from 1 to 4096, separated by commas.');
    form.sizes = '16';
    form.alpha = 2;
    expect(form.issue).toBe('Alpha must be between 0 and 1.');
    form.alpha = 0.5;
    form.sharePercent = 0;
    expect(form.issue).toBe('Labeled rows must be a percentage above 0 and at most 100.');
  });
});
