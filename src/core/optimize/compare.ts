/**
 * One row per variant of a model for the comparison table and the accuracy-against-size chart. Sizes come
 * from the bundle zip (artifacts.ts: bundle bytes, gzip of the whole zip), accuracy from the test split's
 * outputs (metrics.ts), latency from the caller (measured in the worker, where the model will run).
 * Pure arithmetic: no TF.js.
 */
import { readBundle } from '../model/bundle';
import { argmaxRows } from '../model/metrics';
import { countParams, measureBundle, type BundleSizes, type OptimizationMethod, type VariantMetadata } from './artifacts';

export interface VariantLineage {
  /** The model version the variant was made from (null for the original). */
  parentModelVersionId: string | null;
  method: OptimizationMethod | 'original';
  settings: Record<string, unknown>;
  /** Earlier methods when chained (e.g. ['prune'] for a pruned-then-quantized variant). */
  previous: OptimizationMethod[];
}

export interface ComparisonRow {
  id: string;
  name: string;
  parameters: number;
  bundleBytes: number;
  gzipBytes: number;
  weightBytes: number;
  weightGzipBytes: number;
  /** Test-split accuracy, 0..1 (null when not measured). */
  accuracy: number | null;
  /** accuracy - the original's accuracy, in points of 0..1 (null without both). */
  accuracyDelta: number | null;
  /** Milliseconds per prediction batch as the caller measured it (null when not measured). */
  latencyMs: number | null;
  /** bundleGzipBytes / the original's. */
  gzipRatio: number | null;
  lineage: VariantLineage;
  /** No other row is both at least as accurate and at most as large (gzip), and better in one. */
  pareto: boolean;
}

export interface VariantInput {
  id: string;
  zip: Uint8Array;
  /** Test-split class indices and the variant's probabilities (n x classes), or an accuracy measured elsewhere. */
  test?: { yTrue: ArrayLike<number>; probs: ArrayLike<number>; classes: number } | { accuracy: number };
  latencyMs?: number | null;
  /** When the original is in the registry under another id than its metadata says. */
  parentModelVersionId?: string | null;
}

/** Accuracy of probabilities against class indices (argmax, first on ties, as metrics.ts). */
export function accuracyOf(yTrue: ArrayLike<number>, probs: ArrayLike<number>, classes: number): number {
  if (yTrue.length === 0) return NaN;
  const pred = argmaxRows(probs, classes);
  let ok = 0;
  for (let i = 0; i < yTrue.length; i++) if (pred[i] === yTrue[i]) ok++;
  return ok / yTrue.length;
}

function lineageOf(meta: VariantMetadata, override: string | null | undefined): VariantLineage {
  const o = meta.optimization;
  return {
    parentModelVersionId: override !== undefined ? override : (meta.lineage.parentModelVersionId ?? null),
    method: o ? o.method : 'original',
    settings: o ? o.settings : {},
    previous: (o?.previous ?? []).map((p) => p.method),
  };
}

/** The row of one variant, without the fields that need the others (accuracyDelta, gzipRatio, pareto). */
export function variantRow(v: VariantInput): ComparisonRow {
  const bundle = readBundle(v.zip);
  const sizes: BundleSizes = measureBundle(v.zip);
  const meta = bundle.metadata as VariantMetadata;
  const accuracy = !v.test ? null : 'accuracy' in v.test ? v.test.accuracy : accuracyOf(v.test.yTrue, v.test.probs, v.test.classes);
  return {
    id: v.id,
    name: meta.name,
    parameters: countParams(bundle.weightSpecs),
    bundleBytes: sizes.bundleBytes,
    gzipBytes: sizes.bundleGzipBytes,
    weightBytes: sizes.weightBytes,
    weightGzipBytes: sizes.weightGzipBytes,
    accuracy,
    accuracyDelta: null,
    latencyMs: v.latencyMs ?? null,
    gzipRatio: null,
    lineage: lineageOf(meta, v.parentModelVersionId),
    pareto: false,
  };
}

/**
 * Rows for an original and its variants: deltas and ratios against the original (the first input, or
 * the one with id `originalId`), and the Pareto front of accuracy against gzip size for the chart.
 */
export function compareVariants(inputs: readonly VariantInput[], originalId?: string): ComparisonRow[] {
  const rows = inputs.map(variantRow);
  return finishRows(rows, originalId);
}

/** Fill accuracyDelta, gzipRatio and pareto of rows made elsewhere (e.g. read from the registry). */
export function finishRows(rows: ComparisonRow[], originalId?: string): ComparisonRow[] {
  const original = (originalId !== undefined ? rows.find((r) => r.id === originalId) : rows[0]) ?? null;
  for (const r of rows) {
    r.accuracyDelta = original && r.accuracy !== null && original.accuracy !== null ? r.accuracy - original.accuracy : null;
    r.gzipRatio = original ? r.gzipBytes / original.gzipBytes : null;
  }
  for (const r of rows) {
    if (r.accuracy === null) {
      r.pareto = false;
      continue;
    }
    r.pareto = !rows.some(
      (o) => o !== r && o.accuracy !== null && o.accuracy >= r.accuracy! && o.gzipBytes <= r.gzipBytes && (o.accuracy > r.accuracy! || o.gzipBytes < r.gzipBytes),
    );
  }
  return rows;
}

// in its own module, so the page can plot without loading the bundle reader (fflate)
export { chartPoints } from './chart';
