/**
 * Errors about an evaluation setup: a slice or sensitive column, the labels, or a model that does not
 * fit the data. Like TrainError each carries a code and the column it is about, so the page can show it
 * in the person's language, plus an English message for logs and tests.
 */

import { CodedError, withWhy, type SerializedCodedError } from '../errors';

export type EvalErrorCode =
  | 'length-mismatch' // labels, scores, columns or rows of different lengths
  | 'missing-column' // a slice or sensitive column that was not supplied
  | 'one-group' // a sensitive column with fewer than two groups: there is nothing to compare
  | 'one-class' // the labels hold one class, but the rate needs positives and negatives
  | 'input-mismatch' // a model whose input size does not match the features given
  | 'non-finite' // a NaN or infinite score or prediction (a diverged model)
  | 'no-rows' // the part to evaluate has no rows (a split with no test fraction)
  | 'bad-option' // an option out of range or a choice that does not fit the model (params.why: BadOptionWhy)
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

/**
 * Why a 'bad-option' was thrown, in params.why: the page says the cause by it in the person's language
 * (app/format.ts, catalog keys evaluate.why.bad-option.<why>), the English message stays for logs.
 */
export type BadOptionWhy =
  // a setting out of range
  | 'bins' // params.bins
  | 'bootstrap' // params.samples (at least params.min), params.level
  | 'bootstrap-samples' // a blessing's bootstrap samples (params.samples)
  | 'min-count' // the minimum slice size (params.minCount)
  | 'no-thresholds' // a blessing without thresholds
  | 'threshold' // a decision threshold that is not finite (params.threshold)
  | 'thresholds' // fairness thresholds that are not finite
  | 'sweep' // a threshold sweep (params.from, params.to, params.step)
  | 'top-n' // details.column, params.topN
  | 'buckets' // details.column, params.buckets
  | 'cut-points' // details.column
  | 'repeats' // params.repeats
  | 'ig-steps' // params.steps, params.batchSize, params.tolerance
  | 'shap-budget' // params.samples
  | 'feature-columns' // a feature group naming columns the data does not have (details.column, params.last)
  // a choice that does not fit the model or the data
  | 'label-class' // a label that is not a class index (params.label, params.row, params.classes)
  | 'curve-outputs' // a binary curve over a model with params.outputs outputs
  | 'output' // params.output, params.outputs
  | 'positive-class' // a class index (params.positiveClass) of params.classes
  | 'unknown-class' // a class name (params.class) the model does not have
  | 'row' // a row (params.row) not in the evaluation set
  | 'no-dataset' // an imported model without a dataset version of its own, and none chosen
  | 'slice-images' // slicing by an image column (details.column)
  | 'curves-regression' // curves of a regression model
  | 'fairness-regression' // fairness indicators of a regression model
  | 'counterfactual-regression' // a different prediction of a regression model
  | 'importance-input' // permutation importance by column of a model that is not tabular (params.input)
  | 'shap-input' // KernelSHAP by column of a model that is not tabular (params.input)
  | 'ig-tokens'; // integrated gradients over token ids

/** The why union of each code that has one. */
export interface EvalErrorWhy {
  'bad-option': BadOptionWhy;
}

/** An EvalError of a code whose cause varies, with the cause in params.why. */
export function evalErrorWhy<C extends keyof EvalErrorWhy>(code: C, why: EvalErrorWhy[C], details: EvalErrorDetails, message: string): EvalError {
  return new EvalError(code, withWhy(details, why), message);
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
