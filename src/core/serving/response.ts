/**
 * Response bodies, byte for byte as TF Serving writes them (util/json_tensor.cc, and protobuf's JSON for
 * status and metadata; see json-write.ts for the number and layout rules).
 */
import { invalid } from './errors';
import { PrettyWriter, protoJson, writeFloat } from './json-write';
import type { Json } from './json-parse';
import type { PredictFormat } from './request';
import type { SignatureDef, Tensor, TensorSpec } from './types';

/** A value of a tensor (from `offset`) at dimension `dim` and below; advances the offset. */
function writeValues(w: PrettyWriter, name: string, t: Tensor, dim: number, offset: { at: number }): void {
  if (dim > t.shape.length - 1) {
    const v = t.values[offset.at++]!;
    if (t.dtype === 'DT_FLOAT') w.raw(writeFloat(v as number));
    else if (t.dtype === 'DT_INT32') w.raw(String(v));
    // a DT_STRING output whose name ends in _bytes holds bytes: {"b64": ...}
    else if (name.endsWith('_bytes')) {
      w.startObject();
      w.key('b64');
      w.string(btoa((v as string | null) ?? ''));
      w.endObject();
    } else w.string((v as string | null) ?? '');
    return;
  }
  w.startArray();
  for (let i = 0; i < t.shape[dim]!; i++) writeValues(w, name, t, dim + 1, offset);
  w.endArray();
}

/** `{"predictions": ...}` (row format) or `{"outputs": ...}` (columnar), outputs in name order. */
export function predictResponse(outputs: Record<string, Tensor>, format: PredictFormat): string {
  const names = Object.keys(outputs).sort();
  if (names.length === 0) throw invalid('Cannot convert empty tensor map to JSON');
  const w = new PrettyWriter();
  w.startObject();
  const several = names.length > 1;
  if (format === 'columnar') {
    w.key('outputs');
    if (several) w.startObject();
    for (const name of names) {
      if (several) w.key(name);
      writeValues(w, name, outputs[name]!, 0, { at: 0 });
    }
    if (several) w.endObject();
  } else {
    let batch = -1;
    for (const name of names) {
      const t = outputs[name]!;
      if (t.shape.length === 0) throw invalid(`Tensor name: ${name} has no shape information `);
      if (batch >= 0 && batch !== t.shape[0]) throw invalid(`Tensor name: ${name} has inconsistent batch size: ${t.shape[0]} expecting: ${batch}`);
      batch = t.shape[0]!;
    }
    const offsets = Object.fromEntries(names.map((n) => [n, { at: 0 }]));
    w.key('predictions');
    w.startArray();
    for (let item = 0; item < batch; item++) {
      if (several) w.startObject();
      w.singleLineArray = true;
      for (const name of names) {
        if (several) w.key(name);
        writeValues(w, name, outputs[name]!, 1, offsets[name]!);
      }
      w.singleLineArray = false;
      if (several) w.endObject();
    }
    w.endArray();
  }
  w.endObject();
  return w.toString();
}

/** `{"results": [[[label, score], ...], ...]}`: every class with its score, per example. */
export function classifyResponse(results: [string, number][][]): string {
  if (results.length === 0) throw invalid('Cannot convert empty ClassificationResults to JSON');
  const w = new PrettyWriter();
  w.startObject();
  w.key('results');
  w.startArray();
  for (const classes of results) {
    w.singleLineArray = true;
    w.startArray();
    for (const [label, score] of classes) {
      w.startArray();
      w.string(label);
      w.raw(writeFloat(score));
      w.endArray();
    }
    w.endArray();
    w.singleLineArray = false;
  }
  w.endArray();
  w.endObject();
  return w.toString();
}

/** `{"results": [value, ...]}`: one value per example, on one line. */
export function regressResponse(values: ArrayLike<number>): string {
  if (values.length === 0) throw invalid('Cannot convert empty RegressionResults to JSON');
  const w = new PrettyWriter();
  w.startObject();
  w.key('results');
  w.singleLineArray = true;
  w.startArray();
  for (let i = 0; i < values.length; i++) w.raw(writeFloat(values[i]!));
  w.endArray();
  w.endObject();
  return w.toString();
}

/** `{"error": message}`. */
export function errorResponse(message: string): string {
  const w = new PrettyWriter();
  w.startObject();
  w.key('error');
  w.string(message);
  w.endObject();
  return w.toString();
}

/** GetModelStatusResponse: each version AVAILABLE with status OK (a version that failed to load is not listed). */
export function statusResponse(versions: readonly number[]): string {
  return protoJson({
    model_version_status: versions.map((v) => ({ version: String(v), state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } })),
  });
}

function tensorInfo(spec: TensorSpec): Json {
  return {
    dtype: spec.dtype,
    tensor_shape: { dim: spec.shape.map((d) => ({ size: String(d), name: '' })), unknown_rank: false },
    name: spec.name,
  };
}

const sortedMap = <T>(record: Record<string, T>, f: (v: T) => Json): Json => Object.fromEntries(Object.keys(record).sort().map((k) => [k, f(record[k]!)]));

/**
 * GetModelMetadataResponse with the signature_def field, as TF Serving prints it; `pipette` (an extra key
 * a TF Serving client ignores) says whether the model takes raw rows or its encoded input, its task and labels.
 */
export function metadataResponse(name: string, version: number, signatures: Record<string, SignatureDef>, pipette: Json): string {
  return protoJson({
    model_spec: { name, signature_name: '', version: String(version) },
    metadata: {
      signature_def: {
        signature_def: sortedMap(signatures, (s) => ({ inputs: sortedMap(s.inputs, tensorInfo), outputs: sortedMap(s.outputs, tensorInfo), method_name: s.methodName, defaults: {} })),
      },
    },
    pipette,
  });
}
