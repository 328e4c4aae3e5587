/**
 * Drift (between two versions) and skew (between training data and what serving saw), as TFDV compares
 * them, from statistics alone.
 *
 * Categorical, text and boolean columns: L-infinity distance between the value distributions,
 *   L∞(p, q) = max over the union of values v of |p(v) - q(v)|,  p(v) = count(v) / (present values).
 * Values a side does not list count 0 there. When a side's statistics come from the sketch (more distinct
 * values than the exact cap), unlisted values each have frequency at most that side's last listed count
 * plus its countError, which bounds the error; the result is marked `approximate`.
 *
 * Number, integer and datetime columns: Jensen-Shannon divergence with base-2 logarithms (so it lies in
 * [0, 1]) between the two equal-width histograms of the finite values (NaN and ±Infinity are left out):
 * 1. Shared cells: the sorted union of both histograms' edges e_0 < ... < e_m gives the half-open cells
 *    [e_j, e_j+1), plus a point cell {e_m} at the top.
 * 2. Rebinning: a source bin [a, b] with a < b spreads its count over the cells inside it in proportion to
 *    their widths (values are taken as uniform within a bin, as TFDV does). A zero-width bin [a, a] (all
 *    values equal) is a point mass: it goes to the cell that starts at a, or to the point cell when a = e_m.
 * 3. P and Q are the rebinned counts divided by each side's total.
 * 4. JS(P, Q) = ½ Σ P_i log2(P_i / M_i) + ½ Σ Q_i log2(Q_i / M_i), M = (P + Q) / 2, where terms with
 *    P_i = 0 (resp. Q_i = 0) are 0 (the limit of x log x). No smoothing is needed: M_i > 0 wherever P_i or
 *    Q_i is. Identical distributions give 0, disjoint supports give 1.
 * A column drifts when its distance is strictly greater than the schema's threshold. A column without a
 * threshold is not checked (its distance is shown for information, never read as a pass), and a date/time
 * column without one is left out altogether: next period's dates always differ from this period's.
 */
import type { ColumnType } from '../data/types';
import type { Anomaly } from './anomalies';
import { driftMetricFor, type DriftMetric, type Schema } from './schema';
import type { ColumnStats, DatasetStats, Histogram, ValueCount } from './stats';

export interface LinfResult {
  distance: number;
  /** The value where |p - q| is largest (null when both sides are empty). */
  value: string | null;
}

/** L-infinity distance between two value-count lists, each normalized by its total. */
export function linfDistance(a: readonly ValueCount[], totalA: number, b: readonly ValueCount[], totalB: number): LinfResult {
  const diff = new Map<string, number>();
  if (totalA > 0) for (const v of a) diff.set(v.value, (diff.get(v.value) ?? 0) + v.count / totalA);
  if (totalB > 0) for (const v of b) diff.set(v.value, (diff.get(v.value) ?? 0) - v.count / totalB);
  let distance = 0;
  let value: string | null = null;
  for (const [k, d] of diff) {
    const ad = Math.abs(d);
    // ties go to the smaller value so the answer does not depend on map order
    if (ad > distance || (ad === distance && value !== null && k < value)) {
      distance = ad;
      value = k;
    }
  }
  return { distance, value };
}

/** Both histograms rebinned onto their shared cells (see the header): counts, not yet normalized. */
export function rebin(a: Histogram, b: Histogram): { edges: number[]; p: Float64Array; q: Float64Array } {
  const edges = [...new Set([...a.edges, ...b.edges])].sort((x, y) => x - y);
  const m = edges.length - 1;
  // cells 0..m-1 are [e_j, e_j+1); cell m is the point {e_m}
  const place = (h: Histogram): Float64Array => {
    const out = new Float64Array(m + 1);
    for (let i = 0; i < h.counts.length; i++) {
      const c = h.counts[i]!;
      if (c === 0) continue;
      const lo = h.edges[i]!;
      const hi = h.edges[i + 1]!;
      const j0 = edges.indexOf(lo);
      if (hi > lo) {
        const w = hi - lo;
        for (let j = j0; j < m && edges[j + 1]! <= hi; j++) out[j]! += (c * (edges[j + 1]! - edges[j]!)) / w;
      } else out[j0]! += c;
    }
    return out;
  };
  return { edges, p: place(a), q: place(b) };
}

