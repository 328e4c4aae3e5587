import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Dictionary, Field, Float64, Int32, RecordBatch, Schema, Struct, Utf8, Vector, makeData, vectorFromArray } from 'apache-arrow';
import {
  StatsAccumulator,
  ValidateError,
  computeStats,
  createAccumulator,
  histogramEdges,
  selectRanks,
  type BooleanStats,
  type ColumnStats,
  type ColumnSpec,
  type DatasetStats,
  type ImageStats,
  type NumericStats,
  type NumericSummary,
  type StringStats,
} from '../../../src/core/validate/stats';
import { MAX_KEY_LENGTH, ValueCounter, valueKey } from '../../../src/core/validate/sketches';
import {
  bruteHistogram,
  bruteMean,
  bruteQuantile,
  bruteStd,
  closeTo,
  codePointCount,
  makeBatches,
  seeded,
  type Cell,
  type TestColumn,
} from './helpers';

const AWKWARD = [[1], [3], [7], [1, 3, 7, 2], [64], [4099, 1]];

function col(stats: DatasetStats, name: string) {
  const c = stats.columns.find((x) => x.name === name);
  if (!c) throw new Error(`no column ${name}`);
  return c;
}

/** Every field of a numeric summary against a brute-force computation on the same values. */
function expectNumeric(s: NumericSummary, cells: (number | null)[], quantiles = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]) {
  const present = cells.filter((x): x is number => x !== null);
  const finite = present.filter((x) => Number.isFinite(x));
  expect(s.finite).toBe(finite.length);
  expect(s.nan).toBe(present.filter((x) => Number.isNaN(x)).length);
  expect(s.posInf).toBe(present.filter((x) => x === Infinity).length);
  expect(s.negInf).toBe(present.filter((x) => x === -Infinity).length);
  expect(s.zeros).toBe(finite.filter((x) => x === 0).length);
  if (finite.length === 0) {
    expect([s.mean, s.std, s.min, s.max, s.median, s.histogram]).toEqual([null, null, null, null, null, null]);
    expect(s.quantiles).toEqual([]);
    return;
  }
  const scale = Math.max(1, ...finite.map(Math.abs));
  expect(Math.abs(s.mean! - bruteMean(finite))).toBeLessThanOrEqual(1e-9 * scale);
  const std = bruteStd(finite);
  if (Number.isFinite(std)) expect(Math.abs(s.std! - std)).toBeLessThanOrEqual(1e-9 * scale);
  else expect(s.std).toBeNull();
  // -0 is reported as 0 (+ 0 normalizes it), as JSON would
  expect(s.min).toBe(Math.min(...finite) + 0);
  expect(s.max).toBe(Math.max(...finite) + 0);
  expect(s.exact).toBe(true);
  // quantiles are exact: equal, not merely close
  expect(s.median).toBe(bruteQuantile(finite, 0.5) + 0);
  expect(s.quantiles.map((q) => q.q)).toEqual(quantiles);
  for (const q of s.quantiles) expect(q.value).toBe(bruteQuantile(finite, q.q) + 0);
  const h = s.histogram!;
  expect(h.edges[0]).toBe(s.min);
  expect(h.edges[h.edges.length - 1]).toBe(s.max);
  expect(h.counts).toEqual(bruteHistogram(finite, h.edges));
  expect(h.counts.reduce((a, b) => a + b, 0)).toBe(finite.length);
  if (s.min !== s.max) {
    // equally spaced (checked in halves so max - min cannot overflow)
    const bins = h.counts.length;
    const lo = s.min! / 2;
    const width = (s.max! / 2 - lo) / bins;
    const tol = 1e-9 * Math.max(Math.abs(lo), Math.abs(s.max! / 2), width) + 1e-300;
    h.edges.forEach((e, i) => expect(Math.abs(e / 2 - (lo + i * width))).toBeLessThanOrEqual(tol));
  } else {
    expect(h).toEqual({ edges: [s.min, s.min], counts: [finite.length] });
  }
}

