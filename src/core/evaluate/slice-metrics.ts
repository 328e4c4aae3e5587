/**
 * The metrics of one slice: point estimates from core/model/metrics.ts on the slice's rows (so the numbers
 * match the training report), and bootstrap replicates (core/math/bootstrap.ts) from weighted sufficient
 * statistics (a weighted confusion matrix, loss sums, a weighted ROC sweep over rows sorted once) in
 * O(rows) per replicate.
 */
import { fillPoisson1 } from '../math/bootstrap';
import type { Rng } from '../math/random';
import { argmaxRows, classificationMetrics, regressionMetrics } from '../model/metrics';
import { thresholdMetrics } from './curves';
import { checkFinite, checkLength, evalErrorWhy } from './errors';

export type Predictions =
  | {
      kind: 'classification';
      /** Class indices. */
      yTrue: ArrayLike<number>;
      /** n x classes.length probabilities, row-major. */
      probs: ArrayLike<number>;
      classes: readonly string[];
      /** Binary tasks: the class whose probability is the score for AUC (default 1). */
      positiveClass?: number;
      /**
       * Binary tasks: the decision threshold of `precision` and `recall` (default 0.5; a score >= it is
       * positive, as in curves.ts). Accuracy and the macro metrics keep the argmax, as in training.
       */
      threshold?: number;
    }
  | { kind: 'regression'; yTrue: ArrayLike<number>; yPred: ArrayLike<number> };

export type Direction = 'higher' | 'lower';

/** Which way is better for each metric this module computes (blessing uses it for relative thresholds). */
export const METRIC_DIRECTIONS: Readonly<Record<string, Direction>> = {
  accuracy: 'higher',
  logLoss: 'lower',
  macroPrecision: 'higher',
  macroRecall: 'higher',
  macroF1: 'higher',
  auc: 'higher',
  precision: 'higher',
  recall: 'higher',
  mae: 'lower',
  rmse: 'lower',
  r2: 'higher',
};

export function metricNames(p: Predictions): string[] {
  if (p.kind === 'regression') return ['mae', 'rmse', 'r2'];
  const names = ['accuracy', 'logLoss', 'macroPrecision', 'macroRecall', 'macroF1'];
  return p.classes.length === 2 ? [...names, 'auc', 'precision', 'recall'] : names;
}

/** Per-row values the replicates reuse, computed once for the whole set. */
export interface Prepared {
  names: string[];
  n: number;
  point(rows: Uint32Array): Record<string, number>;
  /** Fills out[m * samples + b] for each metric m and replicate b. */
  replicate(rows: Uint32Array, rng: Rng, samples: number, out: Float64Array): void;
}

function prepareClassification(p: Extract<Predictions, { kind: 'classification' }>): Prepared {
  const k = p.classes.length;
  const n = p.yTrue.length;
  checkLength('probabilities', p.probs.length, n * k);
  checkFinite('probabilities', p.probs);
  const names = metricNames(p);
  const yTrue = Int32Array.from(p.yTrue);
  for (let i = 0; i < n; i++) {
    if (!(yTrue[i]! >= 0 && yTrue[i]! < k)) throw evalErrorWhy('bad-option', 'label-class', { params: { row: i, label: p.yTrue[i]!, classes: k } }, `Label ${p.yTrue[i]} of row ${i} is not a class index below ${k}`);
  }
  const yPred = argmaxRows(p.probs, k);
  const loss = new Float64Array(n);
  for (let i = 0; i < n; i++) loss[i] = -Math.log(Math.min(1 - 1e-15, Math.max(1e-15, p.probs[i * k + yTrue[i]!]!)));
  const binary = k === 2;
  const pos = p.positiveClass ?? 1;
  const score = binary ? Float64Array.from({ length: n }, (_, i) => p.probs[i * 2 + pos]!) : null;
  const threshold = p.threshold ?? 0.5;
  if (binary && !Number.isFinite(threshold)) throw evalErrorWhy('bad-option', 'threshold', { params: { threshold } }, 'The decision threshold must be a finite number');
  return {
    names,
    n,
    point(rows) {
      const m = rows.length;
      const yt = new Int32Array(m);
      const pr = new Float64Array(m * k);
      for (let r = 0; r < m; r++) {
        const i = rows[r]!;
        yt[r] = yTrue[i]!;
        for (let j = 0; j < k; j++) pr[r * k + j] = p.probs[i * k + j]!;
      }
      const rep = classificationMetrics(yt, pr, p.classes, binary ? { positiveClass: pos } : {});
      const out: Record<string, number> = {
        accuracy: rep.accuracy,
        logLoss: rep.logLoss,
        macroPrecision: rep.macro.precision,
        macroRecall: rep.macro.recall,
        macroF1: rep.macro.f1,
      };
      if (binary) {
        out.auc = rep.roc ? rep.roc.auc : NaN;
        const at = thresholdMetrics(
          Uint8Array.from(rows, (i) => (yTrue[i] === pos ? 1 : 0)),
          Float64Array.from(rows, (i) => score![i]!),
          threshold,
        );
        out.precision = at.precision;
        out.recall = at.tpr;
      }
      return out;
    },
    replicate(rows, rng, samples, out) {
      const m = rows.length;
      // sort the slice once by score (descending) so every replicate's ROC is one sweep, and lay out what
      // the sweep reads contiguously in that order
      const sorted = binary ? Uint32Array.from(rows).sort((a, b) => score![b]! - score![a]!) : rows;
      const cell = new Int32Array(m);
      const rowLoss = new Float64Array(m);
      const isPos = new Uint8Array(m);
      const groupEnd = new Uint8Array(m);
      const predPos = new Uint8Array(m);
      for (let r = 0; r < m; r++) {
        const i = sorted[r]!;
        cell[r] = yTrue[i]! * k + yPred[i]!;
        rowLoss[r] = loss[i]!;
        isPos[r] = yTrue[i] === pos ? 1 : 0;
        groupEnd[r] = !binary || r === m - 1 || score![i] !== score![sorted[r + 1]!] ? 1 : 0;
        predPos[r] = binary && score![i]! >= threshold ? 1 : 0;
      }
      const conf = new Float64Array(k * k);
      const w = new Uint8Array(m);
      for (let b = 0; b < samples; b++) {
        fillPoisson1(rng, w);
        conf.fill(0);
        let lossSum = 0;
        // weighted ROC sweep, as rocCurve does it but with weights, unnormalized until the end
        let tp = 0;
        let fp = 0;
        let prevTp = 0;
        let prevFp = 0;
        let area = 0;
        // weighted positives / negatives predicted positive at the decision threshold
        let tpAt = 0;
        let fpAt = 0;
        for (let r = 0; r < m; r++) {
          const wi = w[r]!;
          if (wi) {
            lossSum += wi * rowLoss[r]!;
            conf[cell[r]!] += wi;
            if (isPos[r]) {
              tp += wi;
              if (predPos[r]) tpAt += wi;
            } else {
              fp += wi;
              if (predPos[r]) fpAt += wi;
            }
          }
          if (groupEnd[r]) {
            area += ((fp - prevFp) * (tp + prevTp)) / 2;
            prevTp = tp;
            prevFp = fp;
          }
        }
        const total = tp + fp;
        const fromConf = confusionSummary(conf, k, total);
        out[0 * samples + b] = fromConf.accuracy;
        out[1 * samples + b] = total ? lossSum / total : NaN;
        out[2 * samples + b] = fromConf.precision;
        out[3 * samples + b] = fromConf.recall;
        out[4 * samples + b] = fromConf.f1;
        if (binary) {
          out[5 * samples + b] = tp > 0 && fp > 0 ? area / (tp * fp) : NaN;
          out[6 * samples + b] = tpAt + fpAt > 0 ? tpAt / (tpAt + fpAt) : NaN;
          out[7 * samples + b] = tp > 0 ? tpAt / tp : NaN;
        }
      }
    },
  };
}

