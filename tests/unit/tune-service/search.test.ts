/**
 * Whole searches through the service: the search loop, the oracles and real Train-stage runs of the penguins
 * (cpu, TrainServices standing in for the pool's workers, fake-indexeddb). Hyperband's full schedule for
 * max_epochs 10, factor 3 (KerasTuner's: 30 trials, 22 new and 8 promoted, 120 epochs; the e2e test runs a
 * shorter one in Chromium); every promoted trial's run continues its parent's (the parent's epochs are the
 * first of its history and it trains only the rest); the tensor count is flat across the 30 trials.
 */
import 'fake-indexeddb/auto';
import type * as tfjs from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { PipetteDB } from '../../../src/store/db';
import { listTrials, trialRunId } from '../../../src/store/tune-records';
import { driveSearch, type TrialWorker } from '../../../src/services/tune';
import { useCpu } from '../train/helpers';
import { penguinSearch, searchSettings, serviceWorker } from './fixture';

let tf: typeof tfjs;
beforeAll(async () => {
  tf = await useCpu();
});

it('Hyperband 10/3 on the penguins: 30 trials, 8 continued from their parents, 120 epochs, tensors flat', async () => {
  const db = new PipetteDB('tune-hyperband');
  await db.open();
  try {
    const search = await penguinSearch(db, searchSettings());
    const worker = serviceWorker(tf, db);
    // the tensor count each time a trial ends (after the first, which warms the backend's caches)
    const counts: number[] = [];
    const counting: TrialWorker = {
      ...worker,
      startRun: async (req, onEvent) => {
        const out = await worker.startRun(req, onEvent);
        counts.push(tf.memory().numTensors);
        return out;
      },
    };
    const state = await driveSearch(db, search.id, () => counting);
    expect(state.status).toBe('done');
    expect(state.doneWhy).toBe('schedule-complete');
    const trials = await listTrials(db, search.id);
    expect(trials).toHaveLength(30);
    expect(trials.every((t) => t.status === 'completed')).toBe(true);
    const promoted = trials.filter((t) => t.parentId !== null);
    expect(promoted).toHaveLength(8);
    let trained = 0;
    for (const t of trials) {
      const run = (await db.runs.get(t.runId))!;
      expect(run.status).toBe('done');
      expect(run.history).toHaveLength(t.epochs);
      // the trial's objective history is its run's validation accuracy per epoch
      expect(t.history).toEqual(run.history.map((h) => h.valAcc));
      // ties of the objective are broken by the validation loss of the best epoch
      expect(t.tieLoss).toBe(run.history[t.bestEpoch! - 1]!.valLoss);
      trained += t.epochs - t.initialEpoch;
    }
    expect(trained).toBe(120);
    for (const t of promoted) {
      const parent = (await db.runs.get(trialRunId(search.id, t.parentId!)))!;
      const child = (await db.runs.get(t.runId))!;
      // continued, not retrained: the parent's epoch records are the child's first ones, down to their
      // measured wall times (a retrain from the same seed would repeat the losses, never the times)
      expect(child.history.slice(0, t.initialEpoch).map((h) => [h.loss, h.ms])).toEqual(parent.history.map((h) => [h.loss, h.ms]));
    }
    expect(counts).toHaveLength(30);
    expect(new Set(counts.slice(1)).size).toBe(1);
  } finally {
    await db.delete();
  }
}, 300_000);

it('random search with the median pruner: pruned trials are cancelled runs, the rest completed', async () => {
  const db = new PipetteDB('tune-random');
  await db.open();
  try {
    const settings = searchSettings({ algorithm: 'random', maxTrials: 6, pruner: { kind: 'median', startupTrials: 2, warmupEpochs: 1 } });
    const search = await penguinSearch(db, settings);
    const state = await driveSearch(db, search.id, () => serviceWorker(tf, db));
    expect(state.doneWhy).toBe('max-trials');
    const trials = await listTrials(db, search.id);
    expect(trials).toHaveLength(6);
    expect(trials.some((t) => t.status === 'pruned')).toBe(true);
    for (const t of trials) {
      const run = (await db.runs.get(t.runId))!;
      expect(t.status === 'pruned' ? 'cancelled' : 'done').toBe(run.status);
      if (t.status === 'pruned') expect(t.history.length).toBeLessThan(t.epochs);
    }
  } finally {
    await db.delete();
  }
}, 120_000);

it('pause lets running trials finish; a later drive continues to the schedule end', async () => {
  const db = new PipetteDB('tune-pause');
  await db.open();
  try {
    const search = await penguinSearch(db, searchSettings({ hyperband: { maxEpochs: 3, factor: 3, iterations: 1 } }));
    const worker = serviceWorker(tf, db);
    const pause = new AbortController();
    const pausing: TrialWorker = {
      ...worker,
      startRun: (req, onEvent) => {
        if (req.runId.endsWith('t0002')) pause.abort();
        return worker.startRun(req, onEvent);
      },
    };
    const paused = await driveSearch(db, search.id, () => pausing, { pause: pause.signal });
    expect(paused.status).toBe('paused');
    expect(paused.trials.map((t) => t.status)).toEqual(['completed', 'completed', 'completed']);
    expect((await db.tuneSearches.get(search.id))!.status).toBe('paused');
    const done = await driveSearch(db, search.id, () => worker);
    expect(done.status).toBe('done');
    // the same schedule as a search never paused (the oracle reads only the trials)
    const other = new PipetteDB('tune-pause-straight');
    await other.open();
    try {
      const straight = await penguinSearch(other, searchSettings({ hyperband: { maxEpochs: 3, factor: 3, iterations: 1 } }));
      const unpaused = await driveSearch(other, straight.id, () => serviceWorker(tf, other));
      const schedule = (ts: typeof done.trials) => ts.map((t) => [t.id, t.epochs, t.initialEpoch, t.parentId, t.status]);
      expect(schedule(done.trials)).toEqual(schedule(unpaused.trials));
      expect(done.trials.length).toBeGreaterThan(3);
    } finally {
      await other.delete();
    }
  } finally {
    await db.delete();
  }
}, 120_000);
