/**
 * Combining labeling functions' votes. Majority vote as the baseline, and a generative label model that
 * learns each function's accuracy without ground truth: Dawid & Skene's EM (1979) over the latent true
 * class, functions conditionally independent given it (as in Snorkel, Ratner et al. 2016/2019). A
 * function's abstains are either an outcome with a class-dependent rate (default) or missing data; see
 * LabelModelOptions.abstain for why the default matters. Rows where every function abstains are not
 * covered: they get no probabilities (NaN).
 */
import { fmix32 } from '../math/hash';
import { ABSTAIN, type LabelMatrix } from './lf';

export type TieBreak = 'abstain' | 'lowest' | 'random';

/** splitmix32-style hash: the 'random' tie-break must be the same on every run. */
export function tieHash(i: number, seed: number): number {
  return fmix32((i + 0x9e3779b9 * (seed + 1)) | 0);
}

/**
 * The most frequent vote per row; -1 where every function abstains. Ties: 'abstain' (the default: a tie is
 * no evidence, as Snorkel's MajorityLabelVoter), 'lowest' class index, or 'random' (a fixed hash of the
 * row and seed, so reruns agree). `rows` names the dataset row of each row of L when L holds only some
 * rows (e.g. a label set's covered rows), so the random tie-break is the one the whole matrix would get.
 */
export function majorityVote(L: LabelMatrix, options: { tieBreak?: TieBreak; seed?: number; rows?: ArrayLike<number> } = {}): Int32Array {
  const { tieBreak = 'abstain', seed = 0, rows } = options;
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
    else if (tieBreak === 'random') out[i] = tied[tieHash(rows ? rows[i]! : i, seed) % tied.length]!;
  }
  return out;
}

export interface LabelModelOptions {
  /**
   * 'confusion' (default): a full k x k confusion matrix per function. With class-dependent abstains this
   * is exactly right for functions that emit one class (each gets P(fires | class) per class), and it
   * recovers their accuracies; see the tests. 'one-coin': one accuracy per function, errors spread evenly
   * over the other classes; fewer parameters, and the accuracy ties a vote's meaning to its class (a
   * function voting c is evidence for c), but for single-polarity functions it is misspecified (measured:
   * it reads a true 0.85 as 0.72 and labels about 2 points worse in that synthetic case).
   */
  model?: 'one-coin' | 'confusion';
  /**
   * How a function's silence is modelled. 'class-dependent' (default): abstaining is one more outcome
   * whose probability depends on the class, P(abstain | y = c), as in Snorkel's LabelModel; this is what
   * makes functions that only ever emit one class informative. 'missing': abstains are missing at
   * random, the textbook Dawid-Skene with incomplete data. Beware that with single-polarity functions
   * 'missing' has a degenerate maximum (every row one class, every function emitting the other class
   * at accuracy 0 explains the votes with likelihood 1): on the spam demo EM walks straight into it.
   */
  abstain?: 'class-dependent' | 'missing';
  maxIter?: number;
  /** Stop when no parameter moves more than this between iterations. */
  tol?: number;
  /** Pseudo-count added to every count (Dirichlet / Beta smoothing), so no probability is 0 or 1. */
  smoothing?: number;
  /**
   * A prior on each function's accuracy (MAP-EM), as pseudo-votes: `strength` votes of which a share
   * `mean` are right (a Beta prior for one-coin; Dirichlet pseudo-counts on the confusion rows). It encodes what a person writing a function believes (better than chance; Snorkel's
   * LabelModel starts from 0.7 too) and keeps EM from turning a small function whose votes co-occur with
   * the other side's functions into an "always wrong" one. Its pull fades as 1 / votes. strength 0 = off.
   */
  accuracyPrior?: { mean: number; strength: number };
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
  /** Per function, k: P(it abstains | true class = c) (all equal under abstain: 'missing'). */
  abstainRate: Float64Array[];
  classBalance: Float64Array;
  iterations: number;
  converged: boolean;
  /** Log-likelihood of the votes at the end (of the covered rows only under abstain: 'missing'). */
  logLikelihood: number;
}

