/**
 * The scores of a small model on the validation rows, by scikit-learn's definitions (through
 * core/model/metrics.ts): accuracy, macro F1 (over the classes in the truth or the predictions) and ROC AUC
 * (two classes: of P(class 1); more: one-vs-rest, the unweighted mean over the classes that have both
 * positive and negative validation rows, sklearn's roc_auc_score(multi_class='ovr', average='macro'));
 * MAE, RMSE and R² for a numeric target. `metric` names the one score a method optimizes (sequential
 * selection, the L1 strength, permutation importance): by default accuracy or R², what sklearn's
 * estimator.score gives.
 */
import { classificationMetrics, regressionMetrics, rocCurve } from '../model/metrics';
import type { PreparedSelection } from './data';
import { SelectError } from './errors';
import { fitModel, predictModel, type LinearModel, type ModelOptions } from './linear';

export type ClassificationScores = { task: 'classification'; accuracy: number; macroF1: number; rocAuc: number };
export type RegressionScores = { task: 'regression'; mae: number; rmse: number; r2: number };
export type SubsetScores = ClassificationScores | RegressionScores;

/** What a method maximizes; the error metrics count as their negatives. */
export type SelectMetric = 'accuracy' | 'macroF1' | 'rocAuc' | 'r2' | 'mae' | 'rmse';

export function defaultMetric(p: PreparedSelection): SelectMetric {
  return p.task === 'classification' ? 'accuracy' : 'r2';
}

const CLASSIFICATION_METRICS: readonly SelectMetric[] = ['accuracy', 'macroF1', 'rocAuc'];

/** The metric asked for, or the task's default; a metric of the other task is refused by name. */
export function metricFor(p: PreparedSelection, metric?: SelectMetric): SelectMetric {
  if (metric === undefined) return defaultMetric(p);
  if (CLASSIFICATION_METRICS.includes(metric) !== (p.task === 'classification')) {
    throw new SelectError('not-for-task', { params: { method: metric, task: p.task } }, `The metric ${metric} does not apply to a ${p.task} target`);
  }
  return metric;
}

/** The metric's value, signed so that higher is better (NaN counts as worst). */
export function metricValue(scores: SubsetScores, metric: SelectMetric): number {
  const value = scores.task === 'classification' ? classificationValue(scores, metric) : regressionValue(scores, metric);
  return Number.isNaN(value) ? -Infinity : value;
}

function classificationValue(s: ClassificationScores, metric: SelectMetric): number {
  if (metric === 'accuracy' || metric === 'macroF1' || metric === 'rocAuc') return s[metric];
  return NaN;
}

function regressionValue(s: RegressionScores, metric: SelectMetric): number {
  if (metric === 'r2') return s.r2;
  if (metric === 'mae' || metric === 'rmse') return -s[metric];
  return NaN;
}

/** Scores of predictions for the validation rows: probabilities n x classes, or values. */
export function scorePredictions(p: PreparedSelection, predictions: ArrayLike<number>): SubsetScores {
  const yTrue = p.validation.y;
  if (p.task === 'regression') {
    const r = regressionMetrics(yTrue, predictions);
    return { task: 'regression', mae: r.mae, rmse: r.rmse, r2: r.r2 };
  }
  const report = classificationMetrics(yTrue, predictions, p.classNames);
  const rocAuc = p.classes === 2 ? (report.roc?.auc ?? NaN) : oneVsRestAuc(yTrue, predictions, p.classes);
  return { task: 'classification', accuracy: report.accuracy, macroF1: report.macro.f1, rocAuc };
}

function oneVsRestAuc(yTrue: ArrayLike<number>, probs: ArrayLike<number>, k: number): number {
  const n = yTrue.length;
  let sum = 0;
  let counted = 0;
  for (let c = 0; c < k; c++) {
    const positive = Uint8Array.from({ length: n }, (_, i) => (yTrue[i] === c ? 1 : 0));
    const scores = Float64Array.from({ length: n }, (_, i) => probs[i * k + c]!);
    const roc = rocCurve(positive, scores);
    if (roc) {
      sum += roc.auc;
      counted++;
    }
  }
  return counted ? sum / counted : NaN;
}

export interface FittedSubset {
  model: LinearModel;
  scores: SubsetScores;
}

/** Train the small model on the train rows of these columns and score it on the validation rows. */
export function fitAndScore(p: PreparedSelection, columns: readonly number[], options: ModelOptions = {}, warm?: LinearModel): FittedSubset {
  const model = fitModel(p, columns, options, warm);
  return { model, scores: scorePredictions(p, predictModel(model, p.validation, p.d)) };
}
