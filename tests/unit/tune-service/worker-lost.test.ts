/**
 * A search survives a lost training worker (issue 17). Three levels:
 *  - the pool's watch (app/workers/worker-watch.ts): a call that never settles rejects with TrialWorkerLost
 *    once the worker fires 'error' or its life lock is granted to the page, and the bridge starts a fresh worker;
 *  - the loop: a trial whose host call rejects with TrialWorkerLost is handed back to the host to resume
 *    before any new trial, the other trials untouched; one that loses every worker fails after MAX_WORKER_LOSSES;
 *  - a whole Hyperband search on the penguins (real Train-stage runs on cpu) whose worker "crashes" in the
 *    middle of a promoted trial (its run parked, then the worker's 'error' event; the dead worker's call
 *    never settles): it ends with the schedule of a search that never crashed, the lost trial's run resumed
 *    from its own last checkpoint, or, lost before its first epoch, continued from its parent's again.
 */
import 'fake-indexeddb/auto';
import type * as tfjs from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_WORKER_LOSSES, runSearch, TrialWorkerLost, type SearchState } from '../../../src/core/tune/search-loop';
import type { Decision, TrialView } from '../../../src/core/tune/types';
import type { StartRunRequest } from '../../../src/protocol/train';
import { driveSearch, type TrialWorker } from '../../../src/services/tune';
import { watchedTrialWorker, WorkerWatch, type LifeLockApi, type LockRequest, type WatchedBridge } from '../../../src/app/workers/worker-watch';
import { PipetteDB } from '../../../src/store/db';
import { listTrials, trialRunId } from '../../../src/store/tune-records';
import { useCpu } from '../train/helpers';
import { penguinSearch, searchSettings, serviceWorker } from './fixture';

type Api = TrialWorker & LifeLockApi;

/** A bridge over fake workers: each start makes a new API and a new EventTarget as its Worker. */
class FakeBridge implements WatchedBridge<Api> {
  #api: Api | undefined;
  worker: EventTarget | undefined;
  started = 0;
  terminated = 0;
  constructor(private readonly make: (worker: EventTarget, index: number) => Api) {}
  get api(): Api {
    if (!this.#api) {
      this.worker = new EventTarget();
      this.#api = this.make(this.worker, this.started++);
    }
    return this.#api;
  }
  terminate(): void {
    this.#api = undefined;
    this.worker = undefined;
    this.terminated++;
  }
}

const never = <T>() => new Promise<T>(() => {});
const hangingApi = (): Api => ({ startRun: never, resumeRun: never, cancel: never, holdLifeLock: async () => {}, idle: async () => true });

describe('the pool watch', () => {
  it("a call on a worker that fires 'error' rejects as lost, and the slot starts a fresh worker", async () => {
    const bridge = new FakeBridge(hangingApi);
    const watch = new WorkerWatch<Api>(undefined);
    const first = watchedTrialWorker(watch, bridge);
    const worker = bridge.worker!;
    const call = first.startRun({ runId: 'r', projectId: 'p', datasetVersionId: 'v', config: {} as never }, () => {});
    worker.dispatchEvent(new Event('error'));
    await expect(call).rejects.toBeInstanceOf(TrialWorkerLost);
    expect(bridge.terminated).toBe(1);
    // a later call on the lost worker's API rejects at once; the slot's next trial worker is a new one
    await expect(first.resumeRun('r', () => {})).rejects.toBeInstanceOf(TrialWorkerLost);
    await expect(first.cancel('r')).resolves.toBe(false);
    watchedTrialWorker(watch, bridge);
    expect(bridge.started).toBe(2);
    expect(bridge.worker).not.toBe(worker);
  });

  it('a worker that ends without a word is lost when its life lock is granted to the page', async () => {
    const held = new Map<string, () => void>();
    // the page's request is granted when the worker's thread ends (here: when the test ends it)
    const request: LockRequest = (name, granted) => held.set(name, granted);
    const names: string[] = [];
    const bridge = new FakeBridge(() => ({ ...hangingApi(), holdLifeLock: async (name) => void names.push(name) }));
    const watch = new WorkerWatch<Api>(request);
    const trial = watchedTrialWorker(watch, bridge);
    const call = trial.resumeRun('r', () => {});
    await Promise.resolve();
    await Promise.resolve();
    expect(names).toHaveLength(1);
    expect([...held.keys()]).toEqual(names);
    held.get(names[0]!)!();
    await expect(call).rejects.toMatchObject({ why: 'ended' });
    expect(bridge.terminated).toBe(1);
  });

  it('a worker that stops answering while a trial runs is lost as stuck, and stopped', async () => {
    const bridge = new FakeBridge(() => ({ ...hangingApi(), idle: never }));
    const watch = new WorkerWatch<Api>(undefined, { everyMs: 5, stuckMs: 30 });
    const call = watchedTrialWorker(watch, bridge).startRun({ runId: 'r', projectId: 'p', datasetVersionId: 'v', config: {} as never }, () => {});
    await expect(call).rejects.toMatchObject({ why: 'stuck: no answer in 0.03 s' });
    expect(bridge.terminated).toBe(1);
  });

  it('a busy worker that answers is never taken as stuck, however long its run', async () => {
    let asked = 0;
    const outcome = { runId: 'r', status: 'done' as const };
    const bridge = new FakeBridge(() => ({
      ...hangingApi(),
      // the run takes ten times the stuck limit; each question is answered
      startRun: () => new Promise((resolve) => setTimeout(() => resolve(outcome), 300)),
      idle: async () => (asked++, false),
    }));
    const watch = new WorkerWatch<Api>(undefined, { everyMs: 5, stuckMs: 30 });
    await expect(watchedTrialWorker(watch, bridge).startRun({ runId: 'r', projectId: 'p', datasetVersionId: 'v', config: {} as never }, () => {})).resolves.toEqual(outcome);
    expect(asked).toBeGreaterThan(5);
    const afterRun = asked;
    await new Promise((r) => setTimeout(r, 50));
    // no questions once the run's call settled
    expect(asked).toBe(afterRun);
    expect(bridge.terminated).toBe(0);
  });

  it('a worker stopped on purpose (idle) is not taken as lost: the bridge is left alone', async () => {
    const held = new Map<string, () => void>();
    const bridge = new FakeBridge(hangingApi);
    const { lost } = new WorkerWatch<Api>((name, granted) => held.set(name, granted)).watch(bridge);
    await Promise.resolve();
    bridge.terminate();
    const next = bridge.api;
    [...held.values()][0]!();
    expect(lost.aborted).toBe(true);
    expect(bridge.terminated).toBe(1);
    expect(bridge.api).toBe(next);
  });
});

