/**
 * Sliced metrics as TFMA computes them: the metrics of the whole evaluation set and of each slice (each
 * value of a categorical column, buckets of a numeric column, crosses of two columns), with example
 * counts, a flag on slices too small to trust, and bootstrap confidence intervals.
 *
 * Point estimates come from core/model/metrics.ts on each slice's rows, so the numbers match the training
 * report. Intervals use the Poisson bootstrap (Chamandy et al. 2012; TFMA does the same): each replicate
 * gives every row an independent Poisson(1) weight instead of drawing n rows with replacement. Rows then
 * need no index arrays, each slice resamples independently in one pass over its own rows, and the metrics
 * of a replicate come from weighted sufficient statistics (a weighted confusion matrix, loss sums, a
 * weighted ROC sweep over rows sorted once) in O(rows) per replicate. The interval is the percentile
 * interval (Efron) of the replicates that define the metric.
 */
import { fnv1a32 } from '../math/hash';
import { quantileSorted } from '../math/quantile';
import { mixSeed, MULBERRY32_STEP, Rng } from '../math/random';
import { argmaxRows, classificationMetrics, regressionMetrics } from '../model/metrics';
import { thresholdMetrics } from './curves';
import { checkFinite, checkLength, EvalError } from './errors';

export type CellValue = string | number | boolean | bigint | null | undefined;

/** How one column splits the rows. */
export type FeatureSlicing =
  | {
      column: string;
      kind: 'categorical';
      /** Keep the N most frequent values as their own slices and fold the rest into "other" (default 50). */
      topN?: number;
    }
  | {
      column: string;
      kind: 'numeric';
      /** Number of buckets (default 4). */
      buckets?: number;
      /** 'quantile' (default): about equal counts; 'equal-width': equal ranges between min and max. */
      method?: 'quantile' | 'equal-width';
      /** Explicit ascending cut points instead: buckets (-inf, c0), [c0, c1), ..., [c_last, +inf). */
      cuts?: number[];
    };

/** One column's slicing, or the cross of two. */
export type SliceSpec = FeatureSlicing | { cross: [FeatureSlicing, FeatureSlicing] };

export type SliceCondition =
  | { column: string; kind: 'value'; value: string | number | boolean }
  /** The values beyond the top N, folded together; `distinct` says how many. */
  | { column: string; kind: 'other'; distinct: number }
  | { column: string; kind: 'missing' }
  /** lo <= v < hi, or lo <= v <= hi for the last bucket (closed). */
  | { column: string; kind: 'range'; bucket: number; lo: number; hi: number; closed: boolean };

export const OVERALL = 'overall';

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

/** A bootstrap percentile interval and how many replicates defined the metric. */
export interface Interval {
  lo: number;
  hi: number;
  replicates: number;
}

export interface MetricValue {
  /** NaN when undefined on this slice (AUC of a slice with one class). */
  value: number;
  /** Percentile bootstrap interval, or null without bootstrap or without enough defined replicates. */
  ci: Interval | null;
}

export interface SliceResult {
  /** OVERALL, or conditions joined, e.g. `color="red" & age∈[20, 30)`: stable across models on one set. */
  id: string;
  /** Empty for the whole set; one condition per sliced column. */
  conditions: SliceCondition[];
  count: number;
  /** Fewer than minCount examples: shown, but not to be trusted. */
  small: boolean;
  metrics: Record<string, MetricValue>;
}

export interface Slicing {
  spec: SliceSpec;
  slices: SliceResult[];
}

export interface SlicedEvaluation {
  overall: SliceResult;
  slicings: Slicing[];
  metrics: string[];
  minCount: number;
  bootstrap: { samples: number; seed: number; level: number } | null;
}

export interface BootstrapOptions {
  /** Replicates (default 200). */
  samples?: number;
  seed?: number;
  /** Coverage of the interval (default 0.95). */
  level?: number;
}

export interface SliceOptions {
  /** Column values by name, one per row, for the columns the specs use. */
  columns?: Record<string, ArrayLike<CellValue>>;
  specs?: SliceSpec[];
  /** Slices with fewer examples are flagged small (default 30). */
  minCount?: number;
  /** false turns intervals off. */
  bootstrap?: BootstrapOptions | false;
}

