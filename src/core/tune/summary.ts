/**
 * A search's results for people and files: KerasTuner's results_summary (the best trials, best first, with
 * their values and score) and every trial as CSV (RFC 4180 quoting, one column per hyperparameter) or JSON.
 */
import { byObjective } from './hyperband';
import type { HpValue, Objective, SearchSpace, TrialView } from './types';

export interface ResultRow {
  id: string;
  rank: number;
  score: number;
  bestEpoch: number | null;
  status: TrialView['status'];
  values: TrialView['values'];
}

/** The best `count` trials with a score (completed ones, and pruned ones at the best they reached), best first; ties keep trial order. */
export function resultsSummary(trials: readonly TrialView[], objective: Objective, count = 10): ResultRow[] {
  const scored = trials.filter((t) => (t.status === 'completed' || t.status === 'pruned') && t.best !== null && !Number.isNaN(t.best));
  return byObjective(scored, objective.direction)
    .slice(0, count)
    .map((t, i) => ({ id: t.id, rank: i + 1, score: t.best!, bestEpoch: t.bestEpoch, status: t.status, values: { ...t.values } }));
}

/** One CSV field: quoted when it holds a comma, a quote, a line break or edge spaces; quotes doubled. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** An extra column (e.g. the runner's duration): its header and its value per trial. */
export interface ExtraColumn {
  header: string;
  of: (t: TrialView) => string | number | null;
}

/**
 * Every trial, one row each, in trial order: id, status, the schedule (parent, bracket, round, initial
 * epoch, epochs), best epoch, the objective's best value under the metric's name, then one column per
 * hyperparameter in the space's order (empty where inactive). Lines end with CRLF (RFC 4180).
 */
export function trialsCsv(space: SearchSpace, objective: Objective, trials: readonly TrialView[], extra: readonly ExtraColumn[] = []): string {
  const names = space.hps.map((h) => h.name);
  const header = ['trial', 'status', 'parent', 'bracket', 'round', 'initial_epoch', 'epochs', 'best_epoch', objective.metric, ...names, ...extra.map((e) => e.header)];
  const rows = trials.map((t) => [t.id, t.status, t.parentId, t.bracket, t.round, t.initialEpoch, t.epochs, t.bestEpoch, t.best, ...names.map((n) => t.values[n] as HpValue | undefined), ...extra.map((e) => e.of(t))]);
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Every trial with the space and objective, as one JSON document. */
export function trialsJson(space: SearchSpace, objective: Objective, trials: readonly TrialView[]): string {
  return JSON.stringify({ format: 'pipette-tune-trials', version: 1, objective, space, trials }, null, 2);
}
