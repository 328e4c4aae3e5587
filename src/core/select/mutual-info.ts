/**
 * Mutual information between each matrix column and the target, by the nearest-neighbour estimators
 * scikit-learn uses (sklearn/feature_selection/_mutual_info.py), on the train rows, in nats:
 *  - a continuous column and a class target (mutual_info_classif): Ross (2014). For each row, d is the
 *    distance to its k-th nearest row of the same class (k = min(n_neighbors, rows of the class - 1)), m
 *    the number of rows of any class closer than d (itself included); rows of a class seen once are left
 *    out; MI = ψ(N) + <ψ(k)> - <ψ(N_class)> - <ψ(m)>;
 *  - a continuous column and a numeric target (mutual_info_regression): Kraskov, Stögbauer & Grassberger
 *    (2004), estimator 1. ε is the max-norm distance of each (x, y) to its k-th nearest neighbour, n_x and
 *    n_y the rows strictly closer than ε in x alone and in y alone; MI = ψ(N) + ψ(k) - <ψ(n_x + 1)> -
 *    <ψ(n_y + 1)>;
 *  - a discrete column (see `discrete`): with a class target, the plug-in MI of the contingency table
 *    (sklearn's mutual_info_score); with a numeric target, Ross's estimator with the roles swapped;
 *  - a negative estimate is reported as 0, as sklearn does.
 * Like sklearn, continuous columns (and a numeric target) are scaled to unit variance first (population
 * standard deviation, no centring; a constant column is left as is). Unlike sklearn, no 1e-10 noise is
 * added to break ties: the result is exactly repeatable and matches sklearn's whenever the data have no
 * tied distances; with many repeated values (integer-valued columns) it can differ from sklearn's
 * noise-dependent numbers. Mark such columns `discrete`.
 */
import { digamma } from '../math/special';
import type { Part, PreparedSelection } from './data';
import { checkOption, SelectError } from './errors';
import { byFeature, tooFewRows, type FilterScores } from './filters';
import { Steps, type LongWork } from './work';

export interface MutualInfoOptions extends LongWork {
  /** Neighbours of the estimators (sklearn's n_neighbors, default 3). */
  neighbors?: number;
  /** Per matrix column: treat it as discrete (default: all continuous, sklearn's 'auto' for a dense matrix). */
  discrete?: readonly boolean[];
}

/** sklearn's mutual_info_classif (k = 3 by default). */
export async function mutualInfoClassif(p: PreparedSelection, options: MutualInfoOptions = {}): Promise<FilterScores> {
  if (p.task !== 'classification') notForTask('mutual_info_classif', p.task);
  return mutualInfo(p, 'mutual_info_classif', options);
}

/** sklearn's mutual_info_regression (k = 3 by default). */
export async function mutualInfoRegression(p: PreparedSelection, options: MutualInfoOptions = {}): Promise<FilterScores> {
  if (p.task !== 'regression') notForTask('mutual_info_regression', p.task);
  return mutualInfo(p, 'mutual_info_regression', options);
}

function notForTask(method: string, task: string): never {
  throw new SelectError('not-for-task', { params: { method, task } }, `${method} does not apply to a ${task} target`);
}

async function mutualInfo(p: PreparedSelection, method: 'mutual_info_classif' | 'mutual_info_regression', options: MutualInfoOptions): Promise<FilterScores> {
  const k = options.neighbors ?? 3;
  checkOption(Number.isInteger(k) && k >= 1, 'neighbors', k, 'must be a whole number, at least 1');
  if (p.train.n <= k) tooFewRows(method, p.train.n, k + 1);
  const steps = new Steps(options, p.d);
  const classTarget = p.task === 'classification';
  const y = classTarget ? p.train.y : scaled(p.train.y);
  const columnScores = new Float64Array(p.d);
  for (let j = 0; j < p.d; j++) {
    const isDiscrete = options.discrete?.[j] ?? false;
    const x = column(p.train, p.d, j);
    if (isDiscrete && classTarget) columnScores[j] = contingencyMutualInfo(x, y);
    else if (isDiscrete) columnScores[j] = continuousDiscrete(y, x, k);
    else if (classTarget) columnScores[j] = continuousDiscrete(x, y, k);
    else columnScores[j] = continuousContinuous(scaled(x), y, k);
    await steps.step();
  }
  return { method, columnScores, ...byFeature(p, columnScores) };
}

function column(part: Part, d: number, j: number): Float64Array {
  const out = new Float64Array(part.n);
  for (let i = 0; i < part.n; i++) out[i] = part.x[i * d + j]!;
  return out;
}

/** Divided by the population standard deviation (sklearn's scale(with_mean=False)); constant: as is. */
function scaled(values: Float64Array): Float64Array {
  const n = values.length;
  let mean = 0;
  for (const v of values) mean += v;
  mean /= n;
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  const std = Math.sqrt(ss / n);
  return std > 0 ? values.map((v) => v / std) : values;
}

/** Positions 0..n-1 ordered by value (ties by position), and the values in that order. */
function sortedBy(values: Float64Array): { order: Uint32Array; sorted: Float64Array } {
  const order = Uint32Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a]! - values[b]! || a - b);
  return { order, sorted: Float64Array.from(order, (i) => values[i]!) };
}