export const DEFAULT_TOP_N = 50;
export const DEFAULT_BUCKETS = 4;
export const DEFAULT_MIN_COUNT = 30;
export const DEFAULT_BOOTSTRAP_SAMPLES = 200;

/** Each row's slice (index into `slices`, -1 never happens: missing values get their own slice). */
export interface SliceAssignment {
  ids: Int32Array;
  slices: SliceCondition[][];
}

function isMissing(v: CellValue): boolean {
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
}

function plainValue(v: string | number | boolean | bigint): string | number | boolean {
  if (typeof v !== 'bigint') return v;
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : String(v);
}

function columnOf(columns: Record<string, ArrayLike<CellValue>> | undefined, name: string, n: number): ArrayLike<CellValue> {
  const values = columns?.[name];
  if (!values) throw new EvalError('missing-column', { column: name }, `No values were given for the slice column "${name}"`);
  if (values.length !== n) {
    throw new EvalError('length-mismatch', { column: name, params: { what: name, expected: n, actual: values.length } }, `Column "${name}" has ${values.length} values for ${n} rows`);
  }
  return values;
}

function assignCategorical(s: Extract<FeatureSlicing, { kind: 'categorical' }>, values: ArrayLike<CellValue>): SliceAssignment {
  const n = values.length;
  const topN = s.topN ?? DEFAULT_TOP_N;
  if (!Number.isInteger(topN) || topN < 1) throw new EvalError('bad-option', { column: s.column, params: { topN } }, `topN must be a positive integer, got ${topN}`);
  const first = new Map<CellValue, number>();
  const raw = new Int32Array(n);
  const counts: number[] = [];
  const keys: CellValue[] = [];
  let missing = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (isMissing(v)) {
      raw[i] = -1;
      missing++;
      continue;
    }
    let id = first.get(v);
    if (id === undefined) {
      id = keys.length;
      first.set(v, id);
      keys.push(v);
      counts.push(0);
    }
    raw[i] = id;
    counts[id]!++;
  }
  // most frequent first; ties by value so the order does not depend on row order
  const order = keys.map((_, j) => j).sort((a, b) => counts[b]! - counts[a]! || compareValues(keys[a], keys[b]));
  const kept = Math.min(topN, order.length);
  const map = new Int32Array(keys.length);
  const slices: SliceCondition[][] = [];
  for (let r = 0; r < kept; r++) {
    map[order[r]!] = r;
    slices.push([{ column: s.column, kind: 'value', value: plainValue(keys[order[r]!] as string | number | boolean | bigint) }]);
  }
  const otherId = order.length > kept ? slices.length : -1;
  if (otherId >= 0) {
    for (let r = kept; r < order.length; r++) map[order[r]!] = otherId;
    slices.push([{ column: s.column, kind: 'other', distinct: order.length - kept }]);
  }
  const missingId = missing ? slices.length : -1;
  if (missing) slices.push([{ column: s.column, kind: 'missing' }]);
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) ids[i] = raw[i]! < 0 ? missingId : map[raw[i]!]!;
  return { ids, slices };
}

function compareValues(a: CellValue, b: CellValue): number {
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) return a < b ? -1 : a > b ? 1 : 0;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function toNumber(v: CellValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return NaN;
}

