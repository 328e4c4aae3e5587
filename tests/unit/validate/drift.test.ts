import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeStats, type Histogram } from '../../../src/core/validate/stats';
import { SUGGESTED_THRESHOLDS, inferSchema, updateFeature, withSuggestedThresholds } from '../../../src/core/validate/schema';
import { acceptAnomaly } from '../../../src/core/validate/anomalies';
import { compareStats, comparisonAnomalies, detectDrift, detectSkew, jensenShannon, jsDivergence, linfDistance, rebin } from '../../../src/core/validate/drift';
import { makeBatches, seeded } from './helpers';

/** The formula, written out directly: JS = ½ KL(P‖M) + ½ KL(Q‖M), base 2, 0 log 0 = 0. */
function directJs(p: number[], q: number[]): number {
  const kl = (a: number[], m: number[]) => a.reduce((s, ai, i) => (ai === 0 ? s : s + ai * Math.log2(ai / m[i]!)), 0);
  const m = p.map((pi, i) => (pi + q[i]!) / 2);
  return kl(p, m) / 2 + kl(q, m) / 2;
}

describe('L-infinity distance', () => {
  it('matches a hand example', () => {
    // p: a 4/8, b 3/8, c 1/8; q: a 2/8, b 4/8, d 2/8 (eighths are exact in binary)
    // |p - q|: a 2/8, b 1/8, c 1/8, d 2/8 -> max 0.25, the tie between a and d broken towards "a"
    const r = linfDistance(
      [
        { value: 'a', count: 4 },
        { value: 'b', count: 3 },
        { value: 'c', count: 1 },
      ],
      8,
      [
        { value: 'a', count: 2 },
        { value: 'b', count: 4 },
        { value: 'd', count: 2 },
      ],
      8,
    );
    expect(r.distance).toBe(0.25);
    expect(r.value).toBe('a');
  });

  it('equals the definition on random distributions (property)', () => {
    const counts = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.integer({ min: 1, max: 50 }), { minKeys: 1 });
    fc.assert(
      fc.property(counts, counts, (a, b) => {
        const ta = Object.values(a).reduce((s, x) => s + x, 0);
        const tb = Object.values(b).reduce((s, x) => s + x, 0);
        const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
        let want = 0;
        for (const k of keys) want = Math.max(want, Math.abs((a[k] ?? 0) / ta - (b[k] ?? 0) / tb));
        const list = (o: Record<string, number>) => Object.entries(o).map(([value, count]) => ({ value, count }));
        expect(linfDistance(list(a), ta, list(b), tb).distance).toBeCloseTo(want, 12);
      }),
    );
  });
});

