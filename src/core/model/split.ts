/**
 * Seeded, stratified train / validation / test splits of row indices, and the seeded shuffle behind them
 * (also used by the trainer to shuffle each epoch; the PRNG is core/math/random.ts). Only 32-bit integer
 * math and IEEE doubles, so a seed gives the same split in every browser, in Node and on every platform: a
 * run can be reproduced from its seed and fractions alone.
 */
import { Rng } from '../math/random';
import { trainErrorWhy } from './errors';

/** Fisher-Yates shuffle in place. */
export function shuffle<T extends { length: number; [i: number]: number }>(values: T, rng: Rng): T {
  for (let i = values.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = values[i]!;
    values[i] = values[j]!;
    values[j] = t;
  }
  return values;
}

/** 0..n-1 in a seeded random order. */
export function permutation(n: number, seed: number): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return shuffle(p, new Rng(seed));
}

export interface SplitFractions {
  train: number;
  validation: number;
  test: number;
}

export const DEFAULT_FRACTIONS: SplitFractions = { train: 0.7, validation: 0.15, test: 0.15 };

export type LabelValue = string | number | boolean | null | undefined;

export interface SplitOptions {
  seed: number;
  fractions?: SplitFractions;
  /**
   * One label per row. Rows whose label is null/undefined (or NaN) are left out of every part and listed
   * in `excluded`: they can be neither trained on nor scored.
   */
  labels?: ArrayLike<LabelValue>;
  /** Keep each class's proportions in every part (default: true when labels are given). */
  stratify?: boolean;
}

export interface Split {
  /** Row indices of each part, ascending. */
  train: Uint32Array;
  validation: Uint32Array;
  test: Uint32Array;
  /** Rows without a label. */
  excluded: Uint32Array;
  seed: number;
  fractions: SplitFractions;
  stratified: boolean;
}

/** What a run stores to reproduce its split (the indices follow from it and the label column). */
export interface SplitRecord {
  seed: number;
  fractions: SplitFractions;
  stratified: boolean;
  counts: { train: number; validation: number; test: number; excluded: number };
}

const PARTS = ['train', 'validation', 'test'] as const;

function checkFractions(f: SplitFractions): number[] {
  const values = PARTS.map((p) => f[p]);
  const bad = values.some((v) => typeof v !== 'number' || !Number.isFinite(v) || v < 0);
  const sum = values.reduce((a, b) => a + b, 0);
  if (bad || Math.abs(sum - 1) > 1e-6) {
    throw trainErrorWhy('bad-split', 'fractions', { params: { train: f.train, validation: f.validation, test: f.test, sum } }, `Split fractions must be non-negative and add up to 1 (got ${values.join(' + ')} = ${sum})`);
  }
  if (!(f.train > 0)) throw trainErrorWhy('bad-split', 'no-train-fraction', {}, 'The training fraction must be above 0');
  // renormalize away the rounding slack allowed above, so quotas never add up to more than the rows
  return values.map((v) => v / sum);
}

/** Floor with a little slack, so 0.7 * 10 = 6.9999999 still counts as 7. */
function floorish(x: number): number {
  return Math.floor(x + 1e-9);
}

/** Largest-remainder apportionment of n items by fractions (ties go to the earlier part). */
export function apportion(n: number, fractions: readonly number[]): number[] {
  const exact = fractions.map((f) => n * f);
  const counts = exact.map(floorish);
  let left = n - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((e, k) => ({ k, r: e - floorish(e) })).sort((a, b) => b.r - a.r || a.k - b.k);
  for (let i = 0; left > 0; i = (i + 1) % order.length) {
    // a zero fraction never receives a row
    if (fractions[order[i]!.k]! > 0) {
      counts[order[i]!.k]!++;
      left--;
    }
  }
  return counts;
}

function isMissing(v: LabelValue): boolean {
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
}

/**
 * Split rows 0..rowCount-1. With stratification each part gets each class in the given proportions as
 * closely as integers allow, and the part sizes still match the fractions of the whole exactly (largest
 * remainders, first within each class, then across classes).
 */
