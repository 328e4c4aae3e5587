/**
 * A trained model as a portable zip, and back:
 *
 *   model.json               the TF.js Layers format, unchanged: tf.loadLayersModel reads it as is
 *   group1-shard1ofN.bin     weight shards of at most 4 MB (the TF.js converter's default)
 *   metadata.json            labels, feature columns, preprocessing statistics, model spec, metrics, lineage
 *                            (a transform feature names transform.json rather than repeating it)
 *   README.md                how to load it in a browser and in Node, and how to encode inputs
 *   transform.json, .js      for a model trained on a transform: the fitted transform and the reader that
 *                            applies it to raw rows (bundle-files.ts)
 *
 * readBundle validates a zip without TF.js (so nothing is written and no model is built for a bad one):
 * model.json present and a Layers model, every weight file it names present, every weight's bytes equal
 * to product(shape) x the dtype's size and the files holding exactly those bytes, metadata.json present
 * and complete, and for a model on a transform transform.json present, a fitted transform (parseFitted) giving
 * as many features as the model takes. Each problem is a TrainError naming the file or weight (a
 * transform.json that is not a fitted transform: core/transform's TransformError 'bad-fitted').
 */
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import type * as tfjs from '@tensorflow/tfjs';
import { sniffImage } from '../data/png';
import { TrainError, trainErrorWhy, type BadMetadataWhy, type BadModelJsonWhy, type TrainErrorDetails } from './errors';
import { parseFitted } from '../transform/fitted';
import { bundleTextFiles, TRANSFORM_JSON } from './bundle-files';
import { inputShape, type ModelSpec, type TF } from './model-spec';
// types only (and inputs.ts, which has no encoders): the preprocessing code pulls in Arrow, and readBundle
// should stay light enough for the page
import type { FeatureEncoding, PreprocessStats } from './preprocess';
import { inputColumns, transformFeature } from './preprocess/inputs';

export const METADATA_FORMAT = 'pipette-model';
/** The TF.js converter's shard size: small enough for any HTTP cache, big enough to keep requests few. */
export const DEFAULT_SHARD_BYTES = 4 * 1024 * 1024;

export interface Lineage {
  projectId?: string;
  datasetId?: string;
  datasetVersionId?: string;
  runId?: string;
  modelVersionId?: string;
  /** The model version this one was trained further from, or imported as. */
  parentModelVersionId?: string;
  splitSeed?: number;
  /** The label-set version the model was trained on (soft labels), when not a label column. */
  labelSetId?: string;
  /** The Tune search whose trial's run this model is (issue 17), with the trial's best objective. */
  tune?: TuneLineage;
}

export interface TuneLineage {
  searchId: string;
  searchName: string;
  trialId: string;
  objective: { metric: string; direction: 'min' | 'max'; value: number | null };
}

export interface BundleMetadata {
  format: typeof METADATA_FORMAT;
  version: 1;
  name: string;
  createdAt: string;
  /** TF.js version that wrote the weights. */
  tfjsVersion: string;
  task: 'classification' | 'regression';
  /** Class names in output order (classification), else null. */
  labels: string[] | null;
  /** The raw columns the model reads (a transform's inputs, with encoding 'transform'). */
  featureColumns: { column: string; type: string; encoding: FeatureEncoding }[];
  preprocessing: PreprocessStats;
  modelSpec: ModelSpec | null;
  /** Test-split metrics of the run (e.g. accuracy, macro F1, AUC; MAE, RMSE, R²), as plain JSON. */
  metrics: Record<string, unknown> | null;
  lineage: Lineage;
}

export interface MetadataInput {
  name: string;
  tfjsVersion: string;
  preprocessing: PreprocessStats;
  modelSpec?: ModelSpec | null;
  metrics?: Record<string, unknown> | null;
  lineage?: Lineage;
  createdAt?: Date;
}

