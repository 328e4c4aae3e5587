/**
 * Every request shape and error through the one handler the tab and the Node server share, on models
 * computed by hand (fixtures.ts). Expected answers: api_rest.md's half_plus_three example (predictions
 * 3.5, 4.0, 5.5; regress results 3.5, 4.0), y = 0.5 x + 3 by hand elsewhere, and TF Serving's error texts
 * and statuses from json_tensor.cc, http_rest_api_util.cc, basic_manager.cc and get_model_status_impl.cc.
 */
import { describe, expect, it } from 'vitest';
import { handle, type ServingResponse } from '../../../src/core/serving/handler';
import { servedFixtures } from './fixtures';

const { models, half } = servedFixtures();

async function post(path: string, body: string, maxBodyBytes?: number): Promise<ServingResponse> {
  return handle({ method: 'POST', path, body }, models, { maxBodyBytes });
}

async function json(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await post(path, typeof body === 'string' ? body : JSON.stringify(body));
  return { status: r.status, body: JSON.parse(r.body.replace(/\bNaN\b/g, 'null')) as Record<string, unknown> };
}

const predict = (model: string, body: unknown) => json(`/v1/models/${model}:predict`, body);

async function error(path: string, body: unknown, method = 'POST'): Promise<[number, string]> {
  const r = await handle({ method, path, body: typeof body === 'string' ? body : JSON.stringify(body) }, models);
  return [r.status, (JSON.parse(r.body) as { error: string }).error];
}

describe("the half_plus_three check (api_rest.md's example)", () => {
  it('predicts 3.5, 4.0, 5.5 and regresses 3.5, 4.0, written as TF Serving writes them', async () => {
    const p = await post('/v1/models/half_plus_three:predict', '{"instances": [1.0, 2.0, 5.0]}');
    expect(p).toMatchObject({ status: 200, model: 'half_plus_three', version: 123, api: 'predict' });
    expect(p.body).toBe('{\n    "predictions": [3.5, 4.0, 5.5\n    ]\n}');
    const r = await post('/v1/models/half_plus_three:regress', '{"signature_name": "tensorflow/serving/regress", "examples": [{"x": 1.0}, {"x": 2.0}]}');
    expect(r.body).toBe('{\n    "results": [3.5, 4.0]\n}');
    // without signature_name, regress runs the model's regress signature
    expect((await post('/v1/models/half_plus_three/versions/123:regress', '{"examples": [{"x": 1.0}, {"x": 2.0}]}')).body).toBe(r.body);
  });
});

describe('predict request shapes', () => {
  it('reads the row and the columnar format', async () => {
    expect((await predict('half_plus_three', { instances: [4, -2] })).body).toEqual({ predictions: [5, 2] });
    expect((await predict('half_plus_three', { inputs: [4, -2] })).body).toEqual({ outputs: [5, 2] });
    expect((await predict('half_plus_three', { inputs: { x: [10] } })).body).toEqual({ outputs: [8] });
  });

  it('reads named inputs in both formats, answering an object per example or per output', async () => {
    // sum = a0 + a1 + b, product = a0 * a1 * b
    const rows = await predict('two', { instances: [{ a: [1, 2], b: 3 }, { a: [4, 5], b: 0.5 }] });
    expect(rows.body).toEqual({ predictions: [{ product: 6, sum: 6 }, { product: 10, sum: 9.5 }] });
    const columns = await predict('two', { inputs: { a: [[1, 2], [4, 5]], b: [3, 0.5] } });
    expect(columns.body).toEqual({ outputs: { product: [6, 10], sum: [6, 9.5] } });
  });

  it('decodes {"b64": ...} string values and takes plain strings', async () => {
    // "aGVsbG8=" is "hello" (5 bytes), "dGY=" is "tf" (2)
    expect((await predict('text', { instances: [{ b64: 'aGVsbG8=' }, 'abc', { b64: 'dGY=' }] })).body).toEqual({ predictions: [5, 3, 2] });
  });

  it('takes NaN, Infinity and -Infinity, and ignores text after the document as rapidjson does', async () => {
    const r = await post('/v1/models/half_plus_three:predict', '{"instances": [NaN, Infinity, -Infinity, 1e2]} trailing');
    expect(r.body).toBe('{\n    "predictions": [NaN, Infinity, -Infinity, 53.0\n    ]\n}');
  });
});