/** Jensen-Shannon divergence (base 2) of two histograms, or null when either has no values. */
export function jensenShannon(a: Histogram, b: Histogram): number | null {
  const { p, q } = rebin(a, b);
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) {
    sp += p[i]!;
    sq += q[i]!;
  }
  if (!(sp > 0) || !(sq > 0)) return null;
  return jsDivergence(
    Array.from(p, (x) => x / sp),
    Array.from(q, (x) => x / sq),
  );
}

/** JS divergence (base 2) of two probability vectors of equal length. */
export function jsDivergence(p: readonly number[], q: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]!;
    const qi = q[i]!;
    const mi = (pi + qi) / 2;
    if (pi > 0) sum += pi * Math.log2(pi / mi);
    if (qi > 0) sum += qi * Math.log2(qi / mi);
  }
  // rounding can leave a hair outside [0, 1]
  return Math.min(1, Math.max(0, sum / 2));
}

export interface ColumnComparison {
  column: string;
  type: ColumnType;
  metric: DriftMetric | null;
  /** null when the column cannot be compared (see `note`). */
  distance: number | null;
  /** From the schema; null = not checked. */
  threshold: number | null;
  /** distance > threshold. */
  exceeded: boolean;
  /** L-infinity: the value with the largest change. */
  value: string | null;
  /** A side's statistics are approximate (sketch counts or quantile sketch). */
  approximate: boolean;
  /** Why the distance is null (the page words it): see DriftNote. */
  note: DriftNote | null;
}

/**
 * Why a column was not compared: no comparator for its type, its type changed (a different metric on each
 * side), no values or no finite values on one side, or a date/time column left out because dates drift
 * between periods by design (compared only when the schema gives it a threshold).
 */
export type DriftNote = 'no-comparator' | 'type-changed' | 'no-values' | 'no-finite-values' | 'datetime-left-out';

export type ComparisonMode = 'drift' | 'skew';

export interface Comparison {
  mode: ComparisonMode;
  columns: ColumnComparison[];
  /** Columns whose distance exceeds their threshold. */
  flagged: string[];
  /** Columns that were checked: they have a threshold and a distance. Empty = nothing was checked. */
  checked: string[];
}

function valueDistribution(s: ColumnStats): { values: ValueCount[]; total: number; approximate: boolean } | null {
  if (s.kind === 'string') return { values: s.topValues, total: s.count - s.missing, approximate: !s.topValuesComplete };
  if (s.kind === 'boolean') {
    return {
      values: [
        { value: 'true', count: s.trueCount },
        { value: 'false', count: s.falseCount },
      ],
      total: s.trueCount + s.falseCount,
      approximate: false,
    };
  }
  return null;
}

/** Distance between one column's statistics in two versions (baseline first). */
export function compareColumn(base: ColumnStats, current: ColumnStats, threshold: number | null = null): ColumnComparison {
  const metric = driftMetricFor(current.type);
  const result: ColumnComparison = {
    column: current.name,
    type: current.type,
    metric,
    distance: null,
    threshold,
    exceeded: false,
    value: null,
    approximate: false,
    note: null,
  };
  if (metric === null) {
    result.note = 'no-comparator';
    return result;
  }
  if (driftMetricFor(base.type) !== metric) {
    result.note = 'type-changed';
    return result;
  }
  if (metric === 'linf') {
    const a = valueDistribution(base);
    const b = valueDistribution(current);
    if (!a || !b || a.total === 0 || b.total === 0) {
      result.note = 'no-values';
      return result;
    }
    const r = linfDistance(a.values, a.total, b.values, b.total);
    result.distance = r.distance;
    result.value = r.value;
    result.approximate = a.approximate || b.approximate;
  } else {
    if (base.kind !== 'numeric' || current.kind !== 'numeric' || !base.histogram || !current.histogram) {
      result.note = 'no-finite-values';
      return result;
    }
    result.distance = jensenShannon(base.histogram, current.histogram);
    result.approximate = !base.exact || !current.exact;
    if (result.distance === null) result.note = 'no-finite-values';
  }
  result.exceeded = threshold !== null && result.distance !== null && result.distance > threshold;
  return result;
}

