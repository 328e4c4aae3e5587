import { describe, expect, it } from 'vitest';
import { BinaryParts, decodeValue, DecodeProblem, encodeValue } from '../../../src/core/project-file/codec';
import { IdRemap } from '../../../src/core/project-file/remap';

/** Through JSON text and one binary buffer, as the file holds them. */
function roundTrip(value: unknown): unknown {
  const bin = new BinaryParts();
  const text = JSON.stringify(encodeValue(value, bin));
  return decodeValue(JSON.parse(text), bin.concat());
}

describe('project file codec', () => {
  it('keeps what JSON loses: NaN, infinities, -0, undefined, typed arrays, buffers, dates, maps, sets', () => {
    const backing = new Float32Array([9, 1.5, -2.25, 3]);
    const value = {
      metrics: { auc: NaN, max: Infinity, min: -Infinity, zero: -0, missing: undefined },
      list: [1, undefined, 'x', null],
      // a view at an odd place in a larger buffer: only its own bytes, realigned
      probs: new Float32Array(backing.buffer, 4, 3),
      ipc: new Uint8Array([0, 255, 7]),
      weights: new Float64Array([Math.PI]).buffer,
      ints: new Int32Array([-5, 6]),
      when: new Date(1_700_000_000_000),
      byName: new Map<string, unknown>([['a', new Uint8Array([1])]]),
      set: new Set(['x', 'y']),
      tricky: { $pf: 'undef', other: 1 },
      big: 12345678901234567890n,
    };
    const back = roundTrip(value) as typeof value;
    expect(back).toEqual(value);
    expect(Object.is(back.metrics.zero, -0)).toBe(true);
    expect(Number.isNaN(back.metrics.auc)).toBe(true);
    expect('missing' in back.metrics).toBe(true);
    expect(back.probs).toBeInstanceOf(Float32Array);
    expect([...back.probs]).toEqual([1.5, -2.25, 3]);
    expect(back.weights).toBeInstanceOf(ArrayBuffer);
    expect(new Float64Array(back.weights)[0]).toBe(Math.PI);
    expect(back.tricky).toEqual({ $pf: 'undef', other: 1 });
  });

  it('writes binary once, byte for byte, not as base64 text', () => {
    const bin = new BinaryParts();
    const json = JSON.stringify(encodeValue({ ipc: new Uint8Array(1000).fill(65) }, bin));
    expect(bin.bytes).toBe(1000);
    expect(json.length).toBeLessThan(80);
  });

  it('refuses binary outside its entry and tags it does not know', () => {
    expect(() => decodeValue({ $pf: 'bin', k: 'Uint8Array', o: 2, n: 4 }, new Uint8Array(5))).toThrow(DecodeProblem);
    expect(() => decodeValue({ $pf: 'bin', k: 'Function', o: 0, n: 1 }, new Uint8Array(5))).toThrow(DecodeProblem);
    expect(() => decodeValue({ $pf: 'eval' }, new Uint8Array())).toThrow(DecodeProblem);
  });
});

describe('id remapping', () => {
  const a = '11111111-2222-4333-8444-555555555555';
  const b = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
  const data = '99999999-9999-4999-8999-999999999999';
  let n = 0;
  const remap = new IdRemap([a, b], () => `00000000-0000-4000-8000-00000000000${++n}`);

  it('rewrites the file own ids in fields, map keys and inside strings, and nothing else', () => {
    const record = { id: a, parent: b, uri: `pipette:model/${b}`, byVersion: { [a]: 3 }, list: [a], top: data, bytes: new Uint8Array([1]) };
    const out = remap.value(record);
    expect(out).toEqual({
      id: remap.id(a),
      parent: remap.id(b),
      uri: `pipette:model/${remap.id(b)}`,
      byVersion: { [remap.id(a)]: 3 },
      list: [remap.id(a)],
      top: data,
      bytes: new Uint8Array([1]),
    });
    expect(remap.id(a)).not.toBe(a);
    expect(remap.id(a)).not.toBe(remap.id(b));
  });
});
