/**
 * The optimizers in `pipette run` (cli/optimizer.ts), in this process with the demo pipeline on penguins.json
 * (the Trainer shortened to 20 epochs) plus a Quantizer to uint8 and one to float16 after the Trainer, a
 * Pruner and a Distiller after it, and the Evaluator and Pusher on the uint8 model.
 *
 * Quantized bundles: every kernel of at least 256 values is stored as the TF.js manifest describes it
 * (uint8 with scale and min, one byte a value; float16, two), the rest float32, and the shard holds exactly
 * those bytes. Their predictions on the 51 test rows, loaded with TF.js as any consumer does, against the
 * Trainer's float32 model: bounded by propagating each weight's change through the network (derivation
 * at `predictionBound`). And TF.js's own dequantization is the manifest's formula: a model given the
 * weights q x scale + min computed here predicts exactly what the quantized bundle does.
 * Pruned bundle: each Dense kernel holds exactly n - round(n (1 - 0.5)) zeros (TF-MOT's count), its biases none.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';
import type { MlmdStore } from '../../../src/core/pipeline/mlmd';
import type { ComponentSpec, PipelineSpec } from '../../../src/core/pipeline/spec';

const root = resolve(import.meta.dirname, '../../..');
const penguinsText = readFileSync(join(root, 'node_modules/vega-datasets/data/penguins.json'), 'utf8');
type Row = Record<string, string | number | null>;
const penguins = JSON.parse(penguinsText) as Row[];

interface WeightEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: 'uint8' | 'float16'; scale?: number; min?: number };
}
interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: WeightEntry[] }[];
}

let work: string;
let out: string;
let lines: string[];
let code: number;
/** Tensors alive after the run less those before it. */
let leaked: number;

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** The one artifact directory of a component (each ran once). */
function artifactOf(component: string): string {
  const dirs = readdirSync(join(out, 'artifacts', component));
  expect(dirs).toHaveLength(1);
  return join(out, 'artifacts', component, dirs[0]!);
}

function bundle(dir: string): { json: ModelJson; data: Uint8Array } {
  const modelDir = join(dir, 'model');
  const json = readJson<ModelJson>(join(modelDir, 'model.json'));
  const data = new Uint8Array(Buffer.concat(json.weightsManifest[0]!.paths.map((p) => readFileSync(join(modelDir, p)))));
  return { json, data };
}

/** Each weight's values as the manifest describes them, decoded as TF.js decodes (q x scale + min, half floats), in float32. */
function decodedWeights({ json, data }: { json: ModelJson; data: Uint8Array }): Map<string, Float32Array> {
  const weights = new Map<string, Float32Array>();
  let offset = 0;
  for (const w of json.weightsManifest[0]!.weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const q = w.quantization;
    const bytes = q?.dtype === 'uint8' ? n : q?.dtype === 'float16' ? 2 * n : 4 * n;
    const raw = data.slice(offset, offset + bytes);
    offset += bytes;
    if (!q) weights.set(w.name, new Float32Array(raw.buffer));
    else if (q.dtype === 'uint8') weights.set(w.name, Float32Array.from(raw, (code) => code * q.scale! + q.min!));
    else weights.set(w.name, Float32Array.from(new Uint16Array(raw.buffer), halfToFloat));
  }
  expect(offset).toBe(data.length);
  return weights;
}

function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** The Dense layers in order: kernel [in, out] and bias, from the manifest's names (dense_N/kernel, dense_N/bias). */
function denseLayers(weights: Map<string, Float32Array>, json: ModelJson): { name: string; inputs: number; units: number; kernel: Float32Array; bias: Float32Array }[] {
  return json.weightsManifest[0]!.weights
    .filter((w) => w.name.endsWith('/kernel'))
    .map((w) => {
      const name = w.name.slice(0, -'/kernel'.length);
      return { name, inputs: w.shape[0]!, units: w.shape[1]!, kernel: weights.get(w.name)!, bias: weights.get(`${name}/bias`)! };
    });
}

