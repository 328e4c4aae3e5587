/** The spec's types and the names and shapes that follow from them directly (no checking, no TF.js). */
import type * as tfjs from '@tensorflow/tfjs';

/** The TF.js namespace, passed in so that this module never loads TF.js itself. */
export type TF = typeof tfjs;

export type Activation = 'linear' | 'relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'softplus' | 'swish';
export const ACTIVATIONS: readonly Activation[] = ['linear', 'relu', 'relu6', 'elu', 'selu', 'tanh', 'sigmoid', 'softplus', 'swish'];

export type Padding = 'valid' | 'same';
/** A square size (one number) or [rows, columns]. */
export type Size2 = number | [number, number];

export type InputSpec =
  /** A vector of numbers per example (standardized numbers, one-hot categories, bag of words). */
  | { kind: 'tabular'; features: number }
  /** Pixels scaled to [0, 1], height x width x channels. */
  | { kind: 'image'; height: number; width: number; channels: number }
  /** Token ids 0..vocabSize-1 (0 = padding, 1 = unknown word), `length` per example. */
  | { kind: 'tokens'; length: number; vocabSize: number };

export type LayerSpec =
  | { type: 'dense'; units: number; activation?: Activation }
  | { type: 'conv2d'; filters: number; kernelSize: Size2; strides?: Size2; padding?: Padding; activation?: Activation }
  | { type: 'maxPooling2d'; poolSize?: Size2; strides?: Size2; padding?: Padding }
  | { type: 'flatten' }
  | { type: 'dropout'; rate: number }
  | { type: 'batchNormalization' }
  /** Its input dimension is the input's vocabSize, so the two can never disagree. */
  | { type: 'embedding'; outputDim: number }
  | { type: 'globalAveragePooling1d' }
  | { type: 'globalAveragePooling2d' };

export type LayerType = LayerSpec['type'];
export const LAYER_TYPES: readonly LayerType[] = [
  'dense',
  'conv2d',
  'maxPooling2d',
  'flatten',
  'dropout',
  'batchNormalization',
  'embedding',
  'globalAveragePooling1d',
  'globalAveragePooling2d',
];

/** Classification ends in Dense(classes, softmax); regression in Dense(1, linear). */
export type HeadSpec = { kind: 'classification'; classes: number } | { kind: 'regression' };

export interface ModelSpec {
  version: 1;
  input: InputSpec;
  layers: LayerSpec[];
  head: HeadSpec;
  /** Seeds the weight initializers, so the same spec builds the same initial weights (dropout stays random). */
  seed?: number;
}

/** Where a problem is: the input, a layer (0-based index into spec.layers) or the output head. */
export type SpecLocation = 'input' | 'output' | number;

/** What is wrong, for the page to say in the person's language (with `params`); `message` is the English. */
export type SpecIssueCode =
  | 'spec-missing'
  | 'layers-missing'
  | 'input-missing'
  | 'input-positive' // params.what: features, height, width, channels, length, vocabSize
  | 'input-kind'
  | 'embedding-first'
  | 'layer-type'
  | 'activation'
  | 'rank' // params.need (1, 2, 3), params.got (a shape such as "28 x 28 x 1"), params.fix
  | 'positive-int' // params.what: units, filters, outputDim
  | 'pair' // params.what: kernelSize, strides, poolSize
  | 'padding'
  | 'kernel-too-large'
  | 'pool-too-large'
  | 'rate'
  | 'embedding-not-first'
  | 'embedding-input'
  | 'empty-output'
  | 'head-kind'
  | 'head-classes'
  | 'head-flat'
  | 'too-many-params';

/** Hints that follow a rank problem: what would fix it. */
export type RankFix = '' | 'flatten-2d' | 'flatten-1d' | 'after-flatten' | 'use-gap2d' | 'use-gap1d';

export interface SpecIssue {
  at: SpecLocation;
  /** The offending field, when one is, e.g. 'kernelSize'. */
  field?: string;
  code: SpecIssueCode;
  /** The values the message names; for a layer also `layer` (its type's display name, or ''). */
  params: Record<string, string | number>;
  /** Names the layer (1-based, as the editor numbers them) and what is wrong, in English. */
  message: string;
}

export interface LayerShape {
  /** 0-based index into spec.layers, or 'output' for the head. */
  at: number | 'output';
  type: LayerType | 'output';
  /** The TF.js layer name buildModel gives it. */
  name: string;
  /** Output shape without the batch dimension; null once an earlier problem makes it unknown. */
  outputShape: number[] | null;
  params: number;
  trainableParams: number;
}

export interface ShapeReport {
  inputShape: number[] | null;
  /** One entry per spec layer, then the head. */
  layers: LayerShape[];
  totalParams: number;
  trainableParams: number;
  issues: SpecIssue[];
}

/** Above this the weights alone are 200 MB of float32: more than a browser tab should try. */
export const MAX_PARAMS = 50_000_000;

/** Keras's class name of each layer type: what the layer editor and issue messages show. */
export const LAYER_DISPLAY_NAMES: Record<LayerType, string> = {
  dense: 'Dense',
  conv2d: 'Conv2D',
  maxPooling2d: 'MaxPooling2D',
  flatten: 'Flatten',
  dropout: 'Dropout',
  batchNormalization: 'BatchNormalization',
  embedding: 'Embedding',
  globalAveragePooling1d: 'GlobalAveragePooling1D',
  globalAveragePooling2d: 'GlobalAveragePooling2D',
};

const SNAKE: Record<LayerType, string> = {
  dense: 'dense',
  conv2d: 'conv2d',
  maxPooling2d: 'max_pooling2d',
  flatten: 'flatten',
  dropout: 'dropout',
  batchNormalization: 'batch_normalization',
  embedding: 'embedding',
  globalAveragePooling1d: 'global_average_pooling1d',
  globalAveragePooling2d: 'global_average_pooling2d',
};

/** Layer names are fixed by position, so checkpoints and bundles name the same weights on every build. */
export function layerName(index: number, type: LayerType): string {
  return `${SNAKE[type]}_${index + 1}`;
}
export const HEAD_NAME = 'output';

/** The per-example input shape a model built from `input` expects. */
export function inputShape(input: InputSpec): number[] {
  switch (input.kind) {
    case 'tabular':
      return [input.features];
    case 'image':
      return [input.height, input.width, input.channels];
    case 'tokens':
      return [input.length];
  }
}
