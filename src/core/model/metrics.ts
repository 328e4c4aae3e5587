/**
 * Evaluation metrics on plain arrays (the worker reads the model's test-split outputs once with data()
 * and hands them here). Definitions follow scikit-learn's, so numbers can be checked against it:
 * precision with no predicted examples is 0; macro averages are unweighted means over the classes that
 * occur in the truth or the predictions; log loss clips probabilities to [1e-15, 1 - 1e-15]; R² of a
 * constant truth is 1 for a perfect prediction, else 0.
 */
import { countPositives, sweepThresholds } from '../math/threshold-sweep';

/** Index of the largest of each row of a row-major n x k matrix (the first one on ties). */
export function argmaxRows(probs: ArrayLike<number>, k: number): Int32Array {
  const n = Math.floor(probs.length / k);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (probs[i * k + j]! > probs[i * k + best]!) best = j;
    out[i] = best;
  }
  return out;
}

/** counts[true][predicted]. */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, k: number): number[][] {
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) m[yTrue[i]!]![yPred[i]!]!++;
  return m;
}

export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Examples of this class in the truth. */
  support: number;
}

export interface RocPoint {
  /** Scores >= threshold count as positive (Infinity for the first point, (0, 0)). */
  threshold: number;
  fpr: number;
  tpr: number;
}

export interface RocCurve {
  points: RocPoint[];
  auc: number;
  positives: number;
  negatives: number;
}

export interface ClassificationReport {
  count: number;
  accuracy: number;
  logLoss: number;
  perClass: ClassMetrics[];
  macro: { precision: number; recall: number; f1: number };
  /** Rows are true classes, columns predicted classes, in the order of `classes`. */
  confusion: number[][];
  /** Binary tasks only (null otherwise, or when the truth has one class): scores are P(classes[positive]). */
  roc: RocCurve | null;
  positiveClass: number | null;
}

export const LOG_LOSS_EPS = 1e-15;

/** Mean of -ln(p of the true class), probabilities clipped to [eps, 1 - eps]. */
export function logLoss(yTrue: ArrayLike<number>, probs: ArrayLike<number>, k: number, eps = LOG_LOSS_EPS): number {
  if (yTrue.length === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < yTrue.length; i++) sum += exampleLogLoss(probs[i * k + yTrue[i]!]!, eps);
  return sum / yTrue.length;
}

function exampleLogLoss(p: number, eps = LOG_LOSS_EPS): number {
  return -Math.log(Math.min(1 - eps, Math.max(eps, p)));
}

/**
 * ROC curve over the distinct score thresholds, from (0, 0) to (1, 1). Tied scores move the curve in
 * one diagonal step, so the trapezoid area counts a tied positive/negative pair as half right (the
 * Mann-Whitney definition of AUC). Null when there are no positives or no negatives.
 */
export function rocCurve(positive: ArrayLike<boolean | number>, scores: ArrayLike<number>): RocCurve | null {
  const positives = countPositives(positive, scores.length);
  const negatives = scores.length - positives;
  if (positives === 0 || negatives === 0) return null;
  const points: RocPoint[] = [{ threshold: Infinity, fpr: 0, tpr: 0 }];
  let auc = 0;
  sweepThresholds(positive, scores, (threshold, tp, fp) => {
    const prev = points[points.length - 1]!;
    const point = { threshold, fpr: fp / negatives, tpr: tp / positives };
    auc += ((point.fpr - prev.fpr) * (point.tpr + prev.tpr)) / 2;
    points.push(point);
  });
  return { points, auc, positives, negatives };
}

/**
 * Accuracy, per-class precision / recall / F1, macro averages, confusion matrix, log loss, and for two
 * classes the ROC curve and AUC. `yTrue` holds class indices, `probs` is n x classes.length row-major.
 */