/** Dawid-Skene EM on L, initialized from the majority-vote vote shares. Deterministic. */
export function fitLabelModel(L: LabelMatrix, options: LabelModelOptions = {}): LabelModelResult {
  const { model = 'confusion', abstain = 'class-dependent', maxIter = 200, tol = 1e-6, smoothing = 1, classBalance } = options;
  const { mean: priorMean, strength: priorStrength } = options.accuracyPrior ?? { mean: 0.7, strength: 10 };
  const { n, k } = L;
  if (k < 2) throw new Error('a label model needs at least two classes');
  if (classBalance && classBalance.length !== k) throw new Error(`class balance has ${classBalance.length} entries for ${k} classes`);
  const votes = sparseVotes(L);
  const em = new DawidSkene(votes, L, { oneCoin: model === 'one-coin', modelAbstain: abstain === 'class-dependent', smoothing, priorMean, priorStrength, classBalance });
  const { iterations, converged, logLikelihood } = em.fit(maxIter, tol);

  const probs = new Float32Array(n * k).fill(NaN);
  for (let r = 0; r < votes.rowOf.length; r++) for (let c = 0; c < k; c++) probs[votes.rowOf[r]! * k + c] = em.q[r * k + c]!;
  const { accuracy, confusion, abstainRate } = em.functionEstimates();
  return { k, probs, covered: votes.covered, accuracy, confusion, abstainRate, classBalance: em.prior.slice(), iterations, converged, logLikelihood };
}

/** The votes of the covered rows, sparse (CSR): each EM iteration touches only actual votes. */
interface SparseVotes {
  /** 1 where at least one function voted. */
  covered: Uint8Array;
  /** The row of L of each covered row. */
  rowOf: number[];
  /** Covered row r's votes are entries start[r] to start[r + 1] - 1 of lfIdx and vote. */
  start: number[];
  /** Each vote's function. */
  lfIdx: number[];
  /** Each vote's class. */
  vote: number[];
}

function sparseVotes(L: LabelMatrix): SparseVotes {
  const { n, m, data } = L;
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
  return { covered, rowOf, start, lfIdx, vote };
}

/** LabelModelOptions with the defaults filled in. */
interface EmSettings {
  oneCoin: boolean;
  /** abstain: 'class-dependent'. */
  modelAbstain: boolean;
  smoothing: number;
  priorMean: number;
  priorStrength: number;
  classBalance: ArrayLike<number> | undefined;
}

/** Dawid-Skene's parameters and posteriors, and the two EM steps over them. */
class DawidSkene {
  readonly n: number;
  readonly m: number;
  readonly k: number;
  /** Outcomes per function: the k classes, then abstain. */
  readonly K1: number;
  /** Covered rows. */
  readonly R: number;
  /** Rows where all abstain share one posterior; with modelled abstains they still inform P(abstain | c). */
  readonly silentRows: number;
  /** Posteriors of the covered rows, R x k. */
  readonly q: Float64Array;
  readonly qSilent: Float64Array;
  readonly prior: Float64Array;
  /** theta[(j*k + c)*K1 + v] = P(outcome v | class c) of function j. */
  readonly theta: Float64Array;
  /** For votes: log P(v | c) - log P(abstain | c). */
  readonly logTheta: Float64Array;
  /** Sum over functions of log P(abstain | c). */
  readonly logSilent: Float64Array;
  readonly logPrior: Float64Array;
  // scratch of the M step
  readonly counts: Float64Array;
  readonly classMass: Float64Array;
  /** One function's P(abstain | c). */
  readonly rho: Float64Array;
  /** One function's vote mass per class. */
  readonly votedBy: Float64Array;
  /** Scratch of the E step: one row's log posterior, unnormalized. */
  readonly lp: Float64Array;

