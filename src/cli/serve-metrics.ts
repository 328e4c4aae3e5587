/**
 * `pipette serve`'s monitoring page, GET /monitoring/prometheus/metrics, as TF Serving exposes it with a
 * Prometheus config (util/prometheus_exporter.cc; the metrics of servables/tensorflow/util.cc):
 *
 * - `:tensorflow:serving:request_count{model_name, status}`: every request, status by TF Serving's code
 *   name (OK, INVALID_ARGUMENT, NOT_FOUND, ...; a body over the limit RESOURCE_EXHAUSTED, gRPC's code for
 *   a message too large). A request whose route could not be read has model_name "".
 * - `:tensorflow:serving:request_latency{model_name, API, entrypoint}`: a histogram of the wall time of
 *   each request that named a model, in microseconds, with TF Serving's buckets (exponential: 10 µs
 *   growing by 1.8, 33 bounds, then +Inf); API as TF Serving's service names the call (Predict,
 *   Classify, Regress, GetModelStatus, GetModelMetadata), entrypoint REST.
 *
 * TF Serving's page format: metric names with "/" as ":", a "# TYPE" line per metric, histogram
 * `_bucket` lines cumulative with `le`, then `_sum` and `_count`; label values with \ and " escaped.
 * Every request is counted here (the request log is what samples).
 */
import type { ServingErrorCode } from '../core/serving/errors';

const COUNT = ':tensorflow:serving:request_count';
const LATENCY = ':tensorflow:serving:request_latency';

/** TF Serving's bucket bounds: Buckets::Exponential(10, 1.8, 33). */
export const LATENCY_BOUNDS_US: readonly number[] = Array.from({ length: 33 }, (_, i) => 10 * 1.8 ** i);

const STATUS_NAMES: Record<ServingErrorCode, string> = {
  'invalid-argument': 'INVALID_ARGUMENT',
  'not-found': 'NOT_FOUND',
  'too-large': 'RESOURCE_EXHAUSTED',
  unimplemented: 'UNIMPLEMENTED',
  internal: 'INTERNAL',
  unavailable: 'UNAVAILABLE',
  'bad-log-line': 'INVALID_ARGUMENT',
};

const API_NAMES: Record<string, string> = { predict: 'Predict', classify: 'Classify', regress: 'Regress', status: 'GetModelStatus', metadata: 'GetModelMetadata' };

const escapeValue = (v: string) => v.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
const labels = (pairs: [string, string][]) => `{${pairs.map(([k, v]) => `${k}="${escapeValue(v)}"`).join(',')}}`;
/** A bound as the page writes it: whole numbers plain, others to 6 significant digits. */
const bound = (b: number) => String(Number(b.toPrecision(6)));

interface Histogram {
  /** Observations per bucket (not cumulative); the last is +Inf. */
  buckets: number[];
  sum: number;
  count: number;
}

export class ServingMetrics {
  /** Requests by model name and status name. */
  private readonly counts = new Map<string, { model: string; status: string; n: number }>();
  private readonly latencies = new Map<string, { model: string; api: string; histogram: Histogram }>();

  /** Count one answered request; `latencyMs` goes to the histogram when a model was named. */
  record(answer: { model?: string; api?: string; status: number; code?: ServingErrorCode }, latencyMs: number): void {
    const model = answer.model ?? '';
    const status = answer.status === 200 ? 'OK' : answer.code ? STATUS_NAMES[answer.code] : 'UNKNOWN';
    const countKey = `${model}\u0000${status}`;
    const count = this.counts.get(countKey) ?? { model, status, n: 0 };
    count.n++;
    this.counts.set(countKey, count);
    if (!answer.model || !answer.api) return;
    const api = API_NAMES[answer.api] ?? answer.api;
    const key = `${model}\u0000${api}`;
    let entry = this.latencies.get(key);
    if (!entry) {
      entry = { model, api, histogram: { buckets: new Array<number>(LATENCY_BOUNDS_US.length + 1).fill(0), sum: 0, count: 0 } };
      this.latencies.set(key, entry);
    }
    const us = latencyMs * 1000;
    const at = LATENCY_BOUNDS_US.findIndex((b) => us < b);
    entry.histogram.buckets[at === -1 ? LATENCY_BOUNDS_US.length : at]!++;
    entry.histogram.sum += us;
    entry.histogram.count++;
  }

  /** The page in Prometheus's text format (version 0.0.4). */
  page(): string {
    const lines: string[] = [];
    if (this.counts.size > 0) {
      lines.push(`# TYPE ${COUNT} counter`);
      for (const c of this.counts.values()) lines.push(`${COUNT}${labels([['model_name', c.model], ['status', c.status]])} ${c.n}`);
    }
    if (this.latencies.size > 0) {
      lines.push(`# TYPE ${LATENCY} histogram`);
      for (const { model, api, histogram } of this.latencies.values()) {
        const own: [string, string][] = [['model_name', model], ['API', api], ['entrypoint', 'REST']];
        let cumulative = 0;
        histogram.buckets.forEach((n, i) => {
          cumulative += n;
          const le = i < LATENCY_BOUNDS_US.length ? bound(LATENCY_BOUNDS_US[i]!) : '+Inf';
          lines.push(`${LATENCY}_bucket${labels([...own, ['le', le]])} ${cumulative}`);
        });
        lines.push(`${LATENCY}_sum${labels(own)} ${Number(histogram.sum.toPrecision(12))}`);
        lines.push(`${LATENCY}_count${labels(own)} ${histogram.count}`);
      }
    }
    return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  }
}
