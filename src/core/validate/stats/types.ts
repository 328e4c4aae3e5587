/** Result types of the statistics (plain JSON: no NaN, no Infinity, no typed arrays) and their options. */
import type { ColumnType } from '../../data/types';

export interface Histogram {
  /** B + 1 ascending edges; edges[0] = min, edges[B] = max. */
  edges: number[];
  /** B counts; bin i is [edges[i], edges[i+1]), the last bin is closed. */
  counts: number[];
}

export interface Quantile {
  q: number;
  value: number;
}

/** Distribution of finite numbers. Null fields mean there was no finite value. */
export interface NumericSummary {
  /** Finite values (those behind mean, std, quantiles and histogram). */
  finite: number;
  nan: number;
  posInf: number;
  negInf: number;
  zeros: number;
  mean: number | null;
  /** Population standard deviation; null also when it overflows (values beyond about ±1e154). */
  std: number | null;
  min: number | null;
  max: number | null;
  median: number | null;
  quantiles: Quantile[];
  histogram: Histogram | null;
  /** Quantiles and histogram are exact (else they come from a KLL sketch). */
  exact: boolean;
  /** Bound on the normalized rank error of quantiles and bin counts (0 when exact). */
  rankError: number;
}

interface CommonStats {
  name: string;
  type: ColumnType;
  /** Rows seen, present or missing. */
  count: number;
  /** Rows where the value is missing (Arrow null). */
  missing: number;
}

export interface NumericStats extends CommonStats, NumericSummary {
  kind: 'numeric';
}

export interface ValueCount {
  value: string;
  count: number;
}

export interface StringStats extends CommonStats {
  kind: 'string';
  /** Distinct present values: exact when uniqueExact, else a HyperLogLog estimate (~0.8% error). */
  unique: number;
  uniqueExact: boolean;
  /** Most frequent values, count descending then value ascending, at most `maxValueCounts` of them. */
  topValues: ValueCount[];
  /** topValues lists every distinct value with its exact count. */
  topValuesComplete: boolean;
  /** Each listed count may be below the truth by at most this (0 = exact); unlisted values occur at most this often plus the last listed count. */
  countError: number;
  /** Lengths of present values in code points; null when none is present. */
  length: { min: number; mean: number; max: number } | null;
}

export interface BooleanStats extends CommonStats {
  kind: 'boolean';
  trueCount: number;
  falseCount: number;
}

export interface ImageStats extends CommonStats {
  kind: 'image';
  /** Encoded size in bytes of each present image. */
  bytes: NumericSummary;
  /** From imageInfo; null when no imageInfo function was given. */
  width: NumericSummary | null;
  height: NumericSummary | null;
  /** Images by channel count, most frequent first. */
  channels: { channels: number; count: number }[];
  /** Present images whose header imageInfo could not read. */
  unreadable: number;
}

export type ColumnStats = NumericStats | StringStats | BooleanStats | ImageStats;

export interface GroupStats {
  rowCount: number;
  columns: ColumnStats[];
}

export interface LabelGroupStats extends GroupStats {
  /** The label value as text (categorical/text value, 'true'/'false', or the number); null = label missing. */
  label: string | null;
  /** True for the group that collects every label value past `maxLabelValues`. */
  other: boolean;
}

export interface DatasetStats extends GroupStats {
  labelColumn: string | null;
  /** Stats per label value (largest group first, the missing-label and 'other' groups last). */
  byLabel: LabelGroupStats[] | null;
}

export interface ImageInfo {
  width: number;
  height: number;
  channels: number;
}

export interface ColumnSpec {
  name: string;
  type: ColumnType;
}

export interface StatsOptions {
  /** Equal-width histogram bins (default 20). */
  histogramBins?: number;
  /** Quantile levels in [0, 1] (default 0, 0.1, ..., 1). */
  quantiles?: readonly number[];
  /** Finite values kept for exact quantiles per numeric accumulator (default: from `exactValueBudget`). */
  maxExactValues?: number;
  /** Values kept for exact quantiles over all numeric columns of a run (default 20 x 2^20 = 160 MB). */
  exactValueBudget?: number;
  /** KLL parameter past the exact cap (default 200). */
  kllK?: number;
  /** Distinct string values counted exactly before the sketch takes over (default 8192). */
  maxTrackedValues?: number;
  /** Values listed in topValues (default 1000). */
  maxValueCounts?: number;
  /** Reads width, height and channels from an image's header (e.g. imageSize of core/data/png). */
  imageInfo?: (bytes: Uint8Array) => ImageInfo | null;
  /**
   * Rows the version is expected to have (its metadata knows): numeric value stores are allocated once at
   * that size instead of growing by doubling. Only a hint; more or fewer rows work.
   */
  expectedRows?: number;
  /** Break the statistics down by this column's values. */
  labelColumn?: string | null;
  /** Label values with their own group (default 32); later values share an 'other' group. */
  maxLabelValues?: number;
}