function assignNumeric(s: Extract<FeatureSlicing, { kind: 'numeric' }>, values: ArrayLike<CellValue>): SliceAssignment {
  const n = values.length;
  const x = new Float64Array(n);
  let min = Infinity;
  let max = -Infinity;
  let finite = 0;
  for (let i = 0; i < n; i++) {
    const v = toNumber(values[i]);
    x[i] = Number.isFinite(v) ? v : NaN;
    if (Number.isFinite(v)) {
      finite++;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  let cuts: number[];
  let lo0 = -Infinity;
  let hiLast = Infinity;
  if (s.cuts) {
    cuts = [...s.cuts];
    if (cuts.some((c, j) => !Number.isFinite(c) || (j > 0 && c <= cuts[j - 1]!))) {
      throw new EvalError('bad-option', { column: s.column }, 'Bucket cut points must be finite and strictly ascending');
    }
  } else {
    const k = s.buckets ?? DEFAULT_BUCKETS;
    if (!Number.isInteger(k) || k < 1) throw new EvalError('bad-option', { column: s.column, params: { buckets: k } }, `Buckets must be a positive integer, got ${k}`);
    lo0 = min;
    hiLast = max;
    cuts = [];
    if (finite > 0) {
      if (s.method === 'equal-width') {
        for (let j = 1; j < k; j++) cuts.push(min + ((max - min) * j) / k);
      } else {
        const sorted = new Float64Array(finite);
        let at = 0;
        for (let i = 0; i < n; i++) if (!Number.isNaN(x[i]!)) sorted[at++] = x[i]!;
        sorted.sort();
        for (let j = 1; j < k; j++) cuts.push(sorted[Math.floor((j * finite) / k)]!);
      }
      // a cut at the minimum or repeated (heavy ties) would only make empty buckets
      cuts = cuts.filter((c, j) => c > min && c <= max && (j === 0 || c > cuts[j - 1]!));
    }
  }
  const nb = cuts.length + 1;
  const bucketCount = new Int32Array(nb);
  const raw = new Int32Array(n);
  let missing = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (Number.isNaN(v)) {
      raw[i] = -1;
      missing++;
      continue;
    }
    // bucket = number of cuts <= v
    let lo = 0;
    let hi = cuts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cuts[mid]! <= v) lo = mid + 1;
      else hi = mid;
    }
    raw[i] = lo;
    bucketCount[lo]!++;
  }
  // only buckets with rows become slices
  const map = new Int32Array(nb).fill(-1);
  const slices: SliceCondition[][] = [];
  for (let b = 0; b < nb; b++) {
    if (!bucketCount[b]) continue;
    map[b] = slices.length;
    const lo = b === 0 ? lo0 : cuts[b - 1]!;
    const hi = b === nb - 1 ? hiLast : cuts[b]!;
    slices.push([{ column: s.column, kind: 'range', bucket: b, lo, hi, closed: b === nb - 1 && Number.isFinite(hi) }]);
  }
  const missingId = missing ? slices.length : -1;
  if (missing) slices.push([{ column: s.column, kind: 'missing' }]);
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) ids[i] = raw[i]! < 0 ? missingId : map[raw[i]!]!;
  return { ids, slices };
}

function assignFeature(s: FeatureSlicing, columns: Record<string, ArrayLike<CellValue>> | undefined, n: number): SliceAssignment {
  const values = columnOf(columns, s.column, n);
  return s.kind === 'categorical' ? assignCategorical(s, values) : assignNumeric(s, values);
}

/** What columnValues needs of an Arrow Vector (structural, so this module does not load Arrow). */
export interface VectorLike {
  readonly length: number;
  readonly nullCount: number;
  get(index: number): unknown;
  toArray(): ArrayLike<unknown>;
}

/**
 * One plain value per row of an Arrow column, nulls as null. A Float64 column without nulls is returned
 * as its typed array (no copy); otherwise each value is read with get(), because toArray() leaves
 * arbitrary numbers where the nulls are and gives dictionary codes for categorical columns.
 */
export function columnValues(vector: VectorLike): ArrayLike<CellValue> {
  const raw = vector.nullCount === 0 ? vector.toArray() : null;
  if (raw instanceof Float64Array || raw instanceof Float32Array || raw instanceof Int32Array) return raw;
  const out: CellValue[] = new Array(vector.length);
  for (let i = 0; i < vector.length; i++) {
    const v = vector.get(i);
    out[i] = v === null || v === undefined ? null : v instanceof Date ? v.getTime() : (v as CellValue);
  }
  return out;
}

/** Which slice of `spec` each of the n rows falls in. Crosses keep only the combinations that occur. */
export function assignSlices(spec: SliceSpec, columns: Record<string, ArrayLike<CellValue>> | undefined, n: number): SliceAssignment {
  if (!('cross' in spec)) return assignFeature(spec, columns, n);
  const a = assignFeature(spec.cross[0], columns, n);
  const b = assignFeature(spec.cross[1], columns, n);
  const nb = b.slices.length;
  const combo = new Map<number, number>();
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const key = a.ids[i]! * nb + b.ids[i]!;
    let id = combo.get(key);
    if (id === undefined) combo.set(key, (id = combo.size));
    ids[i] = id;
  }
  // order the crossed slices as the first column's slices, then the second's
  const keys = [...combo.keys()].sort((x, y) => x - y);
  const remap = new Int32Array(keys.length);
  keys.forEach((key, r) => (remap[combo.get(key)!] = r));
  for (let i = 0; i < n; i++) ids[i] = remap[ids[i]!]!;
  const slices = keys.map((key) => [...a.slices[Math.floor(key / nb)]!, ...b.slices[key % nb]!]);
  return { ids, slices };
}