describe('Jensen-Shannon divergence', () => {
  it('matches a hand example on identical bins', () => {
    // P = [1/4, 3/4], Q = [3/4, 1/4], M = [1/2, 1/2]
    // JS = ½(¼·log2(½) + ¾·log2(3/2)) + ½(¾·log2(3/2) + ¼·log2(½)) = -¼ + ¾·log2(1.5) = 0.18872187554...
    const a: Histogram = { edges: [0, 1, 2], counts: [1, 3] };
    const b: Histogram = { edges: [0, 1, 2], counts: [3, 1] };
    expect(jensenShannon(a, b)).toBeCloseTo(-0.25 + 0.75 * Math.log2(1.5), 14);
    expect(jensenShannon(a, b)).toBeCloseTo(directJs([0.25, 0.75], [0.75, 0.25]), 14);
  });

  it('matches a hand example that needs rebinning onto shared edges', () => {
    // A: [0,2] holds 2, [2,4] holds 2; B: [1,2] holds 1, [2,3] holds 1.
    // Shared edges 0,1,2,3,4 -> cells [0,1) [1,2) [2,3) [3,4) {4}; A spreads evenly: P = [¼, ¼, ¼, ¼, 0];
    // B: Q = [0, ½, ½, 0, 0]; M = [⅛, ⅜, ⅜, ⅛, 0].
    // KL(P‖M) = ¼·log2(¼/⅛) + 2·¼·log2(¼/⅜) + ¼·log2(¼/⅛) = ½ + ½·log2(⅔)
    // KL(Q‖M) = 2·½·log2(½/⅜) = log2(4/3)
    // JS = ½·KL(P‖M) + ½·KL(Q‖M) = ½(½ + ½·log2(⅔)) + ½·log2(4/3) = 0.1037594 + 0.2075187 = 0.3112781...
    const a: Histogram = { edges: [0, 2, 4], counts: [2, 2] };
    const b: Histogram = { edges: [1, 2, 3], counts: [1, 1] };
    const { edges, p, q } = rebin(a, b);
    expect(edges).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(p)).toEqual([1, 1, 1, 1, 0]);
    expect(Array.from(q)).toEqual([0, 1, 1, 0, 0]);
    const want = 0.5 * (0.5 + 0.5 * Math.log2(2 / 3)) + 0.5 * Math.log2(4 / 3);
    expect(want).toBeCloseTo(0.311278124459, 11);
    expect(jensenShannon(a, b)).toBeCloseTo(want, 14);
    expect(jensenShannon(a, b)).toBeCloseTo(directJs([0.25, 0.25, 0.25, 0.25, 0], [0, 0.5, 0.5, 0, 0]), 14);
  });

  it('gives 0 for the same distribution, 1 for disjoint ones, and handles point masses', () => {
    const h: Histogram = { edges: [0, 1, 2, 3], counts: [5, 0, 5] };
    expect(jensenShannon(h, { edges: [0, 1, 2, 3], counts: [50, 0, 50] })).toBe(0);
    expect(jensenShannon({ edges: [0, 1], counts: [3] }, { edges: [5, 6], counts: [3] })).toBe(1);
    // all values equal on both sides
    expect(jensenShannon({ edges: [2, 2], counts: [4] }, { edges: [2, 2], counts: [9] })).toBe(0);
    // a point mass at 5 against a point mass at 7: disjoint
    expect(jensenShannon({ edges: [5, 5], counts: [4] }, { edges: [7, 7], counts: [9] })).toBe(1);
    // a point mass at the top edge of a spread-out histogram: disjoint from its interval mass
    expect(jensenShannon({ edges: [0, 10], counts: [4] }, { edges: [10, 10], counts: [1] })).toBe(1);
    // a point mass at 0 against two bins [0,1) [1,2]: cells [0,1) [1,2) {2}, P = [½, ½, 0], Q = [1, 0, 0]
    expect(jensenShannon({ edges: [0, 1, 2], counts: [1, 1] }, { edges: [0, 0], counts: [1] })).toBeCloseTo(directJs([0.5, 0.5, 0], [1, 0, 0]), 14);
    // the resolution is that of the shared edges: a point mass at 0 and an even spread over [0, 2] share
    // the single cell [0, 2) and cannot be told apart
    expect(jensenShannon({ edges: [0, 2], counts: [2] }, { edges: [0, 0], counts: [1] })).toBe(0);
    expect(jensenShannon({ edges: [0, 1], counts: [0] }, h)).toBeNull();
  });

  it('stays in [0, 1], is symmetric, and equals the direct formula on rebinned histograms (property)', () => {
    const hist = fc
      .tuple(fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: 0, max: 50, noNaN: true }), fc.array(fc.nat(20), { minLength: 1, maxLength: 6 }))
      .filter(([, , c]) => c.some((x) => x > 0))
      .map(([lo, w, counts]): Histogram => ({ edges: counts.length === 1 && w === 0 ? [lo, lo] : Array.from({ length: counts.length + 1 }, (_, i) => lo + (i * Math.max(w, 1)) / counts.length), counts }));
    fc.assert(
      fc.property(hist, hist, (a, b) => {
        const js = jensenShannon(a, b)!;
        expect(js).toBeGreaterThanOrEqual(0);
        expect(js).toBeLessThanOrEqual(1);
        expect(jensenShannon(b, a)).toBeCloseTo(js, 12);
        const { p, q } = rebin(a, b);
        const sp = p.reduce((s, x) => s + x, 0);
        const sq = q.reduce((s, x) => s + x, 0);
        expect(js).toBeCloseTo(Math.min(1, Math.max(0, directJs(Array.from(p, (x) => x / sp), Array.from(q, (x) => x / sq)))), 12);
        expect(jsDivergence([1, 0], [1, 0])).toBe(0);
      }),
    );
  });
});

