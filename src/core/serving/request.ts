/**
 * A request body as TF Serving reads it (util/json_tensor.cc), into tensors for a signature's inputs:
 *
 * - predict, row format: `instances` is a non-empty list; with one input each item is that input's value
 *   (a value or a nested list), with several each item is an object naming every input; the items are
 *   batched into one tensor per input of shape [items, ...item's shape].
 * - predict, columnar format: `inputs` is the one input's value, or an object naming every input; each
 *   value is the whole tensor, batch dimension included.
 * - classify and regress: `examples` is a non-empty list of objects, feature name to a value or a list of
 *   values; `context` holds features shared by every example. Features name the inputs of the model's
 *   predict signature; each example gives each input its values in row-major order.
 *
 * A value's shape comes from its first element at each level; every leaf must sit at that depth, every
 * list have that size. `{"b64": "..."}` is a DT_STRING value given as base64 bytes; NaN and Infinity are
 * DT_FLOAT values. Errors carry TF Serving's messages; a value whose shape the signature does not take is
 * refused before the model runs (TF Serving lets the model refuse it).
 */
import { invalid, ServingError } from './errors';
import type { Json } from './json-parse';
import { debugString } from './json-write';
import { sizeOf, type DType, type SignatureDef, type Tensor, type TensorSpec } from './types';

export type PredictFormat = 'row' | 'columnar';

export interface PredictRequest {
  signatureName: string;
  format: PredictFormat;
  inputs: Record<string, Tensor>;
}

export interface ExamplesRequest {
  signatureName: string;
  /** One object per example, its features (with the context's) by name, each a list of values. */
  examples: Record<string, FeatureValues>[];
}

/** A feature of an example: its values and the kind of list TF would store them in. */
export interface FeatureValues {
  kind: 'float' | 'int64' | 'bytes';
  values: (number | string)[];
}

type JsonObject = { [key: string]: Json };

const TYPE_NAMES: Record<DType, string> = { DT_FLOAT: 'float', DT_INT32: 'int32', DT_STRING: 'string' };

export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jsonType(v: Json): string {
  if (v === null) return 'Null';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (Array.isArray(v)) return 'Array';
  if (typeof v === 'object') return 'Object';
  return typeof v === 'string' ? 'String' : 'Number';
}

/** `{"b64": "<string>"}` and nothing else. */
export function isBase64(v: Json): v is { b64: string } {
  return isObject(v) && Object.keys(v).length === 1 && typeof v.b64 === 'string';
}

/** The bytes of a base64 string as a binary string (one char per byte), or null if it is not base64. */
function decodeBase64(s: string): string | null {
  const clean = s.replace(/[\r\n]/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) return null;
  try {
    return atob(clean.padEnd(Math.ceil(clean.length / 4) * 4, '='));
  } catch {
    return null;
  }
}

function base64Value(v: Json): string {
  if (!isBase64(v)) throw invalid(`JSON Value: ${debugString(v)} not formatted correctly for base64 data`);
  const bytes = decodeBase64(v.b64);
  if (bytes === null) throw invalid('Unable to base64 decode');
  return bytes;
}

const typeError = (v: Json, dtype: DType) => invalid(`JSON Value: ${debugString(v)} Type: ${jsonType(v)} is not of expected type: ${TYPE_NAMES[dtype]}`);

/** A JSON value's dense shape, read from the first element of each list. */
function shapeOf(v: Json): number[] {
  const shape: number[] = [];
  let at: Json = v;
  while (Array.isArray(at)) {
    shape.push(at.length);
    if (at.length === 0) break;
    at = at[0]!;
  }
  return shape;
}

/** Append a JSON value of shape `shape` to `out` (FillTensorProto). */
function fill(v: Json, level: number, shape: number[], spec: TensorSpec, out: (number | string | null)[]): void {
  const rank = shape.length;
  if (!Array.isArray(v)) {
    if (level !== rank) throw invalid(`JSON Value: ${debugString(v)} found at incorrect level: ${level + 1} in the JSON DOM. Expected at level: ${rank}`);
    out.push(leaf(v, spec));
    return;
  }
  if (level >= rank) throw invalid(`Encountered list at unexpected level: ${level} expected < ${rank}`);
  if (v.length !== shape[level]) throw invalid(`Encountered list at unexpected size: ${v.length} at level: ${level} expected size: ${shape[level]}`);
  for (const x of v) fill(x, level + 1, shape, spec, out);
}