/** Metadata with the fields that follow from the preprocessing filled in. */
export function makeMetadata(input: MetadataInput): BundleMetadata {
  const pre = input.preprocessing;
  return {
    format: METADATA_FORMAT,
    version: 1,
    name: input.name,
    createdAt: (input.createdAt ?? new Date()).toISOString(),
    tfjsVersion: input.tfjsVersion,
    task: pre.label.task,
    labels: pre.label.task === 'classification' ? pre.label.classes.slice() : null,
    featureColumns: pre.features.flatMap((f) => inputColumns({ features: [f] }).map((c) => ({ column: c.column, type: c.type, encoding: f.encoding }))),
    preprocessing: pre,
    modelSpec: input.modelSpec ?? null,
    metrics: input.metrics ?? null,
    lineage: input.lineage ?? {},
  };
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

interface ManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}

/** The save handler's artifacts as the files of a TF.js Layers bundle: model.json and its weight shards. */
export async function layersFiles(tf: TF, model: tfjs.LayersModel, shardBytes = DEFAULT_SHARD_BYTES): Promise<{ modelJson: string; shards: [string, Uint8Array][] }> {
  let artifacts: tfjs.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const a = artifacts as tfjs.io.ModelArtifacts | null;
  if (!a || !a.modelTopology || !a.weightSpecs) throw new Error('TF.js returned no model artifacts');
  const data = new Uint8Array(a.weightData ? tf.io.CompositeArrayBuffer.join(a.weightData) : new ArrayBuffer(0));
  const count = Math.max(1, Math.ceil(data.length / shardBytes));
  const shards: [string, Uint8Array][] = [];
  for (let i = 0; i < count; i++) shards.push([`group1-shard${i + 1}of${count}.bin`, data.subarray(i * shardBytes, (i + 1) * shardBytes)]);
  const json: Record<string, unknown> = {
    format: a.format ?? 'layers-model',
    generatedBy: a.generatedBy,
    convertedBy: a.convertedBy ?? null,
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: shards.map(([p]) => p), weights: a.weightSpecs }],
  };
  if (a.trainingConfig) json.trainingConfig = a.trainingConfig;
  return { modelJson: JSON.stringify(json), shards };
}

/** A bundle's files by name: model.json, the weight shards, metadata.json, README.md (and transform.json, .js). */
export async function bundleFiles(tf: TF, model: tfjs.LayersModel, metadata: BundleMetadata, options: { shardBytes?: number } = {}): Promise<{ text: Record<string, Uint8Array>; weights: Record<string, Uint8Array> }> {
  const { modelJson, shards } = await layersFiles(tf, model, options.shardBytes ?? DEFAULT_SHARD_BYTES);
  const text = { 'model.json': strToU8(modelJson), ...(bundleTextFiles(metadata) as Record<string, Uint8Array>) };
  return { text, weights: Object.fromEntries(shards) };
}

/** Zip a model with its metadata and README (and its transform, if it was trained on one). */
export async function exportBundle(tf: TF, model: tfjs.LayersModel, metadata: BundleMetadata, options: { shardBytes?: number } = {}): Promise<Uint8Array> {
  const { text, weights } = await bundleFiles(tf, model, metadata, options);
  const files: Zippable = { ...text };
  // float weights hardly compress: store them and save the time
  for (const [name, bytes] of Object.entries(weights)) files[name] = [bytes, { level: 0 }];
  return zipSync(files, { level: 6 });
}

// ---------------------------------------------------------------------------------------------------
// Import

export interface ValidatedBundle {
  /** Folder of model.json inside the zip ('' at the top). */
  root: string;
  modelJson: { modelTopology: object; weightsManifest: ManifestGroup[]; format?: string; trainingConfig?: object };
  weightSpecs: WeightSpec[];
  /** All weight groups' bytes, concatenated in manifest order (what tf.io.fromMemory takes). */
  weightData: ArrayBuffer;
  metadata: BundleMetadata;
  files: string[];
}

const ELEMENT_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** What a file that is not a zip is instead (params.what of a 'not-zip' TrainError; the page words it). */
export type NotZipWhat = 'image' | 'lone-model-json' | 'json' | 'pdf' | 'no-zip-header' | 'damaged';

