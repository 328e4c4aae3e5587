/**
 * A model as plain JSON: the input, a stack of layers and an output head. The page edits it, shows each
 * layer's output shape and parameter count (inferShapes: pure arithmetic, no TF.js, so it is instant and
 * keeps TF.js out of the main bundle), and refuses an invalid stack before any training starts
 * (validateSpec). The training worker turns it into a tf.LayersModel with buildModel.
 *
 * Shapes here never include the batch dimension: [features], [height, width, channels] or [steps, dims].
 */
import type * as tfjs from '@tensorflow/tfjs';
import { TrainError } from './errors';

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
const RANK_FIX_TEXT: Record<RankFix, string> = {
  '': '',
  'flatten-2d': ': add Flatten or GlobalAveragePooling2D before it',
  'flatten-1d': ': add Flatten or GlobalAveragePooling1D before it',
  'after-flatten': ' (it comes after Flatten: move it before)',
  'use-gap2d': ': use GlobalAveragePooling2D for images',
  'use-gap1d': ': use GlobalAveragePooling1D for sequences',
};

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

function isPosInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

function pair(v: Size2 | undefined, fallback: [number, number]): [number, number] | null {
  if (v === undefined) return fallback;
  if (isPosInt(v)) return [v, v];
  if (Array.isArray(v) && v.length === 2 && isPosInt(v[0]) && isPosInt(v[1])) return [v[0], v[1]];
  return null;
}

function describe(shape: number[]): string {
  if (shape.length === 1) return `a flat vector of ${shape[0]}`;
  if (shape.length === 2) return `a sequence of ${shape[0]} x ${shape[1]}`;
  return `an image-shaped ${shape.join(' x ')} tensor`;
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The per-example input shape of an input spec, or null with issues. */
function inputShapeOf(input: InputSpec, issues: SpecIssue[]): number[] | null {
  const bad = (field: string, code: SpecIssueCode, params: Record<string, string | number>, what: string): null => {
    issues.push({ at: 'input', field, code, params, message: `Input: ${what}` });
    return null;
  };
  const notPositive = (field: 'features' | 'height' | 'width' | 'channels' | 'length' | 'vocabSize', english: string, got: unknown) =>
    bad(field, 'input-positive', { what: field, got: String(got) }, `${english} must be a positive integer (got ${String(got)})`);
  if (!input || typeof input !== 'object') return bad('kind', 'input-missing', {}, 'the input is missing');
  switch (input.kind) {
    case 'tabular':
      if (!isPosInt(input.features)) return notPositive('features', 'the number of features', input.features);
      return [input.features];
    case 'image': {
      const wrong = (['height', 'width', 'channels'] as const).filter((f) => !isPosInt(input[f]));
      for (const f of wrong) notPositive(f, f, input[f]);
      return wrong.length ? null : [input.height, input.width, input.channels];
    }
    case 'tokens': {
      const okLength = isPosInt(input.length);
      const okVocab = isPosInt(input.vocabSize);
      if (!okLength) notPositive('length', 'the sequence length', input.length);
      if (!okVocab) notPositive('vocabSize', 'the vocabulary size', input.vocabSize);
      return okLength && okVocab ? [input.length] : null;
    }
    default: {
      const kind = String((input as { kind?: unknown }).kind);
      return bad('kind', 'input-kind', { got: kind }, `unknown input kind '${kind}'`);
    }
  }
}

/** Output size along one axis of a convolution or pooling window (TF's 'valid' / 'same' arithmetic). */
function windowOut(size: number, window: number, stride: number, padding: Padding): number {
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - window) / stride) + 1;
}

/**
 * Each layer's output shape and parameter count, and every problem found, in one pass. Problems name
 * the layer and what is wrong; once a shape is unknown later layers report null shapes, but their own
 * parameters (units, rates, sizes) are still checked.
 */
