/**
 * Running a search: the one loop over an oracle and a pool of workers. Pure orchestration over a host (the
 * tab's host trains each trial as a Train-stage run on one worker of its pool; the unit tests use a fake),
 * as core/pipeline/runner.ts is for pipelines. The loop
 *  - asks the oracle (a pure function of the trials so far) what to do, and starts each new trial on a free
 *    worker slot, until the oracle waits, says done, or every slot is busy;
 *  - records each finished epoch's objective on its trial (history, best, best epoch) and asks the pruner;
 *    a pruned trial is stopped through its signal (the host's normal cancel) and marked 'pruned';
 *  - asks again whenever a trial ends; a promoted trial never starts while its parent still runs;
 *  - stops at the oracle's done, a cancel (running trials stopped), a pause (no new trials; the running
 *    ones FINISH their epochs, then the search is 'paused' and a later run continues it) and a time budget
 *    (running trials stopped; their trained epochs still count);
 *  - continues a saved state: finished trials are kept, trials still 'running' (a closed tab) are handed to
 *    the host to resume from their last checkpoint before anything new starts;
 *  - resumes a trial whose worker was lost (the host rejects with TrialWorkerLost: a crash, out of memory,
 *    a terminated worker) the same way, on the next free slot (the pool gives the lost slot a fresh
 *    worker), up to MAX_WORKER_LOSSES times per trial.
 * After every change the host saves the state, so a reload loses at most the epoch under way.
 */
import type { Decision, DoneWhy, Objective, TrialDecision, TrialView } from './types';

/**
 * What a host's runTrial rejects with when the trial's worker is gone (it crashed, ran out of memory or was
 * terminated) before the trial ended: the loop hands the trial back to the host to resume, as after a reload.
 */
export class TrialWorkerLost extends Error {
  constructor(readonly why: string) {
    super(`The trial's training worker was lost (${why})`);
    this.name = 'TrialWorkerLost';
  }
}

/** Lost workers a trial survives in one execution of a search; at the next it fails (a trial that kills every worker it runs on). */
export const MAX_WORKER_LOSSES = 3;

/** A trial as the loop keeps it: the oracle's view plus how long it ran and why it failed. */
export interface LoopTrial extends TrialView {
  /** Training time of its run (pauses and reloads left out), as the host reports it. */
  durationMs: number;
  startedAt: number;
  finishedAt?: number;
  /** A failed trial's error (a serialized coded error, or an internal fault's words). */
  error?: unknown;
  /** Times it was continued after its tab went away (its run resumed from its last checkpoint). */
  resumes?: number;
}

export type SearchStatus = 'running' | 'paused' | 'done' | 'cancelled' | 'failed';

export interface SearchState {
  status: SearchStatus;
  /** Why it is done: the oracle's reason, or the time budget. */
  doneWhy?: DoneWhy | 'budget';
  trials: LoopTrial[];
  /** Wall time the search has run over every execution of it (pauses and reloads left out). */
  elapsedMs: number;
  error?: unknown;
}

export interface TrialContext {
  /** Aborted to stop the trial (pruned, cancelled, out of budget): the host cancels its run. */
  signal: AbortSignal;
  /** An epoch ended: its 1-based number, the objective's value, and the run's training time so far. */
  epoch(epoch: number, value: number, elapsedMs: number): void;
}

export interface TrialEnd {
  /** 'stopped': the run ended early because the signal asked it to. */
  status: 'completed' | 'stopped';
  durationMs: number;
  /** The validation loss at the trial's best epoch, where its run has one (TrialView.tieLoss). */
  tieLoss?: number;
}

export interface SearchHost {
  /**
   * Train the trial on worker `slot` from its initialEpoch (continuing parentId's checkpoint when set) to its
   * epochs; `resume`: it was running when its tab went away, continue its run from its last checkpoint.
   * Rejects when it fails.
   */
  runTrial(trial: Readonly<LoopTrial>, slot: number, ctx: TrialContext, resume: boolean): Promise<TrialEnd>;
  /** Save the state (called after every change, in order; the loop waits for the last one before it resolves). */
  save(state: SearchState): Promise<void>;
}

