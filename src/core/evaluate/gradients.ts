/**
 * Gradient explanations of a TF.js model: integrated gradients (Sundararajan et al. 2017) with the
 * completeness check, and saliency maps (Simonyan et al. 2013); see explain.ts.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { TF } from '../model/model-spec';
import { EvalError, evalErrorWhy } from './errors';

function modelInputShape(model: tfjs.LayersModel): number[] {
  const shape = model.inputs[0]!.shape.slice(1);
  if (shape.some((s) => s === null)) throw new EvalError('input-mismatch', {}, 'The model input has an unknown size');
  return shape as number[];
}

function checkInput(model: tfjs.LayersModel, x: ArrayLike<number>, what: string): number[] {
  const shape = modelInputShape(model);
  const size = shape.reduce((a, b) => a * b, 1);
  if (x.length !== size) {
    throw new EvalError('input-mismatch', { params: { what, expected: size, actual: x.length, shape: shape.join(' x ') } }, `The model takes ${shape.join(' x ')} = ${size} values, but ${what} has ${x.length}`);
  }
  return shape;
}

function checkOutput(model: tfjs.LayersModel, output: number): void {
  const outShape = model.outputs[0]!.shape;
  const k = (outShape[outShape.length - 1] as number | null) ?? 1;
  if (outShape.length !== 2 || !Number.isInteger(output) || output < 0 || output >= k) {
    throw evalErrorWhy('bad-option', 'output', { params: { output, outputs: k } }, `Output ${output} is not one of the model's ${k} outputs`);
  }
}

/** The model's outputs for rows of its input shape. */
async function forward(tf: TF, model: tfjs.LayersModel, x: Float32Array, shape: number[], rows: number): Promise<Float32Array> {
  const out = tf.tidy(() => model.apply(tf.tensor(x, [rows, ...shape]), { training: false }) as tfjs.Tensor);
  try {
    return (await out.data()) as Float32Array;
  } finally {
    out.dispose();
  }
}

/** Gradients of output `output` summed over the batch: row i of the result is d F(x_i) / d x_i. */
async function gradients(tf: TF, model: tfjs.LayersModel, x: Float32Array, shape: number[], rows: number, output: number): Promise<Float32Array> {
  const f = (inp: tfjs.Tensor) => {
    const out = model.apply(inp, { training: false }) as tfjs.Tensor;
    // rows do not interact in inference, so the gradient of the sum is each row's own gradient
    return tf.sum(tf.slice(out, [0, output], [-1, 1]));
  };
  const g = tf.tidy(() => tf.grad(f)(tf.tensor(x, [rows, ...shape])));
  try {
    return (await g.data()) as Float32Array;
  } finally {
    g.dispose();
  }
}

export interface IntegratedGradientsOptions {
  /** Default all zeros. */
  baseline?: ArrayLike<number>;
  /** Trapezoid intervals along the path to start with (default 64). */
  steps?: number;
  /**
   * Completeness target (default 0.05): while the relative gap is above it, the intervals are halved, up
   * to maxSteps. Each halving reuses every gradient already computed and adds only the midpoints.
   */
  tolerance?: number;
  /** Default 1024; set it to `steps` for a fixed number of steps. */
  maxSteps?: number;
  /** Output index (the target class; 0 for regression). */
  output?: number;
  /** Path points per gradient call (default 32). */
  batchSize?: number;
}

export interface IntegratedGradients {
  /** One per input value, in the model's input layout (flattened). */
  attributions: Float32Array;
  /** Σ attributions. */
  sum: number;
  fx: number;
  fBaseline: number;
  /** Completeness: |sum - (fx - fBaseline)| / max(|fx - fBaseline|, 1e-12); small when steps suffice. */
  relativeError: number;
  /** Trapezoid intervals used in the end. */
  steps: number;
}

/**
 * IG_i = (x_i - x'_i) ∫₀¹ ∂F(x' + α(x - x'))/∂x_i dα, the integral by the trapezoid rule on m intervals.
 * Completeness says Σ IG_i = F(x) - F(x'); the relative gap measures the integration error. With ReLU
 * layers the integrand jumps where a unit switches, so the error falls only as 1/m and a fixed m may not
 * be enough: hence the refinement up to `tolerance`.
 */
