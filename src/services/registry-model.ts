/**
 * Model versions with TF.js (training worker): a finished run saved as a version, a version exported as
 * a bundle zip or imported from one, a version loaded for training further, and predictions for the
 * predict panel (each logged to servingRequests, so the Validate stage can measure training/serving skew).
 */
import { missing } from '../core/record-error';
import { TrainError } from '../core/model/errors';
import type * as tfjs from '@tensorflow/tfjs';
import { encodePng } from '../core/data/png';
import { writeBundle } from '../core/optimize/artifacts';
import { exportBundle, importBundle, makeMetadata, type BundleMetadata } from '../core/model/bundle';
import { buildModel, type TF } from '../core/model/model-spec';
import { encodeRecords, featureShapeOf, imageToInput, inputColumns, transformFeature, type CellValue } from '../core/model/preprocess';
import { argmaxRows } from '../core/model/metrics';
import type { ExportedModel, PredictRequest, PredictResult } from '../protocol/train';
import { newId, type PipetteDB } from '../store/db';
import { tuneLineageOf } from '../store/tune-records';
import type { ModelArtifacts, RunRecord } from '../store/training-records';
import { addModelVersion } from './registry';
import { Recent } from './recent';
import { bundleFileName } from './served-list';
import type { LoadedModel } from './train';