const numberCell = fc.oneof(
  { weight: 10, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
  { weight: 4, arbitrary: fc.integer({ min: -5, max: 5 }) },
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 0, -0) },
);

describe('numeric statistics', () => {
  it('equal brute force at any batch boundaries (property)', () => {
    fc.assert(
      fc.property(fc.array(numberCell, { maxLength: 120 }), fc.constantFrom(...AWKWARD), fc.boolean(), (cells, sizes, ipc) => {
        const batches = makeBatches([{ name: 'x', type: 'number', values: cells }], sizes, ipc);
        const stats = computeStats(batches, [{ name: 'x', type: 'number' }]);
        const s = col(stats, 'x') as NumericStats;
        expect(s.kind).toBe('numeric');
        expect(s.count).toBe(cells.length);
        expect(s.missing).toBe(cells.filter((c) => c === null).length);
        expectNumeric(s, cells);
      }),
      { numRuns: 300 },
    );
  });

  it('equal brute force past the small-input path (fine bins, duplicates, outliers)', () => {
    const rnd = seeded(7);
    const shapes: Record<string, () => number | null> = {
      uniform: () => rnd() * 200 - 100,
      integers: () => Math.floor(rnd() * 7),
      outliers: () => (rnd() < 0.001 ? 1e12 : rnd() < 0.3 ? null : rnd()),
      constant: () => 3.5,
      tiny: () => 1 + rnd() * 1e-12,
      huge: () => (rnd() < 0.5 ? -1.5e308 : 1.5e308) * rnd(),
    };
    for (const [name, gen] of Object.entries(shapes)) {
      const cells = Array.from({ length: 20_011 }, gen);
      for (const sizes of [[4099, 7], [65_536]]) {
        const stats = computeStats(makeBatches([{ name: 'x', type: 'number', values: cells }], sizes), null, { quantiles: [0, 0.01, 0.25, 0.5, 0.75, 0.99, 1] });
        try {
          expectNumeric(col(stats, 'x') as NumericSummary as NumericStats, cells, [0, 0.01, 0.25, 0.5, 0.75, 0.99, 1]);
        } catch (e) {
          throw new Error(`shape ${name}: ${(e as Error).message}`);
        }
      }
    }
  });

  it('handles integer and datetime columns (Timestamp read through its 64-bit words)', () => {
    const rnd = seeded(3);
    const ints = Array.from({ length: 500 }, () => (rnd() < 0.1 ? null : Math.floor(rnd() * 1000) - 500));
    const times = Array.from({ length: 500 }, () => (rnd() < 0.1 ? null : Math.floor((rnd() - 0.3) * 4e12)));
    const stats = computeStats(
      makeBatches(
        [
          { name: 'i', type: 'integer', values: ints },
          { name: 't', type: 'datetime', values: times },
        ],
        [7, 3],
      ),
    );
    expect(col(stats, 'i').type).toBe('integer');
    expectNumeric(col(stats, 'i') as NumericStats, ints);
    expect(col(stats, 't').type).toBe('datetime');
    expectNumeric(col(stats, 't') as NumericStats, times);
  });

  it('keeps std accurate for a large mean (no catastrophic cancellation)', () => {
    const cells = Array.from({ length: 10_000 }, (_, i) => 1e9 + (i % 2 === 0 ? 0.5 : -0.5));
    const s = col(computeStats(makeBatches([{ name: 'x', type: 'number', values: cells }], 333)), 'x') as NumericStats;
    expect(s.std).toBeCloseTo(0.5, 9);
    expect(s.mean).toBeCloseTo(1e9, 6);
  });

  it('reports an all-null column and NaN/Infinity-only column without numbers', () => {
    const stats = computeStats(
      makeBatches(
        [
          { name: 'nulls', type: 'number', values: [null, null, null] },
          { name: 'weird', type: 'number', values: [NaN, Infinity, -Infinity] },
        ],
        2,
      ),
    );
    const a = col(stats, 'nulls') as NumericStats;
    expect([a.count, a.missing, a.finite, a.mean, a.histogram]).toEqual([3, 3, 0, null, null]);
    const b = col(stats, 'weird') as NumericStats;
    expect([b.count, b.missing, b.finite, b.nan, b.posInf, b.negInf, b.median]).toEqual([3, 0, 0, 1, 1, 1, null]);
    // stats are plain JSON: nothing is lost in a round trip
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
  });

  it('selectRanks puts every requested order statistic in place (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -3, max: 3 })), { minLength: 1, maxLength: 400 }), fc.array(fc.nat(), { maxLength: 12 }), (xs, picks) => {
        const a = Float64Array.from(xs);
        const ranks = [...new Set(picks.map((p) => p % xs.length))].sort((x, y) => x - y);
        selectRanks(a, ranks);
        const sorted = Float64Array.from(xs).sort();
        for (const r of ranks) expect(a[r]).toBe(sorted[r]);
        expect(Float64Array.from(a).sort()).toEqual(sorted);
      }),
      { numRuns: 300 },
    );
  });

  it('histogram edges run exactly from min to max and never decrease', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 1, max: 50 }), (a, b, bins) => {
        const [min, max] = a <= b ? [a, b] : [b, a];
        const e = histogramEdges(min, max, bins);
        expect(e[0]).toBe(min + 0);
        expect(e[e.length - 1]).toBe(max + 0);
        for (let i = 1; i < e.length; i++) expect(e[i]!).toBeGreaterThanOrEqual(e[i - 1]!);
      }),
    );
  });

  it('switches to a KLL sketch past the exact cap, with quantiles within the stated rank error', () => {
    const rnd = seeded(11);
    const n = 100_000;
    const cells = Array.from({ length: n }, () => rnd() ** 3 * 1000);
    const s = col(computeStats(makeBatches([{ name: 'x', type: 'number', values: cells }], 4096), null, { maxExactValues: 10_000 }), 'x') as NumericStats;
    expect(s.exact).toBe(false);
    expect(s.rankError).toBeGreaterThan(0.01);
    expect(s.rankError).toBeLessThan(0.02);
    // moments, extremes and counts stay exact
    expect(s.min).toBe(Math.min(...cells));
    expect(s.max).toBe(Math.max(...cells));
    expect(closeTo(s.mean, bruteMean(cells))).toBe(true);
    const sorted = [...cells].sort((a, b) => a - b);
    const rankOf = (v: number) => sorted.filter((x) => x < v).length / n;
    for (const q of s.quantiles) expect(Math.abs(rankOf(q.value) - q.q)).toBeLessThan(2 * s.rankError);
    const exact = bruteHistogram(cells, s.histogram!.edges);
    s.histogram!.counts.forEach((c, i) => expect(Math.abs(c - exact[i]!)).toBeLessThan(2 * s.rankError * n));
    expect(s.histogram!.counts.reduce((a, b) => a + b, 0)).toBe(n);
  });
});

