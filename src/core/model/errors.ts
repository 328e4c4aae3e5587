/**
 * Errors about a training setup or a model bundle: the person's columns, labels, images or zip. Like
 * DataError (core/data/errors.ts) each carries a code and the column / row / file / weight it is about,
 * so the page can show it in the person's language, plus an English message for logs and tests.
 */

import { CodedError, type SerializedCodedError } from '../errors';

export type TrainErrorCode =
  | 'missing-column' // a chosen feature or label column is not in the dataset
  | 'bad-encoding' // an encoding that does not fit the column's type, or a bad combination of features
  | 'one-class' // a classification label with fewer than two classes in the training split
  | 'missing-label' // a row without a label
  | 'unknown-class' // a label value that the training split never had
  | 'not-numeric' // text in a column used as a number
  | 'non-finite' // Infinity in a numeric feature or label
  | 'missing-image' // a row without an image
  | 'bad-image' // bytes the decoder cannot read, or a decoder result that does not add up
  | 'mixed-image-sizes' // images of different sizes in one column
  | 'bad-split' // fractions or rows that cannot make a split
  | 'invalid-spec' // a layer stack that validateSpec refuses
  | 'bad-checkpoint' // a checkpoint that does not fit the model
  | 'not-zip' // the bytes are not a zip archive
  | 'no-model-json' // a zip without model.json
  | 'bad-model-json' // model.json that does not parse or is not a TF.js Layers model
  | 'missing-weights' // a weight file named in model.json is not in the zip
  | 'weight-size' // a weight's bytes do not match its shape and dtype
  | 'weight-dtype' // a dtype TF.js cannot load
  | 'no-metadata' // a zip without metadata.json
  | 'bad-metadata' // metadata.json that does not parse or lacks required fields
  | 'load-failed' // TF.js refused the model (its own words in the message)
  | 'label-set-missing' // the label set a run trains on does not exist (any more)
  | 'label-set-version' // a label set of another dataset version
  | 'label-set-rows' // a label set naming rows the dataset version does not have
  | 'gold-feature' // the gold column a label-set run is scored against, chosen as a feature
  | 'not-resumable' // a run that is not interrupted (params.name, params.status)
  | 'base-label-set' // a run from a base model trains on its label column, not on a label set
  | 'diverged' // the loss became infinite or NaN
  | 'run-not-done' // a run that has not finished cannot become a model version (params.name)
  | 'no-final-weights' // a finished run without final weights (params.name)
  | 'no-spec' // a run without a model spec (params.name)
  | 'backend-unavailable' // a TF.js backend cannot start here (params.backend, params.reason: BackendUnavailable, params.detail)
  | 'busy-training' // the backend cannot change while a run trains
  | 'no-backend'; // no TF.js backend can train this model (params.detail: each backend's reason)

export interface TrainErrorDetails {
  column?: string;
  /** 1-based data row, as in DataError. */
  row?: number;
  /** A file inside a bundle. */
  file?: string;
  /** A weight's name in model.json. */
  weight?: string;
  /** 0-based layer index in a model spec. */
  layer?: number;
  params?: Record<string, string | number>;
}

export class TrainError extends CodedError<'TrainError', TrainErrorCode, TrainErrorDetails> {
  constructor(code: TrainErrorCode, details: TrainErrorDetails, message: string) {
    super('TrainError', code, details, message);
  }
}

export type SerializedTrainError = SerializedCodedError<'TrainError', TrainErrorCode, TrainErrorDetails>;