  constructor(
    readonly votes: SparseVotes,
    L: LabelMatrix,
    readonly settings: EmSettings,
  ) {
    const { n, m, k } = L;
    this.n = n;
    this.m = m;
    this.k = k;
    this.K1 = k + 1;
    this.R = votes.rowOf.length;
    this.silentRows = settings.modelAbstain ? n - this.R : 0;
    this.q = new Float64Array(this.R * k);
    this.qSilent = new Float64Array(k);
    this.prior = new Float64Array(k);
    this.theta = new Float64Array(m * k * this.K1);
    this.logTheta = new Float64Array(m * k * this.K1);
    this.logSilent = new Float64Array(k);
    this.logPrior = new Float64Array(k);
    this.counts = new Float64Array(m * k * this.K1);
    this.classMass = new Float64Array(k);
    this.rho = new Float64Array(k);
    this.votedBy = new Float64Array(k);
    this.lp = new Float64Array(k);
  }

  /** Posteriors from vote shares (a soft majority vote), then EM until no parameter moves more than tol. */
  fit(maxIter: number, tol: number): { iterations: number; converged: boolean; logLikelihood: number } {
    const { q, k, R, theta, prior } = this;
    const { start, vote } = this.votes;
    for (let r = 0; r < R; r++) {
      const s = start[r]!;
      const e = start[r + 1]!;
      for (let t = s; t < e; t++) q[r * k + vote[t]!]! += 1 / (e - s);
    }
    this.qSilent.fill(1 / k);

    const prevTheta = new Float64Array(theta.length);
    const prevPrior = new Float64Array(k);
    let iterations = 0;
    let converged = false;
    this.mStep();
    while (iterations < maxIter) {
      prevTheta.set(theta);
      prevPrior.set(prior);
      this.eStep();
      this.mStep();
      iterations++;
      let delta = 0;
      for (let x = 0; x < theta.length; x++) delta = Math.max(delta, Math.abs(theta[x]! - prevTheta[x]!));
      for (let c = 0; c < k; c++) delta = Math.max(delta, Math.abs(prior[c]! - prevPrior[c]!));
      if (delta < tol) {
        converged = true;
        break;
      }
    }
    const logLikelihood = this.eStep(); // posteriors that match the final parameters
    return { iterations, converged, logLikelihood };
  }

  mStep(): void {
    const { m, k, K1, R, silentRows, q, qSilent, prior, theta, logTheta, logSilent, logPrior, counts, classMass, rho, votedBy } = this;
    const { start, lfIdx, vote } = this.votes;
    const { oneCoin, modelAbstain, smoothing, priorMean, priorStrength, classBalance } = this.settings;
    classMass.fill(0);
    for (let r = 0; r < R; r++) for (let c = 0; c < k; c++) classMass[c]! += q[r * k + c]!;
    for (let c = 0; c < k; c++) classMass[c]! += silentRows * qSilent[c]!;
    if (classBalance) for (let c = 0; c < k; c++) prior[c] = classBalance[c]!;
    else for (let c = 0; c < k; c++) prior[c] = classMass[c]! + smoothing;
    let total = 0;
    for (let c = 0; c < k; c++) total += prior[c]!;
    for (let c = 0; c < k; c++) prior[c]! /= total;

    counts.fill(0);
    for (let r = 0; r < R; r++) {
      for (let t = start[r]!; t < start[r + 1]!; t++) {
        const base = lfIdx[t]! * k * K1 + vote[t]!;
        for (let c = 0; c < k; c++) counts[base + c * K1]! += q[r * k + c]!;
      }
    }
    for (let j = 0; j < m; j++) {
      // Abstain counts: the class mass of every row in the fit, less the rows where j voted.
      let voteMass = 0;
      for (let c = 0; c < k; c++) {
        let voted = 0;
        for (let v = 0; v < k; v++) voted += counts[(j * k + c) * K1 + v]!;
        votedBy[c] = voted;
        voteMass += voted;
        rho[c] = modelAbstain ? (Math.max(0, classMass[c]! - voted) + smoothing) / (classMass[c]! + 2 * smoothing) : 0;
      }
      if (oneCoin) {
        let right = 0;
        for (let c = 0; c < k; c++) right += counts[(j * k + c) * K1 + c]!;
        const a = (right + smoothing + priorStrength * priorMean) / (voteMass + 2 * smoothing + priorStrength);
        for (let c = 0; c < k; c++)
          for (let v = 0; v < k; v++) theta[(j * k + c) * K1 + v] = (1 - rho[c]!) * (v === c ? a : (1 - a) / (k - 1));
      } else {
        for (let c = 0; c < k; c++) {
          let row = 0;
          // The accuracy prior as pseudo-votes, shared out over the classes as the function's votes are:
          // right on the diagonal, the rest spread over the other classes.
          const share = (priorStrength * votedBy[c]!) / Math.max(voteMass, 1e-12);
          const pseudo = (v: number) => smoothing + share * (v === c ? priorMean : (1 - priorMean) / (k - 1));
          for (let v = 0; v < k; v++) row += counts[(j * k + c) * K1 + v]! + pseudo(v);
          for (let v = 0; v < k; v++) theta[(j * k + c) * K1 + v] = ((1 - rho[c]!) * (counts[(j * k + c) * K1 + v]! + pseudo(v))) / row;
        }
      }
      for (let c = 0; c < k; c++) theta[(j * k + c) * K1 + k] = rho[c]!;
    }
    logSilent.fill(0);
    for (let j = 0; j < m; j++)
      for (let c = 0; c < k; c++) {
        const b = (j * k + c) * K1;
        const la = modelAbstain ? Math.log(theta[b + k]!) : 0;
        logSilent[c]! += la;
        for (let v = 0; v < k; v++) logTheta[b + v] = Math.log(theta[b + v]!) - la;
      }
    for (let c = 0; c < k; c++) logPrior[c] = Math.log(prior[c]!);
  }

