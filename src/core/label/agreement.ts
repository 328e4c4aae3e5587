/**
 * Agreement between labelers, so the labeling instructions can be made consistent.
 * Cohen's kappa (1960) for two labelers over the rows both labeled: (p_o - p_e) / (1 - p_e), with p_o the
 * observed agreement and p_e the agreement expected from each labeler's own class frequencies.
 * Fleiss' kappa (1971) for any number of labelers.
 */
import { ABSTAIN } from './lf';

export interface CohenResult {
  kappa: number;
  /** Rows both labeled. */
  n: number;
  observed: number;
  expected: number;
  /** k x k row-major counts: row = labeler A's class, column = labeler B's class. */
  confusion: Int32Array;
  /** Row indices where both labeled and they differ, ascending. */
  disagreements: number[];
}

/**
 * a and b: one class index per row, ABSTAIN (-1) where that labeler did not label it. Kappa is NaN when
 * it is undefined: no shared rows, or p_e = 1 (both always used the same single class).
 */
export function cohenKappa(a: ArrayLike<number>, b: ArrayLike<number>, k: number): CohenResult {
  if (a.length !== b.length) throw new Error(`labelers cover ${a.length} and ${b.length} rows`);
  const confusion = new Int32Array(k * k);
  const disagreements: number[] = [];
  let n = 0;
  let agree = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === ABSTAIN || y === ABSTAIN) continue;
    if (x < 0 || x >= k || y < 0 || y >= k) throw new Error(`row ${i}: label outside 0..${k - 1}`);
    confusion[x * k + y]!++;
    n++;
    if (x === y) agree++;
    else disagreements.push(i);
  }
  if (n === 0) return { kappa: NaN, n, observed: NaN, expected: NaN, confusion, disagreements };
  let expected = 0;
  for (let c = 0; c < k; c++) {
    let rowSum = 0;
    let colSum = 0;
    for (let d = 0; d < k; d++) {
      rowSum += confusion[c * k + d]!;
      colSum += confusion[d * k + c]!;
    }
    expected += (rowSum / n) * (colSum / n);
  }
  const observed = agree / n;
  const kappa = expected === 1 ? NaN : (observed - expected) / (1 - expected);
  return { kappa, n, observed, expected, confusion, disagreements };
}

/**
 * Fleiss' kappa. labels: n x r row-major (r labelers), ABSTAIN where one did not label a row. Rows with
 * fewer than two labels are skipped; rows may have different numbers of labels (per-row agreement
 * P_i = sum_c n_ic (n_ic - 1) / (n_i (n_i - 1)), p_c over all labels given).
 */
export function fleissKappa(labels: ArrayLike<number>, r: number, k: number): { kappa: number; rows: number } {
  const n = labels.length / r;
  const counts = new Float64Array(k);
  const totals = new Float64Array(k);
  let pSum = 0;
  let rows = 0;
  let given = 0;
  for (let i = 0; i < n; i++) {
    counts.fill(0);
    let ni = 0;
    for (let j = 0; j < r; j++) {
      const v = labels[i * r + j]!;
      if (v === ABSTAIN) continue;
      counts[v]!++;
      ni++;
    }
    if (ni < 2) continue;
    let s = 0;
    for (let c = 0; c < k; c++) {
      s += counts[c]! * (counts[c]! - 1);
      totals[c]! += counts[c]!;
    }
    pSum += s / (ni * (ni - 1));
    given += ni;
    rows++;
  }
  if (rows === 0) return { kappa: NaN, rows };
  const pBar = pSum / rows;
  let pe = 0;
  for (let c = 0; c < k; c++) pe += (totals[c]! / given) ** 2;
  return { kappa: pe === 1 ? NaN : (pBar - pe) / (1 - pe), rows };
}
