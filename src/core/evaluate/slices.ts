/**
 * Sliced metrics as TFMA computes them: the metrics of the whole evaluation set and of each slice (each
 * value of a categorical column, buckets of a numeric column, crosses of two columns), with example
 * counts, a flag on slices too small to trust, and bootstrap confidence intervals.
 *
 * slice-assign.ts says which rows fall in each slice; slice-metrics.ts computes a slice's point estimates
 * and its bootstrap replicates; core/math/bootstrap.ts draws the Poisson weights and takes the percentile
 * interval. Each slice resamples independently in one pass over its own rows.
 */
import { percentileInterval, type Interval } from '../math/bootstrap';
import { fnv1a32 } from '../math/hash';
import { mixSeed, Rng } from '../math/random';
import { evalErrorWhy } from './errors';
import { assignSlices, type CellValue, type SliceCondition, type SliceSpec } from './slice-assign';
import { preparePredictions, type Predictions, type Prepared } from './slice-metrics';

export const OVERALL = 'overall';

export interface MetricValue {
  /** NaN when undefined on this slice (AUC of a slice with one class). */
  value: number;
  /** Percentile bootstrap interval, or null without bootstrap or without enough defined replicates. */
  ci: Interval | null;
}

export interface SliceResult {
  /** OVERALL, or conditions joined, e.g. `color="red" & age∈[20, 30)`: stable across models on one set. */
  id: string;
  /** Empty for the whole set; one condition per sliced column. */
  conditions: SliceCondition[];
  count: number;
  /** Fewer than minCount examples: shown, but not to be trusted. */
  small: boolean;
  metrics: Record<string, MetricValue>;
}

export interface Slicing {
  spec: SliceSpec;
  slices: SliceResult[];
}

export interface SlicedEvaluation {
  overall: SliceResult;
  slicings: Slicing[];
  metrics: string[];
  minCount: number;
  bootstrap: { samples: number; seed: number; level: number } | null;
}

export interface BootstrapOptions {
  /** Replicates (default 200). */
  samples?: number;
  seed?: number;
  /** Coverage of the interval (default 0.95). */
  level?: number;
}

export interface SliceOptions {
  /** Column values by name, one per row, for the columns the specs use. */
  columns?: Record<string, ArrayLike<CellValue>>;
  specs?: SliceSpec[];
  /** Slices with fewer examples are flagged small (default 30). */
  minCount?: number;
  /** false turns intervals off. */
  bootstrap?: BootstrapOptions | false;
}

export const DEFAULT_MIN_COUNT = 30;
export const DEFAULT_BOOTSTRAP_SAMPLES = 200;

const fmt = (x: number) => (x === Infinity ? '∞' : x === -Infinity ? '-∞' : String(x));

export function conditionId(c: SliceCondition): string {
  switch (c.kind) {
    case 'value':
      return `${c.column}=${JSON.stringify(c.value)}`;
    case 'other':
      return `${c.column}=(other)`;
    case 'missing':
      return `${c.column}=(missing)`;
    case 'range':
      return `${c.column}∈[${fmt(c.lo)}, ${fmt(c.hi)}${c.closed ? ']' : ')'}`;
  }
}

export function sliceId(conditions: readonly SliceCondition[]): string {
  return conditions.length ? conditions.map(conditionId).join(' & ') : OVERALL;
}

/** Rows of each slice, ascending, by a counting sort of the slice ids. */
function groupRows(ids: Int32Array, count: number): Uint32Array[] {
  const sizes = new Int32Array(count);
  for (let i = 0; i < ids.length; i++) sizes[ids[i]!]!++;
  const groups = Array.from(sizes, (s) => new Uint32Array(s));
  const at = new Int32Array(count);
  for (let i = 0; i < ids.length; i++) {
    const g = ids[i]!;
    groups[g]![at[g]!++] = i;
  }
  return groups;
}

