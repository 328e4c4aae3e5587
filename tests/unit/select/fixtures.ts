/**
 * Data for the feature-selection tests. The synthetic sets come from a 32-bit linear congruential
 * generator (x = (1664525 x + 1013904223) mod 2^32, divided by 2^32) that is exact in JavaScript and in
 * Python, so reference numbers computed by scikit-learn describe exactly these rows. The Python side:
 *   def lcg(seed):
 *       s = seed
 *       while True:
 *           s = (s * 1664525 + 1013904223) % 2**32
 *           yield s / 4294967296
 */
import { expect } from 'vitest';
import { prepareSelection, type FeatureGroup, type PreparedSelection, type SelectTarget } from '../../../src/core/select';

export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Rows of numbers as a prepared selection; train = validation = all rows unless given. */
export function prepared(
  rows: number[][],
  target: SelectTarget,
  o: { names?: string[]; groups?: FeatureGroup[]; train?: number[]; validation?: number[] } = {},
): PreparedSelection {
  const cols = rows[0]!.length;
  return prepareSelection({
    x: Float64Array.from(rows.flat()),
    rows: rows.length,
    cols,
    columnNames: o.names ?? range(cols).map((j) => `x${j}`),
    groups: o.groups,
    target,
    train: o.train ?? range(rows.length),
    validation: o.validation ?? range(rows.length),
  });
}

export const classes = (k: number) => range(k).map((c) => `c${c}`);

/**
 * 60 rows, 3 classes (row i is class i % 3): x0 = u + 0.5 class (informative), x1 = u (noise),
 * x2 = u² + 0.3 [class 2] (informative for class 2), x3 = 2u + 0.2 class (weak). Seed 7.
 */
export function classificationRows(): { x: number[][]; y: number[] } {
  const u = lcg(7);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 60; i++) {
    const c = i % 3;
    const x0 = u() + 0.5 * c;
    const x1 = u();
    const a = u();
    const x3 = 2 * u() + 0.2 * c;
    x.push([x0, x1, a * a + (c === 2 ? 0.3 : 0), x3]);
    y.push(c);
  }
  return { x, y };
}

/** 60 rows: x0, x1, x2 uniform, x3 = x0 + 0.2 u; y = 2 x0 - x1 + 0.1 u. Seed 11. */
export function regressionRows(): { x: number[][]; y: number[] } {
  const u = lcg(11);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 60; i++) {
    const row = [u(), u(), u()];
    row.push(row[0]! + 0.2 * u());
    x.push(row);
    y.push(2 * row[0]! - row[1]! + 0.1 * u());
  }
  return { x, y };
}

/** |got - want| <= tol |want| for each value (relative; exact at 0). */
export function expectClose(got: ArrayLike<number>, want: readonly number[], tol: number): void {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(Math.abs(got[i]! - w), `[${i}] got ${got[i]}, want ${w}`).toBeLessThanOrEqual(tol * Math.abs(w)));
}

/**
 * A task whose answer is known: 300 rows, the first 200 train and the last 100 validation. Classification:
 * class 1 when x0 + x1 + 0.3 u > 1.15 (its mean), with x2..x5 pure noise. Regression: y = 3 x0 + 2 [cat = b] - 2 [cat = c]
 * + 0.1 u, with noise columns x1, x2 and the categorical cat one-hot in columns 3..5.
 */
export function knownAnswer(task: 'classification' | 'regression'): PreparedSelection {
  const u = lcg(task === 'classification' ? 21 : 22);
  const rows: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 300; i++) {
    if (task === 'classification') {
      const row = Array.from({ length: 6 }, () => u());
      rows.push(row);
      y.push(row[0]! + row[1]! + 0.3 * u() > 1.15 ? 1 : 0);
    } else {
      const [x0, x1, x2] = [u(), u(), u()];
      const cat = Math.floor(u() * 3);
      rows.push([x0, x1, x2, cat === 0 ? 1 : 0, cat === 1 ? 1 : 0, cat === 2 ? 1 : 0]);
      y.push(3 * x0 + (cat === 1 ? 2 : cat === 2 ? -2 : 0) + 0.1 * u());
    }
  }
  const split = { train: range(200), validation: range(100).map((i) => 200 + i) };
  if (task === 'classification') return prepared(rows, { kind: 'classification', y, classes: classes(2) }, split);
  const groups = [{ name: 'x0', columns: [0] }, { name: 'x1', columns: [1] }, { name: 'x2', columns: [2] }, { name: 'cat', columns: [3, 4, 5] }];
  return prepared(rows, { kind: 'regression', y }, { ...split, groups });
}
