/**
 * Errors about an optimization request: the settings, or a model that cannot be optimized that way.
 * Like TrainError, each carries a code and what it is about, so the page can show it in the person's
 * language; the English message is for logs and tests. Nothing is written when one is thrown.
 */

import { CodedError, withWhy } from '../errors';
import type { SpecIssue } from '../model/model-spec/types';

export type OptimizeErrorCode =
  | 'bad-sparsity' // a sparsity outside [0, 1), or a final sparsity below the initial one
  | 'bad-schedule' // begin / end steps or the pruning frequency do not make a schedule
  | 'bad-option' // another setting out of range (temperature, alpha, dtype, ...: the field and params.value), or params.why
  | 'nothing-to-prune' // the model has no Dense or Conv2D kernel (or none of the chosen layers)
  | 'cannot-quantize' // a weight that the chosen dtype cannot hold, or no weight worth quantizing (params.why)
  | 'already-quantized' // the bundle's weights are quantized already
  | 'not-classification' // distillation needs class probabilities
  | 'label-mismatch' // teacher and student were trained on different label sets, or the data has other classes (params.why)
  | 'input-mismatch' // teacher and student take different inputs (params.teacher, params.student: shapes)
  | 'missing-column' // the data lacks a feature or label column the model was trained on
  | 'no-data' // the model has no dataset version of its own (imported) to fine-tune or measure on
  | 'diverged'; // fine-tuning or distillation (params.what) lost its loss to infinity or NaN

export interface OptimizeErrorDetails {
  /** A weight's name in model.json. */
  weight?: string;
  /** A layer's name. */
  layer?: string;
  /** The setting that is wrong, e.g. 'finalSparsity'. */
  field?: string;
  params?: Record<string, string | number>;
  /** bad-option 'invalid-student': validateSpec's problems by code, said one by one in the person's language. */
  issues?: SpecIssue[];
}

export class OptimizeError extends CodedError<'OptimizeError', OptimizeErrorCode, OptimizeErrorDetails> {
  constructor(code: OptimizeErrorCode, details: OptimizeErrorDetails, message: string) {
    super('OptimizeError', code, details, message);
  }
}

/**
 * Why a code whose cause varies was thrown, in params.why: the page says the cause by it in the person's
 * language (app/format.ts, catalog keys optimize.why.<code>.<why>), the English message stays for logs.
 */
export type CannotQuantizeWhy =
  | 'weight-data' // a weight (details.weight) whose bytes are not in the weight data
  | 'byte-count' // the weight data holds params.bytes bytes, the manifest lists params.listed
  | 'non-finite' // details.weight holds params.value at params.index
  | 'float16-range' // details.weight has a value of magnitude params.value, beyond float16's params.max
  | 'nothing-worth'; // every float32 weight has fewer than params.minElements values (or was skipped)

export type LabelMismatchWhy =
  | 'missing-labels' // the teacher does not know params.missing (params.missingCount of them)
  | 'extra-labels' // the teacher also predicts params.extra (params.extraCount), which the data does not have
  | 'missing-and-extra' // both: params.missing and params.extra
  | 'duplicate-label' // the same counts and names, but a class name appears twice
  | 'outputs' // the teacher has params.teacher outputs, the labels params.student classes
  | 'unknown-class'; // a label (params.value) in params.column that the model was not trained on

/** bad-option causes other than a value out of range; each is said as a sentence of its own. */
export type BadOptionWhy =
  | 'no-teacher-spec' // a narrower student of a teacher without a layer description
  | 'invalid-student' // the student is not a valid model (details.issues)
  | 'empty-train' // no training rows
  | 'early-stopping'; // early stopping while pruning

/** The why union of each code that has one. */
export interface OptimizeErrorWhy {
  'cannot-quantize': CannotQuantizeWhy;
  'label-mismatch': LabelMismatchWhy;
  'bad-option': BadOptionWhy;
}

/** An OptimizeError of a code whose cause varies, with the cause in params.why. */
export function optimizeErrorWhy<C extends keyof OptimizeErrorWhy>(code: C, why: OptimizeErrorWhy[C], details: OptimizeErrorDetails, message: string): OptimizeError {
  return new OptimizeError(code, withWhy(details, why), message);
}
