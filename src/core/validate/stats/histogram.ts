/** Equal-width histogram bins over [min, max] of the finite values (see the design notes in ./index.ts). */

/**
 * Count finite values per bin of `edges` (bin i = [e_i, e_i+1), the last closed) in one pass: a bin guess
 * by arithmetic, corrected against the edges so membership is exactly by comparison. Optionally records
 * each value's bin.
 */
export function binValues(values: Float64Array, edges: Float64Array, counts: Float64Array, binOf: Uint16Array | null): void {
  const b = edges.length - 1;
  // halves keep max - min from overflowing near ±1.8e308; the guess is corrected below anyway
  const half = edges[0]! / 2;
  const scale = b / (edges[b]! / 2 - half);
  // min === max gives an infinite scale: start every guess at bin 0
  const usable = scale - scale === 0;
  const last = b - 1;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    let k = usable ? Math.floor((x / 2 - half) * scale) : 0;
    if (!(k >= 0)) k = 0;
    else if (k > last) k = last;
    while (k > 0 && x < edges[k]!) k--;
    while (k < last && x >= edges[k + 1]!) k++;
    counts[k]!++;
    if (binOf !== null) binOf[i] = k;
  }
}

/** Equal-width histogram edges over [min, max] (see the design notes in ./index.ts). */
export function histogramEdges(min: number, max: number, bins: number): number[] {
  // + 0 turns -0 into 0 (JSON has no -0; the statistics report 0)
  min += 0;
  max += 0;
  if (min === max) return [min, min];
  const edges = new Array<number>(bins + 1);
  edges[0] = min;
  for (let i = 1; i < bins; i++) {
    const t = i / bins;
    const e = min * (1 - t) + max * t;
    edges[i] = e < edges[i - 1]! ? edges[i - 1]! : e;
  }
  edges[bins] = max;
  return edges;
}
