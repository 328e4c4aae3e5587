/**
 * The Transform stage's core: tf.Transform's analyzers and mappers over a JSON spec. See spec.ts for the
 * spec, check.ts for what is refused before running, fit.ts for fitting over chunks, apply.ts and reader.js
 * for applying (reader.js is the dependency-free file exported model bundles ship).
 */
export { checkSpec, type CheckedSpec, type CheckedStep, type SpecColumn } from './check';
export { chunkFromRows, type ChunkColumn, type TransformChunk } from './chunk';
export { TransformError, type TransformErrorCode, type TransformErrorDetails } from './errors';
export { fitTransform, type FitOptions, type FitProgress } from './fit';
export { featureLayout, parseFitted, slotNames, type FeatureSlot, type FittedStep, type FittedTransform } from './fitted';
export { applyChunk, type AppliedChunk, type StepColumn } from './apply';
export { applyToRows, TRANSFORM_FORMAT, TRANSFORM_VERSION } from './reader.js';
export * from './spec';
