/**
 * Servable models for the serving core's tests, computed by hand (no TF.js): TF Serving's half_plus_three
 * (y = 0.5 x + 3, input x and output y one scalar per example), a model of two named inputs, one of a
 * string input, and a three-class classifier whose scores are fixed per row.
 */
import { ServedModels } from '../../../src/core/serving/models';
import { CLASSIFY_METHOD, DEFAULT_SIGNATURE, PREDICT_METHOD, REGRESS_METHOD, type ServableModel, type Tensor } from '../../../src/core/serving/types';

export interface CountingModel extends ServableModel {
  calls: number[];
}

export function halfPlusThree(): CountingModel {
  const calls: number[] = [];
  return {
    calls,
    inputKind: 'encoded',
    task: 'regression',
    labels: null,
    signatures: {
      [DEFAULT_SIGNATURE]: { methodName: PREDICT_METHOD, inputs: { x: { dtype: 'DT_FLOAT', shape: [-1], name: 'x:0' } }, outputs: { y: { dtype: 'DT_FLOAT', shape: [-1], name: 'y:0' } } },
      [REGRESS_METHOD]: { methodName: REGRESS_METHOD, inputs: { inputs: { dtype: 'DT_STRING', shape: [-1], name: 'input_example_tensor:0' } }, outputs: { outputs: { dtype: 'DT_FLOAT', shape: [-1, 1], name: 'y:0' } } },
    },
    async predict(inputs) {
      const x = inputs.x!;
      calls.push(x.shape[0]!);
      return { y: { dtype: 'DT_FLOAT', shape: [...x.shape], values: Float32Array.from(x.values as Float32Array, (v) => 0.5 * v + 3) } };
    },
  };
}

/** Inputs a [-1, 2] and b [-1]; outputs sum = a0 + a1 + b and product = a0 * a1 * b. */
export function twoInputs(): ServableModel {
  return {
    inputKind: 'encoded',
    task: null,
    labels: null,
    signatures: {
      [DEFAULT_SIGNATURE]: {
        methodName: PREDICT_METHOD,
        inputs: { a: { dtype: 'DT_FLOAT', shape: [-1, 2], name: 'a:0' }, b: { dtype: 'DT_FLOAT', shape: [-1], name: 'b:0' } },
        outputs: { product: { dtype: 'DT_FLOAT', shape: [-1], name: 'product:0' }, sum: { dtype: 'DT_FLOAT', shape: [-1], name: 'sum:0' } },
      },
    },
    async predict({ a, b }) {
      const n = b!.shape[0]!;
      const av = a!.values as Float32Array;
      const bv = b!.values as Float32Array;
      const sum = Float32Array.from({ length: n }, (_, i) => av[2 * i]! + av[2 * i + 1]! + bv[i]!);
      const product = Float32Array.from({ length: n }, (_, i) => av[2 * i]! * av[2 * i + 1]! * bv[i]!);
      return { sum: { dtype: 'DT_FLOAT', shape: [n], values: sum }, product: { dtype: 'DT_FLOAT', shape: [n], values: product } };
    },
  };
}

/** A string input; the output is each string's length in bytes (so b64 values can be checked decoded). */
export function stringLength(): ServableModel {
  return {
    inputKind: 'encoded',
    task: null,
    labels: null,
    signatures: {
      [DEFAULT_SIGNATURE]: { methodName: PREDICT_METHOD, inputs: { text: { dtype: 'DT_STRING', shape: [-1], name: 'text:0' } }, outputs: { length: { dtype: 'DT_FLOAT', shape: [-1], name: 'length:0' } } },
    },
    async predict({ text }) {
      const values = text!.values as string[];
      return { length: { dtype: 'DT_FLOAT', shape: [values.length], values: Float32Array.from(values, (s) => s.length) } };
    },
  };
}

/** Classes car, bike, bus; the scores of a row with feature f: [f, 1 - f - 0.1, 0.1]. */
export function vehicles(): ServableModel {
  return {
    inputKind: 'encoded',
    task: 'classification',
    labels: ['car', 'bike', 'bus'],
    signatures: {
      [DEFAULT_SIGNATURE]: { methodName: PREDICT_METHOD, inputs: { f: { dtype: 'DT_FLOAT', shape: [-1], name: 'f:0' } }, outputs: { probabilities: { dtype: 'DT_FLOAT', shape: [-1, 3], name: 'probabilities:0' } } },
      [CLASSIFY_METHOD]: {
        methodName: CLASSIFY_METHOD,
        inputs: { inputs: { dtype: 'DT_STRING', shape: [-1], name: 'input_example_tensor:0' } },
        outputs: { classes: { dtype: 'DT_STRING', shape: [-1, 3], name: 'classes:0' }, scores: { dtype: 'DT_FLOAT', shape: [-1, 3], name: 'scores:0' } },
      },
    },
    async predict({ f }) {
      const fv = f!.values as Float32Array;
      const values = new Float32Array(fv.length * 3);
      fv.forEach((v, i) => values.set([v, 1 - v - 0.1, 0.1], i * 3));
      return { probabilities: { dtype: 'DT_FLOAT', shape: [fv.length, 3], values } satisfies Tensor };
    },
  };
}

export function servedFixtures(): { models: ServedModels; half: CountingModel } {
  const models = new ServedModels();
  const half = halfPlusThree();
  models.setVersion('half_plus_three', 123, half);
  models.setVersion('two', 1, twoInputs());
  models.setVersion('text', 1, stringLength());
  models.setVersion('vehicles', 1, vehicles());
  models.setVersion('vehicles', 2, vehicles());
  models.setLabel('vehicles', 'production', 1);
  return { models, half };
}