export function classificationMetrics(
  yTrue: ArrayLike<number>,
  probs: ArrayLike<number>,
  classes: readonly string[],
  options: { positiveClass?: number } = {},
): ClassificationReport {
  const k = classes.length;
  const n = yTrue.length;
  if (probs.length !== n * k) throw new RangeError(`expected ${n} x ${k} probabilities, got ${probs.length}`);
  const yPred = argmaxRows(probs, k);
  const confusion = confusionMatrix(yTrue, yPred, k);
  let correct = 0;
  for (let j = 0; j < k; j++) correct += confusion[j]![j]!;
  const perClass: ClassMetrics[] = classes.map((label, j) => {
    const tp = confusion[j]![j]!;
    let predicted = 0;
    let support = 0;
    for (let i = 0; i < k; i++) {
      predicted += confusion[i]![j]!;
      support += confusion[j]![i]!;
    }
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
  // a class that is neither in the truth nor predicted says nothing about this test set
  const present = perClass.filter((c, j) => c.support > 0 || confusion.some((row) => row[j]! > 0));
  const mean = (f: (c: ClassMetrics) => number) => (present.length ? present.reduce((s, c) => s + f(c), 0) / present.length : 0);
  const positiveClass = k === 2 ? (options.positiveClass ?? 1) : null;
  let roc: RocCurve | null = null;
  if (positiveClass !== null) {
    const isPos = new Uint8Array(n);
    const scores = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      isPos[i] = yTrue[i] === positiveClass ? 1 : 0;
      scores[i] = probs[i * k + positiveClass]!;
    }
    roc = rocCurve(isPos, scores);
  }
  return {
    count: n,
    accuracy: n ? correct / n : NaN,
    logLoss: logLoss(yTrue, probs, k),
    perClass,
    macro: { precision: mean((c) => c.precision), recall: mean((c) => c.recall), f1: mean((c) => c.f1) },
    confusion,
    roc,
    positiveClass,
  };
}

export interface RegressionReport {
  count: number;
  mae: number;
  rmse: number;
  r2: number;
}

export function regressionMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): RegressionReport {
  const n = yTrue.length;
  if (yPred.length !== n) throw new RangeError(`expected ${n} predictions, got ${yPred.length}`);
  if (n === 0) return { count: 0, mae: NaN, rmse: NaN, r2: NaN };
  let mean = 0;
  for (let i = 0; i < n; i++) mean += yTrue[i]!;
  mean /= n;
  let abs = 0;
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < n; i++) {
    const e = yTrue[i]! - yPred[i]!;
    abs += Math.abs(e);
    sse += e * e;
    sst += (yTrue[i]! - mean) * (yTrue[i]! - mean);
  }
  const r2 = sst > 0 ? 1 - sse / sst : sse === 0 ? 1 : 0;
  return { count: n, mae: abs / n, rmse: Math.sqrt(sse / n), r2 };
}

export interface WorstPrediction {
  /** Position in the evaluated arrays. */
  index: number;
  /** The dataset row, when `rows` was given. */
  row?: number;
  /** Classification: -ln P(true class); regression: |truth - prediction|. */
  loss: number;
  /** Class index or value. */
  actual: number;
  predicted: number;
  /** Classification: probability of the predicted class. */
  confidence?: number;
}

export type WorstInput =
  | { kind: 'classification'; yTrue: ArrayLike<number>; probs: ArrayLike<number>; classes: number; rows?: ArrayLike<number> }
  | { kind: 'regression'; yTrue: ArrayLike<number>; yPred: ArrayLike<number>; rows?: ArrayLike<number> };

/** The k examples with the highest loss, worst first (ties: earlier example first). */
export function worstPredictions(input: WorstInput, k: number): WorstPrediction[] {
  const n = input.yTrue.length;
  const loss = new Float64Array(n);
  if (input.kind === 'classification') {
    for (let i = 0; i < n; i++) loss[i] = exampleLogLoss(input.probs[i * input.classes + input.yTrue[i]!]!);
  } else {
    for (let i = 0; i < n; i++) loss[i] = Math.abs(input.yTrue[i]! - input.yPred[i]!);
  }
  // NaN (a diverged model) ranks worst: it is the first thing to look at
  const key = (i: number) => (Number.isNaN(loss[i]!) ? Infinity : loss[i]!);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => key(b) - key(a) || a - b);
  const predicted = input.kind === 'classification' ? argmaxRows(input.probs, input.classes) : null;
  return order.slice(0, Math.max(0, k)).map((i) => {
    const base = { index: i, loss: loss[i]!, actual: input.yTrue[i]!, ...(input.rows ? { row: input.rows[i]! } : {}) };
    if (input.kind === 'classification') {
      const p = predicted![i]!;
      return { ...base, predicted: p, confidence: input.probs[i * input.classes + p]! };
    }
    return { ...base, predicted: input.yPred[i]! };
  });
}