/** Three 2-epoch trials, then done once none runs. */
function threeTrials(trials: readonly TrialView[]): Decision {
  if (trials.length < 3) return { kind: 'trial', values: { i: trials.length }, epochs: 2, initialEpoch: 0, parentId: null };
  return trials.some((t) => t.status === 'running') ? { kind: 'wait' } : { kind: 'done', why: 'max-trials' };
}

describe('the loop and a lost worker', () => {
  const objective = { metric: 'val_acc', direction: 'max' as const };

  it('resumes the trial whose worker was lost before anything new, and keeps the others', async () => {
    const calls: string[] = [];
    let lostOnce = false;
    const state = await runSearch({ status: 'running', trials: [], elapsedMs: 0 }, {
      async runTrial(trial, slot, ctx, resume) {
        calls.push(`${trial.id} slot ${slot}${resume ? ' resume' : ''}`);
        for (let e = trial.history.length + 1; e <= trial.epochs; e++) {
          await Promise.resolve();
          ctx.epoch(e, 0.5 + Number(trial.values.i) / 10, e);
          if (trial.id === '0001' && e === 1 && !lostOnce) {
            lostOnce = true;
            throw new TrialWorkerLost('error');
          }
        }
        return { status: 'completed', durationMs: 2 };
      },
      save: async () => {},
    }, { next: threeTrials, objective, workers: 2 });
    expect(state.status).toBe('done');
    expect(state.trials.map((t) => [t.id, t.status, t.history.length, t.resumes ?? 0])).toEqual([
      ['0000', 'completed', 2, 0],
      ['0001', 'completed', 2, 1],
      ['0002', 'completed', 2, 0],
    ]);
    // resumed (on the first free slot: trial 0000 had ended) before the oracle's next trial
    expect(calls).toEqual(['0000 slot 0', '0001 slot 1', '0001 slot 0 resume', '0002 slot 1']);
  });

  it(`a trial that loses its worker ${MAX_WORKER_LOSSES + 1} times fails; the search goes on`, async () => {
    let tries = 0;
    const state: SearchState = await runSearch({ status: 'running', trials: [], elapsedMs: 0 }, {
      async runTrial(trial, _slot, ctx) {
        if (trial.id === '0000') {
          tries++;
          throw new TrialWorkerLost('ended');
        }
        ctx.epoch(1, 0.5, 1);
        ctx.epoch(2, 0.6, 2);
        return { status: 'completed', durationMs: 2 };
      },
      save: async () => {},
    }, { next: threeTrials, objective, workers: 1 });
    expect(tries).toBe(MAX_WORKER_LOSSES + 1);
    expect(state.trials.map((t) => t.status)).toEqual(['failed', 'completed', 'completed']);
    expect(state.trials[0]!.error).toMatchObject({ message: expect.stringContaining('ended') });
  });
});

let tf: typeof tfjs;
beforeAll(async () => {
  tf = await useCpu();
});

/**
 * The pool's trial worker for slot 0 over TrainServices: the first worker "crashes" during the first
 * promoted trial (after its first own epoch, or before it when `early`): the run is parked (the record is
 * left active, as a dead worker leaves it) and the worker fires 'error'; its call never settles.
 */