const fmt = (x: number) => (x === Infinity ? '∞' : x === -Infinity ? '-∞' : String(x));

export function conditionId(c: SliceCondition): string {
  switch (c.kind) {
    case 'value':
      return `${c.column}=${JSON.stringify(c.value)}`;
    case 'other':
      return `${c.column}=(other)`;
    case 'missing':
      return `${c.column}=(missing)`;
    case 'range':
      return `${c.column}∈[${fmt(c.lo)}, ${fmt(c.hi)}${c.closed ? ']' : ')'}`;
  }
}

export function sliceId(conditions: readonly SliceCondition[]): string {
  return conditions.length ? conditions.map(conditionId).join(' & ') : OVERALL;
}

/** Percentile interval of replicate values; NaN replicates (metric undefined) are left out. */
export function percentileInterval(replicates: ArrayLike<number>, level: number): Interval | null {
  const valid = Float64Array.from(Array.prototype.filter.call(replicates, (v: number) => !Number.isNaN(v)) as number[]).sort();
  // fewer than two defined replicates say nothing about spread
  if (valid.length < 2) return null;
  const a = (1 - level) / 2;
  return { lo: quantileSorted(valid, a), hi: quantileSorted(valid, 1 - a), replicates: valid.length };
}

/** P(Poisson(1) <= k) * 2^32 for k = 0..15: a uint32 below entry k means a draw <= k (tail < 1e-13). */
const POISSON1_CDF32 = (() => {
  const cdf = new Float64Array(16);
  let p = Math.exp(-1);
  let c = 0;
  for (let k = 0; k < 16; k++) {
    c += p;
    cdf[k] = Math.min(4294967296, c * 4294967296);
    p /= k + 1;
  }
  return cdf;
})();

/**
 * Fill `out` with Poisson(1) draws by inversion. The stream is seeded from `rng` and runs Rng's own
 * mulberry32 step (core/math/random.ts) inline: a method call per row made the bootstrap five times
 * slower, and even a call to mulberry32Output about twice as slow.
 */
export function fillPoisson1(rng: Rng, out: Uint8Array): void {
  let state = rng.nextUint32() | 0;
  const cdf = POISSON1_CDF32;
  for (let i = 0; i < out.length; i++) {
    state = (state + MULBERRY32_STEP) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = (t ^ (t >>> 14)) >>> 0;
    let k = 0;
    while (k < 15 && u >= cdf[k]!) k++;
    out[i] = k;
  }
}

/** Per-row values the replicates reuse, computed once for the whole set. */
interface Prepared {
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
    if (!(yTrue[i]! >= 0 && yTrue[i]! < k)) throw new EvalError('bad-option', { params: { row: i, label: p.yTrue[i]!, classes: k } }, `Label ${p.yTrue[i]} of row ${i} is not a class index below ${k}`);
  }
  const yPred = argmaxRows(p.probs, k);
  const loss = new Float64Array(n);
  for (let i = 0; i < n; i++) loss[i] = -Math.log(Math.min(1 - 1e-15, Math.max(1e-15, p.probs[i * k + yTrue[i]!]!)));
  const binary = k === 2;
  const pos = p.positiveClass ?? 1;
  const score = binary ? Float64Array.from({ length: n }, (_, i) => p.probs[i * 2 + pos]!) : null;
  const threshold = p.threshold ?? 0.5;
  if (binary && !Number.isFinite(threshold)) throw new EvalError('bad-option', { params: { threshold } }, 'The decision threshold must be a finite number');
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

/** Rows of each slice, ascending, by a counting sort of the slice ids. */
function groupRows(ids: Int32Array, count: number): Uint32Array[] {
  const sizes = new Int32Array(count);
  for (let i = 0; i < ids.length; i++) sizes[ids[i]!]!++;
  const groups = Array.from(sizes, (s) => new Uint32Array(s));
  const at = new Int32Array(count);
  for (let i = 0; i < ids.length; i++) {
    const g = ids[i]!;
    groups[g]![at[g]!++] = i;
  }
  return groups;
}