export function splitRows(rowCount: number, options: SplitOptions): Split {
  const fractions = options.fractions ?? DEFAULT_FRACTIONS;
  const f = checkFractions(fractions);
  const seed = options.seed >>> 0;
  const labels = options.labels;
  if (labels && labels.length !== rowCount) {
    throw trainErrorWhy('bad-split', 'label-count', { params: { expected: rowCount, actual: labels.length } }, `Expected ${rowCount} labels, one per row, got ${labels.length}`);
  }
  const stratified = options.stratify ?? labels !== undefined;
  if (stratified && !labels) throw trainErrorWhy('bad-split', 'no-labels', {}, 'A stratified split needs the label of each row');

  // Group rows by class (one group when not stratified), in row order.
  const groups = new Map<string, number[]>();
  const excluded: number[] = [];
  for (let i = 0; i < rowCount; i++) {
    const v = labels?.[i];
    if (labels && isMissing(v)) {
      excluded.push(i);
      continue;
    }
    const key = stratified ? String(v) : '';
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(i);
  }
  // Sorted class order: the Map's insertion order depends on which class appears first.
  const keys = [...groups.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const sizes = keys.map((k) => groups.get(k)!.length);
  const total = sizes.reduce((a, b) => a + b, 0);

  // Quotas: part totals by largest remainder; per class the floor of its exact share, plus at most one
  // extra row per part for its leftover rows.
  const targets = apportion(total, f);
  const floors = sizes.map((n) => f.map((x) => floorish(n * x)));
  const fracOf = (c: number, k: number) => sizes[c]! * f[k]! - floors[c]![k]!;
  const deficit = targets.map((t, k) => t - floors.reduce((s, q) => s + q[k]!, 0));
  const left = sizes.map((n, c) => n - floors[c]!.reduce((a, b) => a + b, 0));
  const extra = sizes.map(() => [0, 0, 0]);
  // First the largest remainders over all (class, part) pairs.
  const pairs: { c: number; k: number; r: number }[] = [];
  sizes.forEach((_, c) => f.forEach((_, k) => pairs.push({ c, k, r: fracOf(c, k) })));
  pairs.sort((a, b) => b.r - a.r || a.c - b.c || a.k - b.k);
  for (const { c, k, r } of pairs) {
    if (r > 1e-9 && left[c]! > 0 && deficit[k]! > 0) {
      extra[c]![k] = 1;
      left[c]!--;
      deficit[k]!--;
    }
  }
  // Then the rest by augmenting paths (a tiny bipartite b-matching): a class takes a part that still
  // needs rows, possibly moving another class's extra row on to a third part, so that no class gets two
  // extra rows in one part. Each class then stays within one row of its exact share in every part.
  const assign = (c: number, visited: boolean[]): boolean => {
    const order = [0, 1, 2].sort((a, b) => fracOf(c, b) - fracOf(c, a) || a - b);
    for (const k of order) {
      if (visited[k] || extra[c]![k] || !(f[k]! > 0)) continue;
      visited[k] = true;
      if (deficit[k]! > 0) {
        deficit[k]!--;
        extra[c]![k] = 1;
        return true;
      }
      for (let c2 = 0; c2 < sizes.length; c2++) {
        if (c2 === c || !extra[c2]![k]) continue;
        extra[c2]![k] = 0;
        if (assign(c2, visited)) {
          extra[c]![k] = 1;
          return true;
        }
        extra[c2]![k] = 1;
      }
    }
    return false;
  };
  for (let c = 0; c < sizes.length; c++) {
    for (; left[c]! > 0; left[c]!--) {
      if (!assign(c, [false, false, false])) {
        // no way without a second extra row: keep the part sizes exact anyway
        const k = deficit.findIndex((d) => d > 0);
        deficit[k]!--;
        extra[c]![k]!++;
      }
    }
  }
  const quota = floors.map((q, c) => q.map((v, k) => v + extra[c]![k]!));

  const parts: number[][] = [[], [], []];
  const rng = new Rng(seed);
  keys.forEach((key, c) => {
    const rows = Uint32Array.from(groups.get(key)!);
    shuffle(rows, rng);
    let at = 0;
    for (let k = 0; k < 3; k++) {
      for (let j = 0; j < quota[c]![k]!; j++) parts[k]!.push(rows[at++]!);
    }
  });
  const sorted = (xs: number[]) => Uint32Array.from(xs).sort();
  return {
    train: sorted(parts[0]!),
    validation: sorted(parts[1]!),
    test: sorted(parts[2]!),
    excluded: Uint32Array.from(excluded),
    seed,
    fractions: { ...fractions },
    stratified,
  };
}

export function splitRecord(split: Split): SplitRecord {
  return {
    seed: split.seed,
    fractions: { ...split.fractions },
    stratified: split.stratified,
    counts: {
      train: split.train.length,
      validation: split.validation.length,
      test: split.test.length,
      excluded: split.excluded.length,
    },
  };
}