/**
 * Compare every column present in both statistics. Thresholds come from the schema (driftThreshold or
 * skewThreshold by mode); without a schema or threshold the distance is still reported, never flagged.
 */
export function compareStats(baseline: DatasetStats, current: DatasetStats, schema: Schema | null = null, mode: ComparisonMode = 'drift'): Comparison {
  const base = new Map(baseline.columns.map((c) => [c.name, c]));
  const columns: ColumnComparison[] = [];
  for (const c of current.columns) {
    const b = base.get(c.name);
    if (!b) continue;
    const f = schema?.features.find((x) => x.name === c.name);
    const threshold = f ? (mode === 'drift' ? f.driftThreshold : f.skewThreshold) : null;
    const r = compareColumn(b, c, threshold);
    if (c.type === 'datetime' && threshold === null) Object.assign(r, { distance: null, value: null, approximate: false, note: 'datetime-left-out' });
    columns.push(r);
  }
  return {
    mode,
    columns,
    flagged: columns.filter((c) => c.exceeded).map((c) => c.column),
    checked: columns.filter((c) => c.threshold !== null && c.distance !== null).map((c) => c.column),
  };
}

/**
 * Whether a drift or skew result was computed against another schema version than the current one (null =
 * no schema): its thresholds, and so its flags, are old. The page marks such a result stale.
 */
export function isStale(result: { schemaId: string | null }, currentSchemaId: string | null): boolean {
  return result.schemaId !== currentSchemaId;
}

/** Drift between a previous version and the current one. */
export function detectDrift(previous: DatasetStats, current: DatasetStats, schema: Schema | null = null): Comparison {
  return compareStats(previous, current, schema, 'drift');
}

/** Skew between training statistics and serving statistics. */
export function detectSkew(training: DatasetStats, serving: DatasetStats, schema: Schema | null = null): Comparison {
  return compareStats(training, serving, schema, 'skew');
}

/** Flagged columns as anomalies (accepting one raises its threshold to the observed distance). */
export function comparisonAnomalies(comparison: Comparison, current: DatasetStats): Anomaly[] {
  const rows = current.rowCount;
  return comparison.columns
    .filter((c) => c.exceeded)
    .map((c) => {
      const metricName = c.metric === 'linf' ? 'L-infinity distance' : 'Jensen-Shannon divergence';
      const what = comparison.mode === 'drift' ? 'drifted' : 'is skewed between training and serving';
      const at = c.metric === 'linf' && c.value !== null ? ` (largest change at ${JSON.stringify(c.value)})` : '';
      return {
        column: c.column,
        kind: comparison.mode,
        code: `validate.anomaly.${comparison.mode}.${c.metric}`,
        count: rows,
        approximate: c.approximate,
        description: `Column "${c.column}" ${what}: ${metricName} ${round(c.distance!)} is above the threshold ${c.threshold}${at}.`,
        examples: { values: c.value !== null ? [c.value] : [], rows: [] },
        params: { metric: c.metric!, distance: c.distance!, threshold: c.threshold!, value: c.value },
      } satisfies Anomaly;
    });
}

function round(x: number): string {
  return String(Number(x.toPrecision(4)));
}
