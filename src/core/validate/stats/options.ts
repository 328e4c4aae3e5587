/** Statistics options with their defaults filled in, and the exact-value budget spread over the columns. */
import type { ImageInfo, StatsOptions } from './types';

const DEFAULT_QUANTILES = Array.from({ length: 11 }, (_, i) => i / 10);
// 20 x 2^20: 1M rows x 20 numeric columns fit (16 x 2^20 left 17+ numeric columns to the slow sketch)
const DEFAULT_EXACT_BUDGET = 20 * 1024 * 1024;
const MIN_EXACT_PER_COLUMN = 65_536;
const MAX_EXACT_PER_COLUMN = 8 * 1024 * 1024;

export interface ResolvedOptions {
  bins: number;
  quantiles: readonly number[];
  maxExactValues: number;
  expectedRows: number;
  kllK: number;
  maxTrackedValues: number;
  maxValueCounts: number;
  imageInfo: ((bytes: Uint8Array) => ImageInfo | null) | null;
}

export function resolve(options: StatsOptions, numericAccumulators: number): ResolvedOptions {
  const bins = options.histogramBins ?? 20;
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError('histogramBins must be a positive integer');
  const quantiles = options.quantiles ?? DEFAULT_QUANTILES;
  for (const q of quantiles) if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile level ${q} is not in [0, 1]`);
  const budget = options.exactValueBudget ?? DEFAULT_EXACT_BUDGET;
  const perColumn = Math.min(MAX_EXACT_PER_COLUMN, Math.max(MIN_EXACT_PER_COLUMN, Math.floor(budget / Math.max(1, numericAccumulators))));
  return {
    bins,
    quantiles,
    maxExactValues: options.maxExactValues ?? perColumn,
    expectedRows: options.expectedRows ?? 0,
    kllK: options.kllK ?? 200,
    maxTrackedValues: options.maxTrackedValues ?? 8192,
    maxValueCounts: options.maxValueCounts ?? 1000,
    imageInfo: options.imageInfo ?? null,
  };
}
