/**
 * Errors about a search space or a search's settings: each names the hyperparameter (details.param) or
 * the setting (details.field) it is about, so the page can show it at that field in the person's language.
 * checkSpace returns every problem at once; the English message is for logs and tests.
 */
import { CodedError, type SerializedCodedError } from '../errors';

export type TuneErrorCode =
  | 'bad-space' // the stored JSON is not a search space (params.path: where)
  | 'no-name' // a hyperparameter without a name (params.index)
  | 'duplicate-name' // param: a name used twice
  | 'not-finite' // param, params.what ('min' | 'max' | 'step' | 'default'): not a finite number
  | 'not-integer' // param, params.what, params.value: an Int's bound, step or default is not an integer
  | 'min-above-max' // param, params.min, params.max
  | 'bad-step' // param, params.step: step <= 0, or <= 1 with log sampling (a log step multiplies)
  | 'log-not-positive' // param, params.min: log sampling needs min > 0
  | 'no-values' // param: a Choice without values
  | 'mixed-values' // param: a Choice whose values are not all numbers, all text or all booleans
  | 'repeated-value' // param, params.value: a Choice lists a value twice
  | 'default-outside' // param, params.value: the default is not a value the parameter can take
  | 'condition-parent' // param, params.parent: the condition's parent is not defined before it
  | 'condition-value' // param, params.parent, params.value: the parent cannot take this value
  | 'condition-empty' // param, params.parent: a condition listing no values
  | 'bad-path' // param, params.path: a binding to a place the base config does not have
  | 'not-whole' // param, params.path: a continuous Float bound to a place that needs a whole number
  | 'bad-value' // param, params.path, params.value: a value the place cannot hold (e.g. units 0, rate 1, an unknown optimizer)
  | 'unknown-param' // param: a binding or block names a hyperparameter that is not defined
  | 'unused' // param: a hyperparameter that nothing uses (no binding, block count or condition)
  | 'bound-twice' // params.path: two bindings set the same place
  | 'bad-count' // param: a block's count must be an Int or a Choice of whole numbers >= 0
  | 'bad-block' // params.block, params.at: a block inserted outside the layer list, or with no layers
  | 'block-param-missing' // param (e.g. units_2), params.block: a per-block parameter is missing for a block the count allows
  | 'epochs-bound' // param: Hyperband sets each trial's epochs itself, so hyper.epochs cannot be a hyperparameter
  | 'bad-setting' // field, params.value: a search setting out of range (maxTrials, maxEpochs, factor, iterations, alpha, beta, numInitialPoints, startupTrials, warmupEpochs, metric)
  | 'no-params'; // the space has no hyperparameters to search

export interface TuneErrorDetails {
  /** The hyperparameter it is about. */
  param?: string;
  /** The search setting it is about. */
  field?: string;
  params?: Record<string, string | number>;
}

export class TuneError extends CodedError<'TuneError', TuneErrorCode, TuneErrorDetails> {
  constructor(code: TuneErrorCode, details: TuneErrorDetails, message: string) {
    super('TuneError', code, details, message);
  }
}

export type SerializedTuneError = SerializedCodedError<'TuneError', TuneErrorCode, TuneErrorDetails>;
