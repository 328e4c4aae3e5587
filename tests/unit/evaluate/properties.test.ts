/** Properties over random inputs (fast-check): the invariants the hand-computed tests pin at one point. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateBlessing } from '../../../src/core/evaluate/blessing';
import { thresholdMetrics } from '../../../src/core/evaluate/curves';
import type { PredictFn } from '../../../src/core/evaluate/explain';
import { kernelShap } from '../../../src/core/evaluate/kernel-shap';
import { fairnessIndicators } from '../../../src/core/evaluate/fairness';
import { assignSlices } from '../../../src/core/evaluate/slice-assign';
import { evaluateSlices, OVERALL } from '../../../src/core/evaluate/slices';

const score = fc.double({ min: 0, max: 1, noNaN: true });

describe('properties', () => {
  it('fairness: group counts add up to the overall ones, which match thresholdMetrics', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.boolean(), score), { minLength: 2, maxLength: 60 }),
        fc.array(score, { minLength: 1, maxLength: 5 }),
        (rows, thresholds) => {
          const groups = rows.map((r) => r[0]);
          const positive = rows.map((r) => r[1]);
          const scores = rows.map((r) => r[2]);
          fc.pre(new Set(groups).size >= 2 && positive.some((p) => p) && positive.some((p) => !p));
          const rep = fairnessIndicators({ column: 'g', groups, positive, scores, thresholds });
          for (const t of rep.thresholds) {
            const direct = thresholdMetrics(positive, scores, t.threshold);
            expect(t.overall).toEqual(direct);
            for (const key of ['tp', 'fp', 'tn', 'fn'] as const) expect(t.groups.reduce((s, m) => s + m[key], 0)).toBe(direct[key]);
            t.groups.forEach((m, i) => {
              expect(m.tp + m.fn).toBe(rep.groups[i]!.positives);
              expect(m.count).toBe(rep.groups[i]!.count);
            });
            const g = t.gaps;
            // demographic parity: the spread of the groups' positive rates, recounted from their confusion counts
            const rates = t.groups.map((m) => (m.tp + m.fp) / m.count);
            expect(g.demographicParityDifference).toBeCloseTo(Math.max(...rates) - Math.min(...rates), 12);
            if (!Number.isNaN(g.tprGap) && !Number.isNaN(g.fprGap)) expect(g.equalizedOddsDifference).toBe(Math.max(g.tprGap, g.fprGap));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('slices partition the rows, and intervals are ordered', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.option(fc.constantFrom('x', 'y', 'z')), fc.option(fc.double({ min: -5, max: 5, noNaN: true })), fc.boolean(), score), { minLength: 1, maxLength: 80 }),
        fc.integer({ min: 1, max: 5 }),
        (rows, buckets) => {
          const n = rows.length;
          const columns = { c: rows.map((r) => r[0]), v: rows.map((r) => r[1]) };
          const specs = [
            { column: 'c', kind: 'categorical' as const, topN: 2 },
            { column: 'v', kind: 'numeric' as const, buckets },
            { cross: [{ column: 'c', kind: 'categorical' as const }, { column: 'v', kind: 'numeric' as const, buckets, method: 'equal-width' as const }] as [never, never] },
          ];
          for (const spec of specs) {
            const a = assignSlices(spec, columns, n);
            const counts = new Array(a.slices.length).fill(0);
            for (const id of a.ids) counts[id]++;
            expect(counts.every((c) => c > 0)).toBe(true);
          }
          const e = evaluateSlices(
            { kind: 'classification', yTrue: rows.map((r) => (r[2] ? 1 : 0)), probs: rows.flatMap((r) => [1 - r[3], r[3]]), classes: ['n', 'p'] },
            { columns, specs, bootstrap: { samples: 20, seed: 1 } },
          );
          for (const slicing of e.slicings) expect(slicing.slices.reduce((s, x) => s + x.count, 0)).toBe(n);
          for (const s of [e.overall, ...e.slicings.flatMap((x) => x.slices)]) {
            for (const m of Object.values(s.metrics)) if (m.ci) expect(m.ci.lo).toBeLessThanOrEqual(m.ci.hi);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('blessing: an absolute threshold passes exactly when the comparison holds', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, min: -10, max: 10 }), fc.double({ noNaN: true, min: -10, max: 10 }), fc.constantFrom('>=' as const, '<=' as const), (value, bound, op) => {
        const b = evaluateBlessing({ [OVERALL]: { m: value } }, [{ kind: 'absolute', metric: 'm', op, value: bound }], null);
        expect(b.blessed).toBe(op === '>=' ? value >= bound : value <= bound);
      }),
    );
  });

  it('KernelSHAP: additive for any small model, and a feature the model ignores gets 0', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 7 }),
        fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 8 * 3, maxLength: 8 * 3 }),
        fc.integer({ min: 0, max: 1000 }),
        async (d, coef, seed) => {
          // f = tanh(Σ a_j x_j) + b x_0 x_{d-2}, ignoring the last feature
          const f = (r: Float32Array) => Math.tanh(coef.slice(0, d - 1).reduce((s, a, j) => s + a * r[j]!, 0)) + coef[20]! * r[0]! * r[Math.max(0, d - 2)]!;
          const predict: PredictFn = async (x, n) => Float32Array.from({ length: n }, (_, i) => f(x.subarray(i * d, i * d + d)));
          const bg = Float32Array.from({ length: 3 * d }, (_, i) => Math.sin(seed + i));
          const x = Array.from({ length: d }, (_, j) => Math.cos(seed * 7 + j));
          const r = await kernelShap({ predict, x, background: bg });
          const sum = r.values.reduce((a, b) => a + b, 0);
          expect(Math.abs(sum - (r.fx - r.expected))).toBeLessThan(1e-6);
          expect(Math.abs(r.values[d - 1]!)).toBeLessThan(1e-6);
        },
      ),
      { numRuns: 40 },
    );
  });
});