/**
 * Evaluates the whole set and one slicing at a time, so a caller can report progress and stop between
 * slicings (evaluateSlices does them all at once).
 */
export class SliceEvaluator {
  readonly metrics: string[];
  readonly minCount: number;
  readonly bootstrap: SlicedEvaluation['bootstrap'];
  readonly #prep: Prepared;
  readonly #columns: SliceOptions['columns'];
  readonly #scratch: Float64Array | null;

  constructor(predictions: Predictions, options: Omit<SliceOptions, 'specs'> = {}) {
    this.#prep = preparePredictions(predictions);
    this.#columns = options.columns;
    this.minCount = options.minCount ?? DEFAULT_MIN_COUNT;
    const boot = options.bootstrap === false ? null : {
      samples: options.bootstrap?.samples ?? DEFAULT_BOOTSTRAP_SAMPLES,
      seed: (options.bootstrap?.seed ?? 0) >>> 0,
      level: options.bootstrap?.level ?? 0.95,
    };
    if (boot && (!Number.isInteger(boot.samples) || boot.samples < 1 || !(boot.level > 0 && boot.level < 1))) {
      throw evalErrorWhy('bad-option', 'bootstrap', { params: { samples: boot.samples, level: boot.level, min: 1 } }, 'Bootstrap needs a positive whole number of samples and a level between 0 and 1');
    }
    this.bootstrap = boot;
    this.metrics = this.#prep.names;
    this.#scratch = boot ? new Float64Array(this.metrics.length * boot.samples) : null;
  }

  #evaluate(rows: Uint32Array, conditions: SliceCondition[]): SliceResult {
    const boot = this.bootstrap;
    const scratch = this.#scratch;
    const id = sliceId(conditions);
    const point = this.#prep.point(rows);
    const metrics: Record<string, MetricValue> = {};
    if (boot && rows.length > 0) {
      // seeded by the slice's id: its interval does not depend on which other slices were asked for
      this.#prep.replicate(rows, new Rng(mixSeed(boot.seed, fnv1a32(id))), boot.samples, scratch!);
    }
    this.metrics.forEach((name, m) => {
      const ci = boot && rows.length > 0 ? percentileInterval(scratch!.subarray(m * boot.samples, (m + 1) * boot.samples), boot.level) : null;
      metrics[name] = { value: point[name]!, ci };
    });
    return { id, conditions, count: rows.length, small: rows.length < this.minCount, metrics };
  }

  overall(): SliceResult {
    const all = new Uint32Array(this.#prep.n);
    for (let i = 0; i < all.length; i++) all[i] = i;
    return this.#evaluate(all, []);
  }

  slicing(spec: SliceSpec): Slicing {
    const { ids, slices } = assignSlices(spec, this.#columns, this.#prep.n);
    const groups = groupRows(ids, slices.length);
    return { spec, slices: slices.map((conditions, j) => this.#evaluate(groups[j]!, conditions)) };
  }

  result(overall: SliceResult, slicings: Slicing[]): SlicedEvaluation {
    return { overall, slicings, metrics: this.metrics, minCount: this.minCount, bootstrap: this.bootstrap };
  }
}

/** Metrics of the whole set and of every slice of every spec, with counts, small-slice flags and intervals. */
export function evaluateSlices(predictions: Predictions, options: SliceOptions = {}): SlicedEvaluation {
  const evaluator = new SliceEvaluator(predictions, options);
  const overall = evaluator.overall();
  return evaluator.result(overall, (options.specs ?? []).map((spec) => evaluator.slicing(spec)));
}

/** slice id -> metric -> value, the shape blessing reads. */
export function metricTable(e: SlicedEvaluation): Record<string, Record<string, number>> {
  const table: Record<string, Record<string, number>> = {};
  for (const s of [e.overall, ...e.slicings.flatMap((x) => x.slices)]) {
    table[s.id] = Object.fromEntries(Object.entries(s.metrics).map(([k, v]) => [k, v.value]));
  }
  return table;
}