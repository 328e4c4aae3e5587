/**
 * `pipette serve` over real HTTP, the built CLI in its own Node process (this file's own build, as
 * train.test.ts does). Checked: api_rest.md's half_plus_three example on a TF.js model y = 0.5 x + 3
 * (a Dense(1) with weights set by hand, version 123): predictions 3.5, 4.0, 5.5 and regress results
 * 3.5, 4.0, byte for byte; status, metadata, 404s and an oversize body 413 with the connection closed; a
 * new version directory is loaded while serving (y = 0.5 x + 4 as version 124) and a removed one unloaded;
 * a burst of malformed bodies interleaved with good ones, every good one answered right and every bad one
 * a TF Serving error, never a stack trace; batching on gives the same answers; and the demo penguin model
 * (a bundle on a transform, trained by `pipette run`) answers raw rows with the probabilities TF.js and
 * the bundle's own transform.js give in this process, and the same from the bundle zipped.
 */
import * as tf from '@tensorflow/tfjs';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { zipSync } from 'fflate';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Papa from 'papaparse';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layersFiles } from '../../../src/core/model/bundle';
import type { TF } from '../../../src/core/model/model-spec';

const root = resolve(import.meta.dirname, '../../..');
const cli = join(root, 'node_modules/.cache/pipette-cli-serve-test');
let work: string;

/** A Dense(1) TF.js model y = slope x + intercept with input "x" and output "y", written as model.json + shard. */
async function writeLinearModel(dir: string, slope: number, intercept: number): Promise<void> {
  const x = tf.input({ shape: [1], name: 'x' });
  const y = tf.layers.dense({ units: 1, name: 'y' }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: x, outputs: y });
  model.getLayer('y').setWeights([tf.tensor2d([[slope]]), tf.tensor1d([intercept])]);
  const { modelJson, shards } = await layersFiles(tf as unknown as TF, model);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), modelJson);
  for (const [name, bytes] of shards) writeFileSync(join(dir, name), bytes);
  model.dispose();
}

interface Server {
  proc: ChildProcess;
  port: number;
  out: string[];
  /** Resolves when stdout has printed a line matching. */
  line(pattern: RegExp): Promise<string>;
  stop(): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function startServer(...args: string[]): Promise<Server> {
  const proc = spawn(process.execPath, [join(cli, 'bin/pipette.mjs'), 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  let stderr = '';
  const waiting: { pattern: RegExp; resolve: (l: string) => void }[] = [];
  let buffer = '';
  proc.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const l of lines) {
      out.push(l);
      for (const w of waiting.filter((x) => x.pattern.test(l))) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(l);
      }
    }
  });
  proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const line = (pattern: RegExp) => new Promise<string>((res) => (out.find((l) => pattern.test(l)) ? res(out.find((l) => pattern.test(l))!) : waiting.push({ pattern, resolve: res })));
  const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
  return new Promise((res, rej) => {
    proc.on('exit', (code) => rej(new Error(`serve exited ${code}: ${stderr}`)));
    void line(/listening on http:\/\/127\.0\.0\.1:\d+/).then((l) => {
      const port = Number(/:(\d+)/.exec(l.slice(l.indexOf('http')))![1]);
      res({
        proc,
        port,
        out,
        line,
        stop: async () => {
          proc.kill('SIGTERM');
          const code = await exited;
          return { code, stdout: out.join('\n'), stderr };
        },
      });
    });
  });
}