  /** Posteriors under the current parameters; returns the log-likelihood of the votes. */
  eStep(): number {
    const { k, K1, R, silentRows, q, qSilent, logTheta, logSilent, logPrior, lp } = this;
    const { start, lfIdx, vote } = this.votes;
    let ll = 0;
    for (let r = 0; r < R; r++) {
      for (let c = 0; c < k; c++) lp[c] = logPrior[c]! + logSilent[c]!;
      for (let t = start[r]!; t < start[r + 1]!; t++) {
        const base = lfIdx[t]! * k * K1 + vote[t]!;
        for (let c = 0; c < k; c++) lp[c]! += logTheta[base + c * K1]!;
      }
      ll += this.normalize(q, r * k);
    }
    if (silentRows > 0) {
      for (let c = 0; c < k; c++) lp[c] = logPrior[c]! + logSilent[c]!;
      ll += silentRows * this.normalize(qSilent, 0);
    }
    return ll;
  }

  /** Normalize lp into out[at..at+k); returns log of the normalizer. */
  normalize(out: Float64Array, at: number): number {
    const { k, lp } = this;
    let max = -Infinity;
    for (let c = 0; c < k; c++) if (lp[c]! > max) max = lp[c]!;
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(lp[c]! - max);
    for (let c = 0; c < k; c++) out[at + c] = Math.exp(lp[c]! - max) / sum;
    return max + Math.log(sum);
  }

  /** Each function's accuracy, confusion matrix and abstain rates under the fitted parameters. */
  functionEstimates(): Pick<LabelModelResult, 'accuracy' | 'confusion' | 'abstainRate'> {
    const { n, m, k, K1, R, q, theta } = this;
    const { start, lfIdx, vote } = this.votes;
    const { modelAbstain } = this.settings;
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
    const abstainRate: Float64Array[] = [];
    for (let j = 0; j < m; j++) {
      const conf = new Float64Array(k * k);
      const rate = new Float64Array(k);
      for (let c = 0; c < k; c++) {
        const b = (j * k + c) * K1;
        const p = 1 - theta[b + k]!;
        for (let v = 0; v < k; v++) conf[c * k + v] = theta[b + v]! / p;
        rate[c] = modelAbstain ? theta[b + k]! : 1 - votes[j]! / n;
      }
      confusion.push(conf);
      abstainRate.push(rate);
    }
    return { accuracy, confusion, abstainRate };
  }
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
