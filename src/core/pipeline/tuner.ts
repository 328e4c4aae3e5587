/**
 * The Tuner component (TFX's tfx/components/tuner) on the Tune stage's machinery: its settings are a
 * Trainer's (the layers and training settings a search starts from) plus a search space and a search
 * (core/tune/types.ts); it runs a normal Tune search and gives `best_hyperparameters`, the best trial's
 * values with the space that places them. A Trainer with that artifact wired to its `hyperparameters`
 * input trains with those values at the same places of its own settings (TFX's Trainer gets the tuner's
 * best HyperParameters the same way), so a Trainer with the Tuner's layers and settings trains exactly the
 * best trial's config.
 *
 * Both hosts (the tab, src/cli) use this: the settings check, the best trial, the artifact's properties and
 * the Trainer's settings with the values applied.
 */
import { checkSearch, checkSpace } from '../tune/check';
import { TuneError } from '../tune/errors';
import { applyValues } from '../tune/space';
import { readSpace } from '../tune/space-json';
import { resultsSummary } from '../tune/summary';
import type { BaseConfig, HpValues, Objective, SearchSpace, TrialView } from '../tune/types';
import { PipelineError } from './errors';
import type { JsonValue } from './mlmd';
import type { ArtifactRef } from './runner';
import type { TrainerSettings, TunerSettings } from './spec';

/** The per-epoch metrics a Tuner can optimize and where a trainer's epoch log has them: the Tune stage's (services/tune.ts TUNE_METRICS; a test keeps the two alike). */
export const TUNE_METRICS = { val_acc: 'valAcc', val_loss: 'valLoss', acc: 'acc', loss: 'loss' } as const;

/** The objective's value in an epoch log (NaN where it has none, e.g. no validation rows). */
export function epochObjective(metric: string, log: Readonly<Record<(typeof TUNE_METRICS)[keyof typeof TUNE_METRICS], number | null>>): number {
  const field = Object.hasOwn(TUNE_METRICS, metric) ? TUNE_METRICS[metric as keyof typeof TUNE_METRICS] : null;
  const v = field ? log[field] : null;
  return typeof v === 'number' ? v : NaN;
}

/** The layers and training settings a search's space is applied to (a Tuner's or a Trainer's). */
export function baseOfSettings(s: Pick<TrainerSettings, 'layers' | 'hyper'>): BaseConfig {
  return { layers: s.layers.map((l) => ({ ...l })), hyper: { ...s.hyper } };
}

/** A Tune stage problem of component `component` as a PipelineError naming the component and what it is about. */
export function tuneProblem(component: string, field: string, e: TuneError, port?: string): PipelineError {
  const { param, field: tuneField, params = {} } = e.details;
  return new PipelineError(
    'bad-tune',
    { component, field, ...(port ? { port } : {}), params: { ...params, tuneCode: e.code, ...(param ? { param } : {}), ...(tuneField ? { tuneField } : {}) } },
    `${component}: ${e.message}`,
  );
}

/** The space of a Tuner's settings or an artifact, its shape checked (a bad shape: bad-tune naming where). */
function spaceOf(component: string, value: unknown, field: string, port?: string): SearchSpace {
  try {
    return readSpace(value);
  } catch (e) {
    if (e instanceof TuneError) throw tuneProblem(component, field, e, port);
    throw e;
  }
}

/**
 * Throws bad-tune for the first problem of a Tuner's space on its own layers and settings, then of its
 * search (the Tune page's checks: checkSpace, checkSearch). The shape of `search` is settings.ts's.
 */
export function checkTunerSearch(component: string, s: TunerSettings): void {
  const space = spaceOf(component, s.space, 'space');
  const spaceIssue = checkSpace(space, baseOfSettings(s))[0];
  if (spaceIssue) throw tuneProblem(component, 'space', spaceIssue);
  const searchIssue = checkSearch(s.search, space)[0];
  if (searchIssue) throw tuneProblem(component, 'search', searchIssue);
}

/** The best trial of a finished search by its objective (the Tune page's results summary's first), or null. */
export function bestTrial<T extends TrialView>(trials: readonly T[], objective: Objective): T | null {
  const best = resultsSummary(trials, objective, 1)[0];
  return best ? (trials.find((t) => t.id === best.id) ?? null) : null;
}

/** What a best_hyperparameters artifact holds: the search and trial it came from, the values and the space that places them. */
export interface BestHyperparameters {
  searchId: string;
  trialId: string;
  values: HpValues;
  space: SearchSpace;
  objective: Objective;
  best: number;
  bestEpoch: number | null;
}

export function bestHyperparametersProperties(b: BestHyperparameters): Record<string, JsonValue> {
  return {
    searchId: b.searchId,
    trialId: b.trialId,
    values: { ...b.values },
    space: JSON.parse(JSON.stringify(b.space)) as JsonValue,
    metric: b.objective.metric,
    direction: b.objective.direction,
    best: b.best,
    ...(b.bestEpoch !== null ? { bestEpoch: b.bestEpoch } : {}),
  };
}

/**
 * A Trainer's settings with a wired best_hyperparameters applied: each value at its place of the Trainer's
 * own layers and training settings, repeated blocks inserted (core/tune/space.ts applyValues). Without the
 * artifact, the settings as they are. A space whose places this Trainer's layers do not have is refused
 * (bad-tune on the port), never trained half applied.
 */
export function tunedTrainerSettings(component: string, s: TrainerSettings, hyperparameters: ArtifactRef | undefined): TrainerSettings {
  if (!hyperparameters) return s;
  const space = spaceOf(component, hyperparameters.properties.space, 'layers', 'hyperparameters');
  const values = hyperparameters.properties.values as HpValues;
  const base = baseOfSettings(s);
  // the places only: an unused or unsearched parameter was the Tuner's business
  const misplaced = checkSpace(space, base).find((p) => ['bad-path', 'not-whole', 'bad-value', 'bad-block', 'block-param-missing'].includes(p.code));
  if (misplaced) throw tuneProblem(component, 'layers', misplaced, 'hyperparameters');
  const applied = applyValues(base, space, values);
  return { ...s, layers: applied.layers, hyper: { ...s.hyper, ...applied.hyper } };
}
