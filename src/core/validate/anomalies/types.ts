/** What validation reports: anomalies, their examples, the row-level findings behind exact counts, and the options. */
import type { ColumnType } from '../../data/types';
import type { DriftMetric, FeatureSchema, Presence } from '../schema';
import type { StatsOptions } from '../stats';

export type AnomalyKind = 'missing_column' | 'new_column' | 'type_mismatch' | 'out_of_domain' | 'out_of_range' | 'presence' | 'drift' | 'skew';

export interface AnomalyExamples {
  /** A few offending values, most frequent first (out of domain) or as found (out of range). */
  values: (string | number)[];
  /** A few offending rows (0-based row numbers within the version), when the rows were scanned. */
  rows: number[];
}

interface AnomalyBase {
  column: string;
  /** Message id for translations: `validate.anomaly.<kind>` plus a variant where the wording differs. */
  code: string;
  /** Rows concerned (see each kind). */
  count: number;
  /** The count is an estimate (statistics from sketches, or a range count from the histogram). */
  approximate: boolean;
  /** English text; the UI may instead render `code` with `params`. */
  description: string;
  examples: AnomalyExamples;
}

export type Anomaly =
  /** count = rows in the version (all of them lack the column) */
  | (AnomalyBase & { kind: 'missing_column'; params: { presence: Presence; rows: number } })
  /** count = rows with a value; feature = what accepting adds */
  | (AnomalyBase & { kind: 'new_column'; params: { type: ColumnType; feature: FeatureSchema } })
  /** count = rows in the version; feature = what accepting puts instead */
  | (AnomalyBase & { kind: 'type_mismatch'; params: { expected: ColumnType; actual: ColumnType; feature: FeatureSchema } })
  /** count = rows with a value outside the domain; values = the distinct new values (all of them unless truncated) */
  | (AnomalyBase & { kind: 'out_of_domain'; params: { values: string[]; distinct: number; truncated: boolean; domainSize: number } })
  /** count = rows below min plus rows above max */
  | (AnomalyBase & {
      kind: 'out_of_range';
      params: { min: number | null; max: number | null; observedMin: number; observedMax: number; below: number; above: number; type: ColumnType };
    })
  /** count = rows missing a value */
  | (AnomalyBase & { kind: 'presence'; params: { required: boolean; minFraction: number; observedFraction: number; missing: number; rows: number } })
  /** count = rows in the current version */
  | (AnomalyBase & { kind: 'drift' | 'skew'; params: { metric: DriftMetric; distance: number; threshold: number; value: string | null } });

export interface ValidateOptions extends StatsOptions {
  /** Example rows and values per anomaly (default 5). */
  maxExamples?: number;
  /** Distinct out-of-domain values listed for acceptance (default 1000); past it accepting drops the domain. */
  maxListedValues?: number;
}

/** Row-level findings for one column, from the Validator's scan. */
export interface RowFindings {
  missingRows: number[];
  domain?: { count: number; values: Map<string, number>; truncated: boolean; rows: number[] };
  range?: { below: number; above: number; rows: number[]; values: number[] };
}
