/**
 * Validation of a dataset version against a schema (TFDV's validate_statistics / Anomalies), and the
 * one-click fix: accepting an anomaly returns a new, relaxed schema.
 *
 * Two entry points:
 * - validateStats(stats, schema): from statistics alone (e.g. a serving log summary). Counts of values out of
 *   the domain are exact when the statistics list every value; counts out of range are estimated from the
 *   histogram (marked `approximate`). No example rows.
 * - Validator / validateBatches(batches, schema): one pass over the record batches computes the statistics
 *   and also scans the domain, range and presence checks row by row, so counts are exact and each anomaly
 *   names example rows (row numbers within the version, counting from 0).
 *
 * Type compatibility: integer data satisfies a number feature (every integer is a number); any other
 * difference is a type mismatch, and the column's other checks are skipped.
 *
 * Files: types.ts (anomalies, findings, options), check.ts (validateStats), scan.ts (Validator,
 * validateBatches) and accept.ts (acceptAnomaly).
 */
export type { Anomaly, AnomalyExamples, AnomalyKind, RowFindings, ValidateOptions } from './types';
export { typeSatisfies, validateStats } from './check';
export { Validator, validateBatches, type ValidationResult } from './scan';
export { acceptAnomalies, acceptAnomaly } from './accept';