describe('categorical and text statistics', () => {
  const words = ['a', 'b', 'c', 'é', 'naïve', '😀x', '', 'long value with spaces'];
  const stringCell = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...words) }, { weight: 1, arbitrary: fc.constant(null) });

  function expectStrings(s: StringStats, cells: (string | null)[]) {
    const present = cells.filter((x): x is string => x !== null);
    expect(s.count).toBe(cells.length);
    expect(s.missing).toBe(cells.length - present.length);
    const counts = new Map<string, number>();
    for (const v of present) counts.set(v, (counts.get(v) ?? 0) + 1);
    const expected = [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
    expect(s.topValues).toEqual(expected);
    expect(s.unique).toBe(counts.size);
    expect(s.uniqueExact).toBe(true);
    expect(s.topValuesComplete).toBe(true);
    expect(s.countError).toBe(0);
    if (present.length === 0) expect(s.length).toBeNull();
    else {
      const lens = present.map(codePointCount);
      expect(s.length!.min).toBe(Math.min(...lens));
      expect(s.length!.max).toBe(Math.max(...lens));
      expect(closeTo(s.length!.mean, bruteMean(lens))).toBe(true);
    }
  }

  it('equal brute force for dictionary and Utf8 columns at any batch boundaries (property)', () => {
    fc.assert(
      fc.property(fc.array(stringCell, { maxLength: 100 }), fc.constantFrom(...AWKWARD), fc.boolean(), (cells, sizes, ipc) => {
        const stats = computeStats(
          makeBatches(
            [
              { name: 'cat', type: 'categorical', values: cells },
              { name: 'txt', type: 'text', values: cells },
            ],
            sizes,
            ipc,
          ),
          [
            { name: 'cat', type: 'categorical' },
            { name: 'txt', type: 'text' },
          ],
        );
        expectStrings(col(stats, 'cat') as StringStats, cells);
        expectStrings(col(stats, 'txt') as StringStats, cells);
      }),
      { numRuns: 200 },
    );
  });

  it('reads per-batch dictionaries with narrow index types and null dictionary entries', () => {
    const fields = [new Field('c', new Dictionary(new Utf8(), new Int32()), true, new Map([['pipette.type', 'categorical']]))];
    const schema = new Schema(fields);
    const dict = vectorFromArray(['x', null, 'y'], new Utf8());
    const data = makeData({ type: new Dictionary(new Utf8(), new Int32()), length: 5, nullCount: 0, data: new Int32Array([0, 1, 2, 2, 7]), dictionary: dict });
    const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length: 5, nullCount: 0, children: [data] }));
    const s = col(computeStats([batch]), 'c') as StringStats;
    // index 1 points at a null entry and 7 is outside the dictionary: both read as missing
    expect(s.missing).toBe(2);
    expect(s.topValues).toEqual([
      { value: 'y', count: 2 },
      { value: 'x', count: 1 },
    ]);
  });

  for (const type of ['categorical', 'text'] as const) {
    it(`bounds memory at 100k+ distinct ${type} values and keeps clear heavy hitters`, () => {
      const rnd = seeded(5);
      const n = 300_000;
      const heavy = { alpha: 0.06, beta: 0.04, gamma: 0.02 };
      const cells: string[] = [];
      const truth = new Map<string, number>();
      let next = 0;
      for (let i = 0; i < n; i++) {
        const r = rnd();
        const v = r < 0.06 ? 'alpha' : r < 0.1 ? 'beta' : r < 0.12 ? 'gamma' : `v${next++}`;
        cells.push(v);
        truth.set(v, (truth.get(v) ?? 0) + 1);
      }
      expect(next).toBeGreaterThan(100_000);
      const acc = new StatsAccumulator([{ name: 's', type }]);
      let maxEntries = 0;
      for (const b of makeBatches([{ name: 's', type, values: cells }], 65_536, true)) {
        acc.add(b);
        const counter = (acc as unknown as { overall: { columns: { values: ValueCounter }[] } }).overall.columns[0]!.values;
        maxEntries = Math.max(maxEntries, counter.counts.size);
      }
      // stated cap: at most maxTrackedValues (8192) keys, plus 2^14 bytes of HLL registers
      expect(maxEntries).toBeLessThanOrEqual(8192);
      const s = acc.finish().columns[0] as StringStats;
      expect(s.uniqueExact).toBe(false);
      expect(s.topValuesComplete).toBe(false);
      expect(Math.abs(s.unique - truth.size) / truth.size).toBeLessThan(0.03);
      expect(s.countError).toBeLessThanOrEqual(n / (4096 + 1));
      expect(s.topValues.slice(0, 3).map((v) => v.value)).toEqual(Object.keys(heavy));
      for (const v of s.topValues) {
        expect(v.count).toBeLessThanOrEqual(truth.get(v.value)!);
        expect(v.count + s.countError).toBeGreaterThanOrEqual(truth.get(v.value)!);
      }
    });
  }

  it('counts very long values under bounded keys, still distinct', () => {
    const long1 = 'x'.repeat(10_000) + '1';
    const long2 = 'x'.repeat(10_000) + '2';
    const s = col(computeStats(makeBatches([{ name: 't', type: 'text', values: [long1, long2, long1] }], 2)), 't') as StringStats;
    expect(s.unique).toBe(2);
    for (const v of s.topValues) expect(v.value.length).toBeLessThanOrEqual(MAX_KEY_LENGTH + 18);
    expect(s.topValues[0]).toEqual({ value: valueKey(long1), count: 2 });
    expect(s.length).toEqual({ min: 10_001, mean: 10_001, max: 10_001 });
  });
});

