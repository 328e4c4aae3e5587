/**
 * Curves and threshold metrics of a binary classifier: ROC (core/model/metrics.ts's rocCurve), precision-
 * recall with average precision, a calibration (reliability) diagram with expected calibration error, and
 * the confusion counts and rates at one decision threshold.
 *
 * One convention everywhere (the same as rocCurve's): a score >= the threshold is predicted positive. So
 * with scores [0.1, 0.5, 0.5, 0.9], threshold 0.5 predicts three positives.
 *
 * A rate whose denominator is zero (the FPR of a set without negatives, the precision of a threshold that
 * predicts nothing) is NaN, "undefined", rather than scikit-learn's 0: in a fairness table a 0 would read
 * as a real, perfect rate for a group that simply has no such examples.
 */
import { countPositives, sweepThresholds } from '../math/threshold-sweep';
import { argmaxRows, rocCurve, type RocCurve } from '../model/metrics';
import { checkFinite, checkLength, evalErrorWhy } from './errors';

export { rocCurve, type RocCurve };

/** Positive flags and P(positive) of a binary task, from class indices and an n x k probability matrix. */
export interface BinaryTarget {
  positive: Uint8Array;
  scores: Float64Array;
}

/**
 * k = 2: scores are the probabilities of `positiveClass` (default 1). k = 1: `probs` already holds
 * P(positive) (a sigmoid head) and yTrue is 0/1.
 */
export function binaryTarget(yTrue: ArrayLike<number>, probs: ArrayLike<number>, k: number, positiveClass = 1): BinaryTarget {
  const n = yTrue.length;
  if (k !== 1 && k !== 2) throw evalErrorWhy('bad-option', 'curve-outputs', { params: { outputs: k } }, `A binary curve needs 1 or 2 outputs, got ${k}`);
  checkLength('probabilities', probs.length, n * k);
  checkFinite('probabilities', probs);
  const positive = new Uint8Array(n);
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    positive[i] = yTrue[i] === (k === 1 ? 1 : positiveClass) ? 1 : 0;
    scores[i] = k === 1 ? probs[i]! : probs[i * 2 + positiveClass]!;
  }
  return { positive, scores };
}

export interface ThresholdMetrics {
  threshold: number;
  count: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  /** Share of examples predicted positive: (tp + fp) / count. */
  positiveRate: number;
  accuracy: number;
  /** Recall, sensitivity: tp / (tp + fn). */
  tpr: number;
  /** fp / (fp + tn). */
  fpr: number;
  /** Specificity: tn / (tn + fp). */
  tnr: number;
  /** Miss rate: fn / (fn + tp). */
  fnr: number;
  /** tp / (tp + fp). */
  precision: number;
  /** Negative predictive value: tn / (tn + fn). */
  npv: number;
  /** fp / (tp + fp) = 1 - precision. */
  falseDiscoveryRate: number;
  /** fn / (fn + tn) = 1 - npv. */
  falseOmissionRate: number;
  /** Harmonic mean of precision and recall (NaN when either is undefined, 0 when both are 0). */
  f1: number;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);

/** All rates from the four confusion counts. */
export function metricsFromCounts(threshold: number, tp: number, fp: number, tn: number, fn: number): ThresholdMetrics {
  const count = tp + fp + tn + fn;
  const precision = ratio(tp, tp + fp);
  const tpr = ratio(tp, tp + fn);
  return {
    threshold,
    count,
    tp,
    fp,
    tn,
    fn,
    positiveRate: ratio(tp + fp, count),
    accuracy: ratio(tp + tn, count),
    tpr,
    fpr: ratio(fp, fp + tn),
    tnr: ratio(tn, tn + fp),
    fnr: ratio(fn, fn + tp),
    precision,
    npv: ratio(tn, tn + fn),
    falseDiscoveryRate: ratio(fp, tp + fp),
    falseOmissionRate: ratio(fn, fn + tn),
    f1: precision + tpr > 0 ? (2 * precision * tpr) / (precision + tpr) : precision === 0 && tpr === 0 ? 0 : NaN,
  };
}

/** Confusion counts and rates at one threshold (score >= threshold is positive). */
export function thresholdMetrics(positive: ArrayLike<boolean | number>, scores: ArrayLike<number>, threshold: number): ThresholdMetrics {
  checkLength('scores', scores.length, positive.length);
  checkFinite('scores', scores);
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const predicted = scores[i]! >= threshold;
    if (positive[i]) predicted ? tp++ : fn++;
    else predicted ? fp++ : tn++;
  }
  return metricsFromCounts(threshold, tp, fp, tn, fn);
}

export interface PrPoint {
  /** Scores >= threshold count as positive (Infinity for the end point at recall 0). */
  threshold: number;
  precision: number;
  recall: number;
}

export interface PrCurve {
  /** From the lowest threshold (recall 1) to the highest, then the conventional (recall 0, precision 1). */
  points: PrPoint[];
  /** Average precision, scikit-learn's step-wise sum: Σ (R_i - R_{i-1}) P_i, no interpolation. */
  averagePrecision: number;
  positives: number;
  negatives: number;
}