/**
 * Evaluates the whole set and one slicing at a time, so a caller can report progress and stop between
 * slicings (evaluateSlices does them all at once).
 */
export class SliceEvaluator {
  readonly metrics: string[];
  readonly minCount: number;
  readonly bootstrap: SlicedEvaluation['bootstrap'];
  readonly #prep: Prepared;
  readonly #columns: SliceOptions['columns'];
  readonly #scratch: Float64Array | null;

  constructor(predictions: Predictions, options: Omit<SliceOptions, 'specs'> = {}) {
    this.#prep = predictions.kind === 'classification' ? prepareClassification(predictions) : prepareRegression(predictions);
    this.#columns = options.columns;
    this.minCount = options.minCount ?? DEFAULT_MIN_COUNT;
    const boot = options.bootstrap === false ? null : {
      samples: options.bootstrap?.samples ?? DEFAULT_BOOTSTRAP_SAMPLES,
      seed: (options.bootstrap?.seed ?? 0) >>> 0,
      level: options.bootstrap?.level ?? 0.95,
    };
    if (boot && (!Number.isInteger(boot.samples) || boot.samples < 1 || !(boot.level > 0 && boot.level < 1))) {
      throw new EvalError('bad-option', { params: { samples: boot.samples, level: boot.level } }, 'Bootstrap needs a positive whole number of samples and a level between 0 and 1');
    }
    this.bootstrap = boot;
    this.metrics = this.#prep.names;
    this.#scratch = boot ? new Float64Array(this.metrics.length * boot.samples) : null;
  }

  #evaluate(rows: Uint32Array, conditions: SliceCondition[]): SliceResult {
    const boot = this.bootstrap;
    const scratch = this.#scratch;
    const id = sliceId(conditions);
    const point = this.#prep.point(rows);
    const metrics: Record<string, MetricValue> = {};
    if (boot && rows.length > 0) {
      // seeded by the slice's id: its interval does not depend on which other slices were asked for
      this.#prep.replicate(rows, new Rng(mixSeed(boot.seed, fnv1a32(id))), boot.samples, scratch!);
    }
    this.metrics.forEach((name, m) => {
      const ci = boot && rows.length > 0 ? percentileInterval(scratch!.subarray(m * boot.samples, (m + 1) * boot.samples), boot.level) : null;
      metrics[name] = { value: point[name]!, ci };
    });
    return { id, conditions, count: rows.length, small: rows.length < this.minCount, metrics };
  }

  overall(): SliceResult {
    const all = new Uint32Array(this.#prep.n);
    for (let i = 0; i < all.length; i++) all[i] = i;
    return this.#evaluate(all, []);
  }

  slicing(spec: SliceSpec): Slicing {
    const { ids, slices } = assignSlices(spec, this.#columns, this.#prep.n);
    const groups = groupRows(ids, slices.length);
    return { spec, slices: slices.map((conditions, j) => this.#evaluate(groups[j]!, conditions)) };
  }

  result(overall: SliceResult, slicings: Slicing[]): SlicedEvaluation {
    return { overall, slicings, metrics: this.metrics, minCount: this.minCount, bootstrap: this.bootstrap };
  }
}

/** Metrics of the whole set and of every slice of every spec, with counts, small-slice flags and intervals. */
export function evaluateSlices(predictions: Predictions, options: SliceOptions = {}): SlicedEvaluation {
  const evaluator = new SliceEvaluator(predictions, options);
  const overall = evaluator.overall();
  return evaluator.result(overall, (options.specs ?? []).map((spec) => evaluator.slicing(spec)));
}

/** slice id -> metric -> value, the shape blessing reads. */
export function metricTable(e: SlicedEvaluation): Record<string, Record<string, number>> {
  const table: Record<string, Record<string, number>> = {};
  for (const s of [e.overall, ...e.slicings.flatMap((x) => x.slices)]) {
    table[s.id] = Object.fromEntries(Object.entries(s.metrics).map(([k, v]) => [k, v.value]));
  }
  return table;
}