function leaf(v: Json, spec: TensorSpec): number | string | null {
  if (v === null && spec.nullable) return null;
  if (isObject(v)) {
    if (spec.dtype !== 'DT_STRING') throw typeError(v, spec.dtype);
    return base64Value(v);
  }
  if (spec.dtype === 'DT_STRING') {
    if (typeof v !== 'string') throw typeError(v, spec.dtype);
    return v;
  }
  if (typeof v !== 'number') throw typeError(v, spec.dtype);
  if (spec.dtype === 'DT_INT32' && !(Number.isInteger(v) && Math.abs(v) < 2 ** 31)) throw typeError(v, spec.dtype);
  return v;
}

/** A JSON value as a tensor of `spec`'s dtype (its shape is its own; checked against the signature later). */
function tensorOf(v: Json, spec: TensorSpec): Tensor {
  const shape = shapeOf(v);
  const values: (number | string | null)[] = [];
  fill(v, 0, shape, spec, values);
  return makeTensor(spec, shape, values);
}

export function makeTensor(spec: TensorSpec, shape: number[], values: (number | string | null)[]): Tensor {
  if (spec.dtype === 'DT_STRING') return { dtype: spec.dtype, shape, values: values as (string | null)[] };
  const numbers = values.map((x) => (x === null ? NaN : (x as number)));
  return { dtype: spec.dtype, shape, values: spec.dtype === 'DT_INT32' ? Int32Array.from(numbers) : Float32Array.from(numbers) };
}

const shapeText = (shape: readonly number[]) => `[${shape.join(',')}]`;

/** The signature's shape takes this tensor's shape (-1 takes any size). */
export function checkShape(name: string, spec: TensorSpec, tensor: Tensor): void {
  const fits = spec.shape.length === tensor.shape.length && spec.shape.every((d, i) => d === -1 || d === tensor.shape[i]);
  if (!fits) throw invalid(`Input "${name}" takes shape ${shapeText(spec.shape)}, but the request gives a tensor of shape ${shapeText(tensor.shape)}`);
}

function rowFormat(instances: Json[], inputs: Record<string, TensorSpec>): Record<string, Tensor> {
  const names = Object.keys(inputs).sort();
  const namedItem = (v: Json) => isObject(v) && !isBase64(v);
  if (!isObject(instances[0]!) && names.length > 1) {
    throw invalid('instances is a plain list, but expecting list of objects as multiple input tensors required as per tensorinfo_map');
  }
  const objects = namedItem(instances[0]!);
  const items: Record<string, { shape: number[]; size: number; values: (number | string | null)[] }> = {};
  const add = (item: Json, name: string) => {
    const spec = inputs[name];
    if (!spec) throw invalid(`JSON object: does not have named input: ${name}`);
    const shape = shapeOf(item);
    const values: (number | string | null)[] = [];
    fill(item, 0, shape, spec, values);
    const seen = items[name];
    if (!seen) items[name] = { shape, size: values.length, values };
    else if (seen.size !== values.length) throw invalid(`Expecting tensor size: ${seen.size} but got: ${values.length}`);
    else if (shapeText(seen.shape) !== shapeText(shape)) throw invalid(`Expecting shape ${shapeText(seen.shape)} but got: ${shapeText(shape)}`);
    else for (const x of values) seen.values.push(x);
  };
  const wrap = (index: number, key: string | null, e: unknown) => {
    if (!(e instanceof ServingError)) throw e;
    return invalid(`Failed to process element: ${index}${key === null ? '' : ` key: ${key}`} of 'instances' list. Error: INVALID_ARGUMENT: ${e.message}`);
  };
  instances.forEach((item, index) => {
    if (objects) {
      if (!namedItem(item)) throw invalid(`Expecting object but got list at item ${index} of input list`);
      for (const [key, value] of Object.entries(item as JsonObject)) {
        try {
          add(value, key);
        } catch (e) {
          throw wrap(index, key, e);
        }
      }
      const keys = Object.keys(item as JsonObject).sort();
      if (keys.join(',') !== names.join(',')) {
        throw invalid(`Failed to process element: ${index} of 'instances' list. JSON object: ${debugString(item)} keys must be equal to: ${names.join(',')}`);
      }
    } else {
      if (namedItem(item)) throw invalid(`Expecting value/list but got object at item ${index} of input list`);
      try {
        add(item, names[0]!);
      } catch (e) {
        throw wrap(index, null, e);
      }
    }
  });
  return Object.fromEntries(names.map((name) => [name, makeTensor(inputs[name]!, [instances.length, ...items[name]!.shape], items[name]!.values)]));
}

