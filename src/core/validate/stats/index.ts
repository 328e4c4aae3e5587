/**
 * Streaming per-column statistics of a dataset version (TFDV's DatasetFeatureStatistics, reshaped), fed one
 * Arrow record batch at a time and read straight from the column buffers.
 *
 * Design (the numbers that bound memory and error):
 * - Moments: per batch, the finite values are copied into a scratch buffer; the batch's mean and sum of
 *   squared deviations are computed there in two passes and combined into the running totals with Chan et
 *   al.'s parallel update (the same rule merges two accumulators), so std stays accurate for data with a
 *   large mean. std is the population standard deviation. NaN and ±Infinity are counted apart and left out
 *   of mean, std, min, max, quantiles and histogram.
 * - Quantiles and histogram are exact while a column has at most `maxExactValues` finite values: the values
 *   are kept in a Float64Array (8 bytes each; min and max are unknown until the end, so the values cannot
 *   be binned on the fly, and a second pass over IndexedDB costs more than the memory). At finish() one
 *   pass bins them into 128 fine bins per histogram bin (plus a shared 2-byte-per-value scratch), and only
 *   the fine bins that hold a wanted order statistic are partially sorted (exactOrderStats): about 30 ms
 *   per million values instead of 100 ms for a full sort. Past the cap the values move into a KLL sketch
 *   (k = 200: about 3k retained numbers, ~1.3% rank error) and quantiles and bin counts become approximate
 *   (`exact: false`, `rankError`). The default budget is 20 x 2^20 values (160 MB) spread over the numeric
 *   columns of a run (so 1M x 20 stays exact even when all 20 are numeric), per accumulator at least 64k and
 *   at most 8M values. A label breakdown at most doubles it (the groups partition the rows).
 * - Quantiles (exact mode) interpolate linearly between order statistics (Hyndman & Fan type 7, numpy's
 *   default): position h = q (n - 1), value = x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]).
 *   In sketch mode a quantile is the retained value whose cumulative weight first passes q (n - 1).
 * - Histogram: `histogramBins` equal-width bins over [min, max] of the finite values; edge i is
 *   min (1 - i/B) + max (i/B) (no overflow, and the end edges are exactly min and max). Bin i holds
 *   edge[i] <= x < edge[i+1]; the last bin is closed. With min === max there is one bin [min, min].
 *   -0 is reported as 0 everywhere (JSON has no -0).
 * - Categorical and text values go through a ValueCounter (see ../sketches.ts): exact counts and distinct
 *   count up to `maxTrackedValues` distinct values (default 8192), Misra-Gries counts and a HyperLogLog
 *   distinct count beyond (bounded memory at any number of distinct values). String lengths are in Unicode
 *   code points.
 *
 * Files: types.ts (results and options), options.ts (defaults), numbers.ts (moments and the value store),
 * order-stats.ts (exact quantiles), histogram.ts, from-sketch.ts (approximate quantiles and histogram),
 * base.ts and one accumulator per column kind (numeric, strings, booleans, images), accumulators.ts (which
 * one for a column type) and dataset.ts (whole batches, label breakdown, merge).
 */
export { ValidateError } from '../errors';
export type {
  BooleanStats,
  ColumnSpec,
  ColumnStats,
  DatasetStats,
  GroupStats,
  Histogram,
  ImageInfo,
  ImageStats,
  LabelGroupStats,
  NumericStats,
  NumericSummary,
  Quantile,
  StatsOptions,
  StringStats,
  ValueCount,
} from './types';
export { histogramEdges } from './histogram';
export { selectRanks } from './order-stats';
export { NumericAccumulator } from './numeric';
export { StringAccumulator } from './strings';
export { BooleanAccumulator } from './booleans';
export { ImageAccumulator } from './images';
export { createAccumulator, type ColumnAccumulator } from './accumulators';
export { StatsAccumulator, columnStats, columnsOf, computeStats } from './dataset';
