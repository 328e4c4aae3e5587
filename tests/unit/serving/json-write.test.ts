/**
 * The writer against TF Serving's own expectations: WriteDecimal's float text (json_tensor_test.cc's
 * six-digit and non-finite cases, and values computed with Python: '%g' % f, '%.9g' % f when that does not
 * read back as the same float32, '.0' on a whole number), and rapidjson's pretty layout of the responses
 * (the curl outputs of api_rest.md's half_plus_three example).
 */
import { describe, expect, it } from 'vitest';
import { debugString, formatG, writeFloat } from '../../../src/core/serving/json-write';
import { classifyResponse, errorResponse, predictResponse, regressResponse, statusResponse } from '../../../src/core/serving/response';

const f32 = (x: number) => Math.fround(x);

describe('WriteDecimal', () => {
  it('writes float32 values as TF Serving does', () => {
    // json_tensor_test.cc FromJsonSingleFloatTensorSixDigitPrecision and NonFinite
    expect([9e6, 999999, 0.5, 0.0003, 3e-5, 555557.5].map((x) => writeFloat(f32(x)))).toEqual(['9e+06', '999999.0', '0.5', '0.0003', '3e-05', '555557.5']);
    expect([NaN, Infinity, 3, -Infinity].map(writeFloat)).toEqual(['NaN', 'Infinity', '3.0', '-Infinity']);
    // Python: struct float32 round trip of '%g', else '%.9g', then '.0'
    const python: [number, string][] = [
      [3.5, '3.5'],
      [4, '4.0'],
      [0.1, '0.1'],
      [0.123456789, '0.123456791'],
      [0.0009765625, '0.0009765625'],
      [1234565, '1234565.0'],
      [1e-7, '1e-07'],
      [123456789, '123456792.0'],
      [-2.5, '-2.5'],
      [1 / 3, '0.333333343'],
      [100000, '100000.0'],
      [1000000, '1e+06'],
    ];
    for (const [x, text] of python) expect(writeFloat(f32(x)), String(x)).toBe(text);
  });

  it("rounds %g's halfway cases to even, as C's printf does", () => {
    // printf("%g", 0.0009765625) = 0.000976562 (the exact tie goes to the even digit); 2.5 with one digit = 2
    expect(formatG(0.0009765625, 6)).toBe('0.000976562');
    expect(formatG(2.5, 1)).toBe('2');
    expect(formatG(3.5, 1)).toBe('4');
    expect(formatG(999999.5, 6)).toBe('1e+06');
  });
});

describe('response layout', () => {
  const tensor = (values: number[], shape = [values.length]) => ({ dtype: 'DT_FLOAT' as const, shape, values: Float32Array.from(values) });

  it('writes predictions on one line and the columnar outputs one value a line', () => {
    expect(predictResponse({ y: tensor([3.5, 4, 5.5]) }, 'row')).toBe('{\n    "predictions": [3.5, 4.0, 5.5\n    ]\n}');
    expect(predictResponse({ y: tensor([3.5, 4]) }, 'columnar')).toBe('{\n    "outputs": [\n        3.5,\n        4.0\n    ]\n}');
    expect(predictResponse({ p: tensor([0.25, 0.75, 1, 0], [2, 2]) }, 'row')).toBe('{\n    "predictions": [[0.25, 0.75], [1.0, 0.0]\n    ]\n}');
  });

  it('writes an object per example when the model has several outputs (names in order)', () => {
    const text = predictResponse({ sum: tensor([3, 4]), product: tensor([1.5, 2]) }, 'row');
    expect(text).toBe('{\n    "predictions": [\n        {\n            "product": 1.5,\n            "sum": 3.0\n        },\n        {\n            "product": 2.0,\n            "sum": 4.0\n        }\n    ]\n}');
    expect(JSON.parse(predictResponse({ sum: tensor([3, 4]), product: tensor([1.5, 2]) }, 'columnar'))).toEqual({ outputs: { product: [1.5, 2], sum: [3, 4] } });
  });

  it('writes _bytes string outputs as base64 objects', () => {
    const text = predictResponse({ str_tensor_bytes: { dtype: 'DT_STRING', shape: [2], values: ['hello', 'world'] } }, 'row');
    // json_tensor_test.cc FromJsonSingleBytesTensor's values
    expect(JSON.parse(text)).toEqual({ predictions: [{ b64: 'aGVsbG8=' }, { b64: 'd29ybGQ=' }] });
  });

  it('writes classify and regress results and errors as TF Serving does', () => {
    const classes = classifyResponse([
      [
        ['car', f32(0.2)],
        ['bike', f32(0.7)],
        ['bus', f32(0.1)],
      ],
    ]);
    expect(classes).toBe('{\n    "results": [[["car", 0.2], ["bike", 0.7], ["bus", 0.1]]\n    ]\n}');
    expect(regressResponse(Float32Array.from([3.5, 4]))).toBe('{\n    "results": [3.5, 4.0]\n}');
    expect(errorResponse('Servable not found for request: Latest(half)')).toBe('{\n    "error": "Servable not found for request: Latest(half)"\n}');
  });

  it("writes the model status as api_rest.md's curl shows it", () => {
    expect(statusResponse([123])).toBe(
      '{\n "model_version_status": [\n  {\n   "version": "123",\n   "state": "AVAILABLE",\n   "status": {\n    "error_code": "OK",\n    "error_message": ""\n   }\n  }\n ]\n}',
    );
  });

  it('quotes JSON values in errors on one line, cut after 256 bytes', () => {
    expect(debugString({ instances: [1, 2] })).toBe('{\n    "instances": [1, 2]\n}');
    const long = debugString(Array.from({ length: 200 }, (_, i) => i));
    expect(long.length).toBeGreaterThanOrEqual(256);
    expect(long.length).toBeLessThan(262);
    expect(long.endsWith(']')).toBe(false);
  });
});