/**
 * A bound on how far the quantized model's class probabilities can be from the original's on one row, from
 * the original weights W, b, the change of every weight |W' - W|, |b' - b| (read off the two bundles) and
 * the row's activations, in exact arithmetic:
 *   layer 1:   |dz_k| <= sum_i |dW_ik| |x_i| + |db_k|                              (x is the same input)
 *   layer l:   |dz_k| <= sum_j (|W_jk| d_j + |dW_jk| (|h_j| + d_j)) + |db_k|      (h' = h + dh, |dh_j| <= d_j)
 *   ReLU is 1-Lipschitz, so d_j = |dz_j| bounds carry through it; dropout is the identity when predicting.
 *   softmax:   |dp_k| <= max_j |dz_j| / 2: its Jacobian diag(p) - p p^T has rows whose absolute values sum
 *              to 2 p_k (1 - p_k) <= 1/2, so it moves no probability by more than half the largest logit change.
 * Float32 rounding in both models adds a little on top: 1e-5 allowed for it (the logits are below 100).
 */
function predictionBound(original: ReturnType<typeof denseLayers>, quantized: ReturnType<typeof denseLayers>, x: Float32Array): number {
  let h = Array.from(x, Number);
  let d = new Array<number>(h.length).fill(0);
  for (const [l, layer] of original.entries()) {
    const q = quantized[l]!;
    const z = new Array<number>(layer.units).fill(0);
    const dz = new Array<number>(layer.units).fill(0);
    for (let k = 0; k < layer.units; k++) {
      let sum = layer.bias[k]!;
      let bound = Math.abs(q.bias[k]! - layer.bias[k]!);
      for (let j = 0; j < layer.inputs; j++) {
        const w = layer.kernel[j * layer.units + k]!;
        const dw = Math.abs(q.kernel[j * layer.units + k]! - w);
        sum += w * h[j]!;
        bound += Math.abs(w) * d[j]! + dw * (Math.abs(h[j]!) + d[j]!);
      }
      z[k] = sum;
      dz[k] = bound;
    }
    const last = l === original.length - 1;
    h = last ? z : z.map((v) => Math.max(0, v));
    d = dz;
  }
  return Math.max(...d) / 2 + 1e-5;
}

async function predictWith(json: ModelJson, weights: Map<string, Float32Array>, x: Float32Array, rows: number): Promise<Float32Array> {
  const specs = json.weightsManifest[0]!.weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' as const }));
  const data = new Float32Array(specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0));
  let at = 0;
  for (const s of specs) {
    data.set(weights.get(s.name)!, at);
    at += weights.get(s.name)!.length;
  }
  return predictBundle({ modelTopology: json.modelTopology, weightsManifest: [{ paths: [], weights: specs }] }, new Uint8Array(data.buffer), x, rows);
}

async function predictBundle(json: ModelJson, data: Uint8Array, x: Float32Array, rows: number): Promise<Float32Array> {
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights as tf.io.WeightsManifestEntry[], weightData: data.slice().buffer }));
  try {
    return tf.tidy(() => (model.predict(tf.tensor2d(x, [rows, x.length / rows])) as tf.Tensor).dataSync() as Float32Array);
  } finally {
    model.dispose();
  }
}