export function inferShapes(spec: ModelSpec): ShapeReport {
  const issues: SpecIssue[] = [];
  const layers: LayerShape[] = [];
  if (!spec || typeof spec !== 'object') {
    return { inputShape: null, layers, totalParams: 0, trainableParams: 0, issues: [{ at: 'input', code: 'spec-missing', params: {}, message: 'The model spec is missing' }] };
  }
  const inputShape = inputShapeOf(spec.input, issues);
  const stack: LayerSpec[] = Array.isArray(spec.layers) ? spec.layers : [];
  if (!Array.isArray(spec.layers)) issues.push({ at: 'input', field: 'layers', code: 'layers-missing', params: {}, message: 'The layer list is missing' });
  let shape: number[] | null = inputShape;
  let totalParams = 0;
  let trainableParams = 0;

  if (spec.input?.kind === 'tokens' && stack[0]?.type !== 'embedding') {
    issues.push({
      at: stack.length ? 0 : 'input',
      code: 'embedding-first',
      params: {},
      message: 'Token ids need an Embedding layer first: add Embedding as layer 1',
    });
    shape = null;
  }

  stack.forEach((layer, i) => {
    const type = layer?.type;
    const display = type && type in LAYER_DISPLAY_NAMES ? LAYER_DISPLAY_NAMES[type] : '';
    const label = `Layer ${i + 1}${display ? ` (${display})` : ''}`;
    const issue = (code: SpecIssueCode, params: Record<string, string | number>, message: string, field?: string) =>
      issues.push({ at: i, field, code, params: { ...params, layer: display }, message: `${label}: ${message}` });
    const notPositive = (what: 'units' | 'filters' | 'outputDim', english: string, got: unknown) =>
      issue('positive-int', { what, got: String(got) }, `${english} must be a positive integer (got ${String(got)})`, what);
    const notPair = (what: 'kernelSize' | 'strides' | 'poolSize', english: string, got: unknown) =>
      issue('pair', { what, got: JSON.stringify(got) }, `${english} must be a positive integer or two (got ${JSON.stringify(got)})`, what);
    const badPadding = (got: unknown) => issue('padding', { got: String(got) }, `padding must be 'valid' or 'same' (got ${String(got)})`, 'padding');
    if (!type || !(type in LAYER_DISPLAY_NAMES)) {
      issue('layer-type', { got: String(type) }, `unknown layer type '${String(type)}'`, 'type');
      layers.push({ at: i, type: 'dense', name: `layer_${i + 1}`, outputShape: null, params: 0, trainableParams: 0 });
      shape = null;
      return;
    }
    const input: number[] | null = shape;
    let out: number[] | null = null;
    let params = 0;
    let trainable = 0;
    const activationOk = (a: unknown) => {
      if (a !== undefined && !(ACTIVATIONS as readonly unknown[]).includes(a)) issue('activation', { got: String(a) }, `unknown activation '${String(a)}'`, 'activation');
    };
    // Checks the rank a layer needs; reports what it gets instead and what would fix it.
    const needRank = (rank: number, fix: RankFix): boolean => {
      if (!input) return false;
      if (input.length === rank) return true;
      issue(
        'rank',
        { need: rank, got: input.join(' x '), gotRank: input.length, fix },
        `needs ${rank === 1 ? 'a flat vector' : rank === 2 ? 'a sequence (steps x features)' : 'an image-shaped input (height x width x channels)'} but gets ${describe(input)}${RANK_FIX_TEXT[fix]}`,
      );
      return false;
    };

    switch (layer.type) {
      case 'dense': {
        activationOk(layer.activation);
        const unitsOk = isPosInt(layer.units);
        if (!unitsOk) notPositive('units', 'units', layer.units);
        const fix = input?.length === 3 ? 'flatten-2d' : 'flatten-1d';
        if (needRank(1, fix) && unitsOk && input) {
          out = [layer.units];
          params = trainable = input[0]! * layer.units + layer.units;
        }
        break;
      }
      case 'conv2d': {
        activationOk(layer.activation);
        const filtersOk = isPosInt(layer.filters);
        if (!filtersOk) notPositive('filters', 'filters', layer.filters);
        const k = pair(layer.kernelSize, [0, 0]);
        if (!k || layer.kernelSize === undefined) notPair('kernelSize', 'kernel size', layer.kernelSize);
        const s = pair(layer.strides, [1, 1]);
        if (!s) notPair('strides', 'strides', layer.strides);
        const padding = layer.padding ?? 'valid';
        if (padding !== 'valid' && padding !== 'same') badPadding(padding);
        const fix: RankFix = input?.length === 1 && i > 0 && stack[i - 1]?.type === 'flatten' ? 'after-flatten' : '';
        if (needRank(3, fix) && input && filtersOk && k && layer.kernelSize !== undefined && s) {
          if (padding === 'valid' && (k[0] > input[0]! || k[1] > input[1]!)) {
            const window = `${k[0]}x${k[1]}`;
            const inputSize = `${input[0]}x${input[1]}`;
            issue('kernel-too-large', { window, input: inputSize }, `kernel ${window} is larger than its ${inputSize} input (use padding 'same' or a smaller kernel)`, 'kernelSize');
          } else {
            out = [windowOut(input[0]!, k[0], s[0], padding), windowOut(input[1]!, k[1], s[1], padding), layer.filters];
            params = trainable = k[0] * k[1] * input[2]! * layer.filters + layer.filters;
          }
        }
        break;
      }
      case 'maxPooling2d': {
        const p = pair(layer.poolSize, [2, 2]);
        if (!p) notPair('poolSize', 'pool size', layer.poolSize);
        const s = layer.strides === undefined ? p : pair(layer.strides, [1, 1]);
        if (layer.strides !== undefined && !s) notPair('strides', 'strides', layer.strides);
        const padding = layer.padding ?? 'valid';
        if (padding !== 'valid' && padding !== 'same') badPadding(padding);
        const fix: RankFix = input?.length === 1 && i > 0 && stack[i - 1]?.type === 'flatten' ? 'after-flatten' : '';
        if (needRank(3, fix) && input && p && s) {
          if (padding === 'valid' && (p[0] > input[0]! || p[1] > input[1]!)) {
            const window = `${p[0]}x${p[1]}`;
            const inputSize = `${input[0]}x${input[1]}`;
            issue('pool-too-large', { window, input: inputSize }, `pool ${window} is larger than its ${inputSize} input`, 'poolSize');
          } else {
            out = [windowOut(input[0]!, p[0], s[0], padding), windowOut(input[1]!, p[1], s[1], padding), input[2]!];
          }
        }
        break;
      }
      case 'flatten':
        if (input) out = [product(input)];
        break;
      case 'dropout':
        if (!(typeof layer.rate === 'number' && layer.rate >= 0 && layer.rate < 1)) {
          issue('rate', { got: String(layer.rate) }, `rate must be at least 0 and below 1 (got ${String(layer.rate)})`, 'rate');
        } else if (input) out = input.slice();
        break;
      case 'batchNormalization':
        if (input) {
          out = input.slice();
          const channels = input[input.length - 1]!;
          // gamma and beta learn; the moving mean and variance are updated, not trained
          params = 4 * channels;
          trainable = 2 * channels;
        }
        break;
      case 'embedding': {
        const dimOk = isPosInt(layer.outputDim);
        if (!dimOk) notPositive('outputDim', 'output dimension', layer.outputDim);
        if (i !== 0) issue('embedding-not-first', {}, 'must be the first layer (it turns token ids into vectors)');
        else if (spec.input?.kind !== 'tokens') issue('embedding-input', { got: spec.input?.kind ?? 'missing' }, `needs token ids as input, but the input is ${spec.input?.kind ?? 'missing'}`);
        else if (dimOk && input) {
          out = [input[0]!, layer.outputDim];
          params = trainable = spec.input.vocabSize * layer.outputDim;
        }
        break;
      }
      case 'globalAveragePooling1d':
        if (needRank(2, input?.length === 3 ? 'use-gap2d' : '') && input) out = [input[1]!];
        break;
      case 'globalAveragePooling2d':
        if (needRank(3, input?.length === 2 ? 'use-gap1d' : '') && input) out = [input[2]!];
        break;
    }
    if (out && out.some((d) => !(d > 0))) {
      issue('empty-output', { shape: out.join(' x ') }, `its output ${out.join(' x ')} is empty: the input is too small for it`);
      out = null;
    }
    if (!out) shape = null;
    else shape = out;
    totalParams += params;
    trainableParams += trainable;
    layers.push({ at: i, type, name: layerName(i, type), outputShape: out, params, trainableParams: trainable });
  });

  // The head: Dense(classes | 1) on a flat vector.
  const head = spec.head;
  let headUnits: number | null = null;
  if (!head || (head.kind !== 'classification' && head.kind !== 'regression')) {
    const kind = String((head as { kind?: unknown })?.kind);
    issues.push({ at: 'output', field: 'kind', code: 'head-kind', params: { got: kind }, message: `Output: unknown kind '${kind}'` });
  } else if (head.kind === 'classification') {
    if (!(isPosInt(head.classes) && head.classes >= 2)) {
      issues.push({ at: 'output', field: 'classes', code: 'head-classes', params: { got: String(head.classes) }, message: `Output: a classifier needs at least 2 classes (got ${String(head.classes)})` });
    } else headUnits = head.classes;
  } else headUnits = 1;
  let headShape: number[] | null = null;
  let headParams = 0;
  // (TS narrows `shape` as if the forEach callback never assigned it)
  const last = shape as number[] | null;
  if (last && last.length !== 1) {
    const pooling = last.length === 3 ? 'GlobalAveragePooling2D' : 'GlobalAveragePooling1D';
    issues.push({
      at: 'output',
      code: 'head-flat',
      params: { got: last.join(' x '), gotRank: last.length, pooling },
      message: `Output: the last layer gives ${describe(last)}, but the output layer needs a flat vector: add Flatten or ${pooling} at the end`,
    });
  } else if (last && headUnits !== null) {
    headShape = [headUnits];
    headParams = last[0]! * headUnits + headUnits;
  }
  totalParams += headParams;
  trainableParams += headParams;
  layers.push({ at: 'output', type: 'output', name: HEAD_NAME, outputShape: headShape, params: headParams, trainableParams: headParams });

  if (totalParams > MAX_PARAMS) {
    issues.push({
      at: 'output',
      code: 'too-many-params',
      params: { total: totalParams, max: MAX_PARAMS },
      message: `The model has ${totalParams.toLocaleString('en')} parameters; at most ${MAX_PARAMS.toLocaleString('en')} fit in a browser tab`,
    });
  }
  return { inputShape, layers, totalParams, trainableParams, issues };
}