export interface LoopOptions {
  /** The oracle with its search and seed bound: what to do given the trials so far. */
  next: (trials: readonly TrialView[]) => Decision;
  /** Whether to stop a running trial after its 1-based `epoch` of objective `value` (the median pruner); absent: never. */
  prune?: (trial: TrialView, epoch: number, value: number, trials: readonly TrialView[]) => boolean;
  objective: Objective;
  /** Worker slots: trials run at the same time. */
  workers: number;
  /** Cancel the search: running trials are stopped. */
  signal?: AbortSignal;
  /** Pause the search: no new trials; running ones finish. */
  pause?: AbortSignal;
  /** Stop at this time (ms since the epoch, on `now`'s clock): running trials are stopped. */
  deadline?: number;
  now?: () => number;
  /** Schedules the wake-up at the deadline (tests pass a fake); returns its cancel. */
  setTimer?: (ms: number, fire: () => void) => () => void;
}

/** KerasTuner's trial ids: the creation index, zero-padded to 4 digits. */
export function trialId(index: number): string {
  return String(index).padStart(4, '0');
}

/** The best value of a history by the direction, and its 1-based epoch (the first on a tie); NaN skipped. */
export function bestOf(history: readonly number[], direction: Objective['direction']): { best: number | null; bestEpoch: number | null } {
  let best: number | null = null;
  let bestEpoch: number | null = null;
  history.forEach((v, i) => {
    if (!Number.isFinite(v)) return;
    if (best === null || (direction === 'max' ? v > best : v < best)) {
      best = v;
      bestEpoch = i + 1;
    }
  });
  return { best, bestEpoch };
}

interface Running {
  trial: LoopTrial;
  slot: number;
  controller: AbortController;
  /** Why the loop stopped it (decides its final status). */
  stoppedAs: 'pruned' | 'stopped' | null;
  /** Its worker was lost: the trial is resumed, not finished. */
  lost: boolean;
  done: Promise<void>;
}

const defaultTimer = (ms: number, fire: () => void): (() => void) => {
  const t = setTimeout(fire, ms);
  return () => clearTimeout(t);
};