function columnarFormat(value: Json, inputs: Record<string, TensorSpec>): Record<string, Tensor> {
  const names = Object.keys(inputs).sort();
  if (!isObject(value) || isBase64(value)) {
    if (names.length > 1) throw invalid('inputs is a plain value/list, but expecting an object as multiple input tensors required as per tensorinfo_map');
    return { [names[0]!]: tensorOf(value, inputs[names[0]!]!) };
  }
  const out: Record<string, Tensor> = {};
  for (const name of names) {
    if (!Object.hasOwn(value, name)) throw invalid(`Missing named input: ${name} in 'inputs' object.`);
    out[name] = tensorOf(value[name]!, inputs[name]!);
  }
  return out;
}

/** signature_name, if given, must be a string. */
function signatureNameOf(doc: JsonObject): string {
  const name = doc.signature_name;
  if (name === undefined) return '';
  if (typeof name !== 'string') throw invalid(`JSON Value: ${debugString(doc)} not formatted correctly. 'signature_name' key must be a string value.`);
  return name;
}

function rootObject(doc: Json): JsonObject {
  if (!isObject(doc)) throw invalid(`JSON Value: ${debugString(doc)} Is not object`);
  return doc;
}

/**
 * A predict body against the model's signatures (`signature` finds one by name, '' for the default, or
 * throws TF Serving's error for an unknown name). Every input tensor is checked against its signature shape.
 */
export function parsePredict(doc: Json, signature: (name: string) => SignatureDef): PredictRequest {
  const root = rootObject(doc);
  const signatureName = signatureNameOf(root);
  const inputs = signature(signatureName).inputs;
  if (Object.keys(inputs).length === 0) throw invalid(`Failed to get input map for signature: ${signatureName || 'DEFAULT'}`);
  const hasInstances = Object.hasOwn(root, 'instances');
  const hasInputs = Object.hasOwn(root, 'inputs');
  let tensors: Record<string, Tensor>;
  let format: PredictFormat;
  if (hasInstances && hasInputs) {
    throw invalid(`JSON Value: ${debugString(root)} Not formatted correctly expecting only one of 'inputs' or 'instances' keys to exist `);
  } else if (hasInstances) {
    const instances = root.instances!;
    if (!Array.isArray(instances)) throw invalid(`JSON Value: ${debugString(root)} Expecting 'instances' to be an list/array`);
    if (instances.length === 0) throw invalid(`JSON Value: ${debugString(root)} No values in 'instances' array`);
    tensors = rowFormat(instances, inputs);
    format = 'row';
  } else if (hasInputs) {
    tensors = columnarFormat(root.inputs!, inputs);
    format = 'columnar';
  } else throw invalid("Missing 'inputs' or 'instances' key");
  for (const [name, tensor] of Object.entries(tensors)) checkShape(name, inputs[name]!, tensor);
  const batches = new Set(Object.values(tensors).map((t) => t.shape[0]));
  if (batches.size > 1) throw invalid(`The inputs have different batch sizes (${[...batches].join(', ')}); this model takes one batch for all its inputs`);
  return { signatureName, format, inputs: tensors };
}