describe('drift and skew between statistics', () => {
  const rnd = seeded(17);
  const n = 5000;
  const gen = (shift: number, newCat: boolean) =>
    makeBatches(
      [
        { name: 'x', type: 'number', values: Array.from({ length: n }, () => rnd() * 10 + shift) },
        { name: 'y', type: 'number', values: Array.from({ length: n }, () => rnd() * 10) },
        { name: 'c', type: 'categorical', values: Array.from({ length: n }, () => (newCat && rnd() < 0.3 ? 'new' : ['a', 'b', 'c'][Math.floor(rnd() * 3)]!)) },
        { name: 'flag', type: 'boolean', values: Array.from({ length: n }, () => rnd() < 0.5) },
      ],
      4096,
    );
  const before = computeStats(gen(0, false));
  const after = computeStats(gen(5, true));

  it('flags the shifted numeric column and the categorical column past their thresholds', () => {
    let schema = inferSchema(before);
    for (const name of ['x', 'y', 'c', 'flag']) schema = updateFeature(schema, name, { driftThreshold: 0.1, skewThreshold: 0.5 });
    const drift = detectDrift(before, after, schema);
    expect(drift.flagged).toEqual(['x', 'c']);
    const by = Object.fromEntries(drift.columns.map((c) => [c.column, c]));
    expect(by.x!.metric).toBe('js');
    expect(by.x!.distance!).toBeGreaterThan(0.4);
    expect(by.y!.distance!).toBeLessThan(0.01);
    expect(by.c!.metric).toBe('linf');
    expect(by.c!.value).toBe('new');
    // "new" went from 0 to about 0.3 of the values
    expect(Math.abs(by.c!.distance! - 0.3)).toBeLessThan(0.03);
    expect(by.flag!.distance!).toBeLessThan(0.05);

    // skew uses the skew thresholds (0.5): only x (JS about 0.5+) may pass, c does not
    const skew = detectSkew(before, after, schema);
    expect(skew.mode).toBe('skew');
    expect(skew.flagged).not.toContain('c');

    const anomalies = comparisonAnomalies(drift, after);
    expect(anomalies.map((a) => [a.column, a.kind, a.code])).toEqual([
      ['x', 'drift', 'validate.anomaly.drift.js'],
      ['c', 'drift', 'validate.anomaly.drift.linf'],
    ]);
    expect(anomalies[1]!.description).toMatch(/^Column "c" drifted: L-infinity distance 0\.\d+ is above the threshold 0\.1 \(largest change at "new"\)\.$/);
    // accepting raises the threshold to the observed distance, after which the column passes
    const relaxed = anomalies.reduce(acceptAnomaly, schema);
    expect(detectDrift(before, after, relaxed).flagged).toEqual([]);
  });

  it('reports distances without a schema and explains what it cannot compare', () => {
    const emptyCol = computeStats(makeBatches([{ name: 'x', type: 'number', values: [null, NaN] }]));
    const c = compareStats(before, emptyCol);
    expect(c.columns).toEqual([{ column: 'x', type: 'number', metric: 'js', distance: null, threshold: null, exceeded: false, value: null, approximate: false, note: 'no-finite-values' }]);
    const typed = computeStats(makeBatches([{ name: 'x', type: 'categorical', values: ['a'] }]));
    expect(compareStats(before, typed).columns[0]!.note).toBe('type-changed');
    expect(compareStats(before, after).flagged).toEqual([]);
  });

  it('without thresholds nothing is checked: distances are reported, nothing is flagged, and it says so', () => {
    const c = detectDrift(before, after, inferSchema(before));
    expect(c.checked).toEqual([]);
    expect(c.flagged).toEqual([]);
    // the distances are there (x moved a lot), but no column counts as a pass
    expect(c.columns.find((x) => x.column === 'x')!.distance!).toBeGreaterThan(0.3);
    expect(c.columns.every((x) => x.threshold === null && !x.exceeded)).toBe(true);
    // with one threshold, exactly that column is checked
    const one = detectDrift(before, after, updateFeature(inferSchema(before), 'y', { driftThreshold: 0.1 }));
    expect(one.checked).toEqual(['y']);
    expect(one.flagged).toEqual([]);
    // the suggested thresholds flag the two columns that moved
    const suggested = detectDrift(before, after, withSuggestedThresholds(inferSchema(before), 'driftThreshold'));
    expect(suggested.checked).toEqual(['x', 'y', 'c', 'flag']);
    expect(suggested.flagged).toEqual(['x', 'c']);
  });

  it('leaves a date/time column out unless it has a threshold', () => {
    const day = 86_400_000;
    const march = computeStats(makeBatches([{ name: 'd', type: 'datetime', values: Array.from({ length: 300 }, (_, i) => 1_740_787_200_000 + (i % 31) * day) }]));
    const april = computeStats(makeBatches([{ name: 'd', type: 'datetime', values: Array.from({ length: 300 }, (_, i) => 1_743_465_600_000 + (i % 30) * day) }]));
    const schema = withSuggestedThresholds(inferSchema(march), 'driftThreshold');
    expect(schema.features[0]!.driftThreshold).toBeNull();
    const out = detectDrift(march, april, schema).columns[0]!;
    expect(out).toMatchObject({ column: 'd', distance: null, exceeded: false, note: 'datetime-left-out' });
    // a threshold set on purpose checks it: two disjoint months are as far apart as can be
    const checked = detectDrift(march, april, updateFeature(schema, 'd', { driftThreshold: 0.5 }));
    expect(checked.columns[0]!.distance).toBe(1);
    expect(checked.flagged).toEqual(['d']);
  });

  it('suggested thresholds: two samples of one source differ by more than the TFDV guide\'s 0.01, and stay under the suggestion', () => {
    const r = seeded(5);
    // an unevenly spread categorical column and a normal-ish numeric one, as a small CSV would have
    const sample = (rows: number) =>
      computeStats(
        makeBatches([
          { name: 'c', type: 'categorical', values: Array.from({ length: rows }, () => { const u = r(); return u < 0.5 ? 'a' : u < 0.8 ? 'b' : u < 0.95 ? 'c' : 'd'; }) },
          { name: 'x', type: 'number', values: Array.from({ length: rows }, () => r() + r() + r() + r()) },
        ]),
      );
    const worst = { linf: 0, js: 0 };
    for (let i = 0; i < 20; i++) {
      const c = compareStats(sample(1000), sample(1000));
      worst.linf = Math.max(worst.linf, c.columns[0]!.distance!);
      worst.js = Math.max(worst.js, c.columns[1]!.distance!);
    }
    // measured: L-infinity 0.046, Jensen-Shannon 0.017 (seed 5)
    expect(worst.linf).toBeGreaterThan(0.01);
    expect(worst.linf).toBeLessThan(SUGGESTED_THRESHOLDS.linf);
    expect(worst.js).toBeLessThan(SUGGESTED_THRESHOLDS.js);
  });
});
