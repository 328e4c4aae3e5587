/**
 * AutoML's arithmetic: how a Hyperband schedule follows from a time budget and a measured time per epoch,
 * the leaderboard of finished trials, and how the winner compares with the default preset trained once
 * on the same split. Pure; the search itself is the ordinary tune loop, stopped at the budget.
 */
import { compareTieLoss, hyperbandSchedule } from './hyperband';
import { valuesKey } from './space';
import type { Direction, HpValue, HpValues, SearchConfig, TrialStatus } from './types';
import { FAMILY_PARAM } from './automl';

type HyperbandSettings = SearchConfig['hyperband'];

/** The budgets the page offers, in minutes. */
export const AUTOML_BUDGETS_MINUTES = [2, 10, 30] as const;

export interface BudgetInput {
  budgetSeconds: number;
  /** Measured on this machine: the preset run's seconds per epoch (the families differ; `margin` covers it). */
  secondsPerEpoch: number;
  /**
   * Measured too: the seconds a run spends outside its epochs (loading, encoding, timing the backends,
   * evaluating). Every trial pays it once; on small data it outweighs the epochs. Default 0.
   */
  secondsPerTrial?: number;
  /** Seconds of the budget already spent (the preset run at the start). */
  spentSeconds: number;
  /** Trials trained at once (the trials pool's workers). */
  slots: number;
  /** The most epochs a trial needs: the preset's epochs (what converges for this task). */
  maxEpochsCap: number;
  factor?: number;
  /** Fewest max_epochs Hyperband is given (below it a bracket cannot halve). */
  minEpochs?: number;
  /** The time per epoch is multiplied by this for the plan (wider families train slower than the preset). */
  margin?: number;
}

export interface BudgetPlan {
  hyperband: HyperbandSettings;
  /** Epochs the plan can afford and the ones its schedule trains. */
  affordableEpochs: number;
  plannedEpochs: number;
  plannedTrials: number;
  /** Whether the whole schedule fits; if not, the budget stop ends it (the best finished trial wins). */
  fits: boolean;
}

/**
 * Hyperband settings for a budget: the epochs it affords are (budget - spent) x slots / (seconds per epoch x
 * margin), and a trial's overhead costs secondsPerTrial / secondsPerEpoch epochs of them; max_epochs is the
 * largest value from minEpochs to the cap whose schedule (epochs plus its trials' overhead) fits, and
 * hyperband_iterations repeats that schedule while it still fits. When not even minEpochs fits, one
 * schedule at minEpochs runs and the budget stops it.
 */
export function planHyperband(input: BudgetInput): BudgetPlan {
  const factor = input.factor ?? 3;
  const minEpochs = Math.max(2, input.minEpochs ?? 3);
  const margin = input.margin ?? 1.25;
  const left = Math.max(0, input.budgetSeconds - input.spentSeconds);
  const perEpoch = Math.max(1e-9, input.secondsPerEpoch);
  const affordable = Math.floor((left * Math.max(1, input.slots)) / (perEpoch * margin));
  const overheadEpochs = Math.max(0, input.secondsPerTrial ?? 0) / perEpoch;
  const cost = (s: { trials: number; epochs: number }) => s.epochs + s.trials * overheadEpochs;
  const cap = Math.max(minEpochs, Math.floor(input.maxEpochsCap));
  let maxEpochs = minEpochs;
  for (let r = minEpochs; r <= cap; r++) if (cost(hyperbandSchedule({ maxEpochs: r, factor, iterations: 1 })) <= affordable) maxEpochs = r;
  const once = hyperbandSchedule({ maxEpochs, factor, iterations: 1 });
  const iterations = Math.max(1, Math.floor(affordable / cost(once)));
  return {
    hyperband: { maxEpochs, factor, iterations },
    affordableEpochs: affordable,
    plannedEpochs: once.epochs * iterations,
    plannedTrials: once.trials * iterations,
    fits: cost(once) <= affordable,
  };
}