function featureError(name: string, v: Json): ServingError {
  return invalid(`Feature: ${name} has element with unexpected JSON type: ${jsonType(v)}`);
}

/** An Example's features from a JSON object (MakeExampleFromJsonObject). */
function exampleOf(v: Json): Record<string, FeatureValues> {
  if (!isObject(v)) throw invalid(`Example must be JSON object but got JSON ${jsonType(v)}`);
  const out: Record<string, FeatureValues> = {};
  for (const [name, content] of Object.entries(v)) {
    let featureKind: FeatureValues['kind'] | null = null;
    const values: (number | string)[] = [];
    for (const x of Array.isArray(content) ? content : [content]) {
      let kind: FeatureValues['kind'];
      let value: number | string;
      if (x === null || Array.isArray(x)) throw featureError(name, x);
      if (typeof x === 'boolean') [kind, value] = ['int64', x ? 1 : 0];
      else if (isObject(x)) {
        if (!isBase64(x)) throw featureError(name, x);
        [kind, value] = ['bytes', base64Value(x)];
      } else if (typeof x === 'string') [kind, value] = ['bytes', x];
      else [kind, value] = [Number.isInteger(x) ? 'int64' : 'float', x];
      // a whole number in a float feature is still a float (JSON.parse has lost whether it was written 1 or 1.0)
      if (featureKind === 'float' && kind === 'int64') kind = 'float';
      if (featureKind === 'int64' && kind === 'float') featureKind = 'float';
      if (featureKind !== null && featureKind !== kind) throw invalid(`Unexpected element type in feature: ${name} expecting type: ${featureKind}`);
      featureKind = kind;
      values.push(value);
    }
    out[name] = { kind: featureKind ?? 'float', values };
  }
  return out;
}

/** A classify or regress body: its examples, each with the context's features added. */
export function parseExamples(doc: Json): ExamplesRequest {
  const root = rootObject(doc);
  const signatureName = signatureNameOf(root);
  const context = Object.hasOwn(root, 'context') ? exampleOf(root.context!) : {};
  if (!Object.hasOwn(root, 'examples')) throw invalid(`JSON Value: ${debugString(root)} When method is classify, key 'examples' is expected and was not found`);
  const examples = root.examples!;
  if (!Array.isArray(examples)) throw invalid(`JSON Value: ${debugString(root)} Expecting 'examples' value to be an list/array`);
  if (examples.length === 0) throw invalid(`JSON Value: ${debugString(root)} 'examples' value is an empty array`);
  return { signatureName, examples: examples.map((e) => ({ ...context, ...exampleOf(e) })) };
}

/**
 * Examples as the predict signature's input tensors, as TF's example parsing would make them: every input
 * a feature of every example, with as many values as one example of the input holds, of its type.
 */
export function examplesToInputs(request: ExamplesRequest, inputs: Record<string, TensorSpec>): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, spec] of Object.entries(inputs)) {
    const perExample = spec.shape.slice(1);
    const size = sizeOf(perExample);
    const values: (number | string | null)[] = [];
    request.examples.forEach((example, index) => {
      const feature = example[name];
      if (!feature) {
        if (spec.nullable) return void values.push(null);
        throw invalid(`Feature: ${name} (data type: ${TYPE_NAMES[spec.dtype]}) is required but could not be found.`);
      }
      const isString = feature.kind === 'bytes';
      if (isString !== (spec.dtype === 'DT_STRING')) {
        throw invalid(`Name: <unknown>, Key: ${name}, Index: ${index}.  Data types don't match. Data type: ${isString ? 'string' : feature.kind} but expected type: ${TYPE_NAMES[spec.dtype]}`);
      }
      if (feature.values.length !== size) {
        throw invalid(`Name: <unknown>, Key: ${name}, Index: ${index}.  Number of ${TYPE_NAMES[spec.dtype]} values != expected.  Values size: ${feature.values.length} but output shape: ${shapeText(perExample)}`);
      }
      for (const v of feature.values) values.push(v);
    });
    out[name] = makeTensor(spec, [request.examples.length, ...perExample], values);
  }
  return out;
}
