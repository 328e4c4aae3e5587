import { describe, expect, it } from 'vitest';
import { bucketSize, featureDrift, nearestRank, predictedClasses, summarize, type MonitoredRequest } from '../../../src/core/serving/monitoring';

const MINUTE = 60_000;
/** A minute boundary, so the buckets below start at t0. */
const t0 = 28_333_333 * MINUTE;

// five answers over 179 s; figures computed by hand below
const records: MonitoredRequest[] = [
  { at: t0, status: 200, latencyMs: 10, classes: ['Adelie'] },
  { at: t0 + 30_000, status: 400, latencyMs: 2, classes: [] },
  { at: t0 + 70_000, status: 200, latencyMs: 30, classes: ['Gentoo', 'Adelie'] },
  { at: t0 + 150_000, status: 404, latencyMs: 1, classes: [] },
  { at: t0 + 179_000, status: 200, latencyMs: 20, classes: ['Adelie'] },
];

describe('monitoring summary', () => {
  it('counts requests and errors, the rate per minute over the logged time and the class shares', () => {
    const s = summarize(records);
    expect(s.requests).toBe(5);
    expect(s.errors).toBe(2);
    expect(s.errorRate).toBe(2 / 5);
    // 5 requests over 179 s = 5 / (179/60) min = 300/179
    expect(s.perMinute).toBeCloseTo(300 / 179, 12);
    expect(s.classes).toEqual({ Adelie: 3, Gentoo: 1 });
  });

  it('puts the requests in one-minute buckets by time', () => {
    const s = summarize(records);
    expect(s.bucketMs).toBe(MINUTE);
    expect(s.buckets).toEqual([
      { start: t0, requests: 2, errors: 1, classes: { Adelie: 1 } },
      { start: t0 + MINUTE, requests: 1, errors: 0, classes: { Gentoo: 1, Adelie: 1 } },
      { start: t0 + 2 * MINUTE, requests: 2, errors: 1, classes: { Adelie: 1 } },
    ]);
  });

  it('keeps empty buckets between requests and counts at least one minute of logged time', () => {
    const s = summarize([records[0]!, { ...records[0]!, at: t0 + 130_000 }]);
    expect(s.buckets.map((b) => b.requests)).toEqual([1, 0, 1]);
    expect(summarize([records[0]!]).perMinute).toBe(1);
  });

  it('gives nearest-rank latency percentiles (a measured latency, not interpolated)', () => {
    // sorted [1, 2, 10, 20, 30]: p50 is rank ceil(2.5) = 3, p95 rank ceil(4.75) = 5, p99 rank 5
    expect(summarize(records).latency).toEqual({ p50: 10, p95: 30, p99: 30 });
    // 1..20: ranks ceil(10) = 10, ceil(19) = 19, ceil(19.8) = 20 (numpy's linear interpolation would give 10.5, 19.05, 19.81)
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect([50, 95, 99].map((p) => nearestRank(twenty, p))).toEqual([10, 19, 20]);
    // 1..11: ranks ceil(5.5) = 6, ceil(10.45) = 11, ceil(10.89) = 11 (rounding the rank would give 10 for p95)
    const eleven = Array.from({ length: 11 }, (_, i) => i + 1);
    expect([50, 95, 99].map((p) => nearestRank(eleven, p))).toEqual([6, 11, 11]);
  });

  it('has no rates without requests', () => {
    expect(summarize([])).toMatchObject({ requests: 0, errorRate: null, perMinute: null, latency: null, buckets: [] });
  });

  it('chooses the smallest bucket size giving at most 24 buckets', () => {
    expect(bucketSize(t0, t0 + 179_000)).toBe(MINUTE);
    // minutes 0 to 23: 24 buckets; 0:50 to 24:10 touches minutes 0 to 24, 25 buckets, so 5 minutes
    expect(bucketSize(t0, t0 + 23 * MINUTE + 59_000)).toBe(MINUTE);
    expect(bucketSize(t0 + 50_000, t0 + 24 * MINUTE + 10_000)).toBe(5 * MINUTE);
    // 3 hours: 181 one-minute buckets, 37 five-minute ones, 13 of 15 minutes
    expect(bucketSize(t0, t0 + 180 * MINUTE)).toBe(15 * MINUTE);
  });
});

describe('predicted classes', () => {
  it("takes each row's most probable class, the first on a tie", () => {
    const output = { dtype: 'DT_FLOAT' as const, shape: [2, 3], values: new Float32Array([0.1, 0.7, 0.2, 0.5, 0.5, 0]) };
    expect(predictedClasses(output, ['A', 'B', 'C'])).toEqual(['B', 'A']);
  });
});

describe('feature drift', () => {
  it("applies the schema's threshold, else the default, flagging distances strictly above", () => {
    const rows = featureDrift(
      [
        { column: 'Island', metric: 'linf', distance: 0.2 },
        { column: 'Mass', metric: 'js', distance: 0.3 },
        { column: 'Bill', metric: 'js', distance: 0.1 },
      ],
      (column) => (column === 'Mass' ? 0.5 : null),
      0.1,
    );
    expect(rows).toEqual([
      { column: 'Mass', metric: 'js', distance: 0.3, threshold: 0.5, thresholdFrom: 'schema', exceeded: false },
      { column: 'Island', metric: 'linf', distance: 0.2, threshold: 0.1, thresholdFrom: 'default', exceeded: true },
      // at the threshold: not over it
      { column: 'Bill', metric: 'js', distance: 0.1, threshold: 0.1, thresholdFrom: 'default', exceeded: false },
    ]);
  });
});
