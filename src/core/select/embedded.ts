/**
 * Embedded methods: the selection falls out of a trained model.
 *  - L1 (sklearn's SelectFromModel over Lasso or an L1 LogisticRegression): the features with a weight
 *    that is not zero (Σ of |standardized weight| over their columns and the classes at least 1e-5,
 *    SelectFromModel's threshold for an L1 model). The strength: the given one (`alpha` for a numeric
 *    target, `C` for classes), or else the one of a path (sparse.ts; 20 strengths for the Lasso, 10 for
 *    classes) whose model scores best on the validation rows, the sparser one on ties;
 *  - permutation importance (Breiman 2001; sklearn's permutation_importance, through
 *    core/evaluate/permutation.ts): the small model trained on all features, each feature's columns
 *    shuffled together across the validation rows `repeats` times (seeded); importance = the validation
 *    score's mean drop. Selected: the features whose mean drop is more than twice its standard deviation
 *    above zero (the rule of sklearn's user guide), or the `k` largest when `k` is given.
 */
import { permutationImportance } from '../evaluate/permutation';
import { columnsOf, type PreparedSelection } from './data';
import { checkOption } from './errors';
import { selectKBest } from './filters';
import { checkModelOptions, fitModel, predictModel, type ModelOptions } from './linear';
import { metricFor, metricValue, scorePredictions, type SelectMetric, type SubsetScores } from './scores';
import { l1PathSteps, type SparseOptions } from './sparse';
import { Steps, type LongWork } from './work';

export const L1_THRESHOLD = 1e-5;
/** Strengths on the path: LogisticRegressionCV's default 10 Cs for classes (each fit is costly), 20 for the Lasso. */
const L1_PATH_POINTS = { classification: 10, regression: 20 } as const;

export interface L1Options extends LongWork, SparseOptions {
  /** Lasso strength (regression); without it, the path chooses. */
  alpha?: number;
  /** Inverse L1 strength of the logistic regression (classification); without it, the path chooses. */
  C?: number;
  metric?: SelectMetric;
}

export interface L1PathStep {
  /** alpha (regression) or C (classification). */
  strength: number;
  /** Features with a non-zero weight. */
  features: number[];
  scores: SubsetScores;
}

export interface L1Result {
  method: 'SelectFromModel(L1)';
  selected: number[];
  /** The strength used: alpha (regression) or C (classification). */
  strength: number;
  /** One per feature: Σ |standardized weight| over its columns and the classes. */
  importances: Float64Array;
  /** Every strength tried, strongest first (one step when the strength was given). */
  path: L1PathStep[];
}

/** SelectFromModel over an L1-penalized linear model on all features. */
export async function l1Selection(p: PreparedSelection, options: L1Options = {}): Promise<L1Result> {
  const given = p.task === 'regression' ? options.alpha : options.C;
  if (options.alpha !== undefined) checkOption(options.alpha > 0 && Number.isFinite(options.alpha), 'alpha', options.alpha, 'must be a positive number');
  if (options.C !== undefined) checkOption(options.C > 0 && Number.isFinite(options.C), 'C', options.C, 'must be a positive number');
  checkModelOptions({ maxIterations: options.maxIterations, tolerance: options.tolerance });
  const metric = metricFor(p, options.metric);
  const all = p.features.map((_, f) => f);
  const strengths = given !== undefined ? [given] : undefined;
  const points = L1_PATH_POINTS[p.task];
  const steps = new Steps(options, strengths ? 1 : points);
  await steps.check();
  let best = -1;
  let bestValue = -Infinity;
  const path: (L1PathStep & { importances: Float64Array })[] = [];
  for (const fit of l1PathSteps(p, columnsOf(p, all), { maxIterations: options.maxIterations, tolerance: options.tolerance, points, strengths })) {
    const importances = featureImportances(p, fit.model.weights, fit.model.outputs);
    const scores = scorePredictions(p, predictModel(fit.model, p.validation, p.d));
    // strongest first: on a tie the sparser model stays
    if (best < 0 || metricValue(scores, metric) > bestValue) [best, bestValue] = [path.length, metricValue(scores, metric)];
    path.push({ strength: fit.strength, features: nonZero(importances), scores, importances });
    await steps.step();
  }
  const chosen = path[best]!;
  return {
    method: 'SelectFromModel(L1)',
    selected: chosen.features,
    strength: chosen.strength,
    importances: chosen.importances,
    path: path.map(({ strength, features, scores }) => ({ strength, features, scores })),
  };
}

function featureImportances(p: PreparedSelection, weights: Float64Array, outputs: number): Float64Array {
  const m = weights.length / outputs;
  const out = new Float64Array(p.features.length);
  let offset = 0;
  p.features.forEach((g, f) => {
    for (let c = 0; c < outputs; c++) for (let j = 0; j < g.columns.length; j++) out[f]! += Math.abs(weights[c * m + offset + j]!);
    offset += g.columns.length;
  });
  return out;
}

const nonZero = (importances: Float64Array) => [...importances.keys()].filter((f) => importances[f]! >= L1_THRESHOLD);

export interface PermutationSelectionOptions extends LongWork {
  /** Shuffles per feature (sklearn's n_repeats, default 5). */
  repeats?: number;
  seed?: number;
  model?: ModelOptions;
  metric?: SelectMetric;
  /** Keep the k most important features instead of the mean - 2 std > 0 rule. */
  k?: number;
}

export interface PermutationSelectionResult {
  method: 'permutation_importance';
  selected: number[];
  /** The validation score of the model on all features, unshuffled (higher is better). */
  baseline: number;
  /** Per feature: mean and standard deviation of the score's drop over the repeats. */
  importances: Float64Array;
  std: Float64Array;
}

export async function permutationSelection(p: PreparedSelection, options: PermutationSelectionOptions = {}): Promise<PermutationSelectionResult> {
  const repeats = options.repeats ?? 5;
  checkOption(Number.isInteger(repeats) && repeats >= 1, 'repeats', repeats, 'must be a whole number, at least 1');
  checkModelOptions(options.model ?? {});
  const metric = metricFor(p, options.metric);
  const g = p.features.length;
  const steps = new Steps(options, 1 + g * repeats);
  const model = fitModel(p, columnsOf(p, p.features.map((_, f) => f)), options.model);
  await steps.step();
  const { n, rows } = p.validation;
  const result = await permutationImportance({
    x: Float32Array.from(p.validation.x),
    n,
    d: p.d,
    features: p.features.map((f) => ({ name: f.name, columns: [...f.columns] })),
    // the shuffled rows pass through float32 (the precision of the app's encoder) on their way to the model
    predict: async (x) => {
      await steps.check();
      return Float32Array.from(predictModel(model, { rows, n, y: p.validation.y, x: Float64Array.from(x) }, p.d));
    },
    score: (outputs) => metricValue(scorePredictions(p, outputs), metric),
    repeats,
    seed: options.seed ?? 0,
    onProgress: () => {
      steps.done++;
      options.onProgress?.(steps.done, steps.total);
    },
  });
  const importances = Float64Array.from(result.features, (f) => f.importance);
  const std = Float64Array.from(result.features, (f) => f.std);
  const selected =
    options.k !== undefined ? selectKBest(importances, Math.min(options.k, g)).sort((a, b) => a - b) : [...importances.keys()].filter((f) => importances[f]! - 2 * std[f]! > 0);
  return { method: 'permutation_importance', selected, baseline: result.baseline, importances, std };
}
