/**
 * Errors about a feature-selection request: the design matrix, the target, the rows, a method that does
 * not fit the task or the data, or an option out of range. Each carries a code and the place it is about
 * (the feature or matrix column by name, the row, the option), so the page can say it in the person's
 * language; the English message is for logs and tests. Nothing is written when one is thrown.
 */

import { CodedError, type SerializedCodedError } from '../errors';

export type SelectErrorCode =
  | 'length-mismatch' // params.what (LengthWhat), params.expected, params.actual
  | 'no-features' // the matrix has no columns, or the groups name none
  | 'bad-group' // details.column names a feature whose matrix columns are out of range, none, or another feature's (params.last)
  | 'non-finite' // details.column, params.row: a NaN or infinite value in the matrix
  | 'bad-class' // params.row, params.value, params.classes: a class index outside 0..classes-1
  | 'non-finite-target' // params.row, params.value: a regression target that is NaN or infinite
  | 'bad-rows' // params.part ('train' | 'validation'), params.row, params.rows: a row index outside the matrix
  | 'no-rows' // params.part: the train or validation rows are empty
  | 'one-class' // the train rows hold one class only (params.class): nothing to tell apart
  | 'too-few-rows' // params.method, params.rows, params.needed: a method needs more train rows
  | 'negative-feature' // details.column, params.row, params.value: chi2 needs non-negative features
  | 'not-for-task' // params.method, params.task: e.g. f_classif on a regression target
  | 'bad-subset' // params.method, params.feature: a subset naming a feature index that does not exist
  | 'bad-option' // details.field, params.value: an option out of range
  | 'transform-no-label'; // params.transform ("name vN"): the transform's split has no label column, so no target

/** The options a 'bad-option' can name (the page words each one). */
export type SelectField =
  | 'threshold'
  | 'k'
  | 'nFeatures'
  | 'neighbors'
  | 'repeats'
  | 'C'
  | 'alpha'
  | 'maxIterations'
  | 'tolerance';

/** What a 'length-mismatch' counted: the matrix values (rows x columns), the column names, the targets. */
export type LengthWhat = 'values' | 'column-names' | 'target';

export interface SelectErrorDetails {
  /** The feature (source column) or matrix column it is about. */
  column?: string;
  /** The option that is out of range. */
  field?: SelectField;
  params?: Record<string, string | number>;
}

export class SelectError extends CodedError<'SelectError', SelectErrorCode, SelectErrorDetails> {
  constructor(code: SelectErrorCode, details: SelectErrorDetails, message: string) {
    super('SelectError', code, details, message);
  }
}

export type SerializedSelectError = SerializedCodedError<'SelectError', SelectErrorCode, SelectErrorDetails>;

/** Throw a bad-option error unless `ok`. */
export function checkOption(ok: boolean, field: SelectField, value: number, rule: string): void {
  if (!ok) throw new SelectError('bad-option', { field, params: { value } }, `${field} ${rule} (got ${value})`);
}
