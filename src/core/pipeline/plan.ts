/**
 * The scheduler's pure step: from the checked DAG and each component's state, which components may start
 * now and which can never run because something they wait for failed or was cancelled. The executor calls
 * it after every change of state, so independent components run side by side and a failure stops exactly
 * its dependants, each told which upstream component it was.
 */
import type { CheckedPipeline } from './check';

export type ComponentState = 'pending' | 'running' | 'succeeded' | 'cached' | 'failed' | 'cancelled' | 'skipped';

export type RunStates = Readonly<Record<string, ComponentState>>;

export interface Skip {
  component: string;
  /** The failed or cancelled component upstream of it (the first in pipeline order when several are). */
  because: string;
}

export interface PlanStep {
  /** Pending components whose dependencies all succeeded or were cached, in topological order. */
  start: string[];
  /** Pending components that can no longer run; the executor marks them skipped. */
  skip: Skip[];
  /** Nothing is pending or running once `skip` is applied and `start` is empty. */
  finished: boolean;
}

export interface PlanOptions {
  /** At most this many components running at once (running ones count); default no limit. */
  maxParallel?: number;
}

const DONE: ReadonlySet<ComponentState> = new Set(['succeeded', 'cached']);
const STOPPED: ReadonlySet<ComponentState> = new Set(['failed', 'cancelled']);

/** The next step of a run (see PlanStep). A component missing from `states` counts as pending. */
export function planStep(dag: CheckedPipeline, states: RunStates, options: PlanOptions = {}): PlanStep {
  const state = (id: string): ComponentState => states[id] ?? 'pending';
  // causes, in topological order: a skipped component's cause is its first dependency's cause
  const cause = new Map<string, string>();
  const skip: Skip[] = [];
  for (const id of dag.order) {
    const s = state(id);
    if (STOPPED.has(s)) cause.set(id, id);
    const upstream = dag.components[id]!.dependsOn.map((d) => cause.get(d)).find((c) => c !== undefined);
    if (upstream === undefined || (s !== 'pending' && s !== 'skipped')) continue;
    cause.set(id, upstream);
    if (s === 'pending') skip.push({ component: id, because: upstream });
  }
  const skipped = new Set(skip.map((s) => s.component));
  const ready = dag.order.filter((id) => state(id) === 'pending' && !skipped.has(id) && dag.components[id]!.dependsOn.every((d) => DONE.has(state(d))));
  const running = dag.order.filter((id) => state(id) === 'running').length;
  const room = options.maxParallel === undefined ? ready.length : Math.max(0, options.maxParallel - running);
  const start = ready.slice(0, room);
  const open = dag.order.filter((id) => (state(id) === 'pending' && !skipped.has(id)) || state(id) === 'running');
  return { start, skip, finished: open.length === 0 && start.length === 0 };
}

/** How a finished run ended: failed if a component failed, else cancelled if one was, else succeeded. */
export function runOutcome(states: RunStates): 'succeeded' | 'failed' | 'cancelled' {
  const all = Object.values(states);
  if (all.includes('failed')) return 'failed';
  if (all.includes('cancelled')) return 'cancelled';
  return 'succeeded';
}

/**
 * The states a reloaded run continues from: what finished stays finished (its outputs are recorded), and
 * what was running when the tab closed starts again from the beginning (a component writes its outputs
 * only when it completes, so nothing of the interrupted attempt is kept).
 */
export function resumeFrom(states: RunStates): Record<string, ComponentState> {
  return Object.fromEntries(Object.entries(states).map(([id, s]) => [id, s === 'running' ? 'pending' : s]));
}
