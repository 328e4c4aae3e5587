/**
 * The search loop over a fake host (pure orchestration: the trials' models are real in the service and e2e
 * tests). The fake trains each trial epoch by epoch, yielding between epochs, with objective = a value per
 * configuration; the oracle is a small successive-halving script: three configurations for 1 epoch, then the
 * best one promoted to 3 epochs once all three are done (a 'wait' until then).
 */
import { describe, expect, it } from 'vitest';
import { bestOf, runSearch, type LoopTrial, type SearchHost, type SearchState, type TrialContext, type TrialEnd } from '../../../src/core/tune/search-loop';
import type { Decision, TrialView } from '../../../src/core/tune/types';

const SCORE: Record<string, number[]> = { a: [0.5, 0.6, 0.7], b: [0.8, 0.85, 0.9], c: [0.3, 0.4, 0.45], d: [0.6], e: [0.2] };

function halving(configs = ['a', 'b', 'c']): (trials: readonly TrialView[]) => Decision {
  return (trials) => {
    if (trials.length < configs.length) return { kind: 'trial', values: { name: configs[trials.length]! }, epochs: 1, initialEpoch: 0, parentId: null, bracket: 0, round: 0 };
    const first = trials.slice(0, configs.length);
    if (trials.length === configs.length) {
      if (first.some((t) => t.status === 'running')) return { kind: 'wait' };
      const best = first.filter((t) => t.status === 'completed').sort((x, y) => y.best! - x.best!)[0]!;
      return { kind: 'trial', values: best.values, epochs: 3, initialEpoch: 1, parentId: best.id, bracket: 0, round: 1 };
    }
    return trials.some((t) => t.status === 'running') ? { kind: 'wait' } : { kind: 'done', why: 'schedule-complete' };
  };
}

interface Log {
  events: string[];
  resumed: string[];
  maxAtOnce: number;
}

/** Trains trials epoch by epoch; `hooks` let a test act at a trial's start or epoch. */
function fakeHost(log: Log, hooks: { onStart?: (t: LoopTrial) => void; onEpoch?: (t: LoopTrial, epoch: number) => void; fail?: string } = {}): SearchHost & { saved: SearchState[] } {
  const running = new Set<string>();
  const saved: SearchState[] = [];
  return {
    saved,
    async runTrial(trial: Readonly<LoopTrial>, slot: number, ctx: TrialContext, resume: boolean): Promise<TrialEnd> {
      if (trial.parentId && running.has(trial.parentId)) throw new Error(`${trial.id} started while its parent ${trial.parentId} runs`);
      running.add(trial.id);
      log.maxAtOnce = Math.max(log.maxAtOnce, running.size);
      if (resume) log.resumed.push(trial.id);
      log.events.push(`start ${trial.id} slot ${slot}`);
      hooks.onStart?.(trial as LoopTrial);
      try {
        const from = resume ? trial.history.length : trial.initialEpoch;
        for (let e = from + 1; e <= trial.epochs; e++) {
          await Promise.resolve();
          if (ctx.signal.aborted) return { status: 'stopped', durationMs: e };
          if (hooks.fail === trial.id) throw Object.assign(new Error('boom'), { code: 'diverged' });
          ctx.epoch(e, SCORE[trial.values.name as string]![e - 1]!, e * 10);
          hooks.onEpoch?.(trial as LoopTrial, e);
        }
        return { status: 'completed', durationMs: trial.epochs * 10 };
      } finally {
        running.delete(trial.id);
        log.events.push(`end ${trial.id}`);
      }
    },
    async save(state) {
      saved.push(state);
    },
  };
}

const fresh = (): SearchState => ({ status: 'running', trials: [], elapsedMs: 0 });
const newLog = (): Log => ({ events: [], resumed: [], maxAtOnce: 0 });
const objective = { metric: 'val_acc', direction: 'max' as const };