describe('boolean and image statistics', () => {
  it('counts booleans at awkward boundaries (bit offsets)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.boolean(), fc.constant(null)), { maxLength: 80 }), fc.constantFrom(...AWKWARD), (cells, sizes) => {
        const s = col(computeStats(makeBatches([{ name: 'b', type: 'boolean', values: cells }], sizes), [{ name: 'b', type: 'boolean' }]), 'b') as BooleanStats;
        expect([s.count, s.missing, s.trueCount, s.falseCount]).toEqual([cells.length, cells.filter((c) => c === null).length, cells.filter((c) => c === true).length, cells.filter((c) => c === false).length]);
      }),
    );
  });

  it('summarizes image byte sizes and, through the injected reader, width, height and channels', () => {
    // fake images: byte 0 = width, byte 1 = height, byte 2 = channels; shorter blobs are unreadable
    const img = (w: number, h: number, c: number, pad: number) => new Uint8Array([w, h, c, ...new Array(pad).fill(0)]);
    const cells: Cell[] = [img(10, 20, 3, 5), null, img(30, 40, 4, 0), new Uint8Array([1]), img(10, 10, 3, 100)];
    const imageInfo = (b: Uint8Array) => (b.length < 3 ? null : { width: b[0]!, height: b[1]!, channels: b[2]! });
    const s = col(computeStats(makeBatches([{ name: 'img', type: 'image', values: cells }], [1, 3]), null, { imageInfo }), 'img') as ImageStats;
    expect([s.count, s.missing, s.unreadable]).toEqual([5, 1, 1]);
    expectNumeric(s.bytes, [8, null, 3, 1, 103]);
    expectNumeric(s.width!, [10, 30, 10]);
    expectNumeric(s.height!, [20, 40, 10]);
    expect(s.channels).toEqual([
      { channels: 3, count: 2 },
      { channels: 4, count: 1 },
    ]);
    const noInfo = col(computeStats(makeBatches([{ name: 'img', type: 'image', values: cells }], 2)), 'img') as ImageStats;
    expect(noInfo.width).toBeNull();
  });
});

