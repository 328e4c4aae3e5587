/**
 * Scoring combined labels (majority vote, the label model) against gold labels. The Label page and the
 * Train stage's weak-supervision comparison use these same functions, so their numbers mean the same.
 */
import { tieHash } from './label-model';
import { ABSTAIN } from './lf';

export interface LabelScore {
  /** Rows with a label / all rows looked at. */
  coverage: number;
  /** Right / scored, over labeled rows that have a gold label; null without gold (or nothing scored). */
  accuracy: number | null;
  /** Rows with a label and a gold label. */
  scored: number;
}

/** Score `pred` against `gold` (-1 = none in either) on the given row positions, or on all of them. */
export function scoreLabels(pred: ArrayLike<number>, gold: ArrayLike<number> | null, rows?: ArrayLike<number>): LabelScore {
  const count = rows ? rows.length : pred.length;
  let labeled = 0;
  let scored = 0;
  let right = 0;
  for (let t = 0; t < count; t++) {
    const i = rows ? rows[t]! : t;
    if (pred[i] === ABSTAIN) continue;
    labeled++;
    if (gold && gold[i] !== ABSTAIN) {
      scored++;
      if (gold[i] === pred[i]) right++;
    }
  }
  return { coverage: count === 0 ? 0 : labeled / count, accuracy: gold && scored > 0 ? right / scored : null, scored };
}

/**
 * A label for every row: where `pred` abstains (every function was silent), the class that majorityVote's
 * 'random' tie-break gives a tie of all k classes, as Snorkel's tutorial scores a model on all rows.
 * `rows` names each entry's dataset row, as in majorityVote, so the tie-break is the same one.
 */
export function breakAbstains(pred: ArrayLike<number>, k: number, options: { rows?: ArrayLike<number>; seed?: number } = {}): Int32Array {
  const { rows, seed = 0 } = options;
  return Int32Array.from({ length: pred.length }, (_, i) => (pred[i] === ABSTAIN ? tieHash(rows ? rows[i]! : i, seed) % k : pred[i]!));
}

/**
 * How a gold column's value names a class: trimmed, case-insensitive. Returns the class index, or -1 for
 * a missing value, or undefined for a value that names no class.
 */
export function goldClassReader(classes: readonly string[]): (value: unknown) => number | undefined {
  const index = new Map(classes.map((c, i) => [c.trim().toLowerCase(), i]));
  return (value) => (value === null || value === undefined ? ABSTAIN : index.get(String(value).trim().toLowerCase()));
}