/** Accuracy and macro precision / recall / F1 from a (weighted) confusion matrix, as metrics.ts defines them. */
export function confusionSummary(conf: ArrayLike<number>, k: number, total: number): { accuracy: number; precision: number; recall: number; f1: number } {
  if (!(total > 0)) return { accuracy: NaN, precision: NaN, recall: NaN, f1: NaN };
  let correct = 0;
  let sp = 0;
  let sr = 0;
  let sf = 0;
  let present = 0;
  for (let j = 0; j < k; j++) {
    const tp = conf[j * k + j]!;
    correct += tp;
    let predicted = 0;
    let support = 0;
    for (let i = 0; i < k; i++) {
      predicted += conf[i * k + j]!;
      support += conf[j * k + i]!;
    }
    if (!(predicted > 0 || support > 0)) continue;
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    sp += precision;
    sr += recall;
    sf += precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    present++;
  }
  return { accuracy: correct / total, precision: sp / present, recall: sr / present, f1: sf / present };
}

function prepareRegression(p: Extract<Predictions, { kind: 'regression' }>): Prepared {
  const n = p.yTrue.length;
  checkLength('predictions', p.yPred.length, n);
  checkFinite('predictions', p.yPred);
  checkFinite('labels', p.yTrue);
  const y = Float64Array.from(p.yTrue);
  const e = Float64Array.from({ length: n }, (_, i) => p.yTrue[i]! - p.yPred[i]!);
  return {
    names: metricNames(p),
    n,
    point(rows) {
      const yt = Float64Array.from(rows, (i) => y[i]!);
      const yp = Float64Array.from(rows, (i) => p.yPred[i]!);
      const r = regressionMetrics(yt, yp);
      return { mae: r.mae, rmse: r.rmse, r2: r.r2 };
    },
    replicate(rows, rng, samples, out) {
      const m = rows.length;
      // center the truth on the slice mean: the weighted variance then has no catastrophic cancellation
      let mean = 0;
      for (let r = 0; r < m; r++) mean += y[rows[r]!]!;
      mean = m ? mean / m : 0;
      const w = new Uint8Array(m);
      for (let b = 0; b < samples; b++) {
        fillPoisson1(rng, w);
        let sw = 0;
        let sAbs = 0;
        let sSq = 0;
        let sY = 0;
        let sY2 = 0;
        for (let r = 0; r < m; r++) {
          const wi = w[r]!;
          if (!wi) continue;
          const i = rows[r]!;
          const d = y[i]! - mean;
          sw += wi;
          sAbs += wi * Math.abs(e[i]!);
          sSq += wi * e[i]! * e[i]!;
          sY += wi * d;
          sY2 += wi * d * d;
        }
        const sst = sY2 - (sY * sY) / sw;
        out[b] = sw ? sAbs / sw : NaN;
        out[samples + b] = sw ? Math.sqrt(sSq / sw) : NaN;
        // same conventions as regressionMetrics for a constant truth
        out[2 * samples + b] = !sw ? NaN : sst > 1e-12 * Math.max(1, sY2) ? 1 - sSq / sst : sSq === 0 ? 1 : 0;
      }
    },
  };
}

/** The per-row values of the predictions' task, computed once for the whole set. */
export function preparePredictions(p: Predictions): Prepared {
  return p.kind === 'classification' ? prepareClassification(p) : prepareRegression(p);
}