/** The test rows of the split as the model's input: transform.js (shipped in the bundle) on the raw rows. */
async function testInputs(modelDir: string): Promise<{ x: Float32Array; rows: number; dim: number }> {
  const reader = (await import(pathToFileURL(join(modelDir, 'transform.js')).href)) as { applyToRows: (fitted: unknown, rows: Row[]) => { features: Float32Array; rows: number; dim: number } };
  const split = readJson<{ rows: { test: number[] } }>(join(artifactOf('example_gen'), 'split.json'));
  const raw = split.rows.test.map((i) => Object.fromEntries(Object.entries(penguins[i]!).filter(([k]) => k !== 'Species')));
  const { features, rows, dim } = reader.applyToRows(readJson(join(modelDir, 'transform.json')), raw);
  return { x: features, rows, dim };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'pipette-cli-optimizers-'));
  const data = join(work, 'data');
  mkdirSync(join(data, 'Palmer penguins'), { recursive: true });
  writeFileSync(join(data, 'Palmer penguins', 'penguins.json'), penguinsText);
  const spec = readJson<PipelineSpec>(join(root, 'pipelines/demo.pipeline.json'));
  const trainer = spec.components.find((c) => c.id === 'trainer') as ComponentSpec<'Trainer'>;
  trainer.settings.hyper.epochs = 20;
  const model = (from: string) => ({ model: { from, port: 'model' } });
  const training = { optimizer: 'adam' as const, learningRate: 0.001, batchSize: 32, epochs: 2 };
  spec.components.push(
    { id: 'quantizer', type: 'Quantizer', settings: { dtype: 'uint8' }, inputs: model('trainer') },
    { id: 'half', type: 'Quantizer', settings: { dtype: 'float16' }, inputs: model('trainer') },
    // 240 training rows in batches of 32: 8 steps an epoch, 16 in all (0 to 15)
    { id: 'pruner', type: 'Pruner', settings: { schedule: { initialSparsity: 0, finalSparsity: 0.5, beginStep: 0, endStep: 12, frequency: 4 }, training }, inputs: model('trainer') },
    { id: 'distiller', type: 'Distiller', settings: { student: { kind: 'hidden', sizes: [8] }, temperature: 2, alpha: 0.5, training: { ...training, learningRate: 0.01, epochs: 5 } }, inputs: model('trainer') },
  );
  for (const c of spec.components) if (c.type === 'Evaluator' || c.type === 'Pusher') c.inputs.model = { from: 'quantizer', port: 'model' };
  const pipeline = join(work, 'pipeline.json');
  writeFileSync(pipeline, JSON.stringify(spec));
  out = join(work, 'out');
  lines = [];
  await tf.setBackend('cpu');
  const tensors = tf.memory().numTensors;
  code = await main(['run', pipeline, '--data', data, '--out', out, '--quiet'], { out: (l) => lines.push(l), err: (l) => lines.push(l) });
  leaked = tf.memory().numTensors - tensors;
}, 180_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('pipette run with optimizers after the Trainer', () => {
  it('runs them all; the Evaluator and Pusher take the quantized model, and the lineage has it made from the trained one', () => {
    expect(lines.filter((l) => !/not blessed/.test(l))).toEqual([]);
    // the Pruner and Distiller disposed every tensor they made, however they ended
    expect(leaked).toBe(0);
    const quantizer = `artifacts/quantizer/${readdirSync(join(out, 'artifacts/quantizer'))[0]}`;
    const evaluation = readJson<{ model: string; rows: number }>(join(artifactOf('evaluator'), 'evaluation.json'));
    expect(evaluation).toMatchObject({ model: quantizer, rows: 51 });
    const blessing = readJson<{ blessed: boolean }>(join(artifactOf('evaluator'), 'blessing.json'));
    expect(code).toBe(blessing.blessed ? 0 : 1);
    expect(readJson<{ model: string }>(join(artifactOf('pusher'), 'pushed_model.json')).model).toBe(quantizer);

    const mlmd = readJson<{ store: MlmdStore }>(join(out, 'mlmd-store.json')).store;
    const artifact = (uri: string) => mlmd.artifacts.find((a) => a.uri === uri)!;
    const made = mlmd.events.find((e) => e.artifactId === artifact(quantizer).id && e.type === 'OUTPUT')!;
    const execution = mlmd.executions.find((x) => x.id === made.executionId)!;
    expect(mlmd.executionTypes.find((t) => t.id === execution.typeId)!.name).toBe('Quantizer');
    const input = mlmd.events.find((e) => e.executionId === execution.id && e.type === 'INPUT')!;
    expect(mlmd.artifacts.find((a) => a.id === input.artifactId)!.uri).toBe(`artifacts/trainer/${readdirSync(join(out, 'artifacts/trainer'))[0]}`);
  });

  for (const dtype of ['uint8', 'float16'] as const) {
    it(`stores the ${dtype} bundle's large kernels as ${dtype}, and its test predictions stay within the bound the weight changes give`, async () => {
      const original = bundle(artifactOf('trainer'));
      const dir = artifactOf(dtype === 'uint8' ? 'quantizer' : 'half');
      const quantized = bundle(dir);
      const entries = quantized.json.weightsManifest[0]!.weights;
      const size = (w: WeightEntry) => w.shape.reduce((a, b) => a * b, 1);
      // the small ones (biases, the 32 x 3 head) stay float32
      expect(entries.map((w) => [w.name, w.quantization?.dtype ?? 'float32'])).toEqual(entries.map((w) => [w.name, size(w) >= 256 ? dtype : 'float32']));
      expect(quantized.data.length).toBe(entries.reduce((n, w) => n + size(w) * (w.quantization ? (dtype === 'uint8' ? 1 : 2) : 4), 0));
      // 2,947 values: 11,788 bytes as float32; 3,532 (uint8) and 6,284 (float16) with the 195 small ones kept
      expect([original.data.length, quantized.data.length]).toEqual([11_788, dtype === 'uint8' ? 3_532 : 6_284]);

      const before = decodedWeights(original);
      const after = decodedWeights(quantized);
      if (dtype === 'uint8') {
        // each value within half a step of the original
        for (const w of entries.filter((e) => e.quantization)) {
          const a = after.get(w.name)!;
          before.get(w.name)!.forEach((v, i) => expect(Math.abs(a[i]! - v)).toBeLessThanOrEqual(w.quantization!.scale! / 2 + 1e-7));
        }
      }
      const { x, rows, dim } = await testInputs(join(dir, 'model'));
      expect(rows).toBe(51);
      const p = await predictBundle(quantized.json, quantized.data, x, rows);
      const p0 = await predictBundle(original.json, original.data, x, rows);
      const layersBefore = denseLayers(before, original.json);
      const layersAfter = denseLayers(after, quantized.json);
      let tightest = Infinity;
      for (let r = 0; r < rows; r++) {
        const bound = predictionBound(layersBefore, layersAfter, x.subarray(r * dim, (r + 1) * dim));
        for (let k = 0; k < 3; k++) {
          const diff = Math.abs(p[r * 3 + k]! - p0[r * 3 + k]!);
          expect(diff).toBeLessThanOrEqual(bound);
          tightest = Math.min(tightest, bound - diff);
        }
      }
      expect(tightest).toBeGreaterThanOrEqual(0);
      // TF.js dequantizes as the manifest says: the weights decoded here give the very same predictions
      expect(await predictWith(quantized.json, after, x, rows)).toEqual(p);
    });
  }

  it("prunes each Dense kernel to exactly the asked sparsity, TF-MOT's count of n - round(n (1 - s)) zeros, and no bias", () => {
    const pruned = bundle(artifactOf('pruner'));
    const layers = denseLayers(decodedWeights(pruned), pruned.json);
    expect(layers.map((l) => l.kernel.length)).toEqual([11 * 64, 64 * 32, 32 * 3]);
    for (const l of layers) {
      const zeros = l.kernel.filter((v) => v === 0).length;
      expect(zeros).toBe(l.kernel.length - Math.round(l.kernel.length * 0.5));
      expect(l.bias.filter((v) => v === 0).length).toBe(0);
    }
    const optimization = readJson<{ report: { layers: { layer: string; zeros: number; size: number }[] } }>(join(artifactOf('pruner'), 'optimization.json'));
    expect(optimization.report.layers.map((l) => l.zeros)).toEqual(layers.map((l) => l.kernel.filter((v) => v === 0).length));
    const metadata = readJson<{ optimization: { method: string }; lineage: { parentModelVersionId: string } }>(join(artifactOf('pruner'), 'model/metadata.json'));
    expect(metadata.optimization.method).toBe('prune');
    expect(metadata.lineage.parentModelVersionId).toMatch(/^artifacts\/trainer\/\d+$/);
  });

  it('distills a student of the asked hidden layer whose bundle predicts the three classes', async () => {
    const dir = artifactOf('distiller');
    const student = bundle(dir);
    const layers = denseLayers(decodedWeights(student), student.json);
    expect(layers.map((l) => [l.inputs, l.units])).toEqual([
      [11, 8],
      [8, 3],
    ]);
    const optimization = readJson<{ studentParams: number; labeledRows: number }>(join(dir, 'optimization.json'));
    expect(optimization.studentParams).toBe(11 * 8 + 8 + 8 * 3 + 3);
    const split = readJson<{ counts: { train: number } }>(join(artifactOf('example_gen'), 'split.json'));
    expect(optimization.labeledRows).toBe(split.counts.train);
    const { x, rows } = await testInputs(join(dir, 'model'));
    const p = await predictBundle(student.json, student.data, x, rows);
    for (let r = 0; r < rows; r++) expect(p[r * 3]! + p[r * 3 + 1]! + p[r * 3 + 2]!).toBeCloseTo(1, 5);
  });
});
