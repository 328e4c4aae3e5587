/**
 * Post-training weight quantization, stored as the TF.js weights manifest stores it, so that
 * tf.loadLayersModel (and importBundle) load the result unchanged:
 *
 *   float16   { dtype: 'float32', quantization: { dtype: 'float16' } }, 2 bytes per value, IEEE half
 *             (round to nearest, ties to even)
 *   uint8     { dtype: 'float32', quantization: { dtype: 'uint8', scale, min } }, 1 byte per value
 *   uint16    the same with 2 bytes per value
 *
 * TF.js decodes each value as q * scale + min (tfjs-core io_utils decodeWeight) in float64, stored as
 * float32. Scale and min are per tensor and computed as the TF.js converter does (tensorflowjs
 * quantization.py): scale = (max - min) / qmax, and when the range holds 0, min is nudged to
 * -round(-min / scale) * scale so that 0 is exactly representable (a pruned weight stays exactly 0).
 * Every value then decodes within half a step (scale / 2) of the original: values round to the nearest
 * code, and the nudge moves the range by at most half a step, so the clipped end is off by at most that.
 *
 * TF.js DEQUANTIZES ON LOAD: the model in memory is float32 again and predicts at float32 speed. The gain
 * is the download (and storage) size, not latency or memory. Each report says so in `notes`.
 *
 * Which weights stay float32 (listed in the report with the reason):
 *  - non-float32 weights (int32 and others): they are exact counts or ids, and tiny in Layers models;
 *  - tensors of fewer than `minElements` values (default 256): biases, BatchNormalization parameters and
 *    statistics. They are a negligible share of the bytes but the most sensitive per value: a bias moves
 *    every output of its unit, a moving variance is divided by. (The converter's own default quantizes
 *    everything; keeping these costs at most 4 x 256 bytes per tensor.)
 *  - anything the caller's `skip` says.
 * Refused (OptimizeError, nothing written): non-finite weights, float16 overflow (|w| > 65504), a bundle
 * whose weights are quantized already, and a model with no weight worth quantizing.
 */
import { readBundle } from '../model/bundle';
import {
  countParams,
  measureBundle,
  variantMetadata,
  writeBundle,
  type BundleSizes,
  type OptimizationRecord,
  type VariantMetadata,
  type WeightSpec,
} from './artifacts';
import { OptimizeError, optimizeErrorWhy } from './errors';

export type QuantizeDtype = 'float16' | 'uint8' | 'uint16';
export const QUANTIZE_DTYPES: readonly QuantizeDtype[] = ['float16', 'uint8', 'uint16'];

export const DEFAULT_MIN_ELEMENTS = 256;

export const DEQUANTIZE_NOTE =
  'TF.js dequantizes the weights to float32 when it loads the model: the gain is download and storage size, not prediction speed or memory.';

export interface QuantizeOptions {
  dtype: QuantizeDtype;
  /** Tensors with fewer values stay float32 (default 256). */
  minElements?: number;
  /** Keep a weight float32 when this returns true. */
  skip?: (spec: { name: string; shape: readonly number[]; dtype: string }) => boolean;
}

export interface WeightReport {
  name: string;
  shape: number[];
  /** How it is stored now. */
  stored: 'float32' | QuantizeDtype | string;
  /** Why it was not quantized (absent when it was). */
  skipped?: 'dtype' | 'small' | 'caller';
  scale?: number;
  min?: number;
  /** Largest |decoded - original| over the tensor (float64 decode, before TF.js's float32 store). */
  maxError: number;
  bytesBefore: number;
  bytesAfter: number;
}

export interface QuantizedWeights {
  weightSpecs: WeightSpec[];
  weightData: Uint8Array;
  weights: WeightReport[];
}

const QMAX: Record<'uint8' | 'uint16', number> = { uint8: 255, uint16: 65535 };
const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

// ---------------------------------------------------------------------------------------------------
// Affine (uint8 / uint16)

export interface AffineParams {
  scale: number;
  /** The value code 0 decodes to. */
  min: number;
  /** The largest code (255 or 65535). */
  qmax: number;
}

/** Scale and (nudged) min for values in [lo, hi], as the TF.js converter computes them. */
export function affineParams(lo: number, hi: number, dtype: 'uint8' | 'uint16'): AffineParams {
  const qmax = QMAX[dtype];
  if (!(Number.isFinite(lo) && Number.isFinite(hi)) || lo > hi) throw new RangeError(`bad value range [${lo}, ${hi}]`);
  // a constant tensor: any positive scale decodes code 0 to exactly min
  if (lo === hi) return { scale: 1, min: lo, qmax };
  const scale = (hi - lo) / qmax;
  if (lo <= 0 && hi >= 0) {
    // nudge so that 0 is a code: pruned and ReLU-dead weights decode to exactly 0
    const zeroPoint = Math.round(-lo / scale);
    return { scale, min: -zeroPoint * scale, qmax };
  }
  return { scale, min: lo, qmax };
}