function call(port: number, method: string, path: string, body?: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((res, rej) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: body === undefined ? {} : { 'Content-Type': 'application/json' } }, (r) => {
      let text = '';
      r.on('data', (c: Buffer) => (text += c.toString()));
      r.on('end', () => res({ status: r.statusCode!, body: text, headers: r.headers }));
    });
    req.on('error', rej);
    req.end(body);
  });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'pipette-cli-serve-'));
  rmSync(cli, { recursive: true, force: true });
  mkdirSync(join(cli, 'bin'), { recursive: true });
  copyFileSync(join(root, 'bin/pipette.mjs'), join(cli, 'bin/pipette.mjs'));
  await build({ configFile: join(root, 'vite.cli.config.ts'), root, logLevel: 'silent', build: { outDir: join(cli, 'dist-cli') } });
  await tf.setBackend('cpu');
  await writeLinearModel(join(work, 'models/half_plus_three/123'), 0.5, 3);
}, 120_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(cli, { recursive: true, force: true });
});

describe('pipette serve', () => {
  it("answers api_rest.md's half_plus_three example, its status and metadata, and refuses what TF Serving refuses", async () => {
    const server = await startServer(join(work, 'models'), '--port', '0', '--poll_seconds', '0.2', '--max_body_bytes', '4096');
    try {
      const p = await call(server.port, 'POST', '/v1/models/half_plus_three:predict', '{"instances": [1.0, 2.0, 5.0]}');
      expect(p).toMatchObject({ status: 200, body: '{\n    "predictions": [3.5, 4.0, 5.5\n    ]\n}' });
      expect(p.headers['content-type']).toBe('application/json');
      const r = await call(server.port, 'POST', '/v1/models/half_plus_three:regress', '{"signature_name": "tensorflow/serving/regress", "examples": [{"x": 1.0}, {"x": 2.0}]}');
      expect(r).toMatchObject({ status: 200, body: '{\n    "results": [3.5, 4.0]\n}' });
      const status = await call(server.port, 'GET', '/v1/models/half_plus_three');
      expect(status.body).toBe('{\n "model_version_status": [\n  {\n   "version": "123",\n   "state": "AVAILABLE",\n   "status": {\n    "error_code": "OK",\n    "error_message": ""\n   }\n  }\n ]\n}');
      const meta = JSON.parse((await call(server.port, 'GET', '/v1/models/half_plus_three/metadata')).body) as { metadata: { signature_def: { signature_def: Record<string, { inputs: Record<string, unknown>; outputs: Record<string, unknown> }> } }; pipette: unknown };
      const defs = meta.metadata.signature_def.signature_def;
      expect(defs.serving_default!.inputs).toEqual({ x: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: '-1', name: '' }], unknown_rank: false }, name: 'x:0' } });
      expect(Object.keys(defs.serving_default!.outputs)).toEqual(['y']);
      expect(meta.pipette).toEqual({ input_kind: 'encoded', task: 'regression', labels: null });

      expect(await call(server.port, 'POST', '/v1/models/half:predict', '{"instances": [1.0,5.0]}')).toMatchObject({ status: 404, body: '{\n    "error": "Servable not found for request: Latest(half)"\n}' });
      expect((await call(server.port, 'POST', '/v1/models/half_plus_three:predict', '{"instances": [[1.0, 2.0]]}')).status).toBe(400);
      const big = await call(server.port, 'POST', '/v1/models/half_plus_three:predict', JSON.stringify({ instances: Array(2000).fill(1.5) }));
      expect(big.status).toBe(413);
      expect(JSON.parse(big.body)).toEqual({ error: expect.stringMatching(/^Request body of \d+ bytes is over the limit of 4096 bytes$/) as unknown });
      expect(big.headers.connection).toBe('close');

      // a new version appears while serving (y = 0.5 x + 4), then the old one goes
      await writeLinearModel(join(work, 'staging'), 0.5, 4);
      cpSync(join(work, 'staging'), join(work, 'models/half_plus_three/124'), { recursive: true });
      await server.line(/loaded half_plus_three version 124/);
      expect((await call(server.port, 'POST', '/v1/models/half_plus_three:predict', '{"instances": [1.0]}')).body).toBe('{\n    "predictions": [4.5\n    ]\n}');
      expect((await call(server.port, 'POST', '/v1/models/half_plus_three/versions/123:predict', '{"instances": [1.0]}')).body).toBe('{\n    "predictions": [3.5\n    ]\n}');
      rmSync(join(work, 'models/half_plus_three/123'), { recursive: true });
      await server.line(/unloaded half_plus_three version 123/);
      expect(JSON.parse((await call(server.port, 'GET', '/v1/models/half_plus_three')).body)).toEqual({ model_version_status: [{ version: '124', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }] });
      cpSync(join(work, 'models/half_plus_three/124'), join(work, 'models/half_plus_three/123'), { recursive: true });
      rmSync(join(work, 'staging'), { recursive: true });
      await server.line(/loaded half_plus_three version 123/);
    } finally {
      const stopped = await server.stop();
      expect(stopped.code).toBe(0);
      expect(stopped.stdout).toMatch(/stopped after \d+ requests/);
      expect(stopped.stdout + stopped.stderr).not.toContain('    at ');
    }
  }, 60_000);

  it('survives a burst of malformed bodies interleaved with good ones, with and without batching', async () => {
    const malformed = ['', 'instances = [1, 2]', '{"instances": [1, 2,', '{"instances": "x"}', '{"instances": [[[1]]]}', '{"inputs": {"x": ["a"]}}', '\u0000\u00ff{', '{"instances": [{"b64": 1}]}', '[]', '{"examples": [null]}'];
    for (const flags of [[], ['--enable_batching', '--max_batch_size', '16', '--batch_timeout_micros', '2000']]) {
      const server = await startServer(join(work, 'models'), '--port', '0', '--poll_seconds', '0', ...flags);
      try {
        const calls = Array.from({ length: 200 }, (_, i) => {
          if (i % 2 === 1) return call(server.port, 'POST', `/v1/models/half_plus_three/versions/124:${i % 4 === 1 ? 'predict' : 'regress'}`, malformed[(i >> 1) % malformed.length]).then((r) => ({ i, r }));
          return call(server.port, 'POST', '/v1/models/half_plus_three/versions/124:predict', JSON.stringify({ instances: [i, i + 1] })).then((r) => ({ i, r }));
        });
        for (const { i, r } of await Promise.all(calls)) {
          if (i % 2 === 0) {
            // y = 0.5 x + 4
            expect(r.status).toBe(200);
            expect((JSON.parse(r.body) as { predictions: number[] }).predictions).toEqual([0.5 * i + 4, 0.5 * (i + 1) + 4]);
          } else {
            expect(r.status).toBe(400);
            expect(Object.keys(JSON.parse(r.body) as object)).toEqual(['error']);
            expect(r.body).not.toContain('    at ');
          }
        }
      } finally {
        const stopped = await server.stop();
        expect(stopped.stdout).toMatch(/stopped after 200 requests \(100 answered with an error/);
        if (flags.length > 0) expect(stopped.stdout).toMatch(/\d+ batches for 100 predict calls\)/);
      }
    }
  }, 60_000);

  it('serves the demo penguin model (trained on a transform) on raw rows, as TF.js with its transform.js predicts them', async () => {
    type Row = Record<string, string | number | null>;
    const penguins = JSON.parse(readFileSync(join(root, 'node_modules/vega-datasets/data/penguins.json'), 'utf8')) as Row[];
    mkdirSync(join(work, 'data/Palmer penguins'), { recursive: true });
    writeFileSync(join(work, 'data/Palmer penguins/penguins.csv'), Papa.unparse(penguins));
    const run = spawnSync(process.execPath, [join(cli, 'bin/pipette.mjs'), 'run', join(root, 'pipelines/demo.pipeline.json'), '--data', join(work, 'data'), '--out', join(work, 'out'), '--quiet'], { encoding: 'utf8' });
    expect(run.stderr).not.toContain('    at ');
    const bundle = join(work, 'out/artifacts/trainer/6/model');
    const server = await startServer(bundle, '--port', '0', '--model_name', 'penguins');
    try {
      const fitted = JSON.parse(readFileSync(join(bundle, 'transform.json'), 'utf8')) as { columns: { name: string }[] };
      const rows = penguins.slice(0, 5).map((p) => Object.fromEntries(fitted.columns.map((c) => [c.name, p[c.name] ?? null])));
      const r = await call(server.port, 'POST', '/v1/models/penguins:predict', JSON.stringify({ instances: rows }));
      expect(r.status).toBe(200);
      const served = (JSON.parse(r.body) as { predictions: number[][] }).predictions;

      const modelJson = JSON.parse(readFileSync(join(bundle, 'model.json'), 'utf8')) as { modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
      const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0]!.weights, weightData: new Uint8Array(readFileSync(join(bundle, 'group1-shard1of1.bin'))).buffer }));
      const reader = (await import(pathToFileURL(join(bundle, 'transform.js')).href)) as { applyToRows: (f: unknown, rows: Row[]) => { features: Float32Array; rows: number; dim: number } };
      const { features, dim } = reader.applyToRows(fitted, rows);
      const expected = (model.predict(tf.tensor2d(features, [rows.length, dim])) as tf.Tensor).arraySync() as number[][];
      model.dispose();
      expect(served).toHaveLength(5);
      served.forEach((p, i) => p.forEach((v, c) => expect(v).toBeCloseTo(expected[i]![c]!, 6)));

      type Def = { inputs: Record<string, { dtype: string; tensor_shape: { dim: { size: string }[] } }>; outputs: Record<string, { tensor_shape: { dim: { size: string }[] } }>; method_name: string };
      const meta = JSON.parse((await call(server.port, 'GET', '/v1/models/penguins/metadata')).body) as { pipette: { input_kind: string; labels: string[] }; metadata: { signature_def: { signature_def: Record<string, Def> } } };
      expect(meta.pipette.input_kind).toBe('raw_rows');
      // one input per raw column the transform reads: strings for categorical columns, floats for numbers
      const defs = meta.metadata.signature_def.signature_def;
      const inputs = defs.serving_default!.inputs;
      expect(Object.keys(inputs).sort()).toEqual(fitted.columns.map((c) => c.name).sort());
      expect([inputs.Island!.dtype, inputs.Sex!.dtype, inputs['Beak Length (mm)']!.dtype]).toEqual(['DT_STRING', 'DT_STRING', 'DT_FLOAT']);
      expect(inputs.Island!.tensor_shape.dim.map((d) => d.size)).toEqual(['-1']);
      expect(defs['tensorflow/serving/classify']!.outputs.scores!.tensor_shape.dim.map((d) => d.size)).toEqual(['-1', '3']);
      expect(Object.keys(defs)).toEqual(['serving_default', 'tensorflow/serving/classify']);
      const classify = JSON.parse((await call(server.port, 'POST', '/v1/models/penguins:classify', JSON.stringify({ examples: rows.slice(0, 1) }))).body) as { results: [string, number][][] };
      expect(classify.results[0]!.map(([label]) => label)).toEqual(meta.pipette.labels);
      classify.results[0]!.forEach(([, score], c) => expect(score).toBeCloseTo(expected[0]![c]!, 6));

      // the same bundle zipped, as the registry exports it, served from the .zip and named after it
      const files = Object.fromEntries(readdirSync(bundle).map((f) => [f, new Uint8Array(readFileSync(join(bundle, f)))]));
      writeFileSync(join(work, 'penguins.zip'), zipSync(files));
      const zipped = await startServer(join(work, 'penguins.zip'), '--port', '0');
      try {
        const fromZip = await call(zipped.port, 'POST', '/v1/models/penguins/versions/1:predict', JSON.stringify({ instances: rows }));
        expect((JSON.parse(fromZip.body) as { predictions: number[][] }).predictions).toEqual(served);
      } finally {
        await zipped.stop();
      }
    } finally {
      await server.stop();
    }
  }, 120_000);
});