/** Run (or continue) a search until done, cancelled, paused or out of budget. Resolves with the final state. */
export async function runSearch(state: SearchState, host: SearchHost, options: LoopOptions): Promise<SearchState> {
  const now = options.now ?? Date.now;
  const signal = options.signal ?? new AbortController().signal;
  const pause = options.pause ?? new AbortController().signal;
  const running = new Map<string, Running>();
  const toResume = state.trials.filter((t) => t.status === 'running');
  const losses = new Map<string, number>();
  const priorElapsed = state.elapsedMs;
  const started = now();
  state.status = 'running';
  delete state.doneWhy;
  delete state.error;

  let saves = Promise.resolve();
  const changed = (): Promise<void> => {
    state.elapsedMs = priorElapsed + (now() - started);
    const snapshot = structuredClone(state);
    return (saves = saves.then(() => host.save(snapshot)));
  };

  // one promise the loop waits on besides the trials: cancel, pause and the deadline wake it
  let wake!: () => void;
  let woken = new Promise<void>((r) => (wake = r));
  const stopAll = () => {
    for (const r of running.values()) {
      r.stoppedAs ??= 'stopped';
      r.controller.abort();
    }
  };
  // cancel and the deadline stop the running trials at once, not when the loop next looks
  const onStop = () => {
    stopAll();
    wake();
  };
  const onPause = () => wake();
  signal.addEventListener('abort', onStop);
  pause.addEventListener('abort', onPause);
  const overBudget = () => options.deadline !== undefined && now() >= options.deadline;
  const cancelTimer = options.deadline !== undefined ? (options.setTimer ?? defaultTimer)(Math.max(0, options.deadline - now()), onStop) : () => {};

  const freeSlot = (): number => {
    const taken = new Set([...running.values()].map((r) => r.slot));
    for (let s = 0; s < options.workers; s++) if (!taken.has(s)) return s;
    return -1;
  };

  const start = (trial: LoopTrial, resume: boolean): void => {
    if (resume) trial.resumes = (trial.resumes ?? 0) + 1;
    const controller = new AbortController();
    const r: Running = { trial, slot: freeSlot(), controller, stoppedAs: null, lost: false, done: Promise.resolve() };
    const ctx: TrialContext = {
      signal: controller.signal,
      epoch: (epoch, value, elapsedMs) => {
        trial.history = trial.history.slice(0, epoch - 1);
        trial.history[epoch - 1] = value;
        Object.assign(trial, bestOf(trial.history, options.objective.direction), { durationMs: elapsedMs });
        if (!r.stoppedAs && epoch < trial.epochs && options.prune?.(trial, epoch, value, state.trials)) {
          r.stoppedAs = 'pruned';
          controller.abort();
        }
        if (overBudget()) onStop();
        void changed();
      },
    };
    running.set(trial.id, r);
    r.done = host
      .runTrial(trial, r.slot, ctx, resume)
      .then(
        (end) => {
          trial.durationMs = end.durationMs;
          if (end.tieLoss !== undefined) trial.tieLoss = end.tieLoss;
          trial.status = r.stoppedAs ?? (end.status === 'completed' ? 'completed' : 'stopped');
        },
        (e: unknown) => {
          const lost = losses.get(trial.id) ?? 0;
          if (e instanceof TrialWorkerLost && !r.stoppedAs && lost < MAX_WORKER_LOSSES) {
            losses.set(trial.id, lost + 1);
            r.lost = true;
            return;
          }
          // a run stopped on purpose may fail on its way out: it is still what the loop made it
          trial.status = r.stoppedAs ?? 'failed';
          if (!r.stoppedAs) trial.error = errorOf(e);
        },
      )
      .then(() => {
        running.delete(trial.id);
        // still 'running': the loop resumes it first, on the slot it frees
        if (r.lost) toResume.unshift(trial);
        else trial.finishedAt = now();
        return changed();
      });
  };

  try {
    let finishedWhy: SearchState['doneWhy'] | null = null;
    for (;;) {
      if (signal.aborted || overBudget()) {
        stopAll();
        if (!signal.aborted) finishedWhy = 'budget';
      } else if (!pause.aborted) {
        // the trials a closed tab or a lost worker left running come first (even after the oracle's done), then the oracle's
        while (toResume.length && freeSlot() >= 0) start(toResume.shift()!, true);
        while (finishedWhy === null && !toResume.length && freeSlot() >= 0) {
          const decision = options.next(state.trials);
          if (decision.kind === 'done') {
            finishedWhy = decision.why;
            break;
          }
          if (decision.kind === 'wait' || (decision.parentId !== null && running.has(decision.parentId))) break;
          const trial = newTrial(decision, state.trials, now(), options.objective.direction);
          state.trials.push(trial);
          start(trial, false);
        }
      }
      if (running.size === 0 && (pause.aborted || signal.aborted || finishedWhy === 'budget' || !toResume.length)) {
        // cancelled or out of budget before they were resumed: those trials stop where their runs stopped
        if (signal.aborted || finishedWhy === 'budget') for (const t of toResume.splice(0)) Object.assign(t, { status: 'stopped', finishedAt: now() });
        if (signal.aborted) state.status = 'cancelled';
        else if (finishedWhy !== null) Object.assign(state, { status: 'done', doneWhy: finishedWhy });
        else if (pause.aborted) state.status = 'paused';
        else throw new Error('the oracle waits while no trial runs');
        break;
      }
      await changed();
      // a trial may have ended during that save; racing the running ones sees it at once
      if (running.size > 0) await Promise.race([...[...running.values()].map((r) => r.done), woken]);
      // each cause wakes once (an abort event fires once): what it asked for is handled at the top
      woken = new Promise<void>((r) => (wake = r));
    }
  } catch (e) {
    stopAll();
    await Promise.all([...running.values()].map((r) => r.done));
    Object.assign(state, { status: 'failed', error: errorOf(e) });
  } finally {
    cancelTimer();
    signal.removeEventListener('abort', onStop);
    pause.removeEventListener('abort', onPause);
  }
  await changed();
  await saves;
  return state;
}

function newTrial(d: TrialDecision, trials: readonly LoopTrial[], at: number, direction: Objective['direction']): LoopTrial {
  const parent = d.parentId !== null ? trials.find((t) => t.id === d.parentId) : undefined;
  // a promoted trial's history starts with its parent's epochs up to where it continues
  const history = parent ? parent.history.slice(0, d.initialEpoch) : [];
  const trial: LoopTrial = {
    id: trialId(trials.length),
    values: { ...d.values },
    status: 'running',
    epochs: d.epochs,
    initialEpoch: d.initialEpoch,
    parentId: d.parentId,
    history,
    ...bestOf(history, direction),
    durationMs: 0,
    startedAt: at,
  };
  for (const k of ['bracket', 'round', 'iteration'] as const) if (d[k] !== undefined) trial[k] = d[k];
  return trial;
}

/** A coded error as its JSON (the page says it in its language), anything else as its words. */
function errorOf(e: unknown): unknown {
  if (e instanceof Error && 'toJSON' in e && typeof e.toJSON === 'function') return e.toJSON();
  if (e && typeof e === 'object' && 'code' in e) return { ...e };
  return { message: e instanceof Error ? e.message : String(e) };
}