/** Codes for values under the given parameters: round((clip(v) - min) / scale). */
export function quantizeAffine(values: ArrayLike<number>, p: AffineParams): Uint8Array | Uint16Array {
  const out = p.qmax === 255 ? new Uint8Array(values.length) : new Uint16Array(values.length);
  const hi = p.min + p.qmax * p.scale;
  for (let i = 0; i < values.length; i++) {
    const v = Math.min(hi, Math.max(p.min, values[i]!));
    out[i] = Math.min(p.qmax, Math.max(0, Math.round((v - p.min) / p.scale)));
  }
  return out;
}

/** What TF.js decodes: q * scale + min (in float64; TF.js then stores it as float32). */
export function dequantizeAffine(codes: ArrayLike<number>, p: { scale: number; min: number }): Float64Array {
  const out = new Float64Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = codes[i]! * p.scale + p.min;
  return out;
}

// ---------------------------------------------------------------------------------------------------
// float16

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 half bits of a float32 value, rounded to nearest, ties to even (overflow gives ±Infinity). */
export function float16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 112; // rebias 127 -> 15
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // subnormal half: value = m * 2^-24; shifts past 24 bits round to 0 (2^-25 itself ties to even 0)
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rem = m & ((1 << shift) - 1);
    let h = m >>> shift;
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // a carry out of the mantissa rolls into the exponent, which is the right rounding (up to Infinity)
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
  return sign | h;
}

/** The float value of half bits. */
export function float16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

export function toFloat16(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float16Bits(values[i]!);
  return out;
}

export function fromFloat16(bits: ArrayLike<number>): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = float16Value(bits[i]!);
  return out;
}

/** Largest finite half: larger weights would become Infinity. */
export const FLOAT16_MAX = 65504;

// ---------------------------------------------------------------------------------------------------
// Manifest + weight data

/**
 * Quantize a manifest's weights (specs in order over the concatenated weight data, as readBundle and
 * tf.io give them). Pure: no TF.js. Throws OptimizeError for what cannot be quantized.
 */
export function quantizeWeights(specs: readonly WeightSpec[], data: Uint8Array, options: QuantizeOptions): QuantizedWeights {
  const { dtype } = options;
  if (!QUANTIZE_DTYPES.includes(dtype)) {
    throw new OptimizeError('bad-option', { field: 'dtype', params: { value: String(dtype) } }, `Unknown quantization dtype "${String(dtype)}": use float16, uint8 or uint16`);
  }
  const minElements = options.minElements ?? DEFAULT_MIN_ELEMENTS;
  if (!(Number.isInteger(minElements) && minElements >= 0)) {
    throw new OptimizeError('bad-option', { field: 'minElements', params: { value: String(minElements) } }, `minElements must be a non-negative integer, got ${minElements}`);
  }
  const parts: Uint8Array[] = [];
  const outSpecs: WeightSpec[] = [];
  const weights: WeightReport[] = [];
  let offset = 0;
  for (const spec of specs) {
    if (spec.quantization) {
      throw new OptimizeError(
        'already-quantized',
        { weight: spec.name, params: { dtype: spec.quantization.dtype } },
        `Weight "${spec.name}" is stored as ${spec.quantization.dtype} already: quantize the float32 model it came from, not a quantized variant`,
      );
    }
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const size = count * (BYTES[spec.dtype] ?? NaN);
    if (!(size >= 0) || offset + size > data.length) {
      throw optimizeErrorWhy('cannot-quantize', 'weight-data', { weight: spec.name }, `Weight "${spec.name}" (${spec.dtype} [${spec.shape.join(', ')}]) does not fit the weight data`);
    }
    const bytes = data.subarray(offset, offset + size);
    offset += size;
    const keep = (skipped: WeightReport['skipped']) => {
      parts.push(bytes);
      outSpecs.push({ name: spec.name, shape: spec.shape.slice(), dtype: spec.dtype });
      weights.push({ name: spec.name, shape: spec.shape.slice(), stored: spec.dtype, skipped, maxError: 0, bytesBefore: size, bytesAfter: size });
    };
    if (spec.dtype !== 'float32') {
      keep('dtype');
      continue;
    }
    if (count < minElements) {
      keep('small');
      continue;
    }
    if (options.skip?.({ name: spec.name, shape: spec.shape, dtype: spec.dtype })) {
      keep('caller');
      continue;
    }
    // copy: the subarray may not be 4-byte aligned inside the concatenated data
    const values = new Float32Array(bytes.slice().buffer);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) {
        throw optimizeErrorWhy(
          'cannot-quantize',
          'non-finite',
          { weight: spec.name, params: { index: i, value: String(v) } },
          `Weight "${spec.name}" holds ${v} at index ${i}: a model with non-finite weights cannot be quantized (it was probably trained with a diverging loss)`,
        );
      }
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (dtype === 'float16') {
      const big = Math.max(-lo, hi);
      if (big > FLOAT16_MAX) {
        throw optimizeErrorWhy(
          'cannot-quantize',
          'float16-range',
          { weight: spec.name, params: { value: big, max: FLOAT16_MAX } },
          `Weight "${spec.name}" has a value of magnitude ${big}, beyond float16's largest ${FLOAT16_MAX}: use 8-bit or 16-bit affine quantization instead`,
        );
      }
      const half = toFloat16(values);
      let maxError = 0;
      for (let i = 0; i < values.length; i++) maxError = Math.max(maxError, Math.abs(float16Value(half[i]!) - values[i]!));
      parts.push(new Uint8Array(half.buffer));
      outSpecs.push({ name: spec.name, shape: spec.shape.slice(), dtype: 'float32', quantization: { dtype: 'float16' } });
      weights.push({ name: spec.name, shape: spec.shape.slice(), stored: 'float16', maxError, bytesBefore: size, bytesAfter: half.byteLength });
    } else {
      const p = affineParams(lo, hi, dtype);
      const codes = quantizeAffine(values, p);
      const decoded = dequantizeAffine(codes, p);
      let maxError = 0;
      for (let i = 0; i < values.length; i++) maxError = Math.max(maxError, Math.abs(decoded[i]! - values[i]!));
      parts.push(new Uint8Array(codes.buffer, codes.byteOffset, codes.byteLength));
      outSpecs.push({ name: spec.name, shape: spec.shape.slice(), dtype: 'float32', quantization: { dtype, scale: p.scale, min: p.min } });
      weights.push({ name: spec.name, shape: spec.shape.slice(), stored: dtype, scale: p.scale, min: p.min, maxError, bytesBefore: size, bytesAfter: codes.byteLength });
    }
  }
  if (offset !== data.length) {
    throw optimizeErrorWhy('cannot-quantize', 'byte-count', { params: { bytes: data.length, listed: offset } }, `The weight data holds ${data.length} bytes, but the manifest lists ${offset}`);
  }
  if (!weights.some((w) => !w.skipped)) {
    throw optimizeErrorWhy(
      'cannot-quantize',
      'nothing-worth',
      { params: { minElements } },
      `No weight of this model is worth quantizing: every float32 tensor has fewer than ${minElements} values (or was skipped), so the size would not change`,
    );
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const weightData = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    weightData.set(p, at);
    at += p.length;
  }
  return { weightSpecs: outSpecs, weightData, weights };
}

