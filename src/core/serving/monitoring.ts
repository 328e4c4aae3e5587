/**
 * The Deploy page's Monitoring view (issue 15): the figures of a served model's answered requests, from
 * one compact record per request (time, status, latency, the predicted classes). Pure: the records come
 * from wherever they are kept.
 *
 * - Request rate: requests per minute over the logged time, from the first request to the last (at least
 *   one minute, so a handful of requests in a second is not read as thousands a minute).
 * - Latency percentiles by the nearest-rank method: the p-th percentile of n sorted latencies is the one
 *   at rank ceil(p/100 * n) (1-based), always a latency that was measured.
 * - Error rate: answers with status 400 or above over all answers.
 * - Predicted classes: each predicted row counts once, overall and per time bucket.
 */
import type { Tensor } from './types';

/** One answered request as the Monitoring view reads it. */
export interface MonitoredRequest {
  at: number;
  status: number;
  latencyMs: number;
  /** The predicted class of each row of a classification answer (empty otherwise). */
  classes: readonly string[];
}

export interface MonitoringBucket {
  /** The bucket's start (ms since the epoch); it covers [start, start + bucketMs). */
  start: number;
  requests: number;
  errors: number;
  /** Predicted rows per class in this bucket. */
  classes: Record<string, number>;
}

export interface MonitoringSummary {
  requests: number;
  errors: number;
  /** errors / requests; null with no requests. */
  errorRate: number | null;
  /** requests / minutes logged (at least 1 minute); null with no requests. */
  perMinute: number | null;
  latency: { p50: number; p95: number; p99: number } | null;
  /** Predicted rows per class over all requests. */
  classes: Record<string, number>;
  bucketMs: number;
  /** Buckets in time order, from the first request's bucket to the last's (empty buckets included). */
  buckets: MonitoringBucket[];
}

const MINUTE = 60_000;
/** Bucket sizes to choose from: the smallest that keeps the chart within MAX_BUCKETS. */
const BUCKET_SIZES = [MINUTE, 5 * MINUTE, 15 * MINUTE, 60 * MINUTE, 6 * 60 * MINUTE, 24 * 60 * MINUTE, 7 * 24 * 60 * MINUTE];
const MAX_BUCKETS = 24;

/** The nearest-rank p-th percentile (0 < p <= 100) of values sorted ascending. */
export function nearestRank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('no values');
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** The bucket size for requests from `first` to `last`: the smallest listed size giving at most MAX_BUCKETS buckets. */
export function bucketSize(first: number, last: number): number {
  const count = (size: number) => Math.floor(last / size) - Math.floor(first / size) + 1;
  return BUCKET_SIZES.find((size) => count(size) <= MAX_BUCKETS) ?? BUCKET_SIZES[BUCKET_SIZES.length - 1]!;
}

/** The predicted class of each row of a classifier's output (probabilities in `labels` order): its largest, the first on a tie. */
export function predictedClasses(output: Tensor, labels: readonly string[]): string[] {
  const k = labels.length;
  const values = output.values as ArrayLike<number>;
  if (k === 0 || values.length % k !== 0) return [];
  const out: string[] = [];
  for (let start = 0; start < values.length; start += k) {
    let best = 0;
    for (let j = 1; j < k; j++) if (values[start + j]! > values[start + best]!) best = j;
    out.push(labels[best]!);
  }
  return out;
}

function countClasses(into: Record<string, number>, classes: readonly string[]): void {
  for (const c of classes) into[c] = (into[c] ?? 0) + 1;
}

export function summarize(records: readonly MonitoredRequest[], bucketMs?: number): MonitoringSummary {
  const n = records.length;
  const classes: Record<string, number> = {};
  if (n === 0) return { requests: 0, errors: 0, errorRate: null, perMinute: null, latency: null, classes, bucketMs: bucketMs ?? MINUTE, buckets: [] };
  // a loop, not Math.min(...): a long log would overflow the call's arguments
  let first = Infinity;
  let last = -Infinity;
  for (const r of records) {
    if (r.at < first) first = r.at;
    if (r.at > last) last = r.at;
  }
  const size = bucketMs ?? bucketSize(first, last);
  const firstBucket = Math.floor(first / size) * size;
  const buckets: MonitoringBucket[] = [];
  for (let start = firstBucket; start <= last; start += size) buckets.push({ start, requests: 0, errors: 0, classes: {} });
  let errors = 0;
  for (const r of records) {
    const failed = r.status >= 400;
    if (failed) errors++;
    const bucket = buckets[Math.floor((r.at - firstBucket) / size)]!;
    bucket.requests++;
    if (failed) bucket.errors++;
    countClasses(bucket.classes, r.classes);
    countClasses(classes, r.classes);
  }
  const latencies = records.map((r) => r.latencyMs).sort((a, b) => a - b);
  return {
    requests: n,
    errors,
    errorRate: errors / n,
    perMinute: n / Math.max(1, (last - first) / MINUTE),
    latency: { p50: nearestRank(latencies, 50), p95: nearestRank(latencies, 95), p99: nearestRank(latencies, 99) },
    classes,
    bucketMs: size,
    buckets,
  };
}

export interface FeatureDrift {
  column: string;
  metric: 'linf' | 'js';
  distance: number;
  threshold: number;
  /** Where the threshold comes from: the schema's driftThreshold, else the drift trigger's default. */
  thresholdFrom: 'schema' | 'default';
  /** distance > threshold (strictly, as the Validate stage's drift check flags). */
  exceeded: boolean;
}

/** Each measured column's drift against its threshold, farthest first. */
export function featureDrift(
  columns: readonly { column: string; metric: 'linf' | 'js'; distance: number }[],
  schemaThreshold: (column: string) => number | null,
  defaultThreshold: number,
): FeatureDrift[] {
  return columns
    .map((c) => {
      const own = schemaThreshold(c.column);
      const threshold = own ?? defaultThreshold;
      return { ...c, threshold, thresholdFrom: own === null ? ('default' as const) : ('schema' as const), exceeded: c.distance > threshold };
    })
    .sort((a, b) => b.distance - a.distance);
}
