/** Image features: the decoder is injected; sizes are checked at fit and encode time; pixels become [0, 1] floats. */
import { imageSize } from '../../data/png';
import { TrainError, trainErrorWhy } from '../errors';
import type { FlatColumn } from './columns';
import type { FeatureStats, PreprocessOptions, PreprocessStats } from './types';

export interface DecodedImage {
  width: number;
  height: number;
  /** Row-major 8-bit pixels, `channels` per pixel (default 4: RGBA, as ImageData gives). */
  data: Uint8Array | Uint8ClampedArray;
  channels?: 1 | 2 | 3 | 4;
}

/**
 * Decodes encoded image bytes (PNG, JPEG, ...). In the browser: createImageBitmap + OffscreenCanvas; in
 * Node tests: a PNG decoder. Injected so this module needs neither.
 */
export type DecodeImage = (bytes: Uint8Array) => DecodedImage | Promise<DecodedImage>;

function isGray(img: DecodedImage): boolean {
  const ch = img.channels ?? 4;
  if (ch <= 2) return true;
  const d = img.data;
  for (let i = 0; i + 2 < d.length; i += ch) if (d[i] !== d[i + 1] || d[i] !== d[i + 2]) return false;
  return true;
}

export async function fitImage(
  col: Extract<FlatColumn, { type: 'image' }>,
  column: string,
  trainRows: ArrayLike<number>,
  options: PreprocessOptions,
  decode: DecodeImage | undefined,
  offset: number,
): Promise<FeatureStats> {
  if (!decode) throw trainErrorWhy('bad-encoding', 'no-decoder', { column }, `Column "${column}" holds images, but no image decoder was given`);
  const firstRow = Array.from(trainRows).find((r) => col.values[r]);
  if (firstRow === undefined) throw new TrainError('missing-image', { column }, `Column "${column}" has no images in the training split`);
  const first = await decodeChecked(decode, col.values[firstRow]!, column, firstRow);
  // Headers are cheap to read: catch mixed sizes before any training (decoding checks again later).
  for (let i = 0; i < trainRows.length; i++) {
    const r = trainRows[i]!;
    const bytes = col.values[r];
    if (!bytes) throw missingImage(column, r);
    const size = imageSize(bytes);
    if (size && (size.width !== first.width || size.height !== first.height)) {
      throw mixedSizes(column, firstRow, first, r, size);
    }
  }
  const channels = options.image?.channels ?? (isGray(first) ? 1 : 3);
  return {
    column,
    sourceType: 'image',
    offset,
    encoding: 'image',
    height: first.height,
    width: first.width,
    channels,
    slots: first.height * first.width * channels,
    missingInTrain: 0,
  };
}

export function missingImage(column: string, row: number): TrainError {
  return new TrainError('missing-image', { column, row: row + 1 }, `Column "${column}", row ${row + 1}: the image is missing`);
}

function mixedSizes(column: string, r1: number, a: { width: number; height: number }, r2: number, b: { width: number; height: number }): TrainError {
  return new TrainError(
    'mixed-image-sizes',
    { column, row: r2 + 1, params: { expected: `${a.width}x${a.height}`, actual: `${b.width}x${b.height}` } },
    `Column "${column}": images have different sizes (row ${r1 + 1} is ${a.width}x${a.height}, row ${r2 + 1} is ${b.width}x${b.height}); resize them to one size first`,
  );
}

export async function decodeChecked(decode: DecodeImage, bytes: Uint8Array, column: string, row: number): Promise<DecodedImage> {
  let img: DecodedImage;
  try {
    img = await decode(bytes);
  } catch (e) {
    throw new TrainError('bad-image', { column, row: row + 1 }, `Column "${column}", row ${row + 1}: the image cannot be decoded (${e instanceof Error ? e.message : String(e)})`);
  }
  const ch = img.channels ?? 4;
  if (!(img.width > 0 && img.height > 0) || img.data.length !== img.width * img.height * ch) {
    throw new TrainError('bad-image', { column, row: row + 1 }, `Column "${column}", row ${row + 1}: the decoder returned ${img.data.length} bytes for a ${img.width}x${img.height} image`);
  }
  return img;
}

type ImageStats = Extract<FeatureStats, { encoding: 'image' }>;

/** Pixels -> [0, 1] floats in the feature's channel layout, at out[at...]. */
export function writePixels(f: ImageStats, img: DecodedImage, out: Float32Array, at: number): void {
  const src = img.channels ?? 4;
  const d = img.data;
  const pixels = img.width * img.height;
  for (let p = 0; p < pixels; p++) {
    const s = p * src;
    if (f.channels === 1) {
      // Rec. 601 luma, the usual grayscale conversion (and exact for gray RGB)
      const v = src <= 2 ? d[s]! : 0.299 * d[s]! + 0.587 * d[s + 1]! + 0.114 * d[s + 2]!;
      out[at + p] = v / 255;
    } else {
      const o = at + p * 3;
      if (src <= 2) out[o] = out[o + 1] = out[o + 2] = d[s]! / 255;
      else {
        out[o] = d[s]! / 255;
        out[o + 1] = d[s + 1]! / 255;
        out[o + 2] = d[s + 2]! / 255;
      }
    }
  }
}

/** One decoded image (a drawn digit, a camera frame) as model input, with the size check. */
export function imageToInput(stats: PreprocessStats, img: DecodedImage): Float32Array {
  const f = stats.features[0];
  if (!f || f.encoding !== 'image') throw trainErrorWhy('bad-encoding', 'model-not-images', {}, 'This model does not take images');
  if (img.width !== f.width || img.height !== f.height) {
    throw new TrainError('mixed-image-sizes', { column: f.column }, `The image is ${img.width}x${img.height}, but the model takes ${f.width}x${f.height} images`);
  }
  const out = new Float32Array(f.slots);
  writePixels(f, img, out, 0);
  return out;
}
