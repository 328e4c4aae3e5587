/**
 * Errors about a training setup or a model bundle: the person's columns, labels, images or zip. Like
 * DataError (core/data/errors.ts) each carries a code and the column / row / file / weight it is about,
 * so the page can show it in the person's language, plus an English message for logs and tests.
 */

import { CodedError, withWhy, type SerializedCodedError } from '../errors';
import type { SpecIssue } from './model-spec/types';

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
  | 'no-backend' // no TF.js backend can train this model (params.detail: each backend's reason)
  | 'no-transform' // a bundle of a model trained on a transform without its transform.json
  | 'transform-dim'; // a bundle's transform.json gives another number of features than the model takes (params.expected, params.actual)

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
  /** invalid-spec: validateSpec's problems by code, said one by one in the person's language. */
  issues?: SpecIssue[];
}

/**
 * Why a code whose cause varies was thrown, in params.why: the page says the cause by it in the person's
 * language (app/format.ts, catalog keys train.why.<code>.<why>), the English message stays for logs.
 */
export type BadEncodingWhy =
  | 'images-not-numbers' // an image column read as numbers
  | 'not-categories' // an image or date column read as categories (params.type)
  | 'not-words' // words read from a column that is not text or categories (params.type)
  | 'not-label' // an image or date column as the label (params.type)
  | 'mixed-types' // a column typed differently in different parts of the dataset
  | 'no-features' // no feature chosen
  | 'label-as-feature' // the label chosen as a feature too
  | 'chosen-twice' // a feature chosen twice
  | 'encoding-type' // an encoding that does not fit the column's type (params.encoding, params.type)
  | 'sole-feature' // image or token ids with other features (params.encoding, params.others)
  | 'no-values' // no values in the training split
  | 'no-words' // no words in the training split
  | 'sequence-length' // a sequence length that is not a positive integer (params.length)
  | 'not-images' // an image feature over a column without images
  | 'no-decoder' // images but no decoder given
  | 'not-regression' // a regression decode of a classification label
  | 'model-not-images' // an image given to a model that takes no images
  | 'transform-type' // a column the transform reads has a type of another kind here (params.type, params.expected)
  | 'transform-reads-label' // the transform reads the label column (details.column)
  | 'transform-no-features' // a transform without outputs
  | 'transform-sole' // a transform with other features (params.others)
  | 'transform-output' // a chosen output that is not one of the transform's output steps (details.column: the name; params.transform, params.outputs)
  | 'transform-not-finite'; // a transform output that is NaN or infinite on a training row (details.column: the output; params.value, params.row)

export type BadSplitWhy =
  | 'fractions' // fractions not non-negative or not adding up to 1 (params.train, .validation, .test, .sum)
  | 'no-train-fraction' // a training fraction of 0
  | 'label-count' // not one label per row (params.expected, params.actual)
  | 'no-labels' // a stratified split without labels
  | 'empty-train' // no rows in the training split
  // a run on a transform must split as the transform's analysis did (else it would test on rows the analyzers read):
  | 'transform-version' // the transform was fitted on another dataset version
  | 'transform-label' // another label column than the transform's split (params.label, params.expected)
  | 'transform-no-label' // the transform's split had no label column (params.label)
  | 'transform-seed' // another seed (params.seed, params.expected)
  | 'transform-fractions' // other fractions
  | 'transform-stratified' // stratified where the transform's split was not, or the reverse (params.task)
  | 'transform-rows'; // the same settings give other row counts (params.train, params.expected)

export type InvalidSpecWhy =
  | 'issues' // validateSpec's problems (details.issues, params.count)
  | 'no-spec'; // a run without a spec

export type BadCheckpointWhy =
  | 'weight-count' // params.checkpoint, params.model
  | 'weight-mismatch' // a weight of another name or shape (params.index, 1-based; details.weight)
  | 'optimizer-state' // TF.js refused the optimizer state (params.detail: its words)
  | 'version' // an unknown checkpoint version (params.version)
  | 'optimizer'; // made with another optimizer (params.checkpoint, params.run)

export type BadModelJsonWhy =
  | 'not-json' // JSON.parse refused it (params.detail: its words)
  | 'not-object'
  | 'several' // more than one model.json at the same depth
  | 'graph-model'
  | 'format' // params.format
  | 'no-topology'
  | 'no-manifest'
  | 'manifest-entry' // params.entry (1-based)
  | 'manifest-weight' // params.entry, params.index (1-based)
  | 'weight-shape' // params.shape
  | 'missing-weight' // a weight the layers need (details.weight)
  | 'extra-weight'; // a weight no layer has (details.weight)

export type WeightSizeWhy =
  | 'too-short' // params.expected bytes, params.available
  | 'extra-bytes' // params.expected bytes, params.actual
  | 'shape'; // params.expected and params.actual shapes

export type BadMetadataWhy =
  | 'not-json' // JSON.parse refused it (params.detail: its words)
  | 'not-object'
  | 'format' // params.format
  | 'version' // params.version
  | 'no-preprocessing'
  | 'task' // params.task
  | 'no-labels'
  | 'input-shape' // params.expected, params.actual
  | 'outputs'; // params.expected, params.actual

/** The why union of each code that has one. */
export interface TrainErrorWhy {
  'bad-encoding': BadEncodingWhy;
  'bad-split': BadSplitWhy;
  'invalid-spec': InvalidSpecWhy;
  'bad-checkpoint': BadCheckpointWhy;
  'bad-model-json': BadModelJsonWhy;
  'weight-size': WeightSizeWhy;
  'bad-metadata': BadMetadataWhy;
}

export class TrainError extends CodedError<'TrainError', TrainErrorCode, TrainErrorDetails> {
  constructor(code: TrainErrorCode, details: TrainErrorDetails, message: string) {
    super('TrainError', code, details, message);
  }
}

export type SerializedTrainError = SerializedCodedError<'TrainError', TrainErrorCode, TrainErrorDetails>;

/** A TrainError of a code whose cause varies, with the cause in params.why. */
export function trainErrorWhy<C extends keyof TrainErrorWhy>(code: C, why: TrainErrorWhy[C], details: TrainErrorDetails, message: string): TrainError {
  return new TrainError(code, withWhy(details, why), message);
}

/** TrainError('invalid-spec') carrying validateSpec's problems by code; the message lists them in English. */
export function invalidSpecError(issues: readonly SpecIssue[]): TrainError {
  const layer = typeof issues[0]?.at === 'number' ? issues[0].at : undefined;
  return trainErrorWhy('invalid-spec', 'issues', { layer, issues: [...issues], params: { count: issues.length } }, issues.map((i) => i.message).join('\n'));
}
