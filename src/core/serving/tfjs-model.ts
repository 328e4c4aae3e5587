/**
 * A TF.js Layers model (a Pipette bundle, or any Layers model without Pipette's metadata.json) as a
 * servable: its signatures and its predict. Runs wherever TF.js runs (a worker, Node).
 *
 * - A model trained on a transform takes raw rows: one input per raw column the transform reads (DT_FLOAT
 *   for number-like columns, DT_STRING for categorical and text; one scalar per example; null accepted as
 *   a missing value), turned into its features by the bundle's own transform (reader.js's applyToRows).
 * - Any other model takes its encoded input tensor, named after its input layer.
 * - One value per example is declared as a scalar ([-1]) rather than [-1, 1], as TF Serving's
 *   half_plus_three and regression signatures are, so `{"instances": [1.0, 2.0]}` fits a model of input [1].
 * - serving_default (predict) gives the model's output named after its output layer; a classifier with
 *   labels also has tensorflow/serving/classify (classes and scores), a model of one output value
 *   tensorflow/serving/regress (outputs). Those two take serialized tf.Examples in TF Serving, which is
 *   what their metadata says ("inputs", DT_STRING); over REST their examples name the predict inputs.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { BundleMetadata } from '../model/bundle';
import type { TF } from '../model/model-spec';
import { transformFeature } from '../model/preprocess/inputs';
import { applyToRows, isStringType } from '../transform/reader.js';
import { invalid } from './errors';
import { CLASSIFY_METHOD, DEFAULT_SIGNATURE, PREDICT_METHOD, REGRESS_METHOD, sizeOf, type ServableModel, type SignatureDef, type Tensor, type TensorSpec } from './types';

type FittedTransform = Parameters<typeof applyToRows>[0];

/** A shape of the model with null as -1, and a per-example [1] as a scalar. */
function servingShape(shape: readonly (number | null)[]): number[] {
  const dims = shape.map((d) => d ?? -1);
  return dims.length === 2 && dims[1] === 1 ? [dims[0]!] : dims;
}

function examplesSignature(method: typeof CLASSIFY_METHOD | typeof REGRESS_METHOD, outputs: Record<string, TensorSpec>): SignatureDef {
  return { methodName: method, inputs: { inputs: { dtype: 'DT_STRING', shape: [-1], name: 'input_example_tensor:0' } }, outputs };
}

export function layersServable(tf: TF, model: tfjs.LayersModel, metadata: BundleMetadata | null): ServableModel {
  const transform = metadata ? transformFeature(metadata.preprocessing) : null;
  const fitted = (transform?.fitted ?? null) as FittedTransform | null;
  const modelInput = model.inputs[0]!.shape.slice(1).map((d) => d ?? -1);
  const outputLayer = model.outputs[0]!.shape;
  const outputUnits = outputLayer[outputLayer.length - 1] ?? 1;
  const outputName = model.outputNames[0] ?? 'output';
  const outputSpec: TensorSpec = { dtype: 'DT_FLOAT', shape: servingShape(outputLayer), name: `${outputName}:0` };
  const inputName = model.inputNames[0] ?? 'input';

  const inputs: Record<string, TensorSpec> = fitted
    ? Object.fromEntries(fitted.columns.map((c) => [c.name, { dtype: isStringType(c.type) ? 'DT_STRING' : 'DT_FLOAT', shape: [-1], name: `${c.name}:0`, nullable: true } satisfies TensorSpec]))
    : { [inputName]: { dtype: 'DT_FLOAT', shape: servingShape(model.inputs[0]!.shape), name: `${inputName}:0` } };
  const task = metadata?.task ?? (outputUnits === 1 ? 'regression' : null);
  const labels = metadata?.labels ?? null;
  const signatures: Record<string, SignatureDef> = { [DEFAULT_SIGNATURE]: { methodName: PREDICT_METHOD, inputs, outputs: { [outputName]: outputSpec } } };
  if (task === 'classification' && labels) {
    signatures[CLASSIFY_METHOD] = examplesSignature(CLASSIFY_METHOD, {
      classes: { dtype: 'DT_STRING', shape: [-1, labels.length], name: 'classes:0' },
      scores: { dtype: 'DT_FLOAT', shape: [-1, labels.length], name: 'scores:0' },
    });
  }
  if (task === 'regression' && outputUnits === 1) signatures[REGRESS_METHOD] = examplesSignature(REGRESS_METHOD, { outputs: { dtype: 'DT_FLOAT', shape: [-1, 1], name: `${outputName}:0` } });

  /** The model's input matrix for a batch: raw rows through the transform, or the encoded tensor as is. */
  const features = (batch: Record<string, Tensor>): { data: Float32Array; rows: number } => {
    if (!fitted) {
      const t = batch[inputName]!;
      return { data: t.values as Float32Array, rows: t.shape[0]! };
    }
    const rows = batch[fitted.columns[0]!.name]!.shape[0]!;
    const raw = Array.from({ length: rows }, (_, r) => Object.fromEntries(fitted.columns.map((c) => [c.name, cell(batch[c.name]!, r)])));
    try {
      return { data: applyToRows(fitted, raw).features, rows };
    } catch (e) {
      throw invalid(`The transform could not read the rows: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  return {
    signatures,
    inputKind: fitted ? 'raw_rows' : 'encoded',
    task,
    labels,
    async predict(batch) {
      const { data, rows } = features(batch);
      const y = tf.tidy(() => model.predict(tf.tensor(data, [rows, ...(fitted ? [fitted.features.dim] : modelInput)])) as tfjs.Tensor);
      // data(), not dataSync(): a sync readback stalls a GPU backend's queue (the tab serves on its worker's backend)
      let values: Float32Array;
      try {
        values = (await y.data()) as Float32Array;
      } finally {
        y.dispose();
      }
      const shape = servingShape([rows, ...outputLayer.slice(1)]);
      if (sizeOf(shape) !== values.length) throw new Error(`the model gave ${values.length} values for ${rows} rows`);
      return { [outputName]: { dtype: 'DT_FLOAT', shape, values } };
    },
    dispose: () => model.dispose(),
  };
}

/** A raw cell of row r: a number (NaN is missing) or a string (null is missing). */
function cell(t: Tensor, r: number): number | string | null {
  const v = t.values[r];
  if (v === undefined || v === null) return null;
  return typeof v === 'number' && Number.isNaN(v) ? null : v;
}
