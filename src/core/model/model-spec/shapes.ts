/** inferShapes: each layer's output shape and parameter count, and every problem, by arithmetic alone. */
import {
  ACTIVATIONS,
  HEAD_NAME,
  LAYER_DISPLAY_NAMES,
  layerName,
  MAX_PARAMS,
  type HeadSpec,
  type InputSpec,
  type LayerShape,
  type LayerSpec,
  type ModelSpec,
  type Padding,
  type RankFix,
  type ShapeReport,
  type Size2,
  type SpecIssue,
  type SpecIssueCode,
} from './types';

/** The English hint of each RankFix, appended to a rank problem's message. */
const RANK_FIX_TEXT: Record<RankFix, string> = {
  '': '',
  'flatten-2d': ': add Flatten or GlobalAveragePooling2D before it',
  'flatten-1d': ': add Flatten or GlobalAveragePooling1D before it',
  'after-flatten': ' (it comes after Flatten: move it before)',
  'use-gap2d': ': use GlobalAveragePooling2D for images',
  'use-gap1d': ': use GlobalAveragePooling1D for sequences',
};

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
    const s = checkLayer(spec, stack, i, shape, issues);
    shape = s.outputShape;
    totalParams += s.params;
    trainableParams += s.trainableParams;
    layers.push(s);
  });

  // (TS narrows `shape` as if the forEach callback never assigned it)
  const head = checkHead(spec.head, shape as number[] | null, issues);
  totalParams += head.params;
  trainableParams += head.trainableParams;
  layers.push(head);

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

/** How one layer's problems are worded: each names the layer (1-based) and its type. */
interface LayerIssues {
  issue: (code: SpecIssueCode, params: Record<string, string | number>, message: string, field?: string) => void;
  notPositive: (what: 'units' | 'filters' | 'outputDim', english: string, got: unknown) => void;
  notPair: (what: 'kernelSize' | 'strides' | 'poolSize', english: string, got: unknown) => void;
  badPadding: (got: unknown) => void;
  activationOk: (a: unknown) => void;
  /** Checks the rank a layer needs; reports what it gets instead and what would fix it. */
  needRank: (rank: number, fix: RankFix) => boolean;
}

function layerIssues(i: number, display: string, input: number[] | null, issues: SpecIssue[]): LayerIssues {
  const label = `Layer ${i + 1}${display ? ` (${display})` : ''}`;
  const issue: LayerIssues['issue'] = (code, params, message, field) =>
    void issues.push({ at: i, field, code, params: { ...params, layer: display }, message: `${label}: ${message}` });
  return {
    issue,
    notPositive: (what, english, got) => issue('positive-int', { what, got: String(got) }, `${english} must be a positive integer (got ${String(got)})`, what),
    notPair: (what, english, got) => issue('pair', { what, got: JSON.stringify(got) }, `${english} must be a positive integer or two (got ${JSON.stringify(got)})`, what),
    badPadding: (got) => issue('padding', { got: String(got) }, `padding must be 'valid' or 'same' (got ${String(got)})`, 'padding'),
    activationOk: (a) => {
      if (a !== undefined && !(ACTIVATIONS as readonly unknown[]).includes(a)) issue('activation', { got: String(a) }, `unknown activation '${String(a)}'`, 'activation');
    },
    needRank: (rank, fix) => {
      if (!input) return false;
      if (input.length === rank) return true;
      issue(
        'rank',
        { need: rank, got: input.join(' x '), gotRank: input.length, fix },
        `needs ${rank === 1 ? 'a flat vector' : rank === 2 ? 'a sequence (steps x features)' : 'an image-shaped input (height x width x channels)'} but gets ${describe(input)}${RANK_FIX_TEXT[fix]}`,
      );
      return false;
    },
  };
}

/** Layer i of the stack on its input shape (null when unknown): its output shape and parameters, and its problems. */
function checkLayer(spec: ModelSpec, stack: LayerSpec[], i: number, input: number[] | null, issues: SpecIssue[]): LayerShape {
  const layer = stack[i]!;
  const type = layer?.type;
  const display = type && type in LAYER_DISPLAY_NAMES ? LAYER_DISPLAY_NAMES[type] : '';
  const say = layerIssues(i, display, input, issues);
  if (!type || !(type in LAYER_DISPLAY_NAMES)) {
    say.issue('layer-type', { got: String(type) }, `unknown layer type '${String(type)}'`, 'type');
    return { at: i, type: 'dense', name: `layer_${i + 1}`, outputShape: null, params: 0, trainableParams: 0 };
  }
  const result = layerOutput(spec, stack, i, input, say);
  let out = result.out;
  if (out && out.some((d) => !(d > 0))) {
    say.issue('empty-output', { shape: out.join(' x ') }, `its output ${out.join(' x ')} is empty: the input is too small for it`);
    out = null;
  }
  return { at: i, type, name: layerName(i, type), outputShape: out, params: result.params, trainableParams: result.trainable };
}

/** The arithmetic of each layer type: output shape (null when it cannot be known) and parameter counts. */
function layerOutput(spec: ModelSpec, stack: LayerSpec[], i: number, input: number[] | null, say: LayerIssues): { out: number[] | null; params: number; trainable: number } {
  const layer = stack[i]!;
  const { issue, notPositive, notPair, badPadding, activationOk, needRank } = say;
  let out: number[] | null = null;
  let params = 0;
  let trainable = 0;
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
  return { out, params, trainable };
}

/** The head: Dense(classes | 1) on a flat vector `last` (null when the stack's output is unknown). */
function checkHead(head: HeadSpec, last: number[] | null, issues: SpecIssue[]): LayerShape {
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
  return { at: 'output', type: 'output', name: HEAD_NAME, outputShape: headShape, params: headParams, trainableParams: headParams };
}