/**
 * How many sorted values lie within `radius` of v: |value - v| < radius, or == 0 when radius is 0 (what
 * sklearn's query with nextafter(radius, 0) counts). Both ends by binary search on the same predicate.
 */
function countWithin(sorted: Float64Array, v: number, radius: number): number {
  const inside = radius > 0 ? (dist: number) => dist < radius : (dist: number) => dist <= 0;
  // first index whose value is not too far below v
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < v && !inside(v - sorted[mid]!)) lo = mid + 1;
    else hi = mid;
  }
  const first = lo;
  // first index whose value is too far above v
  hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= v || inside(sorted[mid]! - v)) lo = mid + 1;
    else hi = mid;
  }
  return lo - first;
}

/** Kraskov et al.'s estimator 1 with the max-norm (sklearn's _compute_mi_cc). */
function continuousContinuous(x: Float64Array, y: Float64Array, k: number): number {
  const n = x.length;
  const { order, sorted: xs } = sortedBy(x);
  const ys = Float64Array.from(y).sort();
  const nearest = new Float64Array(k);
  let sumX = 0;
  let sumY = 0;
  for (let s = 0; s < n; s++) {
    const i = order[s]!;
    // the k smallest max-norm distances, walking outwards in x order until the x gap alone is too large
    nearest.fill(Infinity);
    let left = s - 1;
    let right = s + 1;
    while (left >= 0 || right < n) {
      const gapLeft = left >= 0 ? xs[s]! - xs[left]! : Infinity;
      const gapRight = right < n ? xs[right]! - xs[s]! : Infinity;
      if (Math.min(gapLeft, gapRight) >= nearest[k - 1]!) break;
      const j = gapLeft <= gapRight ? order[left--]! : order[right++]!;
      insertSorted(nearest, Math.max(Math.abs(x[j]! - x[i]!), Math.abs(y[j]! - y[i]!)));
    }
    const eps = nearest[k - 1]!;
    sumX += digamma(countWithin(xs, x[i]!, eps));
    sumY += digamma(countWithin(ys, y[i]!, eps));
  }
  // countWithin includes the row itself: it is n_x + 1
  return Math.max(0, digamma(n) + digamma(k) - sumX / n - sumY / n);
}

/** Keep the k smallest values in ascending order. */
function insertSorted(best: Float64Array, d: number): void {
  let i = best.length - 1;
  if (!(d < best[i]!)) return;
  while (i > 0 && best[i - 1]! > d) {
    best[i] = best[i - 1]!;
    i--;
  }
  best[i] = d;
}

/** Ross's estimator (sklearn's _compute_mi_cd): c continuous, d discrete. */
function continuousDiscrete(c: Float64Array, d: Float64Array, k: number): number {
  const labels = new Map<number, number[]>();
  for (let i = 0; i < c.length; i++) {
    const list = labels.get(d[i]!);
    if (list) list.push(i);
    else labels.set(d[i]!, [i]);
  }
  const radius = new Float64Array(c.length).fill(NaN);
  let kSum = 0;
  let countSum = 0;
  let kept = 0;
  for (const rows of labels.values()) {
    if (rows.length < 2) continue; // a label seen once has no neighbour: left out, as sklearn does
    const kk = Math.min(k, rows.length - 1);
    const values = Float64Array.from(rows, (i) => c[i]!).sort();
    rows.forEach((i) => (radius[i] = kthNeighbour1d(values, c[i]!, kk)));
    kSum += digamma(kk) * rows.length;
    countSum += digamma(rows.length) * rows.length;
    kept += rows.length;
  }
  if (kept === 0) return 0;
  const all = Float64Array.from(c.filter((_, i) => !Number.isNaN(radius[i]!))).sort();
  let mSum = 0;
  for (let i = 0; i < c.length; i++) if (!Number.isNaN(radius[i]!)) mSum += digamma(countWithin(all, c[i]!, radius[i]!));
  return Math.max(0, digamma(kept) + kSum / kept - countSum / kept - mSum / kept);
}

/** Distance from v (one of the sorted values) to its k-th nearest other value. */
function kthNeighbour1d(sorted: Float64Array, v: number, k: number): number {
  // v's own position (any copy of v will do: the others at distance 0 count as neighbours)
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  let left = lo - 1;
  let right = lo + 1;
  let dist = 0;
  for (let found = 0; found < k; found++) {
    const dl = left >= 0 ? v - sorted[left]! : Infinity;
    const dr = right < sorted.length ? sorted[right]! - v : Infinity;
    if (dl <= dr) {
      dist = dl;
      left--;
    } else {
      dist = dr;
      right++;
    }
  }
  return dist;
}

/** Plug-in MI of two discrete variables in nats (sklearn's mutual_info_score). */
function contingencyMutualInfo(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  const joint = new Map<string, number>();
  const countA = new Map<number, number>();
  const countB = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${a[i]}|${b[i]}`;
    joint.set(key, (joint.get(key) ?? 0) + 1);
    countA.set(a[i]!, (countA.get(a[i]!) ?? 0) + 1);
    countB.set(b[i]!, (countB.get(b[i]!) ?? 0) + 1);
  }
  let mi = 0;
  for (const [key, nij] of joint) {
    const [va, vb] = key.split('|').map(Number);
    mi += (nij / n) * Math.log((nij * n) / (countA.get(va!)! * countB.get(vb!)!));
  }
  return Math.max(0, mi);
}