describe('predict errors (400)', () => {
  const path = '/v1/models/half_plus_three:predict';
  it('refuses bodies that are not the request', async () => {
    expect(await error(path, '')).toEqual([400, 'JSON Parse error: The document is empty']);
    expect(await error(path, 'instances = [1, 2]')).toEqual([400, 'JSON Parse error: Invalid value. at offset: 0']);
    expect(await error(path, '{"instances": [1, 2,]}')).toEqual([400, 'JSON Parse error: Invalid value. at offset: 20']);
    expect(await error(path, '{"instances": [1 2]}')).toEqual([400, "JSON Parse error: Missing a comma or ']' after an array element. at offset: 17"]);
    expect(await error(path, '[1]')).toEqual([400, 'JSON Value: [1] Is not object']);
    expect(await error(path, { instances: 1 })).toEqual([400, 'JSON Value: {\n    "instances": 1\n} Expecting \'instances\' to be an list/array']);
    expect(await error(path, { instances: [] })).toEqual([400, 'JSON Value: {\n    "instances": []\n} No values in \'instances\' array']);
    expect(await error(path, { instances: [1], inputs: [1] })).toEqual([400, 'JSON Value: {\n    "instances": [1],\n    "inputs": [1]\n} Not formatted correctly expecting only one of \'inputs\' or \'instances\' keys to exist ']);
    expect(await error(path, { examples: [1] })).toEqual([400, "Missing 'inputs' or 'instances' key"]);
    expect(await error(path, { signature_name: 3, instances: [1] })).toEqual([400, 'JSON Value: {\n    "signature_name": 3,\n    "instances": [1]\n} not formatted correctly. \'signature_name\' key must be a string value.']);
    expect(await error(path, { signature_name: 'nope', instances: [1] })).toEqual([400, 'Serving signature name: "nope" not found in signature def']);
  });

  it('refuses values of the wrong type or shape', async () => {
    expect(await error(path, { instances: ['a'] })).toEqual([400, 'Failed to process element: 0 of \'instances\' list. Error: INVALID_ARGUMENT: JSON Value: "a" Type: String is not of expected type: float']);
    // each item's shape is read from its own first elements, then compared with the first item's
    expect(await error(path, { instances: [[1, 2], [3]] })).toEqual([400, "Failed to process element: 1 of 'instances' list. Error: INVALID_ARGUMENT: Expecting tensor size: 2 but got: 1"]);
    expect(await error(path, { instances: [[1, 2], [[1], [2]]] })).toEqual([400, "Failed to process element: 1 of 'instances' list. Error: INVALID_ARGUMENT: Expecting shape [2] but got: [2,1]"]);
    expect(await error(path, { instances: [[1, 2], [3, [4]]] })).toEqual([400, "Failed to process element: 1 of 'instances' list. Error: INVALID_ARGUMENT: Encountered list at unexpected level: 1 expected < 1"]);
    expect(await error(path, { instances: [[1, [2]]] })).toEqual([400, "Failed to process element: 0 of 'instances' list. Error: INVALID_ARGUMENT: Encountered list at unexpected level: 1 expected < 1"]);
    expect(await error(path, { inputs: [[1], 2] })).toEqual([400, 'JSON Value: 2 found at incorrect level: 2 in the JSON DOM. Expected at level: 2']);
    // x takes one scalar per example
    expect(await error(path, { instances: [[1.0], [2.0]] })).toEqual([400, 'Input "x" takes shape [-1], but the request gives a tensor of shape [2,1]']);
    expect(await error(path, { inputs: 1 })).toEqual([400, 'Input "x" takes shape [-1], but the request gives a tensor of shape []']);
    expect(await error('/v1/models/text:predict', { instances: [{ b64: 'not base64!' }] })).toEqual([400, "Failed to process element: 0 of 'instances' list. Error: INVALID_ARGUMENT: Unable to base64 decode"]);
  });

  it('refuses named inputs that do not match the signature', async () => {
    const two = '/v1/models/two:predict';
    expect(await error(two, { instances: [[1, 2]] })).toEqual([400, 'instances is a plain list, but expecting list of objects as multiple input tensors required as per tensorinfo_map']);
    expect(await error(two, { instances: [{ a: [1, 2], b: 1 }, [1]] })).toEqual([400, 'Expecting object but got list at item 1 of input list']);
    expect(await error(two, { instances: [{ a: [1, 2] }] })).toEqual([400, 'Failed to process element: 0 of \'instances\' list. JSON object: {\n    "a": [1, 2]\n} keys must be equal to: a,b']);
    expect(await error(two, { instances: [{ a: [1, 2], b: 1, c: 2 }] })).toEqual([400, "Failed to process element: 0 key: c of 'instances' list. Error: INVALID_ARGUMENT: JSON object: does not have named input: c"]);
    expect(await error(two, { instances: [{ a: [1, 2], b: 1 }, { a: [1, 2, 3], b: 1 }] })).toEqual([400, "Failed to process element: 1 key: a of 'instances' list. Error: INVALID_ARGUMENT: Expecting tensor size: 2 but got: 3"]);
    expect(await error(two, { inputs: { a: [[1, 2]] } })).toEqual([400, "Missing named input: b in 'inputs' object."]);
    expect(await error(two, { inputs: [1, 2] })).toEqual([400, 'inputs is a plain value/list, but expecting an object as multiple input tensors required as per tensorinfo_map']);
    expect(await error('/v1/models/half_plus_three:predict', { instances: [2, { x: 1 }] })).toEqual([400, 'Expecting value/list but got object at item 1 of input list']);
    expect(await error('/v1/models/half_plus_three:predict', { instances: [{ x: 1 }, 2] })).toEqual([400, 'Expecting object but got list at item 1 of input list']);
  });
});

