/**
 * Errors of the Label stage: a labeling function's spec that cannot run (details.lfId names it), and label
 * writes the store refuses. Like the other stage errors each carries a code and what it is about, so the
 * page can say it in the person's language; the English message is for logs and tests.
 */
import { CodedError } from '../errors';

export type LabelErrorCode =
  // a labeling function's spec (details.lfId)
  | 'lf-not-a-class' // its label is not one of the classes (params.label, params.last)
  | 'lf-no-keywords' // a keyword function without keywords
  | 'lf-bad-regex' // a pattern the engine refuses (params.detail has the engine's word)
  | 'lf-bad-threshold' // a threshold that is not a finite number (params.value)
  | 'lf-bad-operator' // a comparison operator other than <, <=, >, >= (params.op)
  | 'lf-no-code' // a code function with empty source
  | 'lf-no-column' // a column the version does not have (params.column)
  | 'lf-code-elsewhere' // a code function handed to the no-code path (code runs only in its worker)
  // label writes and reads
  | 'row-out-of-range' // a row the version does not have (params.row, params.rows)
  | 'not-a-class' // a label that is not a class of the schema (params.label, params.last)
  | 'no-schema' // the project has no label schema yet
  | 'duplicate-class' // a class name given twice (params.class)
  | 'too-few-classes' // a label schema needs at least two classes
  | 'nothing-to-save' // a label set with no labeled row
  | 'run-expired' // the functions' result to save is no longer in the worker's memory
  | 'no-label-set'; // no probabilistic label set for this version

export interface LabelErrorDetails {
  /** The labeling function a spec error is about. */
  lfId?: string;
  params?: Record<string, string | number>;
}

export class LabelError extends CodedError<'LabelError', LabelErrorCode, LabelErrorDetails> {
  constructor(code: LabelErrorCode, details: LabelErrorDetails, message: string) {
    super('LabelError', code, details, message);
  }
}

/** A labeling function's spec that cannot be compiled or run: names the function and says why. */
export function lfSpecError(lfId: string, code: LabelErrorCode, message: string, params?: Record<string, string | number>): LabelError {
  return new LabelError(code, params ? { lfId, params } : { lfId }, message);
}

export type SerializedLabelError = ReturnType<LabelError['toJSON']>;