// ---------------------------------------------------------------------------------------------------
// Bundles

export interface QuantizeBundleOptions extends QuantizeOptions {
  /** The variant's name (default: the parent's name and the dtype). */
  name?: string;
  /** The parent's model version id (default: the parent metadata's own lineage id). */
  parentModelVersionId?: string;
  createdAt?: Date;
}

export interface QuantizeReport {
  dtype: QuantizeDtype;
  parameters: number;
  /** Weights stored quantized / kept float32. */
  quantized: number;
  kept: number;
  weights: WeightReport[];
  before: BundleSizes;
  after: BundleSizes;
  /** after.weightBytes / before.weightBytes. */
  weightRatio: number;
  notes: string[];
}

/**
 * A quantized variant of a bundle zip (from exportBundle or an earlier optimizer): a new zip of the same
 * layout whose metadata records the method and the lineage. No TF.js needed; nothing is returned when
 * any weight cannot be quantized.
 */
export function quantizeBundle(zip: Uint8Array, options: QuantizeBundleOptions): { zip: Uint8Array; metadata: VariantMetadata; report: QuantizeReport } {
  const bundle = readBundle(zip);
  const data = new Uint8Array(bundle.weightData);
  const q = quantizeWeights(bundle.weightSpecs as WeightSpec[], data, options);
  const minElements = options.minElements ?? DEFAULT_MIN_ELEMENTS;
  const kept = q.weights.filter((w) => w.skipped);
  const notes = [
    DEQUANTIZE_NOTE,
    options.dtype === 'float16'
      ? 'float16: each weight rounded to the nearest half-precision value (about 3 significant digits).'
      : `${options.dtype}: affine per tensor, value = code x scale + min, within half a step (scale / 2) of the original; 0 stays exactly 0.`,
  ];
  if (kept.length) {
    notes.push(`${kept.length} small or non-float weight${kept.length === 1 ? '' : 's'} kept as float32 (fewer than ${minElements} values, or not float32): ${kept.map((w) => w.name).join(', ')}.`);
  }
  const record: OptimizationRecord = { method: 'quantize', settings: { dtype: options.dtype, minElements }, notes };
  const metadata = variantMetadata({
    parent: bundle.metadata,
    name: options.name ?? `${bundle.metadata.name} (${options.dtype})`,
    optimization: record,
    parentModelVersionId: options.parentModelVersionId,
    createdAt: options.createdAt,
  });
  // model.json as it was, minus the manifest writeBundle replaces
  const { weightsManifest: _manifest, ...modelJson } = bundle.modelJson;
  const out = writeBundle({ modelJson, weightSpecs: q.weightSpecs, weightData: q.weightData, metadata });
  const before = measureBundle(zip);
  const after = measureBundle(out);
  return {
    zip: out,
    metadata,
    report: {
      dtype: options.dtype,
      parameters: countParams(bundle.weightSpecs),
      quantized: q.weights.length - kept.length,
      kept: kept.length,
      weights: q.weights,
      before,
      after,
      weightRatio: after.weightBytes / before.weightBytes,
      notes,
    },
  };
}
