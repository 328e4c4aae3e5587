/**
 * Feature and label encoding: Arrow columns in, one Float32Array matrix (and label array) out.
 *
 * fitPreprocess learns everything from the TRAINING rows only (means and standard deviations, category
 * lists, vocabularies, class lists, the image size), so validation and test rows never leak into the
 * model. The learned PreprocessStats is plain JSON: it is saved with the run, travels with the model into
 * a bundle's metadata.json, and encode() applies exactly the same transform at prediction time.
 *
 * Encodings (one vector slot per number, in the order the features are listed):
 *   standardize  (x - mean) / std; a missing value becomes the training mean (0 after scaling)
 *   boolean      0 / 1; a missing value becomes the training fraction of true
 *   onehot       one slot per training category (sorted), plus a last slot for missing and unseen values
 *   bagOfWords   one slot per vocabulary word: 1 if the text contains it (lower-cased letter/digit runs)
 *   tokens       token ids, length L: 0 = padding, 1 = unknown word, 2 + i = vocabulary[i]
 *   image        pixels / 255, height x width x channels (grayscale by luminance, or RGB)
 *   transform    a fitted transform's outputs (core/transform, the Transform stage): its feature layout,
 *                applied to the raw columns it reads; it must be the only feature
 * tokens and image give the model a non-vector input, so each must be the only feature.
 */
export { MISSING_BOOL, tableFromBatches, tableFromRecords, type CellValue, type ColumnTable, type FlatColumn } from './columns';
export { decodeRegression, encode, encodeRecords, featureShapeOf, type Encoded, type EncodeOptions } from './encode';
export { fitPreprocess } from './fit';
export { imageToInput, type DecodedImage, type DecodeImage } from './images';
export { choiceColumns, choiceOf, inputColumns, transformFeature, type InputColumn } from './inputs';
export { labelValues, tokenize } from './readers';
export type {
  ColumnEncoding,
  ColumnFeatureStats,
  FeatureChoice,
  FeatureEncoding,
  FeatureStats,
  LabelStats,
  PreprocessOptions,
  PreprocessStats,
  Task,
  TransformFeatureStats,
  TransformRef,
} from './types';
