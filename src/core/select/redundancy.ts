/**
 * Redundant features by Pearson correlation between features (train rows). Two features whose |r| is
 * above the threshold carry nearly the same information, so one of them goes. Which one, by a fixed rule:
 * features are visited from the most relevant to the target to the least (f_classif's F for a
 * classification target, f_regression's F, i.e. |r| with the target, for a numeric one; an undefined score
 * counts as least relevant; ties by feature order), and a feature whose |r| with a feature already kept is
 * above the threshold is dropped as redundant with the one it is most correlated with. So of each such
 * pair the less relevant feature goes, and a chain a ~ b ~ c does not drop all three.
 * The correlation of two features of several columns (one-hot) is that of their most correlated pair of
 * columns; columns of the same feature are not compared.
 */
import type { PreparedSelection } from './data';
import { checkOption } from './errors';
import { fClassif, fRegression, rankByScore } from './filters';

export interface RedundantFeature {
  feature: number;
  /** The kept feature it correlates with most. */
  keptFeature: number;
  r: number;
}

export interface CorrelationResult {
  threshold: number;
  /** Features x features, row-major: the r of largest magnitude between their columns (1 on the diagonal). */
  correlations: Float64Array;
  /** Kept features, in feature order. */
  selected: number[];
  dropped: RedundantFeature[];
}

/** Drop the less relevant feature of each pair with |r| above `threshold` (default 0.9). */
export function dropCorrelated(p: PreparedSelection, threshold = 0.9): CorrelationResult {
  checkOption(threshold >= 0 && threshold <= 1, 'threshold', threshold, 'must be between 0 and 1');
  const columnR = columnCorrelations(p);
  const g = p.features.length;
  const correlations = new Float64Array(g * g);
  for (let a = 0; a < g; a++) {
    correlations[a * g + a] = 1;
    for (let b = a + 1; b < g; b++) {
      let best = 0;
      for (const i of p.features[a]!.columns) for (const j of p.features[b]!.columns) if (Math.abs(columnR[i * p.d + j]!) > Math.abs(best)) best = columnR[i * p.d + j]!;
      correlations[a * g + b] = best;
      correlations[b * g + a] = best;
    }
  }
  const relevance = p.task === 'classification' ? fClassif(p).scores : fRegression(p).scores;
  const kept: number[] = [];
  const dropped: RedundantFeature[] = [];
  for (const f of rankByScore(relevance)) {
    let partner = -1;
    for (const k of kept) if (Math.abs(correlations[f * g + k]!) > threshold && (partner < 0 || Math.abs(correlations[f * g + k]!) > Math.abs(correlations[f * g + partner]!))) partner = k;
    if (partner < 0) kept.push(f);
    else dropped.push({ feature: f, keptFeature: partner, r: correlations[f * g + partner]! });
  }
  return { threshold, correlations, selected: kept.sort((a, b) => a - b), dropped };
}

/** d x d Pearson correlations of the matrix columns over the train rows (0 with a constant column). */
function columnCorrelations(p: PreparedSelection): Float64Array {
  const { n, x } = p.train;
  const d = p.d;
  // centre and scale each column to unit length, column-major, so r is a dot product
  const z = new Float64Array(d * n);
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x[i * d + j]!;
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i * d + j]! - mean;
      z[j * n + i] = v;
      ss += v * v;
    }
    const norm = Math.sqrt(ss);
    for (let i = 0; i < n; i++) z[j * n + i] = norm > 0 ? z[j * n + i]! / norm : 0;
  }
  const r = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    r[a * d + a] = 1;
    for (let b = a + 1; b < d; b++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += z[a * n + i]! * z[b * n + i]!;
      r[a * d + b] = r[b * d + a] = Math.max(-1, Math.min(1, dot));
    }
  }
  return r;
}