/** Every problem with a spec (empty when it can be built). */
export function validateSpec(spec: ModelSpec): SpecIssue[] {
  return inferShapes(spec).issues;
}

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

/**
 * Build the tf.LayersModel of a valid spec (not compiled: the trainer owns the loss and the optimizer).
 * Throws TrainError('invalid-spec') listing every problem validateSpec finds.
 */
export function buildModel(tf: TF, spec: ModelSpec): tfjs.Sequential {
  const issues = validateSpec(spec);
  if (issues.length) {
    throw new TrainError('invalid-spec', { layer: typeof issues[0]!.at === 'number' ? issues[0]!.at : undefined }, issues.map((i) => i.message).join('\n'));
  }
  const seedFor = (i: number) => (spec.seed === undefined ? undefined : (spec.seed + i * 7919) >>> 0);
  const kernelInit = (i: number) => {
    const seed = seedFor(i);
    return seed === undefined ? undefined : tf.initializers.glorotUniform({ seed });
  };
  const model = tf.sequential();
  const shape = inputShape(spec.input);
  spec.layers.forEach((layer, i) => {
    const common = { name: layerName(i, layer.type), ...(i === 0 ? { inputShape: shape } : {}) };
    switch (layer.type) {
      case 'dense':
        model.add(tf.layers.dense({ ...common, units: layer.units, activation: layer.activation ?? 'linear', kernelInitializer: kernelInit(i) }));
        break;
      case 'conv2d':
        model.add(
          tf.layers.conv2d({
            ...common,
            filters: layer.filters,
            kernelSize: layer.kernelSize,
            strides: layer.strides ?? 1,
            padding: layer.padding ?? 'valid',
            activation: layer.activation ?? 'linear',
            kernelInitializer: kernelInit(i),
          }),
        );
        break;
      case 'maxPooling2d':
        model.add(
          tf.layers.maxPooling2d({ ...common, poolSize: layer.poolSize ?? 2, strides: layer.strides ?? layer.poolSize ?? 2, padding: layer.padding ?? 'valid' }),
        );
        break;
      case 'flatten':
        model.add(tf.layers.flatten(common));
        break;
      case 'dropout':
        // no seed: TF.js would then draw the same mask for every batch, which is not dropout
        model.add(tf.layers.dropout({ ...common, rate: layer.rate }));
        break;
      case 'batchNormalization':
        model.add(tf.layers.batchNormalization(common));
        break;
      case 'embedding': {
        const seed = seedFor(i);
        model.add(
          tf.layers.embedding({
            ...common,
            inputDim: (spec.input as { vocabSize: number }).vocabSize,
            outputDim: layer.outputDim,
            embeddingsInitializer: seed === undefined ? undefined : tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed }),
          }),
        );
        break;
      }
      case 'globalAveragePooling1d':
        model.add(tf.layers.globalAveragePooling1d(common));
        break;
      case 'globalAveragePooling2d':
        model.add(tf.layers.globalAveragePooling2d(common));
        break;
    }
  });
  const units = spec.head.kind === 'classification' ? spec.head.classes : 1;
  model.add(
    tf.layers.dense({
      name: HEAD_NAME,
      ...(spec.layers.length === 0 ? { inputShape: shape } : {}),
      units,
      activation: spec.head.kind === 'classification' ? 'softmax' : 'linear',
      kernelInitializer: kernelInit(spec.layers.length),
    }),
  );
  return model;
}
