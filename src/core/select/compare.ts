/**
 * The comparison table of the feature-selection lab: for each method's chosen features, and for all
 * features, the same small model (linear.ts, same options) trained on the same train rows and scored on
 * the same validation rows (scores.ts); and the score against the number of features, along a ranking
 * (the best feature alone, the best two, ...), for a chart. RFE's `path` is such a series already.
 */
import { columnsOf, type PreparedSelection } from './data';
import { SelectError } from './errors';
import { checkModelOptions, type ModelOptions } from './linear';
import { fitAndScore, type SubsetScores } from './scores';
import type { CountScore } from './wrappers';
import { Steps, type LongWork } from './work';

export interface NamedSubset {
  /** The method's id, e.g. 'f_classif' (the page words it); 'all' is the row the table adds itself. */
  method: string;
  /** Feature indices. */
  features: readonly number[];
}

export interface ComparisonRow {
  method: string;
  /** Feature indices, ascending. */
  features: number[];
  /** Their names. */
  names: string[];
  count: number;
  scores: SubsetScores;
}

export interface CompareOptions extends LongWork {
  model?: ModelOptions;
}

/** One row per subset, after a first row 'all' with every feature. */
export async function compareSubsets(p: PreparedSelection, subsets: readonly NamedSubset[], options: CompareOptions = {}): Promise<ComparisonRow[]> {
  checkModelOptions(options.model ?? {});
  const all: NamedSubset = { method: 'all', features: p.features.map((_, f) => f) };
  const rows = [all, ...subsets].map(({ method, features }) => {
    const sorted = [...new Set(features)].sort((a, b) => a - b);
    for (const f of sorted) {
      if (!Number.isInteger(f) || f < 0 || f >= p.features.length) {
        throw new SelectError('bad-subset', { params: { method, feature: f } }, `The subset of ${method} names feature ${f}, but there are ${p.features.length}`);
      }
    }
    return { method, features: sorted };
  });
  const steps = new Steps(options, rows.length);
  await steps.check();
  const out: ComparisonRow[] = [];
  for (const { method, features } of rows) {
    const { scores } = fitAndScore(p, columnsOf(p, features), options.model);
    out.push({ method, features, names: features.map((f) => p.features[f]!.name), count: features.length, scores });
    await steps.step();
  }
  return out;
}

/**
 * The validation scores of the model on the first 1, 2, ... features of `order` (best first, e.g. the
 * features by a filter's scores); `counts` limits which prefixes are trained (default all).
 */
export async function scoreByFeatureCount(p: PreparedSelection, order: readonly number[], options: CompareOptions & { counts?: readonly number[] } = {}): Promise<CountScore[]> {
  checkModelOptions(options.model ?? {});
  const counts = options.counts ?? order.map((_, i) => i + 1);
  const steps = new Steps(options, counts.length);
  await steps.check();
  const out: CountScore[] = [];
  for (const count of counts) {
    const features = order.slice(0, count).sort((a, b) => a - b);
    out.push({ count, features, scores: fitAndScore(p, columnsOf(p, features), options.model).scores });
    await steps.step();
  }
  return out;
}
