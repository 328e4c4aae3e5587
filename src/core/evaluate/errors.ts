/**
 * Errors about an evaluation setup: a slice or sensitive column, the labels, or a model that does not
 * fit the data. Like TrainError each carries a code and the column it is about, so the page can show it
 * in the person's language, plus an English message for logs and tests.
 */

import { CodedError, type SerializedCodedError } from '../errors';

export type EvalErrorCode =
  | 'length-mismatch' // labels, scores, columns or rows of different lengths
  | 'missing-column' // a slice or sensitive column that was not supplied
  | 'one-group' // a sensitive column with fewer than two groups: there is nothing to compare
  | 'one-class' // the labels hold one class, but the rate needs positives and negatives
  | 'input-mismatch' // a model whose input size does not match the features given
  | 'non-finite' // a NaN or infinite score or prediction (a diverged model)
  | 'no-rows' // the part to evaluate has no rows (a split with no test fraction)
  | 'bad-option' // an option out of range (bins, steps, samples, thresholds...)
  | 'not-evaluated' // promotion to production of a model version that was never evaluated, without an override
  | 'not-blessed' // promotion to production of a model version whose latest evaluation did not bless it
  | 'other-data' // promotion to production of a model version evaluated only on other data than its own
  | 'baseline-rows' // a row the baseline's data does not have (params.row)
  | 'stale-blessing'; // promotion to production on a blessing whose relative thresholds compared with another production version

export interface EvalErrorDetails {
  column?: string;
  params?: Record<string, string | number>;
}

export class EvalError extends CodedError<'EvalError', EvalErrorCode, EvalErrorDetails> {
  constructor(code: EvalErrorCode, details: EvalErrorDetails, message: string) {
    super('EvalError', code, details, message);
  }
}

export type SerializedEvalError = SerializedCodedError<'EvalError', EvalErrorCode, EvalErrorDetails>;

/** Throw a non-finite error at the first NaN or infinite value. */
export function checkFinite(what: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new EvalError('non-finite', { params: { what, index: i, value: String(values[i]) } }, `The ${what} hold ${values[i]} at position ${i}; a model that diverged cannot be evaluated`);
    }
  }
}

/** Throw a length-mismatch error unless `actual === expected`. */
export function checkLength(what: string, actual: number, expected: number): void {
  if (actual !== expected) {
    throw new EvalError('length-mismatch', { params: { what, expected, actual } }, `Expected ${expected} ${what}, got ${actual}`);
  }
}
