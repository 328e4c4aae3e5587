/**
 * Shared by the optimizers: writing a variant as a bundle of exactly the layout exportBundle writes
 * (model.json, group1-shard*.bin stored uncompressed, metadata.json, README.md, a transform's files), the metadata of a
 * variant (its lineage back to the parent and what was done to it), and sizes measured the same way for
 * every variant.
 *
 * Sizes, always of the same things:
 *   bundleBytes       the zip as written (weight shards stored, text deflated, as exportBundle does)
 *   bundleGzipBytes   gzip level 9 (fflate gzipSync) of that whole zip: the download with gzip transfer
 *                     encoding. Stored shards make the weights' compressibility show up here.
 *   weightBytes       the weight data alone (all shards), what tf.loadLayersModel downloads besides JSON
 *   weightGzipBytes   gzip level 9 of the weight data alone: isolates the weights from the constant
 *                     model.json / metadata.json / README.md overhead, which dominates tiny models
 */
import { gzipSync, strToU8, zipSync, type Zippable } from 'fflate';
import { DEFAULT_SHARD_BYTES, readBundle, type BundleMetadata, type Lineage } from '../model/bundle';
import { bundleTextFiles } from '../model/bundle-files';
import type { ModelSpec } from '../model/model-spec';

export type OptimizationMethod = 'quantize' | 'prune' | 'distill' | 'scratch';

/** What was done to make a variant, stored in its metadata.json next to the lineage. */
export interface OptimizationRecord {
  method: OptimizationMethod;
  /** The settings as given (dtype, sparsity schedule, temperature and alpha, ...), plain JSON. */
  settings: Record<string, unknown>;
  /** Plain-language caveats, e.g. that TF.js dequantizes on load. */
  notes: string[];
  /** Earlier steps when methods are chained (e.g. pruned, then quantized), oldest first. */
  previous?: OptimizationRecord[];
}

/** BundleMetadata plus the optimization record (readBundle keeps extra fields). */
export type VariantMetadata = BundleMetadata & { optimization?: OptimizationRecord };

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number };
}

export interface BundleSizes {
  bundleBytes: number;
  bundleGzipBytes: number;
  weightBytes: number;
  weightGzipBytes: number;
}

export const GZIP_LEVEL = 9;

export function gzipBytes(bytes: Uint8Array): number {
  return gzipSync(bytes, { level: GZIP_LEVEL }).length;
}

/** Sizes of a bundle zip (validated with readBundle, so a broken zip throws its TrainError). */
export function measureBundle(zip: Uint8Array): BundleSizes {
  const b = readBundle(zip);
  const weights = new Uint8Array(b.weightData);
  return { bundleBytes: zip.length, bundleGzipBytes: gzipBytes(zip), weightBytes: weights.length, weightGzipBytes: gzipBytes(weights) };
}

/** Parameters (weight values) listed in a manifest, whatever their stored dtype. */
export function countParams(specs: readonly { shape: number[] }[]): number {
  return specs.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
}

export interface VariantInput {
  parent: BundleMetadata;
  name: string;
  optimization: OptimizationRecord;
  /** The parent's model version id, when it is in the registry. */
  parentModelVersionId?: string;
  modelSpec?: ModelSpec | null;
  metrics?: Record<string, unknown> | null;
  createdAt?: Date;
  tfjsVersion?: string;
}

/**
 * A variant's metadata: the parent's preprocessing and labels (a variant takes the same inputs), a
 * lineage pointing at the parent, and the optimization record. A parent that was itself optimized
 * passes its record on as `previous`, so a pruned-then-quantized variant says both.
 */
export function variantMetadata(input: VariantInput): VariantMetadata {
  const parent = input.parent as VariantMetadata;
  // the parent's own ids describe the parent: the variant gets new ones from the registry
  const { modelVersionId, runId: _runId, ...kept } = parent.lineage;
  const lineage: Lineage = { ...kept };
  const parentId = input.parentModelVersionId ?? modelVersionId;
  if (parentId !== undefined) lineage.parentModelVersionId = parentId;
  else delete lineage.parentModelVersionId;
  const previous = parent.optimization
    ? [...(parent.optimization.previous ?? []), { method: parent.optimization.method, settings: parent.optimization.settings, notes: parent.optimization.notes }]
    : undefined;
  return {
    ...parent,
    name: input.name,
    createdAt: (input.createdAt ?? new Date()).toISOString(),
    tfjsVersion: input.tfjsVersion ?? parent.tfjsVersion,
    modelSpec: input.modelSpec === undefined ? parent.modelSpec : input.modelSpec,
    // the parent's test metrics do not describe the variant: the caller measures its own
    metrics: input.metrics ?? null,
    lineage,
    optimization: { ...input.optimization, ...(previous ? { previous } : {}) },
  };
}

/**
 * Zip model.json (with the given manifest) and the weight data in shards, with metadata and README, in
 * exportBundle's layout, so importBundle and tf.loadLayersModel read it unchanged.
 */
export function writeBundle(parts: {
  modelJson: Record<string, unknown>;
  weightSpecs: readonly WeightSpec[];
  weightData: Uint8Array;
  metadata: VariantMetadata;
  shardBytes?: number;
}): Uint8Array {
  const shardBytes = parts.shardBytes ?? DEFAULT_SHARD_BYTES;
  const data = parts.weightData;
  const count = Math.max(1, Math.ceil(data.length / shardBytes));
  const files: Zippable = {};
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `group1-shard${i + 1}of${count}.bin`;
    paths.push(name);
    // stored, as exportBundle does: gzip transfer encoding then sees the weights' real compressibility
    files[name] = [data.subarray(i * shardBytes, (i + 1) * shardBytes), { level: 0 }];
  }
  const json = { ...parts.modelJson, weightsManifest: [{ paths, weights: parts.weightSpecs }] };
  files['model.json'] = strToU8(JSON.stringify(json));
  Object.assign(files, bundleTextFiles(parts.metadata, optimizationReadme(parts.metadata.optimization)));
  return zipSync(files, { level: 6 });
}

function optimizationReadme(o: OptimizationRecord | undefined): string {
  if (!o) return '';
  const steps = [...(o.previous ?? []), o];
  return `\n## How this variant was made\n${steps
    .map((s) => `- ${s.method}: ${JSON.stringify(s.settings)}${s.notes.length ? `\n${s.notes.map((n) => `  - ${n}`).join('\n')}` : ''}`)
    .join('\n')}\n`;
}
