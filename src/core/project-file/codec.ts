/**
 * Records as JSON plus one binary entry. IndexedDB records are structured-clone data: typed arrays and
 * ArrayBuffers (Arrow batches, weights, soft labels), NaN and infinities (metrics), undefined, Dates, Maps
 * and Sets. JSON keeps none of those exactly, so each becomes a tagged object; binary goes byte for byte
 * into the chunk's .bin entry (no base64: a project is mostly binary) and the tag holds its offset and
 * length. Decoding gives back values equal to what was stored.
 */

const TAG = '$pf';

type Tagged =
  | { $pf: 'bin'; k: string; o: number; n: number }
  | { $pf: 'num'; v: 'NaN' | 'Infinity' | '-Infinity' | '-0' }
  | { $pf: 'undef' }
  | { $pf: 'bigint'; v: string }
  | { $pf: 'date'; v: number }
  | { $pf: 'map'; v: [unknown, unknown][] }
  | { $pf: 'set'; v: unknown[] }
  | { $pf: 'obj'; v: Record<string, unknown> };

/** Binary parts of one chunk, appended in order. */
export class BinaryParts {
  readonly parts: Uint8Array[] = [];
  bytes = 0;

  add(bytes: Uint8Array): number {
    const offset = this.bytes;
    this.parts.push(bytes);
    this.bytes += bytes.byteLength;
    return offset;
  }

  /** One contiguous buffer (the entry's content). */
  concat(): Uint8Array {
    const out = new Uint8Array(this.bytes);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.byteLength;
    }
    return out;
  }
}

const VIEWS: Record<string, new (buffer: ArrayBuffer) => ArrayBufferView> = {
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array, DataView,
};

/** A value as JSON-safe data; binary goes to `bin`. `path` names the place in errors. */
export function encodeValue(value: unknown, bin: BinaryParts, path = ''): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isNaN(value)) return { [TAG]: 'num', v: 'NaN' };
      if (value === Infinity) return { [TAG]: 'num', v: 'Infinity' };
      if (value === -Infinity) return { [TAG]: 'num', v: '-Infinity' };
      if (Object.is(value, -0)) return { [TAG]: 'num', v: '-0' };
      return value;
    case 'undefined':
      return { [TAG]: 'undef' };
    case 'bigint':
      return { [TAG]: 'bigint', v: value.toString() };
    case 'object':
      break;
    default:
      throw new Error(`cannot store a ${typeof value} at ${path || 'the record'}`);
  }
  if (value === null) return null;
  if (value instanceof ArrayBuffer) return { [TAG]: 'bin', k: 'ArrayBuffer', o: bin.add(new Uint8Array(value)), n: value.byteLength };
  if (ArrayBuffer.isView(value)) {
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    return { [TAG]: 'bin', k: value.constructor.name, o: bin.add(bytes), n: value.byteLength };
  }
  if (Array.isArray(value)) return value.map((v, i) => encodeValue(v, bin, `${path}[${i}]`));
  if (value instanceof Date) return { [TAG]: 'date', v: value.getTime() };
  if (value instanceof Map) return { [TAG]: 'map', v: [...value].map(([k, v], i) => [encodeValue(k, bin, `${path}<key ${i}>`), encodeValue(v, bin, `${path}<${i}>`)]) };
  if (value instanceof Set) return { [TAG]: 'set', v: [...value].map((v, i) => encodeValue(v, bin, `${path}<${i}>`)) };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = encodeValue(v, bin, path ? `${path}.${k}` : k);
  return Object.hasOwn(out, TAG) ? { [TAG]: 'obj', v: out } : out;
}

/** Thrown for a tag that is not one of ours, or binary outside the entry: the caller names the record. */
export class DecodeProblem extends Error {}

/** The stored value again from encodeValue's output and the chunk's binary entry. */
export function decodeValue(value: unknown, bin: Uint8Array): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => decodeValue(v, bin));
  const o = value as Record<string, unknown>;
  if (!Object.hasOwn(o, TAG)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = decodeValue(v, bin);
    return out;
  }
  const t = o as Tagged;
  switch (t.$pf) {
    case 'bin': {
      const View = t.k === 'ArrayBuffer' ? null : VIEWS[t.k];
      if ((t.k !== 'ArrayBuffer' && !View) || !Number.isInteger(t.o) || !Number.isInteger(t.n) || t.o < 0 || t.n < 0 || t.o + t.n > bin.byteLength)
        throw new DecodeProblem(`binary ${t.k} at ${t.o}+${t.n} is outside the entry's ${bin.byteLength} bytes`);
      // a copy: its own aligned buffer, nothing else of the chunk kept alive
      const buffer = bin.slice(t.o, t.o + t.n).buffer;
      return View ? new View(buffer) : buffer;
    }
    case 'num':
      return t.v === 'NaN' ? NaN : t.v === 'Infinity' ? Infinity : t.v === '-Infinity' ? -Infinity : -0;
    case 'undef':
      return undefined;
    case 'bigint':
      return BigInt(t.v);
    case 'date':
      return new Date(t.v);
    case 'map':
      return new Map(t.v.map(([k, v]) => [decodeValue(k, bin), decodeValue(v, bin)]));
    case 'set':
      return new Set(t.v.map((v) => decodeValue(v, bin)));
    case 'obj': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(t.v)) out[k] = decodeValue(v, bin);
      return out;
    }
    default:
      throw new DecodeProblem(`unknown tag ${JSON.stringify((t as { $pf: unknown }).$pf)}`);
  }
}