export async function integratedGradients(tf: TF, model: tfjs.LayersModel, x: ArrayLike<number>, options: IntegratedGradientsOptions = {}): Promise<IntegratedGradients> {
  const shape = checkInput(model, x, 'the example');
  const size = x.length;
  const output = options.output ?? 0;
  checkOutput(model, output);
  let m = options.steps ?? 64;
  const batch = options.batchSize ?? 32;
  const tolerance = options.tolerance ?? 0.05;
  const maxSteps = Math.max(m, options.maxSteps ?? 1024);
  if (!Number.isInteger(m) || m < 1 || !Number.isInteger(batch) || batch < 1 || !(tolerance >= 0)) {
    throw evalErrorWhy('bad-option', 'ig-steps', { params: { steps: m, batchSize: batch, tolerance } }, 'Steps and batch size must be positive integers, the tolerance a number >= 0');
  }
  const base = options.baseline ? Float64Array.from(options.baseline) : new Float64Array(size);
  if (base.length !== size) checkInput(model, base, 'the baseline');
  const diff = Float64Array.from({ length: size }, (_, i) => x[i]! - base[i]!);

  /** Σ_k weight_k ∂F/∂x at x' + α_k (x - x'), in calls of `batch` path points. */
  const weightedGradients = async (alphas: number[], weight: (k: number) => number): Promise<Float64Array> => {
    const acc = new Float64Array(size);
    for (let start = 0; start < alphas.length; start += batch) {
      const count = Math.min(batch, alphas.length - start);
      const path = new Float32Array(count * size);
      for (let r = 0; r < count; r++) {
        const alpha = alphas[start + r]!;
        for (let i = 0; i < size; i++) path[r * size + i] = base[i]! + alpha * diff[i]!;
      }
      const g = await gradients(tf, model, path, shape, count, output);
      for (let r = 0; r < count; r++) {
        const w = weight(start + r);
        for (let i = 0; i < size; i++) acc[i] += w * g[r * size + i]!;
      }
    }
    return acc;
  };

  const ends = new Float32Array(2 * size);
  ends.set(base, 0);
  ends.set(Float32Array.from(x), size);
  const out = await forward(tf, model, ends, shape, 2);
  const k = out.length / 2;
  const fBaseline = out[output]!;
  const fx = out[k + output]!;
  const delta = fx - fBaseline;

  // trapezoid on m intervals: end points weigh 1/(2m), inner points 1/m
  let integral = await weightedGradients(
    Array.from({ length: m + 1 }, (_, j) => j / m),
    (j) => (j === 0 || j === m ? 0.5 / m : 1 / m),
  );
  for (;;) {
    const attributions = new Float32Array(size);
    let sum = 0;
    for (let i = 0; i < size; i++) {
      const a = diff[i]! * integral[i]!;
      attributions[i] = a;
      sum += a;
    }
    const relativeError = Math.abs(sum - delta) / Math.max(Math.abs(delta), 1e-12);
    if (relativeError <= tolerance || 2 * m > maxSteps) return { attributions, sum, fx, fBaseline, relativeError, steps: m };
    // T(2m) = T(m) / 2 + (1 / 2m) Σ g(midpoints)
    const mids = await weightedGradients(
      Array.from({ length: m }, (_, j) => (2 * j + 1) / (2 * m)),
      () => 1 / (2 * m),
    );
    for (let i = 0; i < size; i++) integral[i] = integral[i]! / 2 + mids[i]!;
    m *= 2;
  }
}

export interface SaliencyMap {
  /** height x width, row-major, in [0, 1] (all 0 when the gradient vanishes). */
  map: Float32Array;
  height: number;
  width: number;
  /** The largest |gradient| before normalizing. */
  max: number;
}

/** |∂ score_output / ∂ pixel|, max over channels, divided by its maximum: a heatmap over the image. */
export async function saliencyMap(tf: TF, model: tfjs.LayersModel, image: ArrayLike<number>, output = 0): Promise<SaliencyMap> {
  const shape = checkInput(model, image, 'the image');
  if (shape.length !== 3) throw new EvalError('input-mismatch', { params: { shape: shape.join(' x ') } }, `Saliency maps need an image model (height x width x channels), not ${shape.join(' x ')}`);
  checkOutput(model, output);
  const [height, width, channels] = shape as [number, number, number];
  const g = await gradients(tf, model, Float32Array.from(image), shape, 1, output);
  return pixelHeatmap(g, height, width, channels, 'max');
}

/**
 * A height x width heatmap in [0, 1] from per-value scores laid out height x width x channels: the
 * largest |score| over a pixel's channels ('max', for saliency) or their sum ('sum', for integrated
 * gradients, whose attributions add up), divided by the largest pixel.
 */
export function pixelHeatmap(values: ArrayLike<number>, height: number, width: number, channels: number, reduce: 'max' | 'sum' = 'max'): SaliencyMap {
  if (values.length !== height * width * channels) {
    throw new EvalError('input-mismatch', { params: { expected: height * width * channels, actual: values.length } }, `Expected ${height} x ${width} x ${channels} values, got ${values.length}`);
  }
  const map = new Float32Array(height * width);
  let max = 0;
  for (let p = 0; p < height * width; p++) {
    let v = 0;
    for (let c = 0; c < channels; c++) {
      const a = Math.abs(values[p * channels + c]!);
      v = reduce === 'max' ? Math.max(v, a) : v + a;
    }
    map[p] = v;
    if (v > max) max = v;
  }
  if (max > 0) for (let p = 0; p < map.length; p++) map[p]! /= max;
  return { map, height, width, max };
}