describe('runSearch', () => {
  it('runs the schedule on 2 workers, waits for the round, continues the best from its parent, and says why it is done', async () => {
    const log = newLog();
    const host = fakeHost(log);
    const state = await runSearch(fresh(), host, { next: halving(), objective, workers: 2 });
    expect(state.status).toBe('done');
    expect(state.doneWhy).toBe('schedule-complete');
    expect(state.trials.map((t) => [t.id, t.status, t.epochs, t.initialEpoch, t.parentId])).toEqual([
      ['0000', 'completed', 1, 0, null],
      ['0001', 'completed', 1, 0, null],
      ['0002', 'completed', 1, 0, null],
      ['0003', 'completed', 3, 1, '0001'],
    ]);
    // the promoted trial's history starts with its parent's epoch 1, then its own epochs 2 and 3
    expect(state.trials[3]!.history).toEqual([0.8, 0.85, 0.9]);
    expect([state.trials[3]!.best, state.trials[3]!.bestEpoch]).toEqual([0.9, 3]);
    expect(log.maxAtOnce).toBe(2);
    // trial 2 waits for a free slot; the promotion waits for the whole round
    expect(log.events.indexOf('start 0002 slot 0')).toBeGreaterThan(log.events.indexOf('end 0000'));
    expect(log.events.indexOf('start 0003 slot 0')).toBeGreaterThan(log.events.indexOf('end 0002'));
    // the last save is the final state
    expect(host.saved.at(-1)).toEqual(state);
  });

  it('never starts a promoted trial while its parent runs, even when the oracle asks', async () => {
    const log = newLog();
    // an oracle that promotes at once (a wrong one): the loop holds the promotion until 0000 ends
    let calls = 0;
    const eager = (trials: readonly TrialView[]): Decision => {
      calls++;
      if (trials.length === 0) return { kind: 'trial', values: { name: 'a' }, epochs: 1, initialEpoch: 0, parentId: null };
      if (trials.length === 1) return { kind: 'trial', values: { name: 'a' }, epochs: 3, initialEpoch: 1, parentId: '0000' };
      return trials.some((t) => t.status === 'running') ? { kind: 'wait' } : { kind: 'done', why: 'schedule-complete' };
    };
    const state = await runSearch(fresh(), fakeHost(log), { next: eager, objective, workers: 2 });
    expect(state.trials.map((t) => t.status)).toEqual(['completed', 'completed']);
    expect(log.events).toEqual(['start 0000 slot 0', 'end 0000', 'start 0001 slot 0', 'end 0001']);
    expect(calls).toBeGreaterThan(2);
  });

  it('a pruned trial is stopped through its signal and marked pruned; the search goes on', async () => {
    const log = newLog();
    const next = (trials: readonly TrialView[]): Decision =>
      trials.length < 2 ? { kind: 'trial', values: { name: ['b', 'c'][trials.length]! }, epochs: 3, initialEpoch: 0, parentId: null } : trials.some((t) => t.status === 'running') ? { kind: 'wait' } : { kind: 'done', why: 'max-trials' };
    // prune whatever is below 0.5 after its first epoch
    const prune = (_t: TrialView, _epoch: number, value: number) => value < 0.5;
    const state = await runSearch(fresh(), fakeHost(log), { next, prune, objective, workers: 1 });
    expect(state.trials.map((t) => [t.status, t.history])).toEqual([
      ['completed', [0.8, 0.85, 0.9]],
      ['pruned', [0.3]],
    ]);
    expect(state.doneWhy).toBe('max-trials');
  });

  it('cancel stops the running trials and starts no more', async () => {
    const log = newLog();
    const cancel = new AbortController();
    const host = fakeHost(log, { onEpoch: (t) => t.id === '0001' && cancel.abort() });
    const state = await runSearch(fresh(), host, { next: halving(['a', 'b', 'c']), objective, workers: 2, signal: cancel.signal });
    expect(state.status).toBe('cancelled');
    expect(state.trials.map((t) => t.id)).toEqual(['0000', '0001']);
    expect(state.trials.every((t) => t.status === 'completed' || t.status === 'stopped')).toBe(true);
  });

  it('pause lets the running trials finish and starts none; a second run continues to the end', async () => {
    const log = newLog();
    const pause = new AbortController();
    const host = fakeHost(log, { onStart: (t) => t.id === '0001' && pause.abort() });
    const paused = await runSearch(fresh(), host, { next: halving(), objective, workers: 2, pause: pause.signal });
    expect(paused.status).toBe('paused');
    expect(paused.trials.map((t) => t.status)).toEqual(['completed', 'completed']);
    const done = await runSearch(structuredClone(paused), fakeHost(newLog()), { next: halving(), objective, workers: 2 });
    expect(done.status).toBe('done');
    expect(done.trials.map((t) => t.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(done.trials[3]!.parentId).toBe('0001');
  });

  it('a time budget stops the running trials; their trained epochs count', async () => {
    const log = newLog();
    let clock = 0;
    let fire: () => void = () => {};
    const host = fakeHost(log, {
      onEpoch: (t, e) => {
        clock += 10;
        // the timer fires once the clock reaches the deadline
        if (clock >= 15) fire();
        void t;
        void e;
      },
    });
    const next = (trials: readonly TrialView[]): Decision => (trials.length < 5 ? { kind: 'trial', values: { name: 'b' }, epochs: 3, initialEpoch: 0, parentId: null } : { kind: 'done', why: 'max-trials' });
    const state = await runSearch(fresh(), host, {
      next,
      objective,
      workers: 1,
      deadline: 15,
      now: () => clock,
      setTimer: (_ms, f) => {
        fire = f;
        return () => {};
      },
    });
    expect(state.status).toBe('done');
    expect(state.doneWhy).toBe('budget');
    // stopped after its second epoch (clock 20), no second trial
    expect(state.trials.map((t) => [t.status, t.history.length])).toEqual([['stopped', 2]]);
  });

  it('continues a saved search: finished trials kept, a running one resumed first from its history', async () => {
    const log = newLog();
    const saved: SearchState = {
      status: 'running',
      elapsedMs: 100,
      trials: [
        { id: '0000', values: { name: 'a' }, status: 'completed', epochs: 1, initialEpoch: 0, parentId: null, history: [0.5], best: 0.5, bestEpoch: 1, durationMs: 10, startedAt: 0, finishedAt: 1 },
        { id: '0001', values: { name: 'b' }, status: 'running', epochs: 1, initialEpoch: 0, parentId: null, history: [], best: null, bestEpoch: null, durationMs: 0, startedAt: 0 },
      ],
    };
    const state = await runSearch(saved, fakeHost(log), { next: halving(), objective, workers: 1 });
    expect(log.resumed).toEqual(['0001']);
    expect(state.trials.map((t) => t.resumes ?? 0)).toEqual([0, 1, 0, 0]);
    expect(log.events[0]).toBe('start 0001 slot 0');
    expect(state.trials.map((t) => [t.id, t.status])).toEqual([
      ['0000', 'completed'],
      ['0001', 'completed'],
      ['0002', 'completed'],
      ['0003', 'completed'],
    ]);
    expect(state.trials[3]!.parentId).toBe('0001');
    expect(state.elapsedMs).toBeGreaterThanOrEqual(100);
  });

  it('a failed trial keeps its error and the search goes on', async () => {
    const state = await runSearch(fresh(), fakeHost(newLog(), { fail: '0001' }), { next: halving(), objective, workers: 1 });
    expect(state.trials.map((t) => t.status)).toEqual(['completed', 'failed', 'completed', 'completed']);
    expect(state.trials[1]!.error).toMatchObject({ code: 'diverged' });
    // the best of the round that completed is promoted: b failed, so a (0.5) beats c (0.3)
    expect(state.trials[3]!.parentId).toBe('0000');
  });

  it('bestOf takes the first best epoch by direction and skips NaN', () => {
    expect(bestOf([0.3, NaN, 0.2, 0.2], 'min')).toEqual({ best: 0.2, bestEpoch: 3 });
    expect(bestOf([0.3, 0.9, 0.9], 'max')).toEqual({ best: 0.9, bestEpoch: 2 });
    expect(bestOf([], 'max')).toEqual({ best: null, bestEpoch: null });
  });
});