/** Mean and std depend on the summation order (batching); everything else must match exactly. */
function withoutMoments(c: ColumnStats) {
  return c.kind === 'numeric' ? { ...c, mean: 0, std: 0 } : c;
}

describe('versions, label breakdown and merging', () => {
  it('handles an empty version (no batches, and a batch of 0 rows)', () => {
    const columns: ColumnSpec[] = [
      { name: 'x', type: 'number' },
      { name: 'c', type: 'categorical' },
      { name: 'b', type: 'boolean' },
    ];
    const none = computeStats([], columns);
    expect(none.rowCount).toBe(0);
    expect(none.columns.map((c) => [c.name, c.count, c.missing])).toEqual([
      ['x', 0, 0],
      ['c', 0, 0],
      ['b', 0, 0],
    ]);
    expect((none.columns[0] as NumericStats).mean).toBeNull();
    expect((none.columns[1] as StringStats).length).toBeNull();
    const zeroRows = makeBatches([{ name: 'x', type: 'number', values: [1] }]).map((b) => b.slice(0, 0));
    expect(computeStats(zeroRows, [{ name: 'x', type: 'number' }]).rowCount).toBe(0);
    expect(computeStats([]).columns).toEqual([]);
  });

  it('rejects a column whose batch stores another type, naming the column', () => {
    const batches = makeBatches([{ name: 'age', type: 'text', values: ['1', '2'] }]);
    expect(() => computeStats(batches, [{ name: 'age', type: 'number' }])).toThrow(ValidateError);
    expect(() => computeStats(batches, [{ name: 'age', type: 'number' }])).toThrow(expect.objectContaining({ code: 'type-mismatch', details: { column: 'age', params: { type: 'number', arrow: 'Utf8' } } }));
    expect(() => computeStats(batches, [{ name: 'age', type: 'number' }])).toThrow(/column "age" is declared number but a batch stores it as Arrow Utf8/);
    expect(() => computeStats(batches, [{ name: 'zip', type: 'text' }])).toThrow(/no column "zip"/);
  });

  it('breaks statistics down by label, each group equal to the statistics of its rows', () => {
    const rnd = seeded(21);
    const n = 700;
    const label = Array.from({ length: n }, () => (rnd() < 0.05 ? null : ['cat', 'dog', 'bird'][Math.floor(rnd() * 3)]!));
    const x = Array.from({ length: n }, () => (rnd() < 0.1 ? null : Math.round(rnd() * 100) / 4));
    const c = Array.from({ length: n }, () => ['u', 'v', 'w'][Math.floor(rnd() * 3)]!);
    const cols: TestColumn[] = [
      { name: 'label', type: 'categorical', values: label },
      { name: 'x', type: 'number', values: x },
      { name: 'c', type: 'text', values: c },
    ];
    const stats = computeStats(makeBatches(cols, [7, 64, 3]), null, { labelColumn: 'label' });
    expect(stats.labelColumn).toBe('label');
    expect(stats.byLabel!.map((g) => g.label).sort()).toEqual(['bird', 'cat', 'dog', null].sort());
    for (const g of stats.byLabel!) {
      const rows = label.map((l, i) => (l === g.label ? i : -1)).filter((i) => i >= 0);
      const sub = computeStats(makeBatches(cols.map((cc) => ({ ...cc, values: rows.map((i) => cc.values[i]!) })), 1000));
      expect(g.rowCount).toBe(rows.length);
      expect(g.columns.map(withoutMoments)).toEqual(sub.columns.map(withoutMoments));
      g.columns.forEach((c, i) => {
        if (c.kind !== 'numeric') return;
        const d = sub.columns[i] as NumericStats;
        expect(closeTo(c.mean, d.mean!) && closeTo(c.std, d.std!)).toBe(true);
      });
    }
    // largest named group first, the missing-label group after the named ones
    expect(stats.byLabel![stats.byLabel!.length - 1]!.label).toBeNull();
  });

  it('puts label values past maxLabelValues into one "other" group', () => {
    const label = Array.from({ length: 50 }, (_, i) => i % 10);
    const stats = computeStats(makeBatches([{ name: 'y', type: 'integer', values: label }], 9), null, { labelColumn: 'y', maxLabelValues: 4 });
    const other = stats.byLabel!.filter((g) => g.other);
    expect(other).toHaveLength(1);
    expect(stats.byLabel!.filter((g) => !g.other)).toHaveLength(4);
    expect(stats.byLabel!.reduce((a, g) => a + g.rowCount, 0)).toBe(50);
    expect(other[0]!.rowCount).toBe(30);
  });

  it('merges accumulators over parts into the statistics of the whole', () => {
    const rnd = seeded(99);
    const n = 3000;
    const cols: TestColumn[] = [
      { name: 'x', type: 'number', values: Array.from({ length: n }, () => (rnd() < 0.1 ? null : rnd() * 10)) },
      { name: 'c', type: 'categorical', values: Array.from({ length: n }, () => `k${Math.floor(rnd() * 30)}`) },
      { name: 'b', type: 'boolean', values: Array.from({ length: n }, () => rnd() < 0.3) },
    ];
    const batches = makeBatches(cols, [333, 7]);
    const specs: ColumnSpec[] = cols.map((c) => ({ name: c.name, type: c.type }));
    const whole = computeStats(batches, specs);
    const a = new StatsAccumulator(specs);
    const b = new StatsAccumulator(specs);
    batches.forEach((batch, i) => (i % 2 ? a : b).add(batch));
    a.merge(b);
    const merged = a.finish();
    const mx = col(merged, 'x') as NumericStats;
    const wx = col(whole, 'x') as NumericStats;
    expect(closeTo(mx.mean, wx.mean!)).toBe(true);
    expect(closeTo(mx.std, wx.std!)).toBe(true);
    expect({ ...mx, mean: 0, std: 0 }).toEqual({ ...wx, mean: 0, std: 0 });
    expect(col(merged, 'c')).toEqual(col(whole, 'c'));
    expect(col(merged, 'b')).toEqual(col(whole, 'b'));
  });

  it('merges single-column accumulators, including sketches', () => {
    const rnd = seeded(4);
    const xs = Array.from({ length: 30_000 }, () => rnd());
    const mk = () => createAccumulator({ name: 'x', type: 'number' }, { maxExactValues: 5000 });
    const a = mk();
    const b = mk();
    const batches = makeBatches([{ name: 'x', type: 'number', values: xs }], 1000);
    batches.forEach((batch, i) => (i < 20 ? a : b).add(batch.getChildAt(0)!));
    a.merge(b as never);
    const s = a.finish() as NumericStats;
    expect(s.count).toBe(30_000);
    expect(s.exact).toBe(false);
    expect(Math.abs(s.median! - 0.5)).toBeLessThan(0.02);
  });
});