/** Precision-recall curve over the distinct scores (tied scores move together). Null without positives. */
export function precisionRecallCurve(positive: ArrayLike<boolean | number>, scores: ArrayLike<number>): PrCurve | null {
  const n = scores.length;
  checkLength('scores', n, positive.length);
  checkFinite('scores', scores);
  const positives = countPositives(positive, n);
  if (positives === 0) return null;
  const desc: PrPoint[] = [];
  let ap = 0;
  let prevRecall = 0;
  sweepThresholds(positive, scores, (threshold, tp, fp) => {
    const p = { threshold, precision: tp / (tp + fp), recall: tp / positives };
    ap += (p.recall - prevRecall) * p.precision;
    prevRecall = p.recall;
    desc.push(p);
  });
  const points = desc.reverse();
  points.push({ threshold: Infinity, precision: 1, recall: 0 });
  return { points, averagePrecision: ap, positives, negatives: n - positives };
}

export interface CalibrationBin {
  /** Bin [lo, hi); the last bin also holds hi. */
  lo: number;
  hi: number;
  count: number;
  /** Mean predicted probability in the bin (NaN when empty). */
  meanPredicted: number;
  /** Share of positives in the bin (NaN when empty). */
  observedRate: number;
}

export interface CalibrationCurve {
  bins: CalibrationBin[];
  /** Expected calibration error: Σ (count_b / n) |observed_b - predicted_b| over non-empty bins. */
  ece: number;
  /** Maximum calibration error: the largest |observed_b - predicted_b|. */
  mce: number;
  /** Mean squared difference between the probability and the 0/1 outcome. */
  brier: number;
  count: number;
}

export interface CalibrationOptions {
  /** Number of bins (default 10). */
  bins?: number;
  /** 'uniform': equal-width bins over [0, 1] (default); 'quantile': about equal counts per bin. */
  strategy?: 'uniform' | 'quantile';
}

/** Reliability diagram of probabilities against 0/1 outcomes. Probabilities are clamped into [0, 1]. */
export function calibrationCurve(positive: ArrayLike<boolean | number>, scores: ArrayLike<number>, options: CalibrationOptions = {}): CalibrationCurve {
  const n = scores.length;
  checkLength('scores', n, positive.length);
  checkFinite('scores', scores);
  const nb = options.bins ?? 10;
  if (!Number.isInteger(nb) || nb < 1) throw evalErrorWhy('bad-option', 'bins', { params: { bins: nb } }, `Bins must be a positive integer, got ${nb}`);
  const p = Float64Array.from(scores, (s) => Math.min(1, Math.max(0, s)));
  let edges: number[];
  if (options.strategy === 'quantile' && n > 0) {
    const sorted = Float64Array.from(p).sort();
    edges = [0];
    for (let b = 1; b < nb; b++) {
      const e = sorted[Math.min(n - 1, Math.floor((b * n) / nb))]!;
      // heavy ties give fewer, wider bins rather than empty ones
      if (e > edges[edges.length - 1]!) edges.push(e);
    }
    if (edges[edges.length - 1]! < 1) edges.push(1);
  } else {
    edges = Array.from({ length: nb + 1 }, (_, b) => b / nb);
  }
  const k = edges.length - 1;
  const count = new Float64Array(k);
  const sumP = new Float64Array(k);
  const sumY = new Float64Array(k);
  let brier = 0;
  for (let i = 0; i < n; i++) {
    const b = binOf(edges, p[i]!);
    const y = positive[i] ? 1 : 0;
    count[b]++;
    sumP[b] += p[i]!;
    sumY[b] += y;
    brier += (p[i]! - y) ** 2;
  }
  let ece = 0;
  let mce = 0;
  const bins: CalibrationBin[] = [];
  for (let b = 0; b < k; b++) {
    const c = count[b]!;
    const meanPredicted = c ? sumP[b]! / c : NaN;
    const observedRate = c ? sumY[b]! / c : NaN;
    if (c) {
      const gap = Math.abs(observedRate - meanPredicted);
      ece += (c / n) * gap;
      mce = Math.max(mce, gap);
    }
    bins.push({ lo: edges[b]!, hi: edges[b + 1]!, count: c, meanPredicted, observedRate });
  }
  return { bins, ece: n ? ece : NaN, mce: n ? mce : NaN, brier: n ? brier / n : NaN, count: n };
}

/** Index of the bin [e_b, e_{b+1}) holding v; the last bin is closed. Edges ascending. */
export function binOf(edges: ArrayLike<number>, v: number): number {
  const k = edges.length - 1;
  if (v >= edges[k]!) return k - 1;
  let lo = 0;
  let hi = k - 1;
  // largest b with edges[b] <= v
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (edges[mid]! <= v) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Multiclass calibration of the top label (Guo et al. 2017): the confidence is the largest probability,
 * the outcome whether that class is the true one.
 */
export function topLabelCalibration(yTrue: ArrayLike<number>, probs: ArrayLike<number>, k: number, options: CalibrationOptions = {}): CalibrationCurve {
  const n = yTrue.length;
  checkLength('probabilities', probs.length, n * k);
  const predicted = argmaxRows(probs, k);
  const correct = new Uint8Array(n);
  const confidence = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    correct[i] = predicted[i] === yTrue[i] ? 1 : 0;
    confidence[i] = probs[i * k + predicted[i]!]!;
  }
  return calibrationCurve(correct, confidence, options);
}