const NOT_ZIP_ENGLISH: Record<NotZipWhat, string> = {
  image: 'it is a {format} image',
  'lone-model-json': 'it is a model.json on its own: zip it together with its weight files (.bin) and metadata.json',
  json: 'it looks like JSON',
  pdf: 'it is a PDF',
  'no-zip-header': 'its first bytes are not a zip header',
  damaged: 'the zip file is damaged and cannot be read',
};

function notZip(what: NotZipWhat, params: Record<string, string> = {}): TrainError {
  return new TrainError('not-zip', { params: { what, ...params } }, `This is not a zip file: ${NOT_ZIP_ENGLISH[what].replace('{format}', params.format ?? '')}${params.detail ? ` (${params.detail})` : ''}`);
}

function describeBytes(bytes: Uint8Array): TrainError {
  const image = sniffImage(bytes);
  if (image) return notZip('image', { format: image.toUpperCase() });
  const head = strFromU8(bytes.subarray(0, 4096), true).trimStart();
  if (head.startsWith('{') && /"(modelTopology|weightsManifest)"|"layers-model"/.test(head)) return notZip('lone-model-json');
  if (head.startsWith('{') || head.startsWith('[')) return notZip('json');
  if (bytes.length >= 5 && strFromU8(bytes.subarray(0, 5), true) === '%PDF-') return notZip('pdf');
  return notZip('no-zip-header');
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function parseJson(bytes: Uint8Array, file: string, code: 'bad-model-json' | 'bad-metadata'): unknown {
  try {
    return JSON.parse(strFromU8(bytes));
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw trainErrorWhy(code, 'not-json', { file, params: { detail } }, `${file} is not valid JSON (${detail})`);
  }
}

function findModelJson(names: string[]): string {
  const candidates = names.filter((n) => (n === 'model.json' || n.endsWith('/model.json')) && !n.startsWith('__MACOSX/'));
  if (candidates.length === 0) {
    const listed = names.slice(0, 8).join(', ') + (names.length > 8 ? `, and ${names.length - 8} more` : '');
    throw new TrainError('no-model-json', {}, `The zip has no model.json, so it is not a TF.js model bundle (it holds: ${listed || 'nothing'})`);
  }
  // a zipped folder puts everything one level down; prefer the shallowest model.json
  candidates.sort((a, b) => a.split('/').length - b.split('/').length);
  if (candidates.length > 1 && candidates[0]!.split('/').length === candidates[1]!.split('/').length) {
    throw trainErrorWhy('bad-model-json', 'several', { file: candidates[1] }, `The zip holds more than one model.json (${candidates.slice(0, 3).join(', ')}); zip one model at a time`);
  }
  return candidates[0]!;
}

function checkManifest(json: Record<string, unknown>, file: string): ManifestGroup[] {
  const bad = (why: BadModelJsonWhy, english: string, params?: TrainErrorDetails['params']) => trainErrorWhy('bad-model-json', why, { file, params }, `${file} ${english}`);
  if (json.format === 'graph-model') throw bad('graph-model', 'is a TF.js graph model; only Layers models (tf.loadLayersModel) can be imported and trained');
  if (json.format !== undefined && json.format !== 'layers-model') throw bad('format', `has format "${String(json.format)}", not "layers-model"`, { format: String(json.format) });
  if (!isObject(json.modelTopology)) throw bad('no-topology', 'has no modelTopology: it is not a TF.js Layers model');
  if (!Array.isArray(json.weightsManifest)) throw bad('no-manifest', 'has no weightsManifest: the weights are not described');
  return json.weightsManifest.map((g, gi) => {
    if (!isObject(g) || !Array.isArray(g.paths) || !Array.isArray(g.weights) || !g.paths.every((p) => typeof p === 'string')) {
      throw bad('manifest-entry', `has a malformed weightsManifest entry ${gi + 1} (it needs "paths" and "weights")`, { entry: gi + 1 });
    }
    const weights = g.weights.map((w, wi) => {
      if (!isObject(w) || typeof w.name !== 'string' || !Array.isArray(w.shape) || typeof w.dtype !== 'string') {
        throw bad('manifest-weight', `has a malformed weight ${wi + 1} in manifest entry ${gi + 1} (it needs name, shape and dtype)`, { entry: gi + 1, index: wi + 1 });
      }
      if (!w.shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
        throw trainErrorWhy('bad-model-json', 'weight-shape', { file, weight: w.name, params: { shape: `[${w.shape.join(', ')}]` } }, `Weight "${w.name}" in ${file} has an invalid shape [${w.shape.join(', ')}]`);
      }
      return w as unknown as WeightSpec;
    });
    return { paths: g.paths as string[], weights };
  });
}

function checkMetadata(value: unknown, file: string): BundleMetadata {
  const bad = (why: BadMetadataWhy, english: string, params?: TrainErrorDetails['params']) => trainErrorWhy('bad-metadata', why, { file, params }, `${file} ${english}`);
  if (!isObject(value)) throw bad('not-object', 'is not a JSON object');
  if (value.format !== METADATA_FORMAT) throw bad('format', `is not Pipette model metadata (format is ${JSON.stringify(value.format)}, expected "${METADATA_FORMAT}")`, { format: JSON.stringify(value.format) ?? 'undefined' });
  if (value.version !== 1) throw bad('version', `has version ${JSON.stringify(value.version)}; this Pipette reads version 1`, { version: JSON.stringify(value.version) ?? 'undefined' });
  const pre = value.preprocessing;
  if (!isObject(pre) || !Array.isArray(pre.features) || !isObject(pre.label) || !isObject(pre.input) || !['tabular', 'image', 'tokens'].includes(pre.input.kind as string)) {
    throw bad('no-preprocessing', 'has no usable "preprocessing" (features, label and input are needed to encode inputs)');
  }
  if (value.task !== 'classification' && value.task !== 'regression') throw bad('task', `has an unknown task ${JSON.stringify(value.task)}`, { task: JSON.stringify(value.task) ?? 'undefined' });
  if (value.task === 'classification' && !(Array.isArray(value.labels) && value.labels.length >= 2)) throw bad('no-labels', 'has no class labels');
  return value as unknown as BundleMetadata;
}

/**
 * A model on a transform takes its transform from transform.json: what the bundle's consumer applies is
 * what the app applies after an import. It must be a fitted transform giving the model's input width.
 * metadata.json names the file in the feature's `fitted` (bundles exported before held a copy of the
 * transform there, which is read past in the same way).
 */
function withTransform(metadata: BundleMetadata, bytes: Uint8Array | undefined): BundleMetadata {
  const feature = transformFeature(metadata.preprocessing);
  if (!feature) return metadata;
  if (!bytes) throw new TrainError('no-transform', { file: TRANSFORM_JSON }, `The model was trained on a transform, but the zip has no ${TRANSFORM_JSON}`);
  const fitted = parseFitted(strFromU8(bytes));
  if (fitted.features.dim !== feature.slots) {
    throw new TrainError('transform-dim', { file: TRANSFORM_JSON, params: { expected: feature.slots, actual: fitted.features.dim } }, `${TRANSFORM_JSON} gives ${fitted.features.dim} features per row, but the model takes ${feature.slots}`);
  }
  const features = metadata.preprocessing.features.map((f) => (f === feature ? { ...feature, fitted } : f));
  return { ...metadata, preprocessing: { ...metadata.preprocessing, features } };
}

/**
 * Unzip and check a bundle, without TF.js. Throws TrainError naming the file or weight that is wrong:
 * not-zip, no-model-json, bad-model-json, missing-weights, weight-dtype, weight-size, no-metadata, bad-metadata.
 */
export function readBundle(zip: Uint8Array): ValidatedBundle {
  // local file header, or the end record of an empty zip
  const isZip = zip.length >= 4 && zip[0] === 0x50 && zip[1] === 0x4b && ((zip[2] === 3 && zip[3] === 4) || (zip[2] === 5 && zip[3] === 6));
  if (!isZip) throw describeBytes(zip);
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip);
  } catch (e) {
    throw notZip('damaged', { detail: e instanceof Error ? e.message : String(e) });
  }
  const files = Object.keys(entries).filter((n) => !n.endsWith('/'));
  const modelPath = findModelJson(files);
  const root = modelPath.slice(0, modelPath.length - 'model.json'.length);
  const parsed = parseJson(entries[modelPath]!, modelPath, 'bad-model-json');
  if (!isObject(parsed)) throw trainErrorWhy('bad-model-json', 'not-object', { file: modelPath }, `${modelPath} is not a JSON object`);
  const manifest = checkManifest(parsed, modelPath);

  const groups: Uint8Array[] = [];
  const weightSpecs: WeightSpec[] = [];
  for (const group of manifest) {
    const parts = group.paths.map((p) => {
      const clean = p.replace(/^\.\//, '');
      const bytes = entries[root + clean] ?? entries[root + safeDecode(clean)];
      if (!bytes) {
        throw new TrainError('missing-weights', { file: clean }, `model.json lists the weight file "${clean}", but the zip does not contain it`);
      }
      return bytes;
    });
    const data = concat(parts);
    const where = group.paths.join(' + ') || '(no files)';
    let offset = 0;
    for (const w of group.weights) {
      const dtype = w.quantization?.dtype ?? w.dtype;
      const element = ELEMENT_BYTES[dtype];
      if (element === undefined || !(w.dtype in ELEMENT_BYTES) || w.dtype === 'uint8' || w.dtype === 'uint16' || w.dtype === 'float16') {
        throw new TrainError('weight-dtype', { weight: w.name, params: { dtype } }, `Weight "${w.name}" has dtype "${w.quantization ? `${w.dtype} quantized as ${dtype}` : w.dtype}", which TF.js Layers models cannot load`);
      }
      const count = w.shape.reduce((a, b) => a * b, 1);
      const need = count * element;
      if (offset + need > data.length) {
        throw trainErrorWhy(
          'weight-size',
          'too-short',
          { weight: w.name, file: group.paths[0], params: { expected: need, available: Math.max(0, data.length - offset) } },
          `Weight "${w.name}" [${w.shape.join(', ')}] ${dtype} needs ${need} bytes, but ${where} has only ${Math.max(0, data.length - offset)} left for it`,
        );
      }
      offset += need;
      weightSpecs.push(w);
    }
    if (offset !== data.length) {
      const last = group.weights[group.weights.length - 1];
      throw trainErrorWhy(
        'weight-size',
        'extra-bytes',
        { file: group.paths[0], weight: last?.name, params: { expected: offset, actual: data.length } },
        `${where} holds ${data.length} bytes, but the weights model.json lists need ${offset}: the weight shapes or dtypes do not match the weight files`,
      );
    }
    groups.push(data);
  }

  const metaPath = root + 'metadata.json';
  if (!entries[metaPath]) {
    throw new TrainError('no-metadata', { file: 'metadata.json' }, 'The zip has no metadata.json: without it the labels and the input encoding are unknown (export the model from Pipette)');
  }
  const metadata = withTransform(checkMetadata(parseJson(entries[metaPath]!, 'metadata.json', 'bad-metadata'), 'metadata.json'), entries[root + TRANSFORM_JSON]);
  const all = concat(groups);
  return {
    root,
    modelJson: parsed as unknown as ValidatedBundle['modelJson'],
    weightSpecs,
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer,
    metadata,
    files,
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Validate (readBundle, then the weights against the layers the topology builds), then load with
 * tf.loadLayersModel, and check the model against the metadata. Checking first matters twice: the error
 * names the weight, and a load that fails half way leaves TF.js variables behind.
 */
export async function importBundle(tf: TF, zip: Uint8Array): Promise<{ model: tfjs.LayersModel; metadata: BundleMetadata; bundle: ValidatedBundle }> {
  let bundle: ValidatedBundle;
  try {
    bundle = readBundle(zip);
  } catch (e) {
    // Byte counts only say that some weight is off; the topology can say which one.
    if (e instanceof TrainError && e.code === 'weight-size') {
      const entries = unzipSync(zip);
      const modelPath = findModelJson(Object.keys(entries));
      const json = parseJson(entries[modelPath]!, modelPath, 'bad-model-json') as Record<string, unknown>;
      const specs = checkManifest(json, modelPath).flatMap((g) => g.weights);
      throw (await topologyMismatch(tf, json.modelTopology as object, specs, modelPath)) ?? e;
    }
    throw e;
  }
  const modelFile = bundle.root + 'model.json';
  const mismatch = await topologyMismatch(tf, bundle.modelJson.modelTopology, bundle.weightSpecs, modelFile);
  if (mismatch) throw mismatch;
  let model: tfjs.LayersModel;
  try {
    model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: bundle.modelJson.modelTopology,
        weightSpecs: bundle.weightSpecs as tfjs.io.WeightsManifestEntry[],
        weightData: bundle.weightData,
      }),
    );
  } catch (e) {
    throw new TrainError('load-failed', { file: modelFile }, `TF.js could not load the model: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    checkAgainstModel(model, bundle.metadata);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, metadata: bundle.metadata, bundle };
}

/**
 * Build the topology's layers (fresh weights, nothing read from the shards) and compare: every weight a
 * layer needs is in the manifest with its shape and dtype, and the manifest has no others. The first
 * difference as an error; null when they agree, or when TF.js cannot build the topology (the load then
 * reports that in its own words).
 */
async function topologyMismatch(tf: TF, modelTopology: object, specs: readonly WeightSpec[], file: string): Promise<TrainError | null> {
  let built: tfjs.LayersModel;
  try {
    built = await tf.models.modelFromJSON({ modelTopology } as never);
  } catch {
    return null;
  }
  try {
    const listed = new Map(specs.map((w) => [w.name, w]));
    for (const layerWeight of built.weights) {
      const w = listed.get(layerWeight.originalName);
      if (!w) {
        return trainErrorWhy('bad-model-json', 'missing-weight', { file, weight: layerWeight.originalName }, `${file} lists no weight "${layerWeight.originalName}", which the model's layers need`);
      }
      listed.delete(w.name);
      if (layerWeight.shape.join() !== w.shape.join()) {
        const [expected, actual] = [`[${layerWeight.shape.join(', ')}]`, `[${w.shape.join(', ')}]`];
        return trainErrorWhy('weight-size', 'shape', { file, weight: w.name, params: { expected, actual } }, `Weight "${w.name}" is ${actual} in ${file}, but its layer needs ${expected}`);
      }
      // quantized weights are dequantized to float32 on load, so their stored dtype does not matter
      if (!w.quantization && layerWeight.dtype !== w.dtype) {
        return new TrainError(
          'weight-dtype',
          { file, weight: w.name, params: { expected: layerWeight.dtype, actual: w.dtype } },
          `Weight "${w.name}" is ${w.dtype} in ${file}, but its layer needs ${layerWeight.dtype}`,
        );
      }
    }
    const extra = [...listed.keys()][0];
    if (extra !== undefined) {
      return trainErrorWhy('bad-model-json', 'extra-weight', { file, weight: extra }, `${file} lists a weight "${extra}" that no layer of the model has`);
    }
    return null;
  } finally {
    built.dispose();
  }
}

function checkAgainstModel(model: tfjs.LayersModel, meta: BundleMetadata): void {
  const inShape = model.inputs[0]?.shape.slice(1) ?? [];
  const expected = inputShape(meta.preprocessing.input);
  if (inShape.join() !== expected.join()) {
    throw trainErrorWhy('bad-metadata', 'input-shape', { file: 'metadata.json', params: { expected: `[${expected.join(', ')}]`, actual: `[${inShape.join(', ')}]` } }, `metadata.json describes inputs of shape [${expected.join(', ')}], but the model takes [${inShape.join(', ')}]`);
  }
  const outUnits = model.outputs[0]?.shape[model.outputs[0].shape.length - 1];
  const wanted = meta.task === 'classification' ? meta.labels!.length : 1;
  if (outUnits !== wanted) {
    throw trainErrorWhy('bad-metadata', 'outputs', { file: 'metadata.json', params: { expected: wanted, actual: String(outUnits) } }, `metadata.json names ${wanted} output${wanted === 1 ? '' : 's'}, but the model has ${outUnits}`);
  }
}
