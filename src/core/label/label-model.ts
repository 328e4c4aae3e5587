/**
 * Combining labeling functions' votes. Majority vote as the baseline, and a generative label model that
 * learns each function's accuracy without ground truth: Dawid & Skene's EM (1979), with abstains treated
 * as missing observations (a function's silence says nothing about the class) and functions assumed
 * conditionally independent given the true class, as in Snorkel's first label model (Ratner et al. 2016).
 * Rows where every function abstains are not covered: no probabilities, and they do not enter the fit.
 */
import { ABSTAIN, type LabelMatrix } from './lf';

export type TieBreak = 'abstain' | 'lowest' | 'random';

/** splitmix32-style hash: the 'random' tie-break must be the same on every run. */
function hash(i: number, seed: number): number {
  let h = (i + 0x9e3779b9 * (seed + 1)) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The most frequent vote per row; -1 where every function abstains. Ties: 'abstain' (the default: a tie is
 * no evidence, as Snorkel's MajorityLabelVoter), 'lowest' class index, or 'random' (a fixed hash of the
 * row and seed, so reruns agree).
 */
export function majorityVote(L: LabelMatrix, options: { tieBreak?: TieBreak; seed?: number } = {}): Int32Array {
  const { tieBreak = 'abstain', seed = 0 } = options;
  const { n, m, k, data } = L;
  const out = new Int32Array(n).fill(ABSTAIN);
  const counts = new Int32Array(k);
  const tied: number[] = [];
  for (let i = 0; i < n; i++) {
    counts.fill(0);
    let any = false;
    for (let j = 0; j < m; j++) {
      const v = data[i * m + j]!;
      if (v !== ABSTAIN) {
        counts[v]!++;
        any = true;
      }
    }
    if (!any) continue;
    let best = 0;
    for (let c = 1; c < k; c++) if (counts[c]! > counts[best]!) best = c;
    tied.length = 0;
    for (let c = 0; c < k; c++) if (counts[c] === counts[best]) tied.push(c);
    if (tied.length === 1 || tieBreak === 'lowest') out[i] = best;
    else if (tieBreak === 'random') out[i] = tied[hash(i, seed) % tied.length]!;
  }
  return out;
}

export interface LabelModelOptions {
  /**
   * 'one-coin': one accuracy per function, errors spread evenly over the other classes (works for
   * functions that emit a single class, the usual case). 'confusion': a full k x k confusion matrix per
   * function; note that with abstains as missing data a function that only ever emits one class carries no
   * information in this model, so use it when functions emit several classes.
   */
  model?: 'one-coin' | 'confusion';
  maxIter?: number;
  /** Stop when no parameter moves more than this between iterations. */
  tol?: number;
  /** Pseudo-count added to every count (Dirichlet / Beta smoothing), so no probability is 0 or 1. */
  smoothing?: number;
  /** A known class balance (sums to 1); estimated from the data when absent. */
  classBalance?: ArrayLike<number>;
}

export interface LabelModelResult {
  k: number;
  /** n x k row-major class probabilities; NaN on rows that are not covered. */
  probs: Float32Array;
  /** 1 where at least one function voted. */
  covered: Uint8Array;
  /** Per function: estimated P(its vote is the true class | it votes); NaN if it never votes. */
  accuracy: Float64Array;
  /** Per function, k x k row-major: P(vote = v | true class = c, it votes). */
  confusion: Float64Array[];
  classBalance: Float64Array;
  iterations: number;
  converged: boolean;
  /** Log-likelihood of the covered rows' votes at the end. */
  logLikelihood: number;
}

/** Dawid-Skene EM on L, initialized from the majority-vote vote shares. Deterministic. */
export function fitLabelModel(L: LabelMatrix, options: LabelModelOptions = {}): LabelModelResult {
  const { model = 'one-coin', maxIter = 200, tol = 1e-6, smoothing = 1, classBalance } = options;
  const { n, m, k, data } = L;
  if (k < 2) throw new Error('a label model needs at least two classes');
  if (classBalance && classBalance.length !== k) throw new Error(`class balance has ${classBalance.length} entries for ${k} classes`);

  // Sparse votes of the covered rows (CSR): each iteration touches only actual votes.
  const covered = new Uint8Array(n);
  const rowOf: number[] = [];
  const start: number[] = [0];
  const lfIdx: number[] = [];
  const vote: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const v = data[i * m + j]!;
      if (v !== ABSTAIN) {
        lfIdx.push(j);
        vote.push(v);
      }
    }
    if (lfIdx.length > start[start.length - 1]!) {
      covered[i] = 1;
      rowOf.push(i);
      start.push(lfIdx.length);
    }
  }
  const R = rowOf.length;
  const q = new Float64Array(R * k); // posteriors of covered rows

  // Initialize posteriors from vote shares (soft majority vote).
  for (let r = 0; r < R; r++) {
    const s = start[r]!;
    const e = start[r + 1]!;
    for (let t = s; t < e; t++) q[r * k + vote[t]!]! += 1 / (e - s);
  }

  const prior = new Float64Array(k);
  const theta = new Float64Array(m * k * k); // theta[(j*k + c)*k + v] = P(vote v | class c)
  const logTheta = new Float64Array(m * k * k);
  const logPrior = new Float64Array(k);
  const prevTheta = new Float64Array(m * k * k);
  const prevPrior = new Float64Array(k);
  const counts = new Float64Array(m * k * k);
  const a = new Float64Array(m);

  const mStep = () => {
    if (classBalance) for (let c = 0; c < k; c++) prior[c] = classBalance[c]!;
    else {
      prior.fill(smoothing);
      for (let r = 0; r < R; r++) for (let c = 0; c < k; c++) prior[c]! += q[r * k + c]!;
    }
    let total = 0;
    for (let c = 0; c < k; c++) total += prior[c]!;
    for (let c = 0; c < k; c++) prior[c]! /= total;

    counts.fill(0);
    for (let r = 0; r < R; r++) {
      for (let t = start[r]!; t < start[r + 1]!; t++) {
        const base = lfIdx[t]! * k * k + vote[t]!;
        for (let c = 0; c < k; c++) counts[base + c * k]! += q[r * k + c]!;
      }
    }
    for (let j = 0; j < m; j++) {
      if (model === 'one-coin') {
        let right = 0;
        let all = 0;
        for (let c = 0; c < k; c++)
          for (let v = 0; v < k; v++) {
            const x = counts[(j * k + c) * k + v]!;
            all += x;
            if (v === c) right += x;
          }
        a[j] = (right + smoothing) / (all + 2 * smoothing);
        for (let c = 0; c < k; c++)
          for (let v = 0; v < k; v++) theta[(j * k + c) * k + v] = v === c ? a[j]! : (1 - a[j]!) / (k - 1);
      } else {
        for (let c = 0; c < k; c++) {
          let row = 0;
          for (let v = 0; v < k; v++) row += counts[(j * k + c) * k + v]! + smoothing;
          for (let v = 0; v < k; v++) theta[(j * k + c) * k + v] = (counts[(j * k + c) * k + v]! + smoothing) / row;
        }
      }
    }
    for (let x = 0; x < theta.length; x++) logTheta[x] = Math.log(theta[x]!);
    for (let c = 0; c < k; c++) logPrior[c] = Math.log(prior[c]!);
  };

  const lp = new Float64Array(k);
  const eStep = (): number => {
    let ll = 0;
    for (let r = 0; r < R; r++) {
      for (let c = 0; c < k; c++) lp[c] = logPrior[c]!;
      for (let t = start[r]!; t < start[r + 1]!; t++) {
        const base = lfIdx[t]! * k * k + vote[t]!;
        for (let c = 0; c < k; c++) lp[c]! += logTheta[base + c * k]!;
      }
      let max = -Infinity;
      for (let c = 0; c < k; c++) if (lp[c]! > max) max = lp[c]!;
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.exp(lp[c]! - max);
      ll += max + Math.log(sum);
      for (let c = 0; c < k; c++) q[r * k + c] = Math.exp(lp[c]! - max) / sum;
    }
    return ll;
  };

  let iterations = 0;
  let converged = false;
  let ll = -Infinity;
  mStep();
  while (iterations < maxIter) {
    prevTheta.set(theta);
    prevPrior.set(prior);
    ll = eStep();
    mStep();
    iterations++;
    let delta = 0;
    for (let x = 0; x < theta.length; x++) delta = Math.max(delta, Math.abs(theta[x]! - prevTheta[x]!));
    for (let c = 0; c < k; c++) delta = Math.max(delta, Math.abs(prior[c]! - prevPrior[c]!));
    if (delta < tol) {
      converged = true;
      break;
    }
  }
  ll = eStep(); // posteriors that match the final parameters

  const probs = new Float32Array(n * k).fill(NaN);
  for (let r = 0; r < R; r++) for (let c = 0; c < k; c++) probs[rowOf[r]! * k + c] = q[r * k + c]!;

  // Accuracy as the expected share of a function's votes that hit the true class under the posteriors.
  const hit = new Float64Array(m);
  const votes = new Float64Array(m);
  for (let r = 0; r < R; r++)
    for (let t = start[r]!; t < start[r + 1]!; t++) {
      hit[lfIdx[t]!]! += q[r * k + vote[t]!]!;
      votes[lfIdx[t]!]!++;
    }
  const accuracy = new Float64Array(m);
  for (let j = 0; j < m; j++) accuracy[j] = votes[j] === 0 ? NaN : hit[j]! / votes[j]!;
  const confusion: Float64Array[] = [];
  for (let j = 0; j < m; j++) confusion.push(theta.slice(j * k * k, (j + 1) * k * k));

  return { k, probs, covered, accuracy, confusion, classBalance: prior.slice(), iterations, converged, logLikelihood: ll };
}

/** The most probable class per row (lowest index on ties); -1 on rows without probabilities. */
export function predictLabels(probs: ArrayLike<number>, k: number): Int32Array {
  const n = probs.length / k;
  const out = new Int32Array(n).fill(ABSTAIN);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(probs[i * k]!)) continue;
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c]! > probs[i * k + best]!) best = c;
    out[i] = best;
  }
  return out;
}
