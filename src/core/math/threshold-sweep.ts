/**
 * The sweep under the ROC and precision-recall curves: examples sorted by score, highest first, and the
 * cumulative true and false positives of predicting "score >= threshold is positive" at each distinct
 * score. Tied scores move together, which is what makes the curves and their areas correct under ties.
 */

/** How many of the first n entries are truthy (the positives of a binary target). */
export function countPositives(positive: ArrayLike<boolean | number>, n = positive.length): number {
  let positives = 0;
  for (let i = 0; i < n; i++) if (positive[i]) positives++;
  return positives;
}

/** Calls `visit` once per distinct score, highest first, with the cumulative tp and fp at that threshold. */
export function sweepThresholds(
  positive: ArrayLike<boolean | number>,
  scores: ArrayLike<number>,
  visit: (threshold: number, tp: number, fp: number) => void,
): void {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < n; ) {
    const threshold = scores[order[i]!]!;
    // take every example with this score before visiting: that is what makes ties correct
    while (i < n && scores[order[i]!]! === threshold) {
      if (positive[order[i]!]) tp++;
      else fp++;
      i++;
    }
    visit(threshold, tp, fp);
  }
}
