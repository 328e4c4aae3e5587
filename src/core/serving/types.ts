/**
 * What the serving core works on: tensors as TF Serving's JSON carries them, the signatures a served model
 * declares (TF Serving's SignatureDef: named inputs and outputs with a dtype and a shape, -1 for the batch
 * or any unknown dimension), and a loaded model as a function from input tensors to output tensors, so the
 * tab (a worker) and the Node server run one request parser and one response writer over any model.
 */

/** The dtypes a Pipette model takes and gives (DT_STRING holds text, or bytes sent as {"b64": ...}). */
export type DType = 'DT_FLOAT' | 'DT_INT32' | 'DT_STRING';

/** A dense tensor: its shape and its values in row-major order. */
export interface Tensor {
  dtype: DType;
  shape: number[];
  /** Numbers for DT_FLOAT and DT_INT32 (NaN for a missing raw value), strings for DT_STRING. */
  values: Float32Array | Int32Array | (string | null)[];
}

export interface TensorSpec {
  dtype: DType;
  /** -1 for an unknown size (the batch); [-1] is one scalar per example. */
  shape: number[];
  /** The tensor's name in the graph, as TF Serving's metadata writes it ("x:0"). */
  name: string;
  /** A raw column of a model on a transform: null is accepted as a missing value (a Pipette extension). */
  nullable?: boolean;
}

export const PREDICT_METHOD = 'tensorflow/serving/predict';
export const CLASSIFY_METHOD = 'tensorflow/serving/classify';
export const REGRESS_METHOD = 'tensorflow/serving/regress';
export const DEFAULT_SIGNATURE = 'serving_default';

export interface SignatureDef {
  methodName: typeof PREDICT_METHOD | typeof CLASSIFY_METHOD | typeof REGRESS_METHOD;
  inputs: Record<string, TensorSpec>;
  outputs: Record<string, TensorSpec>;
}

/** What a model's inputs are: raw feature rows (a model trained on a transform) or its encoded input tensor. */
export type InputKind = 'raw_rows' | 'encoded';

/**
 * A model version ready to answer: its signatures (serving_default is the predict signature, whose inputs
 * classify and regress examples name too) and `predict`, which takes one tensor per input of
 * serving_default, all with the same first (batch) dimension, and gives one tensor per output with that
 * batch dimension. Classification models give class probabilities in `labels` order.
 */
export interface ServableModel {
  signatures: Record<string, SignatureDef>;
  inputKind: InputKind;
  task: 'classification' | 'regression' | null;
  /** Class names in output order (classification), else null. */
  labels: string[] | null;
  predict(inputs: Record<string, Tensor>): Promise<Record<string, Tensor>>;
  dispose?(): void;
}

/** The number of values a shape holds (a scalar, [], holds one). */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}