describe('reads Arrow buffers directly', () => {
  it('never calls Vector.get, at, toArray or iteration', () => {
    const cells = Array.from({ length: 1000 }, (_, i) => (i % 7 ? i : null));
    const batches = makeBatches(
      [
        { name: 'x', type: 'number', values: cells },
        { name: 'c', type: 'categorical', values: cells.map((v) => (v === null ? null : `k${v % 5}`)) },
        { name: 't', type: 'text', values: cells.map((v) => (v === null ? null : `t${v}`)) },
        { name: 'd', type: 'datetime', values: cells },
      ],
      100,
    );
    const proto = Vector.prototype as unknown as Record<string | symbol, unknown>;
    const names: (string | symbol)[] = ['get', 'at', 'toArray', Symbol.iterator];
    const saved = names.map((k) => proto[k]);
    let calls = 0;
    names.forEach((k, i) => {
      proto[k] = function (this: unknown, ...args: unknown[]) {
        calls++;
        return (saved[i] as (...a: unknown[]) => unknown).apply(this, args);
      };
    });
    try {
      computeStats(batches, null, { labelColumn: 'c' });
    } finally {
      names.forEach((k, i) => (proto[k] = saved[i]));
    }
    expect(calls).toBe(0);
  });

  it('accepts a generic Float64 column whose type metadata is missing', () => {
    const fields = [new Field('v', new Float64(), true)];
    const data = makeData({ type: new Float64(), length: 3, nullCount: 0, data: new Float64Array([1, 2, 3]) });
    const batch = new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: 3, nullCount: 0, children: [data] }));
    const s = computeStats([batch]);
    expect(s.columns[0]).toMatchObject({ name: 'v', type: 'number', mean: 2 });
  });
});