function crashingPool(db: PipetteDB, early: boolean): { worker: (slot: number) => TrialWorker; crashedRun: () => string | null } {
  let crashedRun: string | null = null;
  const bridge = new FakeBridge((target, index) => {
    const w = serviceWorker(tf, db);
    const startRun: TrialWorker['startRun'] = (req, onEvent) => {
      if (index > 0 || crashedRun || !req.config.continueFrom) return w.startRun(req, onEvent);
      crashedRun = req.runId;
      return w.startRun(req, (e) => {
        if (e.kind === (early ? 'phase' : 'epoch')) void w.service.pause(req.runId);
        if (e.kind === 'parked') target.dispatchEvent(new Event('error'));
        else onEvent(e);
      });
    };
    return { ...w, startRun, holdLifeLock: async () => {}, idle: async () => true };
  });
  const watch = new WorkerWatch<Api>(undefined);
  return { worker: () => watchedTrialWorker(watch, bridge), crashedRun: () => crashedRun };
}

describe.each([
  ['after its first own epoch: its run resumes from its own checkpoint', false],
  ['before its first epoch: it continues its parent again', true],
])('a Hyperband search whose worker is lost in a promoted trial %s', (_name, early) => {
  it('finishes with the schedule of a search never interrupted', async () => {
    const db = new PipetteDB(`tune-lost-${early}`);
    await db.open();
    try {
      const settings = searchSettings({ hyperband: { maxEpochs: 3, factor: 3, iterations: 1 } });
      const search = await penguinSearch(db, settings);
      const pool = crashingPool(db, early);
      const state = await driveSearch(db, search.id, pool.worker);
      expect(state.status).toBe('done');
      const runId = pool.crashedRun()!;
      const trials = await listTrials(db, search.id);
      const lost = trials.find((t) => t.runId === runId)!;
      expect(lost.resumes).toBe(1);
      expect(trials.every((t) => t.status === 'completed')).toBe(true);
      const run = (await db.runs.get(runId))!;
      expect(run.status).toBe('done');
      expect(run.history).toHaveLength(lost.epochs);
      // resumed from its own checkpoint (the run counts it), or started again from its parent's
      expect(run.resumes ?? 0).toBe(early ? 0 : 1);
      const parent = (await db.runs.get(trialRunId(search.id, lost.parentId!)))!;
      expect(run.history.slice(0, lost.initialEpoch).map((h) => [h.loss, h.ms])).toEqual(parent.history.map((h) => [h.loss, h.ms]));

      const other = new PipetteDB(`tune-lost-straight-${early}`);
      await other.open();
      try {
        const straight = await penguinSearch(other, settings);
        const unbroken = await driveSearch(other, straight.id, () => serviceWorker(tf, other));
        const schedule = (ts: readonly TrialView[]) => ts.map((t) => [t.id, t.epochs, t.initialEpoch, t.parentId, t.status]);
        expect(schedule(trials)).toEqual(schedule(unbroken.trials));
      } finally {
        await other.delete();
      }
    } finally {
      await db.delete();
    }
  }, 120_000);
});

describe('a worker lost as it starts a trial', () => {
  it("resumes the trial when the lost worker's run record lands after the host looked for it", async () => {
    const db = new PipetteDB('tune-lost-late-record');
    await db.open();
    try {
      const search = await penguinSearch(db, searchSettings({ algorithm: 'random', maxTrials: 2 }));
      let late: StartRunRequest | null = null;
      const bridge = new FakeBridge((target, index) => {
        const w = serviceWorker(tf, db);
        const startRun: TrialWorker['startRun'] = async (req, onEvent) => {
          if (index === 0 && !late) {
            // the first worker dies as it begins the first trial: its call never settles
            late = req;
            target.dispatchEvent(new Event('error'));
            return never();
          }
          if (late?.runId === req.runId) {
            // ... and the run record it was adding is committed only now, after the host found none
            const now = Date.now();
            await db.runs.add({ id: req.runId, projectId: req.projectId, datasetVersionId: req.datasetVersionId, status: 'running', phase: 'loading', config: req.config, history: [], metrics: null, durationMs: 0, createdAt: now, updatedAt: now });
          }
          return w.startRun(req, onEvent);
        };
        return { ...w, startRun, holdLifeLock: async () => {}, idle: async () => true };
      });
      const watch = new WorkerWatch<Api>(undefined);
      const state = await driveSearch(db, search.id, () => watchedTrialWorker(watch, bridge));
      expect(state.status).toBe('done');
      expect(state.trials.map((t) => [t.status, t.resumes ?? 0, t.history.length])).toEqual([
        ['completed', 1, 5],
        ['completed', 0, 5],
      ]);
      // the lost worker's record was taken as interrupted and resumed (trained from the start: it had no checkpoint)
      const run = (await db.runs.get(late!.runId))!;
      expect([run.status, run.resumes, run.history.length]).toEqual(['done', 1, 5]);
    } finally {
      await db.delete();
    }
  }, 60_000);
});
