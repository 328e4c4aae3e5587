/**
 * Snorkel's LF summary (LFAnalysis.lf_summary) over a label matrix. As in Snorkel, every fraction is of
 * ALL n rows, so overlaps <= coverage and conflicts <= overlaps:
 *   coverage  = rows the function labels / n
 *   overlaps  = rows it labels where at least one other function also labels / n
 *   conflicts = rows it labels where another function gives a different label / n
 * With gold labels (class index, or -1 for an unlabeled row): correct / incorrect counts over the gold
 * rows it labels, and empirical accuracy = correct / (correct + incorrect) (NaN when it labels none).
 */
import { ABSTAIN, type LabelMatrix } from './lf';

export interface LfStats {
  /** Labels it emits, ascending. */
  polarity: number[];
  coverage: number;
  overlaps: number;
  conflicts: number;
  correct?: number;
  incorrect?: number;
  accuracy?: number;
}

export interface LfSummary {
  lfs: LfStats[];
  /** Rows with at least one label / n. */
  coverage: number;
  /** Rows with at least two labels / n. */
  overlap: number;
  /** Rows with at least two different labels / n (Snorkel's label_conflict). */
  conflict: number;
}

export function lfSummary(L: LabelMatrix, gold?: ArrayLike<number>): LfSummary {
  const { n, m, k, data } = L;
  if (gold && gold.length !== n) throw new Error(`gold has ${gold.length} labels for ${n} rows`);
  const covered = new Float64Array(m);
  const overlaps = new Float64Array(m);
  const conflicts = new Float64Array(m);
  const correct = new Float64Array(m);
  const incorrect = new Float64Array(m);
  const emits = new Uint8Array(m * k);
  let anyRows = 0;
  let overlapRows = 0;
  let conflictRows = 0;
  for (let i = 0; i < n; i++) {
    const base = i * m;
    let votes = 0;
    let first = ABSTAIN;
    let mixed = false;
    for (let j = 0; j < m; j++) {
      const v = data[base + j]!;
      if (v === ABSTAIN) continue;
      votes++;
      if (first === ABSTAIN) first = v;
      else if (v !== first) mixed = true;
    }
    if (votes === 0) continue;
    anyRows++;
    if (votes > 1) overlapRows++;
    // With two or more distinct labels on a row, every voter disagrees with someone.
    if (mixed) conflictRows++;
    const g = gold ? gold[i]! : ABSTAIN;
    for (let j = 0; j < m; j++) {
      const v = data[base + j]!;
      if (v === ABSTAIN) continue;
      covered[j]!++;
      emits[j * k + v] = 1;
      if (votes > 1) overlaps[j]!++;
      if (mixed) conflicts[j]!++;
      if (g !== ABSTAIN) {
        if (v === g) correct[j]!++;
        else incorrect[j]!++;
      }
    }
  }
  const frac = (x: number) => (n === 0 ? 0 : x / n);
  const lfs: LfStats[] = [];
  for (let j = 0; j < m; j++) {
    const polarity: number[] = [];
    for (let c = 0; c < k; c++) if (emits[j * k + c]) polarity.push(c);
    const s: LfStats = { polarity, coverage: frac(covered[j]!), overlaps: frac(overlaps[j]!), conflicts: frac(conflicts[j]!) };
    if (gold) {
      s.correct = correct[j]!;
      s.incorrect = incorrect[j]!;
      const t = correct[j]! + incorrect[j]!;
      s.accuracy = t === 0 ? NaN : correct[j]! / t;
    }
    lfs.push(s);
  }
  return { lfs, coverage: frac(anyRows), overlap: frac(overlapRows), conflict: frac(conflictRows) };
}