/** The save handler's artifacts of a model, in the registry's form. */
export async function artifactsOf(tf: TF, model: tfjs.LayersModel): Promise<ModelArtifacts> {
  let captured: tfjs.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      captured = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const a = captured as tfjs.io.ModelArtifacts | null;
  if (!a?.modelTopology || !a.weightSpecs) throw new Error('TF.js returned no model artifacts');
  const joined = a.weightData ? tf.io.CompositeArrayBuffer.join(a.weightData) : new ArrayBuffer(0);
  return { modelTopology: a.modelTopology as object, weightSpecs: a.weightSpecs.map((w) => ({ name: w.name, shape: w.shape.slice(), dtype: w.dtype })), weightData: joined };
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export class ModelService {
  readonly #tf: TF;
  readonly #db: PipetteDB;
  /** Loaded models for predictions, most recently used last. */
  readonly #cache: Recent<LoadedModel>;

  constructor(deps: { tf: TF; db: PipetteDB }, keep = 3) {
    this.#tf = deps.tf;
    this.#db = deps.db;
    this.#cache = new Recent(keep, (m) => m.model.dispose());
  }

  /** A fresh instance of a model version (its own weights: training it leaves the version alone). */
  async load(modelId: string): Promise<LoadedModel> {
    const [record, stored] = await Promise.all([this.#db.models.get(modelId), this.#db.modelArtifacts.get(modelId)]);
    if (!record || !stored) throw missing('model-version', modelId);
    // a worker that has not trained yet (a reload, an imported project) has no backend chosen: TF.js's
    // first operation would find webgpu, the highest priority, still initializing
    await this.#tf.ready();
    const { modelTopology, weightSpecs, weightData } = stored.artifacts;
    const model = await this.#tf.loadLayersModel(
      this.#tf.io.fromMemory({ modelTopology, weightSpecs: weightSpecs as tfjs.io.WeightsManifestEntry[], weightData }),
    );
    return { model, metadata: record.metadata };
  }

  /** Drop a cached model (its version was deleted). */
  forget(modelId: string): void {
    this.#cache.forget(modelId);
  }

  /** Save a finished run's final weights as a new immutable model version, with its lineage. */
  async saveRun(runId: string, name: string): Promise<string> {
    const tf = this.#tf;
    const db = this.#db;
    const run = await db.runs.get(runId);
    if (!run) throw missing('run', runId);
    if (run.modelId && (await db.models.get(run.modelId))) return run.modelId;
    if (run.status !== 'done' || !run.preprocessing) throw new TrainError('run-not-done', { params: { name: run.config.name } }, `Run "${run.config.name}" has not finished; only a finished run can become a model version`);
    const final = await db.checkpoints.get(runId);
    if (!final || final.kind !== 'final') throw new TrainError('no-final-weights', { params: { name: run.config.name } }, `Run "${run.config.name}" has no final weights`);
    const model = await this.#modelForRun(run);
    try {
      const weights = final.data.weights.map((w) => tf.tensor(w.values, w.shape, w.dtype));
      model.setWeights(weights);
      weights.forEach((t) => t.dispose());
      const artifacts = await artifactsOf(tf, model);
      const version = await db.versions.get(run.datasetVersionId);
      const tune = await tuneLineageOf(db, runId);
      const id = newId();
      const metadata = makeMetadata({
        name: name.trim() || run.config.name,
        tfjsVersion: tf.version.tfjs,
        preprocessing: run.preprocessing,
        modelSpec: run.config.spec,
        metrics: run.metrics ? { ...run.metrics.summary, split: run.metrics.evaluation?.split ?? null } : null,
        lineage: {
          projectId: run.projectId,
          datasetId: version?.datasetId,
          datasetVersionId: run.datasetVersionId,
          runId,
          modelVersionId: id,
          ...(run.config.baseModelId ? { parentModelVersionId: run.config.baseModelId } : {}),
          splitSeed: run.config.split.seed,
          ...(run.config.labelSource?.kind === 'labelSet' ? { labelSetId: run.config.labelSource.labelSetId } : {}),
          ...(tune ? { tune } : {}),
        },
      });
      const saved = await addModelVersion(
        db,
        { id, projectId: run.projectId, name: metadata.name, source: 'run', runId, datasetVersionId: run.datasetVersionId, parentModelId: run.config.baseModelId, metadata },
        artifacts,
      );
      return saved.id;
    } finally {
      model.dispose();
    }
  }

  async #modelForRun(run: RunRecord): Promise<tfjs.LayersModel> {
    if (run.config.baseModelId) return (await this.load(run.config.baseModelId)).model;
    if (!run.config.spec) throw new TrainError('no-spec', { params: { name: run.config.name } }, `Run "${run.config.name}" has no model spec`);
    return buildModel(this.#tf, run.config.spec);
  }

  /** A version as a bundle zip (core/model/bundle.ts): loadable by tf.loadLayersModel unchanged. */
  async exportZip(modelId: string): Promise<ExportedModel> {
    const record = await this.#db.models.get(modelId);
    if (!record) throw missing('model-version', modelId);
    return { fileName: bundleFileName(record.name, record.version), bytes: await this.bundle(modelId) };
  }

  /**
   * The bundle zip of a version. A quantized version is zipped from its stored artifacts as they are:
   * saving the loaded model would write the float32 weights TF.js dequantized on load, and lose the gain.
   */
  async bundle(modelId: string): Promise<Uint8Array> {
    const [record, stored] = await Promise.all([this.#db.models.get(modelId), this.#db.modelArtifacts.get(modelId)]);
    if (!record || !stored) throw missing('model-version', modelId);
    const { modelTopology, weightSpecs, weightData } = stored.artifacts;
    if (weightSpecs.some((w) => w.quantization)) {
      const modelJson = { modelTopology, format: 'layers-model', generatedBy: `TensorFlow.js tfjs-layers v${record.metadata.tfjsVersion}`, convertedBy: null };
      return writeBundle({ modelJson, weightSpecs, weightData: new Uint8Array(weightData), metadata: record.metadata });
    }
    const { model } = await this.load(modelId);
    try {
      return await exportBundle(this.#tf, model, record.metadata);
    } finally {
      model.dispose();
    }
  }

  /**
   * Validate a bundle zip (every problem is a TrainError naming the file or weight, and nothing is
   * written), then add it as a new version that can be trained further.
   */
  async importZip(projectId: string, bytes: Uint8Array): Promise<string> {
    const { model, metadata, bundle } = await importBundle(this.#tf, bytes);
    model.dispose();
    const id = newId();
    const origin = metadata.lineage?.modelVersionId ?? null;
    const local = origin ? await this.#db.models.get(origin) : undefined;
    const meta: BundleMetadata = {
      ...metadata,
      lineage: { ...metadata.lineage, projectId, modelVersionId: id, ...(origin ? { parentModelVersionId: origin } : {}) },
    };
    const artifacts: ModelArtifacts = {
      modelTopology: bundle.modelJson.modelTopology,
      weightSpecs: bundle.weightSpecs.map((w) => ({ name: w.name, shape: w.shape.slice(), dtype: w.dtype, ...(w.quantization ? { quantization: { ...w.quantization } as never } : {}) })),
      weightData: bundle.weightData,
    };
    const saved = await addModelVersion(
      this.#db,
      { id, projectId, name: metadata.name, source: 'import', runId: null, datasetVersionId: null, parentModelId: local?.projectId === projectId ? local.id : null, metadata: meta },
      artifacts,
    );
    return saved.id;
  }

  /** One prediction, computed here, and logged. */
  async predict(req: PredictRequest): Promise<PredictResult> {
    const tf = this.#tf;
    const { model, metadata } = await this.#cache.get(req.modelId, () => this.load(req.modelId));
    const stats = metadata.preprocessing;
    let x: Float32Array;
    let features: Record<string, number | string | boolean | null>;
    if (req.kind === 'image') {
      const img = req.image;
      x = imageToInput(stats, { width: img.width, height: img.height, data: img.data, channels: img.channels });
      const column = stats.features[0]!.column;
      // the request as the model saw it: a PNG data URL (images have no other loggable form)
      features = { [column]: `data:image/png;base64,${base64(encodePng(Uint8Array.from(img.data), img.width, img.height, img.channels))}` };
    } else {
      // the raw columns (a transform's inputs): what is logged for the skew check is what the model read
      const inputs = inputColumns(stats);
      features = {};
      // a model on a transform reads the row as a bundle's consumer gives it: a column left out is refused
      // (reader.js's rule), an empty value is a missing one
      const row: Record<string, CellValue> = {};
      for (const { column } of inputs) {
        const v = req.values[column];
        features[column] = v === undefined || v === '' ? null : v;
        if (v !== undefined || !transformFeature(stats)) row[column] = features[column];
      }
      x = await encodeRecords(stats, [row], Object.fromEntries(inputs.map((c) => [c.column, c.type])));
    }
    const input = tf.tensor(x, [1, ...featureShapeOf(stats)], 'float32');
    let values: Float32Array;
    try {
      const out = model.predict(input) as tfjs.Tensor;
      try {
        values = Float32Array.from((await out.data()) as Float32Array);
      } finally {
        out.dispose();
      }
    } finally {
      input.dispose();
    }
    await this.#db.servingRequests.add({ projectId: req.projectId, modelId: req.modelId, at: Date.now(), features });
    if (stats.label.task === 'classification') {
      const labels = stats.label.classes.slice();
      const best = argmaxRows(values, labels.length)[0]!;
      return { task: 'classification', predicted: labels[best]!, labels, probabilities: Array.from(values), value: null };
    }
    const value = values[0]! * stats.label.std + stats.label.mean;
    return { task: 'regression', predicted: String(value), labels: null, probabilities: null, value };
  }
}