describe('classify and regress', () => {
  it('classifies every example into [label, score] pairs, with the context added to each example', async () => {
    const r = await post('/v1/models/vehicles:classify', '{"examples": [{"f": 0.25}, {"f": 0.5}]}');
    // scores [f, 1 - f - 0.1, 0.1]
    expect(r.body).toBe('{\n    "results": [[["car", 0.25], ["bike", 0.65], ["bus", 0.1]], [["car", 0.5], ["bike", 0.4], ["bus", 0.1]]\n    ]\n}');
    const c = await json('/v1/models/half_plus_three:regress', { context: { x: 4 }, examples: [{}, {}] });
    expect(c.body).toEqual({ results: [5, 5] });
  });

  it("refuses examples as TF Serving and TF's example parsing do", async () => {
    const regress = '/v1/models/half_plus_three:regress';
    expect(await error(regress, { instances: [1] })).toEqual([400, 'JSON Value: {\n    "instances": [1]\n} When method is classify, key \'examples\' is expected and was not found']);
    expect(await error(regress, { examples: {} })).toEqual([400, 'JSON Value: {\n    "examples": {}\n} Expecting \'examples\' value to be an list/array']);
    expect(await error(regress, { examples: [] })).toEqual([400, 'JSON Value: {\n    "examples": []\n} \'examples\' value is an empty array']);
    expect(await error(regress, { examples: [[1]] })).toEqual([400, 'Example must be JSON object but got JSON Array']);
    expect(await error(regress, { examples: [{ x: null }] })).toEqual([400, 'Feature: x has element with unexpected JSON type: Null']);
    expect(await error(regress, { examples: [{ x: [1.5, 'a'] }] })).toEqual([400, 'Unexpected element type in feature: x expecting type: float']);
    expect(await error(regress, { examples: [{ y: 1 }] })).toEqual([400, 'Feature: x (data type: float) is required but could not be found.']);
    expect(await error(regress, { examples: [{ x: [1, 2] }] })).toEqual([400, 'Name: <unknown>, Key: x, Index: 0.  Number of float values != expected.  Values size: 2 but output shape: []']);
    expect(await error(regress, { examples: [{ x: 'a' }] })).toEqual([400, "Name: <unknown>, Key: x, Index: 0.  Data types don't match. Data type: string but expected type: float"]);
    expect(await error('/v1/models/vehicles:regress', { examples: [{ f: 1 }] })).toEqual([400, 'Expected regression signature method_name to be tensorflow/serving/regress. Was: tensorflow/serving/predict']);
    expect(await error('/v1/models/half_plus_three:classify', { examples: [{ x: 1 }] })).toEqual([400, 'Expected classification signature method_name to be tensorflow/serving/classify. Was: tensorflow/serving/predict']);
  });
});

