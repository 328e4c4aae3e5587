/**
 * The text files of a bundle besides model.json: metadata.json and README.md, and for a model trained on a
 * transform the transform itself, so the bundle takes raw rows:
 *
 *   transform.json   the fitted transform (core/transform/fitted.ts), exactly what the app applies;
 *                    metadata.json names this file instead of repeating the transform
 *   transform.js     core/transform/reader.js verbatim: a dependency-free module whose applyToRows turns
 *                    raw JSON rows into the model's input features, in a browser or in Node
 *
 * exportBundle and the optimizers' writeBundle both write these, so every variant of a model takes the
 * same inputs.
 */
import { strToU8, type Zippable } from 'fflate';
import type { BundleMetadata } from './bundle';
import { readmeFor } from './bundle-readme';
import { transformFeature } from './preprocess/inputs';
// the very file the app applies transforms with (Vite's ?raw: its text at build time, in the worker and in vitest)
import readerSource from '../transform/reader.js?raw';

export const TRANSFORM_JSON = 'transform.json';
export const TRANSFORM_JS = 'transform.js';

/**
 * metadata.json's text. A model on a transform keeps its fitted transform in transform.json only: the
 * transform feature's `fitted` here is the file's name, which an import reads it from (readBundle).
 */
export function metadataText(metadata: BundleMetadata): string {
  const transform = transformFeature(metadata.preprocessing);
  if (!transform) return JSON.stringify(metadata, null, 2);
  const features = metadata.preprocessing.features.map((f) => (f === transform ? { ...f, fitted: TRANSFORM_JSON } : f));
  return JSON.stringify({ ...metadata, preprocessing: { ...metadata.preprocessing, features } }, null, 2);
}

/** metadata.json, README.md (with `readmeTail` appended) and, for a model on a transform, transform.json and transform.js. */
export function bundleTextFiles(metadata: BundleMetadata, readmeTail = ''): Zippable {
  const files: Zippable = {
    'metadata.json': strToU8(metadataText(metadata)),
    'README.md': strToU8(readmeFor(metadata) + readmeTail),
  };
  const transform = transformFeature(metadata.preprocessing);
  if (transform) {
    files[TRANSFORM_JSON] = strToU8(JSON.stringify(transform.fitted));
    files[TRANSFORM_JS] = strToU8(readerSource);
  }
  return files;
}
