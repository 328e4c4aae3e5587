/**
 * Errors of the Transform stage: a spec that cannot run (refused by checkSpec before any data is read),
 * data that does not fit the spec while fitting or applying, and a fitted transform that cannot be read.
 * Each names the step (details.step) and, where one is involved, the column or earlier step it reads
 * (details.column), so the page can say it in the person's language; the English message is for logs.
 */
import { CodedError } from '../errors';

export type TransformErrorCode =
  | 'bad-spec' // not a spec: no steps list, or a step that is not an object (params.index: the step's position)
  | 'no-steps' // a spec without steps
  | 'bad-name' // a step without a name (params.index)
  | 'duplicate-name' // two steps with the same name
  | 'name-is-column' // a step named like a column of the data (details.column)
  | 'unknown-op' // an operation Pipette does not have (params.op)
  | 'wrong-input-count' // too few or too many inputs (params.min, params.max, params.actual)
  | 'unknown-input' // an input that is neither a column nor a step (details.column)
  | 'input-defined-later' // an input that is a later step (or the step itself) (details.column)
  | 'unsupported-column' // a column of a type no step reads, such as images (details.column, params.type)
  | 'wrong-input-kind' // an input of a kind the operation cannot read (details.column, params.kind, params.expected)
  | 'unknown-param' // a parameter the operation does not have (params.param)
  | 'param-required' // a required parameter is missing (params.param)
  | 'param-integer' // a parameter that must be a whole number of at least params.min (params.param, params.min)
  | 'param-number' // a parameter that must be a number of at least params.min (params.param, params.min)
  | 'param-boolean' // a parameter that must be true or false (params.param)
  | 'param-text' // a parameter that must be text (params.param)
  | 'param-choice' // a parameter that must be one of params.choices (params.param, params.choices)
  | 'param-range' // ngram_range that is not [min, max] with 1 <= min <= max <= params.max
  | 'param-quantile' // a quantile q outside [0, 1] (params.param)
  | 'param-operand' // an arithmetic operand that is not {input}, {value} or {analyzer, input} (params.param)
  | 'param-too-large' // a parameter above what the fitted data allows (params.param, params.max)
  | 'not-a-feature' // a model output of a kind that is no feature, text or tokens (params.kind)
  | 'no-features' // no step is a model output
  | 'too-wide' // a PCA over more input slots than it can decompose (params.dim, params.max)
  | 'missing-column' // the data lacks a column the spec reads (details.column)
  | 'absent-input' // a raw row (a prediction request) leaves out a column a step reads (details.row, column, step)
  | 'reads-label' // a step reads the label column as an input (details.step, column: the label)
  | 'bad-fitted'; // a fitted transform that is not one (params.why: what is wrong)

export interface TransformErrorDetails {
  step?: string;
  column?: string;
  /** A raw row's number, from 1. */
  row?: number;
  params?: Record<string, string | number>;
}

export class TransformError extends CodedError<'TransformError', TransformErrorCode, TransformErrorDetails> {
  constructor(code: TransformErrorCode, details: TransformErrorDetails, message: string) {
    super('TransformError', code, details, message);
  }
}
