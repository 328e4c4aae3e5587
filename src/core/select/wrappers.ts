/**
 * Wrapper methods around the small model (linear.ts), scikit-learn's RFE and SequentialFeatureSelector:
 *  - RFE (recursive feature elimination, step 1): train on the features left, drop the one whose
 *    standardized weights count least (Σ of their squares over its columns and the classes), until one is
 *    left; ties drop the earlier feature. The features left at `nFeatures` are the selection (the same
 *    greedy steps as sklearn's, which stops there), `ranking` is sklearn's `ranking_` (1 for the selected,
 *    2 for the last one dropped before, ...), and each step's model scored on the validation rows gives
 *    the score-against-feature-count series;
 *  - sequential forward selection: start with no feature and add, one at a time, the feature whose model
 *    scores best on the validation rows (the first on ties), until `nFeatures` (sklearn's default: half),
 *    or, with `tolerance`, until the best addition gains less than it (sklearn's n_features_to_select =
 *    'auto' with tol). sklearn scores by cross-validation; here on the fixed validation rows.
 * Each fit is one progress step.
 */
import { columnsOf, type PreparedSelection } from './data';
import { checkOption } from './errors';
import { checkModelOptions, squaredWeights, type LinearModel, type ModelOptions } from './linear';
import { metricFor, fitAndScore, metricValue, type SelectMetric, type SubsetScores } from './scores';
import { Steps, type LongWork } from './work';

export interface WrapperOptions extends LongWork {
  /** Features to select (default half of them, at least 1). */
  nFeatures?: number;
  model?: ModelOptions;
  /** The validation score sequential selection maximizes (default accuracy or R²). */
  metric?: SelectMetric;
}

/** A subset of features and its model's validation scores. */
export interface CountScore {
  count: number;
  /** Feature indices, ascending. */
  features: number[];
  scores: SubsetScores;
}

export interface RfeResult {
  method: 'RFE';
  /** The nFeatures features kept, ascending. */
  selected: number[];
  /** One per feature: 1 when selected, higher for earlier eliminations (sklearn's ranking_). */
  ranking: Int32Array;
  /** Every feature, the last one standing first. */
  order: number[];
  /** From all features down to one: the validation scores of the model at each count. */
  path: CountScore[];
}

export interface SequentialResult {
  method: 'SequentialFeatureSelector';
  /** The features added, ascending. */
  selected: number[];
  /** The features in the order they were added. */
  order: number[];
  /** After each addition: the validation scores of the model with the features so far. */
  path: CountScore[];
}

function featureCount(p: PreparedSelection, options: WrapperOptions): number {
  const g = p.features.length;
  const n = options.nFeatures ?? Math.max(1, Math.floor(g / 2));
  checkOption(Number.isInteger(n) && n >= 1 && n <= g, 'nFeatures', n, `must be a whole number from 1 to ${g}`);
  checkModelOptions(options.model ?? {});
  return n;
}

const ascending = (features: Iterable<number>) => [...features].sort((a, b) => a - b);

/** sklearn's RFE(step=1) over the features, run down to one feature for the whole series. */
export async function rfe(p: PreparedSelection, options: WrapperOptions = {}): Promise<RfeResult> {
  const nFeatures = featureCount(p, options);
  const g = p.features.length;
  const steps = new Steps(options, g);
  const left = new Set(Array.from({ length: g }, (_, f) => f));
  const eliminated: number[] = [];
  const path: CountScore[] = [];
  let warm: LinearModel | undefined;
  await steps.check();
  while (left.size > 0) {
    const features = ascending(left);
    const fitted = fitAndScore(p, columnsOf(p, features), options.model, warm);
    path.push({ count: features.length, features, scores: fitted.scores });
    await steps.step();
    if (left.size === 1) break;
    const weight = squaredWeights(fitted.model);
    let offset = 0;
    let worst = -1;
    let worstImportance = Infinity;
    for (const f of features) {
      let importance = 0;
      for (let c = 0; c < p.features[f]!.columns.length; c++) importance += weight[offset + c]!;
      offset += p.features[f]!.columns.length;
      if (importance < worstImportance) [worst, worstImportance] = [f, importance];
    }
    // a NaN weight (no feature was smaller) means the model failed: drop the first one
    if (worst < 0) worst = features[0]!;
    left.delete(worst);
    eliminated.push(worst);
    warm = fitted.model;
  }
  const order = [...left, ...eliminated.reverse()];
  const ranking = new Int32Array(g);
  order.forEach((f, position) => (ranking[f] = Math.max(1, position - nFeatures + 2)));
  return { method: 'RFE', selected: ascending(order.slice(0, nFeatures)), ranking, order, path };
}

/** sklearn's SequentialFeatureSelector(direction='forward'), scored on the validation rows. */
export async function sequentialForward(p: PreparedSelection, options: WrapperOptions & { tolerance?: number } = {}): Promise<SequentialResult> {
  const nFeatures = options.tolerance === undefined ? featureCount(p, options) : p.features.length;
  if (options.tolerance !== undefined) {
    checkOption(Number.isFinite(options.tolerance), 'tolerance', options.tolerance, 'must be a number');
    checkModelOptions(options.model ?? {});
  }
  const metric = metricFor(p, options.metric);
  const g = p.features.length;
  let total = 0;
  for (let i = 0; i < nFeatures; i++) total += g - i;
  const steps = new Steps(options, total);
  const order: number[] = [];
  const path: CountScore[] = [];
  let current: LinearModel | undefined;
  let currentValue = -Infinity;
  await steps.check();
  while (order.length < nFeatures) {
    let best: { feature: number; features: number[]; value: number; model: LinearModel; scores: SubsetScores } | undefined;
    for (let f = 0; f < g; f++) {
      if (order.includes(f)) continue;
      const features = ascending([...order, f]);
      const fitted = fitAndScore(p, columnsOf(p, features), options.model, current);
      const value = metricValue(fitted.scores, metric);
      if (!best || value > best.value) best = { feature: f, features, value, ...fitted };
      await steps.step();
    }
    if (options.tolerance !== undefined && best!.value - currentValue < options.tolerance) break;
    order.push(best!.feature);
    path.push({ count: order.length, features: best!.features, scores: best!.scores });
    current = best!.model;
    currentValue = best!.value;
  }
  return { method: 'SequentialFeatureSelector', selected: ascending(order), order, path };
}