/** A finished or unfinished trial as the leaderboard reads it (a tune trial plus its run's duration). */
export interface AutoMlTrial {
  id: string;
  values: HpValues;
  status: TrialStatus;
  best: number | null;
  bestEpoch: number | null;
  /** The validation loss at the best epoch (TrialView.tieLoss): breaks ties of the objective. */
  tieLoss?: number;
  /** Epochs trained in all (cumulative, a promoted trial's include its parent's). */
  epochs: number;
  seconds: number;
  /** The default preset trained once at the start, for the comparison. */
  preset?: boolean;
}

export interface LeaderRow {
  trialId: string;
  /** The family, or 'preset' for the preset run. */
  family: string;
  /** The other active values (the family's settings and the training settings). */
  settings: HpValues;
  objective: number;
  epochs: number;
  bestEpoch: number | null;
  seconds: number;
  preset: boolean;
}

function familyOf(t: AutoMlTrial): string {
  if (t.preset) return 'preset';
  const f: HpValue | undefined = t.values[FAMILY_PARAM];
  return f === undefined ? '' : String(f);
}

/**
 * The completed trials, best first by the objective's direction; ties by the lower validation loss (a
 * saturated accuracy says nothing more), then fewer epochs, then less time, then the earlier trial. One row per configuration: a Hyperband trial and its promotions share their
 * values, and only the best of them is listed. Pruned, failed, running and budget-stopped trials are not
 * finished and are left out (the best finished trial wins).
 */
export function leaderboard(trials: readonly AutoMlTrial[], direction: Direction): LeaderRow[] {
  const bestByConfig = new Map<string, { t: AutoMlTrial; order: number }>();
  const sign = direction === 'max' ? -1 : 1;
  const better = (a: AutoMlTrial, b: AutoMlTrial) => (sign * (a.best! - b.best!) || compareTieLoss(a, b)) < 0;
  trials.forEach((t, order) => {
    if (t.status !== 'completed' || t.best === null || !Number.isFinite(t.best)) return;
    const key = t.preset ? `preset:${t.id}` : valuesKey(t.values);
    const held = bestByConfig.get(key);
    if (!held || better(t, held.t)) bestByConfig.set(key, { t, order: held ? held.order : order });
  });
  const rows = [...bestByConfig.values()].sort(
    (a, b) => sign * (a.t.best! - b.t.best!) || compareTieLoss(a.t, b.t) || a.t.epochs - b.t.epochs || a.t.seconds - b.t.seconds || a.order - b.order,
  );
  return rows.map(({ t }) => {
    const { [FAMILY_PARAM]: _family, ...settings } = t.values;
    return { trialId: t.id, family: familyOf(t), settings: t.preset ? {} : settings, objective: t.best!, epochs: t.epochs, bestEpoch: t.bestEpoch, seconds: t.seconds, preset: !!t.preset };
  });
}

/** "best 0.97 vs preset 0.95 (+0.02)": the numbers rounded to `digits`, the signed change, and whether the search found better. */
export interface PresetComparison {
  best: string;
  preset: string;
  /** best - preset with its sign ('+0.02', '-0.01', '+0.00'). */
  delta: string;
  /** Better by the objective's direction than the preset (after rounding); the preset itself winning is not. */
  improved: boolean;
  winnerIsPreset: boolean;
}

/** The leaderboard's winner against the preset row; null without both. */
export function compareWithPreset(rows: readonly LeaderRow[], direction: Direction, digits = 2): PresetComparison | null {
  const winner = rows[0];
  const preset = rows.find((r) => r.preset);
  if (!winner || !preset) return null;
  const round = (v: number) => Number(v.toFixed(digits));
  const diff = round(round(winner.objective) - round(preset.objective));
  const delta = `${diff < 0 ? '-' : '+'}${Math.abs(diff).toFixed(digits)}`;
  const improved = !winner.preset && (direction === 'max' ? diff > 0 : diff < 0);
  return { best: winner.objective.toFixed(digits), preset: preset.objective.toFixed(digits), delta, improved, winnerIsPreset: winner.preset };
}
