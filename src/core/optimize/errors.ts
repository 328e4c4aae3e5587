/**
 * Errors about an optimization request: the settings, or a model that cannot be optimized that way.
 * Like TrainError, each carries a code and what it is about, so the page can show it in the person's
 * language; the English message is for logs and tests. Nothing is written when one is thrown.
 */

import { CodedError } from '../errors';

export type OptimizeErrorCode =
  | 'bad-sparsity' // a sparsity outside [0, 1), or a final sparsity below the initial one
  | 'bad-schedule' // begin / end steps or the pruning frequency do not make a schedule
  | 'bad-option' // another setting out of range (temperature, alpha, dtype, ...)
  | 'nothing-to-prune' // the model has no Dense or Conv2D kernel (or none of the chosen layers)
  | 'cannot-quantize' // a weight that the chosen dtype cannot hold, or no weight worth quantizing
  | 'already-quantized' // the bundle's weights are quantized already
  | 'not-classification' // distillation needs class probabilities
  | 'label-mismatch' // teacher and student were trained on different label sets
  | 'input-mismatch' // teacher and student take different inputs
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
}

export class OptimizeError extends CodedError<'OptimizeError', OptimizeErrorCode, OptimizeErrorDetails> {
  constructor(code: OptimizeErrorCode, details: OptimizeErrorDetails, message: string) {
    super('OptimizeError', code, details, message);
  }
}