describe('models, versions and labels', () => {
  it('answers the status of all versions or one, and 404 for what is not served', async () => {
    const all = await handle({ method: 'GET', path: '/v1/models/vehicles', body: '' }, models);
    expect(JSON.parse(all.body)).toEqual({ model_version_status: [1, 2].map((v) => ({ version: String(v), state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } })) });
    const one = await handle({ method: 'GET', path: '/v1/models/vehicles/labels/production', body: '' }, models);
    expect((JSON.parse(one.body) as { model_version_status: { version: string }[] }).model_version_status.map((s) => s.version)).toEqual(['1']);
    expect(await error('/v1/models/half', '', 'GET')).toEqual([404, 'Could not find any versions of model half']);
    expect(await error('/v1/models/vehicles/versions/9', '', 'GET')).toEqual([404, 'Could not find version 9 of model vehicles']);
    expect(await error('/v1/models', '', 'GET')).toEqual([400, 'Missing model name in request.']);
  });

  it('resolves the latest version, a version and a label; unknown ones are 404', async () => {
    expect((await post('/v1/models/vehicles:classify', '{"examples": [{"f": 0.5}]}')).version).toBe(2);
    expect((await post('/v1/models/vehicles/labels/production:classify', '{"examples": [{"f": 0.5}]}')).version).toBe(1);
    expect(await error('/v1/models/half:predict', { instances: [1.0, 5.0] })).toEqual([404, 'Servable not found for request: Latest(half)']);
    expect(await error('/v1/models/half_plus_three/versions/7:predict', { instances: [1] })).toEqual([404, 'Servable not found for request: Specific(half_plus_three, 7)']);
    expect(await error('/v1/models/vehicles/labels/staging:predict', { instances: [1] })).toEqual([404, 'Unrecognized servable version label: staging']);
    expect(await error('/v1/models/half_plus_three/labels/x/metadata', '', 'GET')).toEqual([404, 'Unrecognized servable version label: x']);
  });

  it('refuses malformed URLs and methods as TF Serving does', async () => {
    expect(await error('/v1/models/foo/metadata', '')).toEqual([400, 'Malformed request: POST /v1/models/foo/metadata']);
    expect(await error('/v1/models/foo/versions/50/labels/some_label:regress', '')).toEqual([400, 'Malformed request: POST /v1/models/foo/versions/50/labels/some_label:regress']);
    expect(await error('/v1/models/foo/versions/18446744073709551615:regress', '')).toEqual([400, 'Failed to convert version: 18446744073709551615 to numeric.']);
    expect(await error('/v1/models/half_plus_three:predict', '', 'PUT')).toEqual([400, 'Malformed request: PUT /v1/models/half_plus_three:predict']);
    // case-insensitive, as TF Serving's (?i) patterns, and URL-decoded names
    expect((await post('/V1/MODELS/half%5Fplus%5Fthree:PREDICT', '{"instances": [2]}')).status).toBe(200);
  });

  it('writes the metadata: signatures with dtypes and shapes as TF Serving does, sizes as strings', async () => {
    const r = await handle({ method: 'GET', path: '/v1/models/half_plus_three/versions/123/metadata', body: '' }, models);
    expect(r.status).toBe(200);
    const meta = JSON.parse(r.body) as { model_spec: object; metadata: { signature_def: { signature_def: Record<string, { inputs: Record<string, unknown>; method_name: string }> } } };
    expect(meta.model_spec).toEqual({ name: 'half_plus_three', signature_name: '', version: '123' });
    const defs = meta.metadata.signature_def.signature_def;
    expect(Object.keys(defs)).toEqual(['serving_default', 'tensorflow/serving/regress']);
    expect(defs.serving_default!.inputs.x).toEqual({ dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: '-1', name: '' }], unknown_rank: false }, name: 'x:0' });
    expect(defs['tensorflow/serving/regress']!.method_name).toBe('tensorflow/serving/regress');
    expect(r.body).toContain('\n "metadata": {\n  "signature_def": {\n   "signature_def": {\n    "serving_default": {\n     "inputs": {');
  });
});

describe('limits and faults', () => {
  it('refuses a body over the limit with 413 before reading it', async () => {
    const body = JSON.stringify({ instances: Array.from({ length: 100 }, () => 1.5) });
    const r = await post('/v1/models/half_plus_three:predict', body, 64);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toEqual({ error: `Request body of ${body.length} bytes is over the limit of 64 bytes` });
  });

  it('answers a fault inside the model as a 500 with its message only, and the model still answers after', async () => {
    const calls = half.calls.length;
    models.setVersion('broken', 1, { ...half, predict: () => Promise.reject(new Error('kernel failed')) });
    const r = await post('/v1/models/broken:predict', '{"instances": [1]}');
    expect(r).toMatchObject({ status: 500, body: '{\n    "error": "kernel failed"\n}' });
    expect((await post('/v1/models/half_plus_three:predict', '{"instances": [1]}')).status).toBe(200);
    expect(half.calls.length).toBe(calls + 1);
  });
});
